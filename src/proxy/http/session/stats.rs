//! HAProxy 2.6's statistics page as an applet of the HTTP session: the request that
//! reaches a proxy's `stats uri` is answered by tandem itself (the page, `;csv`, `;json`,
//! admin POSTs; see [`crate::proxy::stats::page`]); when `stats auth` accounts are
//! configured and the request does not carry one of them, it is answered with the 401
//! challenge of `stats realm`.
//!
//! Measured on HAProxy 2.6.12 (`listen st` + `stats uri /st` + `stats auth admin:pw`):
//! - the URI is a prefix of the request path (query included): `/stx?a` is a stats request;
//! - `stats enable` alone serves `/haproxy?stats`;
//! - the challenge is the proxy's 401 page with `www-authenticate: Basic
//!   realm="HAProxy Statistics"` (the default realm) after its headers; `stats realm
//!   welcome login\ Haproxy` uses its first word, "welcome";
//! - the applet's log line names `<STATS>` as the server and ends `LR--`.

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite};

use super::{Next, Session};
use crate::ir::haproxy::Stats;
use crate::proxy::acl::{CompileEnv, CompiledCond, Dir};
use crate::proxy::http::h1::BodyKind;
use crate::proxy::http::msg::RequestHead;
use crate::proxy::rules::Txn;

/// HAProxy's `STATS_DEFAULT_URI`.
const DEFAULT_URI: &str = "/haproxy?stats";
/// HAProxy's `STATS_DEFAULT_REALM`.
const DEFAULT_REALM: &str = "HAProxy Statistics";

/// The realm to challenge this request with, when it is a stats request without valid
/// credentials; `None` when it is not a stats request or it may pass.
pub(super) fn challenge<'a>(stats: &'a Stats, req: &RequestHead) -> Option<&'a str> {
    if !stats.enabled || stats.auth.is_empty() || !stats.http_request.is_empty() {
        return None;
    }
    let prefix = stats.uri.as_deref().unwrap_or(DEFAULT_URI);
    if !path_of(&req.uri).starts_with(prefix) {
        return None;
    }
    let ok = crate::proxy::acl::basic_credentials(&req.headers).is_some_and(|(u, p)| {
        stats
            .auth
            .iter()
            .any(|a| a.split_once(':').is_some_and(|(au, ap)| au == u && ap == p))
    });
    (!ok).then(|| stats.realm.as_deref().unwrap_or(DEFAULT_REALM))
}

/// The largest admin POST body read (HAProxy's buffer holds the form).
const MAX_POST: u64 = 16 * 1024;

/// The part of the path after the stats URI, when this request is for the stats page.
pub(super) fn stats_rest<'a>(stats: &Stats, req: &'a RequestHead) -> Option<&'a str> {
    if !stats.enabled {
        return None;
    }
    let prefix = stats.uri.as_deref().unwrap_or(DEFAULT_URI);
    path_of(&req.uri).strip_prefix(prefix)
}

impl Session {
    /// Serves the statistics page when `txn` asks for it (called once the `stats auth`
    /// challenge passed): `Some(next)` when it answered.
    /// `be`: the request reached the `stats uri` of this backend (HAProxy checks each
    /// proxy's after its `http-request` rules; its `http-after-response` rules then apply).
    pub(super) async fn stats_applet<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        cs: &mut S,
        txn: &mut Txn,
        body: &BodyKind,
        keep_ok: bool,
        be: Option<&crate::proxy::backend::Backend>,
    ) -> Option<Next> {
        let fe = self.fe.clone();
        let px = be.map_or(&fe.ir, |b| &b.ir);
        let st = &px.settings.stats;
        let rest = stats_rest(st, &txn.req)?;
        let prefix = st.uri.as_deref().unwrap_or(DEFAULT_URI).to_string();
        let admin = !st.admin.is_empty() && {
            let acls: Vec<_> = px.acls.iter().map(|a| a.value.clone()).collect();
            // `stats admin if { http_auth(L) }` needs the userlists
            let users = CompileEnv::userlists(&crate::ir::haproxy::Config {
                userlists: self.engine.userlists.clone(),
                ..Default::default()
            });
            let env = CompileEnv {
                acls: &acls,
                userlists: &users,
                base_dir: &fe.base_dir,
                proxy: &px.name,
            };
            let ext = self.ext();
            let ctx = txn.ctx(&px.name, Dir::Request, &ext);
            st.admin
                .iter()
                .all(|c| CompiledCond::compile(c, &env).is_ok_and(|cc| cc.eval(&ctx)))
        };
        let bytes = if txn.req.method == "POST" {
            let want = match body {
                BodyKind::Length(n) if *n <= MAX_POST => *n as usize,
                BodyKind::None => 0,
                _ => return Some(Next::Close),
            };
            while self.cbuf.len() < want {
                match cs.read_buf(&mut self.cbuf).await {
                    Ok(0) | Err(_) => return Some(Next::Close),
                    Ok(_) => {}
                }
            }
            let form = self.cbuf.split_to(want);
            crate::proxy::stats::page::serve_post(&self.engine, &prefix, &form, admin)
        } else {
            crate::proxy::stats::page::serve_get(&self.engine, st, &prefix, rest, admin)
        };
        let rec = &mut self.tlog.rec;
        rec.server_name = Some("<STATS>".into());
        rec.backend_name = Some(px.name.as_str().into());
        rec.term = *b"LR";
        let keep = keep_ok || matches!(body, BodyKind::Length(_));
        Some(self.send_reply(cs, be, &bytes, false, txn, keep).await)
    }
}

impl Session {
    /// `http-request use-service NAME`: `prometheus-exporter` answers with the metrics;
    /// an unknown service closes (HAProxy refuses such a config at parse time).
    pub(super) async fn service_applet<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        cs: &mut S,
        txn: &mut Txn,
        name: &str,
        keep_ok: bool,
    ) -> Next {
        if name != "prometheus-exporter" {
            return Next::Close;
        }
        let bytes = crate::proxy::stats::prom::response(&self.engine);
        let rec = &mut self.tlog.rec;
        rec.server_name = Some("<PROMEX>".into());
        rec.term = *b"LR";
        self.send_reply(cs, None, &bytes, false, txn, keep_ok).await
    }
}

/// The path of a request target (from the first `/` after an absolute URI's authority).
fn path_of(uri: &str) -> &str {
    match uri.find("://") {
        Some(i) => {
            let rest = &uri[i + 3..];
            rest.find('/').map_or("", |j| &rest[j..])
        }
        None => uri,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(uri: &str, auth: Option<&str>) -> RequestHead {
        let mut r = RequestHead {
            method: "GET".into(),
            uri: uri.into(),
            ..Default::default()
        };
        if let Some(a) = auth {
            r.headers.add("Authorization".to_string(), a.to_string());
        }
        r
    }

    #[test]
    fn prefix_auth_and_default_realm() {
        // HAProxy 2.6.12: `stats uri /st` + `stats auth admin:pw`.
        let st = Stats {
            enabled: true,
            uri: Some("/st".into()),
            auth: vec!["admin:pw".into()],
            ..Default::default()
        };
        assert_eq!(
            challenge(&st, &req("/st", None)),
            Some("HAProxy Statistics")
        );
        assert_eq!(
            challenge(&st, &req("/stx?a", None)),
            Some("HAProxy Statistics")
        );
        assert_eq!(challenge(&st, &req("/other", None)), None);
        // admin:pw
        assert_eq!(
            challenge(&st, &req("/st", Some("Basic YWRtaW46cHc="))),
            None
        );
        // admin:no
        assert_eq!(
            challenge(&st, &req("/st", Some("Basic YWRtaW46bm8="))),
            Some("HAProxy Statistics")
        );
        let en = Stats {
            enabled: true,
            realm: Some("welcome".into()),
            auth: vec!["admin:pw".into()],
            ..Default::default()
        };
        assert_eq!(
            challenge(&en, &req("/haproxy?stats", None)),
            Some("welcome")
        );
        assert_eq!(challenge(&en, &req("/st", None)), None);
    }
}
