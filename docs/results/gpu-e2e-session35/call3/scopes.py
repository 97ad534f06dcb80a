#!/usr/bin/env python3
"""Session 35, call 3 (ad hoc, kept as the record of perf.md's numbers): the top-level scopes of
one gpu_e2e.sh archive's bert-base and gpt2 runs, fusefss beside sigma: the median inclusive wall
ms, the GPU ms and the rounds of each scope (breakdown_merged.json).

    python3 docs/results/gpu-e2e-session35/call3/scopes.py docs/results/gpu-e2e-session35/call3/mps_runs.tgz
"""
import json
import sys
import tarfile


def median(v):
    return v["median"] if isinstance(v, dict) else v


with tarfile.open(sys.argv[1]) as tar:
    for model in ("gpt2", "bert-base"):
        rows = {}
        for system in ("fusefss", "sigma"):
            name = f"runs/{model}-s128-b1-{system}-cuda/breakdown_merged.json"
            d = json.load(tar.extractfile(name))
            for s in d["scopes"]:
                if "/" not in s["path"]:
                    rows.setdefault(s["path"], {})[system] = (
                        median(s.get("inclusive_wall_ms")) or 0.0, median(s.get("gpu_ms")) or 0.0,
                        s.get("rounds"))
        print(f"== {model}: scope, wall ms, GPU ms, rounds (fusefss / sigma)")
        for path, v in rows.items():
            f, g = v.get("fusefss", (0.0, 0.0, 0)), v.get("sigma", (0.0, 0.0, 0))
            print(f"{path:20s} {f[0]:7.1f} / {g[0]:7.1f}   {f[1]:6.1f} / {g[1]:6.1f}   {f[2]} / {g[2]}")
