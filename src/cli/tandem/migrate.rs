//! `tandem migrate`: reads haproxy.cfg / keepalived.conf / Heartbeat files,
//! prints the line-by-line report, and with `--write DIR` writes the
//! migrated files, REPORT.txt and tandem.service.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::migrate::{self, Entry, Kind, Report, heartbeat};

use super::MigrateArgs;

pub const EXIT_OK: i32 = 0;
pub const EXIT_ERRORS: i32 = 1;

/// What a migration produced, kept apart from the printing for tests.
#[derive(Debug, Default)]
pub struct Migration {
    pub report: Report,
    pub haproxy: Option<String>,
    pub keepalived: Option<String>,
    /// keepalived.conf for the other Heartbeat nodes: (node, text).
    pub peers: Vec<(String, String)>,
}

#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error("{path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: cannot write: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("nothing to migrate: give -f haproxy.cfg, -k keepalived.conf and/or Heartbeat files")]
    Nothing,
}

fn read(p: &Path) -> Result<String, MigrateError> {
    std::fs::read_to_string(p).map_err(|source| MigrateError::Read {
        path: p.to_path_buf(),
        source,
    })
}

fn name(p: &Path) -> String {
    p.file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.display().to_string())
}

/// Runs the migration on the files named in `args` (no writing).
pub fn migrate(args: &MigrateArgs) -> Result<Migration, MigrateError> {
    let mut m = Migration::default();
    let hb_dir = args.heartbeat.as_deref();
    let pick = |explicit: &Option<PathBuf>, file: &str| -> Option<PathBuf> {
        explicit
            .clone()
            .or_else(|| hb_dir.map(|d| d.join(file)).filter(|p| p.exists()))
    };
    let ha_cf = pick(&args.ha_cf, "ha.cf");
    let hares = pick(&args.haresources, "haresources");
    let authkeys = pick(&args.authkeys, "authkeys");
    let heartbeat_given = ha_cf.is_some() || hares.is_some() || authkeys.is_some();
    if args.haproxy.is_none() && args.keepalived.is_none() && !heartbeat_given {
        return Err(MigrateError::Nothing);
    }
    if let Some(p) = &args.haproxy {
        let text = read(p)?;
        let (out, es) = migrate::haproxy::migrate(&name(p), &text);
        m.report.extend(es);
        m.haproxy = Some(out);
    }
    if let Some(p) = &args.keepalived {
        let text = read(p)?;
        let (out, es) = migrate::keepalived::migrate(&name(p), &text);
        m.report.extend(es);
        m.keepalived = Some(out);
        if heartbeat_given {
            m.report.push(Entry::new(
                "heartbeat",
                0,
                Kind::Note,
                "-k was given: the Heartbeat files are reported on but keepalived.conf is the one given",
            ));
        }
    }
    if heartbeat_given {
        let texts = [&ha_cf, &hares, &authkeys]
            .iter()
            .map(|p| {
                p.as_ref()
                    .map(|p| read(p).map(|t| (name(p), t)))
                    .transpose()
            })
            .collect::<Result<Vec<_>, _>>()?;
        let input = |i: usize| {
            texts
                .get(i)
                .and_then(|t| t.as_ref())
                .map(|(n, t)| heartbeat::Input { name: n, text: t })
        };
        let out = heartbeat::migrate(input(0), input(1), input(2));
        m.report.extend(out.entries);
        // resource.d scripts are start/stop wrappers Heartbeat ran on
        // failover; under VRRP the services run on both nodes.
        if let Some(d) = hb_dir
            && let Ok(rd) = std::fs::read_dir(d.join("resource.d"))
        {
            let mut names: Vec<String> = rd
                .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
                .collect();
            names.sort();
            for n in names {
                let text = if n.contains("haproxy") {
                    "start/stop wrapper for haproxy: no longer needed, the proxy runs on both \
                     nodes and its state is tracked natively by tandem run"
                        .to_string()
                } else {
                    format!(
                        "start/stop wrapper `{n}`: call it from notify_master/notify_backup \
                         if the service must follow the VIP"
                    )
                };
                m.report
                    .push(Entry::new(&format!("resource.d/{n}"), 0, Kind::Note, text));
            }
        }
        let mut configs = out.configs.into_iter();
        if m.keepalived.is_none() {
            m.keepalived = configs.next().map(|c| c.1);
            m.peers = configs.collect();
        }
    }
    m.report.push(Entry::new(
        "tandem.service",
        0,
        Kind::Note,
        "ExecStart runs `tandem run` on both files, in place of haproxy.service and \
         keepalived.service (the unit conflicts with them): install the migrated files in \
         /etc/tandem/, then `systemctl disable --now haproxy keepalived` and \
         `systemctl enable --now tandem`",
    ));
    Ok(m)
}

/// Writes the migrated files into `dir`; returns the list of written paths.
pub fn write(m: &Migration, dir: &Path) -> Result<Vec<PathBuf>, MigrateError> {
    let w = |p: PathBuf, s: &str| -> Result<PathBuf, MigrateError> {
        std::fs::write(&p, s)
            .map(|()| p.clone())
            .map_err(|source| MigrateError::Write { path: p, source })
    };
    std::fs::create_dir_all(dir).map_err(|source| MigrateError::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut written = Vec::new();
    if let Some(h) = &m.haproxy {
        written.push(w(dir.join("haproxy.cfg"), h)?);
    }
    if let Some(k) = &m.keepalived {
        written.push(w(dir.join("keepalived.conf"), k)?);
    }
    for (node, k) in &m.peers {
        let safe: String = node
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        written.push(w(dir.join(format!("keepalived-{safe}.conf")), k)?);
    }
    written.push(w(dir.join("REPORT.txt"), &m.report.render())?);
    let unit = migrate::service_unit(
        m.haproxy.as_ref().map(|_| "/etc/tandem/haproxy.cfg"),
        m.keepalived.as_ref().map(|_| "/etc/tandem/keepalived.conf"),
    );
    written.push(w(dir.join("tandem.service"), &unit)?);
    Ok(written)
}

pub fn run(args: &MigrateArgs) -> i32 {
    let m = match migrate(args) {
        Ok(m) => m,
        Err(e) => {
            super::err(&format!("tandem migrate: {e}\n"));
            return EXIT_ERRORS;
        }
    };
    let mut out = m.report.render();
    if let Some(dir) = &args.write {
        match write(&m, dir) {
            Ok(files) => {
                for f in files {
                    let _ = writeln!(out, "wrote {}", f.display());
                }
            }
            Err(e) => {
                super::out(&out);
                super::err(&format!("tandem migrate: {e}\n"));
                return EXIT_ERRORS;
            }
        }
    }
    super::out(&out);
    EXIT_OK
}
