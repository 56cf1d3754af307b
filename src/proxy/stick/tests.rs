//! Stick-table tests with virtual time. "Measured" values come from HAProxy 2.6.12
//! (`haproxy -f cfg -db` on loopback, `show table` on the stats socket).

use std::net::Ipv4Addr;

use super::*;
use crate::config::haproxy::parser::{LoadOptions, load_from_memory};

const T0: u64 = 1_000_000;

fn ip(n: u8) -> Key {
    Key::Ip(Ipv4Addr::new(10, 0, 0, n))
}

fn table(args: &str) -> (Tables, TableId) {
    let spec = TableSpec::parse(&args.split_whitespace().collect::<Vec<_>>()).unwrap();
    let mut t = Tables::new();
    let id = t.insert(StickTable::new("fe", spec));
    (t, id)
}

#[test]
fn spec_parses_haproxy_words() {
    let s = TableSpec::parse(&[
        "type",
        "string",
        "len",
        "16",
        "size",
        "100k",
        "expire",
        "30s",
        "nopurge",
        "peers",
        "p",
        "store",
        "http_req_rate(10s),gpc0,conn_cur",
        "store",
        "bytes_out_rate(1m)",
    ])
    .unwrap();
    assert_eq!(s.key_type, KeyType::String { len: 16 });
    assert_eq!(s.size, 102_400);
    assert_eq!(s.expire_ms, Some(30_000));
    assert!(s.nopurge);
    assert_eq!(s.peers.as_deref(), Some("p"));
    assert_eq!(
        s.store,
        [
            (DataType::HttpReqRate, 10_000),
            (DataType::Gpc0, 0),
            (DataType::ConnCur, 0),
            (DataType::BytesOutRate, 60_000)
        ]
    );
    assert_eq!(
        TableSpec::parse(&["type", "ip", "size", "1k", "store", "http_req_rate"]),
        Err(SpecError::MissingPeriod("http_req_rate".into()))
    );
    assert_eq!(
        TableSpec::parse(&["type", "ip", "store", "gpc0"]),
        Err(SpecError::MissingSize)
    );
    assert_eq!(
        TableSpec::parse(&["type", "ipv4", "size", "1"]),
        Err(SpecError::UnknownType("ipv4".into()))
    );
    assert!(matches!(
        TableSpec::parse(&["type", "ip", "size", "1", "store", "foo"]),
        Err(SpecError::UnknownData(_))
    ));
}

/// Measured: `http-request track-sc0 src` with `http_req_rate(10s)`; 5 requests at T, read
/// at T+11 s: 4; 2 more requests: 6; at T+21.2 s: 1; at T+31.7 s: 0.
#[test]
fn http_req_rate_matches_haproxy_sliding_window() {
    let (mut tb, id) = table("type ip size 1k expire 30s store http_req_cnt,http_req_rate(10s)");
    let one_request = |tb: &mut Tables, at: u64| {
        let mut tr = Tracked::new();
        tr.http_request(tb, at);
        assert!(tr.track(tb, 0, id, ip(1), TrackStage::HttpRequest, at));
        tr.end_stream(tb, at);
    };
    for i in 0..5 {
        one_request(&mut tb, T0 + 1 + i * 10);
    }
    let rate = |tb: &Tables, at| tb.lookup_data(id, &ip(1), DataType::HttpReqRate, at);
    assert_eq!(rate(&tb, T0 + 100), Some(5));
    assert_eq!(rate(&tb, T0 + 11_100), Some(4));
    one_request(&mut tb, T0 + 11_150);
    one_request(&mut tb, T0 + 11_160);
    assert_eq!(rate(&tb, T0 + 11_200), Some(6));
    assert_eq!(rate(&tb, T0 + 21_200), Some(1));
    assert_eq!(rate(&tb, T0 + 31_700), Some(0));
    assert_eq!(
        tb.lookup_data(id, &ip(1), DataType::HttpReqCnt, T0 + 31_700),
        Some(7)
    );
}

#[test]
fn freq_ctr_edge_cases() {
    let p = 1000;
    let mut f = FreqCtr::default();
    // The period starts at the first event, rounded down to an even tick.
    f.update(p, 1, T0 + 1);
    assert_eq!(f.curr_tick, T0 as u32);
    // One event reads 1 until two periods passed (flapping correction), then 0.
    assert_eq!(f.read(p, T0 + 1500), 1);
    assert_eq!(f.read(p, T0 + 2000), 1);
    assert_eq!(f.read(p, T0 + 2001), 0);
    // 10 events, then half a period into the next one: 10 * 500 / 1000 = 5, plus 4 new.
    let mut f = FreqCtr::default();
    f.update(p, 10, T0);
    f.update(p, 4, T0 + 1500);
    assert_eq!(
        (f.prev_ctr, f.curr_ctr, f.curr_tick),
        (10, 4, (T0 + 1000) as u32)
    );
    assert_eq!(f.read(p, T0 + 1500), 9);
    // Missing two periods drops the history and restarts at now.
    f.update(p, 1, T0 + 5001);
    assert_eq!(
        (f.prev_ctr, f.curr_ctr, f.curr_tick),
        (0, 1, (T0 + 5000) as u32)
    );
    // remain: 3 more fit under 10/s with 5 + 2 pending.
    let mut f = FreqCtr::default();
    f.update(p, 5, T0);
    assert_eq!(f.remain(p, 10, 2, T0 + 10), 3);
    // The 32-bit tick wraps as HAProxy's now_ms does.
    let mut f = FreqCtr::default();
    let w = (1u64 << 32) - 100;
    f.update(p, 3, w);
    assert_eq!(f.read(p, w + 200), 3);
}

/// Measured: three requests on one keep-alive connection. With `http-request track-sc0 src`:
/// conn_cnt=3 conn_cur=0 sess_cnt=0 http_req_cnt=3. With `tcp-request connection track-sc0
/// src` and 404 answers: conn_cnt=1 conn_cur=0 sess_cnt=1 http_req_cnt=3 http_err_cnt=3.
#[test]
fn tracking_stages_count_like_haproxy() {
    let store = "type ip size 1k expire 30s store conn_cnt,conn_cur,sess_cnt,http_req_cnt,\
                 http_req_rate(10s),http_err_cnt,bytes_in_cnt,bytes_out_cnt";
    let (mut tb, id) = table(store);
    let mut tr = Tracked::new();
    tr.session_started(&mut tb, T0);
    for i in 0..3 {
        let at = T0 + i * 10;
        tr.http_request(&mut tb, at);
        assert!(tr.track(&mut tb, 0, id, ip(1), TrackStage::HttpRequest, at));
        assert_eq!(tr.sc_get(&tb, 0, DataType::ConnCur, at), Some(1));
        tr.add_bytes(&mut tb, 83, 134, at);
        tr.http_status(&mut tb, 200, at);
        tr.end_stream(&mut tb, at);
        assert!(!tr.is_tracked(0));
    }
    tr.end_session(&mut tb, T0 + 50);
    let get = |tb: &Tables, dt| tb.lookup_data(id, &ip(1), dt, T0 + 60);
    assert_eq!(get(&tb, DataType::ConnCnt), Some(3));
    assert_eq!(get(&tb, DataType::ConnCur), Some(0));
    assert_eq!(get(&tb, DataType::SessCnt), Some(0));
    assert_eq!(get(&tb, DataType::HttpReqCnt), Some(3));
    assert_eq!(get(&tb, DataType::BytesInCnt), Some(249));
    assert_eq!(get(&tb, DataType::BytesOutCnt), Some(402));
    assert_eq!(tb.trackers(id, &ip(1), T0 + 60), Some(0));

    let (mut tb, id) = table(store);
    let mut tr = Tracked::new();
    assert!(tr.track(&mut tb, 0, id, ip(1), TrackStage::TcpConnection, T0));
    assert!(!tr.track(&mut tb, 0, id, ip(2), TrackStage::TcpSession, T0));
    tr.session_started(&mut tb, T0);
    for i in 0..3 {
        let at = T0 + i * 10;
        tr.http_request(&mut tb, at);
        // sc0 is inherited from the session: an http-request track-sc0 is a no-op.
        assert!(!tr.track(&mut tb, 0, id, ip(1), TrackStage::HttpRequest, at));
        tr.http_status(&mut tb, 404, at);
        tr.end_stream(&mut tb, at);
        assert_eq!(tr.sc_get(&tb, 0, DataType::ConnCur, at), Some(1));
        assert_eq!(tr.sc_trackers(&tb, 0, at), Some(1));
    }
    assert_eq!(tr.sc_get(&tb, 0, DataType::HttpReqRate, T0 + 30), Some(3));
    tr.end_session(&mut tb, T0 + 50);
    let get = |tb: &Tables, dt| tb.lookup_data(id, &ip(1), dt, T0 + 60);
    assert_eq!(get(&tb, DataType::ConnCnt), Some(1));
    assert_eq!(get(&tb, DataType::ConnCur), Some(0));
    assert_eq!(get(&tb, DataType::SessCnt), Some(1));
    assert_eq!(get(&tb, DataType::HttpReqCnt), Some(3));
    assert_eq!(get(&tb, DataType::HttpErrCnt), Some(3));
    // Not stored: the fetch fails; not tracked: fails too.
    assert_eq!(tr.sc_get(&tb, 0, DataType::Gpc0, T0), None);
    assert_eq!(get(&tb, DataType::Gpc0), None);
    // An absent key reads 0 (src_* / table_* semantics).
    assert_eq!(tb.lookup_data(id, &ip(9), DataType::Gpc0, T0), Some(0));
}

#[test]
fn http_response_tracking_counts_status() {
    let (mut tb, id) =
        table("type ip size 10 store http_req_cnt,http_err_cnt,http_fail_cnt,http_err_rate(10s)");
    let mut tr = Tracked::new();
    assert!(tr.track(
        &mut tb,
        1,
        id,
        ip(1),
        TrackStage::HttpResponse { status: 403 },
        T0
    ));
    tr.end_stream(&mut tb, T0);
    assert!(tr.track(
        &mut tb,
        1,
        id,
        ip(1),
        TrackStage::HttpResponse { status: 501 },
        T0
    ));
    tr.http_status(&mut tb, 502, T0);
    let get = |dt| tr.sc_get(&tb, 1, dt, T0);
    assert_eq!(get(DataType::HttpReqCnt), Some(2));
    assert_eq!(get(DataType::HttpErrCnt), Some(1));
    assert_eq!(get(DataType::HttpFailCnt), Some(1));
    assert_eq!(get(DataType::HttpErrRate), Some(1));
}

#[test]
fn expiry_follows_last_touch_and_spares_tracked_entries() {
    let (mut tb, id) = table("type ip size 10 expire 30s store conn_cur,gpc0");
    let mut tr = Tracked::new();
    assert!(tr.track(&mut tb, 0, id, ip(1), TrackStage::TcpConnection, T0));
    // Tracked entries never expire.
    assert_eq!(tr.sc_get(&tb, 0, DataType::ConnCur, T0 + 100_000), Some(1));
    // Release touches (conn_cur is stored): the entry lives 30 s from then.
    tr.end_session(&mut tb, T0 + 100_000);
    assert!(tb.get(id).unwrap().contains(&ip(1), T0 + 129_999));
    assert!(!tb.get(id).unwrap().contains(&ip(1), T0 + 130_000));
    tb.purge_expired(T0 + 130_000);
    assert!(tb.get(id).unwrap().is_empty());
    // src_inc_gpc0 creates and touches; reads do not touch.
    assert_eq!(tb.inc_gpc(id, &ip(2), 0, T0), Some(1));
    assert_eq!(tb.inc_gpc(id, &ip(2), 0, T0 + 10_000), Some(2));
    assert_eq!(
        tb.lookup_data(id, &ip(2), DataType::Gpc0, T0 + 39_999),
        Some(2)
    );
    assert_eq!(
        tb.lookup_data(id, &ip(2), DataType::Gpc0, T0 + 40_000),
        Some(0)
    );
    assert_eq!(tb.clr_gpc(id, &ip(3), 0, T0), Some(0));
}

#[test]
fn full_table_evicts_oldest_unreferenced() {
    let (mut tb, id) = table("type ip size 4 store gpc0");
    let mut tr = Tracked::new();
    // ip1 is the oldest but tracked: it survives; ip2 (next oldest) goes.
    assert!(tr.track(&mut tb, 0, id, ip(1), TrackStage::TcpConnection, T0));
    for n in 2..=4 {
        tb.inc_gpc(id, &ip(n), 0, T0 + u64::from(n));
    }
    // Touching ip2 makes ip3 the oldest unreferenced entry.
    tb.inc_gpc(id, &ip(2), 0, T0 + 10);
    assert_eq!(tb.inc_gpc(id, &ip(5), 0, T0 + 20), Some(1));
    let t = tb.get(id).unwrap();
    assert_eq!(t.len(), 4);
    assert!(t.contains(&ip(1), T0 + 20));
    assert!(t.contains(&ip(2), T0 + 20));
    assert!(!t.contains(&ip(3), T0 + 20));
    // All referenced: creation fails, the track is refused.
    let (mut tb, id) = table("type ip size 2 store gpc0");
    let mut a = Tracked::new();
    assert!(a.track(&mut tb, 0, id, ip(1), TrackStage::TcpConnection, T0));
    assert!(a.track(&mut tb, 1, id, ip(2), TrackStage::TcpConnection, T0));
    let mut b = Tracked::new();
    assert!(!b.track(&mut tb, 0, id, ip(3), TrackStage::TcpConnection, T0));
    // nopurge: never evicts.
    let (mut tb, id) = table("type ip size 1 nopurge store gpc0");
    assert_eq!(tb.inc_gpc(id, &ip(1), 0, T0), Some(1));
    assert_eq!(tb.inc_gpc(id, &ip(2), 0, T0), None);
}

#[test]
fn stick_rules_match_then_store() {
    let (mut tb, id) = table("type ip size 10 expire 30m store server_id");
    // First request: no entry, the balancer picks server id 2, the response commits it.
    let mut sr = StickRules::new();
    assert!(!sr.skip_request_rule(StickKind::On, id));
    assert_eq!(
        sr.request_rule(&mut tb, StickKind::On, id, Some(ip(1)), false, T0),
        None
    );
    // Only the first store of a table applies.
    assert!(sr.skip_request_rule(StickKind::StoreRequest, id));
    assert!(!sr.skip_request_rule(StickKind::Match, id));
    assert!(!sr.skip_response_rule(id));
    sr.commit(&mut tb, 2, "s2", false, T0 + 5);
    assert!(sr.pending().is_empty());
    // Next request matches server id 2.
    let mut sr = StickRules::new();
    assert_eq!(
        sr.request_rule(&mut tb, StickKind::Match, id, Some(ip(1)), false, T0 + 10),
        Some(2)
    );
    // Already assigned (cookie, use-server): no match reported.
    assert_eq!(
        sr.request_rule(&mut tb, StickKind::Match, id, Some(ip(1)), true, T0 + 10),
        None
    );
    // non-stick servers store nothing.
    let mut sr = StickRules::new();
    sr.request_rule(&mut tb, StickKind::StoreRequest, id, Some(ip(7)), false, T0);
    sr.commit(&mut tb, 1, "s1", true, T0);
    assert!(!tb.get(id).unwrap().contains(&ip(7), T0));
    // store-response.
    let mut sr = StickRules::new();
    sr.response_rule(id, Some(ip(8)));
    assert!(sr.skip_response_rule(id));
    sr.commit(&mut tb, 3, "s3", false, T0);
    assert_eq!(tb.lookup_data(id, &ip(8), DataType::ServerId, T0), Some(3));
}

#[test]
fn tables_from_config() {
    let cfg = b"defaults\n  mode http\n  timeout client 1s\n  timeout server 1s\n  timeout connect 1s\n\
frontend fe\n  bind 127.0.0.1:8080\n  stick-table type ip size 100k expire 10s store http_req_rate(10s)\n\
  http-request track-sc0 src\n  default_backend be\n\
backend be\n  stick-table type string len 8 size 1k\n  stick on req.hdr(x-user)\n  server s1 127.0.0.1:80\n";
    let out = load_from_memory("t.cfg", cfg, &LoadOptions::default());
    let cfg = out.config.expect("config");
    let tb = Tables::from_ir(&cfg).unwrap();
    let fe = tb.get_by_name("fe").unwrap();
    assert_eq!(fe.spec.size, 102_400);
    assert_eq!(fe.spec.store, [(DataType::HttpReqRate, 10_000)]);
    let be = tb.get_by_name("be").unwrap();
    assert_eq!(be.spec.key_type, KeyType::String { len: 8 });
    // Stick rules add server_id and server_key.
    assert_eq!(
        be.spec.store,
        [(DataType::ServerId, 0), (DataType::ServerKey, 0)]
    );
}

#[test]
fn session_counters_implement_table_lookup() {
    use crate::proxy::acl::{TableLookup, Value};
    let (tb, _) = table("type ip size 10 store http_req_rate(10s),gpc0,bytes_in_cnt");
    let shared: SharedTables = Arc::new(Mutex::new(tb));
    let sc = SessionCounters::new(shared.clone());
    let src = Value::Addr("10.0.0.1".parse().unwrap());
    assert!(sc.track(0, "fe", &src, TrackStage::HttpRequest, T0));
    assert!(!sc.track(1, "nope", &src, TrackStage::HttpRequest, T0));
    assert_eq!(sc.sc_fetch(0, None, "http_req_rate", T0), Some(1));
    assert_eq!(sc.sc_fetch(0, None, "tracked", T0), Some(1));
    assert_eq!(sc.sc_fetch(1, None, "tracked", T0), Some(0));
    assert_eq!(sc.sc_fetch(1, None, "http_req_rate", T0), None);
    assert_eq!(sc.sc_fetch(0, None, "inc_gpc0", T0), Some(1));
    assert_eq!(sc.sc_fetch(0, None, "get_gpc0", T0), Some(1));
    assert_eq!(sc.sc_fetch(0, None, "clr_gpc0", T0), Some(1));
    assert_eq!(sc.sc_fetch(0, Some("fe"), "gpc0", T0), Some(0));
    sc.add_bytes(4096, 0, T0);
    assert_eq!(sc.sc_fetch(0, None, "kbytes_in", T0), Some(4));
    assert_eq!(sc.key_fetch("fe", &src, "http_req_rate", T0), Some(1));
    assert_eq!(sc.key_fetch("fe", &src, "trackers", T0), Some(1));
    let other = Value::Str(std::borrow::Cow::Borrowed(b"10.0.0.2"));
    assert_eq!(sc.key_fetch("fe", &other, "http_req_rate", T0), Some(0));
    assert_eq!(sc.key_fetch("fe", &other, "inc_gpc0", T0), Some(1));
    drop(sc);
    // Dropping the session released its tracker.
    let tb = shared.lock().unwrap();
    let id = tb.id("fe").unwrap();
    assert_eq!(tb.trackers(id, &ip(1), T0), Some(0));
}

#[test]
fn server_ids_follow_haproxy_numbering() {
    // Measured with `show servers state`: a=2 b=1 c=4 d=3 e=6.
    assert_eq!(
        server_ids(&[None, Some(1), None, Some(3), None]),
        [2, 1, 4, 3, 6]
    );
    assert_eq!(server_ids(&[None, None, None]), [1, 2, 3]);
}

/// Measured: `deny deny_status 500` counts http_err_cnt=1 and http_fail_cnt=0; a server's
/// 503 counts http_fail_cnt=1.
#[test]
fn haproxy_refusals_count_as_errors() {
    let (mut tb, id) = table("type ip size 10 store http_req_cnt,http_err_cnt,http_fail_cnt");
    let mut tr = Tracked::new();
    assert!(tr.track(&mut tb, 0, id, ip(1), TrackStage::TcpConnection, T0));
    tr.http_request(&mut tb, T0);
    tr.http_error(&mut tb, T0);
    tr.end_stream(&mut tb, T0);
    tr.http_request(&mut tb, T0);
    tr.http_status(&mut tb, 503, T0);
    let get = |dt| tr.sc_get(&tb, 0, dt, T0);
    assert_eq!(get(DataType::HttpReqCnt), Some(2));
    assert_eq!(get(DataType::HttpErrCnt), Some(1));
    assert_eq!(get(DataType::HttpFailCnt), Some(1));
}
