//! The case format: a `haproxy.cfg` template plus a `script` of steps.
//!
//! `script` lines (blank lines and `#` comments are skipped outside data blocks):
//!
//! Declarations (anywhere, usually first):
//! - `backend NAME [http|tcp]`: a test backend listening on port placeholder `@@NAME@@`;
//!   `http` (default) answers every request with its name and an echo of what it saw,
//!   `tcp` answers the first bytes of a connection with one line and closes.
//! - `golden PATH`: the config is `PATH` (relative to the case directory) instead of the
//!   case's `haproxy.cfg`, and the proxy runs from `PATH`'s directory;
//!   `map PORT NAME` lines turn `127.0.0.1:PORT` in it into `127.0.0.1:@@NAME@@`.
//! - `ready NAME...`: placeholders that must be listening before the script runs
//!   (default: every placeholder whose name starts with `fe`).
//!
//! Steps (one record each in the transcript):
//! - `request [CONN] [@FE] [xN]` + data lines: send, read one response (N times). Without
//!   CONN a fresh connection is used and closed; with CONN a named connection is kept
//!   (opened on first use). FE defaults to `fe`.
//! - `send CONN [@FE]` + data lines: send only; `response CONN`: read one response.
//! - `recv CONN [MS]`: raw bytes until MS (default 300) ms of silence or end of stream.
//! - `closed CONN [MS]`: whether the proxy closes CONN within MS (default 500) ms.
//! - `close CONN`: the client closes CONN.
//! - `shut CONN`: the client half-closes CONN (shutdown of its write side, a FIN).
//! - `tcp [@FE] [MS]` + data lines: fresh connection, send, read until close or MS idle.
//! - `burst N [@FE]` + data lines: N requests at once on N connections; the record is
//!   the sorted list of (status, server).
//! - `sleep MS`, `stop NAME`, `start NAME`, `behave NAME SPEC` (`-` resets).
//! - `wait BE/SRV UP|DOWN [MS]`: until the proxy reports the transition (default 5000 ms).
//! - `curl ARGS...`: runs curl (`@@NAME@@` expanded) and records its output.
//! - `logs [MS]`: after MS (default 500) ms, the syslog lines the proxy sent to the UDP
//!   port `@@syslog@@` since the previous `logs` step, with dates, PIDs, client ports and
//!   timers masked (the log differential suite, `tests/log_diff.rs`).
//!
//! Data lines: `> text` is `text` followed by CRLF (`>` alone is a bare CRLF);
//! `= text` is `text` with escapes (`\r \n \t \\ \xHH`) and no line ending added.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Http,
    Tcp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Request {
        conn: Option<String>,
        fe: String,
        data: Vec<u8>,
        repeat: u32,
    },
    Send {
        conn: String,
        fe: String,
        data: Vec<u8>,
    },
    Response {
        conn: String,
    },
    Recv {
        conn: String,
        idle_ms: u64,
    },
    Closed {
        conn: String,
        ms: u64,
    },
    Close {
        conn: String,
    },
    Shut {
        conn: String,
    },
    Tcp {
        fe: String,
        data: Vec<u8>,
        idle_ms: u64,
    },
    Burst {
        n: u32,
        fe: String,
        data: Vec<u8>,
    },
    Sleep(u64),
    Stop(String),
    Start(String),
    Behave(String, String),
    Wait {
        server: String,
        state: String,
        ms: u64,
    },
    Curl(Vec<String>),
    /// The syslog lines received since the previous `logs` step (masked).
    Logs(u64),
}

#[derive(Debug, Default, Clone)]
pub struct Script {
    pub backends: Vec<(String, Kind)>,
    pub golden: Option<String>,
    pub maps: Vec<(u16, String)>,
    pub ready: Vec<String>,
    /// (line number, step)
    pub steps: Vec<(usize, Step)>,
}

#[derive(Debug, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub msg: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.msg)
    }
}

pub fn unescape(s: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c != b'\\' {
            out.push(c);
            i += 1;
            continue;
        }
        match b.get(i + 1) {
            Some(b'r') => out.push(b'\r'),
            Some(b'n') => out.push(b'\n'),
            Some(b't') => out.push(b'\t'),
            Some(b'0') => out.push(0),
            Some(b'\\') => out.push(b'\\'),
            Some(b'x') => {
                let hex = s.get(i + 2..i + 4).ok_or("short \\x escape")?;
                out.push(u8::from_str_radix(hex, 16).map_err(|e| format!("bad \\x: {e}"))?);
                i += 2;
            }
            other => return Err(format!("unknown escape \\{:?}", other.map(|c| *c as char))),
        }
        i += 2;
    }
    Ok(out)
}

/// Printable form of bytes: ASCII kept, the rest escaped as `unescape` reads them.
pub fn escape(b: &[u8]) -> String {
    let mut s = String::new();
    for &c in b {
        match c {
            b'\r' => s.push_str("\\r"),
            b'\n' => s.push_str("\\n"),
            b'\t' => s.push_str("\\t"),
            b'\\' => s.push_str("\\\\"),
            0x20..=0x7e => s.push(c as char),
            _ => s.push_str(&format!("\\x{c:02x}")),
        }
    }
    s
}

fn num<T: std::str::FromStr>(s: &str, line: usize) -> Result<T, ParseError> {
    s.parse().map_err(|_| ParseError {
        line,
        msg: format!("not a number: `{s}`"),
    })
}

pub fn parse(text: &str) -> Result<Script, ParseError> {
    let lines: Vec<&str> = text.lines().collect();
    let mut sc = Script::default();
    let mut i = 0;
    while let Some(raw) = lines.get(i) {
        let lineno = i + 1;
        i += 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let err = |msg: String| ParseError { line: lineno, msg };
        // The data block that follows a step, if the step takes one.
        let data = |i: &mut usize| -> Result<Vec<u8>, ParseError> {
            let mut d = Vec::new();
            while let Some(l) = lines.get(*i) {
                let l = l.trim_start();
                if let Some(rest) = l.strip_prefix('>') {
                    d.extend_from_slice(rest.strip_prefix(' ').unwrap_or(rest).as_bytes());
                    d.extend_from_slice(b"\r\n");
                } else if let Some(rest) = l.strip_prefix('=') {
                    let rest = rest.strip_prefix(' ').unwrap_or(rest);
                    d.extend(unescape(rest).map_err(|m| ParseError {
                        line: *i + 1,
                        msg: m,
                    })?);
                } else {
                    break;
                }
                *i += 1;
            }
            Ok(d)
        };
        let words: Vec<&str> = line.split_whitespace().collect();
        let Some((&cmd, args)) = words.split_first() else {
            continue;
        };
        let arg = |k: usize| -> Result<String, ParseError> {
            args.get(k)
                .map(|s| s.to_string())
                .ok_or_else(|| err(format!("`{cmd}` needs an argument")))
        };
        // `[CONN] [@FE] [xN] [MS]` option words.
        let mut conn = None;
        let mut fe = "fe".to_string();
        let mut repeat = 1u32;
        let mut nums = Vec::new();
        for a in args {
            if let Some(f) = a.strip_prefix('@') {
                fe = f.to_string();
            } else if let Some(n) = a.strip_prefix('x').filter(|n| n.parse::<u32>().is_ok()) {
                repeat = num(n, lineno)?;
            } else if a.parse::<u64>().is_ok() {
                nums.push(num::<u64>(a, lineno)?);
            } else {
                conn = Some(a.to_string());
            }
        }
        let need_conn = |c: &Option<String>| {
            c.clone()
                .ok_or_else(|| err(format!("`{cmd}` needs a connection name")))
        };
        let step = match cmd {
            "backend" => {
                let kind = match args.get(1).copied() {
                    None | Some("http") => Kind::Http,
                    Some("tcp") => Kind::Tcp,
                    Some(k) => return Err(err(format!("unknown backend kind `{k}`"))),
                };
                sc.backends.push((arg(0)?, kind));
                continue;
            }
            "golden" => {
                sc.golden = Some(arg(0)?);
                continue;
            }
            "map" => {
                sc.maps.push((num(&arg(0)?, lineno)?, arg(1)?));
                continue;
            }
            "ready" => {
                sc.ready.extend(args.iter().map(|s| s.to_string()));
                continue;
            }
            "request" => Step::Request {
                conn,
                fe,
                data: data(&mut i)?,
                repeat,
            },
            "send" => Step::Send {
                conn: need_conn(&conn)?,
                fe,
                data: data(&mut i)?,
            },
            "response" => Step::Response {
                conn: need_conn(&conn)?,
            },
            "recv" => Step::Recv {
                conn: need_conn(&conn)?,
                idle_ms: nums.first().copied().unwrap_or(300),
            },
            "closed" => Step::Closed {
                conn: need_conn(&conn)?,
                ms: nums.first().copied().unwrap_or(500),
            },
            "close" => Step::Close {
                conn: need_conn(&conn)?,
            },
            "shut" => Step::Shut {
                conn: need_conn(&conn)?,
            },
            "tcp" => Step::Tcp {
                fe,
                data: data(&mut i)?,
                idle_ms: nums.first().copied().unwrap_or(300),
            },
            "burst" => Step::Burst {
                n: num(&arg(0)?, lineno)?,
                fe,
                data: data(&mut i)?,
            },
            "sleep" => Step::Sleep(num(&arg(0)?, lineno)?),
            "stop" => Step::Stop(arg(0)?),
            "start" => Step::Start(arg(0)?),
            "behave" => Step::Behave(arg(0)?, arg(1)?),
            "wait" => {
                let state = arg(1)?;
                if state != "UP" && state != "DOWN" {
                    return Err(err(format!(
                        "wait: state must be UP or DOWN, not `{state}`"
                    )));
                }
                Step::Wait {
                    server: arg(0)?,
                    state,
                    ms: args
                        .get(2)
                        .map(|s| num(s, lineno))
                        .transpose()?
                        .unwrap_or(5000),
                }
            }
            "curl" => Step::Curl(args.iter().map(|s| s.to_string()).collect()),
            "logs" => Step::Logs(nums.first().copied().unwrap_or(500)),
            other => return Err(err(format!("unknown command `{other}`"))),
        };
        sc.steps.push((lineno, step));
    }
    for (_, st) in &sc.steps {
        let name = match st {
            Step::Stop(n) | Step::Start(n) | Step::Behave(n, _) => n,
            _ => continue,
        };
        if !sc.backends.iter().any(|(b, _)| b == name) {
            return Err(ParseError {
                line: 0,
                msg: format!("step names backend `{name}`, which is not declared"),
            });
        }
    }
    Ok(sc)
}

/// `@@NAME@@` placeholders in a template, in order of first appearance.
pub fn placeholders(tpl: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = tpl;
    while let Some(start) = rest.find("@@") {
        let after = rest.get(start + 2..).unwrap_or_default();
        let Some(end) = after.find("@@") else { break };
        let name = after.get(..end).unwrap_or_default();
        if !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            if !out.iter().any(|n| n == name) {
                out.push(name.to_string());
            }
            rest = after.get(end + 2..).unwrap_or_default();
        } else {
            rest = after;
        }
    }
    out
}

pub fn substitute(tpl: &str, ports: &[(String, u16)]) -> String {
    let mut s = tpl.to_string();
    for (name, port) in ports {
        s = s.replace(&format!("@@{name}@@"), &port.to_string());
    }
    s
}

/// A golden config with `127.0.0.1:PORT` turned into placeholders.
pub fn templatize(cfg: &str, maps: &[(u16, String)]) -> String {
    let mut s = cfg.to_string();
    for (port, name) in maps {
        s = s.replace(
            &format!("127.0.0.1:{port}"),
            &format!("127.0.0.1:@@{name}@@"),
        );
    }
    s
}
