//! A fast hasher for the planner's own maps, keyed by addresses, ids and names from the user's
//! configuration and state: std's SipHash guards against keys chosen to collide, which these are
//! not, and at the quota ceiling it was 4% of a plan's time. This is the multiply-rotate hash
//! rustc uses for its own tables (FxHash), written out: eight bytes at a time.

use std::hash::{BuildHasherDefault, Hasher};

/// A `HashMap` with the fast hasher: `FastMap::default()` where `HashMap::new()` was.
pub type FastMap<K, V> = std::collections::HashMap<K, V, BuildHasherDefault<FastHasher>>;

/// A `HashSet` with the fast hasher.
pub type FastSet<K> = std::collections::HashSet<K, BuildHasherDefault<FastHasher>>;

#[derive(Default, Clone, Copy)]
pub struct FastHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FastHasher {
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.add(u64::from_le_bytes(chunk.try_into().expect("eight bytes")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        self.hash
    }
}

/// A key that ignores ASCII case, as ARM ids do, borrowed instead of lower-cased into a copy:
/// at the quota ceiling each lower-cased index of the ids was 9 MB.
#[derive(Debug, Clone, Copy)]
pub struct Caseless<'a>(pub &'a str);

impl PartialEq for Caseless<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(other.0)
    }
}

impl Eq for Caseless<'_> {}

impl std::hash::Hash for Caseless<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let mut chunks = self.0.as_bytes().chunks(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            for (w, b) in word.iter_mut().zip(chunk) {
                *w = b.to_ascii_lowercase();
            }
            state.write_u64(u64::from_le_bytes(word));
        }
        state.write_usize(self.0.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caseless_keys_find_each_other_whatever_their_case() {
        let id = "/subscriptions/S/resourceGroups/RG/providers/Microsoft.Compute/galleries/G";
        let mut map: FastMap<Caseless, usize> = FastMap::default();
        map.insert(Caseless(id), 1);
        let lower = id.to_ascii_lowercase();
        assert_eq!(map.get(&Caseless(&lower)), Some(&1));
        assert_eq!(map.get(&Caseless(&id.to_ascii_uppercase())), Some(&1));
        assert_eq!(map.get(&Caseless(&id[..id.len() - 1])), None);
        assert_eq!(map.get(&Caseless(&format!("{id}x"))), None);
        let hash =
            |s: &str| std::hash::BuildHasher::hash_one(&BuildHasherDefault::<FastHasher>::default(), Caseless(s));
        assert_eq!(hash("AbCdEfGhIj"), hash("abcdefghij"));
        assert_ne!(hash("abcdefgh"), hash("abcdefgh\0"));
    }

    #[test]
    fn equal_keys_hash_alike_and_near_keys_apart() {
        let hash = |s: &str| {
            let mut h = FastHasher::default();
            h.write(s.as_bytes());
            h.finish()
        };
        assert_eq!(hash("azurerm_shared_image.d[\"a\"]"), hash("azurerm_shared_image.d[\"a\"]"));
        let keys: std::collections::HashSet<u64> =
            (0..10_000).map(|i| hash(&format!("azurerm_shared_image_version.v[\"eastus-g{i}-1.0.0\"]"))).collect();
        assert_eq!(keys.len(), 10_000, "no collisions among near keys");
        let mut map: FastMap<String, usize> = FastMap::default();
        map.insert("a".into(), 1);
        assert_eq!(map.get("a"), Some(&1));
    }
}
