#!/usr/bin/env bash
# Failover figures for tandem and keepalived in the same roles, measured with
# ../shared/tools/vrrp-lab (network namespaces vl-*, 192.0.2.0/24 only; needs root).
#
# Usage: compat-tests/vrrp/failover.sh [variants...]   (default: term kill linkdown track)
# Runs three labs with the same seed: keepalived on both nodes; tandem as n1 (the master:
# its SIGTERM / crash / link loss / track failure and its preemption are measured); tandem as
# n2 (the backup that takes over). Prints vrrp-lab's per-variant lines, prefixed by the setup.
# Environment: TANDEM_CMD, the daemon command template ({conf} is replaced); default
# "<repo>/target/debug/tandem keepalived -n -l -D -f {conf} -p {state}/k.pid -r {state}/v.pid"
# (own pid files: the defaults /run/keepalived.pid and /run/vrrp.pid are shared by both
# nodes). VRRP_VERSION / VRRP_UNICAST / VRRP_LAB_SEED are passed to the lab.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
lab=${VRRP_LAB:-$here/../shared/tools/vrrp-lab}
[[ -x $lab ]] || { echo "vrrp-lab not found at $lab" >&2; exit 2; }
default_cmd="$here/target/debug/tandem keepalived -n -l -D -f {conf} -p {state}/k.pid -r {state}/v.pid"
tandem=${TANDEM_CMD:-$default_cmd}
variants=("$@"); ((${#variants[@]})) || variants=(term kill linkdown track)
export VRRP_LAB_SEED=${VRRP_LAB_SEED:-7}

run() {  # run LABEL [VAR=value...]
  local label=$1; shift
  local out; out=$(mktemp)
  if env "$@" "$lab" up >"$out" 2>&1 && env "$@" "$lab" failover "${variants[@]}" >>"$out" 2>&1; then :; fi
  env "$@" "$lab" down >>"$out" 2>&1 || true
  grep '^variant=' "$out" | sed "s/^/$label /" || { echo "$label: no figures; log:" >&2; cat "$out" >&2; }
  rm -f "$out"
}

run keepalived-both VRRP_X=1
run tandem-n1 "VRRP_DAEMON_N1=$tandem"
run tandem-n2 "VRRP_DAEMON_N2=$tandem"
