//! HAProxy 2.6.12's `show stat` columns, in order, with the tags and types `show stat typed`
//! prints for each object type (F frontend, B backend, S server, L listener) and the
//! descriptions of `show stat desc`. Generated from the output of HAProxy 2.6.12 (Debian)
//! on a config with every row type; `None`: HAProxy leaves the field empty for that type.

/// One column: name, description, and `(tags, type)` per object type [F, B, S, L].
pub struct Field {
    pub name: &'static str,
    pub desc: &'static str,
    pub kinds: [Option<(&'static str, &'static str)>; 4],
}

/// The standard fields (`ST_F_*`); the stats modules' fields follow after the `-` column.
pub const STD_FIELDS: usize = 103;

pub const FIELDS: &[Field] = &[
    Field {
        name: "pxname",
        desc: "Proxy name",
        kinds: [
            Some(("KNS", "str")),
            Some(("KNS", "str")),
            Some(("KNS", "str")),
            Some(("KNS", "str")),
        ],
    },
    Field {
        name: "svname",
        desc: "Server name",
        kinds: [
            Some(("KNS", "str")),
            Some(("KNS", "str")),
            Some(("KNS", "str")),
            Some(("KNS", "str")),
        ],
    },
    Field {
        name: "qcur",
        desc: "Number of current queued connections",
        kinds: [None, Some(("MGP", "u32")), Some(("MGP", "u32")), None],
    },
    Field {
        name: "qmax",
        desc: "Highest value of queued connections encountered since process started",
        kinds: [None, Some(("MMP", "u32")), Some(("MMP", "u32")), None],
    },
    Field {
        name: "scur",
        desc: "Number of current sessions on the frontend, backend or server",
        kinds: [
            Some(("MGP", "u32")),
            Some(("MGP", "u32")),
            Some(("MGP", "u32")),
            Some(("MGP", "u32")),
        ],
    },
    Field {
        name: "smax",
        desc: "Highest value of current sessions encountered since process started",
        kinds: [
            Some(("MMP", "u32")),
            Some(("MMP", "u32")),
            Some(("MMP", "u32")),
            Some(("MMP", "u32")),
        ],
    },
    Field {
        name: "slim",
        desc: "Frontend/listener/server's maxconn, backend's fullconn",
        // measured on a server with `maxconn` (the table was read from servers without)
        kinds: [
            Some(("CLP", "u32")),
            Some(("CLP", "u32")),
            Some(("CLP", "u32")),
            Some(("CLP", "u32")),
        ],
    },
    Field {
        name: "stot",
        desc: "Total number of sessions since process started",
        kinds: [
            Some(("MCP", "u64")),
            Some(("MCP", "u64")),
            Some(("MCP", "u64")),
            Some(("MCP", "u64")),
        ],
    },
    Field {
        name: "bin",
        desc: "Total number of request bytes since process started",
        kinds: [
            Some(("MCP", "u64")),
            Some(("MCP", "u64")),
            Some(("MCP", "u64")),
            Some(("MCP", "u64")),
        ],
    },
    Field {
        name: "bout",
        desc: "Total number of response bytes since process started",
        kinds: [
            Some(("MCP", "u64")),
            Some(("MCP", "u64")),
            Some(("MCP", "u64")),
            Some(("MCP", "u64")),
        ],
    },
    Field {
        name: "dreq",
        desc: "Total number of denied requests since process started",
        kinds: [
            Some(("MCP", "u64")),
            Some(("MCP", "u64")),
            None,
            Some(("MCP", "u64")),
        ],
    },
    Field {
        name: "dresp",
        desc: "Total number of denied responses since process started",
        kinds: [
            Some(("MCP", "u64")),
            Some(("MCP", "u64")),
            Some(("MCP", "u64")),
            Some(("MCP", "u64")),
        ],
    },
    Field {
        name: "ereq",
        desc: "Total number of invalid requests since process started",
        kinds: [Some(("MCP", "u64")), None, None, Some(("MCP", "u64"))],
    },
    Field {
        name: "econ",
        desc: "Total number of failed connections to server since the worker process started",
        kinds: [None, Some(("MCP", "u64")), Some(("MCP", "u64")), None],
    },
    Field {
        name: "eresp",
        desc: "Total number of invalid responses since the worker process started",
        kinds: [None, Some(("MCP", "u64")), Some(("MCP", "u64")), None],
    },
    Field {
        name: "wretr",
        desc: "Total number of server connection retries since the worker process started",
        kinds: [None, Some(("MCP", "u64")), Some(("MCP", "u64")), None],
    },
    Field {
        name: "wredis",
        desc: "Total number of server redispatches due to connection failures since the worker process started",
        kinds: [None, Some(("MCP", "u64")), Some(("MCP", "u64")), None],
    },
    Field {
        name: "status",
        desc: "Frontend/listen status: OPEN/WAITING/FULL/STOP; backend: UP/DOWN; server: last check status",
        kinds: [
            Some(("SGP", "str")),
            Some(("SGP", "str")),
            Some(("SGP", "str")),
            Some(("SGP", "str")),
        ],
    },
    Field {
        name: "weight",
        desc: "Server's effective weight, or sum of active servers' effective weights for a backend",
        kinds: [None, Some(("MaP", "u32")), Some(("MaP", "u32")), None],
    },
    Field {
        name: "act",
        desc: "Total number of active UP servers with a non-zero weight",
        kinds: [None, Some(("MGP", "u32")), Some(("SGP", "u32")), None],
    },
    Field {
        name: "bck",
        desc: "Total number of backup UP servers with a non-zero weight",
        kinds: [None, Some(("MGP", "u32")), Some(("SGP", "u32")), None],
    },
    Field {
        name: "chkfail",
        desc: "Total number of failed individual health checks per server/backend, since the worker process started",
        kinds: [None, None, Some(("MCP", "u64")), None],
    },
    Field {
        name: "chkdown",
        desc: "Total number of failed checks causing UP to DOWN server transitions, per server/backend, since the worker process started",
        kinds: [None, Some(("MCP", "u64")), Some(("MCP", "u64")), None],
    },
    Field {
        name: "lastchg",
        desc: "How long ago the last server state changed, in seconds",
        kinds: [None, Some(("MAP", "u32")), Some(("MAP", "u32")), None],
    },
    Field {
        name: "downtime",
        desc: "Total time spent in DOWN state, for server or backend",
        kinds: [None, Some(("MCP", "u32")), Some(("MCP", "u32")), None],
    },
    Field {
        name: "qlimit",
        desc: "Limit on the number of connections in queue, for servers only (maxqueue argument)",
        // measured on a server with `maxqueue` 2.6.12: `S.3.71.25.qlimit.1:CGS:u32:7`
        kinds: [None, None, Some(("CGS", "u32")), None],
    },
    Field {
        name: "pid",
        desc: "Relative worker process number (1)",
        kinds: [
            Some(("KGP", "u32")),
            Some(("KGP", "u32")),
            Some(("KGP", "u32")),
            Some(("KGP", "u32")),
        ],
    },
    Field {
        name: "iid",
        desc: "Frontend or Backend numeric identifier ('id' setting)",
        kinds: [
            Some(("KGS", "u32")),
            Some(("KGS", "u32")),
            Some(("KGS", "u32")),
            Some(("KGS", "u32")),
        ],
    },
    Field {
        name: "sid",
        desc: "Server numeric identifier ('id' setting)",
        kinds: [
            Some(("KGS", "u32")),
            Some(("KGS", "u32")),
            Some(("KGS", "u32")),
            Some(("KGS", "u32")),
        ],
    },
    Field {
        name: "throttle",
        desc: "",
        // only a server in slow start has one
        kinds: [None, None, Some(("MaP", "u32")), None],
    },
    Field {
        name: "lbtot",
        desc: "Total number of requests routed by load balancing since the worker process started (ignores queue pop and stickiness)",
        kinds: [None, Some(("MCP", "u64")), Some(("MCP", "u64")), None],
    },
    Field {
        name: "tracked",
        desc: "",
        kinds: [None, None, None, None],
    },
    Field {
        name: "type",
        desc: "Type of the object (Listener, Frontend, Backend, Server)",
        kinds: [
            Some(("CGS", "u32")),
            Some(("CGS", "u32")),
            Some(("CGS", "u32")),
            Some(("CGS", "u32")),
        ],
    },
    Field {
        name: "rate",
        desc: "Total number of sessions processed by this object over the last second (sessions for listeners/frontends, requests for backends/servers)",
        kinds: [
            Some(("MRP", "u32")),
            Some(("MGP", "u32")),
            Some(("MRP", "u32")),
            None,
        ],
    },
    Field {
        name: "rate_lim",
        desc: "Limit on the number of sessions accepted in a second (frontend only, 'rate-limit sessions' setting)",
        kinds: [Some(("CLP", "u32")), None, None, None],
    },
    Field {
        name: "rate_max",
        desc: "Highest value of sessions per second observed since the worker process started",
        kinds: [
            Some(("MMP", "u32")),
            Some(("MGP", "u32")),
            Some(("MMP", "u32")),
            None,
        ],
    },
    Field {
        name: "check_status",
        desc: "Status report of the server's latest health check, prefixed with '*' if a check is currently in progress",
        kinds: [None, None, Some(("MOP", "str")), None],
    },
    Field {
        name: "check_code",
        desc: "",
        // measured (`show stat typed`): `S.3.2.37.check_code.1:MOP:u32:200`
        kinds: [None, None, Some(("MOP", "u32")), None],
    },
    Field {
        name: "check_duration",
        desc: "Total duration of the latest server health check, in milliseconds",
        kinds: [None, None, Some(("MDP", "u64")), None],
    },
    Field {
        name: "hrsp_1xx",
        desc: "Total number of HTTP responses with status 100-199 returned by this object since the worker process started",
        kinds: [
            Some(("MCP", "u64")),
            Some(("MCP", "u64")),
            Some(("MCP", "u64")),
            None,
        ],
    },
    Field {
        name: "hrsp_2xx",
        desc: "Total number of HTTP responses with status 200-299 returned by this object since the worker process started",
        kinds: [
            Some(("MCP", "u64")),
            Some(("MCP", "u64")),
            Some(("MCP", "u64")),
            None,
        ],
    },
    Field {
        name: "hrsp_3xx",
        desc: "Total number of HTTP responses with status 300-399 returned by this object since the worker process started",
        kinds: [
            Some(("MCP", "u64")),
            Some(("MCP", "u64")),
            Some(("MCP", "u64")),
            None,
        ],
    },
    Field {
        name: "hrsp_4xx",
        desc: "Total number of HTTP responses with status 400-499 returned by this object since the worker process started",
        kinds: [
            Some(("MCP", "u64")),
            Some(("MCP", "u64")),
            Some(("MCP", "u64")),
            None,
        ],
    },
    Field {
        name: "hrsp_5xx",
        desc: "Total number of HTTP responses with status 500-599 returned by this object since the worker process started",
        kinds: [
            Some(("MCP", "u64")),
            Some(("MCP", "u64")),
            Some(("MCP", "u64")),
            None,
        ],
    },
    Field {
        name: "hrsp_other",
        desc: "Total number of HTTP responses with status <100, >599 returned by this object since the worker process started (error -1 included)",
        kinds: [
            Some(("MCP", "u64")),
            Some(("MCP", "u64")),
            Some(("MCP", "u64")),
            None,
        ],
    },
    Field {
        name: "hanafail",
        desc: "Total number of failed checks caused by an 'on-error' directive after an 'observe' condition matched",
        // measured on a server with `observe` (2.6.12): `S.3.1.45.hanafail.1:MCP:u64:0`
        kinds: [None, None, Some(("MCP", "u64")), None],
    },
    Field {
        name: "req_rate",
        desc: "Number of HTTP requests processed over the last second on this object",
        kinds: [Some(("MRP", "u32")), None, None, None],
    },
    Field {
        name: "req_rate_max",
        desc: "Highest value of http requests observed since the worker process started",
        kinds: [Some(("MMP", "u32")), None, None, None],
    },
    Field {
        name: "req_tot",
        desc: "Total number of HTTP requests processed by this object since the worker process started",
        kinds: [
            Some(("MCP", "u64")),
            Some(("MCP", "u64")),
            Some(("MCP", "u64")),
            None,
        ],
    },
    Field {
        name: "cli_abrt",
        desc: "Total number of requests or connections aborted by the client since the worker process started",
        kinds: [None, Some(("MCP", "u64")), Some(("MCP", "u64")), None],
    },
    Field {
        name: "srv_abrt",
        desc: "Total number of requests or connections aborted by the server since the worker process started",
        kinds: [None, Some(("MCP", "u64")), Some(("MCP", "u64")), None],
    },
    Field {
        name: "comp_in",
        desc: "Total number of bytes submitted to the HTTP compressor for this object since the worker process started",
        kinds: [Some(("MCP", "u64")), Some(("MCP", "u64")), None, None],
    },
    Field {
        name: "comp_out",
        desc: "Total number of bytes emitted by the HTTP compressor for this object since the worker process started",
        kinds: [Some(("MCP", "u64")), Some(("MCP", "u64")), None, None],
    },
    Field {
        name: "comp_byp",
        desc: "Total number of bytes that bypassed HTTP compression for this object since the worker process started (CPU/memory/bandwidth limitation)",
        kinds: [Some(("MCP", "u64")), Some(("MCP", "u64")), None, None],
    },
    Field {
        name: "comp_rsp",
        desc: "Total number of HTTP responses that were compressed for this object since the worker process started",
        kinds: [Some(("MCP", "u64")), Some(("MCP", "u64")), None, None],
    },
    Field {
        name: "lastsess",
        desc: "How long ago some traffic was seen on this object on this worker process, in seconds",
        kinds: [None, Some(("MAP", "s32")), Some(("MAP", "s32")), None],
    },
    Field {
        name: "last_chk",
        desc: "Short description of the latest health check report for this server (see also check_desc)",
        kinds: [None, None, Some(("MOP", "str")), None],
    },
    Field {
        name: "last_agt",
        desc: "Short description of the latest agent check report for this server (see also agent_desc)",
        kinds: [None, None, Some(("MOP", "str")), None],
    },
    Field {
        name: "qtime",
        desc: "Time spent in the queue, in milliseconds, averaged over the 1024 last requests (backend/server)",
        kinds: [None, Some(("MaP", "u32")), Some(("MaP", "u32")), None],
    },
    Field {
        name: "ctime",
        desc: "Time spent waiting for a connection to complete, in milliseconds, averaged over the 1024 last requests (backend/server)",
        kinds: [None, Some(("MaP", "u32")), Some(("MaP", "u32")), None],
    },
    Field {
        name: "rtime",
        desc: "Time spent waiting for a server response, in milliseconds, averaged over the 1024 last requests (backend/server)",
        kinds: [None, Some(("MaP", "u32")), Some(("MaP", "u32")), None],
    },
    Field {
        name: "ttime",
        desc: "Total request+response time (request+queue+connect+response+processing), in milliseconds, averaged over the 1024 last requests (backend/server)",
        kinds: [None, Some(("MaP", "u32")), Some(("MaP", "u32")), None],
    },
    Field {
        name: "agent_status",
        desc: "Status report of the server's latest agent check, prefixed with '*' if a check is currently in progress",
        kinds: [None, None, Some(("MOP", "str")), None],
    },
    Field {
        name: "agent_code",
        // measured (`show stat typed desc`): `S.2.1.63.agent_code.1:MOP:u32:0:"..."`
        desc: "Status code reported by the latest server agent check",
        kinds: [None, None, Some(("MOP", "u32")), None],
    },
    Field {
        name: "agent_duration",
        desc: "Total duration of the latest server agent check, in milliseconds",
        kinds: [None, None, Some(("MDP", "u64")), None],
    },
    Field {
        name: "check_desc",
        desc: "Textual description of the latest health check report for this server",
        kinds: [None, None, Some(("MOP", "str")), None],
    },
    Field {
        name: "agent_desc",
        desc: "Textual description of the latest agent check report for this server",
        kinds: [None, None, Some(("MOP", "str")), None],
    },
    Field {
        name: "check_rise",
        desc: "Number of successful health checks before declaring a server UP (server 'rise' setting)",
        kinds: [None, None, Some(("CGS", "u32")), None],
    },
    Field {
        name: "check_fall",
        desc: "Number of failed health checks before declaring a server DOWN (server 'fall' setting)",
        kinds: [None, None, Some(("CGS", "u32")), None],
    },
    Field {
        name: "check_health",
        desc: "Current server health check level (0..fall-1=DOWN, fall..rise-1=UP)",
        kinds: [None, None, Some(("CGS", "u32")), None],
    },
    Field {
        name: "agent_rise",
        desc: "Number of successful agent checks before declaring a server UP (server 'rise' setting)",
        kinds: [None, None, Some(("CGS", "u32")), None],
    },
    Field {
        name: "agent_fall",
        desc: "Number of failed agent checks before declaring a server DOWN (server 'fall' setting)",
        kinds: [None, None, Some(("CGS", "u32")), None],
    },
    Field {
        name: "agent_health",
        desc: "Current server agent check level (0..fall-1=DOWN, fall..rise-1=UP)",
        kinds: [None, None, Some(("CGS", "u32")), None],
    },
    Field {
        name: "addr",
        desc: "Server's address:port, shown only if show-legends is set, or at levels oper/admin for the CLI",
        kinds: [None, None, Some(("CGS", "str")), Some(("CGS", "str"))],
    },
    Field {
        name: "cookie",
        desc: "Backend's cookie name or Server's cookie value, shown only if show-legends is set, or at levels oper/admin for the CLI",
        kinds: [None, Some(("CNS", "str")), Some(("CNS", "str")), None],
    },
    Field {
        name: "mode",
        desc: "'mode' setting (tcp/http/health/cli)",
        kinds: [
            Some(("CGS", "str")),
            Some(("CGS", "str")),
            Some(("CGS", "str")),
            Some(("CGS", "str")),
        ],
    },
    Field {
        name: "algo",
        desc: "Backend's load balancing algorithm, shown only if show-legends is set, or at levels oper/admin for the CLI",
        kinds: [None, Some(("CGS", "str")), None, None],
    },
    Field {
        name: "conn_rate",
        desc: "Number of new connections accepted over the last second on the frontend for this worker process",
        kinds: [Some(("MRP", "u32")), None, None, None],
    },
    Field {
        name: "conn_rate_max",
        desc: "Highest value of connections per second observed since the worker process started",
        kinds: [Some(("MMP", "u32")), None, None, None],
    },
    Field {
        name: "conn_tot",
        desc: "Total number of new connections accepted on this frontend since the worker process started",
        kinds: [Some(("MCP", "u64")), None, None, None],
    },
    Field {
        name: "intercepted",
        desc: "Total number of HTTP requests intercepted on the frontend (redirects/stats/services) since the worker process started",
        kinds: [Some(("MCP", "u64")), None, None, None],
    },
    Field {
        name: "dcon",
        desc: "Total number of incoming connections blocked on a listener/frontend by a tcp-request connection rule since the worker process started",
        kinds: [Some(("MCP", "u64")), None, None, Some(("MCP", "u64"))],
    },
    Field {
        name: "dses",
        desc: "Total number of incoming sessions blocked on a listener/frontend by a tcp-request connection rule since the worker process started",
        kinds: [Some(("MCP", "u64")), None, None, Some(("MCP", "u64"))],
    },
    Field {
        name: "wrew",
        desc: "Total number of failed HTTP header rewrites since the worker process started",
        kinds: [
            Some(("MCP", "u64")),
            Some(("MCP", "u64")),
            Some(("MCP", "u64")),
            Some(("MCP", "u64")),
        ],
    },
    Field {
        name: "connect",
        desc: "Total number of outgoing connection attempts on this backend/server since the worker process started",
        kinds: [None, Some(("MCP", "u64")), Some(("MCP", "u64")), None],
    },
    Field {
        name: "reuse",
        desc: "Total number of reused connection on this backend/server since the worker process started",
        kinds: [None, Some(("MCP", "u64")), Some(("MCP", "u64")), None],
    },
    Field {
        name: "cache_lookups",
        desc: "Total number of HTTP requests looked up in the cache on this frontend/backend since the worker process started",
        kinds: [Some(("MCP", "u64")), Some(("MCP", "u64")), None, None],
    },
    Field {
        name: "cache_hits",
        desc: "Total number of HTTP requests not found in the cache on this frontend/backend since the worker process started",
        kinds: [Some(("MCP", "u64")), Some(("MCP", "u64")), None, None],
    },
    Field {
        name: "srv_icur",
        desc: "Current number of idle connections available for reuse on this server",
        kinds: [None, None, Some(("MGP", "u32")), None],
    },
    Field {
        name: "src_ilim",
        desc: "Limit on the number of available idle connections on this server (server 'pool_max_conn' directive)",
        // shown for servers with a limit: `add server`'s (measured, 2.6.12: 0)
        kinds: [None, None, Some(("CLP", "u32")), None],
    },
    Field {
        name: "qtime_max",
        desc: "Maximum observed time spent in the queue, in milliseconds (backend/server)",
        kinds: [None, Some(("MMP", "u32")), Some(("MMP", "u32")), None],
    },
    Field {
        name: "ctime_max",
        desc: "Maximum observed time spent waiting for a connection to complete, in milliseconds (backend/server)",
        kinds: [None, Some(("MMP", "u32")), Some(("MMP", "u32")), None],
    },
    Field {
        name: "rtime_max",
        desc: "Maximum observed time spent waiting for a server response, in milliseconds (backend/server)",
        kinds: [None, Some(("MMP", "u32")), Some(("MMP", "u32")), None],
    },
    Field {
        name: "ttime_max",
        desc: "Maximum observed total request+response time (request+queue+connect+response+processing), in milliseconds (backend/server)",
        kinds: [None, Some(("MMP", "u32")), Some(("MMP", "u32")), None],
    },
    Field {
        name: "eint",
        desc: "Total number of internal errors since process started",
        kinds: [
            Some(("MCP", "u64")),
            Some(("MCP", "u64")),
            Some(("MCP", "u64")),
            Some(("MCP", "u64")),
        ],
    },
    Field {
        name: "idle_conn_cur",
        desc: "Current number of unsafe idle connections",
        kinds: [None, None, Some(("MGP", "u32")), None],
    },
    Field {
        name: "safe_conn_cur",
        desc: "Current number of safe idle connections",
        kinds: [None, None, Some(("MGP", "u32")), None],
    },
    Field {
        name: "used_conn_cur",
        desc: "Current number of connections in use",
        kinds: [None, None, Some(("MGP", "u32")), None],
    },
    Field {
        name: "need_conn_est",
        desc: "Estimated needed number of connections",
        kinds: [None, None, Some(("MGP", "u32")), None],
    },
    Field {
        name: "uweight",
        desc: "Server's user weight, or sum of active servers' user weights for a backend",
        kinds: [None, Some(("MaP", "u32")), Some(("MaP", "u32")), None],
    },
    Field {
        name: "agg_server_status",
        desc: "Backend's aggregated gauge of servers' status",
        kinds: [None, Some(("MGP", "u32")), None, None],
    },
    Field {
        name: "agg_server_check_status",
        desc: "Backend's aggregated gauge of servers' state check status",
        kinds: [None, Some(("MGP", "u32")), None, None],
    },
    Field {
        name: "agg_check_status",
        desc: "Backend's aggregated gauge of servers' state check status",
        kinds: [None, Some(("MGP", "u32")), None, None],
    },
    Field {
        name: "ssl_sess",
        desc: "Total number of ssl sessions established",
        kinds: [
            Some(("MCP", "u64")),
            Some(("MCP", "u64")),
            Some(("MCP", "u64")),
            Some(("MCP", "u64")),
        ],
    },
    Field {
        name: "ssl_reused_sess",
        desc: "Total number of ssl sessions reused",
        kinds: [
            Some(("MCP", "u64")),
            Some(("MCP", "u64")),
            Some(("MCP", "u64")),
            Some(("MCP", "u64")),
        ],
    },
    Field {
        name: "ssl_failed_handshake",
        desc: "Total number of failed handshake",
        kinds: [
            Some(("MCP", "u64")),
            Some(("MCP", "u64")),
            Some(("MCP", "u64")),
            Some(("MCP", "u64")),
        ],
    },
    Field {
        name: "h2_headers_rcvd",
        desc: "Total number of received HEADERS frames",
        kinds: [Some(("MCP", "u64")), Some(("MCP", "u64")), None, None],
    },
    Field {
        name: "h2_data_rcvd",
        desc: "Total number of received DATA frames",
        kinds: [Some(("MCP", "u64")), Some(("MCP", "u64")), None, None],
    },
    Field {
        name: "h2_settings_rcvd",
        desc: "Total number of received SETTINGS frames",
        kinds: [Some(("MCP", "u64")), Some(("MCP", "u64")), None, None],
    },
    Field {
        name: "h2_rst_stream_rcvd",
        desc: "Total number of received RST_STREAM frames",
        kinds: [Some(("MCP", "u64")), Some(("MCP", "u64")), None, None],
    },
    Field {
        name: "h2_goaway_rcvd",
        desc: "Total number of received GOAWAY frames",
        kinds: [Some(("MCP", "u64")), Some(("MCP", "u64")), None, None],
    },
    Field {
        name: "h2_detected_conn_protocol_errors",
        desc: "Total number of connection protocol errors",
        kinds: [Some(("MCP", "u64")), Some(("MCP", "u64")), None, None],
    },
    Field {
        name: "h2_detected_strm_protocol_errors",
        desc: "Total number of stream protocol errors",
        kinds: [Some(("MCP", "u64")), Some(("MCP", "u64")), None, None],
    },
    Field {
        name: "h2_rst_stream_resp",
        desc: "Total number of RST_STREAM sent on detected error",
        kinds: [Some(("MCP", "u64")), Some(("MCP", "u64")), None, None],
    },
    Field {
        name: "h2_goaway_resp",
        desc: "Total number of GOAWAY sent on detected error",
        kinds: [Some(("MCP", "u64")), Some(("MCP", "u64")), None, None],
    },
    Field {
        name: "h2_open_connections",
        desc: "Count of currently open connections",
        kinds: [Some(("MGP", "u64")), Some(("MGP", "u64")), None, None],
    },
    Field {
        name: "h2_backend_open_streams",
        desc: "Count of currently open streams",
        kinds: [Some(("MGP", "u64")), Some(("MGP", "u64")), None, None],
    },
    Field {
        name: "h2_total_connections",
        desc: "Total number of connections",
        kinds: [Some(("MCP", "u64")), Some(("MCP", "u64")), None, None],
    },
    Field {
        name: "h2_backend_total_streams",
        desc: "Total number of streams",
        kinds: [Some(("MCP", "u64")), Some(("MCP", "u64")), None, None],
    },
    Field {
        name: "h1_open_connections",
        desc: "Count of currently open connections",
        kinds: [Some(("MGP", "u64")), Some(("MGP", "u64")), None, None],
    },
    Field {
        name: "h1_open_streams",
        desc: "Count of currently open streams",
        kinds: [Some(("MGP", "u64")), Some(("MGP", "u64")), None, None],
    },
    Field {
        name: "h1_total_connections",
        desc: "Total number of connections",
        kinds: [Some(("MCP", "u64")), Some(("MCP", "u64")), None, None],
    },
    Field {
        name: "h1_total_streams",
        desc: "Total number of streams",
        kinds: [Some(("MCP", "u64")), Some(("MCP", "u64")), None, None],
    },
    Field {
        name: "h1_bytes_in",
        desc: "Total number of bytes received",
        kinds: [Some(("MCP", "u64")), Some(("MCP", "u64")), None, None],
    },
    Field {
        name: "h1_bytes_out",
        desc: "Total number of bytes send",
        kinds: [Some(("MCP", "u64")), Some(("MCP", "u64")), None, None],
    },
    Field {
        name: "h1_spliced_bytes_in",
        desc: "Total number of bytes received using kernel splicing",
        kinds: [Some(("MCP", "u64")), Some(("MCP", "u64")), None, None],
    },
    Field {
        name: "h1_spliced_bytes_out",
        desc: "Total number of bytes sendusing kernel splicing",
        kinds: [Some(("MCP", "u64")), Some(("MCP", "u64")), None, None],
    },
];
