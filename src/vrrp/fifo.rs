//! `notify_fifo` / `vrrp_notify_fifo` (global_defs): every instance and sync group state
//! change is written to a FIFO as one line, in keepalived 2.2.7's words (measured):
//! `INSTANCE "VI_1" MASTER 100`, `GROUP "VG_1" BACKUP 0`, `... STOP ...` on stop. keepalived
//! creates the FIFO (mode 0600) when it does not exist and opens it read-write, so that
//! neither the open nor a write waits for a reader; tandem does the same, with non-blocking
//! writes (a full FIFO loses a line rather than stall VRRP). `notify_fifo_script` /
//! `vrrp_notify_fifo_script` is started once with the FIFO's path as its last argument and
//! is sent SIGTERM when the engine stops.

use std::io::{self, Write};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

use super::state::State;
use crate::ir::keepalived as ir;

/// The FIFO path and its optional reader script (`vrrp_` forms win over the plain ones).
pub fn configured(g: &ir::GlobalDefs) -> (Option<String>, Option<Vec<String>>) {
    let get = |kw: &str| {
        g.other
            .iter()
            .rev()
            .find(|(k, _)| k == kw)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    };
    let path = get("vrrp_notify_fifo")
        .or_else(|| get("notify_fifo"))
        .and_then(|v| v.into_iter().next());
    let script = get("vrrp_notify_fifo_script").or_else(|| get("notify_fifo_script"));
    (path, script)
}

/// One FIFO line (with its newline). `kind` is `INSTANCE` or `GROUP`; Initialize is STOP.
pub fn line(kind: &str, name: &str, to: State, prio: u8) -> String {
    let st = if to == State::Initialize {
        "STOP".to_string()
    } else {
        to.to_string()
    };
    format!("{kind} \"{name}\" {st} {prio}\n")
}

fn mkfifo(path: &Path) -> io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes())
        .map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
    // SAFETY: `c` is a valid NUL-terminated string that outlives the call.
    let rc = unsafe { libc::mkfifo(c.as_ptr(), 0o600) };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// The FIFO, created if missing, opened read-write and non-blocking.
pub struct Fifo {
    file: std::fs::File,
}

impl Fifo {
    pub fn open(path: &str) -> io::Result<Fifo> {
        let p = Path::new(path);
        match std::fs::metadata(p) {
            Ok(m) if !m.file_type().is_fifo() => {
                return Err(io::Error::other("not a FIFO"));
            }
            Ok(_) => {}
            Err(_) => mkfifo(p)?,
        }
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(p)?;
        Ok(Fifo { file })
    }

    pub fn write_line(&mut self, l: &str) {
        let _ = self.file.write_all(l.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    /// keepalived 2.2.7's lines for `vrrp_notify_fifo` (measured with a sync group VG_1 of
    /// VI_1 and VI_2, priority 100).
    #[test]
    fn lines_as_keepalived() {
        assert_eq!(
            line("INSTANCE", "VI_1", State::Master, 100),
            "INSTANCE \"VI_1\" MASTER 100\n"
        );
        assert_eq!(
            line("GROUP", "VG_1", State::Backup, 0),
            "GROUP \"VG_1\" BACKUP 0\n"
        );
        assert_eq!(
            line("INSTANCE", "VI_2", State::Initialize, 100),
            "INSTANCE \"VI_2\" STOP 100\n"
        );
    }

    #[test]
    fn vrrp_form_wins_and_script_is_read() {
        let mut g = ir::GlobalDefs::default();
        g.other.push(("notify_fifo".into(), vec!["/a".into()]));
        g.other
            .push(("notify_fifo_script".into(), vec!["/s".into(), "x".into()]));
        assert_eq!(
            configured(&g),
            (Some("/a".into()), Some(vec!["/s".into(), "x".into()]))
        );
        g.other.push(("vrrp_notify_fifo".into(), vec!["/b".into()]));
        assert_eq!(configured(&g).0.as_deref(), Some("/b"));
    }

    #[test]
    fn creates_and_writes_without_a_reader() {
        let dir = std::env::temp_dir().join(format!("tdm-fifo-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let p = dir.join("f");
        let path = p.to_string_lossy().into_owned();
        let res = Fifo::open(&path).map(|mut f| {
            f.write_line(&line("INSTANCE", "VI_1", State::Backup, 90));
            // Read while the writer still holds it open (a FIFO keeps no data otherwise).
            let mut buf = [0u8; 64];
            let n = std::fs::OpenOptions::new()
                .read(true)
                .custom_flags(libc::O_NONBLOCK)
                .open(&p)
                .and_then(|mut r| r.read(&mut buf))
                .unwrap_or(0);
            let is_fifo = std::fs::metadata(&p).is_ok_and(|m| m.file_type().is_fifo());
            (String::from_utf8_lossy(&buf[..n]).into_owned(), is_fifo)
        });
        let _ = std::fs::remove_dir_all(&dir);
        let (text, is_fifo) = res.unwrap_or_default();
        assert!(is_fifo);
        assert_eq!(text, "INSTANCE \"VI_1\" BACKUP 90\n");
    }
}
