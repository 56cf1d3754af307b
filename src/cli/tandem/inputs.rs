//! Turning `-f`/`-k` arguments into loaded configurations of both dialects.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::config::haproxy::parser::{self, LoadOptions, Outcome};

use std::net::IpAddr;

use crate::config::diag::{Diag, Level, Loc};
use crate::config::keepalived;

use super::Inputs;
use super::check::Vip;

#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("cannot read directory {path}: {source}")]
    ReadDir {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// `-f DIR` reads the directory's `*.cfg` files in lexical (byte) order,
/// as `haproxy -f DIR` does; anything else is passed on as a file, so that a
/// missing file gets the parser's own message.
pub fn expand_haproxy(paths: &[PathBuf]) -> Result<Vec<PathBuf>, InputError> {
    let mut out = Vec::new();
    for p in paths {
        if !p.is_dir() {
            out.push(p.clone());
            continue;
        }
        let rd = fs::read_dir(p).map_err(|source| InputError::ReadDir {
            path: p.clone(),
            source,
        })?;
        let mut names: Vec<PathBuf> = rd
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|f| f.is_file() && has_cfg_ext(f))
            .collect();
        names.sort_by(|a, b| {
            a.as_os_str()
                .as_encoded_bytes()
                .cmp(b.as_os_str().as_encoded_bytes())
        });
        out.extend(names);
    }
    Ok(out)
}

fn has_cfg_ext(p: &Path) -> bool {
    p.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.len() > 4 && n.ends_with(".cfg"))
}

/// The haproxy side of a check or dump: `None` when no `-f` was given.
pub fn load_haproxy(inputs: &Inputs, legacy: bool) -> Result<Option<Outcome>, InputError> {
    if inputs.haproxy.is_empty() {
        return Ok(None);
    }
    let files = expand_haproxy(&inputs.haproxy)?;
    Ok(Some(parser::load(&files, &LoadOptions { legacy })))
}

/// The keepalived side of a check.
#[derive(Debug)]
pub enum KeepalivedSide {
    NotGiven,
    /// The front end cannot be used; the reason is printed.
    Unavailable(String),
    Loaded {
        diags: Vec<Diag>,
        /// `keepalived -t` would exit non-zero for one of the files.
        failed: bool,
        vips: Vec<Vip>,
        /// One per `-k` file, in order.
        configs: Vec<crate::ir::keepalived::Config>,
    },
}

/// `keepalived -t -f FILE` for each `-k FILE`, its messages turned into
/// diagnostics (deduplicated: keepalived reads its file once per process
/// and repeats what every pass finds).
pub fn load_keepalived(inputs: &Inputs) -> KeepalivedSide {
    if inputs.keepalived.is_empty() {
        return KeepalivedSide::NotGiven;
    }
    let mut diags = Vec::new();
    let mut failed = false;
    let mut vips = Vec::new();
    let mut configs = Vec::new();
    for f in &inputs.keepalived {
        let path = f.to_string_lossy();
        let out = keepalived::check_file(&path, &keepalived::Options::default());
        let level = if out.exit_code == keepalived::EXIT_OK {
            Level::Warning
        } else {
            failed = true;
            Level::Alert
        };
        diags.extend(keepalived_diags(&out.lines, level));
        if out.config.has_lvs() {
            diags.push(Diag::new(
                Level::Warning,
                None,
                format!(
                    "{path}: virtual_server (LVS/IPVS) blocks are parsed and checked, but tandem has \
                     no LVS engine: running this config will not set them up"
                ),
            ));
        }
        vips.extend(config_vips(&out.config));
        configs.push(out.config);
    }
    KeepalivedSide::Loaded {
        diags,
        failed,
        vips,
        configs,
    }
}

/// Where a keepalived message points: `(FILE: Line N) text` or, from the
/// first pass that does not name files, `(Line N) text`.
fn split_keepalived_line(l: &str) -> (Option<&str>, Option<u32>, &str) {
    let Some(rest) = l.strip_prefix('(') else {
        return (None, None, l);
    };
    let Some((head, text)) = rest.split_once(") ") else {
        return (None, None, l);
    };
    let (file, num) = match head.rsplit_once(": Line ") {
        Some((f, n)) => (Some(f), n),
        None => match head.strip_prefix("Line ") {
            Some(n) => (None, n),
            None => return (None, None, l),
        },
    };
    match num.parse::<u32>() {
        Ok(n) => (file, Some(n), text),
        Err(_) => (None, None, l),
    }
}

fn keepalived_diags(lines: &[String], level: Level) -> Vec<Diag> {
    let parsed: Vec<(Option<&str>, Option<u32>, &str)> =
        lines.iter().map(|l| split_keepalived_line(l)).collect();
    let mut out: Vec<Diag> = Vec::new();
    for &(file, line, text) in &parsed {
        // A first-pass copy whose twin with a file name comes later.
        if file.is_none()
            && line.is_some()
            && parsed
                .iter()
                .any(|&(f, l, t)| f.is_some() && l == line && t == text)
        {
            continue;
        }
        let d = match (file, line) {
            (Some(f), Some(n)) => Diag::new(level, Some(Loc::new(f, n)), text),
            (None, Some(n)) => Diag::new(level, None, format!("line {n}: {text}")),
            _ => Diag::new(level, None, text),
        };
        if !out.contains(&d) {
            out.push(d);
        }
    }
    out
}

/// The addresses VRRP moves between nodes.
fn config_vips(c: &crate::ir::keepalived::Config) -> Vec<Vip> {
    let mut v = Vec::new();
    for i in &c.vrrp_instances {
        for a in i
            .virtual_ipaddress
            .iter()
            .chain(&i.virtual_ipaddress_excluded)
        {
            if let Ok(addr) = a.addr.parse::<IpAddr>() {
                v.push(Vip {
                    addr,
                    owner: format!("vrrp_instance {}", i.name),
                    file: a.src.file.clone(),
                    line: a.src.line,
                });
            }
        }
    }
    v
}

/// The keepalived IR for `config dump` (one `-k` file: keepalived itself
/// reads one main file and pulls the rest in with `include`), and the
/// errors `keepalived -t` would report (the IR is there even then).
pub fn load_keepalived_ir(inputs: &Inputs) -> (Option<crate::ir::keepalived::Config>, Vec<Diag>) {
    if inputs.keepalived.len() > 1 {
        let d = Diag::new(
            Level::Alert,
            None,
            "config dump takes one -k file (keepalived reads one main file; use include)",
        );
        return (None, vec![d]);
    }
    match load_keepalived(inputs) {
        KeepalivedSide::NotGiven => (None, Vec::new()),
        KeepalivedSide::Unavailable(why) => (None, vec![Diag::new(Level::Alert, None, why)]),
        KeepalivedSide::Loaded {
            diags, mut configs, ..
        } => {
            let errors = diags
                .into_iter()
                .filter(|d| d.level == Level::Alert)
                .collect();
            (configs.pop(), errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directory_expands_to_sorted_cfg_files() {
        let dir = std::env::temp_dir().join(format!("tandem-inputs-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("sub.cfg")).unwrap();
        for n in ["b.cfg", "a.cfg", "10.cfg", "notes.txt", ".cfg"] {
            fs::write(dir.join(n), "").unwrap();
        }
        let got = expand_haproxy(&[dir.clone(), PathBuf::from("x.cfg")]).unwrap();
        let names: Vec<String> = got
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["10.cfg", "a.cfg", "b.cfg", "x.cfg"]);
        fs::remove_dir_all(&dir).unwrap();
    }

    /// keepalived 2.2.7's output for a file with an unknown top-level
    /// keyword (exit 5): the first pass without the file name, then once
    /// per later pass with it.
    #[test]
    fn keepalived_messages_are_deduplicated() {
        let lines: Vec<String> = [
            "(Line 1) Unknown keyword 'foo'",
            "(Line 4) Unknown keyword 'bogus_kw'",
            "(a1.conf: Line 1) Unknown keyword 'foo'",
            "(a1.conf: Line 1) Unknown keyword 'foo'",
            "(a1.conf: Line 11) Unknown keyword 'blah'",
            "(a1.conf: Line 1) Unknown keyword 'foo'",
            "SECURITY VIOLATION - scripts are being executed but script_security not enabled.",
        ]
        .map(String::from)
        .to_vec();
        let d = keepalived_diags(&lines, Level::Alert);
        let texts: Vec<String> = d
            .iter()
            .map(|d| super::super::check::render("keepalived", d))
            .collect();
        assert_eq!(
            texts,
            [
                "keepalived: error: line 4: Unknown keyword 'bogus_kw'\n",
                "a1.conf:1: error: Unknown keyword 'foo'\n",
                "a1.conf:11: error: Unknown keyword 'blah'\n",
                "keepalived: error: SECURITY VIOLATION - scripts are being executed but \
                 script_security not enabled.\n",
            ]
        );
    }

    #[test]
    fn keepalived_line_forms() {
        assert_eq!(
            split_keepalived_line("(k.conf: Line 16) WARNING - x"),
            (Some("k.conf"), Some(16), "WARNING - x")
        );
        assert_eq!(split_keepalived_line("(Line 2) y"), (None, Some(2), "y"));
        assert_eq!(
            split_keepalived_line("(VI_1) Ignoring track_interface eth0 since own interface"),
            (
                None,
                None,
                "(VI_1) Ignoring track_interface eth0 since own interface"
            )
        );
    }
}
