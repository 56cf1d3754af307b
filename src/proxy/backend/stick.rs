//! A backend's `stick on|match|store-request|store-response` rules, compiled for the
//! session (the table logic itself is `proxy::stick::StickRules`).

use crate::ir::haproxy as ir;
use crate::ir::haproxy::expr::Action;
use crate::proxy::acl::{CompileEnv, CompiledCond, CompiledSample, Ctx};
use crate::proxy::stick::counters::key_sample;
use crate::proxy::stick::{Key, KeyType, StickKind, TableId, Tables};

/// One compiled `stick` line.
#[derive(Debug, Clone)]
pub struct StickRule {
    pub kind: StickKind,
    pub table: TableId,
    key_type: KeyType,
    expr: CompiledSample,
    cond: Option<CompiledCond>,
}

/// Why a `stick` line cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum StickRuleError {
    #[error("stick rule at line {line}: unknown table '{table}'")]
    UnknownTable { line: u32, table: String },
    #[error("stick rule at line {line}: {source}")]
    Acl {
        line: u32,
        #[source]
        source: crate::proxy::acl::AclError,
    },
}

impl StickRule {
    /// The `stick` rules of `proxy`, in order.
    pub fn compile_all(
        proxy: &ir::Proxy,
        tables: &Tables,
        env: &CompileEnv<'_>,
    ) -> Result<Vec<StickRule>, StickRuleError> {
        let mut out = Vec::new();
        for r in proxy.rules.iter().filter(|r| r.value.keyword == "stick") {
            let line = r.span.line;
            let Some(kind) = r.value.ruleset.as_deref().and_then(StickKind::from_ruleset) else {
                continue;
            };
            let Action::Stick { expr, table } = &r.value.action_args else {
                continue;
            };
            let name = table.as_deref().unwrap_or(&proxy.name);
            let (Some(id), Some(t)) = (tables.id(name), tables.get_by_name(name)) else {
                return Err(StickRuleError::UnknownTable {
                    line,
                    table: name.to_string(),
                });
            };
            let expr = CompiledSample::compile(expr, env)
                .map_err(|source| StickRuleError::Acl { line, source })?;
            let cond = match &r.value.cond {
                Some(c) => Some(
                    CompiledCond::compile(c, env)
                        .map_err(|source| StickRuleError::Acl { line, source })?,
                ),
                None => None,
            };
            out.push(StickRule {
                kind,
                table: id,
                key_type: t.spec.key_type,
                expr,
                cond,
            });
        }
        Ok(out)
    }

    /// The rule applies (condition) and its key, evaluated without touching the tables
    /// (the sample may read sticky counters, which lock them).
    pub fn key(&self, ctx: &Ctx<'_>) -> Option<Option<Key>> {
        if !CompiledCond::eval_opt(self.cond.as_ref(), ctx) {
            return None;
        }
        let v = self.expr.eval(ctx);
        Some(v.and_then(|v| self.key_type.key_from(&key_sample(&v))))
    }
}
