//! Where the engine's log lines go: the console with keepalived's time stamp (`-l`) and
//! syslog through /dev/log (unless `-G`), with the `-S` facility, ident `Keepalived_vrrp` and
//! level INFO as keepalived's VRRP process. A missing /dev/log is ignored silently (as
//! syslog(3) does).

use std::os::unix::net::UnixDatagram;

pub struct Log {
    pub detail: bool,
    pub console: bool,
    syslog: Option<UnixDatagram>,
    /// syslog facility number (3 = daemon).
    facility: u8,
}

/// `-S` values keepalived accepts: 0..7 mean local0..local7, `user`, `daemon`.
pub fn facility_number(name: &str) -> Option<u8> {
    match name {
        "user" => Some(1),
        "daemon" => Some(3),
        n => {
            let d = n.strip_prefix("local").unwrap_or(n);
            match d.parse::<u8>() {
                Ok(k) if k <= 7 => Some(16 + k),
                _ => None,
            }
        }
    }
}

/// keepalived's console time prefix, `Sun Nov 22 00:32:37 2026` (ctime layout). Written in
/// UTC: tandem has no time zone database; on the usual UTC servers this is the local time.
pub fn stamp(unix_secs: u64) -> String {
    let (y, mo, d, wd) = civil(unix_secs);
    let rem = unix_secs % 86_400;
    format!(
        "{} {} {:2} {:02}:{:02}:{:02} {y}",
        DAYS.get(wd).unwrap_or(&"???"),
        MONTHS.get(mo).unwrap_or(&"???"),
        d,
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// (year, month index 0..12, day, weekday index into DAYS) of a Unix time (UTC).
fn civil(unix_secs: u64) -> (i64, usize, i64, usize) {
    let days = unix_secs / 86_400;
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        year,
        usize::try_from(month - 1).unwrap_or(0),
        day,
        (days % 7) as usize,
    )
}

/// An RFC 3164 syslog datagram as glibc's syslog(3) writes it to /dev/log.
pub fn syslog_datagram(facility: u8, unix_secs: u64, pid: u32, msg: &str) -> String {
    let (_, mo, d, _) = civil(unix_secs);
    let rem = unix_secs % 86_400;
    format!(
        "<{}>{} {:2} {:02}:{:02}:{:02} Keepalived_vrrp[{pid}]: {msg}",
        u32::from(facility) * 8 + 6,
        MONTHS.get(mo).unwrap_or(&"???"),
        d,
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl Log {
    pub fn new(console: bool, detail: bool, syslog: bool, facility: Option<&str>) -> Log {
        let sock = if syslog {
            UnixDatagram::unbound()
                .ok()
                .filter(|s| s.connect("/dev/log").is_ok())
        } else {
            None
        };
        Log {
            detail,
            console,
            syslog: sock,
            facility: facility.and_then(facility_number).unwrap_or(3),
        }
    }

    pub fn line(&self, s: &str) {
        let now = now_secs();
        if self.console {
            println!("{}: {s}", stamp(now));
        }
        if let Some(sock) = &self.syslog {
            let _ =
                sock.send(syslog_datagram(self.facility, now, std::process::id(), s).as_bytes());
        }
    }

    pub fn detail(&self, s: &str) {
        if self.detail {
            self.line(s);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_stamp_like_keepalived() {
        // keepalived 2.2.7 in the lab wrote "Sun Nov 22 00:32:37 2026: (VI_1) setting VIPs."
        assert_eq!(stamp(1_795_307_557), "Sun Nov 22 00:32:37 2026");
        assert_eq!(stamp(0), "Thu Jan  1 00:00:00 1970");
        assert_eq!(stamp(951_782_400), "Tue Feb 29 00:00:00 2000");
    }

    #[test]
    fn facilities_and_datagram() {
        assert_eq!(facility_number("daemon"), Some(3));
        assert_eq!(facility_number("user"), Some(1));
        assert_eq!(facility_number("0"), Some(16));
        assert_eq!(facility_number("local7"), Some(23));
        assert_eq!(facility_number("8"), None);
        // local0 (16) * 8 + LOG_INFO (6) = 134.
        assert_eq!(
            syslog_datagram(16, 1_795_307_557, 42, "(VI_1) Entering MASTER STATE"),
            "<134>Nov 22 00:32:37 Keepalived_vrrp[42]: (VI_1) Entering MASTER STATE"
        );
    }

    #[test]
    fn syslog_reaches_a_socket() {
        let dir = std::env::temp_dir().join(format!("tandem-h-vrrplog-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join("log.sock");
        let _ = std::fs::remove_file(&path);
        let server = UnixDatagram::bind(&path).unwrap();
        let client = UnixDatagram::unbound().unwrap();
        client.connect(&path).unwrap();
        let log = Log {
            detail: false,
            console: false,
            syslog: Some(client),
            facility: 3,
        };
        log.line("hello");
        let mut buf = [0u8; 256];
        let n = server.recv(&mut buf).unwrap();
        let got = String::from_utf8_lossy(&buf[..n]).into_owned();
        assert!(got.starts_with("<30>"), "{got}");
        assert!(got.ends_with("]: hello"), "{got}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
