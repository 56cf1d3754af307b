//! What the proxy engine would silently not do: every directive, option, rule action,
//! server/bind option and sample the config uses is looked up in the grammar tables, and
//! the ones whose status is not `implemented` become a startup warning at file:line.
//!
//! The grammar tables are the single source of truth: marking a keyword `implemented`
//! there (when the engine acts on it) is what silences its warning, and the same status
//! feeds the support matrix and the man pages. `haproxy -c` does not print these (its
//! output must stay identical to HAProxy's); the run mode and `tandem check` do.

use std::collections::HashSet;

use crate::config::diag::{Diag, Level, Loc};
use crate::grammar::{Status, grammar};
use crate::ir::haproxy::expr::{Acl, AclRef, Action, Bind, Condition, Rule, Sample, Server};
use crate::ir::haproxy::{Config, Located, Proxy, Span};

/// One keyword the engine does not act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub loc: Option<Loc>,
    /// The proxy it belongs to (None for the global section and other sections).
    pub proxy: Option<String>,
    pub table: &'static str,
    pub keyword: String,
    pub status: Status,
}

impl Finding {
    /// The warning as HAProxy-style text (after the `[WARNING]  (PID) : ` prefix).
    pub fn text(&self) -> String {
        let what = match self.table {
            "haproxy-server" => format!("server option '{}'", self.keyword),
            "haproxy-bind" => format!("bind option '{}'", self.keyword),
            "haproxy-samples" => match self.keyword.split_once(' ') {
                Some(("fetch", n)) => format!("sample fetch '{n}'"),
                Some(("conv", n)) => format!("converter '{n}'"),
                Some(("acl", n)) => format!("ACL keyword '{n}'"),
                _ => format!("'{}'", self.keyword),
            },
            _ => format!("'{}'", self.keyword),
        };
        let how = match self.status {
            Status::Noop => "is accepted as a no-op by tandem",
            _ => "is parsed but not yet acted on by tandem's proxy engine; it has no effect",
        };
        let place = match (&self.loc, &self.proxy) {
            (Some(l), Some(p)) => format!("parsing [{}:{}] : proxy '{p}' : ", l.file, l.line),
            (Some(l), None) => format!("parsing [{}:{}] : ", l.file, l.line),
            (None, Some(p)) => format!("proxy '{p}' : "),
            (None, None) => String::new(),
        };
        format!("config : {place}{what} {how}.")
    }

    pub fn diag(&self) -> Diag {
        Diag::new(Level::Warning, self.loc.clone(), self.text())
    }
}

/// (table, keyword, file:line, proxy): one warning per keyword and place.
type SeenKey = (&'static str, String, Option<(String, u32)>, Option<String>);

struct Audit<'a> {
    seen: HashSet<SeenKey>,
    out: Vec<Finding>,
    proxy: Option<&'a str>,
}

fn loc(span: &Span) -> Option<Loc> {
    (!span.file.is_empty()).then(|| Loc::new(span.file.clone(), span.line))
}

fn file_loc(file: &str, line: u32) -> Option<Loc> {
    (!file.is_empty()).then(|| Loc::new(file, line))
}

impl<'a> Audit<'a> {
    /// Looks `keyword` up in `table`; a miss is not a finding (the parser already
    /// refused what it does not know, so a miss means a key this audit spells differently).
    fn check(&mut self, table: &'static str, keyword: &str, loc: Option<Loc>) {
        let Some(k) = grammar().get(table, keyword) else {
            return;
        };
        if !matches!(k.status, Status::Parsed | Status::Noop) {
            return;
        }
        let proxy = self.proxy.map(str::to_string);
        let key = (
            table,
            keyword.to_string(),
            loc.as_ref().map(|l| (l.file.clone(), l.line)),
            proxy.clone(),
        );
        if self.seen.insert(key) {
            self.out.push(Finding {
                loc,
                proxy,
                table,
                keyword: keyword.to_string(),
                status: k.status,
            });
        }
    }

    fn first_known(&mut self, table: &'static str, candidates: &[String], loc: Option<Loc>) {
        if let Some(c) = candidates
            .iter()
            .find(|c| grammar().get(table, c).is_some())
        {
            self.check(table, c, loc);
        }
    }

    fn sample(&mut self, s: &Sample, acl_kw: Option<&str>, loc: Option<Loc>) {
        match acl_kw {
            Some(kw)
                if grammar()
                    .get("haproxy-samples", &format!("acl {kw}"))
                    .is_some() =>
            {
                self.check("haproxy-samples", &format!("acl {kw}"), loc.clone());
            }
            _ => {
                if !s.fetch.is_empty() {
                    self.check(
                        "haproxy-samples",
                        &format!("fetch {}", s.fetch),
                        loc.clone(),
                    );
                }
            }
        }
        for c in &s.converters {
            self.check("haproxy-samples", &format!("conv {}", c.name), loc.clone());
        }
    }

    fn acl(&mut self, a: &Acl, loc: Option<Loc>) {
        self.sample(&a.sample, a.keyword.as_deref(), loc);
    }

    fn cond(&mut self, c: &Condition, loc: Option<Loc>) {
        for term in c.any_of.iter().flatten() {
            if let AclRef::Anonymous(a) = &term.acl {
                self.acl(a, loc.clone());
            }
        }
    }

    fn rule(&mut self, r: &Located<Rule>) {
        let l = loc(&r.span);
        let rule = &r.value;
        self.check("haproxy-proxy", &rule.keyword, l.clone());
        let base = rule.action.split('(').next().unwrap_or("");
        let mut cands = Vec::new();
        let head = match &rule.ruleset {
            Some(rs) => format!("{} {rs}", rule.keyword),
            None => rule.keyword.clone(),
        };
        if !rule.action.is_empty() {
            cands.push(format!("{head} {}", rule.action));
            cands.push(format!("{head} {base}(*)"));
            // track-sc0..2 are one family in the tables.
            if let Some(n) = base.strip_prefix("track-sc")
                && n.parse::<u8>().is_ok()
            {
                cands.push(format!("{head} track-sc(*)"));
            }
        }
        cands.push(head.clone());
        self.first_known("haproxy-actions", &cands, l.clone());
        if let Some(c) = &rule.cond {
            self.cond(c, l.clone());
        }
        match &rule.action_args {
            Action::SetVar { expr, .. }
            | Action::Capture { expr, .. }
            | Action::Stick { expr, .. } => self.sample(expr, None, l),
            Action::TrackSc { key, .. } => self.sample(key, None, l),
            _ => {}
        }
    }

    fn server(&mut self, s: &Server) {
        let l = file_loc(&s.file, s.line);
        let o = &s.opts;
        let flags: [(&str, bool); 30] = [
            ("check", o.check),
            ("check-ssl", o.check_ssl),
            ("check-send-proxy", o.check_send_proxy),
            ("agent-check", o.agent_check),
            ("inter", o.inter.is_some()),
            ("fastinter", o.fastinter.is_some()),
            ("downinter", o.downinter.is_some()),
            ("slowstart", o.slowstart.is_some()),
            ("rise", o.rise.is_some()),
            ("fall", o.fall.is_some()),
            ("port", o.port.is_some()),
            ("addr", o.addr.is_some()),
            ("weight", o.weight.is_some()),
            ("maxconn", o.maxconn.is_some()),
            ("minconn", o.minconn.is_some()),
            ("maxqueue", o.maxqueue.is_some()),
            ("backup", o.backup),
            ("cookie", o.cookie.is_some()),
            ("id", o.id.is_some()),
            ("ssl", o.ssl),
            ("verify", o.verify.is_some()),
            ("sni", o.sni.is_some()),
            ("send-proxy", o.send_proxy),
            ("send-proxy-v2", o.send_proxy_v2),
            ("disabled", o.disabled),
            ("resolvers", o.resolvers.is_some()),
            ("on-marked-down", o.on_marked_down.is_some()),
            ("on-marked-up", o.on_marked_up.is_some()),
            ("observe", o.observe.is_some()),
            ("track", o.track.is_some()),
        ];
        for (kw, on) in flags {
            if on {
                self.check("haproxy-server", kw, l.clone());
            }
        }
        let more: [(&str, bool); 14] = [
            ("verifyhost", o.verifyhost.is_some()),
            ("ca-file", o.ca_file.is_some()),
            ("crl-file", o.crl_file.is_some()),
            ("crt", o.crt.is_some()),
            ("check-sni", o.check_sni.is_some()),
            ("alpn", o.alpn.is_some()),
            ("ciphers", o.ciphers.is_some()),
            ("ciphersuites", o.ciphersuites.is_some()),
            ("ssl-min-ver", o.ssl_min_ver.is_some()),
            ("ssl-max-ver", o.ssl_max_ver.is_some()),
            ("send-proxy-v2-ssl", o.send_proxy_v2_ssl),
            ("send-proxy-v2-ssl-cn", o.send_proxy_v2_ssl_cn),
            ("error-limit", o.error_limit.is_some()),
            ("non-stick", o.non_stick),
        ];
        for (kw, on) in more {
            if on {
                self.check("haproxy-server", kw, l.clone());
            }
        }
        if !o.init_addr.is_empty() {
            self.check("haproxy-server", "init-addr", l.clone());
        }
        for (kw, on) in [
            ("resolve-prefer", o.resolve_prefer.is_some()),
            ("on-error", o.on_error.is_some()),
            ("proto", o.proto.is_some()),
        ] {
            if on {
                self.check("haproxy-server", kw, l.clone());
            }
        }
        for (kw, _) in &o.other {
            self.check("haproxy-server", kw, l.clone());
        }
    }

    fn bind(&mut self, b: &Bind) {
        let l = file_loc(&b.file, b.line);
        let o = &b.opts;
        let flags: [(&str, bool); 33] = [
            ("ssl", o.ssl),
            ("crt", !o.crt.is_empty()),
            ("crt-list", !o.crt_list.is_empty()),
            ("ca-file", o.ca_file.is_some()),
            ("alpn", o.alpn.is_some()),
            ("npn", o.npn.is_some()),
            ("ciphers", o.ciphers.is_some()),
            ("ciphersuites", o.ciphersuites.is_some()),
            ("curves", o.curves.is_some()),
            ("ssl-min-ver", o.ssl_min_ver.is_some()),
            ("ssl-max-ver", o.ssl_max_ver.is_some()),
            ("verify", o.verify.is_some()),
            ("accept-proxy", o.accept_proxy),
            ("transparent", o.transparent),
            ("v4v6", o.v4v6),
            ("v6only", o.v6only),
            ("defer-accept", o.defer_accept),
            ("tfo", o.tfo),
            ("strict-sni", o.strict_sni),
            ("no-sslv3", o.no_sslv3),
            ("no-tlsv10", o.no_tlsv10),
            ("no-tlsv11", o.no_tlsv11),
            ("no-tlsv12", o.no_tlsv12),
            ("no-tlsv13", o.no_tlsv13),
            ("no-tls-tickets", o.no_tls_tickets),
            ("prefer-client-ciphers", o.prefer_client_ciphers),
            ("name", o.name.is_some()),
            ("id", o.id.is_some()),
            ("maxconn", o.maxconn.is_some()),
            ("backlog", o.backlog.is_some()),
            ("interface", o.interface.is_some()),
            ("namespace", o.namespace.is_some()),
            ("mode", o.mode.is_some()),
        ];
        for (kw, on) in flags {
            if on {
                self.check("haproxy-bind", kw, l.clone());
            }
        }
        for (kw, on) in [
            ("user", o.user.is_some()),
            ("group", o.group.is_some()),
            ("uid", o.uid.is_some()),
            ("gid", o.gid.is_some()),
            ("level", o.level.is_some()),
            ("process", o.process.is_some()),
            ("thread", o.thread.is_some()),
            ("proto", o.proto.is_some()),
        ] {
            if on {
                self.check("haproxy-bind", kw, l.clone());
            }
        }
        for (kw, _) in &o.other {
            self.check("haproxy-bind", kw, l.clone());
        }
    }

    fn proxy(&mut self, p: &'a Proxy) {
        self.proxy = Some(&p.name);
        let pl = loc(&p.span);
        let s = &p.settings;
        for o in &s.options {
            // `no option X` is reported too: the engine would not honour the default it restores.
            self.check("haproxy-proxy", &format!("option {}", o.name), loc(&o.span));
        }
        for d in &s.other {
            self.check("haproxy-proxy", &d.keyword, loc(&d.span));
        }
        let t = &s.timeouts;
        for (name, set) in [
            ("client", t.client),
            ("server", t.server),
            ("connect", t.connect),
            ("check", t.check),
            ("queue", t.queue),
            ("http-request", t.http_request),
            ("http-keep-alive", t.http_keep_alive),
            ("tunnel", t.tunnel),
            ("tarpit", t.tarpit),
            ("client-fin", t.client_fin),
            ("server-fin", t.server_fin),
        ] {
            if set.is_some() {
                self.check("haproxy-proxy", &format!("timeout {name}"), pl.clone());
            }
        }
        let typed: [(&str, bool); 17] = [
            ("log", !s.log.is_empty()),
            ("retries", s.retries.is_some()),
            ("maxconn", s.maxconn.is_some()),
            ("fullconn", s.fullconn.is_some()),
            ("backlog", s.backlog.is_some()),
            ("balance", s.balance.is_some()),
            ("hash-type", s.hash_type.is_some()),
            ("cookie", s.cookie.is_some()),
            ("log-format", s.log_format.is_some()),
            ("unique-id-format", s.unique_id_format.is_some()),
            ("unique-id-header", s.unique_id_header.is_some()),
            ("monitor-uri", s.monitor_uri.is_some()),
            ("stats", s.stats.enabled || s.stats.uri.is_some()),
            (
                "compression",
                !s.compression.algo.is_empty() || !s.compression.types.is_empty(),
            ),
            ("http-reuse", s.http_reuse.is_some()),
            ("default_backend", s.default_backend.is_some()),
            ("stick-table", p.stick_table.is_some()),
        ];
        for (kw, on) in typed {
            if on {
                self.check("haproxy-proxy", kw, pl.clone());
            }
        }
        for e in &s.errorfiles {
            self.check("haproxy-proxy", &e.keyword, pl.clone());
        }
        if !p.captures.is_empty() {
            self.check("haproxy-proxy", "capture", pl.clone());
        }
        for a in &p.acls {
            self.acl(&a.value, loc(&a.span));
        }
        for r in &p.rules {
            self.rule(r);
        }
        for u in &p.use_backends {
            self.check("haproxy-proxy", "use_backend", loc(&u.span));
            if let Some(c) = &u.cond {
                self.cond(c, loc(&u.span));
            }
        }
        for b in &p.binds {
            self.bind(&b.value);
        }
        for sv in &p.servers {
            self.server(&sv.value);
        }
        self.proxy = None;
    }
}

/// Everything in `cfg` that the engine would not act on, in config order.
pub fn unimplemented(cfg: &Config) -> Vec<Finding> {
    let mut a = Audit {
        seen: HashSet::new(),
        out: Vec::new(),
        proxy: None,
    };
    let g = &cfg.global;
    for d in g.other.iter().chain(&g.tune).chain(&g.ssl_defaults) {
        a.check("haproxy-global", &d.keyword, loc(&d.span));
    }
    let typed: [(&str, bool); 16] = [
        ("log", !g.log.is_empty()),
        ("log-send-hostname", g.log_send_hostname.is_some()),
        ("log-tag", g.log_tag.is_some()),
        ("maxconn", g.maxconn.is_some()),
        ("user", g.user.is_some()),
        ("group", g.group.is_some()),
        ("chroot", g.chroot.is_some()),
        ("daemon", g.daemon),
        ("master-worker", g.master_worker),
        ("pidfile", g.pidfile.is_some()),
        ("nbthread", g.nbthread.is_some()),
        ("cpu-map", !g.cpu_map.is_empty()),
        (
            "stats",
            !g.stats_sockets.is_empty() || g.stats_timeout_ms.is_some(),
        ),
        ("hard-stop-after", g.hard_stop_after_ms.is_some()),
        ("spread-checks", g.spread_checks.is_some()),
        ("ca-base", g.ca_base.is_some()),
    ];
    for (kw, on) in typed {
        if on {
            a.check("haproxy-global", kw, None);
        }
    }
    for p in &cfg.proxies {
        if !p.disabled {
            a.proxy(p);
        }
    }
    for o in &cfg.other_sections {
        a.check("haproxy-global", &o.kind, loc(&o.span));
    }
    a.out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::haproxy::parser::{LoadOptions, load_from_memory};

    fn findings(text: &str) -> Vec<String> {
        let out = load_from_memory("t.cfg", text.as_bytes(), &LoadOptions::default());
        let cfg = out.config.expect("valid config");
        unimplemented(&cfg).into_iter().map(|f| f.text()).collect()
    }

    #[test]
    fn unacted_keywords_are_reported_at_their_line() {
        // Neither `max-keep-alive-queue` nor DNS resolvers are run by the engine (grammar: parsed).
        let text = "frontend f\n    bind :8080\n    default_backend b\nbackend b\n    max-keep-alive-queue 10\n    server s 127.0.0.1:80\nresolvers dns\n    nameserver a 127.0.0.1:53\n";
        let f = findings(text);
        assert!(
            f.contains(&"config : parsing [t.cfg:5] : proxy 'b' : 'max-keep-alive-queue' is parsed but not yet acted on by tandem's proxy engine; it has no effect.".to_string()),
            "{f:?}"
        );
        assert!(
            f.contains(&"config : parsing [t.cfg:7] : 'resolvers' is parsed but not yet acted on by tandem's proxy engine; it has no effect.".to_string()),
            "{f:?}"
        );
    }

    #[test]
    fn sections_the_engine_does_not_run_are_reported() {
        let text = "frontend f\n    bind :8080\n    default_backend b\nbackend b\n    server s 127.0.0.1:80\n\
program p\n    command /bin/true\nmailers m\n    mailer m1 127.0.0.1:25\ncache c\n    total-max-size 4\n\
ring r\n    size 32764\nhttp-errors e\n";
        let f = findings(text);
        for (line, kind) in [(6, "program"), (8, "mailers"), (10, "cache")] {
            let want = format!(
                "config : parsing [t.cfg:{line}] : '{kind}' is parsed but not yet acted on by tandem's proxy engine; it has no effect."
            );
            assert!(f.contains(&want), "{kind}: {f:?}");
        }
        // what the engine runs is not reported
        assert!(
            !f.iter()
                .any(|x| x.contains("'ring'") || x.contains("'http-errors'")),
            "{f:?}"
        );
    }

    #[test]
    fn one_finding_per_keyword_and_place() {
        let text = "defaults\n    mode http\n    option httplog\nfrontend a\n    bind :8080\n    default_backend b\nfrontend c\n    bind :8081\n    default_backend b\nbackend b\n    server s 127.0.0.1:80\n";
        let out = load_from_memory("t.cfg", text.as_bytes(), &LoadOptions::default());
        let cfg = out.config.expect("valid config");
        let f = unimplemented(&cfg);
        let mut keys: Vec<_> = f
            .iter()
            .map(|x| (x.keyword.clone(), format!("{:?}", x.loc), x.proxy.clone()))
            .collect();
        let n = keys.len();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), n);
    }
}
