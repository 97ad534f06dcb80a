#!/usr/bin/env python3
"""Projects a merged breakdown (secinfer.breakdown/1, usually measured over loopback) onto a link.

usage: net_projection.py BREAKDOWN_MERGED.json --net PROFILE [--json OUT.json]

PROFILE: none, lan (1 GB/s, 0.5 ms one-way), wan (400 MB/s, 4 ms one-way) or
rate=RATE,delay=DELAY, the profiles of `secinfer local --net` (apps/netem.h). Per scope s
(docs/design/net-projection.md):

    projected(s) = max(0, time(s) - wait(s)) + bytes(s) / rate + rounds(s) * delay

time: the reconciled median exclusive wall time; wait: its comm wait (median run, max over the
parties); bytes: both parties' bytes sent in the scope (P0 sent + P1 sent: a full-duplex
exchange of large frames over a FIFO-queued link runs at about half the rate each way, as the
ACKs of one direction queue behind the other's data; measured, docs/design/net-projection.md);
rounds: max over the parties; delay: the one-way latency
(a round is one exchange in which both parties send, then wait one one-way delay for the other's
message). The projected total is the sum over the scopes. --additive keeps the wait in the first
term (max(0, time - wait) becomes time): the upper model, right when the loopback wait is the
peer's compute rather than transport. scripts/report.py --project PROFILE
writes the projection of every setting it reads.
"""
import argparse
import json
import re
import sys

PROFILES = {"none": (0.0, 0.0), "loopback": (0.0, 0.0), "lan": (1e9, 0.5), "wan": (400e6, 4.0)}
RATE_UNITS = {"B/s": 1, "KB/s": 1e3, "MB/s": 1e6, "GB/s": 1e9, "KiB/s": 1024.0, "MiB/s": 2.0**20,
              "GiB/s": 2.0**30, "kbit": 1e3 / 8, "Mbit": 1e6 / 8, "Gbit": 1e9 / 8, "bit": 1 / 8}
DELAY_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def parse_profile(text):
    """(name, rate in bytes/s (0 = unlimited), one-way delay in ms), as apps/netem.cpp parses it.
    Raises ValueError for anything `secinfer local --net` would refuse."""
    if text in PROFILES:
        rate, delay = PROFILES[text]
        return ("none" if text == "loopback" else text), rate, delay
    rate, delay, seen = 0.0, 0.0, set()
    for item in text.split(","):
        key, eq, value = item.partition("=")
        if not eq or key not in ("rate", "delay") or key in seen:
            raise ValueError(f"--net {text}: use none, lan, wan or rate=RATE,delay=DELAY")
        seen.add(key)
        m = re.fullmatch(r"([0-9.eE+-]+)(.*)", value)
        units = RATE_UNITS if key == "rate" else DELAY_UNITS
        if not m or m.group(2) not in units:
            raise ValueError(f"--net {text}: bad {key} \"{value}\" (units: {', '.join(units)})")
        v = float(m.group(1)) * units[m.group(2)]
        if key == "rate":
            if not v > 0:
                raise ValueError(f"--net {text}: the rate must be > 0")
            rate = v
        else:
            if v < 0:
                raise ValueError(f"--net {text}: the delay must be >= 0")
            delay = v
    return "custom", rate, delay


def project(merged, rate, delay_ms, subtract_wait=True):
    """{"scopes": [{path, measured_ms, wait_ms, compute_ms, transfer_ms, latency_ms, projected_ms}],
    "measured_ms", "projected_ms", "compute_ms", "transfer_ms", "latency_ms"} for one link.
    subtract_wait=False: the additive model, compute = the measured time with its wait (the wait
    of a loopback run is mostly the peer's compute, which a slower link does not hide)."""
    rows = []
    for s in merged.get("scopes", []):
        t = s["exclusive_wall_ms"]["median"]
        w = s.get("comm_wait_ms", {}).get("median_run", 0.0)
        wire = s.get("bytes", 0)
        rounds = s.get("rounds", 0)
        compute = max(0.0, t - w) if subtract_wait else t
        transfer = 1e3 * wire / rate if rate > 0 else 0.0
        latency = rounds * delay_ms
        rows.append({"path": s["path"], "measured_ms": t, "wait_ms": w, "compute_ms": compute,
                     "bytes": wire, "rounds": rounds, "transfer_ms": transfer,
                     "latency_ms": latency, "projected_ms": compute + transfer + latency})
    total = lambda k: sum(r[k] for r in rows)
    return {"scopes": rows, "measured_ms": merged.get("total", {}).get("wall_ms", {}).get("median", 0.0),
            "projected_ms": total("projected_ms"), "compute_ms": total("compute_ms"),
            "transfer_ms": total("transfer_ms"), "latency_ms": total("latency_ms")}


def format_projection(name, rate, delay_ms, p):
    head = (f"projection to {name} (rate {'unlimited' if rate <= 0 else f'{rate / 1e6:g} MB/s'}, "
            f"{delay_ms:g} ms one-way): measured {p['measured_ms']:.1f} ms -> projected "
            f"{p['projected_ms']:.1f} ms = compute {p['compute_ms']:.1f} + transfer "
            f"{p['transfer_ms']:.1f} + latency {p['latency_ms']:.1f}")
    lines = [head, f"{'scope':<34}{'measured':>10}{'wait':>10}{'transfer':>10}{'latency':>10}{'projected':>11}"]
    for r in p["scopes"]:
        lines.append(f"{r['path'][:33]:<34}{r['measured_ms']:>10.2f}{r['wait_ms']:>10.2f}"
                     f"{r['transfer_ms']:>10.2f}{r['latency_ms']:>10.2f}{r['projected_ms']:>11.2f}")
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("breakdown")
    ap.add_argument("--net", required=True)
    ap.add_argument("--json", help="write the projection here")
    ap.add_argument("--additive", action="store_true", help="keep the comm wait in the compute "
                    "term (the additive model of docs/design/net-projection.md)")
    a = ap.parse_args()
    try:
        name, rate, delay = parse_profile(a.net)
    except ValueError as e:
        print(f"net_projection: {e}", file=sys.stderr)
        return 2
    merged = json.load(open(a.breakdown))
    if merged.get("status") != "ok":
        print(f"net_projection: {a.breakdown} has status {merged.get('status')}: nothing to project",
              file=sys.stderr)
        return 1
    p = project(merged, rate, delay, subtract_wait=not a.additive)
    p.update({"profile": name, "rate_bytes_per_s": rate, "delay_ms_one_way": delay})
    sys.stdout.write(format_projection(name, rate, delay, p))
    if a.json:
        json.dump(p, open(a.json, "w"), indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
