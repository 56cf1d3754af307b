//! `tandem config dump`: the IR of both dialects, as JSON or as text.

use std::fmt::Write as _;

use serde_json::Value;

use crate::config::diag::Level;
use crate::config::haproxy::parser::Verdict;
use crate::ir::Ir;

use super::check::render;
use super::{DumpArgs, DumpFormat, inputs};

pub fn run(args: &DumpArgs) -> i32 {
    let d = dump(args);
    super::err(&d.stderr);
    super::out(&d.stdout);
    d.code
}

#[derive(Debug, Default)]
pub struct Dumped {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

/// The dump, with the errors that the check found (which prevent the dump
/// unless `--force`). Warnings are not printed: `tandem check` is for that.
pub fn dump(args: &DumpArgs) -> Dumped {
    let mut ir = Ir::default();
    let mut errors = String::new();
    match inputs::load_haproxy(&args.inputs, args.legacy) {
        Err(e) => {
            let _ = writeln!(errors, "haproxy: error: {e}");
        }
        Ok(None) => {}
        Ok(Some(outcome)) => {
            if !matches!(outcome.verdict, Verdict::Valid | Verdict::NoListener) {
                let mut any = false;
                for d in outcome.diags.iter().filter(|d| d.level == Level::Alert) {
                    errors.push_str(&render("haproxy", d));
                    any = true;
                }
                if !any {
                    errors.push_str("haproxy: error: the configuration has errors\n");
                }
            }
            ir.haproxy = outcome.config;
        }
    }
    let (k, kerrors) = inputs::load_keepalived_ir(&args.inputs);
    for d in &kerrors {
        errors.push_str(&render("keepalived", d));
    }
    ir.keepalived = k;

    let mut out = Dumped::default();
    if !errors.is_empty() {
        out.code = 1;
        out.stderr = errors;
        if !args.force {
            out.stderr.push_str(
                "tandem: error: not dumped because of the errors above (--force dumps anyway)\n",
            );
            return out;
        }
    }
    match render_ir(&ir, args.format) {
        Ok(s) => out.stdout = s,
        Err(e) => {
            let _ = writeln!(out.stderr, "tandem: error: cannot serialize the IR: {e}");
            out.code = 1;
        }
    }
    out
}

pub fn render_ir(ir: &Ir, format: DumpFormat) -> Result<String, serde_json::Error> {
    Ok(match format {
        DumpFormat::Json => {
            let mut s = serde_json::to_string_pretty(ir)?;
            s.push('\n');
            s
        }
        DumpFormat::Text => {
            let mut s = String::new();
            text(&mut s, 0, &serde_json::to_value(ir)?);
            s
        }
    })
}

/// Indented `key: value` lines; lists as `- item`. Keys keep serde's order
/// for structs (serde_json's map is ordered by key, which is stable too).
fn text(out: &mut String, depth: usize, v: &Value) {
    let pad = "  ".repeat(depth);
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                if let Some(s) = scalar(v) {
                    let _ = writeln!(out, "{pad}{k}: {s}");
                } else {
                    let _ = writeln!(out, "{pad}{k}:");
                    text(out, depth + 1, v);
                }
            }
        }
        Value::Array(a) => {
            for v in a {
                if let Some(s) = scalar(v) {
                    let _ = writeln!(out, "{pad}- {s}");
                } else {
                    let _ = writeln!(out, "{pad}-");
                    text(out, depth + 1, v);
                }
            }
        }
        other => {
            let _ = writeln!(out, "{pad}{}", scalar(other).unwrap_or_default());
        }
    }
}

fn scalar(v: &Value) -> Option<String> {
    Some(match v {
        Value::Null => "~".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => serde_json::to_string(s).unwrap_or_default(),
        Value::Array(a) if a.is_empty() => "[]".to_string(),
        Value::Object(m) if m.is_empty() => "{}".to_string(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_rendering() {
        let v = serde_json::json!({
            "a": 1,
            "b": {"c": "x y", "d": [1, {"e": null}], "f": []},
        });
        let mut s = String::new();
        text(&mut s, 0, &v);
        assert_eq!(
            s,
            "a: 1\nb:\n  c: \"x y\"\n  d:\n    - 1\n    -\n      e: ~\n  f: []\n"
        );
    }

    #[test]
    fn empty_ir_dumps() {
        let ir = Ir::default();
        assert_eq!(
            render_ir(&ir, DumpFormat::Json).unwrap(),
            "{\n  \"haproxy\": null,\n  \"keepalived\": null\n}\n"
        );
        assert_eq!(
            render_ir(&ir, DumpFormat::Text).unwrap(),
            "haproxy: ~\nkeepalived: ~\n"
        );
    }
}
