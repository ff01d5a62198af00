//! `Named<V>`: a map from names to values, in name order — what an evaluated body's arguments
//! and blocks, and the configuration language's maps and objects (`value::Map`), are held in.
//!
//! Most maps are small: a body has a handful of names, `each` two, a `for_each` value a few; at
//! the quota ceiling there are hundreds of thousands of them, and a `BTreeMap` gives each a node
//! of eleven slots (over 600 bytes for two entries). Up to `FEW` names are kept as one vector
//! sorted by name, sized to what is there and searched by a scan that compares lengths first.
//! A map that grows past that (a `for_each` over tens of thousands of keys, the instances of a
//! resource type) becomes a boxed `BTreeMap`, where inserting anywhere stays cheap (a sorted
//! vector moves every entry behind the new one). Same interface as the `BTreeMap` subset sigform
//! uses, same order either way.

use std::borrow::Borrow;
use std::collections::BTreeMap;

/// Up to this many names, a vector.
const FEW: usize = 32;

#[derive(Clone)]
pub struct Named<V> {
    repr: Repr<V>,
}

/// Boxed when many, so that a `Named` is a vector's three words (and a `Value` stays 32 bytes):
/// the box is one allocation per large map, a tree is hundreds.
#[derive(Clone)]
#[allow(clippy::box_collection)]
enum Repr<V> {
    Few(Vec<(String, V)>),
    Many(Box<BTreeMap<String, V>>),
}

impl<V> Default for Named<V> {
    fn default() -> Self {
        Named { repr: Repr::Few(Vec::new()) }
    }
}

impl<V: PartialEq> PartialEq for Named<V> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl<V: std::fmt::Debug> std::fmt::Debug for Named<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// Where `name` is in a sorted vector of few: a scan that compares lengths first passes most
/// names without reading their bytes, where a binary search compares bytes at every step
/// (`memcmp` was a sixth of a 60k plan's samples, these lookups much of it).
fn position<V>(entries: &[(String, V)], name: &str) -> Option<usize> {
    entries.iter().position(|(k, _)| k.len() == name.len() && k == name)
}

impl<V> Named<V> {
    pub fn len(&self) -> usize {
        match &self.repr {
            Repr::Few(entries) => entries.len(),
            Repr::Many(map) => map.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn get<Q: Borrow<str> + ?Sized>(&self, name: &Q) -> Option<&V> {
        let name = name.borrow();
        match &self.repr {
            Repr::Few(entries) => position(entries, name).map(|i| &entries[i].1),
            Repr::Many(map) => map.get(name),
        }
    }

    pub fn get_mut(&mut self, name: &str) -> Option<&mut V> {
        match &mut self.repr {
            Repr::Few(entries) => position(entries, name).map(|i| &mut entries[i].1),
            Repr::Many(map) => map.get_mut(name),
        }
    }

    pub fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Past `FEW` names, the vector becomes a tree.
    fn grow(&mut self) {
        if let Repr::Few(entries) = &mut self.repr
            && entries.len() > FEW
        {
            // Sorted already: the tree is built from it in one pass.
            self.repr = Repr::Many(Box::new(std::mem::take(entries).into_iter().collect()));
        }
    }

    /// Sets `name`, returning what it held.
    pub fn insert(&mut self, name: String, value: V) -> Option<V> {
        match &mut self.repr {
            Repr::Few(entries) => {
                if let Some(i) = position(entries, &name) {
                    return Some(std::mem::replace(&mut entries[i].1, value));
                }
                let i = entries.partition_point(|(k, _)| k.as_str() < name.as_str());
                entries.insert(i, (name, value));
                self.grow();
                None
            }
            Repr::Many(map) => map.insert(name, value),
        }
    }

    pub fn remove(&mut self, name: &str) -> Option<V> {
        match &mut self.repr {
            Repr::Few(entries) => position(entries, name).map(|i| entries.remove(i).1),
            Repr::Many(map) => map.remove(name),
        }
    }

    /// The value at `name`, made with `make` when there is none.
    pub fn entry_or_insert_with(&mut self, name: &str, make: impl FnOnce() -> V) -> &mut V {
        if !self.contains_key(name) {
            self.insert(name.to_string(), make());
        }
        self.get_mut(name).expect("just inserted")
    }

    pub fn iter(&self) -> Iter<'_, V> {
        Iter(match &self.repr {
            Repr::Few(entries) => Either::Few(entries.iter()),
            Repr::Many(map) => Either::Many(map.iter()),
        })
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &String> + ExactSizeIterator {
        self.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + ExactSizeIterator {
        self.iter().map(|(_, v)| v)
    }

    /// Gives back the room a body grew into while it was evaluated.
    pub fn shrink_to_fit(&mut self) {
        if let Repr::Few(entries) = &mut self.repr {
            entries.shrink_to_fit();
        }
    }
}

impl<V: Default> Named<V> {
    /// The value at `name`, a default one put there first when there is none.
    pub fn entry_or_default(&mut self, name: &str) -> &mut V {
        self.entry_or_insert_with(name, V::default)
    }
}

/// One of the two representations' iterators.
enum Either<A, B> {
    Few(A),
    Many(B),
}

impl<A: Iterator, B: Iterator<Item = A::Item>> Either<A, B> {
    fn next(&mut self) -> Option<A::Item> {
        match self {
            Either::Few(a) => a.next(),
            Either::Many(b) => b.next(),
        }
    }
}

pub struct Iter<'a, V>(Either<std::slice::Iter<'a, (String, V)>, std::collections::btree_map::Iter<'a, String, V>>);

impl<'a, V> Iterator for Iter<'a, V> {
    type Item = (&'a String, &'a V);

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.0 {
            Either::Few(a) => a.next().map(|(k, v)| (k, v)),
            Either::Many(b) => b.next(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.0 {
            Either::Few(a) => a.size_hint(),
            Either::Many(b) => b.size_hint(),
        }
    }
}

impl<V> DoubleEndedIterator for Iter<'_, V> {
    fn next_back(&mut self) -> Option<Self::Item> {
        match &mut self.0 {
            Either::Few(a) => a.next_back().map(|(k, v)| (k, v)),
            Either::Many(b) => b.next_back(),
        }
    }
}

impl<V> ExactSizeIterator for Iter<'_, V> {}

pub struct IntoIter<V>(Either<std::vec::IntoIter<(String, V)>, std::collections::btree_map::IntoIter<String, V>>);

impl<V> Iterator for IntoIter<V> {
    type Item = (String, V);

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.0 {
            Either::Few(a) => a.size_hint(),
            Either::Many(b) => b.size_hint(),
        }
    }
}

impl<V> ExactSizeIterator for IntoIter<V> {}

impl<'a, V> IntoIterator for &'a Named<V> {
    type Item = (&'a String, &'a V);
    type IntoIter = Iter<'a, V>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<V> IntoIterator for Named<V> {
    type Item = (String, V);
    type IntoIter = IntoIter<V>;

    fn into_iter(self) -> Self::IntoIter {
        IntoIter(match self.repr {
            Repr::Few(entries) => Either::Few(entries.into_iter()),
            Repr::Many(map) => Either::Many(map.into_iter()),
        })
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
    /// Into few: appended, then sorted once (inserting one by one would move the entries behind
    /// each new name); the sort is stable, so of a name given twice the later value stays, as
    /// inserting keeps it. Into many, or past `FEW`: the tree.
    fn extend<I: IntoIterator<Item = (String, V)>>(&mut self, items: I) {
        match &mut self.repr {
            Repr::Many(map) => map.extend(items),
            Repr::Few(entries) => {
                let already = entries.len();
                entries.extend(items);
                if entries.len() == already || entries.windows(2).all(|w| w[0].0 < w[1].0) {
                    self.grow();
                    return;
                }
                sort_keeping_last(entries);
                self.grow();
            }
        }
    }
}

/// Sorts `entries` by name, stably, and of a name given more than once keeps the last value:
/// what inserting them one by one into a map would leave, in one sort.
pub fn sort_keeping_last<K: Ord, V>(entries: &mut Vec<(K, V)>) {
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    entries.dedup_by(|later, kept| {
        let same = later.0 == kept.0;
        if same {
            std::mem::swap(&mut later.1, &mut kept.1);
        }
        same
    });
}

impl<V, const N: usize> From<[(String, V); N]> for Named<V> {
    fn from(entries: [(String, V); N]) -> Self {
        entries.into_iter().collect()
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
        // Past `FEW` names, a tree: the same answers.
        let mut many: Named<usize> = (0..40).rev().map(|i| (format!("n{i:02}"), i)).collect();
        assert_eq!(many.keys().next().map(String::as_str), Some("n00"));
        assert_eq!((many.get("n17"), many.get("n40"), many.contains_key("n39")), (Some(&17), None, true));
        assert_eq!(many.remove("n05"), Some(5));
        assert_eq!(many.len(), 39);
    }

    /// Past `FEW` names the map is a tree; whichever form, the same entries in the same order,
    /// equal to each other, and a name given twice keeps its later value.
    #[test]
    fn many_names_keep_the_order_and_the_last_value() {
        // A scrambled order, as a `for` expression or a file's blocks give them.
        let scrambled: Vec<usize> = (0..1_000).map(|i| (i * 7_919) % 1_000).collect();
        let mut inserted: Named<usize> = Named::default();
        for &i in &scrambled {
            assert_eq!(inserted.insert(format!("k{i:04}"), i), None);
        }
        assert!(matches!(inserted.repr, Repr::Many(_)));
        let collected: Named<usize> = scrambled
            .iter()
            .map(|&i| (format!("k{i:04}"), 0))
            .chain(scrambled.iter().map(|&i| (format!("k{i:04}"), i)))
            .collect();
        assert_eq!(inserted, collected);
        let keys: Vec<&String> = inserted.keys().collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]) && keys.len() == 1_000);
        assert_eq!(inserted.iter().next_back().map(|(k, v)| (k.as_str(), *v)), Some(("k0999", 999)));
        assert_eq!(inserted.get("k0500"), Some(&500));
        *inserted.entry_or_default("k0500") += 1;
        assert_eq!(inserted.remove("k0500"), Some(501));
        assert_eq!(inserted.len(), 999);

        // Growing across the boundary by insert or by extend gives the same map as collecting.
        let few: Vec<(String, usize)> = (0..FEW).rev().map(|i| (format!("n{i:02}"), i)).collect();
        let mut grown: Named<usize> = few.iter().cloned().collect();
        assert!(matches!(grown.repr, Repr::Few(_)));
        grown.insert("n99".into(), 99);
        assert!(matches!(grown.repr, Repr::Many(_)));
        let mut extended: Named<usize> = few.iter().cloned().collect();
        extended.extend([("n99".to_string(), 99), ("n00".to_string(), 100)]);
        grown.insert("n00".into(), 100);
        assert_eq!(grown, extended);
        assert_eq!(grown.into_iter().len(), FEW + 1);
    }
}
