"""What scripts/sigma_bytes.py and scripts/sigma_keys.py accept: a `--system sigma` run at seq 128,
batch 1, of a model GPU-MPC has figures for, with SIGMA's lookup (not `--sigma-lut nbit`)."""


def sigma_run_error(cfg, models, tool):
    """None when the run's config block fits, else the line to print (the tool exits 2)."""
    model = cfg.get("model")
    if cfg.get("system") != "sigma" or model not in models or cfg.get("seq") != 128 or \
            cfg.get("batch") != 1:
        return (f"{tool}: need a sigma run of {', '.join(models)} at seq 128, batch 1; got "
                f"{cfg.get('system')} {model} seq {cfg.get('seq')} batch {cfg.get('batch')}")
    if cfg.get("sigma_lut", "sigma") != "sigma":
        return f"{tool}: this run used --sigma-lut nbit (improved sigma), not SIGMA's lookup"
    return None
