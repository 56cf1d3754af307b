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
//! - the error texts of bad arguments are HAProxy's.
//!
//! The scenario is in compat-tests/api/README.md. Skipped (with a message) when
//! `/usr/sbin/haproxy` is not installed. `API_DIFF_KEEP=1` keeps the work directory.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

#[path = "common/port.rs"]
mod port;
use port::free_port;

const HAPROXY: &str = "/usr/sbin/haproxy";

struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// HTTP backends answering with their name in `x-srv`, and an echo server for TCP.
struct Backends {
    stop: Arc<AtomicBool>,
    ports: Vec<u16>,
}

impl Drop for Backends {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        for p in &self.ports {
            let _ = TcpStream::connect(("127.0.0.1", *p));
        }
    }
}

fn start_backends(names: &[&str]) -> Backends {
    let stop = Arc::new(AtomicBool::new(false));
    let mut ports = Vec::new();
    for name in names {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind backend");
        ports.push(l.local_addr().expect("addr").port());
        let name = name.to_string();
        let stop = stop.clone();
        std::thread::spawn(move || {
            for s in l.incoming() {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(mut s) = s else { continue };
                let name = name.clone();
                std::thread::spawn(move || {
                    let _ = s.set_read_timeout(Some(Duration::from_secs(20)));
                    let mut chunk = [0u8; 4096];
                    if name == "echo" {
                        while let Ok(n) = s.read(&mut chunk) {
                            if n == 0 || s.write_all(&chunk[..n]).is_err() {
                                return;
                            }
                        }
                        return;
                    }
                    let mut buf = Vec::new();
                    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                        match s.read(&mut chunk) {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let resp = format!(
                        "HTTP/1.1 200 OK\r\ncontent-length: 2\r\nx-srv: {name}\r\nconnection: close\r\n\r\nok"
                    );
                    let _ = s.write_all(resp.as_bytes());
                });
            }
        });
    }
    Backends { stop, ports }
}

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
frontend fe\n    bind 127.0.0.1:{port}\n    acl bad src -f {d}/deny.acl\n    http-request deny if bad\n    http-request track-sc0 src table tt\n    http-request set-var(proc.foo) str(hello)\n    use_backend %[req.hdr(host),lower,map({d}/hosts.map,be1)]\n\
backend be1\n    server s1 127.0.0.1:{}\n\
backend be2\n    server s2 127.0.0.1:{}\n\
backend tt\n    stick-table type ip size 100 expire 60s store http_req_cnt,gpc0,conn_cnt\n\
listen tcpx\n    mode tcp\n    bind 127.0.0.1:{tcp_port}\n    server e1 127.0.0.1:{}\n",
        be[0], be[1], be[2],
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
    let backends = start_backends(&["s1", "s2", "echo"]);
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
