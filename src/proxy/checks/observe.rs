//! `observe layer4 | layer7`, `error-limit`, `on-error`: HAProxy 2.6's health analysis of
//! live traffic (src/check.c `__health_adjust`, `analyze_statuses`). Every connection
//! attempt and HTTP response to an observed server is classified; a success resets the
//! count of consecutive errors, an error adds one, and at `error-limit` (default 10) the
//! server's check task applies `on-error`: `fastinter` only runs the next check at once
//! (after `fastinter`), `fail-check` counts a failed check ("Health analyze"),
//! `sudden-death` first lowers the health to one failure above DOWN, `mark-down` to
//! DOWN at once.

use std::sync::Arc;
use std::sync::atomic::AtomicU32;
use std::sync::atomic::Ordering::Relaxed;

/// What the traffic saw (`enum healthcheck_analyze_status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hana {
    L4Ok,
    L4Err,
    HttpOk,
    HttpSts,
    HttpHdrRsp,
    HttpRsp,
    HttpReadError,
    HttpReadTimeout,
    HttpBrokenPipe,
}

impl Hana {
    /// `analyze_statuses[].desc`.
    pub fn desc(self) -> &'static str {
        match self {
            Hana::L4Ok => "L4 successful connection",
            Hana::L4Err => "L4 unsuccessful connection",
            Hana::HttpOk => "Correct http response",
            Hana::HttpSts => "Wrong http response",
            Hana::HttpHdrRsp => "Invalid http response (headers)",
            Hana::HttpRsp => "Invalid http response",
            Hana::HttpReadError => "Read error (http)",
            Hana::HttpReadTimeout => "Read timeout (http)",
            Hana::HttpBrokenPipe => "Close from server (http)",
        }
    }

    /// `analyze_statuses[].lr[observe - 1]`: `Some(true)` an error, `Some(false)` a
    /// success, `None` ignored.
    pub fn judge(self, layer7: bool) -> Option<bool> {
        match (self, layer7) {
            (Hana::L4Ok, false) => Some(false),
            (Hana::L4Ok, true) => None,
            (Hana::L4Err, _) => Some(true),
            (Hana::HttpOk, true) => Some(false),
            (_, false) => None,
            (_, true) => Some(true),
        }
    }

    /// The class of an HTTP response status from a server (`http_wait_for_response`):
    /// 5xx but 501 and 505 are errors.
    pub fn of_status(status: u16) -> Hana {
        if (100..500).contains(&status) || status == 501 || status == 505 {
            Hana::HttpOk
        } else {
            Hana::HttpSts
        }
    }
}

/// `on-error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnError {
    FastInter,
    #[default]
    FailCheck,
    SuddenDeath,
    MarkDown,
}

impl OnError {
    /// HAProxy's default is `fail-check` (DEF_HANA_ONERR; measured: without `on-error`
    /// the limit fails a check, "status: 2/3 UP").
    pub fn parse(v: Option<&str>) -> OnError {
        match v {
            Some("fastinter") => OnError::FastInter,
            Some("sudden-death") => OnError::SuddenDeath,
            Some("mark-down") => OnError::MarkDown,
            _ => OnError::FailCheck,
        }
    }
}

/// What the check task must apply: the mode and HAProxy's info text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HanaReq {
    pub on_error: OnError,
    pub info: String,
}

/// The health analysis of one server.
#[derive(Debug)]
pub struct Analyzer {
    layer7: bool,
    limit: u32,
    on_error: OnError,
    consecutive: AtomicU32,
}

impl Analyzer {
    /// `observe` (`layer4` / `layer7`; `None` or `none`: no analysis), `error-limit`
    /// (default 10), `on-error`.
    pub fn new(observe: Option<&str>, limit: Option<i64>, on_error: Option<&str>) -> Option<Self> {
        let layer7 = match observe? {
            "layer4" => false,
            "layer7" => true,
            _ => return None,
        };
        Some(Analyzer {
            layer7,
            limit: limit
                .and_then(|v| u32::try_from(v).ok())
                .filter(|&v| v > 0)
                .unwrap_or(10),
            on_error: OnError::parse(on_error),
            consecutive: AtomicU32::new(0),
        })
    }

    /// Accounts one observation; at the limit, the request for the check task.
    pub fn observe(&self, h: Hana) -> Option<HanaReq> {
        match h.judge(self.layer7)? {
            false => {
                self.consecutive.store(0, Relaxed);
                None
            }
            true => {
                let n = self.consecutive.fetch_add(1, Relaxed) + 1;
                if n < self.limit {
                    return None;
                }
                self.consecutive.store(0, Relaxed);
                Some(HanaReq {
                    on_error: self.on_error,
                    info: format!(
                        "Detected {n} consecutive errors, last one was: {}",
                        h.desc()
                    ),
                })
            }
        }
    }
}

/// What a backend calls for every observation of server `si` (its index in the
/// backend's server list).
#[derive(Clone)]
pub struct Observer(Arc<dyn Fn(usize, Hana) + Send + Sync>);

impl Observer {
    pub fn call(&self, si: usize, h: Hana) {
        (self.0)(si, h)
    }
}

impl std::fmt::Debug for Observer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Observer")
    }
}

/// Gives every backend with an observed server its [`Observer`]: the analysis counts
/// there, and a request at the limit goes to the server's check task (its
/// [`super::live::Live`]).
pub fn install(engine: &crate::proxy::engine::Engine) {
    for be in engine.backends() {
        let per: Vec<Option<(Analyzer, Arc<super::live::Live>)>> = be
            .servers
            .iter()
            .map(|s| {
                let o = &s.ir.opts;
                if !o.check {
                    return None;
                }
                let a = Analyzer::new(o.observe.as_deref(), o.error_limit, o.on_error.as_deref())?;
                let live = super::live::get(engine.stopping(), &be.name, s.ir_idx, false);
                Some((a, live))
            })
            .collect();
        if per.iter().all(Option::is_none) {
            continue;
        }
        let f = Observer(Arc::new(move |si: usize, h: Hana| {
            if let Some(Some((a, live))) = per.get(si)
                && let Some(req) = a.observe(h)
            {
                live.push_hana(req);
            }
        }));
        let _ = be.observer.set(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_consecutive_errors_to_the_limit() {
        // HAProxy 2.6.12: `observe layer7 error-limit 3 on-error mark-down`, three 500s:
        // "Detected 3 consecutive errors, last one was: Wrong http response"
        let a = Analyzer::new(Some("layer7"), Some(3), Some("mark-down")).expect("observed");
        assert_eq!(a.observe(Hana::of_status(500)), None);
        assert_eq!(a.observe(Hana::of_status(503)), None);
        // a good answer starts the count again
        assert_eq!(a.observe(Hana::of_status(200)), None);
        assert_eq!(a.observe(Hana::of_status(500)), None);
        assert_eq!(a.observe(Hana::of_status(500)), None);
        // layer 4 successes do not reset a layer 7 analysis
        assert_eq!(a.observe(Hana::L4Ok), None);
        assert_eq!(
            a.observe(Hana::of_status(502)),
            Some(HanaReq {
                on_error: OnError::MarkDown,
                info: "Detected 3 consecutive errors, last one was: Wrong http response".into()
            })
        );
        assert_eq!(
            a.observe(Hana::of_status(500)),
            None,
            "counted from 0 again"
        );
        assert_eq!(Hana::of_status(501), Hana::HttpOk);
        assert_eq!(Hana::of_status(505), Hana::HttpOk);
    }

    #[test]
    fn layer4_sees_connections_only() {
        let a = Analyzer::new(Some("layer4"), Some(2), Some("fail-check")).expect("observed");
        assert_eq!(a.observe(Hana::of_status(500)), None);
        assert_eq!(a.observe(Hana::L4Err), None);
        let r = a.observe(Hana::L4Err).expect("at the limit");
        assert_eq!(
            r.info,
            "Detected 2 consecutive errors, last one was: L4 unsuccessful connection"
        );
        assert!(Analyzer::new(Some("none"), None, None).is_none());
        assert!(Analyzer::new(None, Some(1), None).is_none());
        let d = Analyzer::new(Some("layer4"), None, None).expect("observed");
        assert_eq!((d.limit, d.on_error), (10, OnError::FailCheck));
    }
}
