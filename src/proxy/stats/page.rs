//! The statistics page (`stats uri`): HTML, `;csv`, `;json`, `;up`, `;norefresh`, `;st=`
//! and the admin POST actions, as HAProxy 2.6.12 serves them (measured with curl):
//! - `GET uri[;opt]*[?scope=NAME]`: 200 with `cache-control: no-cache`, `content-type:
//!   text/html` (`text/plain` for CSV, `application/json` for JSON) and `refresh: N` when
//!   `stats refresh` is set and `;norefresh` is not;
//! - `POST uri` with `s=SRV&...&action=ACT&b=#IID|NAME`: the action on the checked servers
//!   when `stats admin` allows it, then `303 See Other` to `uri;st=DONE` (or another status).
//!
//! The HTML keeps HAProxy's sections (process information and legend, one table per proxy
//! with the same column groups: Queue, Session rate, Sessions, Bytes, Denied, Errors,
//! Warnings, Server) and its CSS class names, so the page reads the same.

use std::fmt::Write as _;

use super::report::{self, Opts, Row, Val};
use crate::ir::haproxy::Stats;
use crate::proxy::engine::Engine;
use crate::proxy::engine::admin::AdminState;

/// What a stats URI request asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageReq {
    pub csv: bool,
    pub json: bool,
    pub up: bool,
    pub norefresh: bool,
    /// `;st=DONE` etc.: the status of the previous admin action.
    pub st: Option<String>,
    pub scope: Option<String>,
}

/// Parses the part of the URI after the stats prefix (`;csv;norefresh?scope=x`). As
/// HAProxy 2.6's `http_handle_stats`, each option is looked for anywhere in it, query
/// string included (`/?;csv;scope=b1` is the CSV of b1), and `scope=` ends at `;`, `&`
/// or a space, at most 20 characters.
pub fn parse_req(rest: &str) -> PageReq {
    let has = |o: &str| rest.contains(o);
    let value_after = |key: &str| -> Option<&str> {
        let at = rest.find(key)? + key.len();
        let v = rest.get(at..)?;
        let end = v.find([';', '&', ' ']).unwrap_or(v.len());
        v.get(..end)
    };
    PageReq {
        csv: has(";csv"),
        // `;json-schema` is another page
        json: rest
            .match_indices(";json")
            .any(|(i, _)| !rest.get(i..).is_some_and(|t| t.starts_with(";json-schema"))),
        up: has(";up"),
        norefresh: has(";norefresh"),
        st: value_after(";st=").map(str::to_string),
        scope: value_after("scope=")
            .filter(|v| !v.is_empty())
            .map(|v| url_decode(v.get(..20).unwrap_or(v))),
    }
}

fn url_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = b
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b[i], hex) {
            (b'+', _) => out.push(b' '),
            (b'%', Some(v)) => {
                out.push(v);
                i += 2;
            }
            (c, _) => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// HTML escaping.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `[22/Nov/2026:05:15:01.695]`'s inside: the date format of `show errors`.
pub fn log_date_ms() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let secs = now.as_secs() as i64;
    let ms = now.subsec_millis();
    let days = secs.div_euclid(86400);
    let rem = secs.rem_euclid(86400);
    let (y, m, d) = civil(days);
    const MON: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{:02}/{}/{:04}:{:02}:{:02}:{:02}.{:03}",
        d,
        MON[(m as usize).saturating_sub(1) % 12],
        y,
        rem / 3600,
        (rem / 60) % 60,
        rem % 60,
        ms
    )
}

/// Days since 1970-01-01 to (year, month, day) (H. Hinnant's algorithm).
fn civil(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// A full HTTP/1.1 response.
fn response(status: &str, headers: &[(&str, String)], body: &str) -> Vec<u8> {
    let mut o = format!("HTTP/1.1 {status}\r\n");
    for (k, v) in headers {
        let _ = write!(o, "{k}: {v}\r\n");
    }
    let _ = write!(o, "content-length: {}\r\n\r\n", body.len());
    let mut b = o.into_bytes();
    b.extend_from_slice(body.as_bytes());
    b
}

/// Serves a GET of the stats page. `uri` is the stats URI prefix, `rest` what follows it.
pub fn serve_get(engine: &Engine, st: &Stats, uri: &str, rest: &str, admin: bool) -> Vec<u8> {
    let req = parse_req(rest);
    let mut opts = Opts {
        legends: st.show_legends,
        up_only: req.up,
        scope: st.scope.clone(),
        ..Default::default()
    };
    if let Some(s) = &req.scope {
        opts.scope = vec![s.clone()];
    }
    let rows = report::rows(engine, &opts);
    let mut headers = vec![("cache-control", "no-cache".to_string())];
    let refresh = st.refresh_ms.filter(|_| !req.norefresh);
    let (ctype, body) = if req.csv {
        ("text/plain", report::csv(&rows))
    } else if req.json {
        ("application/json", report::json(&rows))
    } else {
        ("text/html", html(engine, st, uri, &req, &rows, admin))
    };
    headers.push(("content-type", ctype.to_string()));
    if let Some(ms) = refresh {
        headers.push(("refresh", (ms / 1000).max(1).to_string()));
    }
    response("200 OK", &headers, &body)
}

/// Serves an admin POST: applies `action` to the servers `s` of backend `b`, then redirects.
pub fn serve_post(engine: &Engine, uri: &str, body: &[u8], admin: bool) -> Vec<u8> {
    let status = if !admin {
        "DENY"
    } else {
        post_action(engine, &String::from_utf8_lossy(body))
    };
    response(
        "303 See Other",
        &[
            ("cache-control", "no-cache".into()),
            ("content-type", "text/plain".into()),
            ("location", format!("{uri};st={status}")),
        ],
        "",
    )
}

/// Runs the action; returns HAProxy's `st=` code.
fn post_action(engine: &Engine, body: &str) -> &'static str {
    let mut servers = Vec::new();
    let mut action = "";
    let mut backend = String::new();
    for kv in body.split('&') {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        let v = url_decode(v);
        match k {
            "s" => servers.push(v),
            "action" => {
                action = match v.as_str() {
                    "ready" => "ready",
                    "drain" => "drain",
                    "maint" => "maint",
                    "hrunn" => "hrunn",
                    "hdown" => "hdown",
                    "shutdown" => "shutdown",
                    "" => "",
                    _ => "other",
                }
            }
            "b" => backend = v,
            _ => {}
        }
    }
    if action.is_empty() || servers.is_empty() {
        return "NONE";
    }
    let meta = engine.stats.bind(engine, false);
    let be_name = match backend.strip_prefix('#') {
        Some(id) => meta
            .iid
            .iter()
            .find(|(_, v)| v.to_string() == id)
            .map(|(k, _)| k.clone()),
        None => Some(backend),
    };
    let Some(be_name) = be_name.filter(|b| engine.backend(b).is_some()) else {
        return "NOBK";
    };
    let mut done = 0;
    for s in &servers {
        let spec = format!("{be_name}/{s}");
        let r = match action {
            "ready" => engine.admin_set_state(&spec, AdminState::Ready),
            "drain" => engine.admin_set_state(&spec, AdminState::Drain),
            "maint" => engine.admin_set_state(&spec, AdminState::Maint),
            "hrunn" => engine.admin_set_health(&spec, true),
            "hdown" => engine.admin_set_health(&spec, false),
            "shutdown" => engine.admin_find(&spec).map(|_| ()),
            _ => return "ERRP",
        };
        if r.is_ok() {
            done += 1;
        }
    }
    if done == servers.len() {
        "DONE"
    } else if done > 0 {
        "PART"
    } else {
        "NONE"
    }
}

const CSS: &str = r#"body { font-family: arial, helvetica, sans-serif; font-size: 12px; font-weight: normal; color: black; background: white;}
th,td { font-size: 10px;}
h1 { font-size: x-large; margin-bottom: 0.5em;}
h2 { font-family: helvetica, arial; font-size: x-large; font-weight: bold; font-style: italic; color: #6020a0; margin-top: 0em; margin-bottom: 0em;}
h3 { font-family: helvetica, arial; font-size: 16px; font-weight: bold; color: #b00040; background: #e8e8d0; margin-top: 0em; margin-bottom: 0em;}
.hr { margin-top: 0.25em; border-color: black; border-bottom-style: solid;}
.titre { background: #20D0D0; color: #000000; font-weight: bold; text-align: center;}
.frontend { background: #e8e8d0;}
.backend { background: #e8e8d0;}
.active_down { background: #ff9090;}
.active_up { background: #c0ffc0;}
.active_draining { background: #20a0FF;}
.active_no_check { background: #e0e0e0;}
.backup_down { background: #ff9090;}
.backup_up { background: #b0d0ff;}
.backup_draining { background: #cc9900;}
.backup_no_check { background: #e0e0e0;}
.maintain { background: #c07820;}
a.px:link, a.px:visited { color: #ffff40; text-decoration: none;}
a.lfsb:link, a.lfsb:visited { color: #000000; text-decoration: none;}
table.tbl { border-collapse: collapse; border-style: none;}
table.tbl td { text-align: right; border: 1px solid gray; padding: 2px 3px; white-space: nowrap;}
table.tbl td.ac { text-align: center;}
table.tbl th { border: 1px solid gray;}
table.tbl th.pxname { background: #b00040; color: #ffff40; font-weight: bold; padding: 2px 3px; white-space: nowrap;}
table.tbl th.empty { border-style: none; background: white;}
table.lgd { border-collapse: collapse; border-width: 1px; border-style: none none none solid; border-color: black;}
table.lgd td { border: 1px solid gray; padding: 2px;}
table.lgd td.noborder { border-style: none; padding: 2px; white-space: nowrap;}
"#;

fn cell(v: &Val) -> String {
    match v {
        Val::Empty => String::new(),
        Val::Num(n) => n.to_string(),
        Val::Str(s) => esc(s),
    }
}

/// `1h02m` style ages of the Last/LastChk columns.
fn human_secs(s: i64) -> String {
    if s < 0 {
        return String::new();
    }
    let (d, h, m, sec) = (s / 86400, (s / 3600) % 24, (s / 60) % 60, s % 60);
    if d > 0 {
        format!("{d}d{h}h")
    } else if h > 0 {
        format!("{h}h{m}m")
    } else if m > 0 {
        format!("{m}m{sec}s")
    } else {
        format!("{sec}s")
    }
}

fn row_class(r: &Row) -> &'static str {
    let st = r.text("status");
    let backup = r.text("bck") == "1";
    // "UP 1/3" is on its way down, "DOWN 1/2" on its way up (srv_stats_colour_st)
    let st = match st.split_once(' ') {
        Some(("UP", n)) if n.contains('/') => "going_down",
        Some(("DRAIN", n)) if n.contains('/') => "going_down",
        Some(("NOLB", n)) if n.contains('/') => "going_down",
        Some(("DOWN", n)) if n.contains('/') => "going_up",
        _ => st.as_str(),
    };
    match (st, backup) {
        ("going_down", false) => "active_going_down",
        ("going_down", true) => "backup_going_down",
        ("going_up", false) => "active_going_up",
        ("going_up", true) => "backup_going_up",
        ("NOLB", false) => "active_nolb",
        ("NOLB", true) => "backup_nolb",
        ("MAINT", _) => "maintain",
        ("DOWN", false) => "active_down",
        ("DOWN", true) => "backup_down",
        ("DRAIN", false) => "active_draining",
        ("DRAIN", true) => "backup_draining",
        ("no check", false) => "active_no_check",
        ("no check", true) => "backup_no_check",
        (_, false) => "active_up",
        (_, true) => "backup_up",
    }
}

const COLUMNS_HEAD: &str = "<tr class=\"titre\"><th colspan=3>Queue</th><th colspan=3>Session rate</th><th colspan=6>Sessions</th><th colspan=2>Bytes</th><th colspan=2>Denied</th><th colspan=3>Errors</th><th colspan=2>Warnings</th><th colspan=9>Server</th></tr>\n<tr class=\"titre\"><th>Cur</th><th>Max</th><th>Limit</th><th>Cur</th><th>Max</th><th>Limit</th><th>Cur</th><th>Max</th><th>Limit</th><th>Total</th><th>LbTot</th><th>Last</th><th>In</th><th>Out</th><th>Req</th><th>Resp</th><th>Req</th><th>Conn</th><th>Resp</th><th>Retr</th><th>Redis</th><th>Status</th><th>LastChk</th><th>Wght</th><th>Act</th><th>Bck</th><th>Chk</th><th>Dwn</th><th>Dwntme</th><th>Thrtle</th></tr>\n";

/// The 30 data cells of a row, in the page's column order.
fn data_cells(r: &Row, o: &mut String) {
    let t = |n: &str| cell(r.get(n));
    let dash = |n: &str| {
        let v = t(n);
        if v.is_empty() { "-".to_string() } else { v }
    };
    let is_fe = r.ty == report::ObjType::Frontend;
    let last = match r.get("lastsess") {
        Val::Num(n) => human_secs(*n),
        _ => String::new(),
    };
    let status = if is_fe {
        t("status")
    } else {
        let lastchg = match r.get("lastchg") {
            Val::Num(n) => human_secs(*n),
            _ => String::new(),
        };
        format!("{lastchg} {}", t("status"))
    };
    let cells: Vec<String> = if is_fe {
        vec![
            String::new(),
            String::new(),
            String::new(),
            t("rate"),
            t("rate_max"),
            dash("rate_lim"),
            t("scur"),
            t("smax"),
            t("slim"),
            t("stot"),
            String::new(),
            String::new(),
            t("bin"),
            t("bout"),
            t("dreq"),
            t("dresp"),
            t("ereq"),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            status,
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ]
    } else {
        vec![
            t("qcur"),
            t("qmax"),
            dash("qlimit"),
            t("rate"),
            t("rate_max"),
            String::new(),
            t("scur"),
            t("smax"),
            dash("slim"),
            t("stot"),
            t("lbtot"),
            last,
            t("bin"),
            t("bout"),
            t("dreq"),
            t("dresp"),
            String::new(),
            t("econ"),
            t("eresp"),
            t("wretr"),
            t("wredis"),
            status,
            t("check_status"),
            t("weight"),
            if r.ty == report::ObjType::Backend {
                t("act")
            } else if t("act") == "1" {
                "Y".into()
            } else {
                "-".into()
            },
            if r.ty == report::ObjType::Backend {
                t("bck")
            } else if t("bck") == "1" {
                "Y".into()
            } else {
                "-".into()
            },
            t("chkfail"),
            t("chkdown"),
            t("downtime"),
            dash("throttle"),
        ]
    };
    for (i, c) in cells.iter().enumerate() {
        if (21..=28).contains(&i) && !c.is_empty() && i != 23 {
            let _ = write!(o, "<td class=ac>{c}</td>");
        } else {
            let _ = write!(o, "<td>{c}</td>");
        }
    }
}

fn html(
    engine: &Engine,
    st: &Stats,
    uri: &str,
    req: &PageReq,
    rows: &[Row],
    admin: bool,
) -> String {
    let mut o = String::new();
    o.push_str("<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01 Transitional//EN\"\n\"http://www.w3.org/TR/html4/loose.dtd\">\n<html><head><title>Statistics Report for HAProxy</title>\n<link rel=\"icon\" href=\"data:,\">\n<meta http-equiv=\"content-type\" content=\"text/html; charset=iso-8859-1\">\n<style type=\"text/css\"><!--\n");
    o.push_str(CSS);
    o.push_str("-->\n</style></head>\n<body>");
    if st.hide_version {
        o.push_str("<h1><a href=\"https://github.com/\" style=\"text-decoration: none;\">tandem</a></h1>\n");
    } else {
        let _ = writeln!(
            o,
            "<h1><a href=\"http://www.haproxy.org/\" style=\"text-decoration: none;\">HAProxy version {}, tandem</a></h1>",
            esc(&super::info::version())
        );
    }
    let node = match &st.show_node {
        Some(Some(n)) => format!(" on {}", esc(n)),
        Some(None) => format!(
            " on {}",
            esc(std::fs::read_to_string("/proc/sys/kernel/hostname")
                .unwrap_or_default()
                .trim())
        ),
        None => String::new(),
    };
    let _ = write!(
        o,
        "<h2>Statistics Report for pid {}{node}</h2>\n<hr width=\"100%\" class=\"hr\">\n<h3>&gt; General process information</h3>\n",
        std::process::id()
    );
    let vals = super::info::values(engine);
    let info = |name: &str| {
        super::info::INFO_FIELDS
            .iter()
            .position(|f| f.0 == name)
            .and_then(|i| vals.get(i))
            .map(cell)
            .unwrap_or_default()
    };
    let _ = write!(
        o,
        "<table border=0><tr><td align=\"left\" nowrap width=\"1%\">\n<p><b>pid = </b> {} (process #1, nbproc = 1, nbthread = {})<br>\n<b>uptime = </b> {}<br>\n<b>system limits:</b> memmax = unlimited; ulimit-n = {}<br>\n<b>maxsock = </b> {}; <b>maxconn = </b> {}; <b>maxpipes = </b> 0<br>\ncurrent conns = {}; current pipes = 0/0; conn rate = {}/sec<br>\n</td><td align=\"center\" nowrap>\n",
        info("Pid"),
        info("Nbthread"),
        info("Uptime"),
        info("Ulimit-n"),
        info("Maxsock"),
        info("Maxconn"),
        info("CurrConns"),
        info("ConnRate"),
    );
    o.push_str("<table class=\"lgd\"><tr>\n<td class=\"active_up\">&nbsp;</td><td class=\"noborder\">active UP </td><td class=\"backup_up\">&nbsp;</td><td class=\"noborder\">backup UP </td></tr><tr>\n<td class=\"active_down\"></td><td class=\"noborder\">active or backup DOWN &nbsp;</td><td class=\"active_no_check\"></td><td class=\"noborder\">not checked </td></tr><tr>\n<td class=\"maintain\"></td><td class=\"noborder\" colspan=\"3\">active or backup DOWN for maintenance (MAINT) &nbsp;</td></tr><tr>\n<td class=\"active_draining\"></td><td class=\"noborder\" colspan=\"3\">active or backup SOFT STOPPED for maintenance &nbsp;</td></tr></table>\nNote: \"NOLB\"/\"DRAIN\" = UP with load-balancing disabled.</td>");
    let _ = write!(
        o,
        "<td align=\"left\" valign=\"top\" nowrap width=\"1%\"><b>Display option:</b><ul style=\"margin-top: 0.25em;\"><li><form method=\"GET\">Scope : <input value=\"{}\" name=\"scope\" size=\"8\" maxlength=\"20\" tabindex=\"1\"/></form>\n<li><a href=\"{uri};up\">Hide 'DOWN' servers</a><br>\n<li><a href=\"{uri};norefresh\">Disable refresh</a><br>\n<li><a href=\"{uri}\">Refresh now</a><br>\n<li><a href=\"{uri};csv;norefresh\">CSV export</a><br>\n<li><a href=\"{uri};json;norefresh\">JSON export</a><br>\n</ul></td></tr></table>\n",
        esc(req.scope.as_deref().unwrap_or(""))
    );
    if let Some(s) = &req.st {
        let msg = match s.as_str() {
            "DONE" => "Action processed successfully.",
            "PART" => "Action not processed for all servers.",
            "NONE" => "Nothing has changed.",
            "DENY" => "Action denied.",
            "NOBK" => "Backend not found.",
            _ => "Unexpected result.",
        };
        let _ = writeln!(
            o,
            "<p><div class=active_up><a class=lfsb href=\"{uri}\" title=\"Remove this message\">[X]</a> {msg}</div>"
        );
    }
    // one block per proxy (rows arrive grouped by iid)
    let mut i = 0;
    while i < rows.len() {
        let iid = rows[i].iid;
        let end = rows[i..]
            .iter()
            .position(|r| r.iid != iid)
            .map_or(rows.len(), |p| i + p);
        let group = &rows[i..end];
        let name = group[0].text("pxname");
        let has_servers = group.iter().any(|r| r.ty == report::ObjType::Server);
        let form = admin && has_servers;
        if form {
            o.push_str("<form method=\"post\">");
        }
        let _ = write!(
            o,
            "<table class=\"tbl\" width=\"100%\">\n<tr class=\"titre\"><th class=\"pxname\" width=\"10%\"><a name=\"{n}\"></a><a class=px href=\"#{n}\">{n}</a></th><th class=\"empty\" width=\"90%\"></th></tr>\n</table>\n<table class=\"tbl\" width=\"100%\">\n<tr class=\"titre\"><th rowspan=2></th><th rowspan=2></th>",
            n = esc(&name)
        );
        let head = COLUMNS_HEAD.replacen("<tr class=\"titre\">", "", 1);
        o.push_str(&head);
        for r in group {
            let (class, label) = match r.ty {
                report::ObjType::Frontend => ("frontend".to_string(), "Frontend".to_string()),
                report::ObjType::Backend => ("backend".to_string(), "Backend".to_string()),
                _ => (row_class(r).to_string(), r.text("svname")),
            };
            let _ = write!(o, "<tr class=\"{class}\"><td>");
            if form && r.ty == report::ObjType::Server {
                let _ = write!(
                    o,
                    "<input type=\"checkbox\" name=\"s\" value=\"{}\">",
                    esc(&label)
                );
            }
            let _ = write!(
                o,
                "</td><td class=ac><a name=\"{n}/{l}\"></a><a class=lfsb href=\"#{n}/{l}\">{l}</a></td>",
                n = esc(&name),
                l = esc(&label)
            );
            data_cells(r, &mut o);
            o.push_str("</tr>\n");
        }
        o.push_str("</table>");
        if form {
            let _ = write!(
                o,
                "Choose the action to perform on the checked servers : <select name=action><option value=\"\"></option><option value=\"ready\">Set state to READY</option><option value=\"drain\">Set state to DRAIN</option><option value=\"maint\">Set state to MAINT</option><option value=\"hrunn\">Health: force UP</option><option value=\"hdown\">Health: force DOWN</option><option value=\"shutdown\">Kill Sessions</option></select><input type=\"hidden\" name=\"b\" value=\"#{iid}\">&nbsp;<input type=\"submit\" value=\"Apply\"></form>"
            );
        }
        o.push_str("<p>\n");
        i = end;
    }
    if st.show_legends {
        o.push_str(
            "<p>Legends: the Status column shows how long ago the state last changed.</p>\n",
        );
    }
    o.push_str("</body></html>\n");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_options() {
        let r = parse_req(";csv;norefresh?scope=be");
        assert!(r.csv && r.norefresh && !r.json);
        assert_eq!(r.scope.as_deref(), Some("be"));
        assert_eq!(parse_req(";st=DONE").st.as_deref(), Some("DONE"));
        // reg-test webstats-scope-and-post-change: the options in the query string
        let r = parse_req("?;csv;scope=b1");
        assert!(r.csv);
        assert_eq!(r.scope.as_deref(), Some("b1"));
        assert!(!parse_req(";json-schema").json);
        assert_eq!(url_decode("%233+x"), "#3 x");
    }

    #[test]
    fn dates() {
        assert_eq!(civil(0), (1970, 1, 1));
        assert_eq!(civil(20_414), (2025, 11, 22));
        assert_eq!(human_secs(75), "1m15s");
    }

    #[test]
    fn post_changes_state_and_redirects() {
        let cfg = crate::proxy::engine::tests::config(
            "defaults\n mode http\n timeout client 1s\n timeout server 1s\n timeout connect 1s\nlisten st\n bind 127.0.0.1:0\n stats uri /stats\n stats admin if TRUE\n server s1 127.0.0.1:1\n",
        );
        let e = Engine::from_ir(&cfg, std::path::Path::new(".")).expect("engine");
        let out = serve_post(&e, "/stats", b"s=s1&action=drain&b=%231", true);
        let text = String::from_utf8_lossy(&out);
        // HAProxy 2.6.12: 303 See Other, location: /stats;st=DONE
        assert!(text.starts_with("HTTP/1.1 303 See Other\r\n"), "{text}");
        assert!(text.contains("location: /stats;st=DONE\r\n"), "{text}");
        assert!(!e.backend("st").expect("be").server_usable(0));
        let page = String::from_utf8_lossy(&serve_get(
            &e,
            &cfg.proxies[0].settings.stats,
            "/stats",
            "",
            true,
        ))
        .into_owned();
        assert!(page.contains("<tr class=\"active_draining\">"), "{page}");
        assert!(page.contains("Choose the action"), "{page}");
    }
}
