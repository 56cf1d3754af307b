//! What keepalived asks the machine while checking a config: interfaces,
//! users, script files. Read from /sys and /etc without unsafe code.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// ARPHRD_LOOPBACK in /sys/class/net/IF/type.
const ARPHRD_LOOPBACK: u32 = 772;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Iface {
    Missing,
    Loopback,
    Ok,
}

/// `if_nametoindex()` plus the hardware type keepalived looks at.
pub fn interface(name: &str) -> Iface {
    if name.is_empty() || name.contains('/') || name == "." || name == ".." {
        return Iface::Missing;
    }
    let dir = Path::new("/sys/class/net").join(name);
    if !dir.exists() {
        return Iface::Missing;
    }
    let ty = std::fs::read_to_string(dir.join("type"))
        .ok()
        .and_then(|s| s.trim().parse::<u32>().ok());
    if ty == Some(ARPHRD_LOOPBACK) {
        Iface::Loopback
    } else {
        Iface::Ok
    }
}

/// (uid, gid) of a user from /etc/passwd.
pub fn user(name: &str) -> Option<(u32, u32)> {
    let text = std::fs::read_to_string("/etc/passwd").ok()?;
    text.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        if f.len() >= 4 && f[0] == name {
            Some((f[2].parse().ok()?, f[3].parse().ok()?))
        } else {
            None
        }
    })
}

pub fn group(name: &str) -> Option<u32> {
    let text = std::fs::read_to_string("/etc/group").ok()?;
    text.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        if f.len() >= 3 && f[0] == name {
            f[2].parse().ok()
        } else {
            None
        }
    })
}

/// Where a script's command is: the path itself when it has a '/', else
/// the first executable match in PATH (as execvp would find it).
pub fn find_command(cmd: &str) -> Option<PathBuf> {
    if cmd.is_empty() {
        return None;
    }
    if cmd.contains('/') {
        // keepalived 2.2.7 only disables a script whose file is missing; a
        // file without execute permission is kept (it fails at run time).
        let p = PathBuf::from(cmd);
        return p.exists().then_some(p);
    }
    let path = std::env::var("PATH")
        .unwrap_or_else(|_| "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into());
    path.split(':')
        .filter(|d| !d.is_empty())
        .map(|d| Path::new(d).join(cmd))
        .find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    std::fs::metadata(p)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

/// keepalived's script security rule: the file and every directory above it
/// must be writable only by root (group/other write bits, or a non-root
/// owner, make it insecure; a sticky directory owned by root is fine).
pub fn insecure(p: &Path) -> bool {
    let Ok(m) = std::fs::metadata(p) else {
        return false;
    };
    if m.uid() != 0 || m.mode() & 0o022 != 0 {
        return true;
    }
    let mut cur = p.parent();
    while let Some(d) = cur {
        if d.as_os_str().is_empty() {
            break;
        }
        if let Ok(m) = std::fs::metadata(d) {
            let sticky = m.mode() & 0o1000 != 0;
            if m.uid() != 0 || (m.mode() & 0o022 != 0 && !sticky) {
                return true;
            }
        }
        cur = d.parent();
    }
    false
}

/// The node name, keepalived's default config id for `@id` lines.
pub fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_is_seen() {
        assert_eq!(interface("lo"), Iface::Loopback);
        assert_eq!(interface("no-such-if0"), Iface::Missing);
        assert_eq!(interface("../lo"), Iface::Missing);
    }

    #[test]
    fn commands_in_path() {
        assert!(find_command("sh").is_some());
        assert!(find_command("no-such-command-tandem").is_none());
    }
}
