# Session 32, call 2: A/B of e5d54ca's paired AES in the generation cores (run as `bash ab_pair.sh`).
# The exact script session 32's call 2 ran at the repository root on the device (device `run`,
# carry [".deps"]), kept here as the record of what measured call 2's numbers; pair.patch was made
# beside it with
#   git diff e5d54ca~1 e5d54ca -- fss/cuda/aes_core.h fss/cuda/aes_tables.cuh fss/cuda/dcf_core.h \
#     fss/cuda/dcf_gen.cu fss/cuda/dpf_core.h fss/cuda/dpf_et_lut.cu fss/cuda/dpf_gen.cu \
#     fss/cuda/prg_core.h fss/cuda/sigma_dcf.cu fss/cuda/sigma_dcf_core.h > pair.patch
# on a tree at 1d01c1b (which held e5d54ca). After e79ad5c the same comparison is the reverse:
# make the patch with `git diff e79ad5c e79ad5c~1 -- <the same files>` and swap A and B.
set -uo pipefail
source scripts/device_setup.sh
o=${OUT:-/tmp/out}
mkdir -p "$o/a" "$o/b"
b=build-gpu
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
git apply -R pair.patch || exit 2
device_build A "$o/a" $b secinfer gpu_bench || exit 2
cp $b/bin/secinfer /tmp/A && cp $b/bin/gpu_bench /tmp/Abench
git apply pair.patch || exit 2
device_build B "$o/b" $b secinfer gpu_bench || exit 2
cp $b/bin/secinfer /tmp/B && cp $b/bin/gpu_bench /tmp/Bbench
echo "built: $SECONDS s"
for side in A B A B; do
  /tmp/${side}bench --keygen --quick --md "$o/bench-$side.md" >/dev/null 2>&1
  grep "keygen" "$o/bench-$side.md" | grep "1 block" | cut -d'|' -f2,3,6 | sed "s/^/$side /"
done
for r in 1 2; do
  for side in A B; do
    timeout 100 /tmp/$side local --model bert-base --seq 128 --system fusefss --backend cuda \
      --runs 2 --warmup 1 >"$o/run-$side-$r.log" 2>&1
    echo "round $r $side: $(grep -h 'offline: keygen' "$o/run-$side-$r.log") ($SECONDS s)"
    grep -ho "ends waiting for the keygen kernels [0-9]* ms" "$o/run-$side-$r.log"
  done
done
