//! keepalived.conf: kept unchanged (it stays valid for real keepalived);
//! the report says which `vrrp_script`s only probe the proxy and are served
//! natively by `tandem run`, and which keywords tandem does not serve.

use super::{Entry, Kind, words};
use crate::grammar::{Status, grammar};

/// The (unchanged) text and the report entries for one keepalived.conf.
pub fn migrate(file: &str, text: &str) -> (String, Vec<Entry>) {
    let mut es = Vec::new();
    let mut script_name: Option<String> = None;
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        // keepalived comments start with `#` or `!`.
        let line = raw.split(['#', '!']).next().unwrap_or("");
        let w = words(line);
        let Some(kw) = w.first() else {
            es.push(Entry::new(file, n, Kind::Unchanged, ""));
            continue;
        };
        if kw == "vrrp_script" {
            script_name = w.get(1).cloned();
        }
        if kw == "script"
            && let Some(name) = &script_name
        {
            let cmd = w.get(1..).map(|r| r.join(" ")).unwrap_or_default();
            let cmd = cmd.trim_matches('"').trim_matches('\'');
            if let Some(what) = proxy_probe(cmd) {
                es.push(Entry::new(
                    file,
                    n,
                    Kind::Translated,
                    format!(
                        "vrrp_script {name}: `{cmd}` only probes the proxy ({what}): served \
                         natively by tandem run from the proxy engine's state (the line stays \
                         as it is for real keepalived)"
                    ),
                ));
                continue;
            }
            es.push(Entry::new(
                file,
                n,
                Kind::Note,
                format!("vrrp_script {name}: `{cmd}` runs as keepalived would run it"),
            ));
            continue;
        }
        match grammar().get("keepalived", kw).map(|k| (k.status, k.note)) {
            Some((Status::Unsupported, note)) => es.push(Entry::new(
                file,
                n,
                Kind::Unsupported,
                format!(
                    "`{kw}` is accepted by keepalived but tandem does not serve it{}",
                    if note.is_empty() {
                        String::new()
                    } else {
                        format!(": {note}")
                    }
                ),
            )),
            _ => es.push(Entry::new(file, n, Kind::Unchanged, "")),
        }
    }
    let out = script_security(file, text, &mut es);
    (out, es)
}

/// keepalived 2.2.7 exits 6 ("SECURITY VIOLATION - scripts are being
/// executed but script_security not enabled") on a config that runs
/// scripts without `enable_script_security`; the migrated file gets it (and
/// `script_user root` when no user is named), inside global_defs.
fn script_security(file: &str, text: &str, es: &mut Vec<Entry>) -> String {
    let code = |l: &str| l.split(['#', '!']).next().unwrap_or("").trim().to_string();
    let lines: Vec<String> = text.lines().map(code).collect();
    let runs_scripts = lines.iter().any(|l| {
        let k = l.split_whitespace().next().unwrap_or("");
        k == "script" || k.starts_with("notify")
    });
    if !runs_scripts
        || lines
            .iter()
            .any(|l| l.starts_with("enable_script_security"))
    {
        return text.to_string();
    }
    let has_user = lines.iter().any(|l| l.starts_with("script_user"));
    let mut add = String::new();
    if !has_user {
        add.push_str("    script_user root\n");
    }
    add.push_str("    enable_script_security\n");
    let gd = lines.iter().position(|l| {
        let mut w = l.split_whitespace();
        w.next() == Some("global_defs") && w.next() == Some("{") && w.next().is_none()
    });
    let mut out = String::with_capacity(text.len() + add.len() + 32);
    match gd {
        Some(at) => {
            for (i, l) in text.lines().enumerate() {
                out.push_str(l);
                out.push('\n');
                if i == at {
                    out.push_str(&add);
                }
            }
            let e = Entry::new(
                file,
                at + 1,
                Kind::Translated,
                format!(
                    "global_defs gets `{}`: keepalived 2.2.7 refuses to run scripts without \
                     script security (exit 6)",
                    add.trim().replace("\n    ", "` + `")
                ),
            );
            match es.iter_mut().find(|x| x.line == at + 1) {
                Some(x) => *x = e,
                None => es.push(e),
            }
        }
        None => {
            out.push_str("global_defs {\n");
            out.push_str(&add);
            out.push_str("}\n");
            out.push_str(text);
            if !text.ends_with('\n') {
                out.push('\n');
            }
            es.insert(
                0,
                Entry::new(
                    file,
                    0,
                    Kind::Translated,
                    "a global_defs block with script security is added at the top: keepalived \
                 2.2.7 refuses to run scripts without it (exit 6)",
                ),
            );
        }
    }
    out
}

/// Recognises a health-check command that only asks whether the local
/// proxy lives; returns what kind of probe it is.
pub fn proxy_probe(cmd: &str) -> Option<&'static str> {
    let w: Vec<&str> = cmd.split_whitespace().collect();
    let prog = w.first()?.rsplit('/').next()?;
    let mentions_haproxy = w.iter().skip(1).any(|a| a.contains("haproxy"));
    let local = |a: &&str| {
        a.contains("127.0.0.1") || a.contains("localhost") || a.contains("[::1]") || *a == "::1"
    };
    match prog {
        "killall" if mentions_haproxy && w.contains(&"-0") => Some("process liveness"),
        "pidof" | "pgrep" if mentions_haproxy => Some("process liveness"),
        "systemctl" if mentions_haproxy && w.contains(&"is-active") => Some("service state"),
        "curl" | "wget" if w.iter().any(local) => Some("HTTP request to a local frontend"),
        "nc" | "ncat" if w.contains(&"-z") && w.iter().any(local) => {
            Some("TCP connect to a local bind")
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probes() {
        assert!(proxy_probe("killall -0 haproxy").is_some());
        assert!(proxy_probe("/usr/bin/pgrep haproxy").is_some());
        assert!(proxy_probe("curl -fs http://127.0.0.1:80/health").is_some());
        assert!(proxy_probe("nc -z 127.0.0.1 5432").is_some());
        assert!(proxy_probe("/etc/keepalived/check.sh").is_none());
        assert!(proxy_probe("killall -0 nginx").is_none());
    }
}
