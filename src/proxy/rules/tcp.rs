//! `tcp-request connection|session|content` and `tcp-response content` rules.

use super::logfmt::LogFormat;
use super::{Ext, RulesEnv, RulesError, TcpConn, TcpVerdict};
use crate::ir::haproxy::expr::{Action, Rule};
use crate::ir::haproxy::{Located, Proxy};
use crate::proxy::acl::{
    AclError, CompileEnv, CompiledCond, CompiledSample, Ctx, Dir, Scope, Value, split_var,
};
use crate::proxy::stick::TrackStage;

#[derive(Debug, Clone)]
enum Act {
    Accept,
    Reject,
    SilentDrop,
    /// tcp-response `close`: close the server side; reported as a reject here.
    Close,
    TrackSc {
        counter: u8,
        key: CompiledSample,
        table: String,
    },
    IncGpc {
        counter: u8,
        which: u8,
    },
    SetVar(Scope, Box<str>, CompiledSample),
    SetVarFmt(Scope, Box<str>, LogFormat),
    UnsetVar(Scope, Box<str>),
    SetLogLevel(String),
    /// `tcp-request content switch-mode http`: final, the stream goes on as HTTP.
    SwitchHttp,
    Noop,
}

#[derive(Debug, Clone)]
struct TRule {
    act: Act,
    cond: Option<CompiledCond>,
    /// The condition reads payload bytes (may need to wait for more).
    payload: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Connection,
    Session,
    Content,
    Response,
}

#[derive(Debug, Clone)]
pub(super) struct Compiled {
    proxy: Box<str>,
    inspect_delay: Option<u32>,
    connection: Vec<TRule>,
    session: Vec<TRule>,
    content: Vec<TRule>,
    response: Vec<TRule>,
}

fn acl_err(r: &Located<Rule>, e: AclError) -> RulesError {
    RulesError::Acl {
        file: r.span.file.clone(),
        line: r.span.line,
        source: e,
    }
}

fn var(r: &Located<Rule>, v: &str) -> Result<(Scope, Box<str>), RulesError> {
    split_var(v)
        .map(|(s, n)| (s, n.into()))
        .ok_or_else(|| RulesError::Rule {
            file: r.span.file.clone(),
            line: r.span.line,
            msg: format!("invalid variable name '{v}'"),
        })
}

/// `sc-inc-gpc0(N)` / `sc-inc-gpc1(N)`: (counter, which).
pub(super) fn inc_gpc_action(action: &str) -> Option<(u8, u8)> {
    let rest = action.strip_prefix("sc-inc-gpc")?;
    let (which, arg) = rest.split_once('(')?;
    let which: u8 = which.parse().ok()?;
    let counter: u8 = arg.strip_suffix(')')?.trim().parse().ok()?;
    Some((counter, which))
}

impl Compiled {
    pub(super) fn compile(env: &RulesEnv<'_>, proxy: &Proxy) -> Result<Self, RulesError> {
        let acls: Vec<_> = proxy.acls.iter().map(|a| a.value.clone()).collect();
        let cenv = CompileEnv {
            acls: &acls,
            userlists: env.userlists,
            base_dir: env.base_dir,
            proxy: &proxy.name,
        };
        let mut c = Compiled {
            proxy: proxy.name.as_str().into(),
            inspect_delay: None,
            connection: Vec::new(),
            session: Vec::new(),
            content: Vec::new(),
            response: Vec::new(),
        };
        c.inspect_delay = super::inherited_inspect_delay(env.cfg, proxy);
        let (def_rules, def_acls) = super::inherited_rules(env.cfg, proxy);
        let def_acls: Vec<_> = def_acls.iter().map(|a| a.value.clone()).collect();
        let def_cenv = CompileEnv {
            acls: &def_acls,
            ..cenv
        };
        // HAProxy 2.6.12 runs the `tcp-request connection` / `session` rules of the
        // defaults section only when the proxy has some of its own (session_accept_fd()
        // and session_complete() test the proxy's list alone; measured: a defaults'
        // `tcp-request connection reject` does nothing to a frontend without such rules)
        let own = |set: &str| {
            proxy.rules.iter().any(|r| {
                r.value.keyword == "tcp-request" && r.value.ruleset.as_deref() == Some(set)
            })
        };
        let (own_conn, own_sess) = (own("connection"), own("session"));
        // the inherited delay is in `c.inspect_delay` already (a proxy's own replaces it)
        let inherited = def_rules
            .iter()
            .filter(
                move |r| match (r.value.keyword.as_str(), r.value.ruleset.as_deref()) {
                    (_, Some("inspect-delay")) => false,
                    ("tcp-request", Some("connection")) => own_conn,
                    ("tcp-request", Some("session")) => own_sess,
                    _ => true,
                },
            )
            .map(|r| (r, def_cenv));
        for (r, cenv) in inherited.chain(proxy.rules.iter().map(|r| (r, cenv))) {
            let rule = &r.value;
            let stage = match (rule.keyword.as_str(), rule.ruleset.as_deref()) {
                ("tcp-request", Some("connection")) => Stage::Connection,
                ("tcp-request", Some("session")) => Stage::Session,
                ("tcp-request", Some("content")) => Stage::Content,
                ("tcp-response", Some("content")) => Stage::Response,
                ("tcp-request", Some("inspect-delay")) => {
                    if let Action::Delay { ms } = rule.action_args {
                        c.inspect_delay = Some(ms);
                    }
                    continue;
                }
                _ => continue,
            };
            let cond = match &rule.cond {
                Some(cd) => Some(CompiledCond::compile(cd, &cenv).map_err(|e| acl_err(r, e))?),
                None => None,
            };
            let payload = cond.as_ref().is_some_and(CompiledCond::uses_payload);
            let a = rule.action.as_str();
            let base = a.split('(').next().unwrap_or(a);
            let sample = |s| CompiledSample::compile(s, &cenv).map_err(|e| acl_err(r, e));
            let act = match (base, &rule.action_args) {
                ("accept", _) => Act::Accept,
                ("reject", _) => Act::Reject,
                ("silent-drop", _) => Act::SilentDrop,
                ("close", _) => Act::Close,
                (
                    _,
                    Action::TrackSc {
                        counter,
                        key,
                        table,
                    },
                ) => Act::TrackSc {
                    counter: *counter,
                    key: sample(key)?,
                    table: table.clone().unwrap_or_else(|| proxy.name.clone()),
                },
                ("set-var", Action::SetVar { var: v, expr }) => {
                    let (s, n) = var(r, v)?;
                    Act::SetVar(s, n, sample(expr)?)
                }
                ("set-var-fmt", Action::SetVarFmt { var: v, fmt }) => {
                    let (s, n) = var(r, v)?;
                    Act::SetVarFmt(
                        s,
                        n,
                        LogFormat::parse(fmt, &cenv).map_err(|e| acl_err(r, e))?,
                    )
                }
                ("unset-var", Action::UnsetVar { var: v }) => {
                    let (s, n) = var(r, v)?;
                    Act::UnsetVar(s, n)
                }
                ("set-log-level", Action::SetLogLevel { level }) => Act::SetLogLevel(level.clone()),
                ("switch-mode", _) if stage == Stage::Content => Act::SwitchHttp,
                _ => match inc_gpc_action(a) {
                    Some((counter, which)) => Act::IncGpc { counter, which },
                    None => Act::Noop,
                },
            };
            let list = match stage {
                Stage::Connection => &mut c.connection,
                Stage::Session => &mut c.session,
                Stage::Content => &mut c.content,
                Stage::Response => &mut c.response,
            };
            list.push(TRule { act, cond, payload });
        }
        Ok(c)
    }

    pub(super) fn inspect_delay_ms(&self) -> Option<u32> {
        self.inspect_delay
    }

    pub(super) fn has_content_rules(&self) -> bool {
        !self.content.is_empty()
    }

    pub(super) fn on_connection(&self, c: &mut TcpConn, ext: &Ext<'_>) -> TcpVerdict {
        self.run(
            &self.connection,
            c,
            None,
            ext,
            TrackStage::TcpConnection,
            true,
        )
    }

    pub(super) fn on_session(&self, c: &mut TcpConn, ext: &Ext<'_>) -> TcpVerdict {
        self.run(&self.session, c, None, ext, TrackStage::TcpSession, true)
    }

    pub(super) fn on_content(&self, c: &mut TcpConn, ext: &Ext<'_>) -> TcpVerdict {
        self.run(&self.content, c, None, ext, TrackStage::TcpContent, false)
    }

    pub(super) fn on_response(&self, c: &mut TcpConn, p: &[u8], ext: &Ext<'_>) -> TcpVerdict {
        self.run(
            &self.response,
            c,
            Some(p),
            ext,
            TrackStage::TcpContent,
            true,
        )
    }

    fn ctx<'a>(&'a self, c: &'a TcpConn, res_payload: Option<&'a [u8]>, ext: &Ext<'a>) -> Ctx<'a> {
        let mut ctx = c.ctx(&self.proxy, ext);
        if let Some(p) = res_payload {
            ctx.payload = Some(p);
            ctx.dir = Dir::Response;
        }
        ctx
    }

    fn run(
        &self,
        rules: &[TRule],
        c: &mut TcpConn,
        res_payload: Option<&[u8]>,
        ext: &Ext<'_>,
        stage: TrackStage,
        always_final: bool,
    ) -> TcpVerdict {
        for rule in rules {
            let ok = match &rule.cond {
                None => true,
                Some(cd) => {
                    let ctx = self.ctx(c, res_payload, ext);
                    if rule.payload && !always_final && !c.payload_final {
                        match cd.eval_partial(&ctx) {
                            Some(b) => b,
                            None => return TcpVerdict::NeedMore,
                        }
                    } else {
                        cd.eval(&ctx)
                    }
                }
            };
            if !ok {
                continue;
            }
            match &rule.act {
                Act::Accept => return TcpVerdict::Accept,
                Act::Reject | Act::Close => return TcpVerdict::Reject { silent: false },
                Act::SilentDrop => return TcpVerdict::Reject { silent: true },
                Act::TrackSc {
                    counter,
                    key,
                    table,
                } => {
                    let ctx = self.ctx(c, res_payload, ext);
                    if let (Some(t), Some(k)) = (ext.tables, key.eval(&ctx)) {
                        t.track(*counter, table, &k, stage, c.now_ms);
                    }
                }
                Act::IncGpc { counter, which } => {
                    if let Some(t) = ext.tables {
                        let data = if *which == 0 { "inc_gpc0" } else { "inc_gpc1" };
                        t.sc_fetch(*counter, None, data, c.now_ms);
                    }
                }
                Act::SetVar(s, n, e) => {
                    let v = {
                        let ctx = self.ctx(c, res_payload, ext);
                        e.eval(&ctx).map(Value::into_owned)
                    };
                    if let Some(v) = v {
                        c.vars.set_in(*s, n, v);
                    }
                }
                Act::SetVarFmt(s, n, f) => {
                    let v = {
                        let ctx = self.ctx(c, res_payload, ext);
                        f.expand_to_vec(&ctx)
                    };
                    c.vars.set_in(*s, n, Value::Str(std::borrow::Cow::Owned(v)));
                }
                Act::UnsetVar(s, n) => c.vars.unset_in(*s, n),
                Act::SetLogLevel(l) => c.log_level = Some(l.clone()),
                Act::SwitchHttp => return TcpVerdict::SwitchHttp,
                Act::Noop => {}
            }
        }
        TcpVerdict::Accept
    }
}
