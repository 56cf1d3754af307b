//! The local time zone, for the log dates HAProxy writes in local time (the syslog header,
//! `%t`, `%tr`, `%trl`, `%Tl`): HAProxy calls `localtime_r`, which follows `TZ` and else
//! `/etc/localtime`. This reads the same TZif files (RFC 8536, the 64-bit section) without
//! libc: `TZ=Area/City` or `TZ=:Area/City` names a file under `/usr/share/zoneinfo`, an
//! absolute `TZ` a file; a POSIX rule without DST (`UTC0`, `<+0530>-5:30`) gives a fixed
//! offset. Anything else falls back to UTC, as glibc does for an unknown zone.

use std::sync::OnceLock;

/// A zone: UTC offsets (seconds east) from each transition time on.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Zone {
    /// (transition time, offset from then on), sorted by time.
    transitions: Vec<(i64, i32)>,
    /// The offset before the first transition (or always, without transitions).
    initial: i32,
}

impl Zone {
    /// A fixed offset.
    pub fn fixed(offset: i32) -> Self {
        Zone {
            transitions: Vec::new(),
            initial: offset,
        }
    }

    /// The offset at Unix time `t`.
    pub fn offset_at(&self, t: i64) -> i32 {
        match self.transitions.partition_point(|(at, _)| *at <= t) {
            0 => self.initial,
            n => self.transitions.get(n - 1).map_or(self.initial, |x| x.1),
        }
    }

    /// Parses a TZif file (version 1 data when there is no 64-bit section).
    pub fn from_tzif(b: &[u8]) -> Option<Zone> {
        let h = Header::parse(b, 0)?;
        if b.get(4).copied().unwrap_or(0) >= b'2' {
            let v1_len = h.data_len(4);
            let h2 = Header::parse(b, 44 + v1_len)?;
            return h2.zone(b, 44 + v1_len + 44, 8);
        }
        h.zone(b, 44, 4)
    }

    /// The POSIX `TZ` rule without DST: `STDoffset` (`UTC0`, `EST5`, `<+0530>-5:30`).
    pub fn from_posix(s: &str) -> Option<Zone> {
        let rest = if let Some(r) = s.strip_prefix('<') {
            r.split_once('>')?.1
        } else {
            s.trim_start_matches(|c: char| c.is_ascii_alphabetic())
        };
        if rest.is_empty() || rest.contains(|c: char| c.is_ascii_alphabetic() || c == ',') {
            return None;
        }
        let (sign, digits) = match rest.as_bytes().first()? {
            b'-' => (1, &rest[1..]),
            b'+' => (-1, &rest[1..]),
            _ => (-1, rest),
        };
        let mut secs = 0i32;
        for (i, part) in digits.split(':').enumerate() {
            let v: i32 = part.parse().ok()?;
            secs += v * [3600, 60, 1].get(i)?;
        }
        // POSIX offsets are west of Greenwich: `EST5` is UTC-5
        Some(Zone::fixed(sign * secs))
    }
}

struct Header {
    timecnt: usize,
    typecnt: usize,
    charcnt: usize,
    leapcnt: usize,
    isstdcnt: usize,
    isutcnt: usize,
}

impl Header {
    fn parse(b: &[u8], at: usize) -> Option<Header> {
        if b.get(at..at + 4)? != b"TZif" {
            return None;
        }
        let n = |i: usize| -> Option<usize> {
            let s = b.get(at + 20 + 4 * i..at + 24 + 4 * i)?;
            Some(u32::from_be_bytes(s.try_into().ok()?) as usize)
        };
        Some(Header {
            isutcnt: n(0)?,
            isstdcnt: n(1)?,
            leapcnt: n(2)?,
            timecnt: n(3)?,
            typecnt: n(4)?,
            charcnt: n(5)?,
        })
    }

    /// The length of the data block with `tsize`-byte times.
    fn data_len(&self, tsize: usize) -> usize {
        self.timecnt * tsize
            + self.timecnt
            + self.typecnt * 6
            + self.charcnt
            + self.leapcnt * (tsize + 4)
            + self.isstdcnt
            + self.isutcnt
    }

    fn zone(&self, b: &[u8], at: usize, tsize: usize) -> Option<Zone> {
        let times = b.get(at..at + self.timecnt * tsize)?;
        let idx = b.get(at + self.timecnt * tsize..at + self.timecnt * (tsize + 1))?;
        let types = b.get(at + self.timecnt * (tsize + 1)..)?;
        let offset = |i: usize| -> Option<i32> {
            let s = types.get(6 * i..6 * i + 4)?;
            Some(i32::from_be_bytes(s.try_into().ok()?))
        };
        let mut transitions = Vec::with_capacity(self.timecnt);
        for (k, t) in times.chunks_exact(tsize).enumerate() {
            let at = if tsize == 8 {
                i64::from_be_bytes(t.try_into().ok()?)
            } else {
                i64::from(i32::from_be_bytes(t.try_into().ok()?))
            };
            transitions.push((at, offset(usize::from(*idx.get(k)?))?));
        }
        // RFC 8536: local time before the first transition is type 0
        Some(Zone {
            transitions,
            initial: if self.typecnt > 0 { offset(0)? } else { 0 },
        })
    }
}

/// The process's local zone, read once (as HAProxy's libc does at the first log).
pub fn local() -> &'static Zone {
    static ZONE: OnceLock<Zone> = OnceLock::new();
    ZONE.get_or_init(|| {
        let tz = std::env::var("TZ").ok();
        load(tz.as_deref()).unwrap_or_default()
    })
}

fn load(tz: Option<&str>) -> Option<Zone> {
    let path = match tz {
        None => "/etc/localtime".to_string(),
        Some(s) => {
            let name = s.strip_prefix(':').unwrap_or(s);
            if name.is_empty() {
                return Some(Zone::default());
            }
            if name.starts_with('/') {
                name.to_string()
            } else if name.contains("..") {
                return None;
            } else {
                let file = format!("/usr/share/zoneinfo/{name}");
                if !std::path::Path::new(&file).is_file() {
                    return Zone::from_posix(name);
                }
                file
            }
        }
    };
    Zone::from_tzif(&std::fs::read(path).ok()?)
}

/// The local offset (seconds east of UTC) at Unix time `secs`.
pub fn offset_at(secs: i64) -> i32 {
    local().offset_at(secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posix_rules_without_dst() {
        assert_eq!(Zone::from_posix("UTC0"), Some(Zone::fixed(0)));
        assert_eq!(Zone::from_posix("EST5"), Some(Zone::fixed(-5 * 3600)));
        assert_eq!(
            Zone::from_posix("<+0530>-5:30"),
            Some(Zone::fixed(5 * 3600 + 1800))
        );
        assert_eq!(Zone::from_posix("CET-1CEST,M3.5.0,M10.5.0/3"), None);
    }

    #[test]
    fn zoneinfo_files_give_the_offsets_haproxy_printed() {
        // HAProxy 2.6.12 under TZ=Asia/Kolkata: `%trl` 22/Nov/2026:13:58:13 +0530 for
        // Unix time 1795336093.
        let z = load(Some("Asia/Kolkata")).unwrap_or_else(|| panic!("tzdata"));
        assert_eq!(z.offset_at(1_795_336_093), 19800);
        // Paris: CET in winter, CEST in summer (2026-07-01 is 1782864000)
        let z = load(Some(":Europe/Paris")).unwrap_or_else(|| panic!("tzdata"));
        assert_eq!(z.offset_at(1_795_336_093), 3600);
        assert_eq!(z.offset_at(1_782_864_000), 7200);
        assert_eq!(load(Some("UTC0")), Some(Zone::fixed(0)));
        assert_eq!(load(Some("../etc/passwd")), None);
    }
}
