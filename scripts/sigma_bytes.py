#!/usr/bin/env python3
"""`--system sigma`'s online bytes per category against SIGMA's own figures (GPU-MPC's run logs,
one party's sent + received, seq 128, batch 1; docs/design/sigma-lut.md and docs/perf.md).

usage: sigma_bytes.py BREAKDOWN_MERGED_JSON [--tolerance 0.01]

Reads a merged breakdown of a sigma run (`secinfer local --system sigma --seq 128 --batch 1`),
sums each category's scopes (one party's sent + received: the breakdown's `bytes`), removes the
deviations that are ours and not SIGMA's protocol, and compares:
  * 8-byte frame headers: 8 bytes per message (SIGMA's counters count payloads only);
  * our input message (the Misc scope: the client's masked input; SIGMA's figure starts after it);
  * GPT-2's final LayerNorm (SIGMA's GPT-2 figure has one LayerNorm fewer): 1 / (2 L + 1) of the
    LayerNorm bytes.
Categories with a known open protocol difference (OPEN) are printed with it and not judged; there
are none since the softmax max runs in SIGMA's reduced ring (docs/design/sigma-softmax-max.md).
Exit status: 0 when every judged category is within the tolerance, 1 otherwise, 2 on bad input.
"""
import argparse
import json
import sys

from sigma_run_check import sigma_run_error

# GPU-MPC's own figures (bytes, one party's sent + received), seq 128, batch 1.
SIGMA = {
    "bert-tiny": {"total": 21_675_034, "Activation::GELU": 3_473_408, "Softmax": 5_807_744,
                  "LayerNorm": 2_514_328},
    "bert-base": {"total": 1_062_390_674, "Activation::GELU": 171_048_960, "Softmax": 278_148_096,
                  "LayerNorm": 119_510_928},
    "gpt2": {"total": 885_146_258},
}
LAYERS = {"bert-tiny": 2, "bert-base": 12, "gpt2": 12}
OPEN = {}
HEADER = 8


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("breakdown")
    ap.add_argument("--tolerance", type=float, default=0.01)
    a = ap.parse_args()
    try:
        with open(a.breakdown) as f:
            j = json.load(f)
    except (OSError, ValueError) as e:
        print(f"sigma_bytes: cannot read {a.breakdown}: {e}", file=sys.stderr)
        return 2
    cfg = j.get("config", {})
    model = cfg.get("model")
    err = sigma_run_error(cfg, SIGMA, "sigma_bytes")
    if err:
        print(err, file=sys.stderr)
        return 2
    cats = {}
    for s in j["scopes"]:
        top = s["path"].split("/")[0]
        c = cats.setdefault(top, {"bytes": 0, "messages": 0})
        c["bytes"] += s["bytes"]
        c["messages"] += s["messages"]
    ours = {k: v["bytes"] - HEADER * v["messages"] for k, v in cats.items()}
    final_ln = 0
    if model == "gpt2" and "LayerNorm" in ours:
        final_ln = ours["LayerNorm"] // (2 * LAYERS[model] + 1)
        ours["LayerNorm"] -= final_ln
    ours["total"] = (j["total"]["bytes"] - HEADER * j["total"]["messages"] -
                     cats.get("Misc", {"bytes": 0})["bytes"] - final_ln)
    ok = True
    print(f"{model} sigma, seq 128, batch 1: bytes (one party's sent + received) after our "
          f"deviations (frame headers, input message{', final LayerNorm' if final_ln else ''})")
    print(f"{'category':18s} {'ours':>15s} {'SIGMA':>15s} {'diff':>8s}  verdict")
    for k, want in SIGMA[model].items():
        got = ours.get(k, 0)
        d = (got - want) / want
        if k in OPEN:
            verdict = f"open: {OPEN[k]}"
        elif abs(d) <= a.tolerance:
            verdict = "ok"
        else:
            verdict = f"OFF by more than {a.tolerance:.0%}"
            ok = False
        print(f"{k:18s} {got:15,d} {want:15,d} {d:+8.2%}  {verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
