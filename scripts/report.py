#!/usr/bin/env python3
"""Builds the paper's figures and tables from a folder of merged breakdowns.

usage: report.py RESULTS_DIR [--microbench MICRO.json ...] [--import DIR[:LABEL] ...] [--out DIR]

Reads every RESULTS_DIR/**/breakdown_merged.json (schema secinfer.breakdown/1) and writes into
--out (default RESULTS_DIR/report):
  summary.json, summary.csv            one row per setting: totals and per-category time/bytes/rounds
  time_<model>.png/.pdf                stacked bars (sigma | fusefss per seq/batch) by category, ms
  bytes_<model>.png/.pdf               the same for online bytes (MiB, as in the CLI tables)
  rounds_<model>.png/.pdf              rounds per category
  share_table.md/.tex                  nonlinear vs linear share of online wall time per suite
  amdahl_table.md/.tex                 f, s, predicted = 1/((1-f)+f/s), measured, difference
  padding_table.md/.tex                fusefss padding on vs off: time, bytes, nonlinear change
  reconciliation.txt                   the one-line sentence with the measured numbers
  projection_<profile>.md/.tex         with --project PROFILE: each setting projected onto that link
                                       (scripts/net_projection.py; docs/design/net-projection.md)
  beside_table.md/.tex, beside_<model>.png/.pdf, original_table.md/.tex, imported.json
                                       with --import DIR[:LABEL]: a user's own SIGMA / SUF runs (their
                                       dealer.txt / evaluator.txt, scripts/import_stats.py) beside
                                       ours, labelled as the original codes' overlapping counters
Nonlinear = Softmax + LayerNorm + Activation::* + TruncRescale (the question the report answers);
linear = Linear; everything else (Misc, KeyTransfer, Unattributed, ...) is shown as its own bar
segment and counted in neither. s, the nonlinear speed-up, comes from the microbenchmark file when
given (the microbench.json of `secinfer microbench` for each system, or the aggregate of
scripts/microbench.sh), and from the measured nonlinear scope times otherwise; the table
says which.
"""
import argparse
import csv
import json
import os
import sys
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import net_projection  # noqa: E402  (beside this script)
import import_stats  # noqa: E402

NONLINEAR = ("Softmax", "LayerNorm", "Activation::GELU", "Activation::SiLU", "TruncRescale")
LINEAR = ("Linear",)
ORDER = ["Linear", "Softmax", "LayerNorm", "Activation::GELU", "Activation::SiLU", "TruncRescale",
         "Misc", "CommWait"]


def category(path):
    top = path.split("/")[0]
    return top


def load(results_dir):
    rows = []
    for root, _dirs, files in os.walk(results_dir):
        if "breakdown_merged.json" not in files:
            continue
        f = os.path.join(root, "breakdown_merged.json")
        try:
            d = json.load(open(f))
        except (OSError, ValueError) as e:
            print(f"report: skipping {f}: {e}", file=sys.stderr)
            continue
        c = d.get("config", {})
        # The link of `secinfer local --net` (environment.p0.net.profile): an emulated run is its
        # own setting, "<model>@<profile>", never paired with the loopback run of the same model.
        # So is a CUDA run under NVIDIA's MPS (environment.p0.gpu_sharing, apps/gpu_sharing.h),
        # "<model>@mps": both parties on one GPU measure 1.8-2.1x apart with and without it.
        env0 = (d.get("environment") or {}).get("p0") or {}
        net = env0.get("net", {}).get("profile", "none")
        model = c.get("model") if net == "none" else f"{c.get('model')}@{net}"
        if str(env0.get("gpu_sharing", "")).startswith("MPS"):
            model = f"{model}@mps"
        model_input = (d.get("offline") or {}).get("model_input") or {}
        plan = (d.get("memory_plan") or {}).get("p0") or {}
        row = {
            "file": f, "status": d.get("status", "?"), "model": model, "seq": c.get("seq"), "net": net,
            "batch": c.get("batch"), "system": c.get("system"), "padding": c.get("padding", "on"),
            "backend": c.get("backend"), "total_ms": d.get("total", {}).get("wall_ms", {}).get("median", 0.0),
            "bytes": d.get("total", {}).get("bytes", 0), "rounds": d.get("total", {}).get("rounds", 0),
            "key_bytes": sum((d.get("offline", {}).get("key_bytes") or {}).values()) if isinstance(
                d.get("offline", {}).get("key_bytes"), dict) else 0,
            # Per run, beside the online bytes: the offline phase's traffic and keygen time; once,
            # before the runs, the model input (the masked weights sent; 0 in older logs); and the
            # whole execution's bytes on the wire (every run, offline phase, model input and
            # control message).
            "offline_bytes": (d.get("offline") or {}).get("bytes", 0),
            "keygen_ms": (d.get("offline") or {}).get("keygen_ms", 0.0),
            "model_input_ms": model_input.get("ms", {}).get("max", 0.0),
            "model_input_bytes": sum((model_input.get("bytes_sent") or {}).values()),
            "wire_bytes": (d.get("wire") or {}).get("total_bytes", 0),
            # How memory split the run (party 0's plan; 0 where the log has none): sequences per
            # micro-batch and rows per layer chunk, which multiply its rounds.
            "micro_batch": plan.get("micro_batch", 0),
            "chunk_rows": plan.get("chunk_rows", 0),
            "time": defaultdict(float), "bytes_by": defaultdict(int), "rounds_by": defaultdict(int),
        }
        for s in d.get("scopes", []):
            cat = category(s["path"])
            row["time"][cat] += s["exclusive_wall_ms"]["median"]
            row["bytes_by"][cat] += s.get("bytes", 0)
            row["rounds_by"][cat] += s.get("rounds", 0)
        row["nonlinear_ms"] = sum(v for k, v in row["time"].items() if k in NONLINEAR)
        row["linear_ms"] = sum(v for k, v in row["time"].items() if k in LINEAR)
        rows.append(row)
    rows.sort(key=lambda r: (str(r["model"]), r["seq"] or 0, r["batch"] or 0, str(r["system"]), str(r["padding"])))
    return rows


def key(r):
    return (r["model"], r["seq"], r["batch"])


def pairs(rows):
    """(sigma, fusefss) rows of the same model/seq/batch with padding on."""
    by = defaultdict(dict)
    for r in rows:
        if r["status"] == "ok" and r["padding"] == "on":
            by[key(r)][r["system"]] = r
    return [(k, v["sigma"], v["fusefss"]) for k, v in sorted(by.items(), key=lambda kv: str(kv[0]))
            if "sigma" in v and "fusefss" in v]


def microbench_speedup(paths):
    """Nonlinear per-gate speed-up (sigma time / fusefss time) from microbenchmark files: the
    microbench.json that `secinfer microbench` writes (one gate, one system; pass one of each
    system), or the aggregate of scripts/microbench.sh (a list, or {"gates": [...]})."""
    if not paths:
        return None
    gates = []
    for path in paths:
        try:
            d = json.load(open(path))
        except (OSError, ValueError) as e:
            sys.exit(f"report: cannot read the microbenchmark file {path}: {e}")
        if isinstance(d, dict) and "gates" not in d:
            d = [d]  # one `secinfer microbench` summary
        gates += d.get("gates", []) if isinstance(d, dict) else d
    t = defaultdict(float)
    for g in gates:
        if isinstance(g, dict) and g.get("status", "ok") == "ok":
            t[g.get("system")] += float(g.get("online_ms", g.get("wall_ms", 0.0)))
    if t.get("fusefss", 0) > 0 and t.get("sigma", 0) > 0:
        return t["sigma"] / t["fusefss"]
    print("report: the microbenchmark files hold no completed sigma and fusefss pair: "
          "s is taken from the measured scopes", file=sys.stderr)
    return None


def table(fmt, header, body):
    if fmt == "md":
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in body]
        return "\n".join(lines) + "\n"
    cols = "l" * 3 + "r" * (len(header) - 3)
    lines = [r"\begin{tabular}{" + cols + "}", r"\toprule", " & ".join(header) + r" \\", r"\midrule"]
    lines += [" & ".join(str(c).replace("%", r"\%") for c in row) + r" \\" for row in body]
    lines += [r"\bottomrule", r"\end{tabular}"]
    return "\n".join(lines) + "\n"


def write_tables(out, name, header, body):
    for fmt, ext in (("md", "md"), ("tex", "tex")):
        with open(os.path.join(out, f"{name}.{ext}"), "w") as f:
            f.write(table(fmt, header, body))


def figures(out, rows):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("report: matplotlib missing (apt-get install python3-matplotlib): no figures", file=sys.stderr)
        return
    models = sorted({r["model"] for r in rows if r["status"] == "ok"})
    for model in models:
        # Settings in reading order: seq, batch, padding on before off, sigma before fusefss.
        mine = sorted((r for r in rows if r["model"] == model and r["status"] == "ok"),
                      key=lambda r: (int(r["seq"] or 0), int(r["batch"] or 0), r["padding"] != "on", r["system"] != "sigma"))
        cats = [c for c in ORDER if any(r["time"].get(c) for r in mine)]
        cats += sorted({c for r in mine for c in r["time"]} - set(cats))
        labels = [f"s{r['seq']} b{r['batch']}\n{r['system']}{'' if r['padding'] == 'on' else ' (pad off)'}" for r in mine]
        # Bytes in MiB, as in the CLI tables.
        for what, field, scale, ylabel in (("time", "time", 1.0, "online time (ms)"),
                                           ("bytes", "bytes_by", 1.0 / 2**20, "online bytes (MiB)"),
                                           ("rounds", "rounds_by", 1.0, "online rounds")):
            fig, ax = plt.subplots(figsize=(max(6, 0.9 * len(mine)), 4.5))
            bottom = [0.0] * len(mine)
            for c in cats:
                vals = [r[field].get(c, 0) * scale for r in mine]
                if not any(vals):
                    continue
                ax.bar(range(len(mine)), vals, bottom=bottom, label=c)
                bottom = [b + v for b, v in zip(bottom, vals)]
            ax.set_xticks(range(len(mine)))
            ax.set_xticklabels(labels, fontsize=7)
            ax.set_ylabel(ylabel)
            ax.set_title(f"{model}: online {what} by scope (median run)")
            # The legend beside the axes, never over the bars.
            ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
            fig.tight_layout()
            for ext in ("png", "pdf"):
                fig.savefig(os.path.join(out, f"{what}_{model}.{ext}"), bbox_inches="tight")  # keeps the legend
            plt.close(fig)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("results")
    ap.add_argument("--microbench", nargs="+", help="microbench.json of each system, or the "
                    "aggregate of scripts/microbench.sh")
    ap.add_argument("--out")
    ap.add_argument("--project", nargs="+", default=[], metavar="PROFILE",
                    help="also project every setting onto these links: lan, wan, "
                    "rate=RATE,delay=DELAY (see scripts/net_projection.py)")
    ap.add_argument("--import", dest="imports", action="append", default=[], metavar="DIR[:LABEL]",
                    help="the output folder of a SIGMA or SUF run (dealer.txt, evaluator.txt; or "
                    "the JSON of scripts/import_stats.py), shown beside ours as LABEL (default "
                    "SIGMA or SUF); repeatable")
    a = ap.parse_args()
    try:
        imports = [import_stats.parse_import_arg(t) for t in a.imports]
    except (import_stats.FormatError, OSError, ValueError) as e:
        print(f"report: --import: {e}", file=sys.stderr)
        return 2
    try:
        links = [net_projection.parse_profile(t) for t in a.project]
    except ValueError as e:
        print(f"report: {e}", file=sys.stderr)
        return 2
    rows = load(a.results)
    if not rows and not imports:
        print(f"report: no breakdown_merged.json under {a.results}", file=sys.stderr)
        return 1
    out = a.out or os.path.join(a.results, "report")
    os.makedirs(out, exist_ok=True)

    flat = []
    for r in rows:
        f = {k: r[k] for k in ("model", "net", "seq", "batch", "system", "padding", "backend", "status",
                                "total_ms", "bytes", "rounds", "key_bytes", "offline_bytes", "keygen_ms",
                                "model_input_ms", "model_input_bytes", "wire_bytes", "micro_batch",
                                "chunk_rows", "nonlinear_ms", "linear_ms")}
        for c, v in r["time"].items():
            f[f"ms:{c}"] = round(v, 3)
        for c, v in r["bytes_by"].items():
            f[f"bytes:{c}"] = v
        flat.append(f)
    json.dump({"schema": "secinfer.matrix/1", "settings": flat}, open(os.path.join(out, "summary.json"), "w"), indent=1)
    fields = sorted({k for f in flat for k in f}, key=lambda k: (":" in k, k))
    with open(os.path.join(out, "summary.csv"), "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(flat)

    s_micro = microbench_speedup(a.microbench)
    share, amdahl, sentences = [], [], []
    for (model, seq, batch), sg, fu in pairs(rows):
        fs, ff = sg["nonlinear_ms"] / sg["total_ms"], fu["nonlinear_ms"] / fu["total_ms"]
        share.append([model, seq, batch, "sigma", f"{100 * fs:.1f}%", f"{100 * sg['linear_ms'] / sg['total_ms']:.1f}%"])
        share.append([model, seq, batch, "fusefss", f"{100 * ff:.1f}%", f"{100 * fu['linear_ms'] / fu['total_ms']:.1f}%"])
        s_meas = sg["nonlinear_ms"] / fu["nonlinear_ms"] if fu["nonlinear_ms"] > 0 else float("nan")
        s = s_micro or s_meas
        pred = 1.0 / ((1 - fs) + fs / s)
        meas = sg["total_ms"] / fu["total_ms"]
        amdahl.append([model, seq, batch, f"{fs:.3f}", f"{s:.2f}", "microbench" if s_micro else "scopes",
                       f"{pred:.2f}x", f"{meas:.2f}x", f"{meas - pred:+.2f}"])
        sentences.append((fs, ff, s, meas))
    write_tables(out, "share_table", ["model", "seq", "batch", "system", "nonlinear share", "linear share"], share)
    write_tables(out, "amdahl_table", ["model", "seq", "batch", "f", "s", "s from", "predicted", "measured", "diff"], amdahl)

    pad = defaultdict(dict)
    for r in rows:
        if r["status"] == "ok" and r["system"] == "fusefss":
            pad[key(r)][r["padding"]] = r
    pbody = []
    for (model, seq, batch), v in sorted(pad.items(), key=lambda kv: str(kv[0])):
        if "on" in v and "off" in v:
            on, off = v["on"], v["off"]
            pbody.append([model, seq, batch, f"{off['total_ms']:.1f}", f"{on['total_ms']:.1f}",
                          f"{on['total_ms'] / off['total_ms']:.3f}x", f"{off['bytes'] / 1e6:.2f}",
                          f"{on['bytes'] / 1e6:.2f}", f"{off['nonlinear_ms']:.1f}", f"{on['nonlinear_ms']:.1f}"])
    write_tables(out, "padding_table", ["model", "seq", "batch", "ms off", "ms on", "time on/off", "MB off",
                                        "MB on", "nonlinear ms off", "nonlinear ms on"], pbody)

    with open(os.path.join(out, "reconciliation.txt"), "w") as fh:
        if sentences:
            fs = [x[0] for x in sentences]; ff = [x[1] for x in sentences]
            ss = [x[2] for x in sentences]; ms = [x[3] for x in sentences]
            rng = lambda v, p="": f"{min(v):.2f}{p}" if abs(max(v) - min(v)) < 0.005 else f"{min(v):.2f}-{max(v):.2f}{p}"
            # The words follow the data: a ratio below 1 is a slowdown, a larger share is not "reduced".
            share = "reduced to" if max(ff) < min(fs) else "raised to" if min(ff) > max(fs) else "against"
            gate = "speedup" if min(ss) >= 1 else "slowdown" if max(ss) < 1 else "change"
            total = "speedup" if min(ms) >= 1 else "slowdown" if max(ms) < 1 else "change"
            pct = lambda v: f"{100 * min(v):.0f}%" if round(100 * min(v)) == round(100 * max(v)) else f"{100 * min(v):.0f}-{100 * max(v):.0f}%"
            fh.write(f"Nonlinear kernels account for {pct(fs)} of Sigma's online runtime, "
                     f"{share} {pct(ff)} in FuseFSS; hence a per-gate {rng(ss, 'x')} "
                     f"{gate} (Sigma time / FuseFSS time) translates to an end-to-end {rng(ms, 'x')} {total}.\n")
        else:
            fh.write("No sigma/fusefss pair with status ok: no reconciliation.\n")
    for name, rate, delay in links:
        body = []
        for r in rows:
            if r["status"] != "ok" or r["net"] != "none":  # loopback runs only: a link run has its link
                continue
            p = net_projection.project(json.load(open(r["file"])), rate, delay)
            body.append([r["model"], r["seq"], r["batch"], r["system"], r["padding"],
                         f"{p['measured_ms']:.1f}", f"{p['compute_ms']:.1f}", f"{p['transfer_ms']:.1f}",
                         f"{p['latency_ms']:.1f}", f"{p['projected_ms']:.1f}"])
        tag = name if name != "custom" else f"custom-{rate / 1e6:g}MBps-{delay:g}ms"
        write_tables(out, f"projection_{tag}", ["model", "seq", "batch", "system", "padding",
                                                 "measured ms", "compute ms", "transfer ms",
                                                 "latency ms", "projected ms"], body)
    import_stats.write_report(out, imports, rows, table)
    figures(out, rows)
    print(open(os.path.join(out, "reconciliation.txt")).read().strip())
    print(f"report: {len(rows)} settings -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
