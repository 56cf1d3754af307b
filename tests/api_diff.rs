//! Runtime API against the real HAProxy 2.6: the same configuration, backends and command
//! sequence go to `/usr/sbin/haproxy` and to tandem over their `stats socket`s; the
//! answers are compared (stream and entry addresses, ids, ports of clients and expiry
//! times masked), and the traffic is checked after each change:
//! - `add|set|del map` on the map that `use_backend` reads changes the routing at once;
//! - `add|del acl` on the `-f` file of a deny rule changes who is denied;
//! - `set|clear table` and `show table` with filters;
//! - `get var proc.X` after a request set it;
//! - `show sess` lists a live TCP stream with its frontend, backend and server;
//!   `shutdown session <id>` and `shutdown sessions server B/S` close live connections;
//! - `set server B/S addr` sends new requests to the new address; `disable|enable
//!   frontend` refuses and accepts connections; `set maxconn frontend` holds a connection
//!   back until a slot frees;
//! - `add|del server`, `set maxconn|rate-limit`, `show errors` and `show pools` answer as
//!   HAProxy does;
//! - the error texts of bad arguments are HAProxy's.
//!
//! The scenario is in compat-tests/api/README.md. Skipped (with a message) when
//! `/usr/sbin/haproxy` is not installed. `API_DIFF_KEEP=1` keeps the work directory.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[path = "common/port.rs"]
mod port;
use port::free_port;

const HAPROXY: &str = "/usr/sbin/haproxy";

#[path = "common/backends.rs"]
mod backends;
use backends::{Proc, start_backends};

struct Subject {
    _proc: Proc,
    dir: PathBuf,
    sock: PathBuf,
    port: u16,
    tcp_port: u16,
}

fn config(dir: &Path, port: u16, tcp_port: u16, be: &[u16]) -> String {
    let d = dir.display();
    format!(
        "global\n    stats socket {d}/admin.sock level admin\n\
defaults\n    mode http\n    timeout connect 2s\n    timeout client 20s\n    timeout server 20s\n\
frontend fe\n    bind 127.0.0.1:{port}\n    acl bad src -f {d}/deny.acl\n    http-request deny if bad\n    http-request track-sc0 src table tt\n    http-request set-var(proc.foo) str(hello)\n    use_backend dyn if {{ hdr(host) -i dyn.example }}\n    use_backend badbe if {{ hdr(host) -i bad.example }}\n    use_backend %[req.hdr(host),lower,map({d}/hosts.map,be1)]\n\
backend be1\n    server s1 127.0.0.1:{}\n\
backend be2\n    server s2 127.0.0.1:{}\n\
backend tt\n    stick-table type ip size 100 expire 60s store http_req_cnt,gpc0,conn_cnt\n\
listen tcpx\n    mode tcp\n    bind 127.0.0.1:{tcp_port}\n    server e1 127.0.0.1:{}\n\
backend dyn\n    server d1 127.0.0.1:{} check inter 30s\n    server d2 127.0.0.1:{} disabled\n\
backend badbe\n    server b1 127.0.0.1:{}\n\
backend srr\n    balance static-rr\n    server r1 127.0.0.1:{}\n",
        be[0], be[1], be[2], be[0], be[1], be[3], be[0],
    )
}

fn start(bin: &str, pre: &[&str], dir: &Path, be: &[u16]) -> Subject {
    std::fs::create_dir_all(dir).expect("dir");
    std::fs::write(dir.join("hosts.map"), "a.example be1\nb.example be2\n").expect("map");
    std::fs::write(dir.join("deny.acl"), "10.0.0.0/8\n192.168.1.1\n").expect("acl");
    let port = free_port();
    let tcp_port = free_port();
    let cfg = dir.join("cfg");
    std::fs::write(&cfg, config(dir, port, tcp_port, be)).expect("cfg");
    let log = std::fs::File::create(dir.join("stderr")).expect("log");
    let child = Command::new(bin)
        .args(pre)
        .arg("-f")
        .arg(&cfg)
        .arg("-db")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("spawn");
    let s = Subject {
        _proc: Proc(child),
        dir: dir.to_path_buf(),
        sock: dir.join("admin.sock"),
        port,
        tcp_port,
    };
    let t0 = Instant::now();
    while t0.elapsed() < Duration::from_secs(10) {
        if UnixStream::connect(&s.sock).is_ok() && TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return s;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!(
        "{bin} did not start: {}",
        std::fs::read_to_string(dir.join("stderr")).unwrap_or_default()
    );
}

fn cli(s: &Subject, cmd: &str) -> String {
    let mut c = UnixStream::connect(&s.sock).expect("connect socket");
    c.set_read_timeout(Some(Duration::from_secs(5))).ok();
    c.write_all(format!("{cmd}\n").as_bytes()).expect("write");
    let mut out = String::new();
    let _ = c.read_to_string(&mut out);
    // the work directories differ
    out.replace(&s.dir.display().to_string(), "DIR")
}

/// One request; returns (status code, x-srv).
fn get(port: u16, host: &str) -> (String, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(5))).ok();
    s.write_all(format!("GET / HTTP/1.1\r\nhost: {host}\r\nconnection: close\r\n\r\n").as_bytes())
        .expect("write");
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text
        .lines()
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .unwrap_or("")
        .to_string();
    let srv = text
        .lines()
        .find_map(|l| l.strip_prefix("x-srv: "))
        .unwrap_or("")
        .to_string();
    (status, srv)
}

/// A TCP connection through `tcpx` that has exchanged data with the echo server.
fn hold_tcp(port: u16) -> TcpStream {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect tcpx");
    s.set_read_timeout(Some(Duration::from_secs(5))).ok();
    s.write_all(b"hello").expect("write");
    let mut b = [0u8; 5];
    s.read_exact(&mut b).expect("echo");
    s
}

/// Whether the proxy closed the connection within 3 s.
fn closed(s: &mut TcpStream) -> bool {
    s.set_read_timeout(Some(Duration::from_secs(3))).ok();
    let mut b = [0u8; 16];
    match s.read(&mut b) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => !matches!(
            e.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ),
    }
}

/// `0x55e0c9b147c0` -> `PTR`.
fn mask_ptrs(s: &str) -> String {
    let mut o = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("0x") {
        o.push_str(&rest[..i]);
        let tail = &rest[i + 2..];
        let n = tail
            .find(|c: char| !c.is_ascii_hexdigit())
            .unwrap_or(tail.len());
        o.push_str("PTR");
        rest = &tail[n..];
    }
    o.push_str(rest);
    o
}

/// `show map|acl` lists: the file-backed references (HAProxy numbers them together with
/// its inline patterns and internal ACLs), ids masked, sorted.
fn refs(s: &str) -> Vec<String> {
    let mut v: Vec<String> = s
        .lines()
        .filter(|l| l.contains("(DIR/"))
        .map(|l| l.split_once(' ').map_or(l, |x| x.1).to_string())
        .collect();
    v.sort();
    v
}

/// `show table` with the entry addresses and expiry masked.
fn table(s: &str) -> String {
    s.lines()
        .map(|l| {
            let l = mask_ptrs(l);
            l.split(' ')
                .map(|w| if w.starts_with("exp=") { "exp=E" } else { w })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `show servers state` with the backend ids and the times since the last change
/// masked (HAProxy numbers its proxies from 2 after its CLI proxy; the check result
/// columns of a server with checks depend on when its first check ran).
fn servers_state(s: &str) -> String {
    s.lines()
        .map(|l| {
            let mut w: Vec<&str> = l.split(' ').collect();
            if w.len() > 20 && !l.starts_with('#') {
                w[0] = "ID";
                w[9] = "T";
                if w[10] != "1" {
                    // srv_check_status/result/health/state of a checked server
                    for x in &mut w[10..14] {
                        *x = "C";
                    }
                    w[5] = "OP";
                }
            }
            w.join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The distinct line shapes of `show pools` (names, numbers and addresses replaced;
/// HAProxy's only per-thread pool, `trash`, left out).
fn pools_layout(s: &str) -> String {
    let mut shapes: Vec<String> = s
        .lines()
        .filter(|l| !l.starts_with("  - Pool ") || l.ends_with("[SHARED]"))
        .map(|l| {
            let l = mask_ptrs(l);
            let l = match l.strip_prefix("  - Pool ") {
                Some(rest) => format!("  - Pool X{}", &rest[rest.find(' ').unwrap_or(0)..]),
                None => l,
            };
            let mut o = String::new();
            for c in l.chars() {
                if c.is_ascii_digit() {
                    if !o.ends_with('N') {
                        o.push('N');
                    }
                } else {
                    o.push(c);
                }
            }
            o
        })
        .collect();
    shapes.sort();
    shapes.dedup();
    shapes.join("\n")
}

/// `show errors` with the dates and the client ports masked.
fn errors(s: &str) -> String {
    s.lines()
        .map(|l| {
            let l = match (l.find('['), l.find(']')) {
                (Some(a), Some(b)) if a < b && l.starts_with(['[', 'T']) => {
                    format!("{}[DATE]{}", &l[..a], &l[b + 1..])
                }
                _ => l.to_string(),
            };
            match l.split_once(", src ") {
                Some((head, src)) => {
                    format!("{head}, src {}", src.rsplit_once(':').map_or(src, |x| x.0))
                }
                None => l,
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A `show sess` line of a client stream, up to its internal flags, the address and
/// client port masked.
fn sess_line(l: &str) -> String {
    let head = l.split(" ts=").next().unwrap_or("");
    let w: Vec<String> = mask_ptrs(head)
        .split(' ')
        .map(|w| match w.strip_prefix("src=") {
            Some(a) => format!("src={}", a.rsplit_once(':').map_or(a, |x| x.0)),
            None => w.to_string(),
        })
        .collect();
    w.join(" ")
}

fn sess_of(s: &Subject, fe: &str) -> Vec<String> {
    cli(s, "show sess")
        .lines()
        .filter(|l| l.contains(&format!(" fe={fe} ")))
        .map(sess_line)
        .collect()
}

#[test]
fn api_diff() {
    if !Path::new(HAPROXY).exists() {
        eprintln!("api_diff: {HAPROXY} not installed, skipped");
        return;
    }
    let work =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("api-diff-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let backends = start_backends(&["s1", "s2", "echo", "bad"]);
    let h = start(HAPROXY, &[], &work.join("haproxy"), &backends.ports);
    let t = start(
        env!("CARGO_BIN_EXE_tandem"),
        &["haproxy"],
        &work.join("tandem"),
        &backends.ports,
    );
    let subjects = [("haproxy", &h), ("tandem", &t)];
    let diffs: std::cell::RefCell<Vec<String>> = Default::default();
    let same = |what: &str, f: &dyn Fn(&Subject) -> String| {
        let (a, b) = (f(&h), f(&t));
        if a != b {
            diffs
                .borrow_mut()
                .push(format!("{what}:\n  haproxy {a:?}\n  tandem  {b:?}"));
        }
        a
    };
    let traffic = |host: &str| -> Vec<(String, String)> {
        subjects.iter().map(|(_, s)| get(s.port, host)).collect()
    };
    let checks = std::cell::Cell::new(0);
    let expect = |what: &str, got: Vec<(String, String)>, want: (&str, &str)| {
        checks.set(checks.get() + 1);
        for ((who, _), g) in subjects.iter().zip(&got) {
            if (g.0.as_str(), g.1.as_str()) != want {
                eprintln!("{what}: {who} answered {g:?}, expected {want:?}");
            }
        }
        got.iter().all(|g| (g.0.as_str(), g.1.as_str()) == want)
    };
    let mut failures = Vec::new();

    // ---- maps: the use_backend map changes the routing at once
    if !expect("before add map", traffic("c.example"), ("200", "s1")) {
        failures.push("before add map");
    }
    same("show map (list)", &|s| {
        format!("{:?}", refs(&cli(s, "show map")))
    });
    same("show acl (list)", &|s| {
        format!("{:?}", refs(&cli(s, "show acl")))
    });
    let file = |s: &Subject, f: &str| format!("{}/{f}", s.dir.display());
    same("show map FILE", &|s| {
        mask_ptrs(&cli(s, &format!("show map {}", file(s, "hosts.map"))))
    });
    same("add map", &|s| {
        cli(
            s,
            &format!("add map {} c.example be2", file(s, "hosts.map")),
        )
    });
    if !expect("after add map", traffic("c.example"), ("200", "s2")) {
        failures.push("after add map");
    }
    same("set map", &|s| {
        cli(
            s,
            &format!("set map {} c.example be1", file(s, "hosts.map")),
        )
    });
    if !expect("after set map", traffic("c.example"), ("200", "s1")) {
        failures.push("after set map");
    }
    same("set map b", &|s| {
        cli(
            s,
            &format!("set map {} b.example be1", file(s, "hosts.map")),
        )
    });
    if !expect("after set map b", traffic("b.example"), ("200", "s1")) {
        failures.push("after set map b");
    }
    same("del map", &|s| {
        cli(s, &format!("del map {} b.example", file(s, "hosts.map")))
    });
    if !expect("after del map", traffic("b.example"), ("200", "s1")) {
        failures.push("after del map");
    }
    same("show map after changes", &|s| {
        mask_ptrs(&cli(s, &format!("show map {}", file(s, "hosts.map"))))
    });
    // the map's `#<id>`, as each side numbers it
    same("add map #id", &|s| {
        let list = cli(s, "show map");
        let id = list
            .lines()
            .find(|l| l.contains("hosts.map"))
            .and_then(|l| l.split(' ').next())
            .unwrap_or("x")
            .to_string();
        cli(s, &format!("add map #{id} d.example be2"))
    });
    if !expect("after add map #id", traffic("d.example"), ("200", "s2")) {
        failures.push("after add map #id");
    }
    same("clear map", &|s| {
        cli(s, &format!("clear map {}", file(s, "hosts.map")))
    });
    if !expect("after clear map", traffic("a.example"), ("200", "s1")) {
        failures.push("after clear map");
    }
    same("show map list after clear", &|s| {
        format!("{:?}", refs(&cli(s, "show map")))
    });

    // ---- ACL file: the deny rule follows it
    same("add acl", &|s| {
        cli(s, &format!("add acl {} 127.0.0.1", file(s, "deny.acl")))
    });
    if !expect("after add acl", traffic("a.example"), ("403", "")) {
        failures.push("after add acl");
    }
    same("show acl FILE", &|s| {
        mask_ptrs(&cli(s, &format!("show acl {}", file(s, "deny.acl"))))
    });
    same("del acl", &|s| {
        cli(s, &format!("del acl {} 127.0.0.1", file(s, "deny.acl")))
    });
    if !expect("after del acl", traffic("a.example"), ("200", "s1")) {
        failures.push("after del acl");
    }

    // ---- process variables
    same("get var proc.foo", &|s| cli(s, "get var proc.foo"));

    // ---- stick tables
    same("set table", &|s| {
        cli(s, "set table tt key 10.1.1.1 data.gpc0 5")
    });
    same("set table 2", &|s| {
        cli(s, "set table tt key 10.1.1.2 data.gpc0 7 data.conn_cnt 3")
    });
    same("show table tt", &|s| table(&cli(s, "show table tt")));
    same("show table filter", &|s| {
        table(&cli(s, "show table tt data.gpc0 gt 5"))
    });
    same("clear table key", &|s| {
        cli(s, "clear table tt key 10.1.1.1")
    });
    same("clear table data", &|s| {
        cli(s, "clear table tt data.gpc0 eq 7")
    });
    same("show table after clear", &|s| {
        table(&cli(s, "show table tt"))
    });
    same("clear table all", &|s| cli(s, "clear table tt"));
    same("show table empty", &|s| table(&cli(s, "show table tt")));

    // ---- streams
    let mut held: Vec<TcpStream> = subjects.iter().map(|(_, s)| hold_tcp(s.tcp_port)).collect();
    same("show sess (tcp stream)", &|s| {
        format!("{:?}", sess_of(s, "tcpx"))
    });
    same("show sess (cli stream)", &|s| {
        format!("{:?}", sess_of(s, "GLOBAL"))
    });
    same("shutdown sessions server", &|s| {
        cli(s, "shutdown sessions server tcpx/e1")
    });
    for ((who, _), c) in subjects.iter().zip(held.iter_mut()) {
        checks.set(checks.get() + 1);
        if !closed(c) {
            failures.push("shutdown sessions server left the connection open");
            eprintln!("{who}: connection still open after shutdown sessions server");
        }
    }
    same("show sess after shutdown", &|s| {
        format!("{:?}", sess_of(s, "tcpx"))
    });
    let mut held: Vec<TcpStream> = subjects.iter().map(|(_, s)| hold_tcp(s.tcp_port)).collect();
    same("shutdown session <id>", &|s| {
        let list = cli(s, "show sess");
        let ptr = list
            .lines()
            .find(|l| l.contains(" fe=tcpx "))
            .and_then(|l| l.split(':').next())
            .unwrap_or("0x1")
            .to_string();
        cli(s, &format!("shutdown session {ptr}"))
    });
    for ((who, _), c) in subjects.iter().zip(held.iter_mut()) {
        checks.set(checks.get() + 1);
        if !closed(c) {
            failures.push("shutdown session left the connection open");
            eprintln!("{who}: connection still open after shutdown session");
        }
    }

    // ---- server addresses: new connections go to the new address
    if !expect(
        "before set server addr",
        traffic("dyn.example"),
        ("200", "s1"),
    ) {
        failures.push("before set server addr");
    }
    let be_port = |i: usize| backends.ports[i];
    same("set server addr port", &|s| {
        cli(
            s,
            &format!("set server dyn/d1 addr 127.0.0.1 port {}", be_port(1)),
        )
    });
    if !expect(
        "after set server addr",
        traffic("dyn.example"),
        ("200", "s2"),
    ) {
        failures.push("after set server addr");
    }
    for cmd in [
        "set server dyn/d1 addr 127.0.0.1".to_string(),
        format!("set server dyn/d1 addr 127.0.0.1 port {}", be_port(1)),
        format!("set server dyn/d1 addr 127.0.0.2 port {}", be_port(1)),
        format!("set server dyn/d1 addr 127.0.0.1 port {}", be_port(0)),
        "set server dyn/d2 addr ::1".to_string(),
        "set server dyn/d2 addr [::1] port 70000".to_string(),
        "set server dyn/d2 addr 127.0.0.1 port 12abc".to_string(),
        "set server dyn/d2 addr 127.0.0.1 port abc".to_string(),
        "set server dyn/d2 addr 127.0.0.1 port".to_string(),
        "set server dyn/d2 addr 127.0.0.1 port +1".to_string(),
        "set server dyn/d2 addr 127.0.0.1 foo 80".to_string(),
        "set server dyn/d2 addr foo".to_string(),
        "set server dyn/d2 addr 127.0.0.1:80".to_string(),
        "set server dyn/d2 addr".to_string(),
        "set server dyn/zz addr 127.0.0.1".to_string(),
        "set server dyn/d1 check-port 8080".to_string(),
        "set server dyn/d1 check-port abc".to_string(),
        "set server dyn/d1 check-port 70000".to_string(),
        "set server dyn/d1 check-port".to_string(),
        "set server dyn/d2 check-port 80".to_string(),
        "set server dyn/d1 check-addr 127.0.0.9 port 99".to_string(),
        "set server dyn/d1 check-addr 127.0.0.9 port abc".to_string(),
        "set server dyn/d1 check-addr foo".to_string(),
        "set server dyn/d1 check-addr".to_string(),
        "set server dyn/d1 agent up".to_string(),
        "set server dyn/d1 agent-addr 127.0.0.1".to_string(),
        "set server dyn/d1 agent-addr".to_string(),
        "set server dyn/d1 agent-port 80".to_string(),
        "set server dyn/d1 agent-send foo".to_string(),
        "set server dyn/d1 fqdn foo.example".to_string(),
        "set server dyn/d1 fqdn".to_string(),
        "set server dyn/d1 ssl on".to_string(),
        "set server dyn/d1 maxconn 3".to_string(),
        "set server dyn/d1 foo".to_string(),
    ] {
        same(&cmd, &|s| cli(s, &cmd));
    }
    same("show servers state after addr changes", &|s| {
        servers_state(&cli(s, "show servers state dyn"))
    });
    if !expect(
        "after set server addr back",
        traffic("dyn.example"),
        ("200", "s1"),
    ) {
        failures.push("after set server addr back");
    }

    // ---- dynamic servers: HAProxy's refusals, `del server` of a server in maintenance
    for cmd in [
        "add server dyn/d1 127.0.0.1:1",
        "add server dyn/x",
        "add server dyn",
        "add server",
        "add server zz/x 127.0.0.1:1",
        "add server fe/x 127.0.0.1:1",
        "add server srr/x 127.0.0.1:1",
        "add server dyn/x 127.0.0.1:1 cookie abc",
        "del server dyn/d1",
        "del server dyn/zz",
        "del server zz/x",
        "del server dyn",
        "del server",
        "del server dyn/d2",
        "del server dyn/d2",
        "disable server dyn/d2",
    ] {
        same(cmd, &|s| cli(s, cmd));
    }
    same("show servers state after del server", &|s| {
        servers_state(&cli(s, "show servers state dyn"))
    });
    // a deleted server is gone from `show stat` too (CSV, typed), the rest in order
    same("show stat rows after del server", &|s| {
        cli(s, "show stat")
            .lines()
            .map(|l| l.split(',').take(2).collect::<Vec<_>>().join(","))
            .collect::<Vec<_>>()
            .join("\n")
    });
    same("show stat typed servers after del server", &|s| {
        cli(s, "show stat typed")
            .lines()
            .filter(|l| l.starts_with("S.") && l.contains(".svname."))
            .map(|l| l.split_once('.').map_or(l, |x| x.1).to_string())
            .map(|l| l.split_once('.').map_or(l.clone(), |x| x.1.to_string()))
            .collect::<Vec<_>>()
            .join("\n")
    });

    // ---- frontends: a disabled one refuses connections, maxconn holds them back
    same("disable frontend", &|s| cli(s, "disable frontend fe"));
    for (who, s) in &subjects {
        checks.set(checks.get() + 1);
        if TcpStream::connect(("127.0.0.1", s.port)).is_ok() {
            failures.push("disabled frontend accepted a connection");
            eprintln!("{who}: disabled frontend accepted a connection");
        }
    }
    same("disable frontend again", &|s| cli(s, "disable frontend fe"));
    same("enable frontend", &|s| cli(s, "enable frontend fe"));
    same("enable frontend again", &|s| cli(s, "enable frontend fe"));
    if !expect("after enable frontend", traffic("a.example"), ("200", "s1")) {
        failures.push("after enable frontend");
    }
    // (HAProxy 2.6.12 deadlocks in resume_listener() when a listener that was paused
    // reaches its frontend's maxconn: the maxconn checks use another frontend)
    same("set maxconn frontend", &|s| {
        cli(s, "set maxconn frontend tcpx 1")
    });
    let first: Vec<TcpStream> = subjects.iter().map(|(_, s)| hold_tcp(s.tcp_port)).collect();
    let mut second: Vec<TcpStream> = subjects
        .iter()
        .map(|(_, s)| {
            let mut c = TcpStream::connect(("127.0.0.1", s.tcp_port)).expect("connect");
            c.write_all(b"queued").expect("write");
            c
        })
        .collect();
    for ((who, _), c) in subjects.iter().zip(second.iter_mut()) {
        checks.set(checks.get() + 1);
        c.set_read_timeout(Some(Duration::from_millis(700))).ok();
        let mut b = [0u8; 6];
        if c.read(&mut b).is_ok_and(|n| n > 0) {
            failures.push("maxconn frontend 1 served a second connection");
            eprintln!("{who}: a second connection was served with maxconn 1");
        }
    }
    drop(first);
    for ((who, _), c) in subjects.iter().zip(second.iter_mut()) {
        checks.set(checks.get() + 1);
        c.set_read_timeout(Some(Duration::from_secs(5))).ok();
        let mut b = [0u8; 6];
        if c.read_exact(&mut b).is_err() || &b != b"queued" {
            failures.push("the held connection was not served after the first closed");
            eprintln!("{who}: the second connection was not served after the first closed");
        }
    }
    drop(second);
    // (not set back: HAProxy 2.6.12 deadlocks in dequeue_proxy_listeners() ->
    // resume_listener() when `set maxconn frontend` raises the limit of a frontend whose
    // listener waits for a free slot)
    same("set maxconn global", &|s| cli(s, "set maxconn global 500"));
    same("show info Maxconn", &|s| {
        cli(s, "show info")
            .lines()
            .filter(|l| l.starts_with("Maxconn:"))
            .collect::<Vec<_>>()
            .join("\n")
    });
    for cmd in [
        "set maxconn global 99999999",
        "set maxconn global",
        "set maxconn global 0",
        "set maxconn frontend tcpx",
        "set maxconn frontend tcpx -1",
        "set maxconn frontend zz 3",
        "set maxconn frontend",
        "set maxconn server dyn/d1 10",
        "set maxconn server dyn/d1 abc",
        "set maxconn server dyn/d1",
        "set maxconn server dyn/zz 3",
        "set maxconn server zz/d1 3",
        "set maxconn server dyn",
        "set maxconn server",
        "set maxconn",
        "set maxconn foo",
        "disable frontend",
        "disable frontend zz",
        "enable frontend zz",
        "set rate-limit connections global 1000",
        "set rate-limit sessions global 1000",
        "set rate-limit ssl-sessions global 10",
        "set rate-limit http-compression global 10",
        "set rate-limit connections global",
        "set rate-limit connections foo 10",
        "set rate-limit foo global 10",
        "set rate-limit",
        "set rate-limit connections global 0",
        "set rate-limit sessions global 0",
    ] {
        same(cmd, &|s| cli(s, cmd));
    }
    // `show info` shows the limits `set rate-limit` left (ssl-sessions 10, compression
    // 10 kB/s as bytes), then a connection limit set and cleared
    let rate_lines = |s: &Subject| -> String {
        cli(s, "show info")
            .lines()
            .filter(|l| l.contains("RateLim"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    same("show info rate limits", &rate_lines);
    same("set rate-limit connections again", &|s| {
        cli(s, "set rate-limit connections global 700")
    });
    same("show info rate limits (connections)", &rate_lines);
    same("show info typed rate limits", &|s| {
        cli(s, "show info typed")
            .lines()
            .filter(|l| l.contains("RateLim"))
            .collect::<Vec<_>>()
            .join("\n")
    });
    same("set rate-limit connections off", &|s| {
        cli(s, "set rate-limit connections global 0")
    });

    // ---- show errors: the last invalid request and response
    same("show errors (none)", &|s| errors(&cli(s, "show errors")));
    for (_, s) in &subjects {
        let mut c = TcpStream::connect(("127.0.0.1", s.port)).expect("connect");
        c.set_read_timeout(Some(Duration::from_secs(5))).ok();
        c.write_all(b"GET / HTTP/1.1\r\nho st: x\r\n\r\n")
            .expect("write");
        let _ = c.read_to_end(&mut Vec::new());
    }
    if !expect("invalid response", traffic("bad.example"), ("502", "")) {
        failures.push("invalid response");
    }
    for cmd in [
        "show errors",
        "show errors fe request",
        "show errors badbe response",
        "show errors fe response",
        "show errors zz",
    ] {
        same(cmd, &|s| errors(&cli(s, cmd)));
    }

    // ---- show pools: HAProxy's layout (tandem's own figures)
    same("show pools layout", &|s| {
        pools_layout(&cli(s, "show pools"))
    });
    same("show pools as user", &|s| {
        pools_layout(&cli(s, "user;show pools"))
    });

    // ---- error texts
    for cmd in [
        "shutdown session",
        "shutdown session zz",
        "shutdown session 0x1234",
        "shutdown sessions server tcpx/zz",
        "shutdown sessions server tcpx",
        "show sess 0x1234",
        "clear table",
        "clear table nope",
        "clear table tt data.gpc0",
        "clear table tt data.nope eq 1",
        "set table nope key 1.1.1.1",
        "set table tt key 1.1.1.1 data.nope 1",
        "set table tt key 1.1.1.1 data.gpc0",
        "show table nope",
        "add map /nope a b",
        "add map",
        "set map",
        "del map /nope k",
        "add acl",
        "add acl /nope x",
        "del acl",
        "clear acl",
        "clear acl /nope",
        "show acl /nope",
        "show map #99",
        "get var",
        "get var foo",
        "get var txn.x",
        "get var proc.nope",
    ] {
        same(cmd, &|s| cli(s, cmd));
    }

    if std::env::var_os("API_DIFF_KEEP").is_none() {
        let _ = std::fs::remove_dir_all(&work);
    }
    let diffs = diffs.into_inner();
    eprintln!(
        "api_diff: {} traffic checks, {} differences",
        checks.get(),
        diffs.len()
    );
    assert!(
        diffs.is_empty() && failures.is_empty(),
        "differences:\n{}\ntraffic failures: {failures:?}",
        diffs.join("\n")
    );
}
