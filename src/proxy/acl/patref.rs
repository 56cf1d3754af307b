//! Pattern references: the contents of the `-f` files of ACLs and of map files, shared by
//! every ACL and `map*` converter that names the same file (HAProxy's `struct pat_ref`),
//! and changed at run time by the CLI (`add|del|set|clear map|acl`).
//!
//! The matchers compiled from a file keep their patterns as compiled at start; when any
//! reference changes, [`generation`] moves and they rebuild from the reference's entries
//! at their next use, so a lookup after `add map` sees the new entry.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

/// One line of a pattern file: key and, for maps, the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatEntry {
    /// The pointer-like number `show map` prints and `#<ref>` designates.
    pub ptr: u64,
    pub key: String,
    pub value: String,
}

/// Who first loaded a file (HAProxy's description says "used by map|acl").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    Acl,
    Map,
}

/// One pattern file, as loaded and as changed since.
#[derive(Debug)]
pub struct PatRef {
    pub id: u32,
    /// The file name as written in the configuration.
    pub file: String,
    pub first_use: Use,
    used_by_acl: std::sync::atomic::AtomicBool,
    used_by_map: std::sync::atomic::AtomicBool,
    entries: Mutex<Vec<PatEntry>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

struct Registry {
    next_id: u32,
    refs: Vec<Weak<PatRef>>,
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    next_id: 0,
    refs: Vec::new(),
});
static GENERATION: AtomicU64 = AtomicU64::new(0);
static NEXT_PTR: AtomicU64 = AtomicU64::new(0);

/// Moves whenever a reference changes at run time (0: never changed).
pub fn generation() -> u64 {
    GENERATION.load(Ordering::Acquire)
}

fn bump() {
    GENERATION.fetch_add(1, Ordering::AcqRel);
}

fn new_ptr() -> u64 {
    0x55e0_c9b1_4000 + NEXT_PTR.fetch_add(1, Ordering::Relaxed) * 0x90
}

/// Splits a map line: the key up to the first blank, the value after the blanks.
pub fn split_map_line(l: &str) -> (&str, &str) {
    match l.find([' ', '\t']) {
        Some(i) => (&l[..i], l[i..].trim_start_matches([' ', '\t'])),
        None => (l, ""),
    }
}

/// The live reference of `file`, or a new one with `lines` (what the file holds now).
/// `split`: the lines are `key value` (maps, ACLs with `-M`); else the whole line is the
/// pattern.
pub fn get_or_load(file: &str, lines: Vec<String>, use_as: Use, split: bool) -> Arc<PatRef> {
    let mut reg = lock(&REGISTRY);
    reg.refs.retain(|w| w.strong_count() > 0);
    let found = reg
        .refs
        .iter()
        .filter_map(Weak::upgrade)
        .find(|r| r.file == file);
    let r = match found {
        Some(r) => r,
        None => {
            let entries = lines
                .iter()
                .map(|l| {
                    let (k, v) = if split {
                        split_map_line(l)
                    } else {
                        (l.as_str(), "")
                    };
                    PatEntry {
                        ptr: new_ptr(),
                        key: k.to_string(),
                        value: v.to_string(),
                    }
                })
                .collect();
            let r = Arc::new(PatRef {
                id: reg.next_id,
                file: file.to_string(),
                first_use: use_as,
                used_by_acl: Default::default(),
                used_by_map: Default::default(),
                entries: Mutex::new(entries),
            });
            reg.next_id += 1;
            reg.refs.push(Arc::downgrade(&r));
            r
        }
    };
    match use_as {
        Use::Acl => r.used_by_acl.store(true, Ordering::Relaxed),
        Use::Map => r.used_by_map.store(true, Ordering::Relaxed),
    }
    r
}

/// Every live reference, by id.
pub fn all() -> Vec<Arc<PatRef>> {
    let reg = lock(&REGISTRY);
    let mut v: Vec<Arc<PatRef>> = reg.refs.iter().filter_map(Weak::upgrade).collect();
    v.sort_by_key(|r| r.id);
    v
}

/// The reference a CLI argument designates: `#<id>` or the file name.
pub fn lookup(arg: &str, use_as: Use) -> Option<Arc<PatRef>> {
    let id = arg.strip_prefix('#').map(|n| n.parse::<u32>().ok());
    all().into_iter().find(|r| {
        r.used_by(use_as)
            && match id {
                Some(Some(n)) => r.id == n,
                Some(None) => false,
                None => r.file == arg,
            }
    })
}

impl PatRef {
    pub fn used_by(&self, u: Use) -> bool {
        match u {
            Use::Acl => self.used_by_acl.load(Ordering::Relaxed),
            Use::Map => self.used_by_map.load(Ordering::Relaxed),
        }
    }

    pub fn entries(&self) -> Vec<PatEntry> {
        lock(&self.entries).clone()
    }

    /// The patterns as lines (`key` for ACLs, `key value` for maps).
    pub fn lines(&self, with_values: bool) -> Vec<String> {
        lock(&self.entries)
            .iter()
            .map(|e| {
                if with_values {
                    format!("{} {}", e.key, e.value)
                } else {
                    e.key.clone()
                }
            })
            .collect()
    }

    pub fn len(&self) -> usize {
        lock(&self.entries).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn add(&self, key: &str, value: &str) {
        lock(&self.entries).push(PatEntry {
            ptr: new_ptr(),
            key: key.to_string(),
            value: value.to_string(),
        });
        bump();
    }

    /// Removes the entries with this key (or the entry `#<ptr>`); false when none.
    pub fn delete(&self, key: &str) -> bool {
        let mut e = lock(&self.entries);
        let before = e.len();
        match key.strip_prefix('#') {
            Some(p) => {
                let ptr = crate::proxy::api::sess::strtoul(p);
                e.retain(|x| x.ptr != ptr);
            }
            None => e.retain(|x| x.key != key),
        }
        let changed = e.len() != before;
        drop(e);
        if changed {
            bump();
        }
        changed
    }

    /// Sets the value of the entries with this key (or the entry `#<ptr>`).
    pub fn set(&self, key: &str, value: &str) -> bool {
        let mut e = lock(&self.entries);
        let ptr = key.strip_prefix('#').map(crate::proxy::api::sess::strtoul);
        let mut found = false;
        for x in e.iter_mut() {
            if ptr.map_or(x.key == key, |p| x.ptr == p) {
                x.value = value.to_string();
                found = true;
            }
        }
        drop(e);
        if found {
            bump();
        }
        found
    }

    pub fn clear(&self) {
        lock(&self.entries).clear();
        bump();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_by_file_and_changed() {
        let f = "/patref-test/unique-a.map";
        let a = get_or_load(f, vec!["k1 v1".into(), "k2  v 2".into()], Use::Map, true);
        let b = get_or_load(f, vec![], Use::Acl, false);
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(a.lines(true), ["k1 v1", "k2 v 2"]);
        let g = generation();
        a.add("k3", "v3");
        assert!(generation() > g);
        assert!(a.set("k1", "x"));
        assert!(!a.set("zz", "x"));
        assert!(a.delete("k2"));
        assert!(!a.delete("k2"));
        assert_eq!(a.lines(true), ["k1 x", "k3 v3"]);
        let id = format!("#{}", a.id);
        assert!(lookup(&id, Use::Map).is_some());
        assert!(lookup(f, Use::Acl).is_some());
        a.clear();
        assert!(a.is_empty());
    }
}
