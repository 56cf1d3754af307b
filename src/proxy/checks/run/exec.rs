//! Running one check (one pass over the ruleset) on real sockets, with the statuses and
//! texts of HAProxy 2.6 (src/tcpcheck.c `tcpcheck_main`, `tcpcheck_eval_*`, src/check.c
//! `chk_report_conn_err`).

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UnixStream};
use tokio::time::{Instant, timeout_at};

use super::plan::{
    ConnectStep, ExpectKind, ExpectStep, HeaderMatch, InfoFmt, NamePat, SendData, Step, StrMatch,
};
use super::{CheckKind, CheckPlan, Status, proto};
use crate::proxy::backend::stream::{ServerStream, check_handshake};

/// HAProxy's `tune.bufsize`: a check reads at most this much.
const BUFSIZE: usize = 16384;
/// HCHK_DESC_LEN: the info text is kept in a 128-byte C string.
const DESC_LEN: usize = 127;

/// The result of one check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub status: Status,
    pub code: i64,
    pub info: String,
    pub duration_ms: u64,
    /// What an agent check read (its reply line).
    pub agent: Option<crate::proxy::checks::agent::Read>,
}

/// A small xorshift generator for `spread-checks` draws.
pub struct SmallRng(u64);

impl SmallRng {
    pub fn seeded(seed: u64) -> Self {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        Self((t ^ seed.wrapping_mul(0x9E37_79B9_7F4A_7C15)) | 1)
    }
}

impl crate::proxy::balance::Rng for SmallRng {
    fn next_u32(&mut self) -> u32 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        (x >> 32) as u32
    }
}

enum Eval {
    Continue,
    Wait,
    Stop(Status, String),
}

enum Read {
    Data,
    Eof,
    Timeout,
    Error(std::io::Error),
}

struct Run<'a> {
    plan: &'a CheckPlan,
    server_running: bool,
    /// The check task's expiry (HAProxy re-arms it on connect).
    timer: Instant,
    conn: Option<Conn>,
    bi: Vec<u8>,
    eof: bool,
    code: i64,
    /// Index of the step being evaluated (HAProxy's `current_step`).
    cur: Option<usize>,
    /// The request method of the last HTTP send (HEAD responses have no body).
    head_req: bool,
    agent: Option<crate::proxy::checks::agent::Read>,
}

/// Runs the ruleset of `plan` once. `server_running`: the server is not DOWN (a 404 with
/// `disable-on-404` only counts while it is up).
pub async fn run_check(plan: &CheckPlan, server_running: bool) -> Outcome {
    let start = Instant::now();
    let mut r = Run {
        plan,
        server_running,
        timer: start + Duration::from_millis(plan.params.inter),
        conn: None,
        bi: Vec::new(),
        eof: false,
        code: 0,
        cur: None,
        head_req: false,
        agent: None,
    };
    let (status, info) = r.steps().await;
    if let Some(c) = r.conn.take() {
        let linger = r
            .cur
            .and_then(|i| {
                plan.steps[..=i.min(plan.steps.len().saturating_sub(1))]
                    .iter()
                    .rev()
                    .find_map(|s| match s {
                        Step::Connect(c) => Some(c.linger),
                        _ => None,
                    })
            })
            .unwrap_or(false);
        close(c, linger);
    }
    let mut info = info;
    if let Some(p) = info.find('\0') {
        info.truncate(p);
    }
    // one char per byte (see `latin1`), except in texts from the configuration
    if let Some((cut, _)) = info.char_indices().nth(DESC_LEN) {
        info.truncate(cut);
    }
    Outcome {
        status,
        code: r.code,
        info,
        duration_ms: start.elapsed().as_millis() as u64,
        agent: r.agent,
    }
}

/// A check connection: TCP, TLS (`check-ssl`, `connect ssl`), or a unix socket server
/// (`unix@PATH`, a path).
enum Conn {
    Tcp(TcpStream),
    Tls(Box<ServerStream>),
    Unix(UnixStream),
}

impl Conn {
    async fn write_all(&mut self, b: &[u8]) -> std::io::Result<()> {
        match self {
            Conn::Tcp(s) => s.write_all(b).await,
            Conn::Tls(s) => {
                // the TLS records must leave now, not when the buffer fills
                s.write_all(b).await?;
                s.flush().await
            }
            Conn::Unix(s) => s.write_all(b).await,
        }
    }

    async fn read(&mut self, b: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Conn::Tcp(s) => s.read(b).await,
            Conn::Tls(s) => s.read(b).await,
            Conn::Unix(s) => s.read(b).await,
        }
    }

    fn tcp(&self) -> Option<&TcpStream> {
        match self {
            Conn::Tcp(t) => Some(t),
            Conn::Tls(s) => s.tcp(),
            Conn::Unix(_) => None,
        }
    }
}

/// HAProxy closes check connections with a reset unless `linger` was asked.
fn close(c: Conn, linger: bool) {
    if let Some(t) = c.tcp()
        && !linger
    {
        let _ = socket2::SockRef::from(t).set_linger(Some(Duration::ZERO));
    }
    drop(c);
}

/// Bytes as text, one char per byte (U+0000..U+00FF), so that the info keeps the bytes
/// HAProxy would print (`transition_message` encodes the non-printable ones as `<XX>`).
pub fn latin1(b: &[u8]) -> String {
    b.iter().map(|&c| char::from(c)).collect()
}

/// strerror(3) text of an I/O error ("Connection refused").
fn strerror(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error ") {
        Some(p) => s[..p].to_string(),
        None => s,
    }
}

impl Run<'_> {
    fn pure_tcp(&self) -> bool {
        self.plan.kind == CheckKind::TcpCheck
    }

    fn http(&self) -> bool {
        self.plan.kind == CheckKind::Http
    }

    /// chk_report_conn_err's " at step N of tcp-check (...)" part (pure tcp-check only).
    fn step_suffix(&self) -> String {
        if !self.pure_tcp() {
            return String::new();
        }
        let Some(step) = self.cur.and_then(|i| self.plan.steps.get(i)) else {
            return " at step 1 of tcp-check".into();
        };
        let mut s = match step {
            Step::Connect(c) if c.implicit => {
                return " at initial connection step of tcp-check".into();
            }
            Step::Connect(c) => match c.port {
                Some(p) => format!(" at step {} of tcp-check (connect port {p})", c.step_id),
                None => format!(" at step {} of tcp-check (connect)", c.step_id),
            },
            Step::Send(sd) => format!(" at step {} of tcp-check (send)", sd.step_id),
            Step::Expect(e) => {
                let what = match &e.kind {
                    ExpectKind::String(p) => {
                        format!("expect string '{}'", latin1(p))
                    }
                    ExpectKind::Binary(p) => format!("expect binary '{}'", proto::hex_upper(p)),
                    ExpectKind::RString(_) => "expect regex".into(),
                    ExpectKind::RBinary(_) => "expect binary regex".into(),
                    ExpectKind::HttpStatus(_) => "expect HTTP status codes".into(),
                    ExpectKind::HttpRStatus(_) => "expect HTTP status regex".into(),
                    ExpectKind::HttpHeader(_) => "expect HTTP header pattern".into(),
                    ExpectKind::HttpBody(p) => {
                        format!("expect HTTP body content '{}'", latin1(p))
                    }
                    ExpectKind::HttpRBody(_) => "expect HTTP body regex".into(),
                    ExpectKind::MysqlInitHs
                    | ExpectKind::MysqlOk
                    | ExpectKind::LdapBindRsp
                    | ExpectKind::AgentReply => "expect custom function".into(),
                    ExpectKind::Unsupported(_) => "expect log-format string".into(),
                };
                format!(" at step {} of tcp-check ({what})", e.step_id)
            }
        };
        let comment = match step {
            Step::Connect(c) => c.comment.as_deref(),
            Step::Send(sd) => sd.comment.as_deref(),
            Step::Expect(e) => e.comment.as_deref(),
        };
        if let Some(c) = comment {
            s.push_str(&format!(" comment: '{}'", latin1(c.as_bytes())));
        }
        s
    }

    async fn steps(&mut self) -> (Status, String) {
        let steps = &self.plan.steps;
        let mut must_read = true;
        let mut last_read = false;
        for (i, step) in steps.iter().enumerate() {
            self.code = 0;
            self.cur = Some(i);
            match step {
                Step::Connect(c) => {
                    let next_expect = matches!(steps.get(i + 1), Some(Step::Expect(_)));
                    if let Err(stop) = self.connect(c, !next_expect).await {
                        return stop;
                    }
                    must_read = true;
                    last_read = false;
                }
                Step::Send(s) => {
                    // HAProxy's reads take everything the socket holds, and a send releases
                    // the input buffer: the rest of a reply that came in several segments
                    // (an SMTP multi-line 250) must not be read as the next reply
                    if i > 0 {
                        tokio::task::yield_now().await;
                        self.drain_pending();
                    }
                    self.bi.clear();
                    let bytes = match &s.data {
                        SendData::Bytes(b) => b.clone(),
                        SendData::SslHello => {
                            let now = std::time::SystemTime::now()
                                .duration_since(std::time::UNIX_EPOCH)
                                .map_or(0, |d| d.as_secs() as u32);
                            proto::ssl_hello(now)
                        }
                    };
                    if self.http() {
                        self.head_req = bytes.starts_with(b"HEAD ");
                    }
                    if let Err(stop) = self.send(&bytes).await {
                        return stop;
                    }
                    must_read = true;
                }
                Step::Expect(e) => {
                    if must_read {
                        match self.read().await {
                            Read::Data => {}
                            Read::Timeout => return self.timeout(Some(e)),
                            Read::Error(err) => {
                                if self.bi.is_empty() {
                                    return (
                                        Status::SockErr,
                                        format!("{}{}", strerror(&err), self.step_suffix()),
                                    );
                                }
                                self.eof = true;
                            }
                            Read::Eof => {}
                        }
                        if self.eof && self.bi.is_empty() {
                            return self.empty_response(e);
                        }
                        last_read = self.eof || self.bi.len() >= BUFSIZE;
                        must_read = false;
                    }
                    loop {
                        let ev = if self.http() {
                            self.eval_http(e, last_read)
                        } else {
                            self.eval_tcp(e, last_read)
                        };
                        match ev {
                            Eval::Continue => break,
                            Eval::Stop(st, info) => return (st, info),
                            Eval::Wait => match self.read().await {
                                Read::Data | Read::Eof => {
                                    last_read = self.eof || self.bi.len() >= BUFSIZE;
                                }
                                Read::Timeout => return self.timeout(Some(e)),
                                Read::Error(err) => {
                                    if self.bi.is_empty() {
                                        return (
                                            Status::SockErr,
                                            format!("{}{}", strerror(&err), self.step_suffix()),
                                        );
                                    }
                                    self.eof = true;
                                    last_read = true;
                                }
                            },
                        }
                    }
                }
            }
        }
        self.success()
    }

    /// All rules passed: the status depends on the last rule evaluated.
    fn success(&mut self) -> (Status, String) {
        let last = self.cur.and_then(|i| self.plan.steps.get(i));
        match last {
            Some(Step::Expect(e)) => {
                if self.plan.disable_on_404 && self.server_running && self.code == 404 {
                    return (Status::L7OkCD, String::new());
                }
                let info = match &e.on_success {
                    Some(f) => self.fmt(f),
                    None if self.pure_tcp() => "(tcp-check)".into(),
                    None => match &e.kind {
                        // tcpcheck_mysql_expect_packet: the server version from the
                        // handshake (a C string at offset 5).
                        ExpectKind::MysqlInitHs | ExpectKind::MysqlOk => {
                            let v = self.bi.get(5..).unwrap_or(&[]);
                            let end = v.iter().position(|&b| b == 0).unwrap_or(v.len());
                            latin1(&v[..end])
                        }
                        ExpectKind::LdapBindRsp => "Success".into(),
                        _ => String::new(),
                    },
                };
                if let Some((o, l)) = e.status_code {
                    self.code = self.payload_int(o, l);
                }
                (e.ok_status.unwrap_or(Status::L7OkD), info)
            }
            Some(Step::Connect(c)) => {
                let info = if c.implicit {
                    String::new()
                } else {
                    "(tcp-check)".into()
                };
                // tcpcheck_main: a connection that speaks TLS passes at layer 6
                let st = if matches!(self.conn, Some(Conn::Tls(_))) {
                    Status::L6Ok
                } else {
                    Status::L4Ok
                };
                (st, info)
            }
            _ => (Status::L7OkD, "(tcp-check)".into()),
        }
    }

    fn timeout(&self, e: Option<&ExpectStep>) -> (Status, String) {
        let st = e.and_then(|e| e.tout_status).unwrap_or(Status::L7Tout);
        (st, self.step_suffix())
    }

    /// tcpcheck_eval_recv: the connection closed before anything was received.
    fn empty_response(&self, e: &ExpectStep) -> (Status, String) {
        if self.http() {
            // measured: HAProxy 2.6.12 reports "Layer7 invalid response" without info
            return (Status::L7Rsp, String::new());
        }
        let mut info = format!("TCPCHK got an empty response at step {}", e.step_id);
        if let Some(c) = &e.comment {
            info.push_str(&format!(" comment: '{}'", latin1(c.as_bytes())));
        }
        (e.err_status.unwrap_or(Status::L7Rsp), info)
    }

    /// `delack`: HAProxy's CONNECT_DELACK_ALWAYS (the next step is not an expect): the
    /// final ACK of the handshake is held back (TCP_QUICKACK off), so that a pure TCP
    /// check, closed with a reset right after, never reaches the server's accept()
    /// (measured: a listener checked by HAProxy 2.6.12 without any option accepted
    /// nothing).
    async fn connect(&mut self, c: &ConnectStep, delack: bool) -> Result<(), (Status, String)> {
        if let Some(old) = self.conn.take() {
            close(old, c.linger);
        }
        self.bi.clear();
        self.eof = false;
        let now = Instant::now();
        let p = self.plan;
        // tcpcheck_eval_connect: `inter`, or min(inter, timeout connect) with `timeout
        // check`.
        self.timer = now + Duration::from_millis(p.connect_timeout_ms);
        let target = &p.target;
        if let Some(path) = &target.unix
            && c.addr.is_none()
            && c.port.is_none()
        {
            let stream = match timeout_at(self.timer, UnixStream::connect(path)).await {
                Err(_) => return Err((Status::L4Tout, self.step_suffix())),
                Ok(Err(e)) => {
                    return Err((
                        Status::L4Con,
                        format!("{}{}", strerror(&e), self.step_suffix()),
                    ));
                }
                Ok(Ok(s)) => s,
            };
            if let Some(tc) = p.check_timeout_ms {
                self.timer = self.timer.max(Instant::now() + Duration::from_millis(tc));
            }
            self.conn = Some(Conn::Unix(stream));
            return Ok(());
        }
        let port = c
            .port
            .or_else(|| c.addr.and_then(|a| a.1))
            .unwrap_or(target.port);
        let ip: Option<IpAddr> = c.addr.map(|a| a.0).or(target.ip);
        let addr: Option<SocketAddr> = match ip {
            Some(ip) => Some(SocketAddr::new(ip, port)),
            None => timeout_at(
                self.timer,
                tokio::net::lookup_host((target.host.as_str(), port)),
            )
            .await
            .ok()
            .and_then(|r| r.ok())
            .and_then(|mut it| it.next()),
        };
        let Some(addr) = addr else {
            return Err((
                Status::SockErr,
                "No port available for the TCP connection".into(),
            ));
        };
        let sock = match if addr.is_ipv4() {
            tokio::net::TcpSocket::new_v4()
        } else {
            tokio::net::TcpSocket::new_v6()
        } {
            Ok(s) => s,
            Err(e) => {
                return Err((
                    Status::SockErr,
                    format!("{}{}", strerror(&e), self.step_suffix()),
                ));
            }
        };
        if delack {
            let _ = socket2::SockRef::from(&sock).set_tcp_quickack(false);
        }
        let stream = match timeout_at(self.timer, sock.connect(addr)).await {
            Err(_) => return Err((Status::L4Tout, self.step_suffix())),
            Ok(Err(e)) => {
                return Err((
                    Status::L4Con,
                    format!("{}{}", strerror(&e), self.step_suffix()),
                ));
            }
            Ok(Ok(s)) => s,
        };
        let _ = stream.set_nodelay(true);
        self.conn = Some(Conn::Tcp(stream));
        self.proxy_header(c).await?;
        if let Some(tls) = &c.tls
            && let Some(Conn::Tcp(tcp)) = self.conn.take()
        {
            // The handshake runs under the connect timer (measured on HAProxy 2.6.12: a
            // server that never answers the ClientHello gives "Layer6 timeout" after
            // min(inter, timeout connect) even with `timeout check 3s`); its failure is
            // L6RSP with the connection's error text.
            match timeout_at(self.timer, check_handshake(tls, tcp)).await {
                Err(_) => return Err((Status::L6Tout, self.step_suffix())),
                Ok(Err(text)) => {
                    return Err((Status::L6Rsp, format!("{text}{}", self.step_suffix())));
                }
                Ok(Ok(s)) => self.conn = Some(Conn::Tls(Box::new(s))),
            }
        }
        // Connected: `timeout check` runs from here, but HAProxy 2.6 only looks at it
        // when the connect timer fires (measured: timeout check 300 ms with timeout
        // connect 1 s gives "Layer7 timeout" after about 1 s; timeout check 3 s gives 3 s).
        if let Some(tc) = p.check_timeout_ms {
            self.timer = self.timer.max(Instant::now() + Duration::from_millis(tc));
        }
        Ok(())
    }

    /// The PROXY protocol header, sent in clear before any TLS handshake.
    async fn proxy_header(&mut self, c: &ConnectStep) -> Result<(), (Status, String)> {
        let p = self.plan;
        let pp = if c.send_proxy { 1 } else { p.send_proxy };
        if pp > 0 {
            // measured: v1 carries the check connection's own addresses, v2 is LOCAL
            let hdr: Vec<u8> = if pp == 2 {
                b"\r\n\r\n\x00\r\nQUIT\n\x20\x00\x00\x00".to_vec()
            } else {
                match &self.conn {
                    Some(Conn::Tcp(t)) => match (t.local_addr(), t.peer_addr()) {
                        (Ok(l), Ok(r)) => format!(
                            "PROXY {} {} {} {} {}\r\n",
                            if l.is_ipv4() { "TCP4" } else { "TCP6" },
                            l.ip(),
                            r.ip(),
                            l.port(),
                            r.port()
                        )
                        .into_bytes(),
                        _ => b"PROXY UNKNOWN\r\n".to_vec(),
                    },
                    _ => b"PROXY UNKNOWN\r\n".to_vec(),
                }
            };
            self.send(&hdr).await?;
        }
        Ok(())
    }

    /// Discards what the connection already received (plain TCP and unix sockets).
    fn drain_pending(&mut self) {
        let mut buf = [0u8; 4096];
        for _ in 0..64 {
            let r = match self.conn.as_ref() {
                Some(Conn::Tcp(t)) => t.try_read(&mut buf),
                Some(Conn::Unix(u)) => u.try_read(&mut buf),
                _ => return,
            };
            match r {
                Ok(n) if n > 0 => {}
                _ => return,
            }
        }
    }

    async fn send(&mut self, bytes: &[u8]) -> Result<(), (Status, String)> {
        let Some(conn) = self.conn.as_mut() else {
            return Err((Status::SockErr, self.step_suffix()));
        };
        match timeout_at(self.timer, conn.write_all(bytes)).await {
            Err(_) => Err((Status::L7Tout, self.step_suffix())),
            Ok(Err(e)) => Err((
                Status::SockErr,
                format!("{}{}", strerror(&e), self.step_suffix()),
            )),
            Ok(Ok(())) => Ok(()),
        }
    }

    async fn read(&mut self) -> Read {
        if self.eof {
            return Read::Eof;
        }
        let Some(conn) = self.conn.as_mut() else {
            return Read::Eof;
        };
        let room = BUFSIZE.saturating_sub(self.bi.len());
        if room == 0 {
            return Read::Data;
        }
        let mut buf = vec![0u8; room];
        match timeout_at(self.timer, conn.read(&mut buf)).await {
            Err(_) => Read::Timeout,
            Ok(Err(e)) => Read::Error(e),
            Ok(Ok(0)) => {
                self.eof = true;
                Read::Eof
            }
            Ok(Ok(n)) => {
                self.bi.extend_from_slice(&buf[..n]);
                Read::Data
            }
        }
    }

    /// `%[res.payload(o,l)]` as a C string (log-format stops at a NUL).
    fn payload(&self, offset: usize, len: usize) -> Vec<u8> {
        let Some(v) = self.bi.get(offset..) else {
            return Vec::new();
        };
        let v = if len > 0 {
            v.get(..len).unwrap_or(v)
        } else {
            v
        };
        v.to_vec()
    }

    fn payload_int(&self, offset: usize, len: usize) -> i64 {
        let p = self.payload(offset, len);
        let digits: String = p
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .map(|&b| b as char)
            .collect();
        digits.parse().unwrap_or(0)
    }

    fn fmt(&self, f: &InfoFmt) -> String {
        match f {
            InfoFmt::Text(t) => t.clone(),
            InfoFmt::Payload {
                offset,
                len,
                ltrim_space,
                cut_crlf,
            } => {
                let mut p = self.payload(*offset, *len);
                if let Some(z) = p.iter().position(|&b| b == 0) {
                    p.truncate(z);
                }
                if *ltrim_space {
                    let n = p.iter().take_while(|&&b| b == b' ').count();
                    p.drain(..n);
                }
                if *cut_crlf && let Some(z) = p.iter().position(|&b| b == b'\r' || b == b'\n') {
                    p.truncate(z);
                }
                latin1(&p)
            }
        }
    }

    /// tcpcheck_expect_onerror_message.
    fn onerror(&mut self, e: &ExpectStep, matched: bool, desc: &str) -> String {
        let mut msg = if !desc.is_empty() {
            desc.to_string()
        } else if let Some(f) = &e.on_error {
            self.fmt(f)
        } else if !self.pure_tcp() {
            String::new()
        } else {
            let mut m = if matched {
                "TCPCHK matched unwanted content".to_string()
            } else {
                "TCPCHK did not match content".to_string()
            };
            let id = e.step_id;
            match &e.kind {
                ExpectKind::HttpStatus(_) => m.push_str(&format!("(status codes) at step {id}")),
                ExpectKind::String(p) | ExpectKind::HttpBody(p) => {
                    m.push_str(&format!(" '{}' at step {id}", latin1(p)))
                }
                ExpectKind::Binary(_) => m.push_str(&format!(" (binary) at step {id}")),
                ExpectKind::RString(_) | ExpectKind::HttpRStatus(_) | ExpectKind::HttpRBody(_) => {
                    m.push_str(&format!(" (regex) at step {id}"))
                }
                ExpectKind::RBinary(_) => m.push_str(&format!(" (binary regex) at step {id}")),
                ExpectKind::HttpHeader(_) => m.push_str(&format!(" (header pattern) at step {id}")),
                ExpectKind::MysqlInitHs
                | ExpectKind::MysqlOk
                | ExpectKind::LdapBindRsp
                | ExpectKind::AgentReply => m.push_str(&format!(" (custom function) at step {id}")),
                ExpectKind::Unsupported(_) => {
                    m.push_str(&format!(" (log-format string) at step {id}"))
                }
            }
            m
        };
        if let Some(c) = &e.comment {
            msg.push_str(" comment: ");
            msg.push_str(&latin1(c.as_bytes()));
        }
        if let Some((o, l)) = e.status_code {
            self.code = self.payload_int(o, l);
        }
        msg
    }

    /// tcpcheck_eval_expect.
    fn eval_tcp(&mut self, e: &ExpectStep, last_read: bool) -> Eval {
        let bi = &self.bi;
        if !last_read {
            if let ExpectKind::String(p) | ExpectKind::Binary(p) = &e.kind
                && bi.len() < p.len()
            {
                return Eval::Wait;
            }
            if e.min_recv.is_some_and(|m| m > 0 && bi.len() < m) {
                return Eval::Wait;
            }
        }
        let err_status = e.err_status.unwrap_or(Status::L7Rsp);
        let matched = match &e.kind {
            ExpectKind::String(p) | ExpectKind::Binary(p) => memmem(bi, p),
            ExpectKind::RString(re) => re.is_match(&bi[..bi.len().min(BUFSIZE - 1)]),
            ExpectKind::RBinary(re) => re.is_match(proto::hex_upper(bi).as_bytes()),
            ExpectKind::MysqlInitHs => return self.mysql_packet(e, 0, last_read),
            ExpectKind::MysqlOk => {
                let hs = 4 + le24(bi, 0);
                return self.mysql_packet(e, hs, last_read);
            }
            ExpectKind::LdapBindRsp => return self.ldap(e),
            ExpectKind::AgentReply => {
                return match crate::proxy::checks::agent::parse(bi, last_read) {
                    crate::proxy::checks::agent::Read::Wait => Eval::Wait,
                    r => {
                        // the engine reads the words: their effect depends on the server
                        self.agent = Some(r);
                        Eval::Stop(Status::Checked, String::new())
                    }
                };
            }
            ExpectKind::Unsupported(t) => return Eval::Stop(Status::L7Rsp, t.clone()),
            // HTTP matchers in a non-HTTP ruleset cannot happen (the parser decides).
            _ => return Eval::Stop(Status::L7Rsp, String::new()),
        };
        if !matched && !last_read && e.min_recv.is_none() {
            return Eval::Wait;
        }
        if matched ^ e.negate {
            return Eval::Continue;
        }
        let msg = self.onerror(e, matched, "");
        Eval::Stop(err_status, msg)
    }

    /// tcpcheck_mysql_expect_packet.
    fn mysql_packet(&mut self, e: &ExpectStep, offset: usize, last_read: bool) -> Eval {
        let bi = &self.bi;
        if bi.len() < offset + 4 {
            return if last_read {
                Eval::Stop(Status::L7Rsp, self.onerror_owned(e, ""))
            } else {
                Eval::Wait
            };
        }
        let plen = le24(bi, offset);
        if bi.len() < offset + plen + 4 {
            return if last_read {
                Eval::Stop(Status::L7Rsp, self.onerror_owned(e, ""))
            } else {
                Eval::Wait
            };
        }
        if bi.get(offset + 4) == Some(&0xff) {
            let err = i64::from(bi.get(offset + 5).copied().unwrap_or(0))
                + (i64::from(bi.get(offset + 6).copied().unwrap_or(0)) << 8);
            let desc = latin1(bi.get(offset + 7..).unwrap_or(&[]));
            let msg = self.onerror_owned(e, &desc);
            self.code = err;
            return Eval::Stop(Status::L7Sts, msg);
        }
        Eval::Continue
    }

    fn onerror_owned(&mut self, e: &ExpectStep, desc: &str) -> String {
        self.onerror(e, false, desc)
    }

    /// tcpcheck_ldap_expect_bindrsp.
    fn ldap(&mut self, e: &ExpectStep) -> Eval {
        let bi = &self.bi;
        let b = |i: usize| bi.get(i).copied().unwrap_or(0);
        let mut msglen = if b(1) & 0x80 != 0 {
            usize::from(b(1) & 0x7f)
        } else {
            0
        };
        let not_ldap = "Not LDAPv3 protocol";
        if msglen > 2 || bi.get(2 + msglen..6 + msglen) != Some(&b"\x02\x01\x01\x61"[..]) {
            let m = self.onerror_owned(e, not_ldap);
            return Eval::Stop(Status::L7Rsp, m);
        }
        if b(msglen + 6) & 0x80 != 0 {
            msglen += usize::from(b(msglen + 6) & 0x7f);
        }
        if msglen > 4 || bi.get(7 + msglen..9 + msglen) != Some(&b"\x0a\x01"[..]) {
            let m = self.onerror_owned(e, not_ldap);
            return Eval::Stop(Status::L7Rsp, m);
        }
        let code = i64::from(b(msglen + 9));
        if code != 0 {
            let m = self.onerror_owned(
                e,
                "See RFC: http://tools.ietf.org/html/rfc4511#section-4.1.9",
            );
            self.code = code;
            return Eval::Stop(Status::L7Sts, m);
        }
        Eval::Continue
    }

    /// tcpcheck_eval_expect_http, on the response read so far.
    fn eval_http(&mut self, e: &ExpectStep, last_read: bool) -> Eval {
        let resp = match parse_response(&self.bi, self.head_req, self.eof) {
            Parsed::Partial => {
                return if last_read {
                    Eval::Stop(Status::L7Rsp, String::new())
                } else {
                    Eval::Wait
                };
            }
            Parsed::Invalid => return Eval::Stop(Status::L7Rsp, String::new()),
            Parsed::Done(r) => r,
        };
        let last_read = last_read || resp.complete;
        self.code = i64::from(resp.status);
        if self.plan.disable_on_404 && self.server_running && resp.status == 404 {
            return Eval::Continue;
        }
        let (matched, status, desc): (bool, Status, String) = match &e.kind {
            ExpectKind::HttpStatus(codes) => (
                codes
                    .iter()
                    .any(|&(a, b)| resp.status >= a && resp.status <= b),
                e.err_status.unwrap_or(Status::L7Sts),
                resp.reason.clone(),
            ),
            ExpectKind::HttpRStatus(re) => (
                re.is_match(resp.status.to_string().as_bytes()),
                e.err_status.unwrap_or(Status::L7Sts),
                resp.reason.clone(),
            ),
            ExpectKind::HttpHeader(h) => (
                header_matches(h, &resp.headers),
                e.err_status.unwrap_or(Status::L7Sts),
                resp.reason.clone(),
            ),
            ExpectKind::HttpBody(_) | ExpectKind::HttpRBody(_) => {
                let err = e.err_status.unwrap_or(Status::L7Rsp);
                if resp.body.is_empty() {
                    if !last_read {
                        return Eval::Wait;
                    }
                    let d = if e.on_error.is_none() {
                        "HTTP content check could not find a response body"
                    } else {
                        ""
                    };
                    let m = self.onerror(e, false, d);
                    return Eval::Stop(err, m);
                }
                if !last_read {
                    if let ExpectKind::HttpBody(p) = &e.kind
                        && resp.body.len() < p.len()
                    {
                        return Eval::Wait;
                    }
                    if e.min_recv.is_some_and(|m| m > 0 && resp.body.len() < m) {
                        return Eval::Wait;
                    }
                }
                let matched = match &e.kind {
                    ExpectKind::HttpBody(p) => memmem(&resp.body, p),
                    ExpectKind::HttpRBody(re) => re.is_match(&resp.body),
                    _ => false,
                };
                if !matched && !last_read && e.min_recv.is_none() {
                    return Eval::Wait;
                }
                let d = if e.negate {
                    "HTTP check matched unwanted content"
                } else {
                    "HTTP content check did not match"
                };
                (matched, err, d.to_string())
            }
            ExpectKind::Unsupported(t) => return Eval::Stop(Status::L7Rsp, t.clone()),
            _ => return Eval::Stop(e.err_status.unwrap_or(Status::L7Rsp), String::new()),
        };
        if matched ^ e.negate {
            return Eval::Continue;
        }
        // An `on-error` format replaces the description.
        let desc = if e.on_error.is_some() {
            String::new()
        } else {
            desc
        };
        let m = self.onerror(e, matched, &desc);
        Eval::Stop(status, m)
    }
}

fn le24(b: &[u8], at: usize) -> usize {
    let g = |i: usize| usize::from(b.get(at + i).copied().unwrap_or(0));
    g(0) | (g(1) << 8) | (g(2) << 16)
}

fn memmem(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || hay.windows(needle.len()).any(|w| w == needle)
}

struct Response {
    status: u16,
    reason: String,
    headers: Vec<(String, Vec<u8>)>,
    /// The body received so far, de-chunked.
    body: Vec<u8>,
    /// The whole message was received.
    complete: bool,
}

enum Parsed {
    Partial,
    Invalid,
    Done(Response),
}

fn parse_response(buf: &[u8], head_req: bool, eof: bool) -> Parsed {
    let mut hdrs = [httparse::EMPTY_HEADER; 101];
    let mut r = httparse::Response::new(&mut hdrs);
    let n = match r.parse(buf) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) => return Parsed::Partial,
        Err(_) => return Parsed::Invalid,
    };
    let status = r.code.unwrap_or(0);
    let headers: Vec<(String, Vec<u8>)> = r
        .headers
        .iter()
        .map(|h| (h.name.to_ascii_lowercase(), h.value.to_vec()))
        .collect();
    let rest = buf.get(n..).unwrap_or(&[]);
    let hv = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| String::from_utf8_lossy(v).trim().to_ascii_lowercase())
    };
    let (body, complete) = if head_req || status < 200 || status == 204 || status == 304 {
        (Vec::new(), true)
    } else if hv("transfer-encoding").is_some_and(|t| t.ends_with("chunked")) {
        dechunk(rest)
    } else if let Some(cl) = hv("content-length").and_then(|v| v.parse::<usize>().ok()) {
        let b = rest.get(..cl.min(rest.len())).unwrap_or(rest).to_vec();
        let done = b.len() == cl;
        (b, done)
    } else {
        (rest.to_vec(), eof)
    };
    Parsed::Done(Response {
        status,
        reason: r.reason.unwrap_or("").to_string(),
        headers,
        body,
        complete,
    })
}

fn dechunk(mut b: &[u8]) -> (Vec<u8>, bool) {
    let mut out = Vec::new();
    loop {
        let Some(eol) = b.windows(2).position(|w| w == b"\r\n") else {
            return (out, false);
        };
        let line = String::from_utf8_lossy(&b[..eol]);
        let size_txt = line.split(';').next().unwrap_or("").trim();
        let Ok(size) = usize::from_str_radix(size_txt, 16) else {
            return (out, false);
        };
        b = &b[eol + 2..];
        if size == 0 {
            return (out, true);
        }
        let take = size.min(b.len());
        out.extend_from_slice(&b[..take]);
        if b.len() < size + 2 {
            return (out, false);
        }
        b = &b[size + 2..];
    }
}

fn str_match(m: StrMatch, hay: &str, pat: &str, ci: bool) -> bool {
    let (h, p) = if ci {
        (hay.to_ascii_lowercase(), pat.to_ascii_lowercase())
    } else {
        (hay.to_string(), pat.to_string())
    };
    match m {
        StrMatch::Str => h == p,
        StrMatch::Beg => h.starts_with(&p),
        StrMatch::End => h.ends_with(&p),
        StrMatch::Sub => h.contains(&p),
    }
}

fn header_matches(h: &HeaderMatch, headers: &[(String, Vec<u8>)]) -> bool {
    for (name, value) in headers {
        let name_ok = match &h.name {
            NamePat::Str(m, p) => str_match(*m, name, p, true),
            NamePat::Reg(re) => re.is_match(name.as_bytes()),
        };
        if !name_ok {
            continue;
        }
        let Some(vp) = &h.value else { return true };
        let value = String::from_utf8_lossy(value);
        let values: Vec<&str> = if h.full {
            vec![value.trim()]
        } else {
            value.split(',').map(str::trim).collect()
        };
        for v in values {
            let ok = match vp {
                NamePat::Str(m, p) => str_match(*m, v, p, false),
                NamePat::Reg(re) => re.is_match(v.as_bytes()),
            };
            if ok {
                return true;
            }
        }
    }
    false
}

#[cfg(test)]
mod tls_tests {
    use std::path::Path;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    use super::*;

    use crate::proxy::backend::stream::tests::openssl;

    /// `ca.crt` and `leaf.pem` (CN=backend.test, signed by `ca.crt`) from the backend's
    /// TLS tests, and `other.crt` (a CA that signed nothing here).
    fn certs(dir: &Path) {
        crate::proxy::backend::stream::tests::ca_and_leaf(dir);
        let mut a = vec!["req", "-x509", "-nodes", "-days", "30"];
        a.extend(["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]);
        a.extend([
            "-keyout",
            "other.key",
            "-out",
            "other.crt",
            "-subj",
            "/CN=Other CA",
        ]);
        openssl(dir, &a);
    }

    /// Answers every request on the connection with `200 OK` and body `ok`.
    async fn http<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(mut s: S) {
        let mut buf = Vec::new();
        let mut b = [0u8; 2048];
        loop {
            match s.read(&mut b).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&b[..n]),
            }
            // a ClientHello in clear: refused as Python's http.server refuses it
            if buf.first() == Some(&0x16) {
                let _ = s.write_all(b"HTTP/1.0 400 Bad request\r\n\r\n").await;
                return;
            }
            if buf.windows(4).any(|w| w == b"\r\n\r\n") {
                let _ = s
                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nok\n")
                    .await;
                let _ = s.flush().await;
                buf.clear();
            }
        }
    }

    /// A TLS HTTP server, a cleartext one and one that accepts and never answers.
    async fn servers(pem: &Path) -> (u16, u16, u16) {
        let mut b = crate::ir::haproxy::expr::Bind::default();
        b.opts.ssl = true;
        b.opts.crt = vec![pem.to_string_lossy().into_owned()];
        let t = crate::proxy::tls::ServerTls::new(&Default::default(), &b).unwrap();
        let acc = crate::proxy::tls::Acceptor::new(&t);
        let tls = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let plain = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let silent = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let ports = (
            tls.local_addr().unwrap().port(),
            plain.local_addr().unwrap().port(),
            silent.local_addr().unwrap().port(),
        );
        tokio::spawn(async move {
            while let Ok((tcp, _)) = tls.accept().await {
                let acc = acc.clone();
                tokio::spawn(async move {
                    if let Ok((s, _)) = acc.accept(tcp).await {
                        http(s).await;
                    }
                });
            }
        });
        tokio::spawn(async move {
            while let Ok((tcp, _)) = plain.accept().await {
                tokio::spawn(http(tcp));
            }
        });
        tokio::spawn(async move {
            let mut keep = Vec::new();
            while let Ok((tcp, _)) = silent.accept().await {
                keep.push(tcp);
            }
        });
        ports
    }

    /// The statuses and infos of HAProxy 2.6.12 for the same servers (its `show stat`
    /// check_status column and its DOWN lines' info; measured against an OpenSSL
    /// server, a cleartext HTTP server answering 400 and a silent listener).
    #[tokio::test]
    async fn tls_checks_match_haproxy() {
        let dir = std::env::temp_dir().join(format!("tandem-tls-checks-{}", std::process::id()));
        certs(&dir);
        let (tls, plain, silent) = servers(&dir.join("leaf.pem")).await;
        let d = dir.to_string_lossy();
        let text = format!(
            "defaults\n    mode http\n    timeout connect 1s\n    timeout check 3s\n\
             backend tcpchk\n\
             \x20   default-server check inter 300\n\
             \x20   server tls_ssl 127.0.0.1:{tls} ssl verify none\n\
             \x20   server tls_checkssl 127.0.0.1:{tls} check-ssl verify none\n\
             \x20   server plain_checkssl 127.0.0.1:{plain} check-ssl verify none\n\
             \x20   server silent_checkssl 127.0.0.1:{silent} check-ssl verify none\n\
             \x20   server tls_badca 127.0.0.1:{tls} ssl verify required ca-file {d}/other.crt\n\
             \x20   server tls_goodca 127.0.0.1:{tls} ssl verify required ca-file {d}/ca.crt check-sni backend.test\n\
             \x20   server tls_badsni 127.0.0.1:{tls} ssl verify required ca-file {d}/ca.crt check-sni nope.test\n\
             \x20   server tls_nosni 127.0.0.1:{tls} ssl verify required ca-file {d}/ca.crt\n\
             \x20   server tls_nocheckssl 127.0.0.1:{tls} ssl verify none no-check-ssl\n\
             \x20   server tls_port 127.0.0.1:{tls} ssl verify none port {tls}\n\
             backend httpchk\n\
             \x20   option httpchk GET /\n\
             \x20   default-server check inter 300\n\
             \x20   server tls_ssl 127.0.0.1:{tls} ssl verify none\n\
             \x20   server plain_checkssl 127.0.0.1:{plain} check-ssl verify none\n\
             \x20   server tls_sni 127.0.0.1:{tls} ssl verify none check-sni foo.test\n\
             backend t1\n\
             \x20   option tcp-check\n\
             \x20   tcp-check connect ssl\n\
             \x20   tcp-check send \"GET / HTTP/1.0\\r\\n\\r\\n\"\n\
             \x20   tcp-check expect string ok\n\
             \x20   default-server check inter 300 verify none\n\
             \x20   server plain 127.0.0.1:{plain}\n\
             \x20   server tls 127.0.0.1:{tls}\n\
             \x20   server silent 127.0.0.1:{silent}\n\
             backend t2\n\
             \x20   option tcp-check\n\
             \x20   tcp-check connect\n\
             \x20   tcp-check send \"GET / HTTP/1.0\\r\\n\\r\\n\"\n\
             \x20   tcp-check expect string ok\n\
             \x20   default-server check inter 300 verify none\n\
             \x20   server plain 127.0.0.1:{plain} check-ssl\n\
             backend t3\n\
             \x20   option tcp-check\n\
             \x20   tcp-check connect default\n\
             \x20   default-server check inter 300 verify none\n\
             \x20   server tls 127.0.0.1:{tls} ssl\n\
             \x20   server plain 127.0.0.1:{plain} check-ssl\n\
             backend t4\n\
             \x20   option tcp-check\n\
             \x20   tcp-check send \"GET / HTTP/1.0\\r\\n\\r\\n\"\n\
             \x20   tcp-check expect string ok\n\
             \x20   default-server check inter 300\n\
             \x20   server tls 127.0.0.1:{tls} ssl verify none\n\
             \x20   server plain 127.0.0.1:{plain} check-ssl verify none\n\
             \x20   server badsni 127.0.0.1:{tls} ssl verify required ca-file {d}/ca.crt check-sni bad.test\n"
        );
        let cfg = crate::proxy::engine::tests::config(&text);
        let mut got = Vec::new();
        for p in &cfg.proxies {
            for plan in super::super::plan_for_backend(&cfg, p).unwrap() {
                assert_eq!(plan.warning, None);
                let o = run_check(&plan, true).await;
                got.push(format!(
                    "{}/{}: {} \"{}\"",
                    plan.backend,
                    plan.server,
                    o.status.name(),
                    o.info
                ));
            }
        }
        let want = [
            r#"tcpchk/tls_ssl: L6OK """#,
            r#"tcpchk/tls_checkssl: L6OK """#,
            r#"tcpchk/plain_checkssl: L6RSP "SSL handshake failure""#,
            r#"tcpchk/silent_checkssl: L6TOUT """#,
            r#"tcpchk/tls_badca: L6RSP "SSL handshake failure""#,
            r#"tcpchk/tls_goodca: L6OK """#,
            r#"tcpchk/tls_badsni: L6RSP "Server presented an SSL certificate different from the expected one""#,
            r#"tcpchk/tls_nosni: L6OK """#,
            r#"tcpchk/tls_nocheckssl: L4OK """#,
            r#"tcpchk/tls_port: L4OK """#,
            r#"httpchk/tls_ssl: L7OK """#,
            r#"httpchk/plain_checkssl: L6RSP "SSL handshake failure""#,
            r#"httpchk/tls_sni: L7OK """#,
            r#"t1/plain: L6RSP "SSL handshake failure at step 1 of tcp-check (connect)""#,
            r#"t1/tls: L7OK "(tcp-check)""#,
            r#"t1/silent: L6TOUT " at step 1 of tcp-check (connect)""#,
            r#"t2/plain: L7OK "(tcp-check)""#,
            r#"t3/tls: L6OK "(tcp-check)""#,
            r#"t3/plain: L6RSP "SSL handshake failure at step 1 of tcp-check (connect)""#,
            r#"t4/tls: L7OK "(tcp-check)""#,
            r#"t4/plain: L6RSP "SSL handshake failure at initial connection step of tcp-check""#,
            r#"t4/badsni: L6RSP "Server presented an SSL certificate different from the expected one at initial connection step of tcp-check""#,
        ];
        assert_eq!(got, want);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
