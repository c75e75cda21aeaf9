//! Locking that survives panics: a panic in provider code must not poison the simulator.

use std::sync::{Mutex, MutexGuard, PoisonError};

/// Locks `mutex`, taking the data even if a thread panicked while holding it. The simulator
/// never leaves its own state half-updated across a call into provider code, so the data is
/// consistent whenever the lock is free.
pub(crate) fn lock<T: ?Sized>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Writes bytes as hexadecimal digits, two per byte, without a formatting call per byte.
pub(crate) fn write_hex(out: &mut dyn std::fmt::Write, bytes: &[u8], upper: bool) -> std::fmt::Result {
    let digits: &[u8; 16] = if upper {
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    for chunk in bytes.chunks(32) {
        let mut buf = [0u8; 64];
        for (i, b) in chunk.iter().enumerate() {
            buf[2 * i] = digits[usize::from(b >> 4)];
            buf[2 * i + 1] = digits[usize::from(b & 0xF)];
        }
        // Only ASCII digits were written.
        out.write_str(std::str::from_utf8(&buf[..2 * chunk.len()]).unwrap_or(""))?;
    }
    Ok(())
}

/// A hasher for MAPI's own small keys (block numbers, addresses, slot keys, session numbers,
/// MAPIUIDs): one multiplication per word, then a finalizer that lets every bit of the input
/// reach the low bits the table indexes with (aligned addresses, and MAPIUIDs that differ only
/// in their last byte, spread over the table). The keys are the simulator's, not an attacker's:
/// no defence against chosen collisions is needed, and SipHash's cost is not.
#[derive(Default, Clone, Copy)]
pub(crate) struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        // MurmurHash3's 64-bit finalizer.
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
        h ^= h >> 33;
        h = h.wrapping_mul(0xC4CE_B9FE_1A85_EC53);
        h ^ (h >> 33)
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            let mut buf = [0; 8];
            buf.copy_from_slice(word);
            self.write_u64(u64::from_le_bytes(buf));
        }
        for byte in words.remainder() {
            self.write_u64(u64::from(*byte));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }

    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

/// Puts an emptied list back where it was taken from, for its room, unless something was added
/// there meanwhile.
pub(crate) fn give_back<T>(slot: &mut Vec<T>, emptied: Vec<T>) {
    if slot.is_empty() && slot.capacity() < emptied.capacity() {
        *slot = emptied;
    }
}

/// Values gathered under a lock to be used once it is released (records to drop, objects to
/// ask the ledger about, checks to run): up to two kept inline, as a session's end usually has,
/// more in a list.
pub(crate) enum Bunch<T> {
    Empty,
    One(T),
    Two(T, T),
    Many(Vec<T>),
}

impl<T> Bunch<T> {
    pub(crate) fn push(&mut self, value: T) {
        *self = match std::mem::replace(self, Bunch::Empty) {
            Bunch::Empty => Bunch::One(value),
            Bunch::One(a) => Bunch::Two(a, value),
            Bunch::Two(a, b) => Bunch::Many(vec![a, b, value]),
            Bunch::Many(mut many) => {
                many.push(value);
                Bunch::Many(many)
            }
        };
    }

    /// Whether any of the values satisfies `f`.
    pub(crate) fn any(&self, mut f: impl FnMut(&T) -> bool) -> bool {
        match self {
            Bunch::Empty => false,
            Bunch::One(a) => f(a),
            Bunch::Two(a, b) => f(a) || f(b),
            Bunch::Many(many) => many.iter().any(f),
        }
    }
}

impl<T> FromIterator<T> for Bunch<T> {
    fn from_iter<I: IntoIterator<Item = T>>(values: I) -> Bunch<T> {
        let mut bunch = Bunch::Empty;
        for value in values {
            bunch.push(value);
        }
        bunch
    }
}

impl<T> IntoIterator for Bunch<T> {
    type Item = T;
    type IntoIter =
        std::iter::Chain<std::iter::Flatten<std::array::IntoIter<Option<T>, 2>>, std::vec::IntoIter<T>>;

    /// The values, in the order they were pushed.
    fn into_iter(self) -> Self::IntoIter {
        let (inline, many) = match self {
            Bunch::Empty => ([None, None], Vec::new()),
            Bunch::One(a) => ([Some(a), None], Vec::new()),
            Bunch::Two(a, b) => ([Some(a), Some(b)], Vec::new()),
            Bunch::Many(many) => ([None, None], many),
        };
        inline.into_iter().flatten().chain(many)
    }
}
/// A hash map keyed by MAPI's own small keys ([`KeyHasher`]).
pub(crate) type KeyMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<KeyHasher>>;

#[cfg(test)]
mod tests {
    use super::Bunch;

    #[test]
    fn a_bunch_keeps_its_order_inline_and_beyond() {
        for n in 0..6 {
            let bunch: Bunch<usize> = (0..n).collect();
            assert_eq!(matches!(bunch, Bunch::Many(_)), n > 2);
            assert_eq!(bunch.any(|v| *v == 1), n > 1);
            assert_eq!(bunch.into_iter().collect::<Vec<_>>(), (0..n).collect::<Vec<_>>());
        }
    }

    use std::collections::HashSet;
    use std::hash::BuildHasher;

    use super::KeyHasher;

    /// How many of `n` keys land in distinct slots of a table of `n` slots.
    fn spread<K: std::hash::Hash>(keys: impl Iterator<Item = K>, n: u64) -> usize {
        let build = std::hash::BuildHasherDefault::<KeyHasher>::default();
        keys.map(|k| build.hash_one(k) % n).collect::<HashSet<_>>().len()
    }

    #[test]
    fn keys_that_differ_in_few_bits_spread_over_the_table() {
        // MAPIUIDs as the profile makes them (their 16 bytes, which is what a `MapiUid` hashes):
        // a fixed prefix and a big-endian counter.
        let uids = (1..=1024u64).map(|i| {
            let mut bytes = *b"mapisim\0\0\0\0\0\0\0\0\0";
            bytes[8..].copy_from_slice(&i.to_be_bytes());
            bytes
        });
        // A random hash fills about 63% of the slots; a hash that ignores the counter, one.
        assert!(spread(uids, 1024) > 550);
        // Aligned addresses and small numbers.
        assert!(spread((1..=1024usize).map(|i| i * 64), 1024) > 550);
        assert!(spread(1..=1024u32, 1024) > 550);
    }
}
