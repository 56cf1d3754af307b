//! The agent check protocol, sans-IO, as HAProxy 2.6 reads an agent's reply
//! (src/tcpcheck.c `tcpcheck_agent_expect_reply`, src/server.c
//! `server_parse_weight_change_request` / `server_parse_maxconn_change_request`).
//!
//! The agent answers one line (ended by the first CR or LF) of words separated by spaces,
//! tabs or commas, in any order, the last of a kind winning: a health word (`up`, `down`,
//! `stopped`, `fail`), an admin word (`ready`, `drain`, `maint`), a weight (`75%`), a
//! `maxconn:N`, then optionally `#` and a description (kept only with a health word).
//! Any other word is an error; only the first one is reported.

use super::run::Status;

/// The admin state an agent asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminWord {
    Ready,
    Drain,
    Maint,
}

/// The words of one reply line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reply {
    /// The health word as written (the log prints it so) and whether it says up.
    pub health: Option<(String, bool)>,
    pub admin: Option<AdminWord>,
    /// The last weight word (`75%`, as written).
    pub weight: Option<String>,
    /// The value of the last `maxconn:` word.
    pub maxconn: Option<String>,
    /// The first word that is none of the above.
    pub error: Option<String>,
    /// After `#`, leading blanks skipped.
    pub desc: String,
}

/// What was read from the agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Read {
    /// More data may complete the line.
    Wait,
    /// The connection ended without a line terminator.
    Incomplete,
    Line(Reply),
}

/// Parses the agent's data; `last_read`: nothing more will come.
pub fn parse(data: &[u8], last_read: bool) -> Read {
    // the line ends at the first CR, LF or NUL (HAProxy works on a C string)
    let end = data.iter().position(|&b| matches!(b, b'\n' | b'\r' | 0));
    let line = match end {
        Some(i) if data[i] != 0 => &data[..i],
        _ if !last_read => return Read::Wait,
        _ => return Read::Incomplete,
    };
    let latin1 = |b: &[u8]| -> String { b.iter().map(|&c| char::from(c)).collect() };
    let mut r = Reply::default();
    let mut rest = line;
    loop {
        let skip = rest
            .iter()
            .take_while(|&&b| matches!(b, b' ' | b'\t' | b','))
            .count();
        rest = &rest[skip..];
        let Some(&first) = rest.first() else {
            break;
        };
        if first == b'#' {
            let d = &rest[1..];
            let blanks = d.iter().take_while(|&&b| matches!(b, b' ' | b'\t')).count();
            r.desc = latin1(&d[blanks..]);
            break;
        }
        // a word ends at a blank or a comma (a `#` inside a word belongs to it)
        let wend = rest
            .iter()
            .skip(1)
            .position(|&b| matches!(b, b' ' | b'\t' | b','))
            .map_or(rest.len(), |i| i + 1);
        let word = latin1(&rest[..wend]);
        rest = &rest[wend..];
        let lower = word.to_ascii_lowercase();
        match lower.as_str() {
            "up" => r.health = Some((word, true)),
            "down" | "stopped" | "fail" => r.health = Some((word, false)),
            "ready" => r.admin = Some(AdminWord::Ready),
            "drain" => r.admin = Some(AdminWord::Drain),
            "maint" => r.admin = Some(AdminWord::Maint),
            _ if first.is_ascii_digit() && word.contains('%') => r.weight = Some(word),
            _ if lower.starts_with("maxconn:") => {
                r.maxconn = Some(word.chars().skip("maxconn:".len()).collect());
            }
            _ => {
                if r.error.is_none() {
                    r.error = Some(word);
                }
            }
        }
    }
    Read::Line(r)
}

/// C's `strtol(s, &end, 10)`: the value (saturated) and the rest after the number, or
/// `None` when no digit was read.
fn strtol(s: &str) -> Option<(i64, &str)> {
    let t = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let n = digits.bytes().take_while(u8::is_ascii_digit).count();
    if n == 0 {
        return None;
    }
    let mut v: i64 = 0;
    for b in digits.bytes().take(n) {
        v = v.saturating_mul(10).saturating_add(i64::from(b - b'0'));
    }
    Some((if neg { -v } else { v }, &digits[n..]))
}

/// C's `atol`: the leading number, 0 without one.
pub fn atol(s: &str) -> i64 {
    strtol(s).map_or(0, |(v, _)| v)
}

/// `server_parse_weight_change_request`: the new user weight, or HAProxy's message
/// (some end with a newline, kept: the agent's warning prints them as they are).
/// `iweight`: the configured weight; `dynamic`: the algorithm accepts any weight.
pub fn weight_change(w: &str, iweight: u32, dynamic: bool) -> Result<u32, &'static str> {
    if w.is_empty() {
        return Err("Require <weight> or <weight%>.\n");
    }
    let Some((mut v, end)) = strtol(w) else {
        return Err("Empty weight string empty or preceded by garbage");
    };
    if end == "%" {
        if v < 0 {
            return Err("Relative weight must be positive.\n");
        }
        v = i64::from(iweight) * v.min(25600) / 100;
        v = v.min(256);
    } else if !(0..=256).contains(&v) {
        return Err("Absolute weight can only be between 0 and 256 inclusive.\n");
    } else if !end.is_empty() {
        return Err("Trailing garbage in weight string");
    }
    if v != 0 && v != i64::from(iweight) && !dynamic {
        return Err(
            "Backend is using a static LB algorithm and only accepts weights '0%' and '100%'.\n",
        );
    }
    Ok(v as u32)
}

/// `server_parse_maxconn_change_request`.
pub fn maxconn_change(v: &str) -> Result<i64, &'static str> {
    match strtol(v) {
        None => Err("maxconn string empty or preceded by garbage"),
        Some((_, end)) if !end.is_empty() => Err("Trailing garbage in maxconn string"),
        Some((n, _)) => Ok(n),
    }
}

/// What one agent reply does to the server, in HAProxy's order: the admin state, the
/// weight, the maxconn, then the health with the check's status and info.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub admin: Option<AdminWord>,
    pub weight: Option<u32>,
    pub maxconn: Option<i64>,
    /// `Some(true)`: the agent's health goes to its maximum; `Some(false)`: to 0.
    pub health: Option<bool>,
    pub status: Status,
    pub info: String,
}

/// Evaluates a reply line for a server of configured weight `iweight`.
pub fn evaluate(r: &Reply, iweight: u32, dynamic: bool) -> Verdict {
    let mut wrn: Option<&'static str> = None;
    let weight = r
        .weight
        .as_deref()
        .and_then(|w| match weight_change(w, iweight, dynamic) {
            Ok(v) => Some(v),
            Err(m) => {
                wrn.get_or_insert(m);
                None
            }
        });
    let maxconn = r.maxconn.as_deref().and_then(|m| match maxconn_change(m) {
        Ok(v) => Some(v),
        Err(m) => {
            wrn.get_or_insert(m);
            None
        }
    });
    let err = r.error.as_deref().filter(|e| !e.is_empty());
    let (status, info, health) = match &r.health {
        Some((word, up)) => {
            let status = if *up { Status::L7OkD } else { Status::L7Sts };
            // a description wins but for `up`, where an error then a warning come first
            let mut msg = r.desc.as_str();
            if msg.is_empty() || *up {
                if let Some(e) = err {
                    msg = e;
                } else if let Some(w) = wrn {
                    msg = w;
                }
            }
            let info = if msg.is_empty() {
                format!("via agent : {word}")
            } else {
                format!("via agent : {word} ({msg})")
            };
            (status, info, Some(*up))
        }
        None => {
            let info = match (err, wrn) {
                (Some(e), _) => format!("agent reports an error : {e}"),
                (None, Some(w)) => format!("agent warns : {w}"),
                (None, None) => String::new(),
            };
            (Status::Checked, info, None)
        }
    };
    Verdict {
        admin: r.admin,
        weight,
        maxconn,
        health,
        status,
        info,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(s: &str) -> Reply {
        match parse(s.as_bytes(), false) {
            Read::Line(r) => r,
            other => panic!("{s:?}: {other:?}"),
        }
    }

    fn eval(s: &str, iweight: u32) -> (Status, String, Option<u32>, Option<i64>) {
        let v = evaluate(&line(s), iweight, true);
        (v.status, v.info, v.weight, v.maxconn)
    }

    #[test]
    fn lines_wait_for_their_end() {
        assert_eq!(parse(b"up", false), Read::Wait);
        assert_eq!(parse(b"up", true), Read::Incomplete);
        assert_eq!(parse(b"", true), Read::Incomplete);
        assert!(matches!(parse(b"up\r\nignored", false), Read::Line(_)));
    }

    #[test]
    fn words_in_any_order_last_wins() {
        // HAProxy's reg-test checks/agent-check.vtc: "75%,maxconn:30,maint,down"
        let r = line("75%,maxconn:30,maint,down\n");
        assert_eq!(r.health, Some(("down".into(), false)));
        assert_eq!(r.admin, Some(AdminWord::Maint));
        assert_eq!(r.weight.as_deref(), Some("75%"));
        assert_eq!(r.maxconn.as_deref(), Some("30"));
        let r = line("UP drain\tready 10% 20%, # the desc\n");
        assert_eq!(r.health, Some(("UP".into(), true)));
        assert_eq!(r.admin, Some(AdminWord::Ready));
        assert_eq!(r.weight.as_deref(), Some("20%"));
        assert_eq!(r.desc, "the desc");
        assert_eq!(line("foo bar\n").error.as_deref(), Some("foo"));
    }

    #[test]
    fn texts_are_haproxys() {
        // HAProxy 2.6.12's `last_agt` / log info for each reply (measured, weight 100)
        assert_eq!(
            eval("down\n", 100),
            (Status::L7Sts, "via agent : down".into(), None, None)
        );
        assert_eq!(
            eval("fail # broken disk\n", 100),
            (
                Status::L7Sts,
                "via agent : fail (broken disk)".into(),
                None,
                None
            )
        );
        assert_eq!(
            eval("stopped,50%\n", 100),
            (Status::L7Sts, "via agent : stopped".into(), Some(50), None)
        );
        assert_eq!(
            eval("up foo 200%\n", 100),
            (
                Status::L7OkD,
                "via agent : up (foo)".into(),
                Some(200),
                None
            )
        );
        assert_eq!(
            eval("up foo 200%\n", 10).2,
            Some(20),
            "a percentage of the configured weight"
        );
        assert_eq!(
            eval("bar\n", 100),
            (
                Status::Checked,
                "agent reports an error : bar".into(),
                None,
                None
            )
        );
        assert_eq!(
            eval("maxconn:x\n", 100),
            (
                Status::Checked,
                "agent warns : maxconn string empty or preceded by garbage".into(),
                None,
                None
            )
        );
        assert_eq!(
            eval("75% maxconn:30 # hello\n", 100),
            (Status::Checked, String::new(), Some(75), Some(30))
        );
        assert_eq!(eval("drain\n", 100).0, Status::Checked);
    }

    #[test]
    fn weights_as_server_parse_weight_change_request() {
        assert_eq!(weight_change("50%", 10, true), Ok(5));
        assert_eq!(weight_change("300%", 100, true), Ok(256));
        assert_eq!(weight_change("7", 10, true), Ok(7));
        assert_eq!(
            weight_change("50%x", 10, true),
            Err("Trailing garbage in weight string")
        );
        assert_eq!(
            weight_change("50%", 10, false),
            Err(
                "Backend is using a static LB algorithm and only accepts weights '0%' and '100%'.\n"
            )
        );
        assert_eq!(weight_change("0%", 10, false), Ok(0));
        assert_eq!(weight_change("100%", 10, false), Ok(10));
        assert_eq!(maxconn_change("30"), Ok(30));
        assert_eq!(
            maxconn_change("30x"),
            Err("Trailing garbage in maxconn string")
        );
    }
}
