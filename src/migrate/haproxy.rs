//! haproxy.cfg: legacy (1.x-2.0) keywords to the forms HAProxy 2.6 accepts.
//! Every rewrite was measured with the real `haproxy -c -f` (2.6.12) on the
//! original (rejected) and on the output (accepted); see tests/migrate.rs.

use super::{Entry, Kind, indent, words};
use crate::grammar::{Status, grammar};

/// The migrated text and the report entries for one haproxy.cfg.
pub fn migrate(file: &str, text: &str) -> (String, Vec<Entry>) {
    let mut out = String::with_capacity(text.len() + 256);
    let mut es = Vec::new();
    let mut section = String::new();
    let mut defaults_mode = String::from("tcp");
    let mut mode = String::from("tcp");
    // monitor-net of a defaults section: 2.6 has no rules in anonymous
    // defaults, so the replacement goes into each frontend/listen after it.
    let mut defaults_monitor: Vec<String> = Vec::new();
    // First use_backend line of the current section, and whether it came
    // from a translation.
    let mut use_backend_at: Option<(usize, bool)> = None;
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let w = words(raw);
        let Some(kw) = w.first() else {
            out.push_str(raw);
            out.push('\n');
            es.push(Entry::new(file, n, Kind::Unchanged, ""));
            continue;
        };
        if matches!(
            kw.as_str(),
            "global"
                | "defaults"
                | "frontend"
                | "backend"
                | "listen"
                | "userlist"
                | "peers"
                | "resolvers"
                | "cache"
                | "program"
                | "http-errors"
                | "ring"
                | "mailers"
        ) {
            section = kw.clone();
            use_backend_at = None;
            if section == "defaults" {
                defaults_monitor.clear();
            }
            mode = if section == "defaults" {
                String::from("tcp")
            } else {
                defaults_mode.clone()
            };
        }
        if kw == "mode"
            && let Some(m) = w.get(1)
        {
            mode = m.clone();
            if section == "defaults" {
                defaults_mode = m.clone();
            }
        }
        let ind = indent(raw);
        if section == "defaults"
            && kw == "monitor-net"
            && let Some(net) = w.get(1)
        {
            defaults_monitor.push(net.clone());
            out.push_str(ind);
            out.push_str("# [tandem migrate] moved into each frontend/listen: ");
            out.push_str(raw.trim());
            out.push('\n');
            es.push(Entry::new(
                file,
                n,
                Kind::Translated,
                format!(
                    "`{}` moved into each following frontend/listen (2.6 has no rules in an \
                     anonymous defaults section)",
                    raw.trim()
                ),
            ));
            continue;
        }
        if matches!(kw.as_str(), "frontend" | "listen") && !defaults_monitor.is_empty() {
            out.push_str(raw);
            out.push('\n');
            let body = if ind.is_empty() { "    " } else { ind };
            let mut made = Vec::new();
            for net in &defaults_monitor {
                let l = if defaults_mode == "http" {
                    format!("http-request return status 200 if {{ src {net} }}")
                } else {
                    format!("tcp-request connection reject if {{ src {net} }}")
                };
                out.push_str(body);
                out.push_str(&l);
                out.push('\n');
                made.push(l);
            }
            es.push(Entry::new(
                file,
                n,
                Kind::Translated,
                format!(
                    "`{}` + `{}` (monitor-net of the defaults section)",
                    raw.trim(),
                    made.join("` + `")
                ),
            ));
            continue;
        }
        let action = translate(&section, &mode, &w);
        // 2.6 runs every http-request rule before any use_backend rule;
        // 1.x ran reqsetbe/reqtarpit/... in file order. Say so where a
        // translation puts them in the order `haproxy -c` warns about.
        let produced: Vec<&str> = match &action {
            Action::Replace(lines, _) => lines.iter().map(String::as_str).collect(),
            Action::Keep | Action::KeepNote(_) => vec![kw.as_str()],
            Action::Drop(_) => Vec::new(),
        };
        let translated = matches!(action, Action::Replace(..));
        if produced.iter().any(|l| l.starts_with("use_backend")) {
            use_backend_at.get_or_insert((n, translated));
        }
        let mut order_note = None;
        if let Some((ub, ub_translated)) = use_backend_at
            && ub != n
            && (translated || ub_translated)
            && produced.iter().any(|l| l.starts_with("http-request"))
        {
            order_note = Some(Entry::new(
                file,
                n,
                Kind::Note,
                format!(
                    "HAProxy 2.6 runs http-request rules before use_backend rules whatever their \
                     order (use_backend at line {ub}); `haproxy -c` warns about this order: move \
                     the http-request line above it to silence the warning"
                ),
            ));
        }
        match action {
            Action::Keep => {
                out.push_str(raw);
                out.push('\n');
                match status_note(&section, &w) {
                    Some(note) => es.push(Entry::new(file, n, Kind::Note, note)),
                    None => es.push(Entry::new(file, n, Kind::Unchanged, "")),
                }
            }
            Action::KeepNote(note) => {
                out.push_str(raw);
                out.push('\n');
                es.push(Entry::new(file, n, Kind::Note, note));
            }
            Action::Replace(lines, note) => {
                let orig = raw.trim();
                for l in &lines {
                    out.push_str(ind);
                    out.push_str(l);
                    out.push('\n');
                }
                let mut t = format!("`{orig}` -> `{}`", lines.join("` + `"));
                if let Some(nt) = note {
                    t.push_str(" (");
                    t.push_str(&nt);
                    t.push(')');
                }
                es.push(Entry::new(file, n, Kind::Translated, t));
            }
            Action::Drop(why) => {
                out.push_str(ind);
                out.push_str("# [tandem migrate] dropped: ");
                out.push_str(raw.trim());
                out.push('\n');
                es.push(Entry::new(
                    file,
                    n,
                    Kind::Unsupported,
                    format!("`{}` commented out: {why}", raw.trim()),
                ));
            }
        }
        es.extend(order_note);
    }
    (out, es)
}

enum Action {
    Keep,
    /// Kept as it is, with a note for the report.
    KeepNote(String),
    /// New lines (without indentation) and an optional note.
    Replace(Vec<String>, Option<String>),
    Drop(String),
}

/// Whether `name` is in the account database `db` (/etc/passwd,
/// /etc/group); `None` when the file cannot be read.
fn in_db(db: &str, name: &str) -> Option<bool> {
    let text = std::fs::read_to_string(db).ok()?;
    Some(
        text.lines()
            .any(|l| l.split(':').next().is_some_and(|n| n == name)),
    )
}

/// `user NAME` / `group NAME` of the global section: HAProxy resolves the
/// name while parsing (`haproxy -c` fails on an unknown one), so a name the
/// machine lacks is reported, and the group `nobody` of Red Hat systems
/// becomes Debian's `nogroup` where only that exists.
fn account(kw: &str, name: &str) -> Action {
    let db = if kw == "user" {
        "/etc/passwd"
    } else {
        "/etc/group"
    };
    account_in(kw, name, |n| in_db(db, n))
}

fn account_in(kw: &str, name: &str, has: impl Fn(&str) -> Option<bool>) -> Action {
    if has(name) != Some(false) {
        return Action::Keep;
    }
    if kw == "group" && name == "nobody" && has("nogroup") == Some(true) {
        return Action::Replace(
            vec!["group nogroup".into()],
            Some(
                "this machine has no group 'nobody' (Debian names it 'nogroup'); HAProxy \
                 resolves the name while parsing and would refuse the file"
                    .into(),
            ),
        );
    }
    Action::KeepNote(format!(
        "{kw} '{name}' does not exist on this machine: HAProxy resolves it while parsing \
         ('cannot find {} id for '{name}''); create it or change the line",
        if kw == "user" { "user" } else { "group" }
    ))
}

fn rest(w: &[String], from: usize) -> String {
    w.get(from..).map(|r| r.join(" ")).unwrap_or_default()
}

/// The note of a `removed` keyword in the grammar tables (the replacement).
fn removed_note(table: &str, kw: &str) -> String {
    grammar()
        .get(table, kw)
        .filter(|k| k.status == Status::Removed)
        .map(|k| k.note.replace(" (HAProxy never suggests it)", ""))
        .unwrap_or_else(|| format!("'{kw}' is not accepted by HAProxy 2.6"))
}

fn translate(section: &str, mode: &str, w: &[String]) -> Action {
    let kw = w.first().map(String::as_str).unwrap_or("");
    let a1 = w.get(1).map(String::as_str).unwrap_or("");
    let proxy = matches!(section, "defaults" | "frontend" | "backend" | "listen");
    if section == "global" {
        return match kw {
            "nbproc" => Action::Replace(
                vec![format!("nbthread {}", rest(w, 1))],
                Some(
                    "processes became threads: one process with N threads; tandem runs one \
                     process too; remove the line to let HAProxy use every CPU"
                        .into(),
                ),
            ),
            "debug" => Action::Drop("'debug' is unknown to HAProxy 2.6 (use -d)".into()),
            "user" | "group" if w.len() == 2 => account(kw, a1),
            _ => Action::Keep,
        };
    }
    if !proxy {
        return Action::Keep;
    }
    let timeout = |name: &str| {
        Action::Replace(
            vec![format!("timeout {name} {}", rest(w, 1))],
            Some(removed_note("haproxy-proxy", kw)),
        )
    };
    match kw {
        "clitimeout" => return timeout("client"),
        "contimeout" => return timeout("connect"),
        "srvtimeout" => return timeout("server"),
        "redispatch" | "redisp" if section == "frontend" => {
            return Action::Drop(
                "a frontend has no backend capability: HAProxy 2.6 would ignore `option \
                 redispatch` here with a warning"
                    .into(),
            );
        }
        "redispatch" | "redisp" => {
            return Action::Replace(vec!["option redispatch".into()], None);
        }
        "grace" => return Action::Drop(removed_note("haproxy-proxy", kw)),
        "appsession" => {
            return Action::Drop(
                "'appsession' was removed in HAProxy 1.6; use a `cookie` or a stick table".into(),
            );
        }
        "bind-process" => {
            return Action::Drop("'bind-process' has no effect since HAProxy 2.5".into());
        }
        "option" => {
            return match a1 {
                "forceclose" => Action::Replace(
                    vec!["option httpclose".into()],
                    Some("'forceclose' was removed in HAProxy 2.0".into()),
                ),
                "http-tunnel" => Action::Drop(removed_note("haproxy-proxy", "option http-tunnel")),
                // HAProxy 1.4-1.9 also accepted this misspelling.
                "independant-streams" => Action::Replace(
                    vec!["option independent-streams".into()],
                    Some("the misspelled alias was dropped in HAProxy 2.0".into()),
                ),
                _ => Action::Keep,
            };
        }
        _ => {}
    }
    let in_defaults = section == "defaults";
    let rule = |lines: Vec<String>, note: Option<String>| {
        if in_defaults {
            Action::Drop(
                "HTTP rules are not allowed in an anonymous defaults section in 2.6; move \
                 the translation into each frontend/backend"
                    .into(),
            )
        } else {
            Action::Replace(lines, note)
        }
    };
    match kw {
        "monitor-net" => {
            let net = a1;
            if mode == "http" {
                rule(
                    vec![format!("http-request return status 200 if {{ src {net} }}")],
                    Some(removed_note("haproxy-proxy", kw)),
                )
            } else {
                rule(
                    vec![format!("tcp-request connection reject if {{ src {net} }}")],
                    Some(
                        "tcp mode: monitor-net closed such connections at once; \
                         `tcp-request connection reject` does the same"
                            .into(),
                    ),
                )
            }
        }
        "block" => rule(
            vec![format!("http-request deny {}", rest(w, 1))],
            Some(removed_note("haproxy-proxy", kw)),
        ),
        "reqadd" | "rspadd" => {
            let dir = if kw == "reqadd" {
                "request"
            } else {
                "response"
            };
            match header_line(a1) {
                Some((name, value)) => rule(
                    vec![
                        format!("http-{dir} add-header {name} {value} {}", rest(w, 2))
                            .trim_end()
                            .to_string(),
                    ],
                    None,
                ),
                None => Action::Drop(format!("cannot read a `Name: value` header in `{a1}`")),
            }
        }
        "reqdel" | "reqidel" | "rspdel" | "rspidel" => {
            let dir = if kw.starts_with("req") {
                "request"
            } else {
                "response"
            };
            let icase = kw.contains("idel");
            match split_header_regex(a1) {
                Some((name, v)) if v.is_empty() || v == ".*" || v == "^.*" => rule(
                    vec![
                        format!("http-{dir} del-header {name} {}", rest(w, 2))
                            .trim_end()
                            .to_string(),
                    ],
                    None,
                ),
                Some((name, v)) => {
                    let f = if dir == "request" { "req" } else { "res" };
                    let i = if icase { "-i " } else { "" };
                    match join_cond(&format!("{{ {f}.fhdr({name}) -m reg {i}{v} }}"), w, 2) {
                        Some(c) => rule(
                            vec![format!("http-{dir} del-header {name} if {c}")],
                            Some(
                                "deletes every occurrence of the header when one value matches"
                                    .into(),
                            ),
                        ),
                        None => Action::Drop("condition cannot be combined".into()),
                    }
                }
                None => Action::Drop(format!(
                    "regex `{a1}` does not name one header; write an http-{dir} rule by hand"
                )),
            }
        }
        "reqrep" | "reqirep" | "rsprep" | "rspirep" => replace(kw, w, &rule),
        "reqdeny" | "reqideny" | "reqallow" | "reqiallow" | "reqtarpit" | "reqitarpit" => {
            let act = if kw.contains("allow") {
                "allow"
            } else if kw.contains("tarpit") {
                "tarpit"
            } else {
                "deny"
            };
            let icase = kw.starts_with("reqi");
            match request_cond(a1, icase)
                .and_then(|(c, note)| join_cond(&c, w, 2).map(|c| (c, note)))
            {
                Some((c, note)) => rule(vec![format!("http-request {act} if {c}")], note),
                None => Action::Drop(format!(
                    "regex `{a1}` matches neither one header nor the request line's method/URI"
                )),
            }
        }
        "rspdeny" | "rspideny" => {
            let icase = kw == "rspideny";
            match split_header_regex(a1) {
                Some((name, v)) => {
                    let i = if icase { "-i " } else { "" };
                    let c = if v.is_empty() {
                        format!("{{ res.hdr({name}) -m found }}")
                    } else {
                        format!("{{ res.fhdr({name}) -m reg {i}{v} }}")
                    };
                    match join_cond(&c, w, 2) {
                        Some(c) => rule(vec![format!("http-response deny if {c}")], None),
                        None => Action::Drop("condition cannot be combined".into()),
                    }
                }
                None => Action::Drop(format!("regex `{a1}` does not name one header")),
            }
        }
        "reqsetbe" | "reqisetbe" => {
            let icase = kw == "reqisetbe";
            let be = w.get(2).cloned().unwrap_or_default();
            match request_cond(a1, icase) {
                Some((c, note)) => rule(vec![format!("use_backend {be} if {c}")], note),
                None => Action::Drop(format!("regex `{a1}` cannot be expressed as a condition")),
            }
        }
        "reqpass" | "reqipass" | "cliexp" | "srvexp" => {
            Action::Drop(removed_note("haproxy-proxy", kw))
        }
        _ => Action::Keep,
    }
}

/// `X-Foo:\ bar` -> (`X-Foo`, `bar`), escapes kept, `%` escaped for the
/// log-format value of add-header.
fn header_line(tok: &str) -> Option<(String, String)> {
    let (name, value) = tok.split_once(':')?;
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return None;
    }
    let v = value.trim_start_matches("\\ ").trim_start();
    let v = v.replace('%', "%%");
    let v = if v.is_empty() { "\"\"".to_string() } else { v };
    Some((name.to_string(), v))
}

/// `^X-Foo:\ *(.*)` -> (`X-Foo`, `^(.*)`): a header-line regex split into
/// the header name and a regex on the value. `None` if it does not anchor a
/// literal header name.
fn split_header_regex(re: &str) -> Option<(String, String)> {
    let body = re.strip_prefix('^')?;
    let (name, v) = body.split_once(':')?;
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return None;
    }
    let mut v = v;
    for p in [
        "\\ *",
        "[\\ ]*",
        "\\ +",
        "\\ ",
        " *",
        "[\\ \\t]*",
        "[[:space:]]*",
    ] {
        if let Some(r) = v.strip_prefix(p) {
            v = r;
            break;
        }
    }
    if v.is_empty() || v == ".*" {
        return Some((name.to_string(), v.to_string()));
    }
    Some((name.to_string(), format!("^{v}")))
}

/// The request-line or header regex of `reqdeny`-like keywords as an
/// anonymous ACL, with a note when the meaning narrows.
fn request_cond(re: &str, icase: bool) -> Option<(String, Option<String>)> {
    let i = if icase { "-i " } else { "" };
    if let Some((name, v)) = split_header_regex(re) {
        if v.is_empty() || v == ".*" {
            return Some((format!("{{ req.hdr({name}) -m found }}"), None));
        }
        return Some((format!("{{ req.fhdr({name}) -m reg {i}{v} }}"), None));
    }
    if let Some(body) = re.strip_prefix('^') {
        let (m, u) = split_space(body)?;
        let u = strip_version(u);
        if u.contains("\\ ") {
            return None;
        }
        let any_method = matches!(
            m,
            "" | "[^\\ ]*"
                | "[^\\ :]*"
                | "[^\\ ]+"
                | "[^\\ :]+"
                | ".*"
                | "[A-Z]*"
                | "[A-Z]+"
                | "([^\\ ]*)"
                | "([^\\ :]*)"
        );
        let mut c = String::new();
        if !any_method {
            c.push_str(&format!("{{ method -m reg {i}^{m}$ }} "));
        }
        if u.is_empty() || u == ".*" {
            if c.is_empty() {
                return None;
            }
        } else {
            c.push_str(&format!("{{ url -m reg {i}^{u} }}"));
        }
        return Some((c.trim_end().to_string(), None));
    }
    // Unanchored: it used to be tried on the request line and on every
    // header line; the URL is what such rules almost always aimed at.
    if re.contains("\\ ") {
        return None;
    }
    Some((
        format!("{{ url -m reg {i}{re} }}"),
        Some("the regex was also tried on header lines; now only on the URL".into()),
    ))
}

/// Splits a request-line regex at its first escaped space outside a
/// bracket expression (`^([^\ :]*)\ /x` -> `([^\ :]*)`, `/x`).
fn split_space(re: &str) -> Option<(&str, &str)> {
    let b = re.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < b.len() {
        match b.get(i) {
            Some(b'\\') => {
                if depth == 0 && b.get(i + 1) == Some(&b' ') {
                    return Some((re.get(..i)?, re.get(i + 2..)?));
                }
                i += 2;
                continue;
            }
            Some(b'[') => depth += 1,
            Some(b']') => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

/// Drops a trailing `\ HTTP/1\.[01]`-like part of a request-line regex.
fn strip_version(u: &str) -> &str {
    match u.find("\\ HTTP") {
        Some(p) => u.get(..p).unwrap_or(u),
        None => u,
    }
}

/// Combines an anonymous ACL with the legacy keyword's own optional
/// `if COND` (AND); `unless`, `||` and `or` are not combined.
fn join_cond(acl: &str, w: &[String], from: usize) -> Option<String> {
    match w.get(from).map(String::as_str) {
        None => Some(acl.to_string()),
        Some("if") => {
            let r = rest(w, from + 1);
            if r.split_whitespace().any(|t| t == "||" || t == "or") {
                None
            } else {
                Some(format!("{acl} {r}"))
            }
        }
        Some("unless") => {
            let r = w.get(from + 1..).unwrap_or(&[]);
            if r.len() == 1 {
                let t = &r[0];
                let neg = t
                    .strip_prefix('!')
                    .map(str::to_string)
                    .unwrap_or(format!("!{t}"));
                Some(format!("{acl} {neg}"))
            } else {
                None
            }
        }
        Some(_) => None,
    }
}

/// Renumbers `\N` back-references by `-by` (the request-line method group
/// disappears when a request-line rewrite becomes a URI rewrite).
fn shift_refs(s: &str, by: u32) -> Option<String> {
    let mut out = String::new();
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        if c == '\\'
            && let Some(d) = it.peek().and_then(|d| d.to_digit(10))
        {
            it.next();
            if d < by + 1 {
                return None;
            }
            out.push('\\');
            out.push_str(&(d - by).to_string());
            continue;
        }
        out.push(c);
        if c == '\\'
            && let Some(n) = it.next()
        {
            out.push(n);
        }
    }
    Some(out)
}

fn replace(kw: &str, w: &[String], rule: &dyn Fn(Vec<String>, Option<String>) -> Action) -> Action {
    let re = w.get(1).map(String::as_str).unwrap_or("");
    let repl = w.get(2).map(String::as_str).unwrap_or("");
    let dir = if kw.starts_with("req") {
        "request"
    } else {
        "response"
    };
    let icase = kw.contains("irep");
    let i = if icase { "(?i)" } else { "" };
    let cond = match w.get(3).map(String::as_str) {
        None => String::new(),
        Some("if" | "unless") => format!(" {}", rest(w, 3)),
        Some(_) => return Action::Drop("unexpected words after the replacement".into()),
    };
    if let Some((name, v)) = split_header_regex(re) {
        // The replacement rebuilt the whole header line; keep only the value.
        let rv = match header_line(repl) {
            Some((rn, rv)) if rn.eq_ignore_ascii_case(&name) => rv.replace("%%", "%"),
            _ => {
                return Action::Drop(format!(
                    "`{repl}` does not rebuild the `{name}:` header it matched"
                ));
            }
        };
        let v = if v.is_empty() { "^".to_string() } else { v };
        let v = if v == ".*" { "^(.*)".to_string() } else { v };
        let v = match v.strip_prefix('^') {
            Some(r) => format!("^{i}{r}"),
            None => format!("{i}{v}"),
        };
        let v = if icase {
            v.replacen("^(?i)", "(?i)^", 1)
        } else {
            v
        };
        return rule(
            vec![format!("http-{dir} replace-header {name} {v} {rv}{cond}")],
            None,
        );
    }
    if dir == "request"
        && let Some(body) = re.strip_prefix('^')
        && let Some((m, u)) = split_space(body)
        && let Some(r) = repl.strip_prefix("\\1\\ ")
    {
        // `^([^\ :]*)\ /old(.*)  \1\ /new\2`: the method is captured and
        // put back; what changes is the URI.
        let u = strip_version(u);
        let method_group = matches!(
            m,
            "([^\\ ]*)"
                | "([^\\ :]*)"
                | "([^\\ ]+)"
                | "([^\\ :]+)"
                | "(.*)"
                | "([A-Z]*)"
                | "([A-Z]+)"
        );
        if method_group
            && !u.contains("\\ ")
            && !r.contains("\\ ")
            && let Some(nr) = shift_refs(r, 1)
        {
            return rule(
                vec![format!("http-request replace-uri {i}^{u} {nr}{cond}")],
                Some("the request-line rewrite became a URI rewrite; the method is kept".into()),
            );
        }
    }
    Action::Drop(format!(
        "{}: this regex rewrites neither one header nor the URI",
        removed_note("haproxy-proxy", kw)
    ))
}

/// A note for lines kept as they are but whose keyword tandem does not
/// serve (grammar status `unsupported`/`noop`).
fn status_note(section: &str, w: &[String]) -> Option<String> {
    let kw = w.first()?;
    let table = match section {
        "global" => "haproxy-global",
        "defaults" | "frontend" | "backend" | "listen" => "haproxy-proxy",
        _ => return None,
    };
    let g = grammar();
    let k = if kw == "option" || kw == "timeout" {
        w.get(1)
            .and_then(|a| g.get(table, &format!("{kw} {a}")))
            .or_else(|| g.get(table, kw))
    } else {
        g.get(table, kw)
    }?;
    match k.status {
        Status::Unsupported => Some(format!(
            "`{}` runs unchanged in HAProxy but tandem does not serve it: {}",
            k.keyword,
            if k.note.is_empty() {
                "unsupported"
            } else {
                k.note
            }
        )),
        Status::Noop => Some(format!(
            "`{}` is accepted and ignored by tandem{}",
            k.keyword,
            if k.note.is_empty() {
                String::new()
            } else {
                format!(": {}", k.note)
            }
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(line: &str, section: &str) -> String {
        let cfg = format!("{section} x\n    mode http\n{line}\n");
        let (out, _) = migrate("t", &cfg);
        out.lines().nth(2).unwrap_or("").trim().to_string()
    }

    #[test]
    fn accounts_the_machine_lacks() {
        // A Debian-like account database: nogroup, no group nobody.
        let debian = |n: &str| Some(matches!(n, "nogroup" | "haproxy" | "root"));
        assert!(matches!(
            account_in("group", "nobody", debian),
            Action::Replace(ref l, Some(_)) if l == &["group nogroup"]
        ));
        assert!(matches!(
            account_in("group", "haproxy", debian),
            Action::Keep
        ));
        assert!(matches!(
            account_in("user", "www", debian),
            Action::KeepNote(ref t) if t.contains("user 'www' does not exist")
        ));
        // Unreadable database: leave the line alone.
        assert!(matches!(
            account_in("group", "nobody", |_| None),
            Action::Keep
        ));
    }

    #[test]
    fn legacy_rewrites() {
        assert_eq!(
            one("    clitimeout 5000", "defaults"),
            "timeout client 5000"
        );
        assert_eq!(
            one(r"    reqadd X-Proto:\ https", "frontend"),
            r"http-request add-header X-Proto https"
        );
        assert_eq!(
            one(r"    reqrep ^([^\ :]*)\ /static/(.*) \1\ /\2", "backend"),
            r"http-request replace-uri ^/static/(.*) /\1"
        );
        assert_eq!(
            one(r"    reqirep ^Host:\ (.*) Host:\ www.\1", "backend"),
            r"http-request replace-header Host (?i)^(.*) www.\1"
        );
        assert_eq!(
            one(r"    reqdeny ^GET\ /admin", "frontend"),
            r"http-request deny if { method -m reg ^GET$ } { url -m reg ^/admin }"
        );
        assert_eq!(
            one("    monitor-net 10.0.0.0/8", "frontend"),
            "http-request return status 200 if { src 10.0.0.0/8 }"
        );
        assert_eq!(
            one(r"    rspdel ^Server:.*", "backend"),
            "http-response del-header Server"
        );
    }
}
