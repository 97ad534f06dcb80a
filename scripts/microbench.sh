#!/usr/bin/env bash
# Per-gate microbenchmarks (SPEC section 4; issue 6 item 6): every gate at its BERT-base / GPT-2
# seq-128 size, both suites, fusefss with padding on and off, each a real two-party run
# (`secinfer microbench`, two processes over loopback TCP). Collects
#   OUT_DIR/<gate>-<system>-pad<on|off>/   breakdown_merged.json, microbench.json, party logs
#   OUT_DIR/microbench.json                {"gates": [padding-on rows], "padding_off": [...]}
#                                          (the input of scripts/report.py --microbench)
#   docs/results/microbench-cpu.md         the Markdown table (MD=... to write elsewhere)
#   docs/results/microbench-cpu.json       a copy of OUT_DIR/microbench.json
# A setting that fails is recorded as failed and the loop goes on; a suite that is not built into
# the binary is skipped with a note.
#
# Usage: scripts/microbench.sh [OUT_DIR] [-- extra secinfer flags]
# Environment: RUNS (5), WARMUP (1), SYSTEMS ("sigma fusefss"), GATES (all, e.g. "gelu softmax"),
#              SECINFER_BIN (build/bin/secinfer), MD, JSON_COPY (the two docs/results/ files).
set -uo pipefail
cd "$(dirname "$0")/.."
out=results/microbench-cpu
if [ $# -gt 0 ] && [ "$1" != "--" ]; then out=$1; shift; fi
[ "${1:-}" = "--" ] && shift
bin=${SECINFER_BIN:-build/bin/secinfer}
[ -x "$bin" ] || { echo "microbench: $bin not found: build first (bash scripts/build.sh)" >&2; exit 2; }
runs=${RUNS:-5}
warmup=${WARMUP:-1}
systems=${SYSTEMS:-sigma fusefss}
md=${MD:-docs/results/microbench-cpu.md}
json_copy=${JSON_COPY:-docs/results/microbench-cpu.json}
mkdir -p "$out"

# gate, elements (BERT-base seq 128; GPT-2 124M has the same shapes), row length (- = none):
#   gelu / silu / relu: the FFN activation, 128 x 3072; nexp / softmax: one layer's attention
#   scores, 12 heads x 128 x 128; inv: their row sums, 12 x 128; rsqrt: one LayerNorm, 128 rows of
#   768; layernorm: 128 x 768; trunc: the rescale of a 768-wide projection, 128 x 768.
settings="gelu 393216 -
silu 393216 -
relu 393216 -
nexp 196608 -
inv 1536 128
rsqrt 128 768
trunc 98304 -
softmax 196608 128
layernorm 98304 768"

ok=0; bad=0; skipped=""
for system in $systems; do
  pads="on"
  [ "$system" = fusefss ] && pads="on off"
  for padding in $pads; do
    while read -r gate n cols; do
      [ -n "${GATES:-}" ] && [[ " $GATES " != *" $gate "* ]] && continue
      case " $skipped " in *" $system "*) continue ;; esac
      dir="$out/$gate-$system-pad$padding"
      colflag=(); [ "$cols" != "-" ] && colflag=(--cols "$cols")
      echo "== $gate system=$system padding=$padding n=$n"
      if "$bin" microbench --gate "$gate" --system "$system" --padding "$padding" --n "$n" \
           "${colflag[@]}" --backend cpu --runs "$runs" --warmup "$warmup" --out "$dir" "$@" \
           > "$dir.stdout.txt" 2> "$dir.stderr.txt"; then
        ok=$((ok + 1)); grep -A4 '^microbench ' "$dir.stdout.txt" | sed 's/^/   /'
      else
        rc=$?
        if grep -q "not built into this binary" "$dir.stderr.txt"; then
          echo "   $system is not built into $bin: skipping its settings"
          skipped="$skipped $system"; rm -rf "$dir"
        else
          bad=$((bad + 1)); echo "   failed (exit $rc): $(tail -n 1 "$dir.stderr.txt")"
        fi
      fi
    done <<< "$settings"
  done
done
echo "microbench: $ok settings ok, $bad failed${skipped:+, not built:$skipped}"

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
cores=$(nproc)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
python3 - "$out" "$md" "$json_copy" "$cpu" "$cores" "$commit" "$runs" "$warmup" "$skipped" <<'PY'
import glob, json, os, sys, time
out, md, json_copy, cpu, cores, commit, runs, warmup, skipped = sys.argv[1:]
rows = []
for f in sorted(glob.glob(os.path.join(out, "*", "microbench.json"))):
    try:
        rows.append(json.load(open(f)))
    except (OSError, ValueError) as e:
        print(f"microbench: skipping {f}: {e}", file=sys.stderr)
order = ["gelu", "silu", "relu", "nexp", "inv", "rsqrt", "trunc", "softmax", "layernorm"]
rows.sort(key=lambda r: (order.index(r["gate"]) if r.get("gate") in order else 99,
                         r.get("system") != "sigma", r.get("padding") != "on"))
machine = {"cpu": cpu, "cores": int(cores), "commit": commit, "backend": "cpu",
           "note": "both parties on this machine over loopback TCP; the cores are shared with "
                   "other builds, so the timings are noisy (medians of the runs)"}
summary = {"schema": "secinfer.microbench-matrix/1", "machine": machine,
           "gates": [r for r in rows if r.get("padding") == "on"],
           "padding_off": [r for r in rows if r.get("padding") == "off"]}
for path in (os.path.join(out, "microbench.json"), json_copy):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    json.dump(summary, open(path, "w"), indent=1)

def mb(b): return f"{b / 1e6:.2f}"
def subs(r):
    parts = []
    for s in r.get("scopes", []):
        if "/" not in s["path"] and len(r.get("scopes", [])) > 1 and s["exclusive_ms"] < 0.0005 * r["online_ms"]:
            continue  # an empty category wrapper (e.g. Softmax around Softmax/nexp)
        parts.append(f"{s['path']}: {s['exclusive_ms']:.1f} ms, {s['rounds']} r")
    return "; ".join(parts)
lines = [
    "# Per-gate microbenchmarks (CPU backend)", "",
    f"Made by `scripts/microbench.sh` ({time.strftime('%Y-%m-%d', time.gmtime())}, commit {commit}): "
    f"`secinfer microbench --gate G --system S --padding P --n N [--cols C] --backend cpu "
    f"--runs {runs} --warmup {warmup}`, ring n = 50 bits, f = 12.",
    f"Machine: {cpu}, {cores} cores, shared with other builds (timings are noisy); both parties "
    "on this machine as two processes over loopback TCP, a fresh mask and key per element and per run.",
    "Online ms: median of the runs (p25-p75), the max of the two parties' wall clocks. MB: bytes on "
    "the wire, both directions. Key MB: the gate's key per party (P0 / P1). Per element: online "
    "us, wire bytes, key bytes (P0). Sub-scopes: exclusive ms and rounds.", ""]
if skipped.strip():
    lines += [f"Not built into this binary, so not measured: {skipped.strip()}.", ""]
lines += ["| gate | system | padding | n | online ms | MB | msgs | rounds | key MB P0 / P1 | us/elem | B/elem | key B/elem | vs clear | sub-scopes |",
          "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|"]
for r in rows:
    if r.get("status") != "ok":
        lines.append(f"| {r.get('gate')} | {r.get('system')} | {r.get('padding')} | {r.get('n')} | "
                     f"{r.get('status')}: {r.get('reason', '')[:80]} | | | | | | | | | |")
        continue
    pe, k = r["per_element"], r["key_bytes"]
    vc = r.get("vs_clear", {})
    clear = "exact" if vc.get("differing") == 0 else (f"{vc['differing']}/{vc['elements']} differ" if vc else "-")
    lines.append(
        f"| {r['gate']} | {r['system']} | {r['padding']} | {r['n']} | "
        f"{r['online_ms']:.1f} ({r['online_ms_p25']:.1f}-{r['online_ms_p75']:.1f}) | {mb(r['bytes'])} | "
        f"{r['messages']} | {r['rounds']} | {mb(k['p0'])} / {mb(k['p1'])} | {pe['online_us']:.3f} | "
        f"{pe['bytes']:.1f} | {pe['key_bytes_p0']:.0f} | {clear} | {subs(r)} |")
by = {}
for r in rows:
    if r.get("status") == "ok":
        by[(r["gate"], r["system"], r["padding"])] = r
pairs = [(g, by[(g, "sigma", "on")], by[(g, "fusefss", "on")]) for g in order
         if (g, "sigma", "on") in by and (g, "fusefss", "on") in by]
if pairs:
    lines += ["", "Speed-ups (sigma / fusefss, padding on):", "",
              "| gate | online | bytes | rounds | key |", "|---|---:|---:|---:|---:|"]
    for g, s, f in pairs:
        lines.append(f"| {g} | {s['online_ms'] / f['online_ms']:.2f}x | {s['bytes'] / f['bytes']:.2f}x | "
                     f"{s['rounds']} -> {f['rounds']} | {s['key_bytes']['p0'] / max(1, f['key_bytes']['p0']):.2f}x |")
pads = [(g, by[(g, "fusefss", "on")], by[(g, "fusefss", "off")]) for g in order
        if (g, "fusefss", "on") in by and (g, "fusefss", "off") in by]
if pads:
    lines += ["", "Padding cost (fusefss, on / off):", "",
              "| gate | online | bytes | key |", "|---|---:|---:|---:|"]
    for g, on, off in pads:
        lines.append(f"| {g} | {on['online_ms'] / off['online_ms']:.2f}x | {on['bytes'] / off['bytes']:.2f}x | "
                     f"{on['key_bytes']['p0'] / max(1, off['key_bytes']['p0']):.2f}x |")
os.makedirs(os.path.dirname(md) or ".", exist_ok=True)
open(md, "w").write("\n".join(lines) + "\n")
print(f"microbench: table in {md}, JSON in {os.path.join(out, 'microbench.json')} and {json_copy}")
PY
