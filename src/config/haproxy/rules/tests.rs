//! Expected texts are HAProxy 2.6.12's (`haproxy -c`), as printed after
//! `[ALERT]    (PID) : config : `.

use super::*;
use crate::config::haproxy::expr::render;

fn words(s: &str) -> Vec<String> {
    s.split_whitespace().map(String::from).collect()
}

fn run(section: &str, line: &str) -> (Result<Rule, String>, Vec<String>) {
    let mut warnings = Vec::new();
    let acl_names = vec!["a".to_string(), "b".to_string()];
    let r = {
        let mut ctx = Ctx {
            file: "F",
            line: 10,
            section,
            proxy: if section == "frontend" { "fe" } else { "be" },
            http: true,
            acl_names: &acl_names,
            warnings: &mut warnings,
        };
        parse_rule(&words(line), &mut ctx)
    };
    (r, warnings)
}

/// The alert line(s) and whether parsing stops.
fn err(section: &str, line: &str) -> (String, bool) {
    let e = run(section, line).0.unwrap_err();
    let r = render(&e, "F", 10);
    let text = r
        .lines
        .iter()
        .map(|l| l.trim_start_matches("config : ").to_string())
        .collect::<Vec<_>>()
        .join("\n");
    (text, r.abort)
}

#[test]
fn rules_ok() {
    for (sec, l) in [
        ("backend", "http-request deny if a !b"),
        (
            "backend",
            "http-request deny deny_status 403 if { path_beg /admin }",
        ),
        ("backend", "http-request allow"),
        ("backend", "http-request auth realm Admin if !a"),
        (
            "backend",
            "http-request redirect scheme https code 301 if !{ ssl_fc }",
        ),
        (
            "backend",
            "http-request redirect prefix /x drop-query append-slash set-cookie A=b",
        ),
        (
            "backend",
            "http-request set-header X-Forwarded-Proto https if { ssl_fc }",
        ),
        ("backend", "http-request add-header X-Src %[src]"),
        ("backend", "http-request del-header X-Foo"),
        (
            "backend",
            "http-request replace-header Host (.*) %[req.hdr(host)]",
        ),
        ("backend", "http-request set-path /x/%[path]"),
        ("backend", "http-request set-var(txn.x) req.hdr(host),lower"),
        ("backend", "http-request set-var-fmt(txn.x)"),
        (
            "backend",
            "http-request return status 200 content-type text/plain string ok",
        ),
        (
            "backend",
            "http-request return status 200 content-type text/plain lf-string %[src]",
        ),
        (
            "backend",
            "http-request use-service prometheus-exporter if { path /metrics }",
        ),
        ("backend", "http-request track-sc0 src table t"),
        ("backend", "http-request set-log-level silent"),
        ("backend", "http-request tarpit"),
        (
            "backend",
            "http-request deny deny_status 451 content-type text/plain string gone",
        ),
        ("backend", "http-request return status 451"),
        ("backend", "http-request normalize-uri path-merge-slashes"),
        ("backend", "http-response set-header X %{+Q}[src]"),
        ("frontend", "tcp-request connection accept if a"),
        (
            "frontend",
            "tcp-request connection expect-proxy layer4 if { src 1.2.3.4 }",
        ),
        ("frontend", "tcp-request content switch-mode http"),
        ("frontend", "tcp-request content track-sc0 src table abuse"),
        ("backend", "tcp-request content track-sc0 src table"),
        ("frontend", "tcp-request inspect-delay 5s"),
        (
            "frontend",
            "tcp-request content accept if { req.ssl_hello_type 1 }",
        ),
        ("backend", "tcp-response content accept"),
        ("backend", "redirect location /x code 302 if a"),
        ("backend", "use-server s1 if a"),
        ("backend", "stick on src table t"),
        ("backend", "stick match src"),
        ("backend", "http-check send meth GET uri /health"),
        ("backend", "http-check expect status 200"),
        ("backend", "tcp-check connect port 80"),
        ("backend", "http-check expect ! status 200"),
        ("backend", "http-check expect rstring ^OK"),
        ("backend", "http-check expect status 200-399"),
        (
            "backend",
            "http-check expect hdr name -m str X value -m beg y",
        ),
        (
            "backend",
            "http-check send meth GET uri /health ver HTTP/1.1 hdr Host www",
        ),
        ("backend", "tcp-check expect string +OK"),
        ("backend", "tcp-check expect rstring ^\\+OK"),
        ("backend", "tcp-check send PING"),
        ("backend", "tcp-check send-binary 0a0b"),
        ("backend", "tcp-check connect port 6379 ssl"),
        ("backend", "http-check connect port src_port"),
        ("frontend", "monitor fail if a"),
        ("frontend", "capture request header Host len 64"),
        ("frontend", "capture request header X len 0"),
    ] {
        assert!(run(sec, l).0.is_ok(), "{l}: {:?}", run(sec, l).0);
    }
}

#[test]
fn http_rule_errors_as_haproxy() {
    let ctx_err = |a: &str, m: &str| {
        format!(
            "parsing [F:10] : error detected in backend 'be' while parsing 'http-request {a}' rule : {m}"
        )
    };
    let cases = [
        ("http-request deny deny_status 999", ctx_err("deny", "Unexpected status code '999'.")),
        ("http-request deny deny_status", ctx_err("deny", "'status' expects <status_code> as argument.")),
        ("http-request deny foo", "parsing [F:10]: 'http-request deny' expects either 'if' or 'unless' followed by a condition but found 'foo'.".to_string()),
        ("http-request auth realm", ctx_err("auth", "missing realm value.\n.")),
        ("http-request redirect", ctx_err("redirect", "redirection type expected ('prefix', 'location', or 'scheme').")),
        ("http-request redirect location", ctx_err("redirect", "missing argument for 'location'.")),
        ("http-request redirect foo /x", ctx_err("redirect", "expects 'code', 'prefix', 'location', 'scheme', 'set-cookie', 'clear-cookie', 'drop-query', 'ignore-empty' or 'append-slash' (was 'foo').")),
        ("http-request redirect location /x code 999", ctx_err("redirect", "'code': unsupported HTTP code '999' (must be one of 301, 302, 303, 307 or 308).")),
        ("http-request set-header X", ctx_err("set-header", "expects exactly 2 arguments.")),
        ("http-request del-header", ctx_err("del-header", "expects at least 1 argument.")),
        ("http-request replace-header X a", ctx_err("replace-header", "expects exactly 3 arguments.")),
        ("http-request replace-value X ( b", ctx_err("replace-value", "regex '(' is invalid (error=missing closing parenthesis, erroffset=1).")),
        ("http-request set-path", ctx_err("set-path", "expects exactly 1 argument <format>.")),
        ("http-request set-var(txn.x)", ctx_err("set-var(txn.x)", "missing fetch method.")),
        ("http-request set-var(x) str(a)", ctx_err("set-var(x)", "invalid variable name 'x'. A variable name must be start by its scope. The scope can be 'proc', 'sess', 'txn', 'req', 'res' or 'check'.")),
        ("http-request set-var(txn.x) foo", ctx_err("set-var(txn.x)", "unknown fetch method 'foo'.")),
        ("http-request set-var", ctx_err("set-var", "invalid or incomplete action 'set-var'. Expects 'set-var(<var-name>)', 'set-var-fmt(<var-name>)' or 'unset-var(<var-name>)'.")),
        ("http-request return status 999", ctx_err("return", "Unexpected status code '999'.")),
        ("http-request return content-type", ctx_err("return", "'content-type' expects <ctype> as argument.")),
        ("http-request return string", ctx_err("return", "'string' expects <str> as argument.")),
        ("http-request return file /nonexist", ctx_err("return", "error opening file '/nonexist'.")),
        ("http-request use-service foo", ctx_err("use-service", "'foo' unknown service name..")),
        ("http-request use-service", ctx_err("use-service", "'use-service' expects a service name..")),
        ("http-request track-sc0", ctx_err("track-sc0", "missing fetch method.")),
        ("http-request track-sc0 foo", ctx_err("track-sc0", "unknown fetch method 'foo'.")),
        ("http-request track-sc3 src", ctx_err("track-sc3", "3 track-sc number exceeding 2 (MAX_SESS_STKCTR-1) value.")),
        ("http-request track-sc0 src table", ctx_err("track-sc0", "missing table name.")),
        ("http-request set-log-level foo", ctx_err("set-log-level", "expects exactly 1 argument (log level name or 'silent').")),
        ("http-request capture", ctx_err("capture", "expects <expression> [ 'len' <length> | id <idx> ].")),
        ("http-request capture req.hdr(host) len x", ctx_err("capture", "proxy 'be' has no frontend capability.")),
        ("http-request set-header X %[foo]", ctx_err("set-header", "failed to parse sample expression <foo]> : unknown fetch method 'foo'.")),
        ("http-request set-header X %[req.hdr(host)", ctx_err("set-header", "missing ']' after 'req.hdr(host)'.")),
        ("http-request set-header X %Z", ctx_err("set-header", "no such format variable 'Z'. If you wanted to emit the '%' character verbatim, you need to use '%%'.")),
        ("http-request set-var(txn.x)foo", ctx_err("set-var(txn.x)foo", "incomplete argument after action 'set-var(txn.x)foo'. Expects 'set-var(<var-name>)', 'set-var-fmt(<var-name>)' or 'unset-var(<var-name>)'.")),
        ("http-request set-var(txn.x", ctx_err("set-var(txn.x", "incomplete argument after action 'set-var(txn.x'. Expects 'set-var(<var-name>)', 'set-var-fmt(<var-name>)' or 'unset-var(<var-name>)'.")),
        ("http-request set-var()", ctx_err("set-var()", "Empty variable name cannot be accepted.")),
        ("http-request set-dst-port 80", ctx_err("set-dst-port", "unknown fetch method '80'.")),
        ("http-request return errorfile /nonexist", ctx_err("return", "error opening file '/nonexist'..")),
        ("http-request track-sc x", ctx_err("track-sc", "unknown fetch method 'x'.")),
        ("http-request sc-inc-gpc0(x)", ctx_err("sc-inc-gpc0(x)", "invalid stick table track ID. Expects sc-inc-gpc0(x)(<Track ID>).")),
        ("http-request wait-for-body", ctx_err("wait-for-body", "expects time <time> [ at-least <bytes> ].")),
        ("http-request set-mark x", ctx_err("set-mark", "invalid character starting at 'x' (integer/hex value expected).")),
        ("http-request strict-mode x", ctx_err("strict-mode", "Unexpected value 'x'. Only 'on' and 'off' are supported.")),
        ("http-request del-header X -m foo", ctx_err("del-header", "-m with unsupported matching method 'foo'.")),
        ("http-request replace-path x", ctx_err("replace-path", "expects exactly 2 arguments <match-regex> and <replace-format>.")),
        ("http-request deny deny_status 451", ctx_err("deny", "status code '451' not handled by default with 'default-errorfiles' argument..")),
        ("http-request deny if TRUE foo", "parsing [F:10] : error detected while parsing an 'http-request deny' condition : no such ACL : 'foo'.".to_string()),
        ("http-response deny if nosuch", "parsing [F:10] : error detected while parsing an 'http-response deny' condition : no such ACL : 'nosuch'.".to_string()),
        ("http-request set-heade X y", "parsing [F:10]: 'http-request' expects 'wait-for-handshake', 'ot-group', 'set-log-level', 'set-nice', 'use-service', 'sc-inc-gpc(*)', 'sc-inc-gpc0(*)', 'sc-inc-gpc1(*)', 'sc-set-gpt(*)', 'sc-set-gpt0(*)', 'send-spoe-group', 'do-resolve(*)', 'cache-use', 'add-acl(*)', 'add-header', 'allow', 'auth', 'capture', 'del-acl(*)', 'del-header', 'del-map(*)', 'deny', 'disable-l7-retry', 'early-hint', 'normalize-uri', 'redirect', 'reject', 'replace-header', 'replace-path', 'replace-pathq', 'replace-uri', 'replace-value', 'return', 'set-header', 'set-map(*)', 'set-method', 'set-path', 'set-pathq', 'set-query', 'set-uri', 'strict-mode', 'tarpit', 'track-sc(*)', 'set-timeout', 'wait-for-body', 'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)', 'set-dst', 'set-dst-port', 'set-mark', 'set-src', 'set-src-port', 'set-tos', 'silent-drop', 'set-priority-class', 'set-priority-offset', but got 'set-heade'. Did you mean 'set-header' maybe ?".to_string()),
        ("http-request", "parsing [F:10]: 'http-request' expects 'wait-for-handshake', 'ot-group', 'set-log-level', 'set-nice', 'use-service', 'sc-inc-gpc(*)', 'sc-inc-gpc0(*)', 'sc-inc-gpc1(*)', 'sc-set-gpt(*)', 'sc-set-gpt0(*)', 'send-spoe-group', 'do-resolve(*)', 'cache-use', 'add-acl(*)', 'add-header', 'allow', 'auth', 'capture', 'del-acl(*)', 'del-header', 'del-map(*)', 'deny', 'disable-l7-retry', 'early-hint', 'normalize-uri', 'redirect', 'reject', 'replace-header', 'replace-path', 'replace-pathq', 'replace-uri', 'replace-value', 'return', 'set-header', 'set-map(*)', 'set-method', 'set-path', 'set-pathq', 'set-query', 'set-uri', 'strict-mode', 'tarpit', 'track-sc(*)', 'set-timeout', 'wait-for-body', 'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)', 'set-dst', 'set-dst-port', 'set-mark', 'set-src', 'set-src-port', 'set-tos', 'silent-drop', 'set-priority-class', 'set-priority-offset', but got '' (missing argument).".to_string()),
        ("http-response foo", "parsing [F:10]: 'http-response' expects 'ot-group', 'set-log-level', 'set-nice', 'sc-inc-gpc(*)', 'sc-inc-gpc0(*)', 'sc-inc-gpc1(*)', 'sc-set-gpt(*)', 'sc-set-gpt0(*)', 'send-spoe-group', 'cache-store', 'add-acl(*)', 'add-header', 'allow', 'capture', 'del-acl(*)', 'del-header', 'del-map(*)', 'deny', 'redirect', 'replace-header', 'replace-value', 'return', 'set-header', 'set-map(*)', 'set-status', 'strict-mode', 'track-sc(*)', 'wait-for-body', 'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)', 'set-mark', 'set-tos', 'silent-drop', but got 'foo'.".to_string()),
        ("http-after-response foo", "parsing [F:10]: 'http-after-response' expects 'ot-group', 'add-header', 'allow', 'capture', 'del-header', 'replace-header', 'replace-value', 'set-header', 'set-status', 'strict-mode', 'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)', but got 'foo'.".to_string()),
    ];
    for (line, want) in cases {
        let (got, abort) = err("backend", line);
        assert_eq!(got, want, "for `{line}`");
        assert!(abort, "HAProxy stops parsing after `{line}`");
    }
}

#[test]
fn other_rule_errors_as_haproxy() {
    let cases = [
        (
            "frontend",
            "tcp-request connection foo",
            "parsing [F:10] : 'tcp-request connection' expects 'accept', 'reject', 'capture', 'expect-proxy', 'expect-netscaler-cip', 'track-sc0' ... 'track-sc2', 'sc-inc-gpc(*)', 'sc-inc-gpc0(*)', 'sc-inc-gpc1(*)', 'sc-set-gpt(*)', 'sc-set-gpt0(*)', 'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)', 'set-dst', 'set-dst-port', 'set-mark', 'set-src', 'set-src-port', 'set-tos', 'silent-drop' in frontend 'fe' (got 'foo').\n",
        ),
        (
            "backend",
            "tcp-request content foo",
            "parsing [F:10] : 'tcp-request content' expects 'accept', 'reject', 'capture', 'expect-proxy', 'expect-netscaler-cip', 'track-sc0' ... 'track-sc2', 'ot-group', 'set-log-level', 'set-nice', 'switch-mode', 'use-service', 'sc-inc-gpc(*)', 'sc-inc-gpc0(*)', 'sc-inc-gpc1(*)', 'sc-set-gpt(*)', 'sc-set-gpt0(*)', 'send-spoe-group', 'do-resolve(*)', 'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)', 'set-src', 'set-src-port', 'set-dst', 'set-dst-port', 'set-mark', 'set-tos', 'silent-drop', 'set-priority-class', 'set-priority-offset' in backend 'be' (got 'foo').\n",
        ),
        (
            "backend",
            "tcp-response content foo",
            "parsing [F:10] : 'tcp-response content' expects 'accept', 'close', 'reject', 'ot-group', 'set-log-level', 'set-nice', 'sc-inc-gpc(*)', 'sc-inc-gpc0(*)', 'sc-inc-gpc1(*)', 'sc-set-gpt(*)', 'sc-set-gpt0(*)', 'send-spoe-group', 'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)', 'set-mark', 'set-tos', 'silent-drop' in backend 'be' (got 'foo').",
        ),
        (
            "backend",
            "tcp-request connection foo",
            "parsing [F:10] : tcp-request connection is not allowed because backend be is not a frontend",
        ),
        (
            "backend",
            "tcp-request session foo",
            "parsing [F:10] : tcp-request session is not allowed because backend be is not a frontend",
        ),
        (
            "backend",
            "tcp-request foo",
            "parsing [F:10] : 'tcp-request' expects 'inspect-delay', 'connection', or 'content' in backend 'be' (got 'foo')",
        ),
        (
            "frontend",
            "tcp-request foo",
            "parsing [F:10] : 'tcp-request' expects 'inspect-delay', 'connection', or 'content' in frontend 'fe' (got 'foo')",
        ),
        (
            "backend",
            "tcp-request inspect-delay",
            "parsing [F:10] : 'tcp-request inspect-delay' expects a positive delay in milliseconds, in backend 'be'",
        ),
        (
            "frontend",
            "tcp-request inspect-delay x",
            "parsing [F:10] : 'tcp-request inspect-delay' expects a positive delay in milliseconds, in frontend 'fe' (unexpected character 'x')",
        ),
        (
            "backend",
            "tcp-request inspect-delay 25d",
            "parsing [F:10] : 'tcp-request inspect-delay' expects a positive delay in milliseconds, in backend 'be' (timer overflow in '25d', maximum value is 2147483647 ms or ~24.8 days)",
        ),
        (
            "frontend",
            "tcp-request content track-sc0",
            "parsing [F:10] : 'tcp-request content track-sc0' : missing fetch method",
        ),
        (
            "frontend",
            "tcp-request content track-sc0 foo",
            "parsing [F:10] : 'tcp-request content track-sc0' : unknown fetch method 'foo'",
        ),
        (
            "backend",
            "tcp-request content track-sc3 src",
            "parsing [F:10] : 'tcp-request content track-sc3' : 3 track-sc number exceeding 2 (MAX_SESS_STKCTR-1) value",
        ),
        (
            "frontend",
            "tcp-request content accept foo",
            "parsing [F:10] : 'tcp-request content accept' only accepts 'if' or 'unless', in frontend 'fe' (got 'foo')",
        ),
        (
            "frontend",
            "tcp-request content capture",
            "parsing [F:10] : 'tcp-request content capture' : missing fetch method",
        ),
        (
            "frontend",
            "tcp-request content capture req.hdr(host) len x",
            "parsing [F:10] : 'tcp-request content capture' : length must be > 0",
        ),
        (
            "frontend",
            "tcp-request connection accept if nosuch",
            "parsing [F:10] : 'tcp-request connection accept' : error detected in frontend 'fe' while parsing 'if' condition : no such ACL : 'nosuch'",
        ),
        (
            "frontend",
            "tcp-request content reject if { foo }",
            "parsing [F:10] : 'tcp-request content reject' : error detected in frontend 'fe' while parsing 'if' condition : unknown fetch method 'foo' in ACL expression 'foo'",
        ),
        (
            "frontend",
            "tcp-response content accept",
            "parsing [F:10] : tcp-response content is only allowed in 'backend' sections or 'defaults' section with a name",
        ),
        (
            "backend",
            "tcp-response foo",
            "parsing [F:10] : 'tcp-response' expects 'inspect-delay' or 'content' in backend 'be' (got 'foo')",
        ),
        (
            "backend",
            "redirect foo",
            "parsing [F:10] : error detected in backend 'be' while parsing redirect rule : expects 'code', 'prefix', 'location', 'scheme', 'set-cookie', 'clear-cookie', 'drop-query', 'ignore-empty' or 'append-slash' (was 'foo').",
        ),
        (
            "backend",
            "redirect location /x if nosuch",
            "parsing [F:10] : error detected in backend 'be' while parsing redirect rule : error in condition: no such ACL : 'nosuch'.",
        ),
        (
            "backend",
            "use-server",
            "parsing [F:10] : 'use-server' expects a server name.",
        ),
        (
            "backend",
            "use-server s1",
            "parsing [F:10] : 'use-server' requires either 'if' or 'unless' followed by a condition.",
        ),
        (
            "backend",
            "use-server s1 if nosuch",
            "parsing [F:10] : error detected while parsing switching rule : no such ACL : 'nosuch'.",
        ),
        (
            "backend",
            "stick foo",
            "parsing [F:10] : 'stick' expects 'on', 'match', or 'store'.",
        ),
        (
            "backend",
            "stick on foo",
            "parsing [F:10] : 'stick': unknown fetch method 'foo'",
        ),
        (
            "backend",
            "stick match",
            "parsing [F:10] : 'stick' expects a fetch method.",
        ),
        (
            "backend",
            "stick on src if nosuch",
            "parsing [F:10] : 'stick': error detected while parsing sticking condition : no such ACL : 'nosuch'.",
        ),
        (
            "backend",
            "http-check foo",
            "parsing [F:10] : 'http-check' only supports 'disable-on-404', 'send-state', 'comment', 'connect', 'send', 'expect', 'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)'. but got 'foo'",
        ),
        (
            "backend",
            "tcp-check foo",
            "parsing [F:10] : 'tcp-check' only supports 'comment', 'connect', 'send', 'send-binary', 'expect', 'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)'. but got 'foo'",
        ),
        (
            "backend",
            "http-check expect",
            "parsing [F:10] : 'http-check expect' : expects at least a matching pattern as arguments.",
        ),
        (
            "backend",
            "http-check expect status",
            "parsing [F:10] : 'http-check expect' : 'status' expects a <pattern> as argument.",
        ),
        (
            "backend",
            "http-check expect foo 200",
            "parsing [F:10] : 'http-check expect' : 'only supports min-recv, [!]string', '[!]rstring', '[!]string-lf', '[!]status', '[!]rstatus', [!]hdr, [!]fhdr or comment but got 'foo' as argument..",
        ),
        (
            "backend",
            "http-check expect status 200 foo",
            "parsing [F:10] : 'http-check expect' : 'only supports min-recv, [!]string', '[!]rstring', '[!]string-lf', '[!]status', '[!]rstatus', [!]hdr, [!]fhdr or comment but got 'foo' as argument..",
        ),
        (
            "backend",
            "http-check expect rstatus (",
            "parsing [F:10] : 'http-check expect' : regex '(' is invalid (error=missing closing parenthesis, erroffset=1).",
        ),
        (
            "backend",
            "http-check send meth",
            "parsing [F:10] : 'http-check send' : 'meth' expects a string as argument..",
        ),
        (
            "backend",
            "http-check send foo",
            "parsing [F:10] : 'http-check send' : expects 'comment', 'meth', 'uri', 'uri-lf', 'ver', 'hdr', 'body' or 'body-lf' but got 'foo' as argument..",
        ),
        (
            "backend",
            "http-check send hdr X",
            "parsing [F:10] : 'http-check send' : 'hdr' expects <name> and <value> as arguments.",
        ),
        (
            "backend",
            "http-check connect port x",
            "parsing [F:10] : 'http-check connect' : error detected while parsing port expression : unknown fetch method 'x'.",
        ),
        (
            "backend",
            "http-check connect foo",
            "parsing [F:10] : 'http-check connect' : expects 'comment', 'port', 'addr', 'send-proxy', 'ssl', 'sni', 'alpn' or 'via-socks4', 'linger', 'default' but got 'foo' as argument..",
        ),
        (
            "backend",
            "http-check disable-on-404 x",
            "parsing [F:10] : 'http-check' cannot handle unexpected argument 'x'.",
        ),
        (
            "backend",
            "tcp-check expect string",
            "parsing [F:10] : 'tcp-check expect' : 'string' expects a <pattern> as argument.",
        ),
        (
            "backend",
            "tcp-check expect foo x",
            "parsing [F:10] : 'tcp-check expect' : 'only supports min-recv, '[!]binary', '[!]string', '[!]rstring', '[!]string-lf''[!]rbinary', '[!]binary-lf' or comment but got 'foo' as argument..",
        ),
        (
            "backend",
            "tcp-check send",
            "parsing [F:10] : 'tcp-check send' : 'string' expects a send as argument.",
        ),
        (
            "backend",
            "tcp-check send-binary zz",
            "parsing [F:10] : 'tcp-check send-binary' : 'zz' invalid binary string (an hex digit is expected (found 'z')).\n.",
        ),
        (
            "backend",
            "tcp-check connect port 0",
            "parsing [F:10] : 'tcp-check connect' : expects a valid TCP port (from range 1 to 65535) or a sample expression, got 0..",
        ),
        (
            "backend",
            "tcp-check connect port 99999",
            "parsing [F:10] : 'tcp-check connect' : expects a valid TCP port (from range 1 to 65535) or a sample expression, got 99999..",
        ),
        (
            "frontend",
            "monitor fail",
            "parsing [F:10] : 'monitor fail' requires either 'if' or 'unless' followed by a condition.",
        ),
        (
            "frontend",
            "monitor foo",
            "parsing [F:10] : 'monitor' only supports 'fail'.",
        ),
        (
            "frontend",
            "monitor fail if nosuch",
            "parsing [F:10] : error detected while parsing a 'monitor fail' condition : no such ACL : 'nosuch'.",
        ),
        (
            "frontend",
            "capture request header X",
            "parsing [F:10] : 'capture request' expects 'header' <header_name> 'len' <len>.",
        ),
        (
            "frontend",
            "capture foo",
            "parsing [F:10] : 'capture' expects 'cookie' or 'request header' or 'response header'.",
        ),
    ];
    let cases2 = [
        (
            "frontend",
            "tcp-request connection capture src len 10",
            "parsing [F:10] : 'capture src' is not allowed in 'tcp-request connection' rules in frontend 'fe'",
        ),
        (
            "frontend",
            "tcp-request content expect-netscaler-cip layer4",
            "parsing [F:10] : 'expect-netscaler-cip layer4' is not allowed in 'tcp-request content' rules in frontend 'fe'",
        ),
        (
            "frontend",
            "tcp-request content switch-mode x",
            "parsing [F:10] : 'tcp-request switch-mode' expects a valid mode (got 'x').",
        ),
        (
            "frontend",
            "tcp-request content use-service foo",
            "parsing [F:10] : 'content' unknown service name.",
        ),
        (
            "frontend",
            "tcp-request content set-log-level x",
            "parsing [F:10] : expects exactly 1 argument (log level name or 'silent')",
        ),
        (
            "frontend",
            "tcp-request content set-var(x) src",
            "parsing [F:10] : invalid variable name 'x'. A variable name must be start by its scope. The scope can be 'proc', 'sess', 'txn', 'req', 'res' or 'check'",
        ),
        (
            "backend",
            "stick on src foo",
            "parsing [F:10] : 'stick': unknown keyword 'foo'.",
        ),
    ];
    for (sec, line, want) in cases.into_iter().chain(cases2) {
        let (got, abort) = err(sec, line);
        assert_eq!(got, want, "for `{line}` in {sec}");
        assert!(!abort, "HAProxy goes on after `{line}`");
    }
    // HAProxy 2.6.12's warning, after `parsing [F:L] : `
    let (r, w) = run("backend", "monitor fail if a");
    assert!(r.is_ok());
    assert_eq!(
        w,
        ["'monitor' ignored because backend 'be' has no frontend capability."]
    );
}

#[test]
fn track_sc_session_level_warning() {
    // golden 10-track-sc0-local.cfg: HAProxy 2.6.12 prints (no location)
    let (r, _) = run("frontend", "tcp-request content track-sc0 src table abuse");
    assert_eq!(
        track_sc_session_warning("web_front", &r.unwrap()).as_deref(),
        Some(
            "frontend 'web_front' : a 'tcp-request content track-sc*' rule not depending on request contents for an HTTP frontend should be executed at the session level, using a 'tcp-request session' rule (mandatory to track invalid HTTP requests)."
        )
    );
    let (r, _) = run(
        "frontend",
        "tcp-request content track-sc0 req.hdr(host) table abuse",
    );
    assert_eq!(track_sc_session_warning("web_front", &r.unwrap()), None);
}

#[test]
fn never_match_warnings() {
    // HAProxy 2.6.12's warnings (after `parsing [F:L] : `), one rule each
    let mut warnings = Vec::new();
    let names = vec!["m1".to_string(), "m2".to_string()];
    {
        let mut ctx = Ctx {
            file: "W",
            line: 1,
            section: "backend",
            proxy: "be",
            http: true,
            acl_names: &names,
            warnings: &mut warnings,
        };
        for (i, l) in [
            "acl m1 res.hdr(x) y",
            "acl m1 path /x",
            "acl m2 res.hdr(x) y",
        ]
        .iter()
        .enumerate()
        {
            ctx.line = 10 + i as u32;
            crate::config::haproxy::expr::parse_acl(&words(l), &mut ctx).unwrap();
        }
        for (i, l) in [
            "http-request deny if m1",
            "http-request deny if m2",
            "http-request deny if { res.hdr(x) y } { path /x }",
            "http-response deny if { path /x }",
            "use-server s1 if { res.hdr(x) y }",
            "redirect location /x if { res.hdr(x) y }",
            "http-request deny if m2 || { path /y }",
            "http-request deny if { path /y }",
        ]
        .iter()
        .enumerate()
        {
            ctx.line = 20 + i as u32;
            parse_rule(&words(l), &mut ctx).unwrap();
        }
    }
    assert_eq!(
        warnings,
        [
            "acl 'm1' involves keywords 'res.hdr' which is incompatible with 'backend http-request header rule'",
            "acl 'm2' will never match because it only involves keywords that are incompatible with 'backend http-request header rule'",
            "anonymous acl will never match because it uses keyword 'res.hdr' which is incompatible with 'backend http-request header rule'",
            "anonymous acl will never match because it uses keyword 'path' which is incompatible with 'backend http-response header rule'",
            "anonymous acl will never match because it uses keyword 'res.hdr' which is incompatible with 'backend use-server, balance or stick-match rule'",
            "anonymous acl will never match because it uses keyword 'res.hdr' which is incompatible with 'backend http-request header rule'",
            "acl 'm2' will never match because it only involves keywords that are incompatible with 'backend http-request header rule'",
        ]
    );
    let (r, w) = run("frontend", "tcp-request connection reject if { path /x }");
    assert!(r.is_ok());
    assert_eq!(
        w,
        [
            "anonymous acl will never match in 'tcp-request connection' because it uses keyword 'path' which is incompatible with 'frontend tcp-request connection rule'"
        ]
    );
    let (_, w) = run("frontend", "tcp-request content reject if { res.hdr(x) y }");
    assert_eq!(
        w,
        [
            "anonymous acl will never match in 'tcp-request content' because it uses keyword 'res.hdr' which is incompatible with 'frontend tcp-request content rule'"
        ]
    );
}

#[test]
fn dynamic_backend_names() {
    assert!(check_dynamic_backend("%[req.hdr(host),lower]", "F", 8).is_ok());
    assert!(check_dynamic_backend("be_static", "F", 8).is_ok());
    // HAProxy 2.6.12's texts, after `config : `
    let e = check_dynamic_backend("%[foo]", "F", 8).unwrap_err();
    assert_eq!(
        render(&e, "F", 8).lines,
        [
            "config : Parsing [F:8]: failed to parse use_backend rule '%[foo]' : failed to parse sample expression <foo]> : unknown fetch method 'foo'."
        ]
    );
    let e = check_dynamic_backend("be_%[req.hdr(host)", "F", 8).unwrap_err();
    assert_eq!(
        render(&e, "F", 8).lines,
        [
            "config : Parsing [F:8]: failed to parse use_backend rule 'be_%[req.hdr(host)' : missing ']' after 'req.hdr(host)'."
        ]
    );
}

#[test]
fn tcp_content_post_parse_warnings() {
    // HAProxy 2.6.12's texts (after `config : `) on a tcp and an HTTP frontend
    // without inspect-delay.
    let rule = |l: &str| run("frontend", l).0.unwrap();
    let t = rule("tcp-request content track-sc0 req.hdr(host) table be");
    assert_eq!(
        tcp_content_warning(&t, "frontend", "fe", false, false).as_deref(),
        Some(
            "frontend 'fe' : a 'tcp-request content track-sc*' rule explicitly depending on request contents without any 'tcp-request inspect-delay' setting. This means that this rule will randomly find its contents. This can be fixed by setting the tcp-request inspect-delay."
        )
    );
    assert_eq!(tcp_content_warning(&t, "frontend", "fe", false, true), None);
    let c = rule("tcp-request content capture req.payload(0,4) len 4");
    assert_eq!(
        tcp_content_warning(&c, "frontend", "fe", true, false).as_deref(),
        Some(
            "frontend 'fe' : a 'tcp-request capture' rule explicitly depending on request contents without any 'tcp-request inspect-delay' setting. This means that this rule will randomly find its contents. This can be fixed by setting the tcp-request inspect-delay."
        )
    );
    let s = rule("tcp-request content track-sc1 src table be");
    assert_eq!(
        tcp_content_warning(&s, "frontend", "fe", false, false),
        None
    );
    assert!(
        tcp_content_warning(&s, "frontend", "fe", true, false)
            .unwrap()
            .contains("should be executed at the session level")
    );
    let r = rule("tcp-request content reject if { req.len gt 0 }");
    assert_eq!(
        l6_warning(&r, "l6h.cfg", 11, "fe", &[]).as_deref(),
        Some("Proxy 'fe': L6 sample fetches ignored on HTTP proxies (declared at l6h.cfg:11).")
    );
    let r = rule("tcp-request content accept if { src 1.2.3.4 }");
    assert_eq!(l6_warning(&r, "F", 1, "fe", &[]), None);
}

#[test]
fn experimental_actions() {
    set_experimental_allowed(false);
    let (got, abort) = err("backend", "http-request normalize-uri path-merge-slashes");
    set_experimental_allowed(true);
    // HAProxy 2.6.12 without `expose-experimental-directives`
    assert_eq!(
        got,
        "parsing [F:10] : 'normalize-uri' action is experimental, must be allowed via a global 'expose-experimental-directives'"
    );
    assert!(abort);
}

/// Rule errors added by H11 after measuring HAProxy 2.6.12 line by line; each
/// expected text is the oracle's, after `config : `.
#[test]
fn measured_rule_errors_h11() {
    let pfx = |rule: &str, m: &str| {
        format!(
            "parsing [F:10] : error detected in frontend 'fe' while parsing '{rule}' rule : {m}."
        )
    };
    let cases = [
        (
            "http-request sc-inc-gpc(0)",
            pfx(
                "http-request sc-inc-gpc(0)",
                "Missing gpc ID 'sc-inc-gpc(0)'. Expects sc-inc-gpc(<GPC ID>,<Track ID>)",
            ),
        ),
        (
            "http-request sc-inc-gpc(0,4)",
            pfx(
                "http-request sc-inc-gpc(0,4)",
                "invalid stick table track ID 'sc-inc-gpc(0,4)'. The max allowed ID is 2",
            ),
        ),
        (
            "http-request sc-set-gpt0(3) 1",
            pfx(
                "http-request sc-set-gpt0(3)",
                "invalid stick table track ID 'sc-set-gpt0(3)'. The max allowed ID is 2",
            ),
        ),
        (
            "http-request sc-inc-gpc0(x)",
            pfx(
                "http-request sc-inc-gpc0(x)",
                "invalid stick table track ID. Expects sc-inc-gpc0(x)(<Track ID>)",
            ),
        ),
        (
            "http-request sc-set-gpt0(0) if TRUE",
            pfx("http-request sc-set-gpt0(0)", "unknown fetch method 'if'"),
        ),
        (
            "tcp-request connection sc-inc-gpc(x,1)",
            "parsing [F:10] : Missing gpc ID 'sc-inc-gpc(x,1)'. Expects sc-inc-gpc(<GPC ID>,<Track ID>)".into(),
        ),
        (
            "http-request return status 200 string ok",
            pfx(
                "http-request return",
                "a content type must be defined when non-empty payload is configured",
            ),
        ),
        (
            "http-request return status 204 content-type text/plain string ok",
            pfx("http-request return", "No body expected for 204 responses"),
        ),
        (
            "http-request return string ok file x",
            pfx(
                "http-request return",
                "unexpected 'file' argument, 'string' already defined",
            ),
        ),
        (
            "http-request return status abc",
            pfx("http-request return", "Unexpected status code '0'"),
        ),
        (
            "http-request deny deny_status 402",
            pfx(
                "http-request deny",
                "status code '402' not handled by default with 'default-errorfiles' argument.",
            ),
        ),
        (
            "http-request set-timeout server 5s",
            pfx("http-request set-timeout", "proxy 'fe' has no backend capability"),
        ),
        (
            "http-response set-status 99",
            pfx(
                "http-response set-status",
                "expects an integer status code between 100 and 999",
            ),
        ),
        (
            "http-request capture req.hdr(x) foo 1",
            pfx("http-request capture", "expects 'len' or 'id', found 'foo'"),
        ),
        (
            "http-request wait-for-body time 1s at-least 1x",
            pfx("http-request wait-for-body", "unexpected character 'x'"),
        ),
        (
            "http-request set-var(txn.x,foo) int(1)",
            pfx("http-request set-var(txn.x,foo)", "unknown condition \"foo\""),
        ),
        (
            "http-request replace-uri ( b",
            pfx(
                "http-request replace-uri",
                "failed to parse the regex : regex '(' is invalid (error=missing closing parenthesis, erroffset=1)",
            ),
        ),
        (
            "http-request set-header X %{+Q}",
            pfx(
                "http-request set-header",
                "parse argument modifier without variable name near '%{+Q}'",
            ),
        ),
        (
            "http-request set-header X a%",
            pfx("http-request set-header", "truncated line after '%'"),
        ),
        (
            "http-request do-resolve(txn.ip,res,foo) src",
            pfx(
                "http-request do-resolve(txn.ip,res,foo)",
                "Can't parse 'do-resolve(txn.ip,res,foo)'. Expects 'do-resolve(<varname>,<resolvers>[,<options>]) <expr>'. Available options are 'ipv4' and 'ipv6'",
            ),
        ),
        (
            "tcp-response inspect-delay 5s",
            "parsing [F:10] : tcp-response inspect-delay is only allowed in 'backend' sections or 'defaults' section with a name".into(),
        ),
        (
            "tcp-request",
            "parsing [F:10] : missing argument for 'tcp-request' in frontend 'fe'".into(),
        ),
    ];
    for (line, want) in cases {
        assert_eq!(err("frontend", line).0, want, "for `{line}`");
    }
    // in a backend
    let (got, _) = err("backend", "http-check expect hdr name -m foo x");
    assert_eq!(
        got,
        "parsing [F:10] : 'http-check expect' : 'hdr' : '-m' only supports 'str', 'beg', 'end', 'sub' or 'reg' (got 'foo')."
    );
    let (got, _) = err("backend", "http-check expect status 200 error-status L7OK");
    assert_eq!(
        got,
        "parsing [F:10] : 'http-check expect' : 'error-status' only supports 'L4CON', 'L6RSP', 'L7RSP' or 'L7STS' status (got 'L7OK').."
    );
    let (got, _) = err("backend", "http-request set-timeout client 5s");
    assert_eq!(
        got,
        "parsing [F:10] : error detected in backend 'be' while parsing 'http-request set-timeout' rule : 'set-timeout' rule supports 'server'/'tunnel' (got 'client')."
    );
    // warnings
    let (r, w) = run("frontend", "http-request return content-type text/plain");
    assert!(r.is_ok());
    assert_eq!(
        w,
        [
            "content-type 'text/plain' ignored by the http reply because neither errorfile nor payload defined."
        ]
    );
    let (r, w) = run("frontend", "stick on src");
    assert!(r.is_ok());
    assert_eq!(
        w,
        ["'stick' ignored because frontend 'fe' has no backend capability."]
    );
    let rule = run("backend", "tcp-response inspect-delay 5s").0.unwrap();
    assert_eq!(
        inspect_delay_ignored(&rule, "listen", "li").as_deref(),
        Some("ignoring tcp-response inspect-delay (was already defined) in proxy 'li'")
    );
}

#[test]
fn measured_tcp_rule_errors_h11() {
    // HAProxy 2.6.12's texts, after `config : `
    let cases = [
        (
            "tcp-request connection expect-proxy foo",
            "parsing [F:10] : 'tcp-request connection expect-proxy' only supports 'layer4' in frontend 'fe' (got 'foo')",
        ),
        (
            "tcp-request content switch-mode http proto foo",
            "parsing [F:10] : 'tcp-request switch-mode': 'proto' expects a valid MUX protocol, if specified (got 'foo')",
        ),
        (
            "tcp-request connection set-mark",
            "parsing [F:10] : expects exactly 1 argument (integer/hex value)",
        ),
        (
            "tcp-request connection set-tos 0x1g",
            "parsing [F:10] : invalid character starting at 'g' (integer/hex value expected)",
        ),
        (
            "tcp-request content use-service prometheus-exporter",
            "parsing [F:10] : Prometheus exporter service only available on 'http-request' rulesets",
        ),
    ];
    for (line, want) in cases {
        assert_eq!(err("frontend", line).0, want, "for `{line}`");
    }
    // A typo gets a suggestion; the tcp-request text ends in an empty line.
    let (got, _) = err("frontend", "tcp-request session rejct");
    assert!(
        got.ends_with("in frontend 'fe' (got 'rejct'). Did you mean 'reject' maybe ?\n"),
        "{got}"
    );
}
