#!/bin/bash
# Run HAProxy's own vtest regression tests (reg-tests/**/*.vtc) against the
# real HAProxy and against tandem, and print one line per test.
#
# usage: tools/regtests/run.sh [-j N] [-o OUTDIR] DIR_OR_FILE...
#   env HAPROXY_BIN  reference program   (default /usr/sbin/haproxy)
#       TANDEM_BIN   tandem binary       (default <repo>/target/debug/tandem)
#       VTC_TIMEOUT  per-test timeout s  (default 10)
# Three runs per test:
#   haproxy  HAPROXY_PROGRAM=$HAPROXY_BIN
#   tandem   HAPROXY_PROGRAM=wrapper that execs `tandem haproxy "$@"`
#   shim     same through cli-shim.py, which drops the harness-added
#            `stats socket "fd@${cli}"` line and relays that fd to the unix
#            stats socket (measures everything behind that one start-up failure)
# A failed haproxy/shim run is retried once; a pass on the retry is "flaky".
# Like HAProxy's scripts/run-regtests.sh, ${no-htx} is defined as "#" (the
# old "${no-htx} option http-use-htx" lines become comments).
# Output: OUTDIR/results.tsv (test, haproxy, tandem, shim) and
# OUTDIR/logs/<test>.<mode>.log (varnishtest -v output).
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
jobs=2
out=${TMPDIR:-/tmp}/tandem-regtests
while [ $# -gt 0 ]; do
    case "$1" in
        -j) jobs=$2; shift 2 ;;
        -o) out=$2; shift 2 ;;
        -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
        *) break ;;
    esac
done
[ $# -gt 0 ] || { echo "usage: $0 [-j N] [-o OUTDIR] DIR_OR_FILE..." >&2; exit 2; }
HAPROXY_BIN=${HAPROXY_BIN:-/usr/sbin/haproxy}
TANDEM_BIN=${TANDEM_BIN:-$repo/target/debug/tandem}
VTC_TIMEOUT=${VTC_TIMEOUT:-10}
command -v varnishtest >/dev/null || { echo "varnishtest not found (apt-get install varnish)" >&2; exit 2; }
mkdir -p "$out/bin" "$out/logs"
out=$(cd "$out" && pwd)
printf '#!/bin/sh\nexec "%s" haproxy "$@"\n' "$TANDEM_BIN" > "$out/bin/haproxy"
printf '#!/bin/sh\nREGTEST_TARGET="%s haproxy" exec python3 "%s/cli-shim.py" "$@"\n' \
    "$TANDEM_BIN" "$here" > "$out/bin/haproxy-shim"
chmod +x "$out/bin/haproxy" "$out/bin/haproxy-shim"

find "$@" -name '*.vtc' | sort > "$out/list"

one() {
    f=$1 mode=$2 prog=$3 retry=${4:-1}
    name=$(echo "$f" | sed 's|^\./||; s|/|__|g; s|\.vtc$||')
    log="$out/logs/$name.$mode.log"
    (cd "$(dirname "$f")" && HAPROXY_PROGRAM=$prog varnishtest -v -k -t "$VTC_TIMEOUT" -Dno-htx=# "$(basename "$f")") > "$log" 2>&1
    if grep -q '^#  *top  TEST .* passed' "$log"; then echo pass; return; fi
    if grep -q '^#  *top  TEST .* skipped' "$log"; then echo skip; return; fi
    [ "$retry" = 1 ] || { echo FAIL; return; }
    # One retry: some upstream tests race with idle server connections
    # closing under the proxy ("HTTP header is incomplete"), on HAProxy too.
    mv "$log" "$log.try1"
    (cd "$(dirname "$f")" && HAPROXY_PROGRAM=$prog varnishtest -v -k -t "$VTC_TIMEOUT" -Dno-htx=# "$(basename "$f")") > "$log" 2>&1
    if grep -q '^#  *top  TEST .* passed' "$log"; then echo flaky; else echo FAIL; fi
}

run_test() {
    f=$1
    h=$(one "$f" haproxy "$HAPROXY_BIN")
    t=$(one "$f" tandem "$out/bin/haproxy" 0)
    s=$(one "$f" shim "$out/bin/haproxy-shim")
    printf '%s\t%s\t%s\t%s\n' "$f" "$h" "$t" "$s"
}

export out HAPROXY_BIN VTC_TIMEOUT
export -f one run_test 2>/dev/null || true
: > "$out/results.tsv"
if [ "$jobs" -gt 1 ] && [ -n "${BASH_VERSION:-}" ]; then
    xargs -P "$jobs" -I{} bash -c 'run_test "$1"' _ {} < "$out/list" | tee -a "$out/results.tsv"
else
    while read -r f; do run_test "$f"; done < "$out/list" | tee -a "$out/results.tsv"
fi
sort -o "$out/results.tsv" "$out/results.tsv"
awk -F'\t' 'function ok(x){return x=="pass"||x=="flaky"}
    {n++; if(ok($2))h++; if(ok($3))t++; if(ok($4))s++; if(ok($2)&&!ok($4))r++}
    END{printf "tests %d  haproxy pass %d  tandem pass %d  tandem+shim pass %d  (pass on haproxy, fail on tandem+shim: %d)\n", n,h,t,s,r}' "$out/results.tsv"
echo "results: $out/results.tsv  logs: $out/logs/"
