//! `http_date`, `utime` and `ltime`: dates from seconds since the epoch, formatted as
//! HAProxy 2.6 does (strftime(3) of glibc for the last two).

/// Civil date of a day count since 1970-01-01 (the log module's conversion).
fn civil(days: i64) -> (i64, u32, u32) {
    let c = crate::proxy::log::format::Civil::from_unix(days.saturating_mul(86_400));
    (c.year, c.month, c.day)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const LONG_DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const LONG_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The broken-down time of `secs` seen at UTC offset `off` (seconds).
struct Tm {
    secs: i64,
    off: i32,
    year: i64,
    mon: u32,
    mday: u32,
    hour: u32,
    min: u32,
    sec: u32,
    wday: u32,
    yday: u32,
}

impl Tm {
    fn at(secs: i64, off: i32) -> Tm {
        let local = secs + i64::from(off);
        let days = local.div_euclid(86_400);
        let rem = local.rem_euclid(86_400);
        let (year, mon, mday) = civil(days);
        Tm {
            secs,
            off,
            year,
            mon,
            mday,
            hour: (rem / 3600) as u32,
            min: (rem / 60 % 60) as u32,
            sec: (rem % 60) as u32,
            wday: (days + 4).rem_euclid(7) as u32,
            yday: day_of_year(year, mon, mday),
        }
    }
}

/// 0-based day of the year.
fn day_of_year(y: i64, m: u32, d: u32) -> u32 {
    const CUM: [u32; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
    CUM[(m - 1) as usize] + d - 1 + u32::from(m > 2 && is_leap(y))
}

/// ISO 8601 week-based year and week number (`%G`, `%V`).
fn iso_week(t: &Tm) -> (i64, u32) {
    let wday = (t.wday + 6) % 7; // Monday = 0
    let yday = i64::from(t.yday);
    let week = (yday - i64::from(wday) + 10) / 7;
    let weeks_in = |y: i64| -> i64 {
        // 1970-01-01 was a Thursday (4 with Sunday = 0).
        let jan1 = (4 + days_before_year(y)).rem_euclid(7);
        // a year has 53 weeks when it starts on a Thursday, or a Wednesday in a leap year
        if jan1 == 4 || (jan1 == 3 && is_leap(y)) {
            53
        } else {
            52
        }
    };
    if week < 1 {
        (t.year - 1, weeks_in(t.year - 1) as u32)
    } else if week > weeks_in(t.year) {
        (t.year + 1, 1)
    } else {
        (t.year, week as u32)
    }
}

/// Days from 1970-01-01 to January 1st of `y`.
fn days_before_year(y: i64) -> i64 {
    let y1 = y - 1;
    let leaps = |x: i64| x.div_euclid(4) - x.div_euclid(100) + x.div_euclid(400);
    365 * (y - 1970) + leaps(y1) - leaps(1969)
}

/// strftime(3) with glibc's output for the C locale. `zone` is the `%Z` text.
pub fn strftime(fmt: &str, secs: i64, off: i32, zone: &str) -> String {
    let t = Tm::at(secs, off);
    let mut out = String::with_capacity(fmt.len() + 16);
    let mut it = fmt.chars();
    while let Some(c) = it.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let Some(f) = it.next() else {
            out.push('%');
            break;
        };
        let h12 = if t.hour.is_multiple_of(12) {
            12
        } else {
            t.hour % 12
        };
        use std::fmt::Write as _;
        let _ = match f {
            'Y' => write!(out, "{}", t.year),
            'C' => write!(out, "{:02}", t.year.div_euclid(100)),
            'y' => write!(out, "{:02}", t.year.rem_euclid(100)),
            'm' => write!(out, "{:02}", t.mon),
            'd' => write!(out, "{:02}", t.mday),
            'e' => write!(out, "{:2}", t.mday),
            'H' => write!(out, "{:02}", t.hour),
            'I' => write!(out, "{h12:02}"),
            'M' => write!(out, "{:02}", t.min),
            'S' => write!(out, "{:02}", t.sec),
            'j' => write!(out, "{:03}", t.yday + 1),
            'a' => write!(out, "{}", DAYS[t.wday as usize]),
            'A' => write!(out, "{}", LONG_DAYS[t.wday as usize]),
            'b' | 'h' => write!(out, "{}", MONTHS[(t.mon - 1) as usize]),
            'B' => write!(out, "{}", LONG_MONTHS[(t.mon - 1) as usize]),
            'p' => write!(out, "{}", if t.hour < 12 { "AM" } else { "PM" }),
            'u' => write!(out, "{}", if t.wday == 0 { 7 } else { t.wday }),
            'w' => write!(out, "{}", t.wday),
            's' => write!(out, "{}", t.secs),
            'D' => write!(
                out,
                "{:02}/{:02}/{:02}",
                t.mon,
                t.mday,
                t.year.rem_euclid(100)
            ),
            'F' => write!(out, "{}-{:02}-{:02}", t.year, t.mon, t.mday),
            'T' => write!(out, "{:02}:{:02}:{:02}", t.hour, t.min, t.sec),
            'R' => write!(out, "{:02}:{:02}", t.hour, t.min),
            'G' => write!(out, "{}", iso_week(&t).0),
            'V' => write!(out, "{:02}", iso_week(&t).1),
            'Z' => write!(out, "{zone}"),
            'z' => {
                let a = t.off.unsigned_abs();
                write!(
                    out,
                    "{}{:02}{:02}",
                    if t.off < 0 { '-' } else { '+' },
                    a / 3600,
                    a / 60 % 60
                )
            }
            'n' => writeln!(out),
            't' => write!(out, "\t"),
            '%' => write!(out, "%"),
            other => write!(out, "%{other}"),
        };
    }
    out
}

/// `http_date([offset],[unit])`: IMF-fixdate; with `ms`/`us` units HAProxy 2.6 appends
/// the fraction as a plain integer (`.0`, `.123`, `.123456`).
pub fn http_date(v: i64, offset: i64, unit: u32) -> String {
    let v = v.saturating_add(offset);
    let (secs, frac) = match unit {
        1000 | 1_000_000 => (
            v.div_euclid(i64::from(unit)),
            Some(v.rem_euclid(i64::from(unit))),
        ),
        _ => (v, None),
    };
    let t = Tm::at(secs, 0);
    let mut s = format!(
        "{}, {:02} {} {} {:02}:{:02}:{:02}",
        DAYS[t.wday as usize],
        t.mday,
        MONTHS[(t.mon - 1) as usize],
        t.year,
        t.hour,
        t.min,
        t.sec
    );
    if let Some(f) = frac {
        s.push_str(&format!(".{f}"));
    }
    s.push_str(" GMT");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Measured on HAProxy 2.6.12: `int(1500000000),utime(...)` and `http_date` variants.
    #[test]
    fn matches_haproxy() {
        assert_eq!(
            strftime(
                "%Y-%m-%dT%H:%M:%S %a %b %j %e %y %Z %z %% %p %I %s %A %B %D %F %T %R %u %w %C %h",
                1_500_000_000,
                0,
                "GMT"
            ),
            "2017-07-14T02:40:00 Fri Jul 195 14 17 GMT +0000 % AM 02 1500000000 Friday July \
             07/14/17 2017-07-14 02:40:00 02:40 5 5 20 Jul"
        );
        assert_eq!(strftime("%G %V", 1_500_000_000, 0, "GMT"), "2017 28");
        assert_eq!(
            http_date(1_500_000_000, 0, 1),
            "Fri, 14 Jul 2017 02:40:00 GMT"
        );
        assert_eq!(
            http_date(1_500_000_000_000, 3_600_000, 1000),
            "Fri, 14 Jul 2017 03:40:00.0 GMT"
        );
        assert_eq!(
            http_date(1_500_000_000_123, 0, 1000),
            "Fri, 14 Jul 2017 02:40:00.123 GMT"
        );
        assert_eq!(
            http_date(1_500_000_000_123_456, 0, 1_000_000),
            "Fri, 14 Jul 2017 02:40:00.123456 GMT"
        );
        assert_eq!(
            http_date(1_500_000_000, -3600, 1),
            "Fri, 14 Jul 2017 01:40:00 GMT"
        );
        // ISO weeks at year edges (glibc): 2021-01-03 is week 53 of 2020, 2024-12-30 week 1 of 2025.
        assert_eq!(strftime("%G-%V", 1_609_632_000, 0, "GMT"), "2020-53");
        assert_eq!(strftime("%G-%V", 1_735_516_800, 0, "GMT"), "2025-01");
        assert_eq!(strftime("%F %T", -1, 0, "GMT"), "1969-12-31 23:59:59");
    }
}
