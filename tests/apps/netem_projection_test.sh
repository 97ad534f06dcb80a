#!/usr/bin/env bash
# The network projection (scripts/net_projection.py, docs/design/net-projection.md) against
# measured netem runs: bert-tiny (seq 128, sigma, cpu; the median of 3 runs, $NETEM_RUNS: one run
# on a shared 2-core machine varies by +-25%) over loopback, then over the lan and
# wan profiles of `secinfer local --net`; the loopback breakdown is projected onto each profile and
# compared with the measured total; and netbench (the link alone) over loopback and a 100 MB/s,
# 1 ms link. Passes when |projected - measured| / measured <= 0.5 ($NETEM_TOLERANCE) for bert-tiny
# on both profiles (the spread of a 1 s run on a shared 2-core machine: other jobs move it by up
# to +-50%) and <= 0.25 ($NETEM_NB_TOLERANCE) for netbench; prints the numbers (docs/perf.md
# records them). Skips (exit 77, the reason printed) where namespaces cannot be made: not root, no
# iproute2 / tc, no netem. About a minute on a 2-core machine.
# Usage: tests/apps/netem_projection_test.sh [SECINFER_BIN]   (registered with ctest)
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-${SECINFER_BIN:-$root/build/bin/secinfer}}
tolerance=${NETEM_TOLERANCE:-0.5}
nb_tolerance=${NETEM_NB_TOLERANCE:-0.25}
skip() {
  echo "SKIPPED: $*"
  exit 77
}
# A comparison of timings: on demand only, never a pass/fail criterion of CI on a shared machine.
[ "${SECINFER_TIMED_TESTS:-0}" = 1 ] ||
  skip "compares measured times; run with SECINFER_TIMED_TESTS=1 (e.g. SECINFER_TIMED_TESTS=1 ctest -R netem_projection)"
[ -x "$bin" ] || { echo "FAIL: the secinfer binary $bin is missing: build the secinfer target"; exit 1; }
[ "$(id -u)" = 0 ] || skip "not root (uid $(id -u)): network namespaces and tc need root"
PATH=$PATH:/usr/sbin:/sbin
command -v ip > /dev/null || skip "iproute2's ip is not installed"
command -v tc > /dev/null || skip "tc is not installed"
probe=secinfer-probe-$$
ip netns add "$probe" 2> /dev/null || skip "cannot create a network namespace (ip netns add failed)"
ip netns del "$probe"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
common=(local --model bert-tiny --seq 128 --runs "${NETEM_RUNS:-3}" --warmup 0 --backend cpu --system sigma)
# The transfer term alone, where compute cannot hide it: netbench (20 exchanges of 1 MB each way)
# over loopback and over a 100 MB/s link with 1 ms one-way delay (10 ms + 1 ms a round).
nb=(local --workload netbench --bytes 1000000 --rounds 20 --runs 3 --warmup 1)
# Runs `secinfer ARGS... --out DIR`; a failure ends the test.
run() {
  local dir=$1
  shift
  if ! timeout 100 "$bin" "$@" --out "$dir" > "$dir.out" 2> "$dir.err"; then
    echo "FAIL: secinfer $* failed:"
    tail -n 20 "$dir.err"
    exit 1
  fi
}
measure() {
  for net in none lan wan; do
    start=$(date +%s)
    run "$tmp/$net" "${common[@]}" --net "$net"
    echo "--net $net: $(( $(date +%s) - start )) s"
  done
  run "$tmp/nb-none" "${nb[@]}" --net none
  run "$tmp/nb-link" "${nb[@]}" --net "rate=100MB/s,delay=1ms"
}

compare() {
  python3 - "$root/scripts" "$tmp" "$tolerance" "$nb_tolerance" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[1])
import net_projection
tmp, tol, nb_tol = sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
load = lambda net: json.load(open(f"{tmp}/{net}/breakdown_merged.json"))
base = load("none")
t = base["total"]
print(f"loopback: {t['wall_ms']['median']:.1f} ms, comm wait {t['comm_wait_ms_median_run']:.1f} ms, "
      f"{t['bytes'] / 1e6:.2f} MB (P0 sent {t['bytes_sent']['p0'] / 1e6:.2f}, P1 sent "
      f"{t['bytes_sent']['p1'] / 1e6:.2f}), {t['rounds']} rounds")
worst, failed = 0.0, []
for net in ("lan", "wan"):
    m = load(net)
    env = m["environment"]["p0"].get("net", {})
    if not env.get("emulated"):
        print(f"SKIPPED: --net {net} ran over loopback: {env.get('fallback_reason', 'no net record')}")
        sys.exit(77)
    # The link actually used: where the kernel lacks netem, tbf shapes the rate and the delay is
    # recorded as 0 (apps/netem.h); the projection is onto that link.
    rate, delay = env["rate_bytes_per_s"], env["delay_ms_one_way"]
    if env.get("shaper") != "netem":
        print(f"{net}: {env.get('netem_missing', 'no netem')}: rate only (tbf), delay not emulated")
    p = net_projection.project(base, rate, delay)
    add = net_projection.project(base, rate, delay, subtract_wait=False)
    measured = m["total"]["wall_ms"]["median"]
    err = (p["projected_ms"] - measured) / measured
    add_err = (add["projected_ms"] - measured) / measured
    worst = max(worst, abs(err))
    print(f"{net} ({rate / 1e6:g} MB/s, {delay:g} ms one-way, {env.get('shaper')}): measured {measured:.1f} ms, projected {p['projected_ms']:.1f} ms (compute "
          f"{p['compute_ms']:.1f} + transfer {p['transfer_ms']:.1f} + latency {p['latency_ms']:.1f}), "
          f"error {100 * err:+.1f}%; additive model {add['projected_ms']:.1f} ms, error "
          f"{100 * add_err:+.1f}%; measured comm wait {m['total']['comm_wait_ms_median_run']:.1f} ms")
    if abs(err) > tol:
        failed.append(net)
nb_base, nb = load("nb-none"), load("nb-link")
env = nb["environment"]["p0"]["net"]
p = net_projection.project(nb_base, env["rate_bytes_per_s"], env["delay_ms_one_way"])
measured = nb["total"]["wall_ms"]["median"]
err = (p["projected_ms"] - measured) / measured
print(f"netbench 20 x 1 MB ({env['rate_bytes_per_s'] / 1e6:g} MB/s, {env['delay_ms_one_way']:g} ms "
      f"one-way, {env.get('shaper')}): loopback {nb_base['total']['wall_ms']['median']:.1f} ms, "
      f"measured {measured:.1f} ms, projected {p['projected_ms']:.1f} ms (transfer "
      f"{p['transfer_ms']:.1f} + latency {p['latency_ms']:.1f}), error {100 * err:+.1f}%")
if abs(err) > nb_tol:
    failed.append(f"netbench (tolerance {100 * nb_tol:.0f}%)")
print(f"bert-tiny: worst |error| {100 * worst:.1f}% (tolerance {100 * tol:.0f}%)")
if failed:
    print(f"FAIL: the projection misses the measured netem total by more than the tolerance for {failed}")
    sys.exit(1)
print("PASS")
PY
}

# Other jobs on a shared machine can slow one of the runs by half: a miss is measured once more.
for attempt in 1 2; do
  measure
  compare
  rc=$?
  [ $rc = 1 ] && [ $attempt = 1 ] && { echo "(attempt 1 missed: measuring again)"; continue; }
  exit $rc
done
