//! Replays the sequences recorded from HAProxy 2.6.12 by `tools/record-balance` (files in
//! `testdata/`, one scenario each: the config, then requests with the server HAProxy chose
//! and runtime commands) and checks that tandem's balancer picks the same servers.

use std::net::IpAddr;

use serde_json::Value;

use super::queue::{Dispatcher, QueueEffects};
use super::*;

fn hash_config(v: &Value) -> HashConfig {
    match v.as_str() {
        Some(s) => {
            let words: Vec<&str> = s.split_whitespace().collect();
            HashConfig::parse(&words).unwrap_or_else(|| panic!("hash-type {s}"))
        }
        None => HashConfig::default(),
    }
}

fn build(sc: &Value) -> Balancer {
    let words: Vec<&str> = sc["balance"]
        .as_str()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let alg = Algorithm::parse(&words).unwrap_or_else(|| panic!("balance {words:?}"));
    let mut cfg = BalanceConfig::new(alg);
    cfg.hash = hash_config(&sc["hash_type"]);
    cfg.allbackups = sc["options"]
        .as_array()
        .is_some_and(|o| o.iter().any(|x| x == "allbackups"));
    let servers = sc["servers"]
        .as_array()
        .map(|a| {
            a.iter()
                .enumerate()
                .map(|(i, s)| ServerSpec {
                    puid: i as u32 + 1,
                    name: s["name"].as_str().unwrap_or("").to_string(),
                    weight: s["weight"].as_u64().unwrap_or(1) as u32,
                    backup: s["backup"].as_bool().unwrap_or(false),
                    disabled: s["disabled"].as_bool().unwrap_or(false),
                    maxconn: s["maxconn"].as_u64().unwrap_or(0) as u32,
                    minconn: 0,
                    maxqueue: 0,
                })
                .collect()
        })
        .unwrap_or_default();
    Balancer::new(cfg, servers).unwrap_or_else(|e| panic!("{e}"))
}

fn run_cmd(d: &mut Dispatcher, cmd: &str) -> QueueEffects {
    let w: Vec<&str> = cmd.split_whitespace().collect();
    let b = &d.balancer;
    let idx = |name: &str| {
        let srv = name.split('/').nth(1).unwrap_or("");
        b.find(srv).unwrap_or_else(|| panic!("no server {srv}"))
    };
    match w.as_slice() {
        ["set", "weight", name, weight] => {
            let i = idx(name);
            let weight = weight.parse().unwrap_or_else(|_| panic!("weight {weight}"));
            d.set_weight(i, weight).unwrap_or_else(|e| panic!("{e}"))
        }
        ["set", "server", name, "state", st] => {
            let i = idx(name);
            let state = match *st {
                "ready" => ServerState::Up,
                "maint" => ServerState::Maint,
                "drain" => ServerState::Drain,
                other => panic!("state {other}"),
            };
            d.set_state(i, state).unwrap_or_else(|e| panic!("{e}"))
        }
        _ => panic!("unknown command {cmd}"),
    }
}

/// The requests HAProxy sent to a server right after a step: `"dequeued": [[id, name]]`.
fn recorded_dequeued(st: &Value) -> Vec<String> {
    st["dequeued"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| format!("{}:{}", p[0], p[1].as_str().unwrap_or("")))
        .collect()
}

/// `NAME` of a `balance hash req.hdr(NAME)` scenario.
fn expr_header(sc: &Value) -> Option<&str> {
    sc["balance"]
        .as_str()?
        .strip_prefix("hash req.hdr(")?
        .strip_suffix(')')
}

/// Replays one scenario; returns (expected, got) step descriptions.
fn replay(sc: &Value) -> (Vec<String>, Vec<String>) {
    let mut d = Dispatcher::new(build(sc));
    let mut rng = || 0u32;
    let (mut want, mut got) = (Vec::new(), Vec::new());
    // requests held in flight: request number -> server
    let mut held = std::collections::BTreeMap::new();
    let mut next_id = 1_000_000u64;
    for st in sc["steps"].as_array().into_iter().flatten() {
        if let Some(k) = st["close"].as_u64() {
            let mut deq = Vec::new();
            if let Some(i) = held.remove(&k) {
                for (id, srv) in d.release(i) {
                    held.insert(id, srv);
                    deq.push(format!("{id}:{}", d.balancer.servers()[srv].spec.name));
                }
            }
            let rec = recorded_dequeued(st);
            want.push(format!("[close {k} -> {}]", rec.join(",")));
            got.push(format!("[close {k} -> {}]", deq.join(",")));
            continue;
        }
        if let Some(cmd) = st["cmd"].as_str() {
            let fx = run_cmd(&mut d, cmd);
            assert!(fx.redispatch.is_empty(), "scenarios do not use redispatch");
            let mut deq = Vec::new();
            for (id, srv) in fx.granted {
                held.insert(id, srv);
                deq.push(format!("{id}:{}", d.balancer.servers()[srv].spec.name));
            }
            want.push(format!("[{cmd} -> {}]", recorded_dequeued(st).join(",")));
            got.push(format!("[{cmd} -> {}]", deq.join(",")));
            continue;
        }
        let r = &st["req"];
        let src: IpAddr = r["src"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("src in {r}"));
        let custom: Vec<(String, String)> = r["headers"]
            .as_object()
            .map(|o| {
                o.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                    .collect()
            })
            .unwrap_or_default();
        // what Python's http.client sent: Host unless the scenario sets it, then ours
        let mut headers: Vec<(&str, &str)> = Vec::new();
        if !custom.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
            headers.push(("Host", "127.0.0.1:41080"));
        }
        headers.push(("Connection", "close"));
        for (k, v) in &custom {
            headers.push((k, v));
        }
        let req = RequestInfo {
            src: Some(src),
            uri: r["path"].as_str(),
            headers: &headers,
            is_post: r["method"].as_str() == Some("POST"),
            body: r["body"].as_str().map(str::as_bytes),
            // the scenarios' `balance hash` expressions are `req.hdr(NAME)`: the last
            // comma-separated value of the last occurrence
            hash_key: expr_header(sc)
                .and_then(|n| {
                    headers
                        .iter()
                        .rev()
                        .find(|(k, _)| k.eq_ignore_ascii_case(n))
                })
                .map(|(_, v)| v.rsplit(',').next().unwrap_or("").trim().as_bytes()),
        };
        let open = st["open"].as_u64();
        let id = open.unwrap_or_else(|| {
            next_id += 1;
            next_id
        });
        let a = d.assign(id, &req, None, 0, &mut rng);
        let name = match a {
            queue::Assignment::Server(i) => {
                let name = d.balancer.servers()[i].spec.name.clone();
                match open {
                    Some(k) => {
                        held.insert(k, i);
                    }
                    None => {
                        let deq = d.release(i);
                        assert!(deq.is_empty(), "unexpected dequeue {deq:?}");
                    }
                }
                name
            }
            queue::Assignment::QueuedOnServer(_) | queue::Assignment::QueuedOnBackend => {
                "queued".to_string()
            }
            queue::Assignment::Full | queue::Assignment::NoServer => "-".to_string(),
        };
        got.push(name);
        want.push(match st["server"].as_str() {
            Some(s) => s.to_string(),
            None if open.is_some() => "queued".to_string(),
            None => "-".to_string(),
        });
    }
    (want, got)
}

#[test]
fn sequences_match_haproxy_2_6() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/proxy/balance/testdata");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 30,
        "test vectors missing in {}",
        dir.display()
    );
    let mut failures = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let sc: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
        let (want, got) = replay(&sc);
        if want != got {
            failures.push(format!(
                "{}:\n  haproxy: {}\n  tandem:  {}",
                f.file_name()
                    .map(|n| n.to_string_lossy())
                    .unwrap_or_default(),
                want.join(" "),
                got.join(" ")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} scenarios differ:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}
