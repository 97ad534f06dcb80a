#!/usr/bin/env bash
# Per-gate microbenchmarks (docs/design/product-spec.md "Experiments"): every gate at its BERT-base
# / GPT-2 seq-128 size, both suites, fusefss with padding on and off, each a real two-party run
# (`secinfer microbench`, two processes over loopback TCP). Collects
#   OUT_DIR/<gate>-<system>-pad<on|off>-n<N>/   breakdown_merged.json, microbench.json, party logs
#   OUT_DIR/microbench.json                {"gates": [padding-on rows], "padding_off": [...]}
#                                          (the input of scripts/report.py --microbench)
#   docs/results/microbench-cpu.md         the Markdown table (MD=... to write elsewhere)
#   docs/results/microbench-cpu.json       a copy of OUT_DIR/microbench.json
# A setting that fails is recorded as failed and the loop goes on; a suite that is not built into
# the binary is skipped with a note.
#
# Usage: scripts/microbench.sh [OUT_DIR] [-- extra secinfer flags]
# A setting whose keys do not fit in memory is recorded as "oom" (what it needs, what is free);
# its gate is then measured again in every suite at CAP_N elements (whole rows), so that the suites
# still compare at one size (per-element figures barely depend on N on the CPU backend).
# Environment: RUNS (5), WARMUP (1), SYSTEMS ("sigma fusefss"), GATES (all, e.g. "gelu softmax"),
#              CAP_N (16384), SETTINGS_FILE (other "gate n cols" lines), SECINFER_BIN
#              (build/bin/secinfer), MD, JSON_COPY (the docs/results/ files), MACHINE_NOTE (what
#              else ran on the machine; default: shared with other builds), COLLECT_ONLY=1
#              (run nothing: rebuild the table and the JSON from OUT_DIR).
set -uo pipefail
cd "$(dirname "$0")/.."
out=results/microbench-cpu
if [ $# -gt 0 ] && [ "$1" != "--" ]; then out=$1; shift; fi
[ "${1:-}" = "--" ] && shift
bin=${SECINFER_BIN:-build/bin/secinfer}
[ -n "${COLLECT_ONLY:-}" ] || [ -x "$bin" ] || { echo "microbench: $bin not found: build first (bash scripts/build.sh)" >&2; exit 2; }
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
# SETTINGS_FILE: other "gate n cols" lines (a quick check, another model's sizes).
[ -n "${SETTINGS_FILE:-}" ] && settings=$(cat "$SETTINGS_FILE")

ok=0; bad=0; skipped=""; oom_gates=""
# run_setting SYSTEM PADDING GATE N COLS: one setting; exit status 5 (oom) adds GATE to oom_gates.
run_setting() {
  local system=$1 padding=$2 gate=$3 n=$4 cols=$5 rc
  case " $skipped " in *" $system "*) return ;; esac
  local dir="$out/$gate-$system-pad$padding-n$n"
  local colflag=(); [ "$cols" != "-" ] && colflag=(--cols "$cols")
  echo "== $gate system=$system padding=$padding n=$n"
  "$bin" microbench --gate "$gate" --system "$system" --padding "$padding" --n "$n" \
    "${colflag[@]}" --backend cpu --runs "$runs" --warmup "$warmup" --out "$dir" "${extra[@]}" \
    > "$dir.stdout.txt" 2> "$dir.stderr.txt"
  rc=$?
  if [ "$rc" = 0 ]; then
    ok=$((ok + 1)); grep -A4 '^microbench ' "$dir.stdout.txt" | sed 's/^/   /'
  elif grep -q "not built into this binary" "$dir.stderr.txt"; then
    echo "   $system is not built into $bin: skipping its settings"
    skipped="$skipped $system"; rm -rf "$dir" "$dir.stdout.txt" "$dir.stderr.txt"
  elif [ "$rc" = 5 ]; then
    bad=$((bad + 1)); oom_gates="$oom_gates $gate"
    echo "   out of memory, not run: $(grep -m1 -o 'needs about[^;]*' "$dir.stderr.txt")"
  else
    bad=$((bad + 1)); echo "   failed (exit $rc): $(tail -n 1 "$dir.stderr.txt")"
  fi
}
extra=("$@")

# Pass 1: the real sizes. Pass 2: every gate that ran out of memory in some suite, again at
# CAP_N elements (whole rows) in every suite, so that the suites still compare at one size.
cap=${CAP_N:-16384}
[ -n "${COLLECT_ONLY:-}" ] && systems=""  # only rebuild the table and JSON from OUT_DIR
for system in $systems; do
  pads="on"; [ "$system" = fusefss ] && pads="on off"
  for padding in $pads; do
    while read -r gate n cols; do
      [ -n "${GATES:-}" ] && [[ " $GATES " != *" $gate "* ]] && continue
      run_setting "$system" "$padding" "$gate" "$n" "$cols"
    done <<< "$settings"
  done
done
while read -r gate n cols; do
  [[ " $oom_gates " != *" $gate "* ]] && continue
  row=1; [ "$cols" != "-" ] && row=$cols
  small=$(( (cap / row > 0 ? cap / row : 1) * row ))
  [ "$small" -ge "$n" ] && continue
  for system in $systems; do
    pads="on"; [ "$system" = fusefss ] && pads="on off"
    for padding in $pads; do run_setting "$system" "$padding" "$gate" "$small" "$cols"; done
  done
done <<< "$settings"
echo "microbench: $ok settings ok, $bad failed or out of memory${skipped:+, not built:$skipped}"

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
cores=$(nproc)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
note="${MACHINE_NOTE:-shared with other builds while this ran, so the times are noisy}"
python3 - "$out" "$md" "$json_copy" "$cpu" "$cores" "$commit" "$runs" "$warmup" "$skipped" "$cap" "$note" "${extra[*]}" <<'PY'
import glob, json, os, sys, time
out, md, json_copy, cpu, cores, commit, runs, warmup, skipped, cap, note, extra = sys.argv[1:]
rows, commits, times = [], set(), []
for f in sorted(glob.glob(os.path.join(out, "*", "microbench.json"))):
    try:
        rows.append(json.load(open(f)))
        env = json.load(open(os.path.join(os.path.dirname(f), "breakdown_merged.json"))).get(
            "environment", {}).get("p0", {})
        commits.add(env.get("git_commit", "unknown"))
        times.append(env.get("time_utc", ""))
    except (OSError, ValueError) as e:
        print(f"microbench: skipping {f}: {e}", file=sys.stderr)
if commits:
    commit = ", ".join(sorted(commits))  # the binary's own commit (its party logs say so)
when = f"{min(t for t in times if t)[:10]}" if any(times) else time.strftime('%Y-%m-%d', time.gmtime())
order = ["gelu", "silu", "relu", "nexp", "inv", "rsqrt", "trunc", "softmax", "layernorm"]
sysorder = {"sigma": 0, "fusefss": 1}
rows.sort(key=lambda r: (order.index(r["gate"]) if r.get("gate") in order else 99, -r.get("n", 0),
                         sysorder.get(r.get("system"), 9), r.get("padding") != "on"))
ok = {(r["gate"], r["n"], r["system"], r["padding"]): r for r in rows if r.get("status") == "ok"}
both = {(g, n) for (g, n, sy, p) in ok if sy == "fusefss" and p == "on" and (g, n, "sigma", "on") in ok}
# scripts/report.py --microbench sums online_ms per system over "gates": only settings measured in
# both suites (padding on), so that the sums compare like with like; sigma alone when fusefss is
# not built.
gates = [r for r in rows if r.get("status") == "ok" and r.get("padding") == "on" and
         ((r["gate"], r["n"]) in both or not both)]
machine = {"cpu": cpu, "cores": int(cores), "commit": commit, "backend": "cpu",
           "note": "both parties on this machine over loopback TCP; " + note + " (medians of the runs)"}
summary = {"schema": "secinfer.microbench-matrix/1", "machine": machine, "gates": gates,
           "padding_off": [r for r in rows if r.get("padding") == "off"], "all": rows}
for path in (os.path.join(out, "microbench.json"), json_copy):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    json.dump(summary, open(path, "w"), indent=1)

def mb(b): return f"{b / 1e6:.2f}"
def subs(r):
    parts = []
    for s in r.get("scopes", []):
        if len(r["scopes"]) > 1 and s["exclusive_ms"] < 0.001 * r["online_ms"] and not s["rounds"]:
            continue  # an empty wrapper (e.g. Softmax around Softmax/nexp)
        kb = (s.get("key_bytes") or {}).get("p0", 0) / max(1, r["n"])
        parts.append(f"{s['path']} {s['exclusive_ms']:.1f} ms {s['rounds']} r" +
                     (f" {kb:.0f} key B/elem" if kb >= 1 else ""))
    return "; ".join(parts)
lines = [
    "# Per-gate microbenchmarks (CPU backend)", "",
    f"Made by `scripts/microbench.sh` ({when}, secinfer built at commit {commit}): "
    f"each row is `secinfer microbench --gate G --system S --padding P --n N [--cols C] --backend cpu "
    f"--runs {runs} --warmup {warmup}{(' ' + extra) if extra else ''}`, ring n = 50 bits, f = 12, threads = cores.",
    f"Machine: {cpu} ({cores} cores), {note}; both parties on this machine as two processes over "
    "loopback TCP, a fresh mask and a fresh key per element and per run.", "",
    "Columns: online ms = median of the runs (p25-p75), the max of the two parties' wall clocks; "
    "MB = bytes on the wire, both directions; msgs / rounds = messages and rounds of one run; key MB "
    "= the gate's key per party (P0 / P1); per element: online us, wire bytes, key bytes (P0); "
    "vs clear = the opened outputs of the first rows against the cleartext reference; sub-scopes = "
    "exclusive ms, rounds and key bytes per element (P0) of each scope of the gate.", ""]
if skipped.strip():
    lines += [f"Not built into this binary, so not measured: {skipped.strip()}.", ""]
if any(r.get("status") == "oom" for r in rows):
    lines += [f"Settings whose keys do not fit in this machine's memory are listed as oom (not run); "
              f"their gates were measured again in every suite at {cap} elements (whole rows).", ""]
lines += ["| gate | system | padding | n | online ms | MB | msgs | rounds | key MB P0 / P1 | us/elem | B/elem | key B/elem | vs clear | sub-scopes |",
          "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|"]
for r in rows:
    if r.get("status") != "ok":
        reason = r.get("reason", "")
        if r.get("status") == "oom" and "needs about" in reason:
            reason = "needs about" + reason.split("needs about", 1)[1].split("; nothing")[0]
        lines.append(f"| {r.get('gate')} | {r.get('system')} | {r.get('padding')} | {r.get('n')} | "
                     f"**{r.get('status')}**: {reason} | | | | | | | | | |")
        continue
    pe, k = r["per_element"], r["key_bytes"]
    vc = r.get("vs_clear", {})
    clear = "exact" if vc.get("differing") == 0 else (f"{vc['differing']}/{vc['elements']} differ" if vc else "-")
    lines.append(
        f"| {r['gate']} | {r['system']} | {r['padding']} | {r['n']} | "
        f"{r['online_ms']:.1f} ({r['online_ms_p25']:.1f}-{r['online_ms_p75']:.1f}) | {mb(r['bytes'])} | "
        f"{r['messages']} | {r['rounds']} | {mb(k['p0'])} / {mb(k['p1'])} | {pe['online_us']:.2f} | "
        f"{pe['bytes']:.1f} | {pe['key_bytes_p0']:.0f} | {clear} | {subs(r)} |")
# What the fusefss suite fuses (fss/gates/fusefss/suite.h); everything else is the sigma suite's
# code in both suites, so its ratio between the suites measures only the machine's noise.
fused = {"gelu": "fused", "silu": "fused", "nexp": "fused", "inv": "fused", "rsqrt": "fused",
         "softmax": "nexp, inv fused; max, sum, normalise shared",
         "layernorm": "rsqrt fused; mean, variance, scale shared",
         "relu": "shared (same code): the ratio is noise", "trunc": "shared (same code): the ratio is noise"}
pairs = sorted(both, key=lambda gn: (order.index(gn[0]) if gn[0] in order else 99, -gn[1]))
if pairs:
    lines += ["", "Sigma over fusefss (padding on), same n: > 1 means fusefss is better.", "",
              "| gate | n | online | bytes | rounds | key (P0) | what differs |", "|---|---:|---:|---:|---:|---:|---|"]
    for g, n in pairs:
        s_, f_ = ok[(g, n, "sigma", "on")], ok[(g, n, "fusefss", "on")]
        lines.append(f"| {g} | {n} | {s_['online_ms'] / f_['online_ms']:.2f}x | {s_['bytes'] / f_['bytes']:.2f}x | "
                     f"{s_['rounds']} -> {f_['rounds']} | {s_['key_bytes']['p0'] / max(1, f_['key_bytes']['p0']):.2f}x | "
                     f"{fused.get(g, '')} |")
pads = [(g, n) for (g, n, sy, p) in ok if sy == "fusefss" and p == "on" and (g, n, "fusefss", "off") in ok]
pads.sort(key=lambda gn: (order.index(gn[0]) if gn[0] in order else 99, -gn[1]))
if pads:
    lines += ["", "Padding cost (fusefss, on over off; off is the INSECURE ablation):", "",
              "| gate | n | online | bytes | key (P0) | sub-scopes on / off (ms) | note |", "|---|---:|---:|---:|---:|---|---|"]
    for g, n in pads:
        on, off = ok[(g, n, "fusefss", "on")], ok[(g, n, "fusefss", "off")]
        so = {s["path"]: s["exclusive_ms"] for s in off.get("scopes", [])}
        sub = "; ".join(f"{s['path'].split('/', 1)[1]} {s['exclusive_ms']:.1f} / {so.get(s['path'], 0):.1f}"
                        for s in on.get("scopes", []) if "/" in s["path"] and
                        max(s["exclusive_ms"], so.get(s["path"], 0)) >= 0.05)
        note = fused.get(g, "") if "shared (same code)" in fused.get(g, "") else ""
        lines.append(f"| {g} | {n} | {on['online_ms'] / off['online_ms']:.2f}x | {on['bytes'] / off['bytes']:.2f}x | "
                     f"{on['key_bytes']['p0'] / max(1, off['key_bytes']['p0']):.2f}x | {sub} | {note} |")
approx = {}
for r in rows:
    for name, text in (r.get("approximation") or {}).items():
        approx[name] = text
if approx:
    lines += ["", "Fused gates' parameters (m intervals, d degree, n, H, f, s, ...):", ""]
    lines += [f"* {name}: `{text}`" for name, text in approx.items()]
os.makedirs(os.path.dirname(md) or ".", exist_ok=True)
open(md, "w").write("\n".join(lines) + "\n")
print(f"microbench: table in {md}, JSON in {os.path.join(out, 'microbench.json')} and {json_copy}")
PY
