//! What the VRRP engine reads but does not act on, said once at start.
//!
//! grammar/keepalived.tbl gives every keyword a status. `parsed` (the IR has it, the engine
//! does not act on it) and `noop` (accepted, no effect) are the ones where a run under
//! tandem can differ from keepalived, so each such keyword used in the configuration gets
//! one warning line at start, with its place and the table's note. The configuration is
//! read again with keepalived's reader (includes, `@` conditionals, `$` parameters and `~`
//! sequences expanded as keepalived expands them) and its blocks followed by their braces.
//! Inside `virtual_server`, `virtual_server_group` and `bfd_instance` only the block itself
//! is named: tandem runs no IPVS and no BFD at all.

use crate::config::keepalived::lexer::{self, Item};
use crate::grammar::{Status, grammar};

/// The blocks whose whole content tandem does not run (one warning for the block).
const WHOLE_BLOCKS: [&str; 3] = ["virtual_server", "virtual_server_group", "bfd_instance"];

/// The block a `{` after `word` opens, as the keyword table names its section.
fn section_of(word: &str) -> &str {
    match word {
        "vrrp_track_file" => "track_file",
        w => w,
    }
}

/// One `WARNING - ...` line per keyword with status `parsed` or `noop` in the configuration
/// at `path`, in file order.
pub fn unacted(path: &str, config_id: &str) -> Vec<String> {
    let lexed = lexer::read(path, config_id);
    let g = grammar();
    let sections: Vec<&str> = g
        .table("keepalived")
        .flat_map(|k| k.sections.iter().copied())
        .filter(|s| *s != "*")
        .collect();
    let mut stack: Vec<String> = Vec::new();
    let mut last = String::new();
    let mut out = Vec::new();
    for item in &lexed.items {
        let Item::Line { pos, text } = item else {
            continue;
        };
        let (words, _) = lexer::split_words(text);
        let Some(kw) = words.first() else {
            continue;
        };
        let opens = words.iter().map(|w| w.matches('{').count()).sum::<usize>();
        let closes = words.iter().map(|w| w.matches('}').count()).sum::<usize>();
        let kw = kw.trim_end_matches(['{', '}']);
        let section = stack.last().map(String::as_str).unwrap_or("top");
        let inside_whole = stack.iter().any(|s| WHOLE_BLOCKS.contains(&s.as_str()));
        if !kw.is_empty() && !inside_whole && sections.contains(&section) {
            let hit = g
                .table("keepalived")
                .find(|k| k.keyword == kw && k.valid_in(section) && !k.sections.contains(&"*"));
            if let Some(k) = hit
                && matches!(k.status, Status::Parsed | Status::Noop)
            {
                let file = lexed
                    .files
                    .get(pos.file)
                    .map(|f| f.name.as_str())
                    .unwrap_or(path);
                let what = if k.status == Status::Noop {
                    "accepts but does nothing for"
                } else {
                    "reads but does not act on"
                };
                out.push(format!(
                    "WARNING - {file}:{}: tandem {what} `{kw}` ({section}): {}",
                    pos.line,
                    k.note.trim()
                ));
            }
        }
        // A `{` alone on its line (keepalived's reader also splits braces off) opens the
        // block of the keyword before it.
        let opener = if kw.is_empty() { last.as_str() } else { kw };
        for _ in 0..opens {
            stack.push(section_of(opener).to_string());
        }
        if !kw.is_empty() {
            last = kw.to_string();
        }
        for _ in 0..closes {
            stack.pop();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Vec<String> {
        let dir = std::env::temp_dir().join(format!("tandem-vrrp-audit-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let p = dir.join(format!("{}.conf", text.len()));
        let _ = std::fs::write(&p, text);
        let out = unacted(&p.to_string_lossy(), "node");
        let _ = std::fs::remove_file(&p);
        out
    }

    #[test]
    fn names_what_does_not_run_once_with_its_place() {
        let out = run(
            "global_defs {\n  router_id n1\n  vrrp_mcast_group4 224.0.0.19\n}\n\
             vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 1\n  priority 100\n\
             mcast_dst_ip 224.0.0.19\n  virtual_ipaddress {\n    192.0.2.1\n  }\n\
             track_script {\n    promote_secondaries\n  }\n  promote_secondaries\n}\n\
             virtual_server 192.0.2.1 80 {\n  delay_loop 6\n  real_server 192.0.2.2 80 {\n  }\n}\n",
        );
        let kws: Vec<&str> = out.iter().filter_map(|l| l.split('`').nth(1)).collect();
        // Implemented keywords (router_id, interface, priority ...) and the contents of
        // address and tracking lists are not named; inside virtual_server only the block.
        assert_eq!(
            kws,
            [
                "vrrp_mcast_group4",
                "mcast_dst_ip",
                "promote_secondaries",
                "virtual_server"
            ],
            "{out:?}"
        );
        assert!(
            out[0].contains(".conf:3: tandem reads but does not act on"),
            "{out:?}"
        );
    }
}
