//! `Named<V>`: a map from names to values kept as one vector sorted by name — what an evaluated
//! body's arguments and blocks are held in. A body has a handful of names; at the quota ceiling
//! there are over 100,000 bodies, and a `BTreeMap` gives each a node of eleven slots (about a
//! kilobyte for three arguments, half a kilobyte for one block name). A vector sized to what is
//! there holds the same in a third, and is searched by a scan that compares lengths first. Same
//! interface as the `BTreeMap` subset the model uses, same (name) order.

use std::borrow::Borrow;

#[derive(Clone, PartialEq)]
pub struct Named<V> {
    entries: Vec<(String, V)>,
}

impl<V> Default for Named<V> {
    fn default() -> Self {
        Named { entries: Vec::new() }
    }
}

impl<V: std::fmt::Debug> std::fmt::Debug for Named<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<V> Named<V> {
    /// Where `name` is, or where it would go (for `insert`).
    fn find(&self, name: &str) -> Result<usize, usize> {
        self.position(name).ok_or_else(|| self.entries.partition_point(|(k, _)| k.as_str() < name))
    }

    /// Where `name` is. A body has a few dozen names at most: a scan that compares lengths first
    /// passes most of them without reading their bytes, where a binary search compares bytes at
    /// every step (`memcmp` was a sixth of a 60k plan's samples, these lookups much of it).
    fn position(&self, name: &str) -> Option<usize> {
        if self.entries.len() > 32 {
            return self.entries.binary_search_by(|(k, _)| k.as_str().cmp(name)).ok();
        }
        self.entries.iter().position(|(k, _)| k.len() == name.len() && k == name)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn get<Q: Borrow<str> + ?Sized>(&self, name: &Q) -> Option<&V> {
        self.position(name.borrow()).map(|i| &self.entries[i].1)
    }

    pub fn contains_key(&self, name: &str) -> bool {
        self.position(name).is_some()
    }

    /// Sets `name`, returning what it held.
    pub fn insert(&mut self, name: String, value: V) -> Option<V> {
        match self.find(&name) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                self.entries.insert(i, (name, value));
                None
            }
        }
    }

    pub fn remove(&mut self, name: &str) -> Option<V> {
        self.position(name).map(|i| self.entries.remove(i).1)
    }

    /// The value at `name`, made with `make` when there is none.
    pub fn entry_or_insert_with(&mut self, name: &str, make: impl FnOnce() -> V) -> &mut V {
        let i = match self.find(name) {
            Ok(i) => i,
            Err(i) => {
                self.entries.insert(i, (name.to_string(), make()));
                i
            }
        };
        &mut self.entries[i].1
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&String, &V)> + ExactSizeIterator {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &String> + ExactSizeIterator {
        self.entries.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + ExactSizeIterator {
        self.entries.iter().map(|(_, v)| v)
    }

    /// Gives back the room a body grew into while it was evaluated.
    pub fn shrink_to_fit(&mut self) {
        self.entries.shrink_to_fit();
    }
}

impl<V: Default> Named<V> {
    /// The value at `name`, a default one put there first when there is none.
    pub fn entry_or_default(&mut self, name: &str) -> &mut V {
        self.entry_or_insert_with(name, V::default)
    }
}

impl<'a, V> IntoIterator for &'a Named<V> {
    type Item = (&'a String, &'a V);
    type IntoIter = std::iter::Map<std::slice::Iter<'a, (String, V)>, fn(&'a (String, V)) -> (&'a String, &'a V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(k, v)| (k, v))
    }
}

impl<V> FromIterator<(String, V)> for Named<V> {
    /// Later values of a name replace earlier ones, as collecting into a map does.
    fn from_iter<I: IntoIterator<Item = (String, V)>>(items: I) -> Self {
        let mut named = Named::default();
        named.extend(items);
        named
    }
}

impl<V> Extend<(String, V)> for Named<V> {
    fn extend<I: IntoIterator<Item = (String, V)>>(&mut self, items: I) {
        for (name, value) in items {
            self.insert(name, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_as_an_ordered_map() {
        let mut named: Named<u32> =
            [("b".to_string(), 1), ("a".to_string(), 2), ("b".to_string(), 3)].into_iter().collect();
        assert_eq!(named.iter().map(|(k, v)| (k.as_str(), *v)).collect::<Vec<_>>(), [("a", 2), ("b", 3)]);
        assert_eq!(named.insert("c".into(), 4), None);
        assert_eq!(named.insert("a".into(), 5), Some(2));
        assert_eq!((named.get("a"), named.get("z"), named.len()), (Some(&5), None, 3));
        *named.entry_or_default("d") += 7;
        *named.entry_or_default("d") += 1;
        assert_eq!(named.remove("b"), Some(3));
        assert!(!named.contains_key("b") && named.contains_key("d"));
        assert_eq!(named.keys().map(String::as_str).collect::<Vec<_>>(), ["a", "c", "d"]);
        assert_eq!(named.values().copied().collect::<Vec<_>>(), [5, 4, 8]);
        // Past 32 names, found by binary search: the same answers.
        let mut many: Named<usize> = (0..40).rev().map(|i| (format!("n{i:02}"), i)).collect();
        assert_eq!(many.keys().next().map(String::as_str), Some("n00"));
        assert_eq!((many.get("n17"), many.get("n40"), many.contains_key("n39")), (Some(&17), None, true));
        assert_eq!(many.remove("n05"), Some(5));
        assert_eq!(many.len(), 39);
    }
}
