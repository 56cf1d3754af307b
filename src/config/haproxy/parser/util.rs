//! Small value grammars and helpers used by the section parsers: HAProxy's
//! time syntax, its "did you mean" word fingerprints, user/group look-ups.
//! (The shared value parsers of `values.rs` will replace the time parser
//! once they exist.)

/// Why `parse_time` refused a value (HAProxy's `parse_time_err` outcomes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeErr {
    /// More than 2147483647 ms.
    Over,
    /// The first character that does not belong to the value.
    BadChar(char),
    /// An empty value (HAProxy reports the NUL it stopped on).
    Empty,
}

thread_local! {
    /// Warnings of [`parse_time`] not yet reported (the parser takes them
    /// after each line: see [`take_timer_warnings`]).
    static TIMER_WARNINGS: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The warnings [`parse_time`] produced since the last call (full texts
/// after `[WARNING] (PID) : `).
pub fn take_timer_warnings() -> Vec<String> {
    TIMER_WARNINGS.with(|w| std::mem::take(&mut *w.borrow_mut()))
}

/// Milliseconds from HAProxy's time syntax: digits then `us|ms|s|m|h|d`;
/// without a unit, `default_unit_ms` milliseconds per unit (1 for ms, 1000 for s).
pub fn parse_time(text: &str, default_unit_ms: u64) -> Result<u64, TimeErr> {
    let bytes = text.as_bytes();
    let Some(&first) = bytes.first() else {
        return Err(TimeErr::Empty);
    };
    if !first.is_ascii_digit() {
        return Err(TimeErr::BadChar(first as char));
    }
    let mut value: u64 = 0;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if !b.is_ascii_digit() {
            break;
        }
        value = value * 10 + u64::from(b - b'0');
        if value > u64::from(u32::MAX) {
            return Err(TimeErr::Over);
        }
        i += 1;
    }
    let rest = &text[i..];
    // (numerator, denominator) in milliseconds.
    let (mul, div, unit_len) = if rest.is_empty() {
        (default_unit_ms, 1, 0)
    } else if rest.starts_with("us") {
        (1, 1000, 2)
    } else if rest.starts_with("ms") {
        (1, 1, 2)
    } else if rest.starts_with('s') {
        (1000, 1, 1)
    } else if rest.starts_with('m') {
        (60_000, 1, 1)
    } else if rest.starts_with('h') {
        (3_600_000, 1, 1)
    } else if rest.starts_with('d') {
        (86_400_000, 1, 1)
    } else {
        return Err(TimeErr::BadChar(rest.chars().next().unwrap_or('\0')));
    };
    if unit_len == 0 {
        // Digits only: nothing can follow.
    } else if let Some(c) = rest[unit_len..].chars().next() {
        // HAProxy 2.6 accepts junk after a complete unit, with a warning
        // (`parse_time_err()`), and uses the value before it.
        TIMER_WARNINGS.with(|w| {
            w.borrow_mut().push(format!(
                "config : unexpected character '{c}' after the timer value '{text}', only (us=microseconds,ms=milliseconds,s=seconds,m=minutes,h=hours,d=days) are supported. This will be reported as an error in next versions."
            ))
        });
    }
    // Microseconds round up to whole milliseconds, as HAProxy does.
    let ms = if div > 1 {
        value.div_ceil(div)
    } else {
        value * mul
    };
    if ms > i32::MAX as u64 {
        return Err(TimeErr::Over);
    }
    Ok(ms)
}

/// C `atol`: leading blanks, optional sign, digits; anything else ends it (0 if none).
pub fn atol(text: &str) -> i64 {
    let t = text.trim_start();
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let mut v: i64 = 0;
    for b in digits.bytes() {
        if !b.is_ascii_digit() {
            break;
        }
        v = v.saturating_mul(10).saturating_add(i64::from(b - b'0'));
    }
    if neg { -v } else { v }
}

/// HAProxy's "did you mean" (H6's port of `make_word_fingerprint` /
/// `word_fingerprint_distance`). On H2's corpus of 560 measured typos it
/// agrees with HAProxy 2.6.12 on all 560; the reconstruction this module had
/// before agreed on 552.
pub use crate::grammar::best_match;

/// `getpwnam`/`getgrnam` as HAProxy calls them: Some(id) when found.
pub fn lookup_user(name: &str) -> Option<u32> {
    lookup_in("/etc/passwd", name)
}

pub fn lookup_group(name: &str) -> Option<u32> {
    lookup_in("/etc/group", name)
}

/// NSS on the machines tandem targets resolves local accounts from the
/// files databases; reading them keeps the binary free of unsafe FFI.
fn lookup_in(db: &str, name: &str) -> Option<u32> {
    if name.is_empty() {
        return None;
    }
    let text = std::fs::read_to_string(db).ok()?;
    text.lines().find_map(|l| {
        let mut cols = l.split(':');
        let n = cols.next()?;
        if n != name {
            return None;
        }
        cols.nth(1)?.parse().ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        assert_eq!(parse_time("5s", 1), Ok(5000));
        assert_eq!(parse_time("2000", 1), Ok(2000));
        assert_eq!(parse_time("30", 1000), Ok(30000));
        assert_eq!(parse_time("1m", 1), Ok(60000));
        assert_eq!(parse_time("1x", 1), Err(TimeErr::BadChar('x')));
        assert_eq!(parse_time("500us", 1), Ok(1));
        assert_eq!(parse_time("25d", 1), Err(TimeErr::Over));
        assert_eq!(parse_time("", 1), Err(TimeErr::Empty));
    }
}
