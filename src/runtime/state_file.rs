//! `server-state-file` / `load-server-state-from-file`: server states carried
//! across a reload. The operator saves them with the runtime API before
//! reloading (`echo "show servers state" | socat - /run/haproxy/admin.sock >
//! /var/lib/haproxy/server-state`, format version 1); the new process applies
//! them when it starts: forced maintenance, forced drain, and a weight changed
//! at run time (kept only while the configuration's weight is the one the
//! file was saved with, as HAProxy does).
//!
//! Messages measured with HAProxy 2.6.12:
//! - `config : config: Can't open global server state file '/tmp/pr/state': No such file or directory`
//! - `config : Proxy 'b': Can't open server state file '/tmp/pr/sb/b': No such file or directory.`
//! - `config : Server b/s1 remains in forced drain mode.`
//! - `config : Server b/s2 is DOWN, changed from server-state after a reload. 0 active and 0
//!   backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.`

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::Logger;
use crate::ir::haproxy as ir;
use crate::proxy::engine::Engine;
use crate::proxy::engine::admin::AdminState;

/// HAProxy's SRV_ADMF_FMAINT and SRV_ADMF_FDRAIN.
const ADMF_FMAINT: u32 = 0x01;
const ADMF_FDRAIN: u32 = 0x08;

/// One server line of a state file (the fields tandem acts on).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedServer {
    pub backend: String,
    pub server: String,
    pub admin: u32,
    pub uweight: u32,
    pub iweight: u32,
}

/// The server lines of a version-1 state file; other versions give nothing.
pub fn parse(text: &str) -> Vec<SavedServer> {
    let mut lines = text.lines();
    if lines.next().map(str::trim) != Some("1") {
        return Vec::new();
    }
    lines
        .filter(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            Some(SavedServer {
                backend: f.get(1)?.to_string(),
                server: f.get(3)?.to_string(),
                admin: f.get(6)?.parse().ok()?,
                uweight: f.get(7)?.parse().ok()?,
                iweight: f.get(8)?.parse().ok()?,
            })
        })
        .collect()
}

fn last_arg<'a>(dirs: &'a [ir::Directive], kw: &str) -> Option<&'a str> {
    dirs.iter()
        .rev()
        .find(|d| d.keyword == kw)
        .and_then(|d| d.args.first())
        .map(String::as_str)
}

fn resolve(base: Option<&str>, name: &str, cwd: &Path) -> PathBuf {
    let p = Path::new(name);
    if p.is_absolute() {
        return p.to_path_buf();
    }
    match base {
        Some(b) => Path::new(b).join(p),
        None => cwd.join(p),
    }
}

/// Apply the saved states to `engine` (at start, before serving).
pub fn load(cfg: &ir::Config, engine: &Engine, cwd: &Path, log: &mut Logger) {
    let base = last_arg(&cfg.global.other, "server-state-base");
    let global_file = last_arg(&cfg.global.other, "server-state-file");
    let mut files: HashMap<PathBuf, Option<Vec<SavedServer>>> = HashMap::new();
    let mut global_reported = false;
    for p in cfg
        .proxies
        .iter()
        .filter(|p| p.kind.is_backend() && !p.disabled)
    {
        let (path, global) = match last_arg(&p.settings.other, "load-server-state-from-file") {
            Some("global") => match global_file {
                Some(f) => (resolve(base, f, cwd), true),
                None => continue,
            },
            Some("local") => {
                let name = last_arg(&p.settings.other, "server-state-file-name")
                    .filter(|n| !n.is_empty() && *n != "use-backend-name")
                    .unwrap_or(&p.name);
                (resolve(base, name, cwd), false)
            }
            _ => continue,
        };
        let saved =
            files
                .entry(path.clone())
                .or_insert_with(|| match std::fs::read_to_string(&path) {
                    Ok(t) => Some(parse(&t)),
                    Err(e) => {
                        let why = super::strerror(&e);
                        if global && !global_reported {
                            global_reported = true;
                            log.warning(&format!(
                                "config : config: Can't open global server state file '{}': {why}",
                                path.display()
                            ));
                        } else if !global {
                            log.warning(&format!(
                                "config : Proxy '{}': Can't open server state file '{}': {why}.",
                                p.name,
                                path.display()
                            ));
                        }
                        None
                    }
                });
        let Some(saved) = saved.clone() else { continue };
        for s in saved.iter().filter(|s| s.backend == p.name) {
            apply(engine, p, s, log);
        }
    }
}

fn apply(engine: &Engine, p: &ir::Proxy, s: &SavedServer, log: &mut Logger) {
    let Some(conf) = p.servers.iter().find(|v| v.value.name == s.server) else {
        return;
    };
    let spec = format!("{}/{}", s.backend, s.server);
    let config_weight = conf.value.opts.weight.unwrap_or(1).clamp(0, 256) as u32;
    // A weight changed at run time survives only if the configuration still
    // has the weight the file was saved with.
    if s.uweight != s.iweight && s.iweight == config_weight {
        let _ = engine.admin_set_weight(&spec, &s.uweight.to_string());
    }
    if s.admin & ADMF_FMAINT != 0 {
        if engine.admin_set_state(&spec, AdminState::Maint).is_ok() {
            let (act, bck) = engine
                .backend(&s.backend)
                .map(|b| b.usable_counts())
                .unwrap_or((0, 0));
            log.warning(&format!(
                "config : Server {spec} is DOWN, changed from server-state after a reload. {act} active and {bck} backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue."
            ));
        }
    } else if s.admin & ADMF_FDRAIN != 0 && engine.admin_set_state(&spec, AdminState::Drain).is_ok()
    {
        log.warning(&format!(
            "config : Server {spec} remains in forced drain mode."
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `show servers state` of HAProxy 2.6.12 after `set server b/s2 state maint` and
    /// `set weight b/s1 5`.
    const SAVED: &str = "1
# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port
3 b 1 s1 127.0.0.1 2 0 5 10 1 1 0 2 0 0 0 0 - 24713 - 0 0 - - 0
3 b 2 s2 127.0.0.1 0 1 20 20 0 1 0 0 0 0 0 0 - 24714 - 0 0 - - 0
";

    #[test]
    fn parses_haproxys_dump() {
        let v = parse(SAVED);
        assert_eq!(
            v,
            [
                SavedServer {
                    backend: "b".into(),
                    server: "s1".into(),
                    admin: 0,
                    uweight: 5,
                    iweight: 10
                },
                SavedServer {
                    backend: "b".into(),
                    server: "s2".into(),
                    admin: 1,
                    uweight: 20,
                    iweight: 20
                }
            ]
        );
        assert!(parse("2\n3 b 1 s1 x 2 0 5 10\n").is_empty());
    }
}
