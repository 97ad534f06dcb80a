#!/usr/bin/env python3
"""Session 41 (ad hoc, kept as the record of perf.md's numbers): bert-base seq 128's scopes in one
call's archive, fusefss beside sigma, party 0, medians over the measured runs (p0.json): the
exclusive wall ms, the GPU ms and the exchanges' waiting ms of every scope above 5 ms in the two.

    python3 docs/results/gpu-e2e-session41/scopes.py docs/results/gpu-e2e-session41/call2/out/e2e_runs.tgz

(or a gpu_e2e_runs.tgz itself, e.g. docs/results/gpu-e2e-session40/call1/out/gpu_e2e_runs.tgz).
Optional, after the archive (session 42): the model (default bert-base) and the two systems to
set side by side (default fusefss sigma), e.g. `... e2e_runs.tgz gpt2 fusefss-sigma2trunc sigma`.
"""
import io
import json
import statistics
import sys
import tarfile

with open(sys.argv[1], "rb") as f:
    data = f.read()
with tarfile.open(fileobj=io.BytesIO(data)) as outer:
    if "./gpu_e2e_runs.tgz" in outer.getnames():  # this session's archives hold gpu_e2e.sh's
        data = outer.extractfile("./gpu_e2e_runs.tgz").read()
model = sys.argv[2] if len(sys.argv) > 2 else "bert-base"
systems = tuple(sys.argv[3:5]) if len(sys.argv) > 4 else ("fusefss", "sigma")
with tarfile.open(fileobj=io.BytesIO(data)) as tar:
    by_system = {}
    for system in systems:
        party = json.load(tar.extractfile(f"runs/{model}-s128-b1-{system}-cuda/p0.json"))
        scopes = {}
        for run in party["runs"]:
            if not run["warmup"]:
                for s in run["scopes"]:
                    scopes.setdefault(s["path"], []).append(s)
        by_system[system] = scopes


def med(rows, key):
    return statistics.median(r.get(key, 0.0) for r in rows) if rows else 0.0


print(f"{'scope':36s} {'wall ms (F / S)':>17s} {'GPU ms':>15s} {'waiting ms':>15s}")
print(f"F: {systems[0]}, S: {systems[1]}")
f_all, s_all = by_system[systems[0]], by_system[systems[1]]
for path in sorted(set(f_all) | set(s_all)):
    f, s = f_all.get(path, []), s_all.get(path, [])
    fw, sw = med(f, "exclusive_wall_ms"), med(s, "exclusive_wall_ms")
    if fw + sw <= 5:
        continue
    print(f"{path:36s} {fw:7.1f} / {sw:7.1f} {med(f, 'gpu_ms'):6.1f} / {med(s, 'gpu_ms'):6.1f} "
          f"{med(f, 'comm_wait_ms'):6.1f} / {med(s, 'comm_wait_ms'):6.1f}")
