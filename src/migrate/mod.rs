//! `tandem migrate`: moves an existing HAProxy (1.x-style included) +
//! keepalived or Heartbeat setup over, with a report of every line.
//!
//! Public API first:
//! - [`haproxy::migrate`] rewrites haproxy.cfg text into what HAProxy 2.6
//!   accepts (comments and order kept);
//! - [`keepalived::migrate`] reports on keepalived.conf (kept unchanged);
//! - [`heartbeat::migrate`] builds keepalived.conf from ha.cf +
//!   haresources + authkeys;
//! - [`Report`] collects the [`Entry`]s and renders REPORT.txt;
//! - [`service_unit`] is the systemd unit written by `--write`.
//!
//! The translation works on text lines rather than on the IR: the IR does
//! not keep comments, layout or the legacy keywords' raw regexes, and the
//! output must stay a file an operator recognises.

pub mod haproxy;
pub mod heartbeat;
pub mod keepalived;

use std::fmt::Write as _;

/// What happens to one line (or a range of lines) of an input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// Runs as it is, under both the original and tandem.
    Unchanged,
    /// Rewritten; the text says into what.
    Translated,
    /// Dropped or kept but not served by tandem; the text says why.
    Unsupported,
    /// Information (e.g. native tracking, derived values).
    Note,
}

impl Kind {
    fn label(&self) -> &'static str {
        match self {
            Kind::Unchanged => "unchanged",
            Kind::Translated => "translated",
            Kind::Unsupported => "unsupported",
            Kind::Note => "note",
        }
    }
}

/// One report line: `file:line[-last]: kind: text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub file: String,
    pub line: usize,
    /// Last line of a range of unchanged lines (== `line` otherwise).
    pub last: usize,
    pub kind: Kind,
    pub text: String,
}

impl Entry {
    pub fn new(file: &str, line: usize, kind: Kind, text: impl Into<String>) -> Entry {
        Entry {
            file: file.to_string(),
            line,
            last: line,
            kind,
            text: text.into(),
        }
    }
}

/// The whole migration report.
#[derive(Debug, Default, Clone)]
pub struct Report {
    pub entries: Vec<Entry>,
}

impl Report {
    pub fn push(&mut self, e: Entry) {
        // Runs of unchanged lines are folded into one range so that the
        // report shows what changed without losing line coverage.
        if e.kind == Kind::Unchanged
            && let Some(prev) = self.entries.last_mut()
            && prev.kind == Kind::Unchanged
            && prev.file == e.file
            && prev.last + 1 == e.line
        {
            prev.last = e.line;
            return;
        }
        self.entries.push(e);
    }

    pub fn extend(&mut self, es: Vec<Entry>) {
        for e in es {
            self.push(e);
        }
    }

    pub fn count(&self, k: &Kind) -> usize {
        self.entries.iter().filter(|e| &e.kind == k).count()
    }

    pub fn render(&self) -> String {
        let mut s = String::new();
        for e in &self.entries {
            let loc = if e.line == 0 {
                e.file.clone()
            } else if e.last > e.line {
                format!("{}:{}-{}", e.file, e.line, e.last)
            } else {
                format!("{}:{}", e.file, e.line)
            };
            if e.kind == Kind::Unchanged && e.text.is_empty() {
                let _ = writeln!(s, "{loc}: unchanged");
            } else {
                let _ = writeln!(s, "{loc}: {}: {}", e.kind.label(), e.text);
            }
        }
        let _ = writeln!(
            s,
            "summary: {} translated, {} unsupported, {} notes",
            self.count(&Kind::Translated),
            self.count(&Kind::Unsupported),
            self.count(&Kind::Note)
        );
        s
    }
}

/// The systemd unit for `tandem run` with the migrated files.
pub fn service_unit(haproxy: Option<&str>, keepalived: Option<&str>) -> String {
    let mut exec = String::from("/usr/sbin/tandem run");
    if let Some(h) = haproxy {
        let _ = write!(exec, " -f {h}");
    }
    if let Some(k) = keepalived {
        let _ = write!(exec, " -k {k}");
    }
    format!(
        "# Written by `tandem migrate`.\n\
         [Unit]\n\
         Description=tandem (HAProxy + keepalived in one process)\n\
         Documentation=man:tandem(8) man:tandem-run(8) man:tandem-migrate(8)\n\
         After=network-online.target\n\
         Wants=network-online.target\n\
         Conflicts=haproxy.service keepalived.service heartbeat.service\n\
         \n\
         [Service]\n\
         Type=exec\n\
         ExecStartPre=/usr/sbin/tandem check{check}\n\
         ExecStart={exec}\n\
         ExecReload=/bin/kill -USR2 $MAINPID\n\
         KillMode=mixed\n\
         Restart=on-failure\n\
         \n\
         [Install]\n\
         WantedBy=multi-user.target\n",
        check = exec.trim_start_matches("/usr/sbin/tandem run"),
    )
}

/// Splits a config line into words the way HAProxy does for the parts that
/// matter here: whitespace separates words unless escaped by a backslash or
/// inside quotes. Words are returned raw (escapes and quotes kept) so that
/// they can be written back as they were. A `#` starting a word ends the line.
pub fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = line.chars();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                cur.push(c);
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            '"' | '\'' if quote.is_none() => {
                quote = Some(c);
                cur.push(c);
            }
            c2 if Some(c2) == quote => {
                quote = None;
                cur.push(c2);
            }
            '#' if quote.is_none() && cur.is_empty() => break,
            c2 if c2.is_whitespace() && quote.is_none() => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c2 => cur.push(c2),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The leading whitespace of a line, kept on rewritten lines.
pub fn indent(line: &str) -> &str {
    let n = line.len() - line.trim_start().len();
    line.get(..n).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_keep_escapes() {
        assert_eq!(
            words(r"  reqrep ^([^\ :]*)\ /a(.*) \1\ /b\2  # c"),
            vec!["reqrep", r"^([^\ :]*)\ /a(.*)", r"\1\ /b\2"]
        );
        assert_eq!(words(r#"script "killall -0 haproxy""#).len(), 2);
    }

    #[test]
    fn unchanged_lines_fold() {
        let mut r = Report::default();
        for l in 1..=3 {
            r.push(Entry::new("a", l, Kind::Unchanged, ""));
        }
        r.push(Entry::new("a", 4, Kind::Translated, "x"));
        assert_eq!(
            r.render(),
            "a:1-3: unchanged\na:4: translated: x\nsummary: 1 translated, 0 unsupported, 0 notes\n"
        );
    }
}
