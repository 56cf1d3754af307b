//! Expected texts are HAProxy 2.6.12's output (`haproxy -c`), the part after
//! `parsing [F:L] : ` unless said otherwise.

use super::*;

fn words(s: &str) -> Vec<String> {
    s.split_whitespace().map(String::from).collect()
}

fn run<T>(names: &[&str], f: impl FnOnce(&mut Ctx) -> T) -> (T, Vec<String>) {
    let mut warnings = Vec::new();
    let acl_names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    let r = {
        let mut ctx = Ctx {
            file: "F",
            line: 10,
            section: "backend",
            proxy: "be",
            http: true,
            acl_names: &acl_names,
            warnings: &mut warnings,
        };
        f(&mut ctx)
    };
    (r, warnings)
}

fn acl(line: &str) -> (Result<Acl, String>, Vec<String>) {
    run(&[], |ctx| parse_acl(&words(line), ctx))
}

fn acl_err(line: &str) -> String {
    acl(line).0.unwrap_err()
}

#[test]
fn acl_ok() {
    let (a, w) = acl("acl host_www hdr_dom(host) -i www.zb.com");
    let a = a.unwrap();
    assert!(w.is_empty());
    assert_eq!(a.name, "host_www");
    assert_eq!(a.keyword.as_deref(), Some("hdr_dom"));
    assert_eq!(a.sample.fetch, "req.hdr");
    assert_eq!(a.sample.args, ["host"]);
    assert_eq!(a.method, MatchMethod::Dom);
    assert!(a.ignore_case);
    assert_eq!(a.patterns, [Pattern::Str("www.zb.com".into())]);

    let a = acl("acl x be_conn gt 5").0.unwrap();
    assert_eq!(a.method, MatchMethod::Int);
    assert_eq!(
        a.patterns,
        [Pattern::Int {
            min: Some(6),
            max: None
        }]
    );
    let a = acl("acl x be_conn 1:5 :3 4: eq 1").0.unwrap();
    assert_eq!(a.patterns.len(), 4);

    let a = acl("acl x src 10.0.0.0/8 ::1 2001:db8::/32 10.0.0.0/255.0.0.0")
        .0
        .unwrap();
    assert_eq!(a.method, MatchMethod::Ip);
    assert_eq!(a.patterns.len(), 4);

    let a = acl("acl x hdr(host),lower,map_str(/etc/hostname) y")
        .0
        .unwrap();
    assert_eq!(a.sample.converters.len(), 2);
    // accepted by HAProxy 2.6.12
    for l in [
        "acl c8 hdr(host),lower,, y",
        "acl c12 src,lower 1.2.3.4",
        "acl c15 be_conn(),add(1) 1",
        "acl e3 path -m found foo",
        "acl e4 src -m beg foo",
        "acl e17 ssl_fc 1",
        "acl e19 be_conn -m str 1",
        "acl a19 method GET POST",
        "acl a21 path_beg -- -x",
        "acl a22 src -u 5 1.2.3.4",
        "acl a24 hdr_cnt(host) eq 1",
        "acl a26 url_param(x) y",
        "acl 1bad path /x",
        "acl a30 path -m reg x",
        "acl d8 src,ipmask(24) 1.2.3.4",
        "acl t req.ssl_sni -i a.com",
        "acl t cook(SESSION) -m found",
        "acl t nbsrv(be) lt 1",
        "acl t http_auth(users)",
        "acl t sc0_conn_rate gt 10",
        "acl t src_conn_cnt(t) gt 10",
        "acl t path_dir api",
        "acl t url_beg /x",
        "acl t query -m sub a=b",
        "acl t base /x",
        "acl t dst 127.0.0.1",
        "acl t dst_port 80 443",
        "acl x src 10.0.0.1/255.0.255.0",
        "acl first_field req.hdr(x-list),field(1,\\,) -m str alpha",
        "acl q req.hdr(x),field(1,',') -m str a",
        "acl x be_conn eq eq 1",
        "acl x dst_port lt 1024 ge 80",
    ] {
        assert!(acl(l).0.is_ok(), "{l}: {:?}", acl(l).0);
    }
}

#[test]
fn acl_errors_as_haproxy() {
    let cases = [
        (
            "acl a1 foo",
            "error detected while parsing ACL 'a1' : unknown fetch method 'foo' in ACL expression 'foo'.",
        ),
        (
            "acl a2 hdr_dm(host) x",
            "error detected while parsing ACL 'a2' : unknown fetch method 'hdr_dm' in ACL expression 'hdr_dm(host)'.",
        ),
        (
            "acl a3",
            "error detected while parsing ACL 'a3' : missing fetch method in ACL expression ''.",
        ),
        (
            "acl a6 path -m foo x",
            "error detected while parsing ACL 'a6' : unknown matching method 'foo' when parsing ACL expression.",
        ),
        (
            "acl e6 path -m",
            "error detected while parsing ACL 'e6' : unknown matching method '' when parsing ACL expression.",
        ),
        (
            "acl a7 path -f /nonexist",
            "error detected while parsing ACL 'a7' : failed to open pattern file </nonexist>.",
        ),
        (
            "acl e5 path -f",
            "error detected while parsing ACL 'e5' : failed to open pattern file <>.",
        ),
        (
            "acl e7 path -u x y",
            "error detected while parsing ACL 'e7' : the argument of -u must be an integer.",
        ),
        (
            "acl a8 path_reg ([a-z",
            "error detected while parsing ACL 'a8' : regex '([a-z' is invalid (error=missing terminating ] for character class, erroffset=5).",
        ),
        (
            "acl a9 src 1.2.3.400",
            "error detected while parsing ACL 'a9' : '1.2.3.400' is not a valid IPv4 or IPv6 address.",
        ),
        (
            "acl e13 src 10.0.0.0/33",
            "error detected while parsing ACL 'e13' : '10.0.0.0/33' is not a valid IPv4 or IPv6 address.",
        ),
        (
            "acl e14 req.hdr(host),ipmask(24) x",
            "error detected while parsing ACL 'e14' : 'x' is not a valid IPv4 or IPv6 address.",
        ),
        (
            "acl a10 dst_port abc",
            "error detected while parsing ACL 'a10' : 'abc' is not a number.",
        ),
        (
            "acl e9 be_conn 1:x",
            "error detected while parsing ACL 'e9' : '1:x' is not a valid number range.",
        ),
        (
            "acl e16 path -m len x",
            "error detected while parsing ACL 'e16' : 'x' is not a number.",
        ),
        (
            "acl e10 path -m bin 0g",
            "error detected while parsing ACL 'e10' : an hex digit is expected (found 'g').",
        ),
        (
            "acl e11 path -m bin abc",
            "error detected while parsing ACL 'e11' : an even number of hex digit is expected.",
        ),
        (
            "acl a12 hdr(host),lowr x",
            "error detected while parsing ACL 'a12' : ACL keyword 'hdr' : unknown converter 'lowr'..",
        ),
        (
            "acl a14 path -x foo",
            "error detected while parsing ACL 'a14' : '-x' is not a valid ACL option. Please use '--' before any pattern beginning with a '-'.",
        ),
        (
            "acl a16 TRUE",
            "error detected while parsing ACL 'a16' : unknown fetch method 'TRUE' in ACL expression 'TRUE'.",
        ),
        (
            "acl a25 path_sub(x) y",
            "error detected while parsing ACL 'a25' : ACL keyword 'path_sub' : expected ')' before 'x)'.",
        ),
        (
            "acl a28 hdr(host -i x",
            "error detected while parsing ACL 'a28' : ACL keyword 'hdr' : expected ')'.",
        ),
        (
            "acl c2 sc_conn_cnt gt 1",
            "error detected while parsing ACL 'c2' : fetch method 'sc_conn_cnt' : expected type 'integer' at position 1, but got nothing in ACL expression 'sc_conn_cnt'.",
        ),
        (
            "acl c3 hdr(host,x) y",
            "error detected while parsing ACL 'c3' : ACL keyword 'hdr' : failed to parse 'x' as type 'integer' at position 2.",
        ),
        (
            "acl c4 hdr(a,1,2) y",
            "error detected while parsing ACL 'c4' : ACL keyword 'hdr' : expected ')' before ',2)'.",
        ),
        (
            "acl c5 nbsrv(a,b) 1",
            "error detected while parsing ACL 'c5' : fetch method 'nbsrv' : expected ')' before ',b)' in ACL expression 'nbsrv(a,b)'.",
        ),
        (
            "acl c6 hdr(host),lower(x) y",
            "error detected while parsing ACL 'c6' : ACL keyword 'hdr' : invalid arg 1 in converter 'lower' : expected ')' before 'x)'..",
        ),
        (
            "acl c7 hdr(host),map(/nonexist) y",
            "error detected while parsing ACL 'c7' : ACL keyword 'hdr' : invalid args in converter 'map' : failed to open pattern file </nonexist>..",
        ),
        (
            "acl c10 path(x) y",
            "error detected while parsing ACL 'c10' : ACL keyword 'path' : expected ')' before 'x)'.",
        ),
        (
            "acl c11 src,ipmask(x) 1.2.3.4",
            "error detected while parsing ACL 'c11' : invalid arg 1 in converter 'ipmask' : failed to parse 'x' as type 'IPv4 mask' at position 1 in ACL expression 'src,ipmask(x)'.",
        ),
        (
            "acl c17 payload(1) x",
            "error detected while parsing ACL 'c17' : ACL keyword 'payload' : missing arguments (got 1/2), type 'integer' expected.",
        ),
        (
            "acl c19 int(x) 1",
            "error detected while parsing ACL 'c19' : fetch method 'int' : failed to parse 'x' as type 'integer' at position 1 in ACL expression 'int(x)'.",
        ),
        (
            "acl c20 hdr(host)x y",
            "error detected while parsing ACL 'c20' : ACL keyword 'hdr' : missing comma after fetch keyword..",
        ),
        (
            "acl d1 req.hdr(host y",
            "error detected while parsing ACL 'd1' : fetch method 'req.hdr' : expected ')' in ACL expression 'req.hdr(host'.",
        ),
        (
            "acl d3 req.hdr(host)x y",
            "error detected while parsing ACL 'd3' : missing comma after fetch keyword 'req.hdr' in ACL expression 'req.hdr(host)x'.",
        ),
        (
            "acl d4 req.hdr(host),lowr y",
            "error detected while parsing ACL 'd4' : unknown converter 'lowr' in ACL expression 'req.hdr(host),lowr'.",
        ),
        (
            "acl d5 req.hdr(host),lower(x) y",
            "error detected while parsing ACL 'd5' : invalid arg 1 in converter 'lower' : expected ')' before 'x)' in ACL expression 'req.hdr(host),lower(x)'.",
        ),
        (
            "acl d6 req.hdr(host,x) y",
            "error detected while parsing ACL 'd6' : fetch method 'req.hdr' : failed to parse 'x' as type 'integer' at position 2 in ACL expression 'req.hdr(host,x)'.",
        ),
        (
            "acl d10 hdr(host),field x",
            "error detected while parsing ACL 'd10' : ACL keyword 'hdr' : invalid arg 1 in converter 'field' : expected type 'integer' at position 1, but got nothing..",
        ),
        (
            "acl d11 req.hdr(host),field x",
            "error detected while parsing ACL 'd11' : invalid arg 1 in converter 'field' : expected type 'integer' at position 1, but got nothing in ACL expression 'req.hdr(host),field'.",
        ),
        (
            "acl d12 hdr(host),blah(1) y",
            "error detected while parsing ACL 'd12' : ACL keyword 'hdr' : unknown converter 'blah'..",
        ),
        (
            "acl d13 src(x) y",
            "error detected while parsing ACL 'd13' : fetch method 'src' : expected ')' before 'x)' in ACL expression 'src(x)'.",
        ),
        (
            "acl e1 always_true,ipmask(24) 1.2.3.4",
            "error detected while parsing ACL 'e1' : converter 'ipmask' cannot be applied in ACL expression 'always_true,ipmask(24)'.",
        ),
        (
            "acl e2 method,add(1) 1",
            "error detected while parsing ACL 'e2' : ACL keyword 'method' : converter 'add' cannot be applied..",
        ),
        (
            "acl r2 path_reg abc)",
            "error detected while parsing ACL 'r2' : regex 'abc)' is invalid (error=unmatched closing parenthesis, erroffset=3).",
        ),
    ];
    for (line, want) in cases {
        assert_eq!(acl_err(line), want, "for `{line}`");
    }
    // `acl` alone: HAProxy prints the NUL of the empty name, which ends its text.
    assert_eq!(acl_err("acl"), "character '");
}

#[test]
fn acl_warnings_as_haproxy() {
    // printed as `[WARNING]  (PID) : config : parsing acl keyword 'path' :` + 4 indented
    // lines + an empty line (HAProxy 2.6.12's text ends in a newline)
    let (a, w) = acl("acl a5 path");
    assert!(a.is_ok());
    let r = render(&w[0], "F", 10);
    assert_eq!(
        r.lines,
        [
            "config : parsing acl keyword 'path' :\n  no pattern to match against were provided, so this ACL will never match.\n  If this is what you intended, please add '--' to get rid of this warning.\n  If you intended to match only for existence, please use '-m found'.\n  If you wanted to force an int to match as a bool, please use '-m bool'.\n"
        ]
    );
    let (_, w) = acl("acl x url_param(x)");
    assert!(w[0].contains("parsing acl keyword 'url_param(x)' :"));
    let (_, w) = acl("acl x hdr(host),lower");
    assert!(w[0].contains("parsing acl keyword 'hdr(host),lower' :"));
    // no warning: bool output, or any word after the criterion
    for l in [
        "acl b2 ssl_fc",
        "acl b4 path -m found",
        "acl b5 path --",
        "acl b8 always_true",
        "acl b15 path -i",
        "acl b11 hdr_cnt(host) -m bool",
    ] {
        assert!(acl(l).1.is_empty(), "{l}");
    }
    let (a, w) = acl("acl r7 path_reg (?<=a)b");
    assert!(a.is_ok());
    assert_eq!(
        render(&w[0], "F", 10).lines,
        [
            "config : parsing acl 'r7' :\n  matching 'path_reg' for pattern '(?<=a)b' is likely a mistake and probably\n  not what you want. Maybe you need to remove the extraneous space before '('.\n  If you are really sure this is not an error, please insert '--' between the\n  match and the pattern to make this warning message disappear."
        ]
    );
}

fn cond(names: &[&str], line: &str) -> Result<Condition, String> {
    run(names, |ctx| parse_condition(&words(line), ctx)).0
}

#[test]
fn conditions() {
    let c = cond(&["a", "b"], "if a !b || { path /x } or TRUE").unwrap();
    assert!(!c.unless);
    assert_eq!(c.any_of.len(), 3);
    assert_eq!(c.any_of[0].len(), 2);
    assert!(c.any_of[0][1].negate);
    assert!(matches!(c.any_of[1][0].acl, AclRef::Anonymous(_)));
    assert_eq!(c.any_of[2][0].acl, AclRef::Predefined("TRUE".into()));
    let c = cond(&[], "unless HTTP_1.1 METH_GET LOCALHOST").unwrap();
    assert!(c.unless);
    // accepted by HAProxy 2.6.12
    for l in ["if !", "if ||", "if TRUE ||", "if TRUE or", "if", "unless"] {
        assert!(cond(&[], l).is_ok(), "{l}");
    }
    // core texts of HAProxy 2.6.12's messages (the callers add the context)
    assert_eq!(
        cond(&[], "if nosuch").unwrap_err(),
        "no such ACL : 'nosuch'"
    );
    assert_eq!(cond(&[], "if a b c").unwrap_err(), "no such ACL : 'a'");
    assert_eq!(
        cond(&[], "if { path /x").unwrap_err(),
        "missing closing '}' in condition"
    );
    assert_eq!(
        cond(&[], "if { path /x }}").unwrap_err(),
        "missing closing '}' in condition"
    );
    assert_eq!(
        cond(&[], "if { }").unwrap_err(),
        "missing fetch method in ACL expression ''"
    );
    assert_eq!(
        cond(&[], "if { foo }").unwrap_err(),
        "unknown fetch method 'foo' in ACL expression 'foo'"
    );
    let (r, w) = run(&[], |ctx| parse_condition(&words("if { path }"), ctx));
    assert!(r.is_ok());
    assert!(w[0].contains("parsing acl keyword 'path' :"));
}

#[test]
fn argument_references() {
    let a = acl("acl x nbsrv(nobe) 1").0.unwrap();
    let r = sample_refs(&a.sample);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].kind, ArgKind::Backend);
    // HAProxy 2.6.12's texts (after `config : `)
    assert_eq!(
        arg_ref_message("F", 10, &r[0], "nbsrv", None, "be", &RefProblem::NotFound),
        "parsing [F:10]: unable to find backend 'nobe' referenced in arg 1 of ACL keyword 'nbsrv' in proxy 'be'."
    );
    let a = acl("acl x src_conn_cnt gt 1").0.unwrap();
    let r = sample_refs(&a.sample);
    assert_eq!(r[0].kind, ArgKind::Table);
    assert_eq!(r[0].name, "");
    assert_eq!(
        arg_ref_message(
            "F",
            10,
            &r[0],
            "src_conn_cnt",
            None,
            "be",
            &RefProblem::NotFound
        ),
        "parsing [F:10]: unable to find table 'be' referenced in arg 1 of ACL keyword 'src_conn_cnt' in proxy 'be'."
    );
    let a = acl("acl x src,table_http_req_rate(nost) gt 1").0.unwrap();
    let r = sample_refs(&a.sample);
    assert_eq!(
        arg_ref_message("F", 10, &r[0], "src", None, "be", &RefProblem::NotFound),
        "parsing [F:10]: unable to find table 'nost' referenced in arg 1 of conversion keyword 'table_http_req_rate' for ACL keyword 'src' in proxy 'be'."
    );
    assert_eq!(
        arg_ref_message(
            "F",
            10,
            &r[0],
            "src",
            Some("http-request"),
            "be",
            &RefProblem::NotFound
        ),
        "parsing [F:10]: unable to find table 'nost' referenced in arg 1 of conversion keyword 'table_http_req_rate' for sample fetch keyword 'src' in http-request expression in proxy 'be'."
    );
    let a = acl("acl x fe_conn 1").0.unwrap();
    let r = sample_refs(&a.sample);
    assert_eq!(
        arg_ref_message(
            "F",
            10,
            &r[0],
            "fe_conn",
            None,
            "be",
            &RefProblem::NoCapability("frontend")
        ),
        "parsing [F:10]: proxy 'be', referenced in arg 1 of ACL keyword 'fe_conn' in proxy 'be', has not frontend capability."
    );
    let a = acl("acl x srv_conn(be/s1) 1").0.unwrap();
    let r = sample_refs(&a.sample);
    assert_eq!(r[0].kind, ArgKind::Server);
    assert_eq!(
        arg_ref_message(
            "F",
            10,
            &r[0],
            "srv_conn",
            None,
            "be",
            &RefProblem::NoServer {
                proxy: "be".into(),
                server: "s1".into()
            }
        ),
        "parsing [F:10]: unable to find server 's1' in proxy 'be', referenced in arg 1 of ACL keyword 'srv_conn' in proxy 'be'."
    );
    let a = acl("acl x http_auth(users)").0.unwrap();
    assert_eq!(sample_refs(&a.sample)[0].kind, ArgKind::Userlist);
    // optional table argument left out: nothing to resolve... but sc0_* use the tracked table
    let a = acl("acl x sc0_conn_cnt gt 1").0.unwrap();
    assert!(sample_refs(&a.sample).is_empty());
}

#[test]
fn pattern_files() {
    let dir = std::env::temp_dir().join(format!("tandem-h3-pat-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.lst");
    std::fs::write(&bad, "10.0.0.1\n# comment\n\n  1.2.3.400  \n").unwrap();
    let re = dir.join("re.lst");
    std::fs::write(&re, "^/a(\n").unwrap();
    let map = dir.join("map.lst");
    std::fs::write(&map, "x y\n").unwrap();
    let good = dir.join("good.lst");
    std::fs::write(&good, "10.0.0.0/8\n  192.168.0.1\n#x\n").unwrap();
    let (b, r, m, g, d) = (
        bad.display().to_string(),
        re.display().to_string(),
        map.display().to_string(),
        good.display().to_string(),
        dir.display().to_string(),
    );
    // HAProxy 2.6.12's texts
    assert_eq!(
        acl_err(&format!("acl x src -f {b}")),
        format!(
            "error detected while parsing ACL 'x' : '1.2.3.400  ' is not a valid IPv4 or IPv6 address at line 4 of file '{b}'."
        )
    );
    assert_eq!(
        acl_err(&format!("acl x path_reg -f {r}")),
        format!(
            "error detected while parsing ACL 'x' : regex '^/a(' is invalid (error=missing closing parenthesis, erroffset=4) at line 1 of file '{r}'."
        )
    );
    assert_eq!(
        acl_err(&format!("acl x be_conn -f {m}")),
        format!(
            "error detected while parsing ACL 'x' : 'x y' is not a number at line 1 of file '{m}'."
        )
    );
    assert_eq!(
        acl_err(&format!("acl x src -f {d}")),
        format!(
            "error detected while parsing ACL 'x' : error encountered while reading  <{d}> : Is a directory."
        )
    );
    assert!(acl(&format!("acl x path -M -f {m}")).0.is_ok());
    let a = acl(&format!("acl x src -f {g}")).0.unwrap();
    assert_eq!(a.patterns.len(), 2);
    assert_eq!(a.files, [g]);
    let _ = std::fs::remove_dir_all(&dir);
}

/// ACL texts measured by H11 against HAProxy 2.6.12 (after `parsing [F:L] : `).
#[test]
fn measured_acl_errors_h11() {
    let cases = [
        (
            "acl a dst_port :",
            "error detected while parsing ACL 'a' : ':' is not a valid number range.",
        ),
        (
            "acl a path_len 5:3",
            "error detected while parsing ACL 'a' : '5:3' is not a valid number range.",
        ),
        (
            "acl a path_len gt x",
            "error detected while parsing ACL 'a' : 'x' is neither a number nor a supported operator.",
        ),
        (
            "acl a var(foo) bar",
            "error detected while parsing ACL 'a' : invalid args in fetch method 'var' : invalid variable name 'foo'. A variable name must be start by its scope. The scope can be 'proc', 'sess', 'txn', 'req', 'res' or 'check' in ACL expression 'var(foo)'.",
        ),
        (
            "acl a req.hdr(x),sha2(255) foo",
            "error detected while parsing ACL 'a' : invalid args in converter 'sha2' : Unsupported number of bits: '255' in ACL expression 'req.hdr(x),sha2(255)'.",
        ),
        (
            "acl a req.hdr(x),regsub(a,b,x) foo",
            "error detected while parsing ACL 'a' : invalid args in converter 'regsub' : invalid regex flag 'x', only 'i' and 'g' are supported in ACL expression 'req.hdr(x),regsub(a,b,x)'.",
        ),
        (
            "acl a req.hdr(x),field(0,:) -m found",
            "error detected while parsing ACL 'a' : invalid args in converter 'field' : Unexpected value 0 for index in ACL expression 'req.hdr(x),field(0,:)'.",
        ),
        (
            "acl a req.hdr(x),add(foo) -m found",
            "error detected while parsing ACL 'a' : invalid args in converter 'add' : expects an integer or a variable name in ACL expression 'req.hdr(x),add(foo)'.",
        ),
        (
            "acl a req.hdr(x),json_query($.a) foo",
            "error detected while parsing ACL 'a' : matching method must be specified first (using '-m') when using a sample fetch of this type ('req.hdr').",
        ),
    ];
    for (line, want) in cases {
        assert_eq!(
            format!("{}.", acl_err(line)).replace("..", "."),
            want,
            "for `{line}`"
        );
    }
    // `80-90` is a range, as `80:90`
    assert!(acl("acl a dst_port 80-90").0.is_ok());
    assert!(acl("acl a dst_port 80-").0.is_ok());
}

#[test]
fn soft_alert_marker_renders_as_alert() {
    let m = format!(
        "{SOFT_ALERT}{}",
        raw(&["[F:10] : 'server be/s1' : x".to_string()])
    );
    let r = render(&m, "F", 10);
    assert!(r.alert && !r.abort);
    assert_eq!(r.lines, ["config : [F:10] : 'server be/s1' : x"]);
    let r = render("plain", "F", 10);
    assert!(!r.alert);
}

#[test]
fn arg_ref_message_missing_server_proxy() {
    // HAProxy 2.6.12 for `acl a srv_is_up(nosuch/s1)` in frontend fe
    let r = ArgRef {
        kind: ArgKind::Server,
        name: "nosuch/s1".into(),
        pos: 1,
        converter: None,
    };
    assert_eq!(
        arg_ref_message("F", 8, &r, "srv_is_up", None, "fe", &RefProblem::NotFound),
        "parsing [F:8]: unable to find proxy 'nosuch' referenced in arg 1 of ACL keyword 'srv_is_up' in proxy 'fe'."
    );
}

#[test]
fn arg_ref_message_named_proxy_without_capability() {
    // HAProxy 2.6.12: a named proxy of the wrong kind is "not found"
    // (`acl a nbsrv(fe) lt 1`), the implicit current one lacks the capability.
    let mut r = ArgRef {
        kind: ArgKind::Backend,
        name: "fe".into(),
        pos: 1,
        converter: None,
    };
    let cap = RefProblem::NoCapability("backend");
    assert_eq!(
        arg_ref_message("F", 8, &r, "nbsrv", None, "fe", &cap),
        "parsing [F:8]: unable to find backend 'fe' referenced in arg 1 of ACL keyword 'nbsrv' in proxy 'fe'."
    );
    r.name.clear();
    assert_eq!(
        arg_ref_message("F", 8, &r, "nbsrv", None, "fe", &cap),
        "parsing [F:8]: proxy 'fe', referenced in arg 1 of ACL keyword 'nbsrv' in proxy 'fe', has not backend capability."
    );
    // `-u` with nothing after it is unique id 0 (strtol of "")
    assert!(acl("acl a path -u").0.is_ok());
}

/// `make_arg_list()` as HAProxy 2.6.12 reads arguments (measured with `haproxy -c` and
/// the values the rules produced): a backslash escapes only a backslash or a quote and is
/// kept before anything else, and an empty optional last argument is absent.
#[test]
fn argument_backslashes_and_empty_last() {
    let conv = |line: &str| {
        let a = acl(line).0.expect("parses");
        a.sample
            .converters
            .iter()
            .map(|c| c.args.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        conv(r"acl a req.hdr(h),regsub(:\d+$,) -m found"),
        [vec![r":\d+$".to_string(), String::new()]]
    );
    assert_eq!(
        conv(r"acl a req.hdr(h),regsub(\\d,x) -m found"),
        [vec![r"\d".to_string(), "x".to_string()]]
    );
    assert_eq!(
        conv(r#"acl a req.hdr(h),regsub("a\"b",x) -m found"#),
        [vec![r#"a"b"#.to_string(), "x".to_string()]]
    );
    // `\,` is no escape: the delimiter is a backslash, the count absent
    assert_eq!(
        conv(r"acl a req.hdr(h),field(1,\,) -m found"),
        [vec!["1".to_string(), r"\".to_string()]]
    );
    assert_eq!(
        acl_err(r"acl a req.hdr(h),field(,x) -m found"),
        "error detected while parsing ACL 'a' : invalid arg 1 in converter 'field' : expected type 'integer' at position 1, but got nothing in ACL expression 'req.hdr(h),field(,x)'."
    );
}
