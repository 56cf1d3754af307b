//! Unit tests: small configs whose expected diagnostics are HAProxy 2.6.12's
//! output (`haproxy -c -f t.cfg`, PID masked as `(P)`, NOTICE lines and the
//! closing lines left out).

use super::{Verdict, run_test};

fn check(cfg: &str, expected: &[&str], verdict: Verdict) {
    let (lines, v) = run_test(cfg);
    assert_eq!(lines, expected, "config:\n{cfg}");
    assert_eq!(v, verdict, "config:\n{cfg}");
}

#[test]
fn unknown_global_keyword_with_suggestion() {
    check(
        "global\n maxcon 1\n deamon\n foo\n",
        &[
            "[ALERT]    (P) : config : parsing [t.cfg:2] : unknown keyword 'maxcon' in 'global' section; did you mean 'maxconn' maybe ?",
            "[ALERT]    (P) : config : parsing [t.cfg:3] : unknown keyword 'deamon' in 'global' section; did you mean 'daemon' maybe ?",
            "[ALERT]    (P) : config : parsing [t.cfg:4] : unknown keyword 'foo' in 'global' section",
        ],
        Verdict::ParseErrors(vec!["t.cfg".into()]),
    );
}

/// Development aid: `H2_CFG=file.cfg cargo test --lib parser::tests::dump -- --ignored --nocapture`
/// prints the diagnostics as HAProxy would (PID masked) and the verdict.
#[test]
#[ignore]
fn dump() {
    let Ok(path) = std::env::var("H2_CFG") else {
        return;
    };
    if let Ok(dir) = std::env::var("H2_DIR") {
        let _ = std::env::set_current_dir(dir);
    }
    let out = super::load(&[path.into()], &super::LoadOptions::default());
    for d in &out.diags {
        let tag = match d.level {
            crate::config::diag::Level::Alert => "[ALERT]   ",
            crate::config::diag::Level::Warning => "[WARNING] ",
            crate::config::diag::Level::Notice => "[NOTICE]  ",
            crate::config::diag::Level::Diag => "[DIAG]    ",
        };
        println!("{tag} (P) : {}", d.text);
    }
    println!("VERDICT {:?}", out.verdict);
}

fn errs() -> Verdict {
    Verdict::ParseErrors(vec!["t.cfg".into()])
}

const TIMEOUTS: &str = "defaults\n timeout client 1s\n timeout server 1s\n timeout connect 1s\n";

// HAProxy 2.6.12 (`haproxy -c`): refused with or without an argument.
#[test]
fn tune_chksize_is_refused() {
    check(
        "global\n tune.chksize 1024\n tune.chksize\n",
        &[
            "[ALERT]    (P) : config : parsing [t.cfg:2]: option 'tune.chksize' is not supported any more (tune.bufsize is used instead).",
            "[ALERT]    (P) : config : parsing [t.cfg:3]: option 'tune.chksize' is not supported any more (tune.bufsize is used instead).",
        ],
        errs(),
    );
}

#[test]
fn global_argument_checks() {
    check(
        "global\n maxconn\n user\n nbthread x\n nbthread 0\n daemon x\n nbproc 2\n hard-stop-after 1x\n spread-checks\n spread-checks 60\n ca-base\n setenv A\n stats foo\n stats socket\n tune.bufsize x\n tune.ssl.default-dh-param 100\n master-worker x\n ssl-default-bind-options foo\n ssl-default-server-options\n",
        &[
            "[ALERT]    (P) : config : parsing [t.cfg:2] : 'maxconn' expects an integer argument.",
            "[ALERT]    (P) : config : parsing [t.cfg:3] : cannot find user id for '' (0:Success)",
            "[ALERT]    (P) : config : parsing [t.cfg:4] : 'nbthread' passed a missing or unparsable integer value in 'x'",
            "[ALERT]    (P) : config : parsing [t.cfg:5] : 'nbthread' value must be between 1 and 64 (was 0)",
            "[ALERT]    (P) : config : parsing [t.cfg:6] : 'daemon' cannot handle unexpected argument 'x'.",
            "[ALERT]    (P) : config : parsing [t.cfg:7] : nbproc is not supported any more since HAProxy 2.5. Threads will automatically be used on multi-processor machines if available.",
            "[ALERT]    (P) : config : parsing [t.cfg:8] : unexpected character 'x' in argument to <hard-stop-after>.",
            "",
            "[ALERT]    (P) : config : parsing [t.cfg:9]: 'spread-checks' expects an integer argument (0..50).",
            "[ALERT]    (P) : config : parsing [t.cfg:10]: 'spread-checks' needs a positive value in range 0..50.",
            "[ALERT]    (P) : config : parsing [t.cfg:11] : global statement 'ca-base' expects a directory path as an argument.",
            "[ALERT]    (P) : config : parsing [t.cfg:12]: 'setenv' expects a name and a value.",
            "[ALERT]    (P) : config : parsing [t.cfg:13] : 'stats' only supports 'socket', 'maxconn', 'bind-process' and 'timeout' (got 'foo')",
            "[ALERT]    (P) : config : parsing [t.cfg:14] : 'stats socket' in global section expects an address or a path to a UNIX socket",
            "[ALERT]    (P) : config : parsing [t.cfg:15] : 'tune.bufsize' expects a positive integer argument.",
            "[ALERT]    (P) : config : parsing [t.cfg:16] : 'tune.ssl.default-dh-param' expects a value >= 1024.",
            "[ALERT]    (P) : config : parsing [t.cfg:17] : 'master-worker' only supports 'no-exit-on-failure' option.",
            "[ALERT]    (P) : config : parsing [t.cfg:18] : unknown option 'foo' on global statement 'ssl-default-bind-options'.",
            "[ALERT]    (P) : config : parsing [t.cfg:19] : global statement 'ssl-default-server-options' expects an option as an argument.",
        ],
        errs(),
    );
}

#[test]
fn global_repeats_are_nonfatal_alerts() {
    check(
        "global\n maxconn 1\n maxconn 2\n uid 5\n user root\nfrontend f\n bind :80\n timeout client 1s\n",
        &[
            "[ALERT]    (P) : config : parsing [t.cfg:3] : 'maxconn' already specified. Continuing.",
            "[ALERT]    (P) : config : parsing [t.cfg:5] : user/uid already specified. Continuing.",
        ],
        Verdict::Valid,
    );
}

#[test]
fn uid_not_a_number_warns() {
    check(
        "global\n uid abc\n",
        &[
            "[WARNING]  (P) : config : parsing [t.cfg:2] :  uid: string 'abc' is not a number.",
            "   | You might want to use the 'user' parameter to use a system user name.",
        ],
        Verdict::NoListener,
    );
}

#[test]
fn global_log_lines() {
    check(
        "global\n log\n log 127.0.0.1 local9\n log 127.0.0.1 local0 foo\n log 127.0.0.1 local0 info foo\n log global\n log 127.0.0.1 len x local0\n log 127.0.0.1 format foo local0\n log 1.2.3.4:99999 local0\n log 1.2.3.4:1-5 local0\n log 999.1.1.1 local0\n log 127.0.0.1 local0 info err extra\n",
        &[
            "[ALERT]    (P) : config : parsing [t.cfg:2] : log : expects <address> and <facility>  as arguments",
            "[ALERT]    (P) : config : parsing [t.cfg:3] : log : unknown log facility 'local9'",
            "[ALERT]    (P) : config : parsing [t.cfg:4] : log : unknown optional log level 'foo'",
            "[ALERT]    (P) : config : parsing [t.cfg:5] : log : unknown optional minimum log level 'foo'",
            "[ALERT]    (P) : config : parsing [t.cfg:6] : log : 'global' is not supported for a global syslog server",
            "[ALERT]    (P) : config : parsing [t.cfg:7] : log : invalid log length 'x', must be between 80 and 65535",
            "[ALERT]    (P) : config : parsing [t.cfg:8] : log : unknown log format 'foo'",
            "[ALERT]    (P) : config : parsing [t.cfg:9] : log : invalid port '99999'",
            "[ALERT]    (P) : config : parsing [t.cfg:10] : log : port range not permitted here in '1.2.3.4:1-5'",
            "[ALERT]    (P) : config : parsing [t.cfg:11] : log : invalid address: '999.1.1.1' in '999.1.1.1'",
            "",
            "[ALERT]    (P) : config : parsing [t.cfg:12] : log : cannot handle unexpected argument 'extra'",
        ],
        errs(),
    );
}

#[test]
fn proxy_headers() {
    check(
        "frontend\n",
        &["[ALERT]    (P) : config : parsing [t.cfg:1] : 'frontend' expects an <id> argument"],
        Verdict::Aborted(vec!["t.cfg".into()]),
    );
    check(
        "backend b x y\n bind :80\n",
        &["[ALERT]    (P) : config : parsing [t.cfg:2] : 'listen' or 'defaults' expected."],
        errs(),
    );
    check(
        "frontend f x\n",
        &[
            "[ALERT]    (P) : config : parsing [t.cfg:1] : please use the 'bind' keyword for listening addresses.",
        ],
        Verdict::NoListener,
    );
    check(
        "defaults d1\nfrontend h from nod\n",
        &[
            "[ALERT]    (P) : config : parsing [t.cfg:2] : defaults section 'nod' not found for frontend 'h'.",
        ],
        Verdict::Aborted(vec!["t.cfg".into()]),
    );
}

#[test]
fn duplicate_proxy_names() {
    let cfg = format!("{TIMEOUTS}frontend f\n bind :8080\nbackend b\nbackend b\nfrontend f\n");
    check(
        &cfg,
        &[
            "[ALERT]    (P) : config : Parsing [t.cfg:8]: backend 'b' has the same name as backend 'b' declared at t.cfg:7.",
            "[ALERT]    (P) : config : Parsing [t.cfg:9]: frontend 'f' has the same name as frontend 'f' declared at t.cfg:5.",
        ],
        errs(),
    );
}

#[test]
fn proxy_keyword_checks() {
    check(
        "defaults\n log foo\n mode\n mode health\n retries\n balance foo\n balance url_param\n hash-type foo\n option\n option foo\n no option httplog\n option httplog foo\n option httplog clf\n option tcplog x\n option forwardfor except\n option httpchk GET / HTTP/1.1 x\n timeout client\n timeout clien 1s\n",
        &[
            "[ALERT]    (P) : config : parsing [t.cfg:2] : log : expects <address> and <facility> or global as arguments",
            "[ALERT]    (P) : config : parsing [t.cfg:3] : unknown proxy mode ''.",
            "[ALERT]    (P) : config : parsing [t.cfg:4] : 'mode health' doesn't exist anymore. Please use 'http-request return status 200' instead.",
            "[ALERT]    (P) : config : parsing [t.cfg:5] : 'retries' expects an integer argument (dispatch counts for one).",
            "[ALERT]    (P) : config : parsing [t.cfg:6] : balance only supports 'roundrobin', 'static-rr', 'leastconn', 'source', 'uri', 'url_param', 'hdr(name)' and 'rdp-cookie(name)' options.",
            "[ALERT]    (P) : config : parsing [t.cfg:7] : balance url_param requires an URL parameter name.",
            "[ALERT]    (P) : config : parsing [t.cfg:8] : 'hash-type' only supports 'consistent' and 'map-based'.",
            "[ALERT]    (P) : config : parsing [t.cfg:9]: 'option' expects an option name.",
            "[ALERT]    (P) : config : parsing [t.cfg:10] : unknown option 'foo'.",
            "[ALERT]    (P) : config : parsing [t.cfg:11]: negation/default is not supported for option 'httplog'.",
            "[ALERT]    (P) : config : parsing [t.cfg:12] : keyword 'httplog' only supports option 'clf'.",
            "[WARNING]  (P) : config : parsing [t.cfg:14]: 'option tcplog' overrides previous 'option httplog clf' in 'defaults' section.",
            "[ALERT]    (P) : config : parsing [t.cfg:14] : 'option tcplog' cannot handle unexpected argument 'x'.",
            "[ALERT]    (P) : config : parsing [t.cfg:15] : 'option forwardfor except' expects <address>[/mask] as argument.",
            "[ALERT]    (P) : config : parsing [t.cfg:16] : 'option httpchk' cannot handle unexpected argument 'x'.",
            "[ALERT]    (P) : config : parsing [t.cfg:17] : 'timeout client' expects an integer value (in milliseconds)",
            "[ALERT]    (P) : config : parsing [t.cfg:18] : 'timeout' supports 'client', 'server', 'connect', 'check', 'queue', 'http-keep-alive', 'http-request', 'tunnel', 'tarpit', 'client-fin' and 'server-fin' (got 'clien')",
        ],
        errs(),
    );
}

#[test]
fn did_you_mean_in_proxies() {
    // HAProxy 2.6.12, including golden/haproxy/10-track-sc0.cfg's message.
    check(
        "frontend f\n bnd :80\n optio httplog\n option httplg\n option tcp-request\n option independant-streams\n",
        &[
            "[ALERT]    (P) : config : parsing [t.cfg:2] : unknown keyword 'bnd' in 'frontend' section; did you mean 'bind' maybe ?",
            "[ALERT]    (P) : config : parsing [t.cfg:3] : unknown keyword 'optio' in 'frontend' section; did you mean 'option' maybe ?",
            "[ALERT]    (P) : config : parsing [t.cfg:4] : unknown option 'httplg'; did you mean 'httplog' maybe ?",
            "[ALERT]    (P) : config : parsing [t.cfg:5] : unknown option 'tcp-request'; did you mean 'splice-request' maybe ?",
            "[ALERT]    (P) : config : parsing [t.cfg:6] : unknown option 'independant-streams'; did you mean 'independent-streams' maybe ?",
        ],
        errs(),
    );
}

#[test]
fn capability_messages() {
    check(
        "defaults\n bind :80\n server s 1.1.1.1:80\n acl a src 1.1.1.1\n use_backend b\n stick-table type ip size 1k\n capture request header Host len 10\n http-request deny\n redirect location /\nbackend b\n bind :80\n default_backend c\n use_backend c\n monitor-uri /x\n log-format x\nfrontend f\n server s 1.1.1.1:80\n balance roundrobin\n timeout server 1s\n retries 3\n fullconn 10\n hash-type consistent\n",
        &[
            "[ALERT]    (P) : config : parsing [t.cfg:2] : 'bind' not allowed in 'defaults' section.",
            "[ALERT]    (P) : config : [t.cfg:3] : 'server' not allowed in 'defaults' section.",
            "[ALERT]    (P) : config : parsing [t.cfg:4] : 'acl' not allowed in anonymous 'defaults' section.",
            "[ALERT]    (P) : config : parsing [t.cfg:5] : 'use_backend' not allowed in 'defaults' section.",
            "[ALERT]    (P) : config : parsing [t.cfg:6] : 'stick-table' is not supported in 'defaults' section.",
            "[ALERT]    (P) : config : parsing [t.cfg:7] : 'capture request' not allowed in 'defaults' section.",
            "[ALERT]    (P) : config : parsing [t.cfg:8] : 'http-request' not allowed in anonymous 'defaults' section.",
            "[ALERT]    (P) : config : parsing [t.cfg:9] : 'redirect' not allowed in 'defaults' section.",
            "[WARNING]  (P) : config : parsing [t.cfg:11] : 'bind' ignored because backend 'b' has no frontend capability.",
            "[WARNING]  (P) : config : parsing [t.cfg:12] : 'default_backend' ignored because backend 'b' has no frontend capability.",
            "[WARNING]  (P) : config : parsing [t.cfg:13] : 'use_backend' ignored because backend 'b' has no frontend capability.",
            "[WARNING]  (P) : config : parsing [t.cfg:14] : 'monitor-uri' ignored because backend 'b' has no frontend capability.",
            "[WARNING]  (P) : config : parsing [t.cfg:15] : backend 'b' : 'log-format' directive is ignored in backends.",
            "[ALERT]    (P) : config : [t.cfg:17] : parsing [t.cfg:17] : 'server' not allowed because frontend 'f' has no backend capability.",
            "[WARNING]  (P) : config : parsing [t.cfg:18] : 'balance' ignored because frontend 'f' has no backend capability.",
            "[WARNING]  (P) : config : parsing [t.cfg:19] : 'timeout server' will be ignored because frontend 'f' has no backend capability",
            "[WARNING]  (P) : config : parsing [t.cfg:20] : 'retries' ignored because frontend 'f' has no backend capability.",
            "[WARNING]  (P) : config : parsing [t.cfg:21] : 'fullconn' ignored because frontend 'f' has no backend capability. Maybe you want 'maxconn' instead ?",
            "[WARNING]  (P) : config : parsing [t.cfg:22] : 'hash-type' ignored because frontend 'f' has no backend capability.",
        ],
        errs(),
    );
}

#[test]
fn overwritten_timeouts_warn_in_proxies_only() {
    check(
        "defaults\n timeout client 1s\n timeout client 2s\nfrontend f\n bind :80\n timeout client 3s\n timeout client 4s\n timeout client 1s\n",
        &[
            "[WARNING]  (P) : config : parsing [t.cfg:7] : overwriting 'timeout client' which was already specified",
            "[WARNING]  (P) : config : parsing [t.cfg:8] : overwriting 'timeout client' which was already specified",
        ],
        Verdict::Valid,
    );
}

#[test]
fn removed_keywords() {
    check(
        "listen l\n reqadd X\n rspadd X\n block if TRUE\n redispatch\n clitimeout 1\n contimeout 1\n srvtimeout 1\n option http-tunnel\n grace 1\n appsession x\n",
        &[
            "[ALERT]    (P) : config : parsing [t.cfg:2] : The 'reqadd' directive is not supported anymore since HAProxy 2.1. Use 'http-request add-header' instead.",
            "[ALERT]    (P) : config : parsing [t.cfg:3] : The 'rspadd' directive is not supported anymore since HAProxy 2.1. Use 'http-response add-header' instead.",
            "[ALERT]    (P) : config : parsing [t.cfg:4] : The 'block' directive is not supported anymore since HAProxy 2.1. Use 'http-request deny' which uses the exact same syntax.",
            "[ALERT]    (P) : config : parsing [t.cfg:5] : keyword 'redispatch' directive is not supported anymore since HAProxy 2.1. Use 'option redispatch'.",
            "[ALERT]    (P) : config : parsing [t.cfg:6] : the 'clitimeout' directive is not supported anymore since HAProxy 2.1. Use 'timeout client'.",
            "[ALERT]    (P) : config : parsing [t.cfg:7] : the 'contimeout' directive is not supported anymore since HAProxy 2.1. Use 'timeout connect'.",
            "[ALERT]    (P) : config : parsing [t.cfg:8] : the 'srvtimeout' directive is not supported anymore since HAProxy 2.1. Use 'timeout server'.",
            "[ALERT]    (P) : config : parsing [t.cfg:9]: option 'http-tunnel' is not supported any more since HAProxy 2.1, please just remove it, it shouldn't be needed.",
            "[ALERT]    (P) : config : parsing [t.cfg:10]: the 'grace' keyword is not supported any more since HAProxy version 2.5.",
            "[ALERT]    (P) : config : parsing [t.cfg:11] : 'appsession' is not supported anymore since HAProxy 1.6.",
        ],
        errs(),
    );
}

#[test]
fn legacy_mode_accepts_removed_keywords_with_warnings() {
    let (lines, v) = super::run_test_opts(
        "global\n nbproc 4\nlisten l\n bind :80\n reqadd X-Foo:\\ bar\n clitimeout 1\n timeout client 1s\n option independant-streams\n block if TRUE\n",
        &super::LoadOptions { legacy: true },
    );
    assert_eq!(v, Verdict::Valid);
    assert_eq!(lines.len(), 5, "{lines:?}");
    assert!(
        lines.iter().all(|l| l.starts_with("[WARNING]")),
        "{lines:?}"
    );
    assert!(lines[1].contains("'http-request add-header'"), "{lines:?}");
    assert!(lines[2].contains("'timeout client'"), "{lines:?}");
    assert!(
        lines[3].contains("'option independent-streams'"),
        "{lines:?}"
    );
    assert!(lines[4].contains("'http-request deny'"), "{lines:?}");
}

#[test]
fn post_parse_references_and_order() {
    let cfg = format!(
        "{TIMEOUTS} mode http\nfrontend f\n bind :8080\n use_backend nob if TRUE\n default_backend nob2\n use_backend b\nbackend b\n mode tcp\n server s 1.1.1.1:80\n server s 1.1.1.2:80\nbackend c\nbackend d\n server s 1.1.1.1:80 track b/s\n server u 1.1.1.1:80 track e/s\n"
    );
    check(
        &cfg,
        &[
            "[ALERT]    (P) : config : Proxy 'f': unable to find required default_backend: 'nob2'.",
            "[ALERT]    (P) : config : Proxy 'f': unable to find required use_backend: 'nob'.",
            "[ALERT]    (P) : config : http frontend 'f' (t.cfg:6) tries to use incompatible tcp backend 'b' (t.cfg:11) in a 'use_backend' rule (see 'mode').",
            "[ALERT]    (P) : config : parsing [t.cfg:14] : backend 'b', another server named 's' was already defined at line 13, please use distinct names.",
            "[ALERT]    (P) : config : [t.cfg:17] : 'server d/s' : unable to use b/s for tracking as it does not have any check nor agent enabled.",
            "[ALERT]    (P) : config : [t.cfg:18] : 'server d/u' : unable to find required proxy 'e' for tracking.",
        ],
        Verdict::PostParseErrors,
    );
}

#[test]
fn missing_timeouts_and_no_bind() {
    check(
        "frontend f\n bind :8080\nfrontend g\n timeout client 1s\nbackend b\n server s 1.1.1.1:80\nbackend empty\n",
        &[
            "[WARNING]  (P) : config : missing timeouts for frontend 'f'.",
            "   | While not properly invalid, you will certainly encounter various problems",
            "   | with such a configuration. To fix this, please ensure that all following",
            "   | timeouts are set to a non-zero value: 'client', 'connect', 'server'.",
            "[WARNING]  (P) : config : frontend 'g' has no 'bind' directive. Please declare it as a backend if this was intended.",
            "[WARNING]  (P) : config : missing timeouts for backend 'b'.",
            "   | While not properly invalid, you will certainly encounter various problems",
            "   | with such a configuration. To fix this, please ensure that all following",
            "   | timeouts are set to a non-zero value: 'client', 'connect', 'server'.",
        ],
        Verdict::Valid,
    );
}

#[test]
fn no_listener() {
    check("", &[], Verdict::NoListener);
    check("# only a comment\n", &[], Verdict::NoListener);
    check(
        "frontend f\n bind :80\n disabled\n",
        &[],
        Verdict::NoListener,
    );
}

#[test]
fn tcp_content_track_warnings() {
    // golden/haproxy/10-track-sc0-local.cfg's warning, and the others of its family.
    let cfg = format!(
        "{TIMEOUTS} mode http\nfrontend f\n bind :80\n tcp-request content track-sc0 src table abuse if {{ src 1.1.1.1 }}\n tcp-request content track-sc1 src\n tcp-request content track-sc0 req.hdr(host) table abuse\n default_backend abuse\nbackend abuse\n stick-table type ip size 1k\n"
    );
    check(
        &cfg,
        &[
            "[WARNING]  (P) : config : frontend 'f' : a 'tcp-request content track-sc*' rule not depending on request contents for an HTTP frontend should be executed at the session level, using a 'tcp-request session' rule (mandatory to track invalid HTTP requests).",
            "[ALERT]    (P) : config : Proxy 'f': unable to find table 'f' referenced by track-sc1.",
            "[WARNING]  (P) : config : frontend 'f' : a 'tcp-request content track-sc*' rule explicitly depending on request contents without any 'tcp-request inspect-delay' setting. This means that this rule will randomly find its contents. This can be fixed by setting the tcp-request inspect-delay.",
        ],
        Verdict::PostParseErrors,
    );
}

#[test]
fn userlists() {
    check(
        "userlist\nuserlist u\n group\n group g users a,b\n group g\n user\n user a\n user a password\n user c foo\nuserlist u\n",
        &[
            "[ALERT]    (P) : config : parsing [t.cfg:1]: 'userlist' expects <name> as arguments.",
            "[ALERT]    (P) : config : parsing [t.cfg:3]: 'group' expects <name> as arguments.",
            "[WARNING]  (P) : config : parsing [t.cfg:5]: ignoring duplicated group 'g' in userlist 'u'.",
            "[ALERT]    (P) : config : parsing [t.cfg:6]: 'user' expects <name> as arguments.",
            "[WARNING]  (P) : config : parsing [t.cfg:8]: ignoring duplicated user 'a' in userlist 'u'.",
            "[ALERT]    (P) : config : parsing [t.cfg:9]: 'user' only supports 'password', 'insecure-password' and 'groups' options.",
            "[WARNING]  (P) : config : parsing [t.cfg:10]: ignoring duplicated userlist 'u'.",
        ],
        errs(),
    );
}

#[test]
fn other_sections() {
    check(
        "peers p\n peer x 1.1.1.1:1000\n foo\nresolvers r\n foo\ncache c\n foo\nring r\n foo\nprogram pg\n foo\n",
        &[
            "[ALERT]    (P) : config : parsing [t.cfg:3] : unknown keyword 'foo' in 'peers' section",
            "[ALERT]    (P) : config : parsing [t.cfg:5] : unknown keyword 'foo' in 'resolvers' section",
            "[ALERT]    (P) : config : parsing [t.cfg:7] : unknown keyword 'foo' in 'cache' section",
            "[ALERT]    (P) : config : Size not specified for cache 'c'",
            "[ALERT]    (P) : config : parsing [t.cfg:9] : unknown statement 'foo'.",
            "[ALERT]    (P) : config : parsing [t.cfg:11] : unknown keyword 'foo' in 'program' section",
        ],
        errs(),
    );
    check(
        "resolvers\n",
        &["[ALERT]    (P) : config : parsing [t.cfg:1] : missing name for resolvers section."],
        Verdict::Aborted(vec!["t.cfg".into()]),
    );
}

#[test]
fn out_of_section() {
    check(
        "foo\n",
        &["[ALERT]    (P) : config : parsing [t.cfg:1]: unknown keyword 'foo' out of section."],
        errs(),
    );
}

#[test]
fn named_defaults_inheritance() {
    let out = super::load_items(
        vec![(
            "t.cfg".into(),
            super::test_items(
                "t.cfg",
                "defaults base\n mode http\n timeout client 5s\ndefaults other\n mode tcp\nfrontend f from base\n bind :80\nbackend b\n",
            ),
        )],
        &super::LoadOptions::default(),
    );
    let cfg = out.config.expect("config");
    let f = &cfg.proxies[0];
    assert_eq!(f.defaults.as_deref(), Some("base"));
    assert_eq!(f.settings.mode, Some(crate::ir::haproxy::Mode::Http));
    assert_eq!(f.settings.timeouts.client, Some(5000));
    let b = &cfg.proxies[1];
    assert_eq!(b.defaults.as_deref(), Some("other"));
    assert_eq!(b.settings.mode, Some(crate::ir::haproxy::Mode::Tcp));
    assert_eq!(b.settings.timeouts.client, None);
}

#[test]
fn defaults_explicit_and_implicit_use_is_a_nonfatal_alert() {
    check(
        "defaults d1\n mode http\n timeout connect 5s\n timeout client 30s\n timeout server 30s\ndefaults d2 from d1\n timeout client 10s\nfrontend f from d1\n bind :8080\n default_backend b\nbackend b from d2\n server s 127.0.0.1:80\n timeout server 5s\n timeout server 6s\nlisten l\n bind :8081\n mode tcp\n server s 127.0.0.1:81\n",
        &[
            "[WARNING]  (P) : config : parsing [t.cfg:14] : overwriting 'timeout server' which was already specified",
            "[ALERT]    (P) : config : parsing [t.cfg:15] : defaults section 'd2' (declared at t.cfg:6) is explicitly referenced by another proxy and implicitly used here. To avoid any ambiguity don't mix both usage. Add a last defaults section not explicitly used or always use explicit references.",
        ],
        Verdict::Valid,
    );
}

#[test]
fn http_only_settings_in_tcp_backends() {
    check(
        "defaults\n timeout client 1s\n timeout server 1s\n timeout connect 1s\nbackend a\n http-request deny\n server s 1.1.1.1:80 cookie x\nbackend b\n http-request deny\n balance uri\n server s 1.1.1.1:80 cookie y\nfrontend f\n bind :80\n default_backend nob\n",
        &[
            "[WARNING]  (P) : config : 'http-request' rules ignored for backend 'a' as they require HTTP mode.",
            "[WARNING]  (P) : config : backend 'a' : ignoring cookie for server 's' as HTTP mode is disabled.",
            "[WARNING]  (P) : config : Layer 7 hash not possible for backend 'b' (needs 'mode http'). Falling back to round robin.",
            "[WARNING]  (P) : config : 'http-request' rules ignored for backend 'b' as they require HTTP mode.",
            "[WARNING]  (P) : config : backend 'b' : ignoring cookie for server 's' as HTTP mode is disabled.",
            "[ALERT]    (P) : config : Proxy 'f': unable to find required default_backend: 'nob'.",
        ],
        Verdict::PostParseErrors,
    );
}

#[test]
fn stick_and_track_tables() {
    check(
        "defaults\n mode http\n timeout client 1s\n timeout server 1s\n timeout connect 1s\nlisten l\n bind :80\n stick on src\n stick match src table nob\n stick store-request src table l2\n http-request track-sc0 src\n http-request track-sc1 src table nob2\n tcp-request connection track-sc2 src table nob3\n default_backend nob4\nbackend l2\n",
        &[
            "[WARNING]  (P) : config : parsing [t.cfg:13] : a 'tcp-request' rule placed after an 'http-request' rule will still be processed before.",
            "[ALERT]    (P) : config : Proxy 'l': unable to find required default_backend: 'nob4'.",
            "[ALERT]    (P) : config : Proxy 'l': unable to find stick-table 'l'.",
            "[ALERT]    (P) : config : Proxy 'l': unable to find stick-table 'nob'.",
            "[ALERT]    (P) : config : Proxy 'l': unable to find stick-table 'l2'.",
            "[ALERT]    (P) : config : Proxy 'l': unable to find table 'nob3' referenced by track-sc2.",
            "[ALERT]    (P) : config : Proxy 'l': unable to find table 'l' referenced by track-sc0.",
            "[ALERT]    (P) : config : Proxy 'l': unable to find table 'nob2' referenced by track-sc1.",
        ],
        Verdict::PostParseErrors,
    );
}

#[test]
fn check_port_message_follows_the_tcp_check_list() {
    check(
        "defaults\n timeout client 1s\n timeout server 1s\n timeout connect 1s\nbackend b\n option tcp-check\n server s 1.1.1.1 check\nbackend c\n option httpchk\n server s 1.1.1.1 check\nlisten l\n bind :80\n server x 1.1.1.1 check\nlisten m\n bind :81\n server x 1.1.1.1 check\n server y 1.1.1.1: check\n server z 1.1.1.1 check port 80\n",
        &[
            "[ALERT]    (P) : config : config: backend 'b': server 's' has neither service port nor check port.",
            "[ALERT]    (P) : config : config: backend 'c': server 's' has neither service port nor check port nor tcp_check rule 'connect' with port information.",
            "[ALERT]    (P) : config : config: proxy 'l': server 'x' has neither service port nor check port.",
            "[ALERT]    (P) : config : config: proxy 'm': server 'x' has neither service port nor check port nor tcp_check rule 'connect' with port information.",
            "[ALERT]    (P) : config : config: proxy 'm': server 'y' has neither service port nor check port nor tcp_check rule 'connect' with port information.",
        ],
        Verdict::PostParseErrors,
    );
}

#[test]
fn check_rules_without_their_option_and_unknown_errorfiles() {
    check(
        "http-errors he\n errorfile 503 /dev/null\nlisten l\n mode tcp\n http-check expect status 200\n tcp-check connect\n errorfiles foo\n errorfiles he\n default_backend nob\n cookie x\n server s 1.1.1.1:80 cookie a\n",
        &[
            "[WARNING]  (P) : config : cookie will be ignored for proxy 'l' (needs 'mode http').",
            "[WARNING]  (P) : config : proxy 'l' has no 'bind' directive. Please declare it as a backend if this was intended.",
            "[WARNING]  (P) : config : proxy 'l' uses http-check rules without 'option httpchk', so the rules are ignored.",
            "[ALERT]    (P) : config : Proxy 'l': unable to find required default_backend: 'nob'.",
            "[WARNING]  (P) : config : missing timeouts for proxy 'l'.",
            "   | While not properly invalid, you will certainly encounter various problems",
            "   | with such a configuration. To fix this, please ensure that all following",
            "   | timeouts are set to a non-zero value: 'client', 'connect', 'server'.",
            "[WARNING]  (P) : config : proxy 'l' uses tcp-check rules without 'option tcp-check', so the rules are ignored.",
            "[WARNING]  (P) : config : proxy 'l' : ignoring cookie for server 's' as HTTP mode is disabled.",
            "[ALERT]    (P) : config : proxy 'l': unknown http-errors section 'foo' (at t.cfg:7).",
        ],
        Verdict::PostParseErrors,
    );
}

#[test]
fn setenv_applies_to_later_lines_of_the_file() {
    // HAProxy 2.6.12 accepts this file (`Configuration file is valid`).
    let dir = std::env::temp_dir().join(format!("tandem-h2-setenv-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join("s.cfg");
    let text = "global\n setenv H2_TEST_ADDR 127.0.0.1\n setenv H2_TEST_PORT 28765\ndefaults\n timeout client 1s\n timeout server 1s\n timeout connect 1s\nfrontend f\n bind \"${H2_TEST_ADDR}:${H2_TEST_PORT}\"\n";
    std::fs::write(&path, text).expect("write temp config");
    let out = super::load(std::slice::from_ref(&path), &super::LoadOptions::default());
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.verdict, Verdict::Valid, "{:?}", out.diags);
    assert!(out.diags.is_empty(), "{:?}", out.diags);
}

#[test]
fn missing_file() {
    // HAProxy 2.6.12: `[ALERT] ... : config : Cannot open configuration file/directory nonexist.cfg : No such file or directory`, exit 1.
    let out = super::load(
        &["/nonexistent-h2/nonexist.cfg".into()],
        &super::LoadOptions::default(),
    );
    assert_eq!(out.verdict, Verdict::Stopped);
    assert_eq!(
        out.diags.first().map(|d| d.text.as_str()),
        Some(
            "config : Cannot open configuration file/directory /nonexistent-h2/nonexist.cfg : No such file or directory"
        )
    );
}

#[test]
fn backend_default_backend_is_resolved_and_loops_detected() {
    check(
        "defaults\n timeout client 1s\n timeout server 1s\n timeout connect 1s\nbackend b\n default_backend nob\n server s 1.1.1.1:80\nfrontend f\n bind :80\n",
        &[
            "[WARNING]  (P) : config : parsing [t.cfg:6] : 'default_backend' ignored because backend 'b' has no frontend capability.",
            "[ALERT]    (P) : config : Proxy 'b': unable to find required default_backend: 'nob'.",
        ],
        Verdict::PostParseErrors,
    );
    check(
        "defaults\n timeout client 1s\n timeout server 1s\n timeout connect 1s\nlisten l\n bind :80\n default_backend l\n",
        &["[ALERT]    (P) : config : Proxy 'l': loop detected for default_backend: 'l'."],
        Verdict::PostParseErrors,
    );
    // A defaults section's default_backend does not reach backends.
    check(
        "defaults\n timeout client 1s\n timeout server 1s\n timeout connect 1s\n default_backend fallback\nfrontend f\n bind :80\nbackend fallback\n server s 1.1.1.1:80\n",
        &[],
        Verdict::Valid,
    );
}

#[test]
fn stick_table_name_conflict() {
    check(
        "frontend c\n bind :80\n stick-table type ip size 1k\nbackend c\n stick-table type ip size 1k\n",
        &[
            "[ALERT]    (P) : config : parsing [t.cfg:5] : stick-table name 'c' conflicts with table declared in frontend 'c' at t.cfg:3.",
        ],
        errs(),
    );
}

#[test]
fn check_rules_in_a_frontend() {
    check(
        "frontend c\n bind :80\n http-check expect status 200\n tcp-check connect\n",
        &[
            "[WARNING]  (P) : config : parsing [t.cfg:3] : 'http-check' ignored because frontend 'c' has no backend capability.",
            "[WARNING]  (P) : config : parsing [t.cfg:4] : 'tcp-check' ignored because frontend 'c' has no backend capability.",
            "[WARNING]  (P) : config : parsing [t.cfg:4] : (null)",
            "[WARNING]  (P) : config : frontend 'c' uses http-check rules without 'option httpchk', so the rules are ignored.",
            "[WARNING]  (P) : config : missing timeouts for frontend 'c'.",
            "   | While not properly invalid, you will certainly encounter various problems",
            "   | with such a configuration. To fix this, please ensure that all following",
            "   | timeouts are set to a non-zero value: 'client', 'connect', 'server'.",
            "[WARNING]  (P) : config : frontend 'c' uses tcp-check rules without 'option tcp-check', so the rules are ignored.",
        ],
        Verdict::Valid,
    );
}

#[test]
fn userlist_post_checks_stop_at_first_error() {
    check(
        "defaults\n mode http\n timeout client 1s\n timeout server 1s\n timeout connect 1s\nuserlist u\n user a insecure-password x groups g1\n group g2 users a,zz\nfrontend f\n bind :80\n default_backend nob\n",
        &["[ALERT]    (P) : config : userlist 'u': no such group 'g1' specified in user 'a'"],
        Verdict::PostParseErrors,
    );
}

#[test]
fn too_many_errors_stop_the_file() {
    let mut cfg = String::from("global\n");
    for i in 1..=60 {
        cfg.push_str(&format!(" foo{i}\n"));
    }
    let (lines, v) = super::run_test(&cfg);
    assert_eq!(v, errs());
    assert_eq!(lines.len(), 51, "{lines:?}");
    assert_eq!(
        lines[50],
        "[ALERT]    (P) : config : parsing [t.cfg:52]: too many fatal errors (50), stopping now."
    );
}

#[test]
fn ir_of_a_typical_config_serializes() {
    let out = super::load_items(
        vec![(
            "t.cfg".into(),
            super::test_items(
                "t.cfg",
                "global\n log 127.0.0.1 local0 info\n maxconn 4096\n daemon\n nbthread 2\n stats socket /run/h.sock mode 660 level admin\n stats timeout 30s\ndefaults\n mode http\n log global\n option httplog\n option dontlognull\n retries 3\n timeout connect 5s\n timeout client 30s\n timeout server 30s\nfrontend www\n bind :80\n default_backend app\nbackend app\n balance roundrobin\n cookie SERVERID insert indirect nocache\n option httpchk GET /health\n server a1 127.0.0.1:8080 check\nuserlist admins\n user bob insecure-password pw\n",
            ),
        )],
        &super::LoadOptions::default(),
    );
    assert_eq!(out.verdict, Verdict::Valid, "{:?}", out.diags);
    let cfg = out.config.expect("config");
    let json = serde_json::to_value(&cfg).expect("serialize");
    assert_eq!(json["global"]["maxconn"], 4096);
    assert_eq!(json["global"]["stats_timeout_ms"], 30000);
    assert_eq!(json["global"]["nbthread"], 2);
    assert_eq!(json["proxies"][0]["name"], "www");
    assert_eq!(json["proxies"][0]["settings"]["mode"], "Http");
    assert_eq!(json["proxies"][0]["settings"]["timeouts"]["client"], 30000);
    assert_eq!(json["proxies"][1]["settings"]["balance"], "RoundRobin");
    assert_eq!(json["proxies"][1]["settings"]["cookie"]["name"], "SERVERID");
    assert_eq!(json["proxies"][1]["settings"]["retries"], 3);
    assert_eq!(json["userlists"][0]["users"][0]["name"], "bob");
    // Deterministic: serializing twice gives the same text.
    assert_eq!(
        serde_json::to_string(&cfg).expect("serialize"),
        serde_json::to_string(&cfg).expect("serialize")
    );
}

/// The post-parse checks of other modules, wired in HAProxy's order:
/// dynamic use_backend names, track-sc table types, argument resolution
/// (several per proxy in one alert), server SSL init, bind SSL, check ports.
#[test]
fn post_parse_helpers_in_haproxy_order() {
    check(
        "global\n ssl-server-verify none\ndefaults\n timeout client 1s\n timeout server 1s\n timeout connect 1s\n mode http\nfrontend f\n bind :80\n bind :443 ssl\n acl a nbsrv(nob) eq 0\n acl u http_auth(nol)\n http-request track-sc0 req.payload(0,4)\n stick-table type ip size 1k\n use_backend %[req.hdr(host),map(/nonexistent.map)]\n use_backend b if { status 200 }\n use_backend b if { req.len gt 0 }\n default_backend b\nbackend b\n server s 1.1.1.1:80 ssl no-sslv3 ssl-min-ver TLSv1.2 verify required\n server t 1.1.1.1:80 ssl verify required\nbackend c\n server x 1.1.1.1 check\n",
        &[
            "[WARNING]  (P) : config : parsing [t.cfg:16] : anonymous acl will never match because it uses keyword 'status' which is incompatible with 'frontend use-backend rule'",
            "[ALERT]    (P) : config : Parsing [t.cfg:15]: failed to parse use_backend rule '%[req.hdr(host),map(/nonexistent.map)]' : failed to parse sample expression <req.hdr(host),map(/nonexistent.map)]> : invalid args in converter 'map' : failed to open pattern file </nonexistent.map>.",
            "[WARNING]  (P) : config : Proxy 'f': L6 sample fetches ignored on HTTP proxies (declared at t.cfg:17).",
            "[ALERT]    (P) : config : Proxy 'f': stick-table 'f' uses a type incompatible with the 'track-sc0' rule.",
            "[ALERT]    (P) : config : multiple argument resolution errors:",
            "        parsing [t.cfg:11]: unable to find backend 'nob' referenced in arg 1 of ACL keyword 'nbsrv' in proxy 'f'.",
            "        parsing [t.cfg:12]: unable to find userlist 'nol' referenced in arg 1 of ACL keyword 'http_auth' in proxy 'f'.",
            "[WARNING]  (P) : config : [t.cfg:20] : 'server b/s' : no-sslv3/no-tlsv1x are ignored for this server. Use only 'ssl-min-ver' and 'ssl-max-ver' to fix.",
            "[ALERT]    (P) : config : verify is enabled but no CA file specified.",
            "[ALERT]    (P) : config : [t.cfg:21] : 'server b/t' : verify is enabled but no CA file specified.",
            "[ALERT]    (P) : config : Proxy 'f': no SSL certificate specified for bind ':443' at [t.cfg:10] (use 'crt').",
            "[ALERT]    (P) : config : config: backend 'c': server 'x' has neither service port nor check port nor tcp_check rule 'connect' with port information.",
        ],
        Verdict::PostParseErrors,
    );
}

#[test]
fn load_from_memory_matches_a_file_load() {
    let out = super::load_from_memory(
        "m.cfg",
        b"global\n quiet\nfrontend f\n bind :80\n bogus\n",
        &super::LoadOptions::default(),
    );
    assert_eq!(out.verdict, Verdict::ParseErrors(vec!["m.cfg".into()]));
    // `quiet` (line 2) silences what follows it, the unknown keyword included.
    assert_eq!(out.quiet_from, Some(0));
    assert_eq!(
        out.diags.first().map(|d| d.text.as_str()),
        Some("config : parsing [m.cfg:5] : unknown keyword 'bogus' in 'frontend' section")
    );
}

#[test]
fn stick_in_frontend_is_warned_and_not_stored() {
    let cfg = "defaults\n mode http\n timeout client 1s\n timeout server 1s\n timeout connect 1s\nfrontend fe\n bind :80\n stick on src\n http-request deny\n default_backend be\nbackend be\n";
    // HAProxy 2.6.12's output.
    check(
        cfg,
        &[
            "[WARNING]  (P) : config : parsing [t.cfg:8] : 'stick' ignored because frontend 'fe' has no backend capability.",
        ],
        Verdict::Valid,
    );
    let out = super::load_items(
        vec![("t.cfg".to_string(), super::test_items("t.cfg", cfg))],
        &super::LoadOptions::default(),
    );
    let rules: Vec<String> = out
        .config
        .iter()
        .flat_map(|c| c.proxies.iter().filter(|p| p.name == "fe"))
        .flat_map(|p| p.rules.iter().map(|r| r.value.keyword.clone()))
        .collect();
    assert_eq!(rules, ["http-request"]);
}
