//! The Prometheus exporter (`http-request use-service prometheus-exporter`): HAProxy
//! 2.6.12's metric families in its order ([`super::prom_table::METRICS`]), read from the
//! same rows as `show stat` and `show info`, then tandem's own `tandem_build_info`.
//!
//! Measured on HAProxy 2.6.12: `200 OK`, `cache-control: no-cache`, `content-type:
//! text/plain; version=0.0.4`; an empty field is `NaN`; seconds are printed with six
//! decimals; `status` has one sample per state (objects outer), `http_responses_total` one
//! per status class (classes outer).

use std::fmt::Write as _;

use super::prom_table::METRICS;
use super::report::{self, ObjType, Opts, Row, Val};
use crate::proxy::engine::Engine;

fn label_esc(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn value_text(v: &Val, div1000: bool) -> String {
    match v {
        Val::Num(n) if div1000 => format!("{:.6}", *n as f64 / 1000.0),
        Val::Num(n) => n.to_string(),
        Val::Str(s) => s.parse::<f64>().map_or("NaN".into(), |f| f.to_string()),
        Val::Empty => "NaN".into(),
    }
}

fn labels(r: &Row) -> String {
    if r.ty == ObjType::Server {
        format!(
            "proxy=\"{}\",server=\"{}\"",
            label_esc(&r.text("pxname")),
            label_esc(&r.text("svname"))
        )
    } else {
        format!("proxy=\"{}\"", label_esc(&r.text("pxname")))
    }
}

/// The whole `/metrics` body.
pub fn render(engine: &Engine) -> String {
    let rows = report::rows(
        engine,
        &Opts {
            legends: true,
            ..Default::default()
        },
    );
    let info = super::info::values(engine);
    let info_of = |name: &str| {
        super::info::INFO_FIELDS
            .iter()
            .position(|f| f.0 == name)
            .and_then(|i| info.get(i))
            .cloned()
            .unwrap_or(Val::Empty)
    };
    let mut o = String::new();
    for m in METRICS {
        let _ = write!(
            o,
            "# HELP {} {}\n# TYPE {} {}\n",
            m.name, m.help, m.name, m.ty
        );
        let ty = match m.obj {
            'F' => ObjType::Frontend,
            'B' => ObjType::Backend,
            'S' => ObjType::Server,
            _ => {
                match m.src {
                    "build_info" => {
                        let _ = writeln!(
                            o,
                            "{}{{version=\"{}\"}} 1",
                            m.name,
                            label_esc(&super::info::version())
                        );
                    }
                    "nan" => {
                        let _ = writeln!(o, "{} NaN", m.name);
                    }
                    src => {
                        let _ = writeln!(o, "{} {}", m.name, value_text(&info_of(src), false));
                    }
                }
                continue;
            }
        };
        let objs: Vec<&Row> = rows.iter().filter(|r| r.ty == ty).collect();
        match m.src {
            "status" => {
                let states: &[&str] = match ty {
                    ObjType::Server => &["DOWN", "UP", "MAINT", "DRAIN", "NOLB"],
                    _ => &["DOWN", "UP"],
                };
                for r in &objs {
                    // "UP 1/3", "DOWN 1/2", "DRAIN 2/3": the state is the first word
                    let text = r.text("status");
                    let word = if text == "no check" {
                        "UP"
                    } else {
                        text.split(' ').next().unwrap_or("")
                    };
                    let cur = match word {
                        "OPEN" | "UP" | "no check" => "UP",
                        "MAINT" => "MAINT",
                        "DRAIN" => "DRAIN",
                        "NOLB" => "NOLB",
                        _ => "DOWN",
                    };
                    for s in states {
                        let _ = writeln!(
                            o,
                            "{}{{{},state=\"{s}\"}} {}",
                            m.name,
                            labels(r),
                            u8::from(*s == cur)
                        );
                    }
                }
            }
            "hrsp" => {
                for (code, field) in [
                    ("1xx", "hrsp_1xx"),
                    ("2xx", "hrsp_2xx"),
                    ("3xx", "hrsp_3xx"),
                    ("4xx", "hrsp_4xx"),
                    ("5xx", "hrsp_5xx"),
                    ("other", "hrsp_other"),
                ] {
                    for r in &objs {
                        let _ = writeln!(
                            o,
                            "{}{{{},code=\"{code}\"}} {}",
                            m.name,
                            labels(r),
                            value_text(r.get(field), false)
                        );
                    }
                }
            }
            src => {
                let (field, div) = match src.strip_suffix("/1000") {
                    Some(f) => (f, true),
                    None => (src, false),
                };
                for r in &objs {
                    let _ = writeln!(
                        o,
                        "{}{{{}}} {}",
                        m.name,
                        labels(r),
                        value_text(r.get(field), div)
                    );
                }
            }
        }
    }
    if let Some(feed) = engine.stats.vrrp.get() {
        super::vrrp::render(&feed.get(), &mut o);
    }
    let _ = write!(
        o,
        "# HELP tandem_build_info tandem's version and the HAProxy and keepalived releases it behaves as.\n# TYPE tandem_build_info gauge\ntandem_build_info{{version=\"{}\",haproxy=\"2.6.12\",keepalived=\"2.2.7\"}} 1\n",
        env!("CARGO_PKG_VERSION")
    );
    o
}

/// The full HTTP response of the exporter.
pub fn response(engine: &Engine) -> Vec<u8> {
    let body = render(engine);
    let mut b = format!(
        "HTTP/1.1 200 OK\r\ncache-control: no-cache\r\ncontent-type: text/plain; version=0.0.4\r\ncontent-length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    b.extend_from_slice(body.as_bytes());
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_and_samples() {
        let cfg = crate::proxy::engine::tests::config(
            "defaults\n mode http\n timeout client 1s\n timeout server 1s\n timeout connect 1s\nfrontend fe\n bind 127.0.0.1:0\n default_backend be\nbackend be\n server s1 127.0.0.1:1\n",
        );
        let e = Engine::from_ir(&cfg, std::path::Path::new(".")).expect("engine");
        let text = render(&e);
        // HAProxy 2.6.12's first family and its sample lines
        assert!(text.starts_with("# HELP haproxy_process_nbthread Number of started threads (global.nbthread)\n# TYPE haproxy_process_nbthread gauge\nhaproxy_process_nbthread 1\n"));
        assert!(
            text.contains("haproxy_server_status{proxy=\"be\",server=\"s1\",state=\"UP\"} 1\n")
        );
        assert!(
            text.contains("haproxy_frontend_http_responses_total{proxy=\"fe\",code=\"2xx\"} 0\n")
        );
        assert!(text.contains("haproxy_backend_status{proxy=\"be\",state=\"UP\"} 1\n"));
        assert!(text.contains("haproxy_server_queue_limit{proxy=\"be\",server=\"s1\"} NaN\n"));
        assert!(text.contains("\ntandem_build_info{"));
        assert_eq!(text.matches("# TYPE ").count(), 185);
        assert!(!text.contains("keepalived_vrrp"));
        // under `tandem run` the VRRP engine's feed adds its families
        let feed = super::super::vrrp::VrrpFeed::new();
        let _ = e.stats.vrrp.set(feed.clone());
        feed.publish(vec![super::super::vrrp::VrrpInstanceMetrics {
            instance: "VI_1".into(),
            vrid: 51,
            interface: "eth0".into(),
            state: "BACKUP",
            ..Default::default()
        }]);
        let text = render(&e);
        assert_eq!(text.matches("# TYPE ").count(), 195);
        assert!(text.contains(
            "keepalived_vrrp_state{instance=\"VI_1\",vrid=\"51\",interface=\"eth0\",state=\"BACKUP\"} 1\n"
        ));
    }
}
