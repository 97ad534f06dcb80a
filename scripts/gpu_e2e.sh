#!/usr/bin/env bash
# Run ON THE GPU MACHINE from anywhere in the repo (device `run`, carry [".deps"]):
#   bash scripts/gpu_e2e.sh
# The CUDA backend end to end (--backend cuda: each party process evaluates its FSS keys on the GPU
# through fss::cuda::CudaAccelerator, and its inline dealer generates the DCF, DPF, SIGMA DCF and
# lookup (DPF-ET) keys there). Unpacks the carried Debian
# packages (scripts/device_setup.sh), builds `secinfer` in build-gpu, then, each step under its own
# timeout and all of them under one deadline (BUDGET_S, default 520 s from the start):
#   1. secinfer local --model bert-tiny --seq 128 --backend cuda, sigma and fusefss;
#   1b. the same with row chunks (docs/design/row-chunks.md): a --key-memory below one sequence's
#      layer keys, so each layer runs as its attention inputs and chunks of its rows: bert-tiny
#      seq 128 fusefss (600MiB: chunks of 64) and gpt2-2l seq 256 sigma (4GiB: chunks of 128, the
#      causal chunks' SoftmaxMask::first_row); SKIP_CHUNKS=1 skips them;
#   2. secinfer microbench --backend cuda and --backend cpu: gelu at 393,216 and softmax at
#      196,608 elements (GELU_N, SOFTMAX_N; MICRO_SPECS and MICRO_BACKENDS, below, change the
#      list), sigma and fusefss (RUNS measured runs after WARMUP, defaults 3 and 1);
#   3. secinfer local --model bert-base --seq 128 --batch 1 --backend cuda --runs 1 --warmup 0,
#      sigma and fusefss.
# The tools compare their outputs with the cleartext fixed-point reference themselves (model: all
# outputs; microbench: the first 4096); the table's "vs clear" column is "differing / elements":
# 0 means bit-identical to the reference, and so the cuda and cpu backends agree bit for bit.
# The table's "dealer masks" column is the dealers' host AES time a run (the larger party's), the
# same work on every machine: a meter of the host's speed when two machines' rows are compared.
# "keygen P0 / P1" gives each party's keygen a run of a model setting and, in brackets, how long
# its offline phases ended waiting for its dealer's kernels on the GPU (the accelerator's total,
# the model input's included, over the offline phases): large where the dealer is bound by the
# GPU, near 0 where it is bound by its host.
# MPS=1 runs every step under NVIDIA's Multi-Process Service (scripts/device_setup.sh mps_start:
# the two parties' kernels share the GPU at the same time instead of taking turns), stopped at the
# end. GPU_FLAGS go to every --backend cuda step, e.g. GPU_FLAGS="--gpu 0,1" on a two-GPU host:
# each party on its own GPU, as on two hosts (the default: both parties on GPU 0). gpu_e2e.md
# says which of these ran.
# Output ($OUT, or out/gpu-e2e here): gpu_e2e.md (the table, also printed last), gpu_e2e.log,
# device.txt, and gpu_e2e_runs.tgz holding runs/<setting>/ (breakdown_merged.json, microbench.json,
# the party logs and each step's stdout/stderr). The device returns at most 8 files, hence the
# archive; GPU_E2E_KEEP=1 leaves runs/ unpacked as well.
# Exit status: 2 when the build fails, 1 when a step failed, timed out or differs from the
# reference, else 0.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
# shellcheck source=device_setup.sh
source scripts/device_setup.sh
out="${OUT:-$PWD/out/gpu-e2e}"
build="${SECINFER_GPU_BUILD:-build-gpu}"
runs_dir="$out/runs"
RUNS="${RUNS:-3}"
WARMUP="${WARMUP:-1}"
start=$(date +%s)
deadline=$((start + ${BUDGET_S:-520}))
mkdir -p "$out" "$runs_dir"
log="$out/gpu_e2e.log"
: >"$log"

{
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv 2>&1 || true
  nvcc --version | tail -1
  echo "cores: $(nproc)"
} | tee "$out/device.txt"

DEVICE_BUILD_TIMEOUT=300 device_build gpu_e2e.sh "$out" "$build" secinfer || exit 2
bin="$build/bin/secinfer"
echo "build: $(($(date +%s) - start)) s" | tee -a "$log"
trap mps_stop EXIT
mps_if_asked >>"$log"
echo "GPU sharing: $gpu_sharing" | tee -a "$log"

failed=0
# step NAME CAP_SECONDS ARGS...: runs `secinfer ARGS --out runs/NAME` under min(CAP, time left).
step() {
  local name=$1 cap=$2
  shift 2
  local dir="$runs_dir/$name" left=$((deadline - $(date +%s)))
  mkdir -p "$dir"
  if [ "$left" -lt 15 ]; then
    echo "skipped: the ${BUDGET_S:-520} s budget is spent" >"$dir/status.txt"
    echo "$name: skipped (budget spent)" | tee -a "$log"
    failed=1
    return
  fi
  local t=$((cap < left ? cap : left)) t0 rc arg
  for arg in "$@"; do
    # shellcheck disable=SC2086 # GPU_FLAGS word-split on purpose
    [ "$arg" = cuda ] && { set -- "$@" ${GPU_FLAGS:-}; break; }
  done
  t0=$(date +%s)
  # -k: a party that ignores SIGTERM is killed 5 s later; the launcher stops its children itself.
  timeout -k 5 "$t" "$bin" "$@" --out "$dir" >"$dir/stdout.txt" 2>"$dir/stderr.txt"
  rc=$?
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    echo "timeout after $t s" >"$dir/status.txt"
  else
    echo "exit $rc" >"$dir/status.txt"
  fi
  [ "$rc" -eq 0 ] || failed=1
  echo "$name: $(cat "$dir/status.txt"), $(($(date +%s) - t0)) s" | tee -a "$log"
  [ "$rc" -eq 0 ] || tail -5 "$dir/stderr.txt" | tee -a "$log"
}

# 1. Small models first: the whole engine on the GPU, output vs the cleartext reference.
for sys in sigma fusefss; do
  step "bert-tiny-s128-$sys-cuda" 60 local --model bert-tiny --seq 128 --system "$sys" \
    --backend cuda --runs 1 --warmup 0
done
# 1b. Row chunks: the same outputs when a layer's keys are dealt and used per chunk of its rows.
if [ "${SKIP_CHUNKS:-0}" != 1 ]; then
  step "bert-tiny-s128-fusefss-cuda-chunks" 60 local --model bert-tiny --seq 128 --system fusefss \
    --backend cuda --runs 1 --warmup 0 --key-memory 600MiB
  step "gpt2-2l-s256-sigma-cuda-chunks" 90 local --model gpt2-2l --seq 256 --system sigma \
    --backend cuda --runs 1 --warmup 0 --key-memory 4GiB
fi

# 2. Per-gate microbenchmarks, cuda then cpu on the same settings (SKIP_MICRO=1 skips them;
#    MICRO_SPECS="gate n;gate n;..." replaces the list, MICRO_BACKENDS="cuda" drops the cpu runs;
#    MICRO_VECTORS="device host" also runs each cuda setting with --gate-vectors host, its step
#    named -hostvec; device, the default, has no suffix). A spec "gate n --flag value" passes
#    fusefss flags (e.g. --fusefss-trunc sigma) and runs fusefss alone, or sigma flags (starting
#    with --sigma-, e.g. --sigma-shares packed) and runs sigma alone, its step named with them.
IFS=';' read -r -a micro_specs <<<"${MICRO_SPECS:-gelu ${GELU_N:-393216};softmax ${SOFTMAX_N:-196608}}"
[ "${SKIP_MICRO:-0}" = 1 ] || for spec in "${micro_specs[@]}"; do
  read -r gate n extra <<<"$spec"
  systems="sigma fusefss"
  tag=""
  if [ -n "$extra" ]; then
    systems=fusefss
    case "$extra" in --sigma-*) systems=sigma ;; esac
    tag="-$(echo "$extra" | tr -s ' -' '-' | sed 's/^-//')"
  fi
  for sys in $systems; do
    for be in ${MICRO_BACKENDS:-cuda cpu}; do
      for vecs in ${MICRO_VECTORS:-device}; do
        [ "$be" = cpu ] && [ "$vecs" != device ] && continue
        suffix=""
        [ "$vecs" = device ] || suffix="-hostvec"
        # shellcheck disable=SC2086 # $extra: the spec's flags, word-split on purpose
        step "micro-$gate-$sys-n$n$tag-$be$suffix" 75 microbench --gate "$gate" --system "$sys" \
          --n "$n" --backend "$be" --gate-vectors "$vecs" --runs "$RUNS" --warmup "$WARMUP" $extra
      done
    done
  done
done
# 3. The large models (E2E_MODELS, default bert-base; SKIP_BERT_BASE=1 skips them) at E2E_SEQ
#    (default 128), batch 1, MODEL_RUNS measured runs after MODEL_WARMUP (defaults 1 and 0), each
#    suite of E2E_SYSTEMS (default sigma fusefss; fusefss-sigmatrunc is fusefss with
#    --fusefss-trunc sigma, fusefss-dcfmax with --fusefss-trunc dcf-max, fusefss-sigma2trunc with
#    --fusefss-trunc sigma2, fusefss-dcftrunc the
#    default's name spelt out, sigma-packed sigma with --sigma-shares packed, fusefss-fusedflag
#    fusefss with --fusefss-act fused-flag, fusefss-leaf128 with --fusefss-act fused-leaf128 (the
#    fused lookups on SIGMA's 128-bit DPF leaves); a -hostvec suffix on any of them adds --gate-vectors
#    host, -devvec --gate-vectors device, the default) under MODEL_CAP seconds (default 240).
[ "${SKIP_BERT_BASE:-0}" = 1 ] || for model in ${E2E_MODELS:-bert-base}; do
  for sys in ${E2E_SYSTEMS:-sigma fusefss}; do
    base=${sys%-devvec}
    base=${base%-hostvec}
    flags=(--system "$base")
    [ "$base" = fusefss-dcftrunc ] && flags=(--system fusefss --fusefss-trunc dcf)
    [ "$base" = fusefss-sigmatrunc ] && flags=(--system fusefss --fusefss-trunc sigma)
    [ "$base" = fusefss-dcfmax ] && flags=(--system fusefss --fusefss-trunc dcf-max)
    [ "$base" = fusefss-sigma2trunc ] && flags=(--system fusefss --fusefss-trunc sigma2)
    [ "$base" = sigma-packed ] && flags=(--system sigma --sigma-shares packed)
    [ "$base" = fusefss-fusedflag ] && flags=(--system fusefss --fusefss-act fused-flag)
    [ "$base" = fusefss-leaf128 ] && flags=(--system fusefss --fusefss-act fused-leaf128)
    [ "$base-devvec" = "$sys" ] && flags+=(--gate-vectors device)
    [ "$base-hostvec" = "$sys" ] && flags+=(--gate-vectors host)
    step "$model-s${E2E_SEQ:-128}-b1-$sys-cuda" "${MODEL_CAP:-240}" local --model "$model" \
      --seq "${E2E_SEQ:-128}" --batch 1 "${flags[@]}" --backend cuda \
      --runs "${MODEL_RUNS:-1}" --warmup "${MODEL_WARMUP:-0}"
  done
done
echo "total: $(($(date +%s) - start)) s" | tee -a "$log"

# The table: one row per step, from the files the tools wrote.
SHARING="$gpu_sharing" python3 - "$runs_dir" "$out/gpu_e2e.md" <<'EOF' || failed=1
import json, os, re, sys

runs, md = sys.argv[1], sys.argv[2]

def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None

def fmt(v, digits=1):
    return "-" if v is None else f"{v:,.{digits}f}"

def key_transfer(scopes, field):
    # Exclusive wall ms of every "KeyTransfer" sub-scope (the CUDA backend's key uploads).
    total = 0.0
    for s in scopes:
        if s.get("path", "").split("/")[-1] == "KeyTransfer":
            v = s.get(field)
            total += v.get("median", 0.0) if isinstance(v, dict) else (v or 0.0)
    return total

rows, bad, online_of = [], 0, {}
for name in sorted(os.listdir(runs), key=lambda n: (not n.startswith("bert-tiny"),
                                                    not n.startswith("micro"), n)):
    d = os.path.join(runs, name)
    status = open(os.path.join(d, "status.txt")).read().strip() if os.path.exists(
        os.path.join(d, "status.txt")) else "?"
    backend = "cuda" if re.search(r"-cuda(-|$)", name) else "cpu"
    online = gpu = kt = keygen = model_input = None
    vs = "-"
    mb = load(os.path.join(d, "microbench.json"))
    merged = load(os.path.join(d, "breakdown_merged.json"))
    if mb is not None:
        status = mb.get("status", status) if status == "exit 0" else status
        online, gpu = mb.get("online_ms"), mb.get("gpu_ms")
        kt = key_transfer(mb.get("scopes", []), "exclusive_ms") if backend == "cuda" else None
        c = mb.get("vs_clear")
        if c:
            vs = f"{c.get('differing')} / {c.get('elements')}"
            bad += c.get("differing", 1) != 0
    elif merged is not None:
        if status == "exit 0":
            status = merged.get("status", status)
        online = merged.get("total", {}).get("wall_ms", {}).get("median")
        # The offline phase of one run (each party's median phase, the slower party's).
        keygen = merged.get("offline", {}).get("keygen_ms")
        # The model input: the weights masked once, before the runs (not in a run's keygen).
        model_input = merged.get("offline", {}).get("model_input", {}).get("ms", {}).get("max")
        g = sum(s.get("gpu_ms", {}).get("median", 0.0) for s in merged.get("scopes", []))
        gpu = g if g > 0 else None
        kt = key_transfer(merged.get("scopes", []), "exclusive_wall_ms") if backend == "cuda" else None
        c = merged.get("accuracy", {}).get("vs_clear")
        if c:
            vs = f"{c.get('differing')} / {c.get('count')}"
            bad += c.get("differing", 1) != 0
    if status not in ("ok", "exit 0"):
        bad += 1
    online_of[name] = online
    # A meter of the host's speed, to compare machines: the dealers' "masks" time a run (host
    # AES-CTR only, the same work on every machine), the larger party's, from the logs.
    masks, err = None, ""
    try:
        err = open(os.path.join(d, "stderr.txt")).read()
        found = [float(m) for m in re.findall(r"dealer host time per run: masks (\d+) ms", err)]
        masks = max(found) if found else None
    except OSError:
        pass
    # Each party's keygen a run, and of it the wait at the offline phases' ends for its dealer's
    # GPU kernels (the accelerator's log line: its total over the process, divided by the phases).
    split = "-"
    if mb is None and merged is not None and backend == "cuda":
        off = merged.get("offline", {})
        per, phases = off.get("keygen_ms_party") or {}, off.get("phase_count") or {}
        tails = {}
        for p, ms in re.findall(r"\[P([01])\].*ends waiting for the keygen kernels (\d+) ms", err):
            n = phases.get("p" + p) or 0
            tails["p" + p] = float(ms) / n if n else None
        if per.get("p0") is not None and per.get("p1") is not None:
            split = (f"{fmt(per['p0'])} ({fmt(tails.get('p0'), 0)}) / "
                     f"{fmt(per['p1'])} ({fmt(tails.get('p1'), 0)})")
    rows.append([name, backend, status, fmt(online), fmt(gpu, 2), fmt(kt), fmt(keygen), split,
                 fmt(model_input), vs, fmt(masks, 0)])

# cpu / cuda: the online speed-up of the GPU backend where both ran the same setting.
for r in rows:
    cpu = online_of.get(r[0][: -len("-cuda")] + "-cpu") if r[0].endswith("-cuda") else None
    cuda = online_of.get(r[0])
    r.append(f"{cpu / cuda:.2f}x" if cpu and cuda else "-")
lines = ["| setting | backend | status | online ms (median) | gpu ms | KeyTransfer ms | "
         "keygen ms per run | keygen P0 / P1 ms (waiting for the GPU at the end) | "
         "model input ms (once) | vs clear (differing / elements) | "
         "dealer masks ms per run (host speed) | cpu / cuda |",
         "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"] + ["| " + " | ".join(r) + " |" for r in rows]
layout = os.environ.get("GPU_FLAGS") or "none (both parties on GPU 0)"
text = (f"cuda steps' GPU_FLAGS: {layout}; {os.environ.get('SHARING', '')}\n\n" +
        "\n".join(lines) + "\n")
open(md, "w").write(text)
print(text)
sys.exit(1 if bad else 0)
EOF

tar czf "$out/gpu_e2e_runs.tgz" -C "$out" runs
[ "${GPU_E2E_KEEP:-0}" = 1 ] || rm -rf "${runs_dir:?}"
exit "$failed"
