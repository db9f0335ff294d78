#!/bin/sh
# The paper-size models on the CPU and on the GPU (testdata/bench/models_bench.c,
# F 500, H = E 512, V 6000, T 120 rows, captions of 20 tokens):
#   cg        caption-generator training step, batch 36 (cg-pretrain)
#   cycle     weakly supervised cycle step, batch 32 (wsdec-train)
#   caption   beam 3, 15 proposals per video;  localize  4 sentences per video
# CPU against CUDA in ms (or videos/s) with the speed-up, the host<->device
# synchronisations of one step (nn_device_counters), and for the largest
# GEMM shapes of the step cuBLAS sgemm alone (the card's limit) against the
# step's achieved GFLOP/s. Without a GPU it prints the CPU figures and says
# the GPU part was skipped. WSD_THREADS (default: all cores), WSD_BENCH_REPS
# (default 3), WSD_BENCH_ITEMS (default "cg cycle caption localize") and WSD_BENCH_BIN (default bin/obj/bench; the gpu bundle's
# bench/ in pipelines/gpu-check.sh) adjust it.
set -e
cd "$(dirname "$0")/.."
threads=${WSD_THREADS:-$(nproc 2>/dev/null || echo 1)}
reps=${WSD_BENCH_REPS:-3}
bin=${WSD_BENCH_BIN:-bin/obj/bench}
[ -x "$bin/models_bench" ] || { echo "bench-gpu: $bin/models_bench missing; run make first"; exit 1; }
run() { OPENBLAS_NUM_THREADS=$threads "$bin/models_bench" "$1" "$threads" "$reps" "$2"; }
gpu=1
why=$("$bin/models_bench" gemm:64:64:64 1 1 cuda 2>&1 >/dev/null) || gpu=0
echo "paper-size models, CPU ($threads thread(s)) against CUDA, median of $reps"
[ $gpu = 1 ] || echo "  GPU part skipped: ${why:-no CUDA GPU answered}"
cg_gpu=
for item in ${WSD_BENCH_ITEMS:-cg cycle caption localize}; do
    set -- $(run $item cpu)
    cw=$1 units=$3 cs=$4
    case $item in
    caption | localize) rate() { awk -v u="$units" -v w="$1" 'BEGIN { printf "%.2f videos/s", u / (w / 1e3) }'; } ;;
    *) rate() { printf '%s ms' "$1"; } ;;
    esac
    line="  $item: CPU $(rate "$cw") (syncs $cs)"
    if [ $gpu = 1 ]; then
        set -- $(run $item cuda)
        gw=$1 gs=$4
        line="$line; CUDA $(rate "$gw") (syncs $gs); speed-up $(awk -v a="$cw" -v b="$gw" 'BEGIN { printf "%.1fx", a / b }')"
        [ "$item" = cg ] && cg_gpu=$gw cg_flop=$units
    fi
    echo "$line"
done
# the largest products of the cg step (batch 36): output layer (19·36 rows
# × V × H), decoder input gates (19·36 × 3H × (E + 3H)), encoder input gates
# (120·36 × 3H × F)
if [ $gpu = 1 ]; then
    best=0
    for shape in 684:6000:512 684:1536:2048 4320:1536:500; do
        set -- $(run "gemm:$shape" cuda)
        r=$(awk -v u="$3" -v w="$1" 'BEGIN { printf "%.0f", u / (w / 1e3) }')
        echo "  cuBLAS sgemm alone $(echo "$shape" | tr : x): $r GFLOP/s"
        [ "$r" -gt "$best" ] && best=$r
    done
    [ -n "$cg_gpu" ] && awk -v u="$cg_flop" -v w="$cg_gpu" -v b="$best" 'BEGIN { a = u / (w / 1e3);
        printf "  cg step on CUDA: %.1f GFLOP of sgemm at %.0f GFLOP/s achieved = %.0f%% of the best cuBLAS shape\n", u, a, 100 * a / b }'
else
    set -- $(run gemm:684:6000:512 cpu)
    echo "  CPU sgemm 684x6000x512: $(awk -v u="$3" -v w="$1" 'BEGIN { printf "%.1f", u / (w / 1e3) }') GFLOP/s (cuBLAS shapes skipped: no GPU)"
fi
