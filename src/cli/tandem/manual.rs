//! The man pages: section 8 for the command lines (clap_mangen on the clap
//! definitions, plus hand-written sections), section 5 for the two
//! configuration files (the grammar tables). Depends only on std, clap and
//! clap_mangen: `build.rs` includes this file (`#[path]`) to render the
//! pages into OUT_DIR at build time, and the binary embeds those (see
//! `docs.rs`). Callers pass the clap command and the tables in, so that
//! no `crate::` path is needed here.

use std::fmt::Write as _;

/// The date on every page. Pages must not change from build to build (the
/// committed copies in man/ are compared with the build's), so this is a
/// constant; bump it when the pages change meaningfully.
pub const DATE: &str = "2026-11-22";

/// One keyword table as the man pages need it: the same fields as
/// `grammar::tables::Table`, passed in by the caller.
pub struct TableRef<'a> {
    pub dialect: &'a str,
    pub title: &'a str,
    pub text: &'a str,
}

/// roff text: backslashes and hyphens escaped, non-ASCII characters as
/// `\[uXXXX]` (groff reads bytes, not UTF-8, unless preconv runs first),
/// no line may start with a control character.
pub fn roff_escape(s: &str) -> String {
    let mut e = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => e.push_str("\\e"),
            '-' => e.push_str("\\-"),
            c if c.is_ascii() => e.push(c),
            c => {
                let _ = write!(e, "\\[u{:04X}]", u32::from(c));
            }
        }
    }
    if e.starts_with('.') || e.starts_with('\'') {
        format!("\\&{e}")
    } else {
        e
    }
}

/// A macro argument: escaped, and double quotes made safe inside the
/// quoted argument.
fn roff_arg(s: &str) -> String {
    format!("\"{}\"", roff_escape(s).replace('"', "\\(dq"))
}

/// Hand-written prose for a page: paragraphs, tagged items, examples.
enum Block {
    P(&'static str),
    Item(&'static str, &'static str),
    Example(&'static str),
}

use Block::{Example, Item, P};

fn render_blocks(s: &mut String, blocks: &[Block]) {
    for (i, b) in blocks.iter().enumerate() {
        match b {
            // A paragraph macro right after .SH is redundant (mandoc warns).
            P(t) if i == 0 => {
                let _ = writeln!(s, "{}", roff_escape(t));
            }
            P(t) => {
                let _ = writeln!(s, ".PP\n{}", roff_escape(t));
            }
            Item(term, t) => {
                let _ = writeln!(s, ".TP\n.B {}\n{}", roff_arg(term), roff_escape(t));
            }
            Example(t) => {
                if i > 0 {
                    s.push_str(".PP\n");
                }
                s.push_str(".RS 4\n.nf\n");
                for l in t.lines() {
                    let _ = writeln!(s, "{}", roff_escape(l));
                }
                s.push_str(".fi\n.RE\n");
            }
        }
    }
}

/// (page name, section heading, blocks): what clap cannot say.
fn extra_sections(page: &str) -> Vec<(&'static str, Vec<Block>)> {
    let see_also_all = P(
        "tandem(8), tandem-check(8), tandem-migrate(8), tandem-run(8), \
         tandem-haproxy.cfg(5), tandem-keepalived.conf(5), haproxy(1), \
         keepalived(8), keepalived.conf(5)",
    );
    match page {
        "tandem" => vec![
            (
                "PERSONALITIES",
                vec![P(
                    "Installed or linked under the name haproxy, tandem takes HAProxy 2.6's \
                       command line (haproxy -c -f FILE checks, haproxy -f FILE -db runs in the \
                       foreground, -sf/-st PID hand over from an old process); under the name \
                       keepalived it takes keepalived 2.2's (keepalived -t -f FILE checks). \
                       The subcommands haproxy and keepalived do the same without a link.",
                )],
            ),
            (
                "EXIT STATUS",
                vec![P(
                    "0 on success, 1 when a check fails or a command cannot do its work, 2 on \
                     a usage error. In the haproxy and keepalived personalities the exit \
                     status is the original program's (for example 5 for keepalived -t \
                     finding problems).",
                )],
            ),
            (
                "FILES",
                vec![
                    Item(
                        "/etc/haproxy/haproxy.cfg",
                        "the proxy configuration, HAProxy 2.6 syntax",
                    ),
                    Item(
                        "/etc/keepalived/keepalived.conf",
                        "the VRRP configuration, keepalived 2.2 syntax",
                    ),
                ],
            ),
            ("SEE ALSO", vec![see_also_all]),
        ],
        "tandem-check" => vec![
            (
                "CHECKS",
                vec![
                    Item(
                        "each file",
                        "what haproxy -c and keepalived -t report, as \
                         FILE:LINE: level: message lines on standard error, then one summary \
                         line per file on standard output",
                    ),
                    Item(
                        "bind addresses",
                        "with both -f and -k, every literal address a bind line \
                         listens on is named as a keepalived virtual address (with its \
                         vrrp_instance and line) or as an address of this node; an address \
                         that is neither is an error, as the proxy could never listen on it. \
                         Wildcards (*, 0.0.0.0, ::) and UNIX sockets are not checked.",
                    ),
                    Item(
                        "binds on virtual addresses",
                        "the address exists only on the MASTER. tandem binds it with \
                         IP_FREEBIND, so it starts on the BACKUP node too; real HAProxy needs \
                         the sysctl net.ipv4.ip_nonlocal_bind=1 (net.ipv6.ip_nonlocal_bind=1 \
                         for IPv6) or the bind option freebind or transparent, and the check \
                         says so for each such line.",
                    ),
                    Item(
                        "--peer OTHER_NODE_DIR",
                        "compares this node with the other one: the same vrrp_instances with \
                         the same virtual_router_id, virtual_ipaddress, authentication and \
                         advert_int; different priorities; not both in state MASTER; each \
                         node's unicast_src_ip in the other's unicast_peer (a different \
                         track_script list is a warning); the same \
                         haproxy.cfg apart from node-local lines (node, description, \
                         localpeer, pidfile, and lines that differ only in an address). \
                         OTHER_NODE_DIR holds haproxy.cfg and keepalived.conf, directly or in \
                         haproxy/ and keepalived/ (a copy of the other node's /etc).",
                    ),
                ],
            ),
            (
                "EXIT STATUS",
                vec![P(
                    "0 when every check passes (warnings and notices allowed), 1 when a file \
                     has errors or a pair or peer check fails, 2 on a usage error.",
                )],
            ),
            (
                "EXAMPLES",
                vec![Example(
                    "tandem check -f /etc/haproxy/haproxy.cfg -k /etc/keepalived/keepalived.conf\n\
                     tandem check -f haproxy.cfg -k keepalived.conf --peer /srv/lb2/etc",
                )],
            ),
            ("SEE ALSO", vec![see_also_all]),
        ],
        "tandem-migrate" => vec![
            (
                "REPORT",
                vec![
                    P(
                        "Every line of every input is listed once, under one of: unchanged (runs \
                       as it is), translated (the legacy keyword and what replaces it, for \
                       example reqadd to http-request add-header, clitimeout to \
                       timeout client, nbproc dropped), native (a vrrp_script that only probes \
                       the proxy, served from the proxy engine's state by tandem run) and \
                       unsupported (with the reason).",
                    ),
                    P("Heartbeat: ha.cf and haresources become a keepalived.conf \
                       vrrp_instance: keepalive and deadtime give advert_int, the node \
                       order gives the priorities, IPaddr resources give virtual_ipaddress, \
                       authkeys gives the authentication and the haproxy resource becomes a \
                       vrrp_script tracking the proxy."),
                ],
            ),
            (
                "FILES WRITTEN",
                vec![
                    Item(
                        "DIR/haproxy.cfg",
                        "the migrated proxy configuration, comments and order kept",
                    ),
                    Item(
                        "DIR/keepalived.conf",
                        "the migrated (or generated) VRRP configuration",
                    ),
                    Item(
                        "DIR/REPORT.txt",
                        "the report also printed on standard output",
                    ),
                    Item(
                        "DIR/tandem.service",
                        "a systemd unit running tandem run on both files",
                    ),
                ],
            ),
            (
                "EXIT STATUS",
                vec![P(
                    "0 when everything could be migrated, 1 when some line is unsupported or \
                     an input cannot be read, 2 on a usage error.",
                )],
            ),
            (
                "EXAMPLES",
                vec![Example(
                    "tandem migrate -f /etc/haproxy/haproxy.cfg -k /etc/keepalived/keepalived.conf\n\
                     tandem migrate --heartbeat /etc/ha.d -f /etc/haproxy/haproxy.cfg --write /tmp/new",
                )],
            ),
            ("SEE ALSO", vec![see_also_all]),
        ],
        "tandem-run" => vec![
            (
                "SIGNALS",
                vec![
                    Item(
                        "SIGHUP, SIGUSR2",
                        "re-read and check both files; apply them only if both pass",
                    ),
                    Item(
                        "SIGTERM, SIGINT",
                        "planned stop: a MASTER sends priority 0 adverts, keeps serving until \
                         the peer has taken the virtual addresses over, then releases them and \
                         lets in-flight requests finish",
                    ),
                ],
            ),
            (
                "EXIT STATUS",
                vec![P(
                    "0 after a planned stop, 1 when the configuration fails its check at \
                     start, 2 on a usage error.",
                )],
            ),
            ("SEE ALSO", vec![see_also_all]),
        ],
        _ => vec![("SEE ALSO", vec![see_also_all])],
    }
}

/// Section-8 pages for `cmd` and each of its (visible) subcommands, as
/// (file name, content): `tandem.8`, `tandem-check.8`, `tandem-config-dump.8`...
pub fn command_pages(mut cmd: clap::Command) -> std::io::Result<Vec<(String, String)>> {
    // build() names subcommands "tandem-config-dump" in their display name.
    cmd.build();
    let mut out = Vec::new();
    command_pages_rec(&cmd, &mut out)?;
    Ok(out)
}

fn command_pages_rec(cmd: &clap::Command, out: &mut Vec<(String, String)>) -> std::io::Result<()> {
    let name = cmd.get_display_name().unwrap_or(cmd.get_name()).to_string();
    let man = clap_mangen::Man::new(cmd.clone())
        .title(name.to_uppercase())
        .section("8")
        .date(DATE)
        .source(format!("tandem {}", cmd.get_version().unwrap_or_default()))
        .manual("System Manager's Manual");
    let mut buf = Vec::new();
    man.render_title(&mut buf)?;
    man.render_name_section(&mut buf)?;
    man.render_synopsis_section(&mut buf)?;
    man.render_description_section(&mut buf)?;
    man.render_options_section(&mut buf)?;
    if cmd.has_subcommands() {
        man.render_subcommands_section(&mut buf)?;
    }
    let mut s = format!(
        ".\\\" Generated from tandem's clap definition (src/cli/tandem/args.rs) by build.rs; do not edit.\n{}",
        String::from_utf8_lossy(&buf)
    );
    for (heading, blocks) in extra_sections(&name) {
        let _ = writeln!(s, ".SH {}", roff_arg(heading));
        render_blocks(&mut s, &blocks);
    }
    let mut v = Vec::new();
    man.render_version_section(&mut v)?;
    s.push_str(&String::from_utf8_lossy(&v));
    out.push((format!("{name}.8"), tidy(&s)));
    for sub in cmd.get_subcommands() {
        if sub.get_name() == "help" || sub.is_hide_set() {
            continue;
        }
        command_pages_rec(sub, out)?;
    }
    Ok(())
}

/// How each status reads on the keyword pages.
fn status_words(status: &str) -> &'static str {
    match status {
        "implemented" => "implemented",
        "parsed" => "accepted and checked, not acted on yet (warning when run)",
        "noop" => "accepted as a no-op, with a warning where behavior could differ",
        "unsupported" => "rejected (unsupported in tandem)",
        "removed" => "rejected (removed from the original too)",
        _ => "unknown",
    }
}

/// The section-5 page of one dialect: every keyword of its tables.
/// `statuses` is the legend (name, meaning).
pub fn keyword_page(
    dialect: &str,
    tables: &[TableRef<'_>],
    statuses: &[(&str, &str)],
    version: &str,
) -> (String, String) {
    let (file, original, orig_page) = if dialect == "keepalived" {
        ("keepalived.conf", "keepalived 2.2", "keepalived.conf(5)")
    } else {
        ("haproxy.cfg", "HAProxy 2.6", "HAProxy's configuration.txt")
    };
    let name = format!("tandem-{file}");
    let mut s = String::new();
    let _ = writeln!(
        s,
        ".\\\" Generated from grammar/*.tbl by build.rs; do not edit.\n\
         .TH {} 5 {} {} \"File Formats Manual\"\n\
         .SH NAME\n{} \\- the {} keywords tandem reads, and what it does with each",
        roff_arg(&name.to_uppercase()),
        DATE,
        roff_arg(&format!("tandem {version}")),
        roff_escape(&name),
        roff_escape(file)
    );
    // Left-aligned: argument lists such as `connect/send/expect/...` break
    // only at their slashes, which leaves nothing to justify with.
    s.push_str(".ad l\n");
    let _ = writeln!(
        s,
        ".SH DESCRIPTION\n{}",
        roff_escape(&format!(
            "tandem reads {file} files written for {original} unchanged. This page lists \
             every keyword of tandem's grammar tables (grammar/*.tbl in the source, the same \
             tables the parser uses) with its arguments, the sections where it is valid, its \
             support status and, where tandem differs from {original}, how. The syntax and \
             the meaning of each keyword are those of {orig_page}; `tandem keywords` prints \
             the same table."
        ))
    );
    s.push_str(".SH \"SUPPORT STATUS\"\n");
    for (st, meaning) in statuses {
        let _ = writeln!(s, ".TP\n.B {}\n{}", roff_arg(st), roff_escape(meaning));
    }
    let mut counts: Vec<(&str, usize)> = statuses.iter().map(|(n, _)| (*n, 0)).collect();
    let mut body = String::new();
    for t in tables.iter().filter(|t| t.dialect == dialect) {
        let _ = writeln!(body, ".SH {}", roff_arg(&t.title.to_uppercase()));
        for line in t.text.lines() {
            let Some(cols) = row(line) else { continue };
            let [kw, sections, args, status, note] = cols;
            if let Some(c) = counts.iter_mut().find(|(n, _)| *n == status) {
                c.1 += 1;
            }
            let _ = writeln!(body, ".TP\n.B {}", roff_arg(kw));
            if !args.is_empty() {
                let _ = writeln!(body, ".I {}", breakable(&roff_arg(args)));
                body.push_str(".br\n");
            }
            let _ = writeln!(
                body,
                "{}",
                roff_escape(&format!(
                    "Valid in: {}. Status: {}.",
                    sections.replace(',', ", "),
                    status_words(status)
                ))
            );
            if !note.is_empty() {
                let _ = writeln!(body, ".br\n{}", breakable(&roff_escape(note)));
            }
        }
    }
    let total: usize = counts.iter().map(|(_, n)| n).sum();
    let summary = counts
        .iter()
        .map(|(n, c)| format!("{c} {n}"))
        .collect::<Vec<_>>()
        .join(", ");
    let _ = writeln!(
        s,
        ".PP\n{}",
        roff_escape(&format!("{total} keywords: {summary}."))
    );
    s.push_str(&body);
    s.push_str(".SH \"DIFFERENCES FROM THE ORIGINAL\"\n");
    let diffs: &[&str] = if dialect == "keepalived" {
        &[
            "Messages, their order and the exit status of keepalived -t are those of \
             keepalived 2.2.7.",
            "A vrrp_script that only probes the proxy (killall -0 haproxy, pidof \
             haproxy, curl to a local frontend, nc -z to a local bind) is served from \
             the proxy engine's own state under tandem run, with a notice saying so; any \
             other script runs as keepalived runs it.",
            "Keywords marked tandem-only in their note are extensions that real \
             keepalived rejects; use them only in files that tandem alone reads.",
        ]
    } else {
        &[
            "Messages, their order and the exit status of haproxy -c are those of \
             HAProxy 2.6.12.",
            "tandem binds every listening address with IP_FREEBIND, so a bind on a \
             keepalived virtual address starts on the BACKUP node too, where HAProxy needs \
             net.ipv4.ip_nonlocal_bind=1 or the freebind bind option.",
            "One process with threads: nbthread is honored, process-level settings \
             HAProxy 2.6 ignores or removed (nbproc, bind-process) are reported as \
             such.",
        ]
    };
    for d in diffs {
        let _ = writeln!(s, ".IP \\(bu 2\n{}", roff_escape(d));
    }
    let _ = writeln!(
        s,
        ".SH \"SEE ALSO\"\n{}",
        roff_escape(if dialect == "keepalived" {
            "tandem(8), tandem-check(8), tandem-run(8), \
             tandem-haproxy.cfg(5), keepalived.conf(5)"
        } else {
            "tandem(8), tandem-check(8), tandem-run(8), \
             tandem-keepalived.conf(5), haproxy(1)"
        })
    );
    (format!("{name}.5"), tidy(&s))
}

/// Lets a long `a/b/c` argument list break after its slashes (`\:` is
/// an optional break point) instead of overflowing the line.
fn breakable(escaped: &str) -> String {
    escaped.replace('/', "/\\:")
}

/// The last pass over a page, so that `mandoc -Tlint` and `groff -ww` have
/// nothing to say: clap_mangen's string-definition preamble once (it
/// repeats it per rendered piece), its `.br`/blank/`.br` spacing as one
/// `.sp`, no trailing whitespace, and text lines wrapped at 80 bytes
/// outside no-fill blocks.
pub fn tidy(page: &str) -> String {
    let lines: Vec<&str> = page.lines().collect();
    let mut out = String::with_capacity(page.len() + page.len() / 16);
    let mut seen_aq = false;
    let mut nofill = false;
    let mut i = 0;
    while i < lines.len() {
        let l = lines[i].trim_end();
        i += 1;
        if l.starts_with(".ie \\n(.g .ds Aq") {
            // Its `.el` companion follows.
            if seen_aq {
                i += 1;
                continue;
            }
            seen_aq = true;
        }
        if l == ".br" && lines.get(i).is_some_and(|n| n.trim().is_empty()) {
            if lines.get(i + 1).is_some_and(|n| n.trim_end() == ".br") {
                i += 2;
            } else {
                i += 1;
            }
            out.push_str(".sp\n");
            continue;
        }
        if l.is_empty() && !nofill {
            continue;
        }
        match l {
            ".nf" => nofill = true,
            ".fi" => nofill = false,
            _ => {}
        }
        if nofill || l.starts_with('.') || l.starts_with('\'') || l.len() <= 80 {
            out.push_str(l);
            out.push('\n');
            continue;
        }
        wrap(l, &mut out);
    }
    out
}

/// Breaks one text line at spaces (not escaped ones) into lines of at most
/// 80 bytes where the words allow it.
fn wrap(line: &str, out: &mut String) {
    let mut cur = String::new();
    for word in split_spaces(line) {
        if !cur.is_empty() && cur.len() + 1 + word.len() > 80 {
            out.push_str(&cur);
            out.push('\n');
            cur.clear();
        }
        if cur.is_empty() {
            if word.starts_with('.') || word.starts_with('\'') {
                cur.push_str("\\&");
            }
        } else {
            cur.push(' ');
        }
        cur.push_str(word);
    }
    if !cur.is_empty() {
        out.push_str(&cur);
        out.push('\n');
    }
}

/// Words separated by unescaped spaces (`\ ` is a non-breaking space).
fn split_spaces(line: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let mut start = 0;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match c {
            '\\' if !escaped => escaped = true,
            ' ' if !escaped => {
                if i > start {
                    words.push(&line[start..i]);
                }
                start = i + 1;
            }
            _ => escaped = false,
        }
    }
    if start < line.len() {
        words.push(&line[start..]);
    }
    words
}

/// One table line's five columns; the same rule as grammar/tables.rs
/// `row`, repeated here so that this file stays self-contained.
fn row(line: &str) -> Option<[&str; 5]> {
    let t = line.trim();
    if t.is_empty() || t.starts_with('#') {
        return None;
    }
    let mut cols = line.split('|').map(str::trim);
    let r = [
        cols.next()?,
        cols.next()?,
        cols.next()?,
        cols.next()?,
        cols.next()?,
    ];
    if cols.next().is_some() {
        return None;
    }
    Some(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(roff_escape(".if a-b \\n"), "\\&.if a\\-b \\en");
        assert_eq!(roff_escape("'q"), "\\&'q");
        assert_eq!(roff_arg("say \"hi\""), "\"say \\(dqhi\\(dq\"");
        assert_eq!(roff_escape("caf\u{e9}"), "caf\\[u00E9]");
    }

    #[test]
    fn tidy_wraps_and_dedupes() {
        let long = "word ".repeat(30);
        let page = format!(
            ".ie \\n(.g .ds Aq \\(aq\n.el .ds Aq '\n.TH X 8\n.ie \\n(.g .ds Aq \\(aq\n.el .ds Aq '\n\
             {long}\n.br\n\n.br\n.nf\n{long}\n.fi\nA\\ B .x  \n"
        );
        let t = tidy(&page);
        assert_eq!(t.matches(".ds Aq").count(), 2, "{t}");
        assert!(t.contains("\n.sp\n"));
        for l in t.lines() {
            assert!(l.len() <= 80 || l.trim_end() == long.trim_end(), "{l}");
            assert_eq!(l, l.trim_end());
        }
        // The no-fill copy is kept as it was (trailing space aside).
        assert!(t.contains(&format!(".nf\n{}\n.fi", long.trim_end())));
        assert!(t.ends_with("A\\ B .x\n"));
        let mut w = String::new();
        wrap(&format!("{} .dot", "a".repeat(79)), &mut w);
        assert_eq!(w, format!("{}\n\\&.dot\n", "a".repeat(79)));
    }

    #[test]
    fn keyword_page_lists_every_row_with_its_status() {
        let t = [TableRef {
            dialect: "haproxy",
            title: "HAProxy: test",
            text: "# comment\nfoo | global | <n> | implemented | \n\
                   .bar | defaults,frontend |  | removed | use 'baz' instead\n",
        }];
        let (name, p) = keyword_page(
            "haproxy",
            &t,
            &[("implemented", "x"), ("removed", "y")],
            "1.0",
        );
        assert_eq!(name, "tandem-haproxy.cfg.5");
        assert!(
            p.contains(".B \"foo\"\n.I \"<n>\"\n.br\nValid in: global. Status: implemented.\n")
        );
        assert!(
            p.contains(".B \"\\&.bar\"") || p.contains(".B \".bar\""),
            "{p}"
        );
        assert!(
            p.contains("Status: rejected (removed from the original too).\n.br\nuse 'baz' instead")
        );
        assert!(p.contains("2 keywords: 1 implemented, 1 removed."));
        for l in p.lines() {
            assert!(!l.starts_with('\''), "{l}");
        }
    }
}
