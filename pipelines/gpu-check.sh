#!/bin/sh
# `make gpu-check`: the checks a session with a GPU runs in one call (under
# 4 minutes of device time). Prepared here, run there:
#   here:   sh pipelines/gpu-bundle.sh          (CUDA build + the libraries it needs)
#   there:  make gpu-check                      (carry bin/gpu-bundle.tar.xz; OUT=$OUT)
# Without a bundle it builds with the device's nvcc (needs our -dev headers).
# Prints one "gpu-check: NAME: ok|FAILED|skipped ..." line per check and
# writes everything to $OUT/gpu-check.txt (or bin/gpu-check.txt).
set -u
cd "$(dirname "$0")/.."
report=${OUT:-bin}/gpu-check.txt
mkdir -p "$(dirname "$report")"
: >"$report"
say() { echo "$*" | tee -a "$report"; }
log() { tee -a "$report" >/dev/null; }
summary=""
logs=$(mktemp -d)  # per-check logs, appended to the report
trap 'rm -rf "$logs"' EXIT
result() { summary="$summary
gpu-check: $1: $2"; say "gpu-check: $1: $2"; }

say "== machine"
{ nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1
  (command -v nvcc >/dev/null && nvcc --version | tail -n 2) 2>&1
  nproc; uname -r; } | log
# CUDA libraries of the device, matched to its driver: the toolkit's, else the pip wheels'
cuda_libs=""
for d in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib \
         $(python3 -c 'import nvidia, os; print(" ".join(os.path.join(p, s, "lib") for p in nvidia.__path__ for s in ("cublas", "cuda_runtime", "cu13")))' 2>/dev/null); do
    [ -d "$d" ] && ls "$d" | grep -q '^libcublas\.so' && cuda_libs="$cuda_libs:$d"
done
say "cuBLAS from: ${cuda_libs#:}"

BIN=bin TEST=bin/obj/test
export WSD_BENCH_BIN=bin/obj/bench
if [ -f bin/gpu-bundle.tar.xz ]; then
    tar -C bin -xJf bin/gpu-bundle.tar.xz
    BIN=bin/gpu-bundle/bin TEST=bin/gpu-bundle/test WSD_BENCH_BIN=bin/gpu-bundle/bench
    export LD_LIBRARY_PATH="$(pwd)/bin/gpu-bundle/lib$cuda_libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    say "build: the carried bundle"
else
    export LD_LIBRARY_PATH="${cuda_libs#:}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    if make -j"$(nproc)" CUDA=1 all test-bins >>"$report" 2>&1; then say "build: here, with nvcc"
    else result build "FAILED (no bundle carried and no build possible here; see the report)"; exit 1; fi
fi
if ! "$BIN/caption" --version >/dev/null 2>>"$report"; then
    result load "FAILED (the programs do not start: missing libraries, see the report)"; exit 1
fi

# Does a GPU answer? Without one every check below reports "skipped" (a dry
# run here proves the script and the bundle start; the tests skip themselves).
probe=$("$BIN/caption" --device cuda --model /nonexistent --feats /nonexistent 2>&1)
case "$probe" in
*"--device cuda:"*) gpu=0; say "no GPU: $probe" ;;
*) gpu=1 ;;
esac

# 1. every backend entry and layer, CPU against CUDA
for t in nn/nn_cuda_test wsd/wsd_cuda_test nn/nn_conv3d_test video/c3d_test; do
    [ -x "$TEST/$t" ] || { result "$t" "skipped (not built)"; continue; }
    if timeout 120 "$TEST/$t" >>"$report" 2>&1; then st=ok; else st="FAILED (exit $?)"; fi
    result "$t" "$st $(grep '^RESULT' "$report" | tail -n 1)"
done

# 1b. out of device memory: exit 1 and a message naming the tensor and its size,
# never a crash (the allocator's WSD_CUDA_MEM_LIMIT provokes it)
if [ $gpu = 1 ]; then
    o=$(mktemp -d)
    "$BIN/feat-synth" --make-captions 8 --seed 3 -o "$o/tr.json" 2>/dev/null &&
        "$BIN/feat-synth" --dim 500 --rows-per-second 0.5 "$o/tr.json" -o "$o/tr.tsr" &&
        "$BIN/vocab-build" -q "$o/tr.json" -o "$o/vocab.json" 2>>"$report"
    WSD_CUDA_MEM_LIMIT=2M timeout 60 "$BIN/cg-pretrain" -q --device cuda --feats "$o/tr.tsr" --captions "$o/tr.json" \
        --vocab "$o/vocab.json" --hidden 512 --embed 512 --batch 4 --epochs 1 --out "$o/m.h5" 2>"$o/err"
    rc=$?
    cat "$o/err" >>"$report"
    if [ $rc = 1 ] && grep -q "out of cuda memory allocating .* tensor (.*): [0-9]* bytes (WSD_CUDA_MEM_LIMIT" "$o/err"; then
        st="ok ($(head -c 160 "$o/err"))"
    else st="FAILED (exit $rc, expected 1 and a message naming the tensor and its bytes)"; fi
    result "out of device memory" "$st"
    rm -rf "$o"
else
    result "out of device memory" "skipped (no GPU answered)"
fi

# 2. the demo chain on each device, tables side by side
for dev in cpu cuda; do
    if [ $gpu = 0 ]; then result "demo --device $dev" "skipped (no GPU answered, nothing to compare)"; continue; fi
    start=$(date +%s)
    # fewer epochs than `make demo` (GPU_CHECK_CG_EPOCHS, GPU_CHECK_WSD_EPOCHS)
    # keep the whole check near 3 minutes; the two tables still compare
    if timeout 150 make --no-print-directory -f pipelines/demo.mk BIN="$BIN" DEMO=runs/gpu-check-$dev \
        DEVICE=$dev CG_EPOCHS="${GPU_CHECK_CG_EPOCHS:-8}" WSD_EPOCHS="${GPU_CHECK_WSD_EPOCHS:-3}" \
        >"$logs/demo-$dev.log" 2>&1; then st=ok; else st="FAILED (exit $?)"; fi
    cat "$logs/demo-$dev.log" >>"$report"
    result "demo --device $dev" "$st in $(( $(date +%s) - start )) s, $(grep -E 'CIDEr|Recall' "$logs/demo-$dev.log" | tail -n 2 | tr -s ' ' | tr '\n' ' ')"
done

# 3. benchmarks (each prints CPU and CUDA figures when a GPU answers; the
# GPU parts say "skipped" without one)
if timeout 150 env WSD_BIN="$BIN" WSD_BENCH_REPS=1 sh pipelines/bench-gpu.sh >"$logs/bench-gpu.log" 2>&1; then st=ok; else st="FAILED (exit $?)"; fi
cat "$logs/bench-gpu.log" >>"$report"
result bench-gpu "$st: $(grep -E '^  (cg|cycle|caption|localize|cg step on CUDA):' "$logs/bench-gpu.log" | tr -s ' ' | tr '\n' ';')"
if timeout 60 env WSD_BIN="$BIN" WSD_BENCH_REPS=3 sh pipelines/bench-engine.sh >>"$report" 2>&1; then st=ok; else st="FAILED (exit $?)"; fi
result bench-engine "$st (figures in the report)"
# C3D: CPU against PyTorch, then 32 clips on the GPU (unverified until run here)
if timeout 150 sh pipelines/bench-c3d.sh >"$logs/bench-c3d.log" 2>&1; then st=ok; else st="FAILED (exit $?)"; fi
cat "$logs/bench-c3d.log" >>"$report"
result bench-c3d "$st $(grep -E 'CUDA' "$logs/bench-c3d.log" | tail -n 1 | tr -s ' ')"

echo "$summary" | sed '/^$/d' >>"$report"
echo "gpu-check: report in $report"
