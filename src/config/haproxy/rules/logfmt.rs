//! Log-format strings (`%[expr]`, `%{+Q}[expr]`, `%ci`, `%%`) as HAProxy
//! 2.6's `parse_logformat_string()` checks them; used by rule actions.

use crate::config::haproxy::expr::sample::parse_sample;

/// HAProxy 2.6's log-format variables (configuration.txt, section 8.2.4).
pub const VARS: &[&str] = &[
    "o", "B", "CC", "CS", "H", "HM", "HP", "HPO", "HQ", "HU", "HV", "ID", "ST", "T", "Ta", "Tc",
    "Td", "Tl", "Th", "Ti", "Tq", "TR", "Tr", "Ts", "Tt", "Tu", "Tw", "U", "ac", "b", "bc", "bi",
    "bp", "bq", "ci", "cp", "f", "fc", "fi", "fp", "ft", "lc", "hr", "hrl", "hs", "hsl", "ms",
    "pid", "r", "rc", "rt", "s", "sc", "si", "sp", "sq", "sslc", "sslv", "t", "tr", "trg", "trl",
    "ts", "tsc",
];

/// Check `fmt`; the error is HAProxy's text (without the rule context).
pub fn check(fmt: &str) -> Result<(), String> {
    let b = fmt.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'%' {
            i += 1;
            continue;
        }
        let pct = i;
        i += 1;
        match b.get(i) {
            None => return Err("truncated line after '%'".into()),
            Some(b'%') => {
                i += 1;
                continue;
            }
            Some(b'{') => {
                // %{+Q,-E,...} flags
                match fmt[i..].find('}') {
                    Some(k) => {
                        i += k + 1;
                        let next = b.get(i).copied();
                        if !next.is_some_and(|c| c == b'[' || c.is_ascii_alphabetic()) {
                            return Err(format!(
                                "parse argument modifier without variable name near '{}'",
                                &fmt[pct..i]
                            ));
                        }
                    }
                    None => {
                        return Err(format!("truncated line after '{}'", &fmt[i + 1..]));
                    }
                }
            }
            _ => {}
        }
        if b.get(i) == Some(&b'[') {
            let start = i + 1;
            let rest = &fmt[start..];
            // The expression ends at the first ']' outside parentheses.
            let mut depth = 0usize;
            let mut end = None;
            for (k, c) in rest.char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' => depth = depth.saturating_sub(1),
                    ']' if depth == 0 => {
                        end = Some(k);
                        break;
                    }
                    _ => {}
                }
            }
            let expr = match end {
                Some(k) => &rest[..k],
                None => rest.split([' ', '\t']).next().unwrap_or(rest),
            };
            if let Err(e) = parse_sample(expr) {
                return Err(format!("failed to parse sample expression <{rest}> : {e}"));
            }
            match end {
                Some(k) => i = start + k + 1,
                None => return Err(format!("missing ']' after '{expr}'")),
            }
            continue;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_alphabetic() {
            i += 1;
        }
        let var = &fmt[start..i];
        if !var.is_empty() && !VARS.contains(&var) {
            return Err(format!(
                "no such format variable '{var}'. If you wanted to emit the '%' character verbatim, you need to use '%%'"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn log_formats() {
        for f in [
            "%[src]",
            "%{+Q}[src]",
            "%ci:%cp %%",
            "x-%[req.hdr(host),lower]",
            "plain",
            "%Tr",
        ] {
            assert_eq!(check(f), Ok(()), "{f}");
        }
        // HAProxy 2.6.12's texts (inside `... 'http-request set-header' rule : %s.`)
        assert_eq!(
            check("%[foo]").unwrap_err(),
            "failed to parse sample expression <foo]> : unknown fetch method 'foo'"
        );
        assert_eq!(
            check("%[src,lowr]").unwrap_err(),
            "failed to parse sample expression <src,lowr]> : unknown converter 'lowr'"
        );
        assert_eq!(
            check("%[req.hdr(host)").unwrap_err(),
            "missing ']' after 'req.hdr(host)'"
        );
        assert_eq!(
            check("%Z").unwrap_err(),
            "no such format variable 'Z'. If you wanted to emit the '%' character verbatim, you need to use '%%'"
        );
    }
}
