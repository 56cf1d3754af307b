//! Regex validation the way HAProxy 2.6 (built with PCRE2) reports it:
//! `regex '%s' is invalid (error=%s, erroffset=%d)`.
//!
//! PCRE2 accepts constructs the `regex` crate does not (look-around,
//! back-references, possessive quantifiers, atomic groups, `{,n}` as a
//! literal...) and the crate's error texts are not PCRE2's, so the crate
//! cannot be the judge here. A small scanner finds the common PCRE2 syntax
//! errors with PCRE2's wording and offsets (measured with HAProxy 2.6.12 /
//! PCRE2 10.42); anything else is accepted, as a false alarm on a working
//! config would be worse than a missed error on a broken one. The run-time
//! matcher will need a PCRE2-compatible engine for the PCRE2-only features.

/// Check `pat`; on error, return HAProxy's message.
pub fn check(pat: &str) -> Result<(), String> {
    if let Err((msg, off)) = scan(pat) {
        return Err(format!(
            "regex '{pat}' is invalid (error={msg}, erroffset={off})"
        ));
    }
    Ok(())
}

/// PCRE2's Unicode property names (general categories and common scripts).
const PROPS: &[&str] = &[
    "Any",
    "L&",
    "L",
    "Ll",
    "Lm",
    "Lo",
    "Lt",
    "Lu",
    "M",
    "Mc",
    "Me",
    "Mn",
    "N",
    "Nd",
    "Nl",
    "No",
    "P",
    "Pc",
    "Pd",
    "Pe",
    "Pf",
    "Pi",
    "Po",
    "Ps",
    "S",
    "Sc",
    "Sk",
    "Sm",
    "So",
    "Z",
    "Zl",
    "Zp",
    "Zs",
    "C",
    "Cc",
    "Cf",
    "Cn",
    "Co",
    "Cs",
    "Xan",
    "Xps",
    "Xsp",
    "Xwd",
    "Xuc",
    "Arabic",
    "Armenian",
    "Bengali",
    "Bopomofo",
    "Braille",
    "Cherokee",
    "Common",
    "Cyrillic",
    "Devanagari",
    "Ethiopic",
    "Georgian",
    "Greek",
    "Gujarati",
    "Gurmukhi",
    "Han",
    "Hangul",
    "Hebrew",
    "Hiragana",
    "Inherited",
    "Kannada",
    "Katakana",
    "Khmer",
    "Lao",
    "Latin",
    "Malayalam",
    "Mongolian",
    "Myanmar",
    "Ogham",
    "Oriya",
    "Runic",
    "Sinhala",
    "Syriac",
    "Tamil",
    "Telugu",
    "Thaana",
    "Thai",
    "Tibetan",
    "Yi",
];

/// (PCRE2 message, offset) of the first syntax error found.
fn scan(p: &str) -> Result<(), (&'static str, usize)> {
    let b = p.as_bytes();
    let n = b.len();
    let mut i = 0;
    let mut depth: Vec<usize> = Vec::new();
    let mut groups = 0usize;
    let mut max_ref: Option<(usize, usize)> = None;
    // Whether the previous item can take a quantifier, and whether it was a
    // quantifier (which may take one `?` or `+` modifier).
    let mut repeatable = false;
    let mut after_quant = false;
    while i < n {
        let c = b[i];
        match c {
            b'\\' => {
                if i + 1 >= n {
                    return Err(("\\ at end of pattern", n));
                }
                let e = b[i + 1];
                if (b'1'..=b'9').contains(&e) {
                    let mut j = i + 1;
                    let mut v = 0usize;
                    while j < n && b[j].is_ascii_digit() {
                        v = v
                            .saturating_mul(10)
                            .saturating_add(usize::from(b[j] - b'0'));
                        j += 1;
                    }
                    if max_ref.is_none_or(|(m, _)| v > m) {
                        max_ref = Some((v, j - 1));
                    }
                    i = j;
                } else if e == b'p' || e == b'P' {
                    let (name, end) = if b.get(i + 2) == Some(&b'{') {
                        match p[i + 3..].find('}') {
                            Some(k) => (&p[i + 3..i + 3 + k], i + 3 + k + 1),
                            None => return Err(("malformed \\P or \\p sequence", n)),
                        }
                    } else {
                        (p.get(i + 2..i + 3).unwrap_or(""), i + 3)
                    };
                    let name = name.trim_start_matches('^');
                    if !PROPS.contains(&name) {
                        return Err(("unknown property after \\P or \\p", end.min(n)));
                    }
                    i = end;
                } else {
                    i += 2;
                }
                repeatable = true;
                after_quant = false;
                continue;
            }
            b'[' => {
                i = scan_class(b, i)?;
                repeatable = true;
                after_quant = false;
                continue;
            }
            b'(' => {
                let rest = &p[i + 1..];
                let capturing = !rest.starts_with('?')
                    || rest.starts_with("?P<")
                    || (rest.starts_with("?<")
                        && !rest.starts_with("?<=")
                        && !rest.starts_with("?<!"))
                    || rest.starts_with("?'");
                if capturing {
                    groups += 1;
                }
                if rest.starts_with("?#") {
                    // comment up to ')'
                    match rest.find(')') {
                        Some(k) => {
                            i += 1 + k + 1;
                            continue;
                        }
                        None => return Err(("missing ) at end of (?# comment", n)),
                    }
                }
                depth.push(i);
                repeatable = false;
                after_quant = false;
                if rest.starts_with('?') {
                    i += 1 + group_prefix_len(rest);
                    continue;
                }
            }
            b')' => {
                if depth.pop().is_none() {
                    return Err(("unmatched closing parenthesis", i));
                }
                repeatable = true;
                after_quant = false;
            }
            b'|' => {
                repeatable = false;
                after_quant = false;
            }
            b'*' | b'+' | b'?' => {
                if after_quant && (c == b'?' || c == b'+') {
                    // lazy or possessive modifier
                    after_quant = false;
                    repeatable = false;
                } else if !repeatable {
                    return Err(("quantifier does not follow a repeatable item", i));
                } else {
                    after_quant = true;
                    repeatable = false;
                }
            }
            b'{' => {
                if let Some((lo, hi, end)) = brace_quant(b, i) {
                    if !repeatable {
                        return Err(("quantifier does not follow a repeatable item", i));
                    }
                    if let (Some(lo), Some(hi)) = (lo, hi)
                        && lo > hi
                    {
                        return Err(("numbers out of order in {} quantifier", end));
                    }
                    i = end + 1;
                    after_quant = true;
                    repeatable = false;
                    continue;
                }
                repeatable = true;
                after_quant = false;
            }
            _ => {
                repeatable = true;
                after_quant = false;
            }
        }
        i += 1;
    }
    if !depth.is_empty() {
        return Err(("missing closing parenthesis", n));
    }
    if let Some((r, at)) = max_ref
        && r > groups
    {
        return Err(("reference to non-existent subpattern", at));
    }
    Ok(())
}

/// Length of a `(?...` group's prefix after '(' : `?:`, `?=`, `?<=`,
/// `?P<name>`, `?i)`... (the `)` of a flags-only group is left to close it).
fn group_prefix_len(rest: &str) -> usize {
    for p in ["?<=", "?<!"] {
        if rest.starts_with(p) {
            return p.len();
        }
    }
    for (open, close) in [("?P<", '>'), ("?<", '>'), ("?'", '\'')] {
        if let Some(after) = rest.strip_prefix(open) {
            return match after.find(close) {
                Some(k) => open.len() + k + 1,
                None => rest.len(),
            };
        }
    }
    let b = rest.as_bytes();
    match b.get(1) {
        Some(b':' | b'=' | b'!' | b'>' | b'|') => 2,
        _ => {
            // flags such as `?i-s` then ':' (group) or ')' (setting)
            let mut k = 1;
            while k < b.len() && (b[k].is_ascii_alphabetic() || b[k] == b'-' || b[k] == b'^') {
                k += 1;
            }
            if b.get(k) == Some(&b':') { k + 1 } else { k }
        }
    }
}

/// `{n}`, `{n,}`, `{n,m}` at `i`: (n, m, index of '}').
fn brace_quant(b: &[u8], i: usize) -> Option<(Option<u64>, Option<u64>, usize)> {
    let mut j = i + 1;
    let num = |j: &mut usize| -> Option<u64> {
        let s = *j;
        while *j < b.len() && b[*j].is_ascii_digit() {
            *j += 1;
        }
        std::str::from_utf8(&b[s..*j]).ok()?.parse().ok()
    };
    let lo = num(&mut j)?;
    let hi = if b.get(j) == Some(&b',') {
        j += 1;
        num(&mut j)
    } else {
        Some(lo)
    };
    (b.get(j) == Some(&b'}')).then_some((Some(lo), hi, j))
}

/// A character class starting at `b[i] == '['`; returns the index after `]`.
fn scan_class(b: &[u8], i: usize) -> Result<usize, (&'static str, usize)> {
    let n = b.len();
    let mut j = i + 1;
    if b.get(j) == Some(&b'^') {
        j += 1;
    }
    let mut first = true;
    // previous single character (for ranges)
    let mut prev: Option<u32> = None;
    while j < n {
        let c = b[j];
        if c == b']' && !first {
            return Ok(j + 1);
        }
        first = false;
        if c == b'['
            && b.get(j + 1) == Some(&b':')
            && let Some(k) = b[j + 2..].windows(2).position(|w| w == b":]")
        {
            j += 2 + k + 2;
            prev = None;
            continue;
        }
        let (val, next) = if c == b'\\' {
            if j + 1 >= n {
                return Err(("\\ at end of pattern", n));
            }
            let e = b[j + 1];
            let v = match e {
                b'd' | b'D' | b'w' | b'W' | b's' | b'S' | b'h' | b'H' | b'v' | b'V' => None,
                b'n' => Some(10),
                b't' => Some(9),
                b'r' => Some(13),
                _ => Some(u32::from(e)),
            };
            (v, j + 2)
        } else {
            (Some(u32::from(c)), j + 1)
        };
        if b.get(next) == Some(&b'-') && next + 1 < n && b[next + 1] != b']' {
            let hi_at = next + 1;
            let (hi, after) = if b[hi_at] == b'\\' {
                if hi_at + 1 >= n {
                    return Err(("\\ at end of pattern", n));
                }
                (Some(u32::from(b[hi_at + 1])), hi_at + 2)
            } else {
                (Some(u32::from(b[hi_at])), hi_at + 1)
            };
            if let (Some(lo), Some(hi)) = (val, hi)
                && lo > hi
            {
                return Err(("range out of order in character class", hi_at));
            }
            j = after;
            prev = None;
            continue;
        }
        prev = val;
        j = next;
    }
    let _ = prev;
    Err(("missing terminating ] for character class", n))
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn pcre2_messages() {
        // HAProxy 2.6.12 (PCRE2 10.42) output after `error detected while parsing ACL 'rN' : `
        let cases = [
            (
                "(abc",
                "regex '(abc' is invalid (error=missing closing parenthesis, erroffset=4)",
            ),
            (
                "abc)",
                "regex 'abc)' is invalid (error=unmatched closing parenthesis, erroffset=3)",
            ),
            (
                "*abc",
                "regex '*abc' is invalid (error=quantifier does not follow a repeatable item, erroffset=0)",
            ),
            (
                "a{2,1}",
                "regex 'a{2,1}' is invalid (error=numbers out of order in {} quantifier, erroffset=5)",
            ),
            (
                "ab\\",
                "regex 'ab\\' is invalid (error=\\ at end of pattern, erroffset=3)",
            ),
            (
                "[z-a]",
                "regex '[z-a]' is invalid (error=range out of order in character class, erroffset=3)",
            ),
            (
                "(a)\\2",
                "regex '(a)\\2' is invalid (error=reference to non-existent subpattern, erroffset=4)",
            ),
            (
                "\\p{Foo}",
                "regex '\\p{Foo}' is invalid (error=unknown property after \\P or \\p, erroffset=7)",
            ),
            (
                "a**",
                "regex 'a**' is invalid (error=quantifier does not follow a repeatable item, erroffset=2)",
            ),
            (
                "?",
                "regex '?' is invalid (error=quantifier does not follow a repeatable item, erroffset=0)",
            ),
            (
                "+a",
                "regex '+a' is invalid (error=quantifier does not follow a repeatable item, erroffset=0)",
            ),
            (
                "[",
                "regex '[' is invalid (error=missing terminating ] for character class, erroffset=1)",
            ),
            (
                "([a-z",
                "regex '([a-z' is invalid (error=missing terminating ] for character class, erroffset=5)",
            ),
        ];
        for (p, want) in cases {
            assert_eq!(check(p).unwrap_err(), want, "for {p}");
        }
    }

    #[test]
    fn pcre2_only_features_are_accepted() {
        // all accepted by HAProxy 2.6.12
        for p in [
            "(?<=a)b",
            "(a)\\1",
            "a++",
            "(?P<n>x)",
            "(?i)abc",
            "^/api/v[0-9]+/",
            "\\.(css|js)$",
            "[]a]",
            "[^]a]",
            "a{2}",
            "a{,3}",
            "x*?",
            "[[:alpha:]]+",
            "(?:a|b)",
        ] {
            assert_eq!(check(p), Ok(()), "for {p}");
        }
    }
}
