//! An append-only table with stable indexes and lock-free reads: the servers of a backend
//! and their counters, which `add server` grows at run time.
//!
//! Design (issue 6, dynamic servers): a backend's server list, its per-server counters
//! and its idle pools are indexed by the server's position. `add server` appends; `del
//! server` only marks a server deleted (the runtime API's `deleted` set), so an index is
//! never reused: an in-flight connection, a queued request or a counter that holds an
//! index keeps meaning the same server for its whole life. The elements never move
//! (chunks of doubling size, each allocated once), so a reader gets a plain `&T` with
//! two atomic loads and no lock on the request path; writers (`push`) are serialized by a
//! mutex, and a new element becomes visible to readers only once it is fully built
//! (`len` is published after the element). The balancer itself stays behind the
//! backend's existing state mutex, which every request already takes to pick a server:
//! adding a server there costs the hot path nothing more.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

/// The first chunk's size; chunk `k` holds `BASE << k` elements.
const BASE: usize = 8;
/// Enough chunks for `BASE * (2^CHUNKS - 1)` elements (2 billion).
const CHUNKS: usize = 28;

/// An append-only vector whose elements never move (see the module documentation).
pub struct AppendVec<T> {
    chunks: [OnceLock<Box<[OnceLock<T>]>>; CHUNKS],
    len: AtomicUsize,
    push: Mutex<()>,
}

/// Chunk and offset of index `i`.
fn locate(i: usize) -> (usize, usize) {
    let n = i / BASE + 1;
    let k = (usize::BITS - 1 - n.leading_zeros()) as usize;
    (k, i - BASE * ((1 << k) - 1))
}

impl<T> Default for AppendVec<T> {
    fn default() -> Self {
        AppendVec {
            chunks: [const { OnceLock::new() }; CHUNKS],
            len: AtomicUsize::new(0),
            push: Mutex::new(()),
        }
    }
}

impl<T> AppendVec<T> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Elements visible to readers.
    pub fn len(&self) -> usize {
        self.len.load(Ordering::Acquire)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn get(&self, i: usize) -> Option<&T> {
        if i >= self.len() {
            return None;
        }
        let (k, off) = locate(i);
        self.chunks.get(k)?.get()?.get(off)?.get()
    }

    pub fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        if i >= self.len() {
            return None;
        }
        let (k, off) = locate(i);
        self.chunks.get_mut(k)?.get_mut()?.get_mut(off)?.get_mut()
    }

    /// Appends `v` and returns its index. `None` when the table is full (never in
    /// practice: two billion servers).
    pub fn push(&self, v: T) -> Option<usize> {
        let _g = self.push.lock().unwrap_or_else(|e| e.into_inner());
        let i = self.len.load(Ordering::Acquire);
        let (k, off) = locate(i);
        let chunk = self
            .chunks
            .get(k)?
            .get_or_init(|| (0..BASE << k).map(|_| OnceLock::new()).collect());
        chunk.get(off)?.set(v).ok()?;
        self.len.store(i + 1, Ordering::Release);
        Some(i)
    }

    /// The elements visible when the iteration starts (no allocation: this runs on the
    /// request path, e.g. `use-server` looks a name up).
    pub fn iter(&self) -> Iter<'_, T> {
        Iter {
            v: self,
            front: 0,
            back: self.len(),
        }
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut T> + '_ {
        let n = self.len();
        self.chunks
            .iter_mut()
            .filter_map(|c| c.get_mut())
            .flat_map(|c| c.iter_mut())
            .filter_map(|c| c.get_mut())
            .take(n)
    }
}

impl<T> std::ops::Index<usize> for AppendVec<T> {
    type Output = T;

    /// Panics on an index out of range, as a `Vec` (tests and indexes checked before).
    fn index(&self, i: usize) -> &T {
        match self.get(i) {
            Some(v) => v,
            None => panic!("index {i} out of range for a table of {}", self.len()),
        }
    }
}

impl<T> FromIterator<T> for AppendVec<T> {
    fn from_iter<I: IntoIterator<Item = T>>(it: I) -> Self {
        let v = AppendVec::new();
        for x in it {
            let _ = v.push(x);
        }
        v
    }
}

impl<T> From<Vec<T>> for AppendVec<T> {
    fn from(v: Vec<T>) -> Self {
        v.into_iter().collect()
    }
}

/// Iterator over an [`AppendVec`]'s elements.
pub struct Iter<'a, T> {
    v: &'a AppendVec<T>,
    front: usize,
    back: usize,
}

impl<'a, T> Iterator for Iter<'a, T> {
    type Item = &'a T;

    fn next(&mut self) -> Option<&'a T> {
        if self.front >= self.back {
            return None;
        }
        self.front += 1;
        self.v.get(self.front - 1)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.back - self.front;
        (n, Some(n))
    }
}

impl<T> DoubleEndedIterator for Iter<'_, T> {
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.front >= self.back {
            return None;
        }
        self.back -= 1;
        self.v.get(self.back)
    }
}

impl<T> ExactSizeIterator for Iter<'_, T> {}

impl<'a, T> IntoIterator for &'a AppendVec<T> {
    type Item = &'a T;
    type IntoIter = Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for AppendVec<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_every_index_once() {
        let mut seen = std::collections::HashSet::new();
        for i in 0..10_000 {
            let (k, off) = locate(i);
            assert!(off < BASE << k, "{i} -> {k},{off}");
            assert!(seen.insert((k, off)));
        }
        assert_eq!(locate(0), (0, 0));
        assert_eq!(locate(7), (0, 7));
        assert_eq!(locate(8), (1, 0));
        assert_eq!(locate(24), (2, 0));
    }

    #[test]
    fn push_get_and_stable_addresses() {
        let v: AppendVec<String> = AppendVec::new();
        assert!(v.is_empty());
        assert_eq!(v.push("a".into()), Some(0));
        let first: *const String = &v[0];
        for i in 1..100 {
            assert_eq!(v.push(i.to_string()), Some(i));
        }
        // the first element did not move while the table grew
        assert!(std::ptr::eq(first, &v[0]));
        assert_eq!(v.len(), 100);
        assert_eq!(v.get(99).map(String::as_str), Some("99"));
        assert_eq!(v.get(100), None);
        assert_eq!(v.iter().count(), 100);
        assert_eq!((&v).into_iter().nth(50).map(String::as_str), Some("50"));
        let mut v = v;
        for s in v.iter_mut() {
            s.push('!');
        }
        assert_eq!(v[42], "42!");
        assert_eq!(v.iter_mut().count(), 100);
    }

    #[test]
    fn concurrent_readers_see_complete_elements() {
        let v = std::sync::Arc::new(AppendVec::<Vec<u32>>::new());
        let w = v.clone();
        let writer = std::thread::spawn(move || {
            for i in 0..2000u32 {
                let _ = w.push(vec![i; 4]);
            }
        });
        let mut last = 0;
        while last < 2000 {
            let n = v.len();
            for i in last..n {
                assert_eq!(v[i], vec![i as u32; 4]);
            }
            last = n;
        }
        writer.join().expect("writer");
    }
}
