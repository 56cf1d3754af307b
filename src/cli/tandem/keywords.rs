//! The support table, rendered from the grammar tables: `tandem keywords`,
//! docs/support-matrix.md and README's summary (the man pages: manual.rs).

use std::fmt::Write as _;

use crate::grammar::{self, Dialect, Keyword, Status};

use super::{KeywordsArgs, TableFormat};

pub fn run(args: &KeywordsArgs) -> i32 {
    let dialect = args.dialect.map(Dialect::from);
    let status = args.status.map(Status::from);
    let out = match args.format {
        TableFormat::Text => text(dialect, status),
        TableFormat::Markdown => markdown(dialect, status, 3),
    };
    super::out(&out);
    0
}

/// The keywords of each table, tables in their fixed order, empty ones left out.
pub fn grouped(
    dialect: Option<Dialect>,
    status: Option<Status>,
) -> Vec<(&'static str, Vec<&'static Keyword>)> {
    let g = grammar::grammar();
    grammar::tables()
        .filter(|(d, _)| dialect.is_none_or(|want| want == *d))
        .map(|(_, t)| {
            let kws: Vec<&Keyword> = g
                .table(t)
                .filter(|k| status.is_none_or(|s| s == k.status))
                .collect();
            (t, kws)
        })
        .filter(|(_, k)| !k.is_empty())
        .collect()
}

pub fn text(dialect: Option<Dialect>, status: Option<Status>) -> String {
    let groups = grouped(dialect, status);
    if groups.is_empty() {
        return "no keywords match\n".to_string();
    }
    let mut s = String::new();
    for (i, (table, kws)) in groups.iter().enumerate() {
        if i > 0 {
            s.push('\n');
        }
        let _ = writeln!(s, "{} ({table})", grammar::table_title(table));
        let w = kws.iter().map(|k| k.keyword.len()).max().unwrap_or(0);
        for k in kws {
            let mut line = format!(
                "  {:<w$}  {:<11}  {}",
                k.keyword,
                k.status.as_str(),
                k.sections.join(",")
            );
            if !k.note.is_empty() {
                let _ = write!(line, "  ({})", k.note);
            }
            let _ = writeln!(s, "{}", line.trim_end());
        }
    }
    s
}

/// A markdown cell: pipes escaped, line breaks impossible (tables are one
/// line per entry).
fn cell(s: &str) -> String {
    s.replace('|', "\\|")
}

/// Inline code that survives backticks inside.
fn code(s: &str) -> String {
    if s.is_empty() {
        String::new()
    } else if s.contains('`') {
        format!("`` {} ``", cell(s))
    } else {
        format!("`{}`", cell(s))
    }
}

/// One markdown table per keyword table, under headings of level `h`.
pub fn markdown(dialect: Option<Dialect>, status: Option<Status>, h: usize) -> String {
    let hashes = "#".repeat(h);
    let mut s = String::new();
    for (table, kws) in grouped(dialect, status) {
        let _ = writeln!(s, "{hashes} {}\n", grammar::table_title(table));
        s.push_str("| keyword | arguments | valid in | status | note |\n");
        s.push_str("|---|---|---|---|---|\n");
        for k in kws {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} |",
                code(k.keyword),
                code(k.args),
                cell(&k.sections.join(", ")),
                k.status.as_str(),
                cell(k.note)
            );
        }
        s.push('\n');
    }
    if s.is_empty() {
        s.push_str("No keywords match.\n\n");
    }
    s
}

/// Counts per table and status: README's support matrix.
pub fn summary_markdown() -> String {
    let mut s = String::from("| table |");
    for st in Status::ALL {
        let _ = write!(s, " {} |", st.as_str());
    }
    s.push_str(" total |\n|---|");
    for _ in Status::ALL {
        s.push_str("---:|");
    }
    s.push_str("---:|\n");
    let mut totals = [0usize; Status::ALL.len()];
    for (table, kws) in grouped(None, None) {
        let _ = write!(s, "| {} |", grammar::table_title(table));
        for (i, st) in Status::ALL.iter().enumerate() {
            let n = kws.iter().filter(|k| k.status == *st).count();
            totals[i] += n;
            let _ = write!(s, " {n} |");
        }
        let _ = writeln!(s, " {} |", kws.len());
    }
    s.push_str("| **all** |");
    for n in totals {
        let _ = write!(s, " **{n}** |");
    }
    let _ = writeln!(s, " **{}** |", totals.iter().sum::<usize>());
    s
}

/// The legend shared by the markdown docs.
pub fn legend_markdown() -> String {
    let mut s = String::new();
    for st in Status::ALL {
        let _ = writeln!(s, "- `{}`: {}", st.as_str(), st.meaning());
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(cell("a|b"), "a\\|b");
        assert_eq!(code("x`y"), "`` x`y ``");
        assert_eq!(code(""), "");
    }

    #[test]
    fn summary_counts_every_keyword() {
        let g = grammar::grammar();
        let s = summary_markdown();
        let last = s.lines().last().unwrap_or_default();
        assert!(
            last.ends_with(&format!(" **{}** |", g.keywords.len())),
            "{last}"
        );
    }
}
