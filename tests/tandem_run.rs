//! `tandem run` without a network: what it refuses before it starts anything. The running
//! pair (both engines, reload, planned handover, native probes) is in tests/vrrp_lab.rs
//! (`tandem_run_planned_handover_loses_nothing`, root and network namespaces).

use std::process::Command;

fn tandem_run(args: &[&str]) -> (String, i32) {
    let o = Command::new(env!("CARGO_BIN_EXE_tandem"))
        .arg("run")
        .args(args)
        .output()
        .expect("run tandem");
    (
        String::from_utf8_lossy(&o.stderr).into_owned(),
        o.status.code().unwrap_or(-1),
    )
}

fn tmp(name: &str, body: &str) -> String {
    let dir = std::env::temp_dir().join(format!("tandem-run-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let p = dir.join(name);
    let _ = std::fs::write(&p, body);
    p.to_string_lossy().into_owned()
}

#[test]
fn needs_both_files() {
    let h = tmp("only.cfg", "frontend fe\n  bind 127.0.0.1:1\n");
    let (err, rc) = tandem_run(&["-f", &h]);
    assert_eq!(rc, 2, "{err}");
    assert!(err.contains("exactly one -k keepalived.conf"), "{err}");
}

/// A haproxy.cfg that `haproxy -c` rejects stops the start: nothing binds, nothing runs.
#[test]
fn invalid_haproxy_cfg_starts_nothing() {
    let h = tmp(
        "bad.cfg",
        "defaults\n  mode http\nfrontend fe\n  bind 127.0.0.1:1\n  default_backend nosuch\n",
    );
    let k = tmp(
        "k.conf",
        "vrrp_instance VI_1 {\n  interface lo\n  virtual_router_id 51\n  priority 100\n\
         virtual_ipaddress {\n    192.0.2.100/24\n  }\n}\n",
    );
    let (err, rc) = tandem_run(&["-f", &h, "-k", &k]);
    assert_eq!(rc, 1, "{err}");
    assert!(err.contains("haproxy configuration not valid"), "{err}");
    assert!(!err.contains("VRRP"), "{err}");
}

/// A keepalived.conf without any vrrp_instance: nothing to run.
#[test]
fn keepalived_conf_without_instance_starts_nothing() {
    let h = tmp(
        "ok.cfg",
        "defaults\n  mode http\n  timeout connect 1s\n  timeout client 1s\n  timeout server 1s\n\
         frontend fe\n  bind 127.0.0.1:1\n  default_backend be\nbackend be\n  server s 127.0.0.1:2\n",
    );
    let k = tmp("empty.conf", "global_defs {\n  router_id x\n}\n");
    let (err, rc) = tandem_run(&["-f", &h, "-k", &k]);
    assert_eq!(rc, 1, "{err}");
    assert!(err.contains("no vrrp_instance"), "{err}");
}
