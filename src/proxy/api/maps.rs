//! `show|add|del|set|clear map|acl`: the pattern references of the ACL `-f` files and of
//! the map files ([`crate::proxy::acl::patref`]). A change is seen by the next lookup of
//! every ACL and converter that uses the file. Texts measured on HAProxy 2.6.12.

use std::fmt::Write as _;
use std::sync::Mutex;

use crate::proxy::acl::patref::{self, PatRef, Use};

/// The configuration files (and their lines) the descriptions of `show map|acl` point
/// into, recorded when the stats sockets start.
static CONFIG: Mutex<Vec<(String, Vec<String>)>> = Mutex::new(Vec::new());

/// Records the configuration files (as named on the command line).
pub fn set_config_files(files: &[String]) {
    let v = files
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(f).unwrap_or_default();
            (f.clone(), text.lines().map(str::to_string).collect())
        })
        .collect();
    *CONFIG.lock().unwrap_or_else(|e| e.into_inner()) = v;
}

/// HAProxy's description of a file-backed reference: where the file is first used.
fn description(r: &PatRef) -> String {
    let what = match r.first_use {
        Use::Map => "map",
        Use::Acl => "acl",
    };
    let cfg = CONFIG.lock().unwrap_or_else(|e| e.into_inner());
    for (file, lines) in cfg.iter() {
        for (i, l) in lines.iter().enumerate() {
            let l = l.trim_start();
            if !l.starts_with('#') && l.contains(r.file.as_str()) {
                return format!(
                    "pattern loaded from file '{}' used by {what} at file '{file}' line {}",
                    r.file,
                    i + 1
                );
            }
        }
    }
    format!("pattern loaded from file '{}' used by {what}", r.file)
}

fn kind_words(u: Use) -> (&'static str, &'static str) {
    match u {
        Use::Map => (
            "map",
            "Unknown map identifier. Please use #<id> or <file>.\n",
        ),
        Use::Acl => (
            "ACL",
            "Unknown ACL identifier. Please use #<id> or <file>.\n",
        ),
    }
}

/// The references list (`show map` / `show acl` without argument).
fn list(u: Use) -> String {
    let mut o = String::from("# id (file) description\n");
    let refs = patref::all();
    for r in refs.iter().filter(|r| r.used_by(u)) {
        let _ = writeln!(
            o,
            "{} ({}) {}. curr_ver=0 next_ver=0 entry_cnt={}",
            r.id,
            r.file,
            description(r),
            r.len()
        );
    }
    if u == Use::Acl {
        // HAProxy 2.6's internal HTTP client declares two ACLs in every process
        let next = refs.iter().map(|r| r.id + 1).max().unwrap_or(0);
        for id in [next, next + 1] {
            let _ = writeln!(
                o,
                "{id} () acl 'var' file 'httpclient' line 0. curr_ver=0 next_ver=0 entry_cnt=1"
            );
        }
    }
    o
}

/// Answers a map/ACL command, `None` when `w` is not one.
pub fn command(w: &[&str]) -> Option<String> {
    let (verb, u, rest) = match w {
        [verb, "map", rest @ ..] => (*verb, Use::Map, rest),
        [verb, "acl", rest @ ..] => (*verb, Use::Acl, rest),
        _ => return None,
    };
    let (name, unknown) = kind_words(u);
    // `@<ver>` (HAProxy 2.6 versioned updates): tandem applies every change at once
    let rest: Vec<&str> = match rest.first() {
        Some(v) if v.starts_with('@') && verb != "del" && verb != "set" => rest[1..].to_vec(),
        _ => rest.to_vec(),
    };
    let arg2 = |i: usize| rest.get(i).copied().filter(|a| !a.is_empty());
    let find = |a: &str| patref::lookup(a, u);
    Some(match verb {
        "show" => match arg2(0) {
            None => list(u),
            Some(a) => match find(a) {
                None => unknown.into(),
                Some(r) => {
                    let mut o = String::new();
                    for e in r.entries() {
                        if u == Use::Map {
                            let _ = writeln!(o, "{:#x} {} {}", e.ptr, e.key, e.value);
                        } else {
                            let _ = writeln!(o, "{:#x} {}", e.ptr, e.key);
                        }
                    }
                    o
                }
            },
        },
        "add" => {
            let usage = match u {
                Use::Map => {
                    "'add map' expects three parameters (map identifier, key and value) or one parameter (map identifier) and a payload\n"
                }
                Use::Acl => "'add acl' expects two parameters: ACL identifier and pattern.\n",
            };
            let Some(a) = arg2(0) else {
                return Some(usage.into());
            };
            let Some(r) = find(a) else {
                return Some(unknown.into());
            };
            match (u, arg2(1), arg2(2)) {
                (Use::Map, Some(k), Some(v)) => {
                    r.add(k, v);
                    String::new()
                }
                (Use::Acl, Some(k), _) => {
                    r.add(k, "");
                    String::new()
                }
                _ => usage.into(),
            }
        }
        "del" => match (arg2(0), arg2(1)) {
            (Some(a), Some(k)) => match find(a) {
                None => unknown.into(),
                Some(r) => {
                    if r.delete(k) {
                        String::new()
                    } else {
                        "Key not found.\n".into()
                    }
                }
            },
            _ => format!("This command expects two parameters: {name} identifier and key.\n"),
        },
        "set" if u == Use::Map => match (arg2(0), arg2(1), arg2(2)) {
            (Some(a), Some(k), Some(v)) => match find(a) {
                None => unknown.into(),
                Some(r) => {
                    if r.set(k, v) {
                        String::new()
                    } else {
                        "entry not found.\n".into()
                    }
                }
            },
            _ => "'set map' expects three parameters: map identifier, key and value.\n".into(),
        },
        "clear" => match arg2(0) {
            None => format!("Missing {name} identifier.\n"),
            Some(a) => match find(a) {
                None => unknown.into(),
                Some(r) => {
                    r.clear();
                    String::new()
                }
            },
        },
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_commands_as_haproxy() {
        let f = "/api-maps-test/hosts.map";
        let r = patref::get_or_load(f, vec!["a.example be1".into()], Use::Map, true);
        let run = |s: &str| {
            let w: Vec<&str> = s.split(' ').collect();
            command(&w).expect("a map command")
        };
        // HAProxy 2.6.12's answers
        assert_eq!(run(&format!("add map {f} c.example be2")), "");
        assert_eq!(run(&format!("set map {f} zz be1")), "entry not found.\n");
        assert_eq!(run(&format!("del map {f} zz")), "Key not found.\n");
        assert_eq!(
            run("add map /nope a b"),
            "Unknown map identifier. Please use #<id> or <file>.\n"
        );
        assert_eq!(
            run(&format!("add map {f} x")),
            "'add map' expects three parameters (map identifier, key and value) or one parameter (map identifier) and a payload\n"
        );
        assert_eq!(
            run(&format!("set map {f} a")),
            "'set map' expects three parameters: map identifier, key and value.\n"
        );
        assert_eq!(
            run(&format!("del map #{}", r.id)),
            "This command expects two parameters: map identifier and key.\n"
        );
        assert_eq!(run("clear acl"), "Missing ACL identifier.\n");
        assert_eq!(
            run(&format!("show acl {f}")),
            "Unknown ACL identifier. Please use #<id> or <file>.\n"
        );
        let shown = run(&format!("show map #{}", r.id));
        let keys: Vec<&str> = shown
            .lines()
            .map(|l| l.split_once(' ').map_or("", |x| x.1))
            .collect();
        assert_eq!(keys, ["a.example be1", "c.example be2"]);
        assert!(run("show map").contains(&format!(
            "{} ({f}) pattern loaded from file '{f}' used by map",
            r.id
        )));
        assert_eq!(run(&format!("clear map {f}")), "");
        assert!(r.is_empty());
    }
}
