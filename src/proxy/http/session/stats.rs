//! The part of HAProxy 2.6's statistics page tandem runs today: the request that reaches a
//! proxy's `stats uri` is recognised and, when `stats auth` accounts are configured and the
//! request does not carry one of them, answered with the 401 challenge of `stats realm`.
//! The statistics report itself is not rendered (issue 6): an authenticated request goes
//! on like any other.
//!
//! Measured on HAProxy 2.6.12 (`listen st` + `stats uri /st` + `stats auth admin:pw`):
//! - the URI is a prefix of the request path (query included): `/stx?a` is a stats request;
//! - `stats enable` alone serves `/haproxy?stats`;
//! - the challenge is the proxy's 401 page with `www-authenticate: Basic
//!   realm="HAProxy Statistics"` (the default realm) after its headers; `stats realm
//!   welcome login\ Haproxy` uses its first word, "welcome".

use crate::ir::haproxy::Stats;
use crate::proxy::http::msg::RequestHead;

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
