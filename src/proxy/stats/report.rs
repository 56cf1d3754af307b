//! The statistics rows of `show stat` and the stats page: one row per frontend, server and
//! backend with HAProxy 2.6.12's 127 columns ([`super::fields::FIELDS`]), and their CSV,
//! typed and JSON renderings.
//!
//! Which columns an object type fills comes from the field table (measured); the values
//! that depend on the configuration (checks, cookies, limits, mode) are blanked here as
//! HAProxy does.

use std::fmt::Write as _;
use std::sync::atomic::Ordering::Relaxed;

use super::fields::{FIELDS, STD_FIELDS};
use super::{BackendStats, Counters, Registry, ServerStats, admf, fe_maxconn, unix_now};
use crate::proxy::backend::Backend;
use crate::proxy::engine::{Engine, Frontend};

/// Object types, in the order of [`super::fields::Field::kinds`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjType {
    Frontend = 0,
    Backend = 1,
    Server = 2,
    Listener = 3,
}

impl ObjType {
    /// The `type` column and the `show stat` type filter bit.
    pub fn code(self) -> u32 {
        match self {
            ObjType::Frontend => 0,
            ObjType::Backend => 1,
            ObjType::Server => 2,
            ObjType::Listener => 3,
        }
    }

    fn letter(self) -> char {
        match self {
            ObjType::Frontend => 'F',
            ObjType::Backend => 'B',
            ObjType::Server => 'S',
            ObjType::Listener => 'L',
        }
    }

    fn json_name(self) -> &'static str {
        match self {
            ObjType::Frontend => "Frontend",
            ObjType::Backend => "Backend",
            ObjType::Server => "Server",
            ObjType::Listener => "Listener",
        }
    }
}

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Empty,
    Num(i64),
    Str(String),
}

impl Val {
    fn is_empty(&self) -> bool {
        matches!(self, Val::Empty)
    }
}

/// One row: what it describes and its cells, one per [`FIELDS`] entry.
#[derive(Debug, Clone)]
pub struct Row {
    pub ty: ObjType,
    pub iid: u32,
    pub sid: u32,
    pub vals: Vec<Val>,
}

impl Row {
    pub fn get(&self, name: &str) -> &Val {
        FIELDS
            .iter()
            .position(|f| f.name == name)
            .and_then(|i| self.vals.get(i))
            .unwrap_or(&Val::Empty)
    }

    pub fn text(&self, name: &str) -> String {
        match self.get(name) {
            Val::Empty => String::new(),
            Val::Num(n) => n.to_string(),
            Val::Str(s) => s.clone(),
        }
    }
}

/// What to dump (`show stat` arguments, stats page options).
#[derive(Debug, Clone, Default)]
pub struct Opts {
    /// `STAT_SHLGNDS`: addresses and algorithms (CLI level operator and up, `stats
    /// show-legends`).
    pub legends: bool,
    /// `up`: only servers that are UP.
    pub up_only: bool,
    /// `no-maint`: skip servers in maintenance.
    pub no_maint: bool,
    /// `show stat IID TYPE SID` (-1 = all; TYPE is a bit mask 1 FE, 2 BE, 4 SRV).
    pub iid: Option<u32>,
    pub types: Option<u32>,
    pub sid: Option<u32>,
    /// `stats scope`: only these proxies (empty: all).
    pub scope: Vec<String>,
}

/// Server status as HAProxy words it in the `status` column, and whether it counts as
/// usable.
pub fn server_status(be: &Backend, j: usize, ss: &ServerStats) -> String {
    let Some(o) = be.servers.get(j).map(|s| &s.ir.opts) else {
        return "DOWN".into();
    };
    let (rise, fall) = (o.rise.unwrap_or(2), o.fall.unwrap_or(3));
    let pos = |v: i64| u32::try_from(v).unwrap_or(1).max(1);
    // a `track`ing server shows the checks of the server it follows
    let checked = (o.check && !ss.checks_off.load(Relaxed)) || o.track.is_some();
    super::health::status_text(ss, checked, pos(rise), pos(fall))
}

fn c(a: &std::sync::atomic::AtomicU64) -> Val {
    Val::Num(a.load(Relaxed) as i64)
}

fn n(v: impl TryInto<i64>) -> Val {
    Val::Num(v.try_into().unwrap_or(i64::MAX))
}

fn s(v: impl Into<String>) -> Val {
    Val::Str(v.into())
}

/// The counter cells every object type shares.
fn common(name: &str, k: &Counters, now_ms: u64) -> Option<Val> {
    Some(match name {
        "stot" => c(&k.cum_sess),
        "bin" => c(&k.bytes_in),
        "bout" => c(&k.bytes_out),
        "dreq" => c(&k.denied_req),
        "dresp" => c(&k.denied_resp),
        "ereq" => c(&k.failed_req),
        "econ" => c(&k.failed_conns),
        "eresp" => c(&k.failed_resp),
        "wretr" => c(&k.retries),
        "wredis" => c(&k.redispatches),
        "smax" => c(&k.smax),
        "qmax" => c(&k.qmax),
        "lbtot" => c(&k.cum_lbconn),
        "rate" => n(k.sess_rate.read(now_ms)),
        "rate_max" => n(k.sess_rate.max()),
        "hrsp_1xx" => c(&k.hrsp[0]),
        "hrsp_2xx" => c(&k.hrsp[1]),
        "hrsp_3xx" => c(&k.hrsp[2]),
        "hrsp_4xx" => c(&k.hrsp[3]),
        "hrsp_5xx" => c(&k.hrsp[4]),
        "hrsp_other" => c(&k.hrsp[5]),
        "req_rate" => n(k.req_rate.read(now_ms)),
        "req_rate_max" => n(k.req_rate.max()),
        "req_tot" => c(&k.cum_req),
        "cli_abrt" => c(&k.cli_aborts),
        "srv_abrt" => c(&k.srv_aborts),
        "conn_rate" => n(k.conn_rate.read(now_ms)),
        "conn_rate_max" => n(k.conn_rate.max()),
        "conn_tot" => c(&k.cum_conn),
        "intercepted" => c(&k.intercepted),
        "dcon" => c(&k.denied_conn),
        "dses" => c(&k.denied_sess),
        "wrew" => c(&k.failed_rewrites),
        "eint" => c(&k.internal_errors),
        "connect" => c(&k.connect),
        "reuse" => c(&k.reuse),
        "lastsess" => {
            let t = k.last_sess.load(Relaxed);
            if t == 0 {
                Val::Num(-1)
            } else {
                n(unix_now().saturating_sub(t))
            }
        }
        "qtime" => n(k.q_time.avg(k.cum_lbconn.load(Relaxed))),
        "ctime" => n(k.c_time.avg(k.cum_lbconn.load(Relaxed))),
        "rtime" => n(k.d_time.avg(k.cum_lbconn.load(Relaxed))),
        "ttime" => n(k.t_time.avg(k.cum_lbconn.load(Relaxed))),
        "qtime_max" => n(k.q_time.max()),
        "ctime_max" => n(k.c_time.max()),
        "rtime_max" => n(k.d_time.max()),
        "ttime_max" => n(k.t_time.max()),
        _ => return None,
    })
}

/// Fields HAProxy only fills in HTTP mode.
fn http_only(name: &str) -> bool {
    name.starts_with("hrsp_")
        || matches!(
            name,
            "intercepted"
                | "cache_lookups"
                | "cache_hits"
                | "comp_in"
                | "comp_out"
                | "comp_byp"
                | "comp_rsp"
        )
}

fn mode_str(m: crate::ir::haproxy::Mode) -> &'static str {
    m.as_str()
}

fn algo_name(b: &Backend) -> &'static str {
    use crate::ir::haproxy::Balance;
    match &b.ir.settings.balance {
        None | Some(Balance::RoundRobin) => "roundrobin",
        Some(Balance::StaticRr) => "static-rr",
        Some(Balance::LeastConn) => "leastconn",
        Some(Balance::First) => "first",
        Some(Balance::Source) => "source",
        Some(Balance::Uri { .. }) => "uri",
        Some(Balance::UrlParam { .. }) => "url_param",
        Some(Balance::Hdr { .. }) => "hdr",
        Some(Balance::RdpCookie { .. }) => "rdp-cookie",
        Some(Balance::Random { .. }) => "random",
        Some(Balance::Hash { .. }) => "hash",
    }
}

/// Builds one row from a per-field closure, keeping only the fields the type has.
fn build(ty: ObjType, iid: u32, sid: u32, mut f: impl FnMut(&str) -> Val) -> Row {
    let vals = FIELDS
        .iter()
        .map(|fd| {
            if fd.kinds[ty as usize].is_none() {
                Val::Empty
            } else {
                f(fd.name)
            }
        })
        .collect();
    Row { ty, iid, sid, vals }
}

/// The columns the retries change, counted per attempt as HAProxy 2.6 does: `wretr` and
/// `wredis`; a retry also leaves behind a connection attempt (`stot`, servers only) and a
/// balancing decision when it redispatches (`lbtot`).
fn retry_cell(name: &str, c: &Counters, r: &super::RetryCounters, server: bool) -> Option<Val> {
    let sum = |a: &std::sync::atomic::AtomicU64, b: &std::sync::atomic::AtomicU64| {
        n(a.load(Relaxed).saturating_add(b.load(Relaxed)))
    };
    Some(match name {
        "wretr" => n(r.retries.load(Relaxed)),
        "wredis" => n(r.redispatches.load(Relaxed)),
        "lbtot" => sum(&c.cum_lbconn, &r.left_lb),
        // (the sessions count every request with a connect time in `connect`, a reused
        // connection's too: those are `reuse`)
        "connect" => n(c
            .connect
            .load(Relaxed)
            .saturating_add(r.left_attempts.load(Relaxed))
            .saturating_sub(r.reuses.load(Relaxed))),
        "reuse" => sum(&c.reuse, &r.reuses),
        "stot" if server => sum(&c.cum_sess, &r.left_attempts),
        _ => return None,
    })
}

fn frontend_row(reg: &Registry, fe: &Frontend, fs: &super::FrontendStats, iid: u32) -> Row {
    let now = reg.now_ms();
    let meta_max = reg.meta().map_or(super::DEFAULT_MAXCONN, |m| m.maxconn);
    let http = fe.mode == crate::ir::haproxy::Mode::Http;
    build(ObjType::Frontend, iid, 0, |name| {
        if !http && http_only(name) {
            return Val::Empty;
        }
        if let Some(v) = common(name, &fs.c, now) {
            return v;
        }
        match name {
            "pxname" => s(fe.name.as_str()),
            "svname" => s("FRONTEND"),
            "scur" => n(fe.conns.load(Relaxed).max(0)),
            "slim" => {
                let o = fs.maxconn.load(Relaxed);
                n(if o > 0 { o } else { fe_maxconn(fe, meta_max) })
            }
            // Only `disable frontend` sets it; HAProxy 2.6.12 then shows PAUSED.
            "status" => s(if fs.disabled.load(Relaxed) {
                "PAUSED"
            } else {
                "OPEN"
            }),
            "pid" => n(1),
            "iid" => n(iid),
            "sid" => n(0),
            "type" => n(0),
            "rate_lim" => n(0),
            "mode" => s(mode_str(fe.mode)),
            "h1_total_connections" | "h1_total_streams" if http => c(&fs.c.cum_conn),
            // raw bytes on the client connections (HAProxy's `bin`/`bout` count the
            // internal HTX form, these the wire)
            "h1_bytes_in" if http => c(&fs.c.bytes_in),
            "h1_bytes_out" if http => c(&fs.c.bytes_out),
            _ => n(0),
        }
    })
}

#[allow(clippy::too_many_arguments)]
fn server_row(
    reg: &Registry,
    be: &Backend,
    bs: &BackendStats,
    j: usize,
    iid: u32,
    opts: &Opts,
) -> Option<Row> {
    let now = reg.now_ms();
    let sv = be.servers.get(j)?;
    let ss = bs.servers.get(j)?;
    let status = server_status(be, j, ss);
    let chk = ss.sync_op(reg.start_unix);
    let maint = ss.admin.load(Relaxed) & admf::MAINT != 0;
    let o = &sv.ir.opts;
    let http = be.mode == crate::ir::haproxy::Mode::Http;
    let usable = be.server_usable(j);
    let rise = o.rise.unwrap_or(2);
    let fall = o.fall.unwrap_or(3);
    let warm = super::health::warming(be, j, ss);
    Some(build(ObjType::Server, iid, sv.puid, |name| {
        if !http && (http_only(name) || name == "req_tot") {
            return Val::Empty;
        }
        let check_field = matches!(
            name,
            "chkfail"
                | "chkdown"
                | "downtime"
                | "check_status"
                | "check_code"
                | "check_duration"
                | "last_chk"
                | "check_desc"
                | "check_rise"
                | "check_fall"
                | "check_health"
        );
        // measured: in maintenance the checks are paused and HAProxy shows none of their
        // columns but `chkfail`, `chkdown` and `downtime`
        let paused = maint
            && !super::health::checks_run_in_maint(ss)
            && !matches!(name, "chkfail" | "chkdown" | "downtime");
        let unchecked = !o.check || ss.checks_off.load(Relaxed);
        if check_field && (unchecked || paused) {
            return Val::Empty;
        }
        if let Some(v) = super::health::agent_cell(ss, name, super::health::agent_configured(sv)) {
            return v;
        }
        if let Some(v) = retry_cell(name, &ss.c, &sv.retry, true) {
            return v;
        }
        if let Some(v) = common(name, &ss.c, now) {
            return v;
        }
        match name {
            "pxname" => s(be.name.as_str()),
            "svname" => s(&*sv.name),
            "qcur" => n(be.queued(Some(j)) as u64),
            "scur" => n(be.served(j).unwrap_or(0)),
            // `set maxconn server` (and the agent's `maxconn:`) over the configured one
            "slim" => match ss.maxconn.load(Relaxed) {
                0 => match o.maxconn.filter(|m| *m > 0) {
                    Some(m) => n(m),
                    None => Val::Empty,
                },
                m => n(m),
            },
            "qlimit" => match o.maxqueue.filter(|m| *m > 0) {
                Some(m) => n(m),
                None => Val::Empty,
            },
            "status" => s(status.as_str()),
            // HAProxy 2.6.12 shows the user weight even while draining, the ramp's
            // step during a slow start
            "weight" if ss.fresh.load(Relaxed) => n(1),
            "weight" => n(warm.map_or(ss.uweight.load(Relaxed), |w| w.0)),
            "throttle" => warm.map_or(Val::Empty, |w| n(w.1)),
            "uweight" => n(ss.uweight.load(Relaxed)),
            "act" => n(u32::from(!sv.backup)),
            "bck" => n(u32::from(sv.backup)),
            "lastchg" => n(unix_now().saturating_sub(ss.last_change.load(Relaxed))),
            "pid" => n(1),
            "iid" => n(iid),
            "sid" => n(sv.puid),
            "type" => n(2),
            "chkfail" => n(chk.failed),
            // only for an observed server (`observe layer4|layer7`)
            "hanafail" if matches!(o.observe.as_deref(), Some("layer4" | "layer7")) => {
                n(chk.hanafail)
            }
            "hanafail" => Val::Empty,
            "chkdown" => n(chk.down_trans),
            "downtime" => n(super::health::downtime(&chk, reg.start_unix)),
            // measured before the first check: INI, "Initializing", no duration
            "check_status" => s(chk.status.map_or("INI", |st| st.name())),
            "check_desc" => s(chk.status.map_or("Initializing", |st| st.description())),
            "check_code" => match chk.code {
                Some(code) => n(code),
                None => Val::Empty,
            },
            "check_duration" => match chk.status {
                Some(_) => n(chk.duration_ms),
                None => Val::Empty,
            },
            "last_chk" => s(chk.info.as_str()),
            "check_rise" => n(rise),
            "check_fall" => n(fall),
            "check_health" => n(chk.health.map_or(rise, i64::from)),
            "addr" => {
                if opts.legends {
                    s(sv.dest(None).to_string())
                } else {
                    Val::Empty
                }
            }
            "cookie" => match &o.cookie {
                Some(ck) => s(ck.as_str()),
                None => Val::Empty,
            },
            "mode" => s(mode_str(be.mode)),
            "need_conn_est" => n(u32::from(usable)),
            "srv_icur" | "idle_conn_cur" | "safe_conn_cur" | "used_conn_cur" => n(0),
            // HAProxy 2.6 leaves `max_idle_conns` at 0 for `add server`'s servers (-1,
            // not shown, for the configuration's)
            "src_ilim" if sv.ir_idx >= be.ir.servers.len() => n(0),
            "src_ilim" => Val::Empty,
            _ => n(0),
        }
    }))
}

fn backend_row(reg: &Registry, be: &Backend, bi: usize, bs: &BackendStats, iid: u32) -> Row {
    let now = reg.now_ms();
    let http = be.mode == crate::ir::haproxy::Mode::Http;
    // active servers' weights, else the backups' (the first one unless allbackups)
    let (mut wact, mut wbck, mut act, mut bck, mut first_bck) = (0u64, 0u64, 0, 0, None);
    for (j, sv) in be.servers.iter().enumerate() {
        let ss = &bs.servers[j];
        if !be.server_usable(j) || ss.admin.load(Relaxed) & admf::FDRAIN != 0 {
            continue;
        }
        let w =
            u64::from(super::health::warming(be, j, ss).map_or(ss.uweight.load(Relaxed), |w| w.0));
        if sv.backup {
            bck += 1;
            wbck += w;
            first_bck.get_or_insert(w);
        } else {
            act += 1;
            wact += w;
        }
    }
    let weight = if act > 0 {
        wact
    } else if !be.allbackups() {
        first_bck.unwrap_or(0)
    } else {
        wbck
    };
    let fullconn = reg
        .meta()
        .and_then(|m| m.fullconn.get(bi).copied())
        .unwrap_or(0);
    build(ObjType::Backend, iid, 0, |name| {
        if !http && (http_only(name) || name == "req_tot") {
            return Val::Empty;
        }
        if let Some(v) = retry_cell(name, &bs.c, &be.retry, false) {
            return v;
        }
        if let Some(v) = common(name, &bs.c, now) {
            return v;
        }
        match name {
            "pxname" => s(be.name.as_str()),
            "svname" => s("BACKEND"),
            "qcur" => n(be.queued(None) as u64),
            // HAProxy's `beconn` counts the queued streams too
            "scur" => n(u64::from(be.be_conn()) + be.queued_total() as u64),
            "slim" => n(fullconn),
            // HAProxy: a backend without servers (stats, redirects) is UP
            "status" => s(if act + bck > 0 || be.servers.is_empty() {
                "UP"
            } else {
                "DOWN"
            }),
            "weight" => n(weight),
            "uweight" => n(weight),
            "act" => n(act),
            "bck" => n(bck),
            "chkdown" => n(0),
            "lastchg" => n(unix_now().saturating_sub(bs.last_change.load(Relaxed))),
            "downtime" => {
                if be.servers.is_empty() {
                    Val::Empty
                } else {
                    n(0)
                }
            }
            "pid" => n(1),
            "iid" => n(iid),
            "sid" => n(0),
            "type" => n(1),
            "cookie" => match &be.ir.settings.cookie {
                Some(ck) => s(ck.name.as_str()),
                None => Val::Empty,
            },
            "mode" => s(mode_str(be.mode)),
            "algo" => s(algo_name(be)),
            "h1_total_connections" | "h1_total_streams" if http => c(&bs.c.cum_sess),
            _ => n(0),
        }
    })
}

/// Every row, in HAProxy's order: proxies by id; in each, the frontend, the servers, the
/// backend.
pub fn rows(engine: &Engine, opts: &Opts) -> Vec<Row> {
    let reg = &engine.stats;
    let meta = reg.bind(engine, false);
    let mut proxies: Vec<(u32, &str)> = meta.iid.iter().map(|(k, v)| (*v, k.as_str())).collect();
    proxies.sort();
    let want = |t: u32| opts.types.is_none_or(|m| m & (1 << t) != 0);
    let mut out = Vec::new();
    for (iid, name) in proxies {
        if opts.iid.is_some_and(|i| i != iid) {
            continue;
        }
        if !opts.scope.is_empty() && !opts.scope.iter().any(|s| s == name) {
            continue;
        }
        if want(0)
            && let Some(fi) = meta.fe_by_name.get(name)
            && let (Some(fe), Some(fs)) = (engine.frontends().get(*fi), reg.frontends.get(*fi))
        {
            out.push(frontend_row(reg, fe, fs, iid));
        }
        let Some((bi, _)) = meta.be_by_name.get(name) else {
            continue;
        };
        let (Some(be), Some(bs)) = (engine.backends().get(*bi), reg.backends.get(*bi)) else {
            continue;
        };
        if want(2) {
            for j in 0..be.servers.len() {
                // `del server` took it out of every listing (its place stays, unused)
                if engine.admin.is_deleted(*bi, j) {
                    continue;
                }
                if let Some(r) = server_row(reg, be, bs, j, iid, opts) {
                    if opts.sid.is_some_and(|s| s != r.sid) {
                        continue;
                    }
                    let st = r.text("status");
                    // `;up` (STAT_HIDE_DOWN) hides servers in maintenance and those
                    // DOWN and not on their way up
                    if opts.up_only && (st == "MAINT" || st == "DOWN") {
                        continue;
                    }
                    if opts.no_maint && st == "MAINT" {
                        continue;
                    }
                    out.push(r);
                }
            }
        }
        if want(1) {
            let mut r = backend_row(reg, be, *bi, bs, iid);
            if !opts.legends {
                r.vals[field_index("algo")] = Val::Empty;
            }
            out.push(r);
        }
    }
    out
}

/// The position of a field by name (the table is static: a missing name is a bug here).
pub fn field_index(name: &str) -> usize {
    FIELDS.iter().position(|f| f.name == name).unwrap_or(0)
}

/// `# pxname,svname,...,-,ssl_sess,...,` (HAProxy writes a `-` column before the stats
/// modules' fields and ends every line with a comma).
pub fn csv_header() -> String {
    let mut h = String::from("# ");
    for (i, f) in FIELDS.iter().enumerate() {
        if i == STD_FIELDS {
            h.push_str("-,");
        }
        h.push_str(f.name);
        h.push(',');
    }
    h.push('\n');
    h
}

/// CSV escaping as HAProxy's `csv_enc`: quote when the value has a comma, a quote or a line
/// break.
fn csv_enc(v: &str) -> String {
    if v.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v.to_string()
    }
}

pub fn csv(rows: &[Row]) -> String {
    let mut out = csv_header();
    for r in rows {
        for (i, v) in r.vals.iter().enumerate() {
            if i == STD_FIELDS {
                out.push_str("-,");
            }
            match v {
                Val::Empty => {}
                Val::Num(x) => {
                    let _ = write!(out, "{x}");
                }
                Val::Str(t) => out.push_str(&csv_enc(t)),
            }
            out.push(',');
        }
        out.push('\n');
    }
    out
}

/// The typed position of field `i` (module fields follow the standard ones directly).
fn typed_pos(i: usize) -> usize {
    i
}

/// `show stat typed`: `F.iid.sid.pos.name.1:TAGS:type:value`, empty cells omitted.
pub fn typed(rows: &[Row], desc: bool) -> String {
    let mut out = String::new();
    for r in rows {
        for (i, v) in r.vals.iter().enumerate() {
            if v.is_empty() {
                continue;
            }
            let Some(fd) = FIELDS.get(i) else { continue };
            let Some((tags, ty)) = fd.kinds[r.ty as usize] else {
                continue;
            };
            let _ = write!(
                out,
                "{}.{}.{}.{}.{}.1:{}:{}:",
                r.ty.letter(),
                r.iid,
                r.sid,
                typed_pos(i),
                fd.name,
                tags,
                ty
            );
            match v {
                Val::Num(x) => {
                    let _ = write!(out, "{x}");
                }
                Val::Str(t) => out.push_str(t),
                Val::Empty => {}
            }
            if desc {
                let _ = write!(out, ":\"{}\"", fd.desc);
            }
            out.push('\n');
        }
    }
    out
}

fn tag_words(tags: &str) -> (&'static str, &'static str, &'static str) {
    let b = tags.as_bytes();
    let origin = match b.first() {
        Some(b'M') => "Metric",
        Some(b'S') => "Status",
        Some(b'K') => "Key",
        Some(b'C') => "Config",
        Some(b'P') => "Product",
        _ => "Unknown",
    };
    let nature = match b.get(1) {
        Some(b'G') => "Gauge",
        Some(b'L') => "Limit",
        Some(b'M') => "Max",
        Some(b'R') => "Rate",
        Some(b'C') => "Counter",
        Some(b'D') => "Duration",
        Some(b'A') => "Age",
        Some(b'T') => "Time",
        Some(b'N') => "Name",
        Some(b'O') => "Output",
        Some(b'a') => "Avg",
        _ => "Unknown",
    };
    let scope = match b.get(2) {
        Some(b'P') => "Process",
        Some(b'S') => "Service",
        Some(b's') => "System",
        Some(b'C') => "Cluster",
        _ => "Unknown",
    };
    (origin, nature, scope)
}

/// JSON string escaping.
pub fn json_str(v: &str) -> String {
    let mut o = String::with_capacity(v.len() + 2);
    o.push('"');
    for ch in v.chars() {
        match ch {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            '\t' => o.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(o, "\\u{:04x}", c as u32);
            }
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

/// One typed value as HAProxy's JSON (`{"type":"u32","value":0}`).
pub fn json_value(ty: &str, v: &Val) -> String {
    match v {
        Val::Num(x) => format!("{{\"type\":\"{ty}\",\"value\":{x}}}"),
        Val::Str(t) => format!("{{\"type\":\"{ty}\",\"value\":{}}}", json_str(t)),
        Val::Empty => format!("{{\"type\":\"{ty}\",\"value\":\"\"}}"),
    }
}

pub fn json_tags(tags: &str) -> String {
    let (o, n, s) = tag_words(tags);
    format!("{{\"origin\":\"{o}\",\"nature\":\"{n}\",\"scope\":\"{s}\"}}")
}

/// `show stat json`: an array of rows, each an array of fields.
pub fn json(rows: &[Row]) -> String {
    let mut out = String::from("[");
    for (ri, r) in rows.iter().enumerate() {
        if ri > 0 {
            out.push(',');
        }
        out.push('[');
        let mut first = true;
        for (i, v) in r.vals.iter().enumerate() {
            if v.is_empty() {
                continue;
            }
            let Some(fd) = FIELDS.get(i) else { continue };
            let Some((tags, ty)) = fd.kinds[r.ty as usize] else {
                continue;
            };
            if !first {
                out.push(',');
            }
            first = false;
            let _ = write!(
                out,
                "{{\"objType\":\"{}\",\"proxyId\":{},\"id\":{},\"field\":{{\"pos\":{},\"name\":\"{}\"}},\"processNum\":1,\"tags\":{},\"value\":{}}}",
                r.ty.json_name(),
                r.iid,
                r.sid,
                typed_pos(i),
                fd.name,
                json_tags(tags),
                json_value(ty, v)
            );
        }
        out.push(']');
    }
    out.push_str("]\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// HAProxy 2.6.12's `show stat` header line.
    const HEADER: &str = "# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,check_duration,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,hanafail,req_rate,req_rate_max,req_tot,cli_abrt,srv_abrt,comp_in,comp_out,comp_byp,comp_rsp,lastsess,last_chk,last_agt,qtime,ctime,rtime,ttime,agent_status,agent_code,agent_duration,check_desc,agent_desc,check_rise,check_fall,check_health,agent_rise,agent_fall,agent_health,addr,cookie,mode,algo,conn_rate,conn_rate_max,conn_tot,intercepted,dcon,dses,wrew,connect,reuse,cache_lookups,cache_hits,srv_icur,src_ilim,qtime_max,ctime_max,rtime_max,ttime_max,eint,idle_conn_cur,safe_conn_cur,used_conn_cur,need_conn_est,uweight,agg_server_status,agg_server_check_status,agg_check_status,-,ssl_sess,ssl_reused_sess,ssl_failed_handshake,h2_headers_rcvd,h2_data_rcvd,h2_settings_rcvd,h2_rst_stream_rcvd,h2_goaway_rcvd,h2_detected_conn_protocol_errors,h2_detected_strm_protocol_errors,h2_rst_stream_resp,h2_goaway_resp,h2_open_connections,h2_backend_open_streams,h2_total_connections,h2_backend_total_streams,h1_open_connections,h1_open_streams,h1_total_connections,h1_total_streams,h1_bytes_in,h1_bytes_out,h1_spliced_bytes_in,h1_spliced_bytes_out,\n";

    #[test]
    fn header_is_haproxys() {
        assert_eq!(csv_header(), HEADER);
    }

    #[test]
    fn csv_quotes() {
        assert_eq!(csv_enc("a,b"), "\"a,b\"");
        assert_eq!(csv_enc("plain"), "plain");
    }

    #[test]
    fn rows_of_a_config() {
        let cfg = crate::proxy::engine::tests::config(
            "defaults\n mode http\n timeout client 1s\n timeout server 1s\n timeout connect 1s\nfrontend fe\n bind 127.0.0.1:0\n default_backend be\nbackend be\n server s1 127.0.0.1:1\n server s2 127.0.0.1:2 weight 3\n server s3 127.0.0.1:3 backup\n",
        );
        let e = Engine::from_ir(&cfg, std::path::Path::new(".")).expect("engine");
        e.stats.bind(&e, true);
        let rows = rows(&e, &Opts::default());
        let names: Vec<String> = rows
            .iter()
            .map(|r| format!("{},{}", r.text("pxname"), r.text("svname")))
            .collect();
        assert_eq!(
            names,
            ["fe,FRONTEND", "be,s1", "be,s2", "be,s3", "be,BACKEND"]
        );
        let be = &rows[4];
        // HAProxy 2.6.12: `be,BACKEND,...,UP,4,2,1,...` (weights of the active servers)
        assert_eq!(be.text("status"), "UP");
        assert_eq!(be.text("weight"), "4");
        assert_eq!(be.text("act"), "2");
        assert_eq!(be.text("bck"), "1");
        assert_eq!(be.text("iid"), "3");
        assert_eq!(rows[1].text("status"), "no check");
        assert_eq!(rows[2].text("weight"), "3");
        // an unused server's lastsess is -1, its slim empty
        assert_eq!(rows[3].text("lastsess"), "-1");
        assert_eq!(rows[3].text("slim"), "");
        let text = csv(&rows);
        assert!(text.lines().all(|l| l.ends_with(',')));
        assert_eq!(text.lines().nth(1).map(|l| l.split(',').count()), Some(129));
    }
}
