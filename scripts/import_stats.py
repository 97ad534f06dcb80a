#!/usr/bin/env python3
"""Imports the stats files of the original codes (SIGMA's GPU-MPC, and SUF, which writes the same
files) so that scripts/report.py can show a user's own runs of them beside ours.

usage: import_stats.py DIR [--label LABEL] [--system sigma|suf] [--out FILE]

DIR is searched for the files the original drivers write, one set per party:
  output/P<party>/models/<model>-<seq>/dealer.txt     "Total time=<us> us", "Key size=<n> B (<x> GB)"
  output/P<party>/models/<model>-<seq>/evaluator.txt  "Total time=<us> us", "Comm time=...",
      "Transfer time", "MHA time", "Matmul time", "Truncate time", "Gelu time", "Softmax time",
      "Layernorm time" (all microseconds), then "Total Comm=<n> B (<x> GB)", "Gelu Comm",
      "Softmax Comm", "Layernorm Comm"
  output/P<party>/<model>.txt   (the offline/online driver: the evaluator's lines without units
      under a "Time in ms" header; the values are microseconds all the same, and there is no seq)
The party comes from a "P0" / "P1" folder on the path (else 0), model and seq from the
"<model>-<seq>" folder. Times are read as microseconds when they carry "us" or no unit ("ms" and
"s" are honoured where a variant writes them); byte counts are the exact "<n> B", not the rounded
GB (which are GiB: bytes / 2^30).

The result (schema secinfer.imported/1, printed or written to --out) keeps the original counters
as they are, per party, and says that they OVERLAP and do not add up: "Comm time" (time in the
peer's send/recv) and "Transfer time" (host-GPU copies) are inside every layer's time; "Softmax
time" is inside "MHA time" (the softmax runs within attention); "MHA time" includes attention's
own matmuls and truncations, which "Matmul time" and "Truncate time" do not count; "Total Comm"
(bytes sent + received by that party: every byte on the wire once) includes the Gelu, Softmax and
Layernorm Comm. Their sum is therefore not the total, unlike our exclusive scopes.

Exit status: 0 ok, 2 nothing to import or a file that is not in the format (named, with its line).
"""
import argparse
import json
import os
import re
import sys

SCHEMA = "secinfer.imported/1"

TIME_COUNTERS = ["Total time", "Comm time", "Transfer time", "MHA time", "Matmul time",
                 "Truncate time", "Gelu time", "Softmax time", "Layernorm time"]
BYTE_COUNTERS = ["Total Comm", "Gelu Comm", "Softmax Comm", "Layernorm Comm"]

# What each counter measures in the original code and how it overlaps the others; "like" names
# the scope of ours it is closest to (for reading the tables side by side, not for arithmetic).
COUNTERS = {
    "Comm time": ("time blocked in the peer's send/recv, accrued inside every layer", None),
    "Transfer time": ("host<->GPU copies, accrued inside every layer", None),
    "MHA time": ("the whole attention block: its matmuls, truncations and the softmax", None),
    "Matmul time": ("linear layers outside attention only", "Linear"),
    "Truncate time": ("truncations outside attention only", "TruncRescale"),
    "Gelu time": ("GELU (and SiLU) activations", "Activation::GELU"),
    "Softmax time": ("softmax, inside MHA time", "Softmax"),
    "Layernorm time": ("LayerNorm (and RMSNorm)", "LayerNorm"),
    "Total Comm": ("bytes sent + received by the party, whole online phase", None),
    "Gelu Comm": ("bytes of the activations, inside Total Comm", "Activation::GELU"),
    "Softmax Comm": ("bytes of the softmax, inside Total Comm", "Softmax"),
    "Layernorm Comm": ("bytes of the LayerNorms, inside Total Comm", "LayerNorm"),
}

OVERLAP_NOTE = ("the original code's own counters: they overlap and do not add up (Comm and "
                "Transfer time are inside every layer's time, Softmax inside MHA, MHA includes "
                "attention's matmuls and truncations, the per-layer Comm bytes are inside Total "
                "Comm); only Total time, Total Comm and Key size are totals")

LINE = re.compile(r"^\s*([A-Za-z][A-Za-z ]*?)\s*=\s*([-+0-9.eE]+)\s*([A-Za-z]*)")
TIME_SCALE_MS = {"us": 1e-3, "": 1e-3, "ms": 1.0, "s": 1e3}


class FormatError(Exception):
    pass


def parse_file(path):
    """{counter: value} of one stats file: times in ms, bytes as int. Raises FormatError naming the
    file and line for a counter line whose value or unit cannot be read."""
    values = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for number, line in enumerate(f, 1):
            if "=" not in line:
                continue  # blank lines, the "Time in ms" header
            m = LINE.match(line)
            name = m.group(1) if m else line.split("=", 1)[0].strip()
            if name not in TIME_COUNTERS and name not in BYTE_COUNTERS and name != "Key size":
                continue  # a counter this importer does not know: kept out, not an error
            where = f"{path}:{number}: \"{line.strip()}\""
            try:
                if not m:
                    raise ValueError
                value, unit = float(m.group(2)), m.group(3)
            except ValueError:
                raise FormatError(f"{where}: the value is not a number") from None
            if value < 0:
                raise FormatError(f"{where}: a negative {name}")
            if name in TIME_COUNTERS:
                if unit not in TIME_SCALE_MS:
                    raise FormatError(f"{where}: unknown time unit \"{unit}\" (expected us, ms or s)")
                values[name] = round(value * TIME_SCALE_MS[unit], 6)
            else:
                if unit != "B":
                    raise FormatError(f"{where}: expected a byte count \"<n> B\"")
                values[name] = int(value)
    return values


def locate(path):
    """(model, seq, party) of a stats file from its folders."""
    folders = os.path.abspath(path).split(os.sep)[:-1]
    party = next((int(p[1]) for p in reversed(folders) if re.fullmatch(r"P[01]", p)), 0)
    name = os.path.basename(path)
    if name in ("dealer.txt", "evaluator.txt"):
        folder = folders[-1] if folders else ""
        m = re.fullmatch(r"(.+)-(\d+)", folder)
        return (m.group(1), int(m.group(2)), party) if m else (folder, None, party)
    return (os.path.splitext(name)[0], None, party)


def guess_system(path):
    return "suf" if re.search(r"(^|[^a-z])suf([^a-z]|$)", path.lower()) else "sigma"


def import_dir(root, label=None, system=None):
    """The secinfer.imported/1 record of every stats file under root. Raises FormatError when
    there is nothing to import or a file is malformed."""
    if not os.path.isdir(root):
        raise FormatError(f"{root}: not a folder (give the folder holding output/P0, output/P1)")
    system = system or guess_system(os.path.abspath(root))
    label = label or {"sigma": "SIGMA", "suf": "SUF"}.get(system, system)
    settings = {}
    for d, _dirs, files in sorted(os.walk(root)):
        for name in sorted(files):
            # Only the stats files: dealer.txt / evaluator.txt, or <model>.txt right in P<party>/
            # (the offline/online driver). Console logs (logs.txt beside them) are not read.
            in_party_dir = re.fullmatch(r"P[01]", os.path.basename(d)) is not None
            if name not in ("dealer.txt", "evaluator.txt") and not (in_party_dir and name.endswith(".txt")):
                continue
            path = os.path.join(d, name)
            values = parse_file(path)
            kind = ("dealer" if name == "dealer.txt" or "Key size" in values
                    else "evaluator" if "Total time" in values else None)
            if kind is None:
                continue
            model, seq, party = locate(path)
            s = settings.setdefault((model, seq), {"model": model, "seq": seq, "batch": 1,
                                                   "parties": {}, "files": []})
            s["parties"].setdefault(f"p{party}", {})[kind] = values
            s["files"].append(os.path.relpath(path, root))
    if not settings:
        raise FormatError(f"{root}: no dealer.txt / evaluator.txt (or <model>.txt with \"Total "
                          "time=\") under it: point to the original code's output folder")
    out = []
    for (model, seq), s in sorted(settings.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0)):
        parties = s["parties"]
        ev = {p: v.get("evaluator", {}) for p, v in sorted(parties.items())}
        de = {p: v.get("dealer", {}) for p, v in sorted(parties.items())}

        def per_party(table, counter):
            got = {p: v[counter] for p, v in table.items() if counter in v}
            if not got:
                return None
            got["max"] = max(got.values())
            return got

        counters = []
        for c in TIME_COUNTERS[1:] + BYTE_COUNTERS[1:]:
            v = per_party(ev, c)
            if v is None:
                continue
            what, like = COUNTERS[c]
            counters.append({"name": c, "unit": "ms" if c in TIME_COUNTERS else "B", "value": v,
                             "measures": what, "like": like})
        total_ms = per_party(ev, "Total time")
        total_comm = per_party(ev, "Total Comm")
        out.append({
            "model": model, "seq": seq, "batch": s["batch"],
            "total": {"wall_ms": total_ms, "bytes": total_comm},
            "counters": counters,
            "offline": {"keygen_ms": per_party(de, "Total time"), "key_bytes": per_party(de, "Key size")},
            "files": s["files"],
        })
    return {"schema": SCHEMA, "label": label, "system": system, "source": os.path.abspath(root),
            "counters_add_up": False, "note": OVERLAP_NOTE, "settings": out}


# ---- the report's view (scripts/report.py --import) ---------------------------------------------

def parse_import_arg(text):
    """"DIR[:LABEL]" (or a JSON file written by this script) -> the imported record."""
    path, label = text, None
    if not os.path.exists(text) and ":" in text:
        path, label = text.rsplit(":", 1)
    if os.path.isfile(path):
        with open(path) as f:
            rec = json.load(f)
        if rec.get("schema") != SCHEMA:
            raise FormatError(f"{path}: not a file of import_stats.py (schema {SCHEMA})")
        if label:
            rec["label"] = label
        return rec
    return import_dir(path, label)


def source_name(rec):
    return f"{rec['label']} (original code, own counters)"


def _ours_matching(rows, model, seq):
    """Our completed runs of that model (and seq, when known) at batch 1, padding on, loopback;
    sigma before fusefss as in the report's figures."""
    mine = [r for r in rows if r["status"] == "ok" and r["model"] == model and r.get("padding", "on") == "on"
            and r.get("net", "none") == "none" and (seq is None or r["seq"] == seq) and r["batch"] in (1, None)]
    return sorted(mine, key=lambda r: (int(r["seq"] or 0), r["system"] != "sigma", str(r["system"])))


def _mib(b):
    return "-" if b is None else f"{b / 2**20:.2f}"


def _ms(v):
    return "-" if v is None else f"{v:.1f}"


def beside_rows(imports, rows):
    """The comparison table: for each model/seq imported, our runs of it (batch 1, padding on),
    then each original code's, in one set of columns. The original's per-layer columns are its own
    overlapping counters (see the note); ours are exclusive scopes."""
    keys = []
    for rec in imports:
        for s in rec["settings"]:
            if (s["model"], s["seq"]) not in keys:
                keys.append((s["model"], s["seq"]))
    body = []
    for model, seq in keys:
        for r in _ours_matching(rows, model, seq):
            t = r["time"]
            act = t.get("Activation::GELU", 0.0) + t.get("Activation::SiLU", 0.0)
            body.append([r["model"], r["seq"], r["batch"], f"ours: {r['system']} ({r.get('backend')})",
                         _ms(r["total_ms"]), _ms(act), _ms(t.get("Softmax")), _ms(t.get("LayerNorm")),
                         _ms(t.get("Linear")), "-", _ms(t.get("TruncRescale")), "-",
                         _mib(r["bytes"]), _mib(r["key_bytes"]), "exclusive, add up"])
        for rec in imports:
            for s in rec["settings"]:
                if (s["model"], s["seq"]) != (model, seq):
                    continue
                c = {x["name"]: x["value"]["max"] for x in s["counters"]}
                key = s["offline"]["key_bytes"]
                keys_b = sum(v for k, v in key.items() if k != "max") if key else None
                total, comm = s["total"]["wall_ms"], s["total"]["bytes"]
                body.append([model, seq if seq is not None else "?", s["batch"], source_name(rec),
                             _ms(total["max"] if total else None), _ms(c.get("Gelu time")),
                             _ms(c.get("Softmax time")), _ms(c.get("Layernorm time")),
                             _ms(c.get("Matmul time")), _ms(c.get("MHA time")), _ms(c.get("Truncate time")),
                             _ms(c.get("Comm time")), _mib(comm["max"] if comm else None), _mib(keys_b),
                             "overlap, do not add up"])
    return body


BESIDE_HEADER = ["model", "seq", "batch", "source", "online ms", "activation ms", "softmax ms",
                 "layernorm ms", "linear/matmul ms", "MHA ms", "truncate ms", "comm ms", "online MiB",
                 "key MiB (both parties)", "counters"]


def counter_rows(imports):
    body = []
    for rec in imports:
        for s in rec["settings"]:
            seq = s["seq"] if s["seq"] is not None else "?"
            lines = [("Total time", "ms", s["total"]["wall_ms"], "the online phase (a total)"),
                     ("Total Comm", "B", s["total"]["bytes"], COUNTERS["Total Comm"][0] + " (a total)")]
            lines += [(x["name"], x["unit"], x["value"], x["measures"]) for x in s["counters"]]
            lines += [("Key size", "B", s["offline"]["key_bytes"], "one party's FSS keys (dealer.txt)"),
                      ("Keygen time", "ms", s["offline"]["keygen_ms"], "the dealer's Total time (dealer.txt)")]
            for name, unit, v, what in lines:
                if not v:
                    continue
                fmt = (lambda x: f"{x:.3f}") if unit == "ms" else (lambda x: f"{x:,}")
                body.append([source_name(rec), s["model"], seq, name,
                             fmt(v["p0"]) if "p0" in v else "-", fmt(v["p1"]) if "p1" in v else "-",
                             unit, what])
    return body


def write_report(out, imports, rows, table):
    """Writes imported.json, original_table.md/.tex (each imported counter per party, with the
    overlap note), beside_table.md/.tex and beside_<model>.png/.pdf (ours next to the original
    codes'). `table(fmt, header, body)` is report.py's table renderer."""
    if not imports:
        return
    with open(os.path.join(out, "imported.json"), "w") as f:
        json.dump({"schema": SCHEMA + "-list", "imports": imports}, f, indent=1)
    note = (f"Rows marked 'original code' hold {OVERLAP_NOTE}. Ours are exclusive scopes that add "
            "up to the online time (median run).")
    for name, header, body in (
            ("original_table", ["source", "model", "seq", "counter", "P0", "P1", "unit", "measures"],
             counter_rows(imports)),
            ("beside_table", BESIDE_HEADER, beside_rows(imports, rows))):
        with open(os.path.join(out, f"{name}.md"), "w") as f:
            f.write(f"> {note}\n\n" + table("md", header, body))
        with open(os.path.join(out, f"{name}.tex"), "w") as f:
            f.write(f"% {note}\n" + table("tex", header, body))
    _beside_figures(out, imports, rows)


def _beside_figures(out, imports, rows):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    nonlinear = ("Softmax", "LayerNorm", "Activation::GELU", "Activation::SiLU", "TruncRescale")
    models = sorted({s["model"] for rec in imports for s in rec["settings"]})
    for model in models:
        bars = []  # (label, {segment: ms}, is_original)
        for rec in imports:
            for s in rec["settings"]:
                if s["model"] != model:
                    continue
                for r in _ours_matching(rows, model, s["seq"]):
                    t = r["time"]
                    nl = sum(v for k, v in t.items() if k in nonlinear)
                    lin = t.get("Linear", 0.0)
                    label = f"s{r['seq']}\nours:\n{r['system']}"
                    if all(b[0] != label for b in bars):
                        bars.append((label, {"linear (ours)": lin, "nonlinear (ours)": nl,
                                             "other (ours)": max(0.0, r["total_ms"] - lin - nl)}, False))
                total = s["total"]["wall_ms"]
                if total:
                    bars.append((f"s{s['seq'] if s['seq'] is not None else '?'}\n{rec['label']}\n(original code)",
                                 {"original: total only (counters overlap)": total["max"]}, True))
        if not bars:
            continue
        fig, ax = plt.subplots(figsize=(max(7, 1.8 * len(bars)), 4.5))
        segments = ["linear (ours)", "nonlinear (ours)", "other (ours)", "original: total only (counters overlap)"]
        for i, seg in enumerate(segments):
            bottom = [sum(b[1].get(x, 0.0) for x in segments[:i]) for b in bars]
            vals = [b[1].get(seg, 0.0) for b in bars]
            if any(vals):
                ax.bar(range(len(bars)), vals, bottom=bottom, label=seg,
                       hatch="//" if seg.startswith("original") else None,
                       color="lightgray" if seg.startswith("original") else None, edgecolor="black", linewidth=0.4)
        ax.set_xticks(range(len(bars)))
        ax.set_xticklabels([b[0] for b in bars], fontsize=7)
        ax.set_ylabel("online time (ms)")
        ax.set_title(f"{model}: ours beside the original codes (their own stats files)")
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
        fig.tight_layout()
        for ext in ("png", "pdf"):
            fig.savefig(os.path.join(out, f"beside_{model}.{ext}"), bbox_inches="tight")
        plt.close(fig)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir")
    ap.add_argument("--label", help="name shown in the report (default SIGMA or SUF)")
    ap.add_argument("--system", choices=["sigma", "suf"], help="which original code (default: "
                    "suf when the path names it, else sigma)")
    ap.add_argument("--out", help="write the JSON here (default: print it)")
    a = ap.parse_args(argv)
    try:
        rec = import_dir(a.dir, a.label, a.system)
    except (FormatError, OSError) as e:
        print(f"import_stats: {e}", file=sys.stderr)
        return 2
    text = json.dumps(rec, indent=1)
    if a.out:
        with open(a.out, "w") as f:
            f.write(text + "\n")
        print(f"import_stats: {len(rec['settings'])} setting(s) of {rec['label']} -> {a.out}")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
