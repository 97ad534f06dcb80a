#!/usr/bin/env python3
"""Check a merged breakdown (breakdown_merged.json, schema secinfer.breakdown/1) against the rules
of profiling/README.md ("Merge"). Standard library only.

usage: check_breakdown.py FILE [--need SCOPE ...] [--tol FRACTION]

Checks:
  * schema secinfer.breakdown/1 and status ok (a failed or oom merge is rejected with its reason);
  * both parties present: total.bytes_sent / bytes_recv / wall_ms_party / rounds_party and every
    scope's bytes_sent / bytes_recv have p0 and p1 (and the environment, where recorded);
  * at least one measured run and at least one scope;
  * the scopes' exclusive median times add up to the total median wall time within --tol (a
    fraction of the total, default 0.01 = 1%; the merge reconciles them exactly, up to rounding);
  * bytes, messages and rounds (per scope, per party and in total) are non-negative integers;
    per scope P0 sent == P1 received and P1 sent == P0 received, bytes == P0 sent + P1 sent and
    rounds == max of the parties' rounds; the totals (bytes, messages, rounds, bytes per party)
    are the sums over the scopes;
  * each --need SCOPE names a scope present (the path itself, a prefix "SCOPE/...", a last part
    ".../SCOPE" or a middle part ".../SCOPE/...").

Prints "ok: ..." and exits 0 when every check passes; prints the problems (one per line, the
first 20) and exits 1 otherwise; exit 2 for bad arguments or a file that is not JSON / not there.
"""
import argparse
import json
import math
import sys

PARTIES = ("p0", "p1")


def is_count(v):
    """A non-negative integer (JSON integers only: bool and float are refused)."""
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


class Checker:
    def __init__(self):
        self.problems = []

    def bad(self, msg):
        self.problems.append(msg)

    def per_party(self, where, d, counts=True):
        """d must be {p0: x, p1: y}; returns (x, y) or None."""
        if not isinstance(d, dict):
            self.bad(f"{where}: expected {{p0, p1}}, got {json.dumps(d)[:80]}")
            return None
        missing = [p for p in PARTIES if p not in d]
        if missing:
            self.bad(f"{where}: party {', '.join(missing)} missing (both parties must be present)")
            return None
        for p in PARTIES:
            ok = is_count(d[p]) if counts else (is_number(d[p]) or isinstance(d[p], dict))
            if not ok:
                self.bad(f"{where}.{p}: expected a non-negative integer, got {d[p]!r}")
                return None
        return d["p0"], d["p1"]

    def count(self, where, v):
        if not is_count(v):
            self.bad(f"{where}: expected a non-negative integer, got {v!r}")
            return None
        return v


def median_of(where, stats, chk):
    if not isinstance(stats, dict) or not is_number(stats.get("median")):
        chk.bad(f"{where}: no numeric median")
        return None
    return float(stats["median"])


def check(d, need, tol):
    chk = Checker()
    if not isinstance(d, dict):
        chk.bad("not a JSON object")
        return chk.problems, {}
    if d.get("schema") != "secinfer.breakdown/1":
        chk.bad(f"schema={d.get('schema')!r}, expected 'secinfer.breakdown/1' (a merged breakdown, "
                "not a party log)")
    if d.get("status") != "ok":
        reason = d.get("reason")
        chk.bad(f"status={d.get('status')!r}" + (f" ({reason})" if reason else ""))
        return chk.problems, {}

    total = d.get("total")
    scopes = d.get("scopes")
    if not isinstance(total, dict):
        chk.bad("no total")
        return chk.problems, {}
    if not isinstance(scopes, list) or not scopes:
        chk.bad("no scopes")
        scopes = []

    runs = d.get("run_count", {})
    if isinstance(runs, dict) and "measured" in runs:
        if not is_count(runs["measured"]) or runs["measured"] < 1:
            chk.bad(f"run_count.measured={runs['measured']!r}: no measured run")

    # Both parties.
    for key in ("bytes_sent", "bytes_recv", "rounds_party"):
        if key in total or key in ("bytes_sent", "bytes_recv"):
            chk.per_party(f"total.{key}", total.get(key))
    if "wall_ms_party" in total:
        chk.per_party("total.wall_ms_party", total["wall_ms_party"], counts=False)
    env = d.get("environment")
    if isinstance(env, dict) and any(p in env for p in PARTIES):
        for p in PARTIES:
            if p not in env:
                chk.bad(f"environment: party {p} missing")

    # Times: exclusive medians add up to the total median.
    total_ms = median_of("total.wall_ms", total.get("wall_ms"), chk)
    excl = 0.0
    for s in scopes:
        path = s.get("path", "?") if isinstance(s, dict) else "?"
        if not isinstance(s, dict):
            chk.bad(f"scope {s!r}: not an object")
            continue
        m = median_of(f"{path}: exclusive_wall_ms", s.get("exclusive_wall_ms"), chk)
        if m is not None:
            if m < 0:
                chk.bad(f"{path}: negative exclusive time {m}")
            excl += m
    if total_ms is not None:
        if total_ms <= 0:
            chk.bad(f"total wall time is {total_ms} ms")
        elif abs(excl - total_ms) > tol * total_ms + 1e-9 * max(1.0, total_ms):
            chk.bad(f"exclusive scope times sum to {excl:.3f} ms vs total {total_ms:.3f} ms "
                    f"(off by {abs(excl - total_ms) / total_ms:.2%}, tolerance {tol:.2%})")

    # Bytes, messages, rounds.
    sums = {"bytes": 0, "messages": 0, "rounds": 0}
    sent_sum = {p: 0 for p in PARTIES}
    recv_sum = {p: 0 for p in PARTIES}
    for s in scopes:
        if not isinstance(s, dict):
            continue
        path = s.get("path", "?")
        sent = chk.per_party(f"{path}: bytes_sent", s.get("bytes_sent"))
        recv = chk.per_party(f"{path}: bytes_recv", s.get("bytes_recv"))
        if sent and recv:
            if sent[0] != recv[1] or sent[1] != recv[0]:
                chk.bad(f"{path}: sent/recv mismatch: sent {s['bytes_sent']} vs received "
                        f"{s['bytes_recv']} (P0 sent must equal P1 received and vice versa)")
            for i, p in enumerate(PARTIES):
                sent_sum[p] += sent[i]
                recv_sum[p] += recv[i]
        for key in sums:
            v = chk.count(f"{path}: {key}", s.get(key))
            if v is not None:
                sums[key] += v
        if sent and is_count(s.get("bytes")) and s["bytes"] != sent[0] + sent[1]:
            chk.bad(f"{path}: bytes {s['bytes']} != P0 sent + P1 sent {sent[0] + sent[1]}")
        if "rounds_party" in s:
            rp = chk.per_party(f"{path}: rounds_party", s["rounds_party"])
            if rp and is_count(s.get("rounds")) and s["rounds"] != max(rp):
                chk.bad(f"{path}: rounds {s['rounds']} != max of the parties' {s['rounds_party']}")
    for key, v in sums.items():
        t = chk.count(f"total.{key}", total.get(key))
        if t is not None and t != v:
            chk.bad(f"total {key} {t} != sum of scope {key} {v}")
    for key, per in (("bytes_sent", sent_sum), ("bytes_recv", recv_sum)):
        t = total.get(key)
        if isinstance(t, dict) and all(is_count(t.get(p)) for p in PARTIES):
            for p in PARTIES:
                if t[p] != per[p]:
                    chk.bad(f"total.{key}.{p} {t[p]} != sum over the scopes {per[p]}")

    paths = [s.get("path", "") for s in scopes if isinstance(s, dict)]
    for n in need:
        if not any(p == n or p.startswith(n + "/") or p.endswith("/" + n) or ("/" + n + "/") in p
                   for p in paths):
            chk.bad(f"missing scope {n}")

    summary = {"scopes": len(scopes), "total_ms": total_ms or 0.0, "excl_ms": excl,
               "bytes": total.get("bytes"), "messages": total.get("messages"),
               "rounds": total.get("rounds")}
    return chk.problems, summary


def main(argv):
    ap = argparse.ArgumentParser(
        prog="check_breakdown.py",
        description="Check a merged breakdown (breakdown_merged.json) against the merge rules of "
                    "profiling/README.md. Exit 0 ok, 1 a check failed, 2 bad arguments or "
                    "unreadable file.")
    ap.add_argument("file", help="breakdown_merged.json")
    ap.add_argument("--need", action="append", default=[], metavar="SCOPE",
                    help="a scope that must be present (repeatable)")
    ap.add_argument("--tol", type=float, default=0.01, metavar="FRACTION",
                    help="tolerance of the exclusive-time sum, a fraction of the total "
                         "(default 0.01 = 1%%; 0 = exact up to float rounding)")
    args = ap.parse_args(argv)
    if not (args.tol >= 0 and math.isfinite(args.tol)):
        ap.error(f"--tol {args.tol}: expected a fraction >= 0")
    try:
        with open(args.file, encoding="utf-8") as f:
            d = json.load(f)
    except (OSError, ValueError) as e:
        print(f"check_breakdown.py: cannot read {args.file}: {e}", file=sys.stderr)
        return 2
    problems, s = check(d, args.need, args.tol)
    if problems:
        for p in problems[:20]:
            print(p)
        if len(problems) > 20:
            print(f"... and {len(problems) - 20} more")
        return 1
    print(f"ok: {s['scopes']} scopes, total {s['total_ms']:.1f} ms, scopes sum {s['excl_ms']:.1f} ms, "
          f"{s['bytes']} bytes, {s['messages']} messages, rounds {s['rounds']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
