#!/bin/sh
# Model speed at the paper's configuration (F 500, H = E 512, 2-layer GRUs,
# V 6000, T 120, captions of 20 tokens), ours against the PyTorch reference
# models (testdata/torch/cg_ref.py, sl_ref.py run as the reference runs them),
# alternating in the same run with the same thread count:
#   cg        caption-generator training step, batch 36 (forward, backward, SGD)
#   cycle     weakly supervised cycle step, batch 32 (both models)
#   caption   beam 3, 15 proposals per video, max 20 words
#   localize  sentence localizer, 4 sentences per video
# plus the sgemm rate of a large product measured in the same run, the
# caption-generator step's achieved GFLOP/s against it, and one
# ActivityNet-train epoch of cg-pretrain (10,009 videos, 278 batches of 36)
# extrapolated from the measured step (pipelines/bench-epoch.sh measures whole
# epochs of both trainers on 200 videos instead).
# Those batches have videos of 120 rows each. ITEM@anet is ITEM on a batch of
# videos of ActivityNet lengths instead: 36 videos drawn (seed 1) from
# ActivityNet Captions' train annotations (WSD_ANET_TRAIN, default
# ../shared/data/activitynet-captions/train_modified.json; the @anet items
# are skipped without it), each duration at C3D's 3.75 rows/s sampled by 2,
# each video's first sentence as its caption, the batch padded to its
# longest video and sentence as the reference pads it (we skip the padding,
# it computes it; cycle takes the first 32); the epoch extrapolation is made
# from cg@anet.
# PyTorch runs with OMP_WAIT_POLICY=PASSIVE (its best setting on 2 cores).
# WSD_THREADS (default: all cores), WSD_BENCH_REPS (3), WSD_BENCH_ROUNDS (2:
# ours/PyTorch alternations per item; the best of each side is kept) and
# WSD_BENCH_ITEMS ("cg cycle caption localize cg@anet cycle@anet") adjust it.
# Each figure: wall time, and process CPU time (all threads) which on a shared
# machine measures our own work better; the load average is printed beside it.
set -e
cd "$(dirname "$0")/.."
threads=${WSD_THREADS:-$(nproc 2>/dev/null || echo 1)}
reps=${WSD_BENCH_REPS:-3}
rounds=${WSD_BENCH_ROUNDS:-2}
items=${WSD_BENCH_ITEMS:-cg cycle caption localize cg@anet cycle@anet}
anet=${WSD_ANET_TRAIN:-../shared/data/activitynet-captions/train_modified.json}
# models_bench is built by `make` (bench: all) with the library
[ -x bin/obj/bench/models_bench ] || { echo "bench-models: bin/obj/bench/models_bench missing; run make first"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
PY=${WSD_TORCH_PYTHON:-/usr/bin/python3}
have_torch=0
"$PY" -c 'import torch' 2>/dev/null && have_torch=1
load() { cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo '?'; }
ours() { OPENBLAS_NUM_THREADS=$threads bin/obj/bench/models_bench "$1" "$threads" "$reps"; }
theirs() {
    OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=$threads MKL_NUM_THREADS=$threads \
        "$PY" testdata/bench/models_bench.py "$1" "$threads" "$reps"
}
# the feature rows of 36 ActivityNet train videos (seed 1), and the tokens of
# each one's first sentence (<bos>, <eos> and the words of the reference's
# tokenisation: spaces around . and ,), two comma-separated lines
anet_rows() {
    python3 -c 'import json, math, random, sys
d = json.load(open(sys.argv[1]))
random.seed(1)
ids = random.sample(sorted(d), 36)
print(",".join(str(math.ceil(max(1, round(d[k]["duration"] * 3.75)) / 2)) for k in ids))
tok = lambda s: s.replace(".", " . ").replace(",", " , ").lower().split()
print(",".join(str(len(tok(d[k]["sentences"][0])) + 2) for k in ids))' "$1"
}
# best (smallest) of "wall cpu units" lines, by cpu
best() { sort -n -k2 | head -n 1; }

echo "models at F 500, H = E 512, V 6000, T 120 (@anet: ActivityNet lengths), L 20; $threads thread(s), median of $reps," \
    "best of $rounds alternations"
if [ "$have_torch" = 1 ]; then
    echo "  PyTorch $("$PY" -c 'import torch; print(torch.__version__)') CPU, OMP_WAIT_POLICY=PASSIVE"
else
    echo "  PyTorch: not importable with $PY (install python3-torch to compare)"
fi
peak=$(ours sgemm | awk '{ printf "%.1f", $3 / ($1 / 1e3) }')
peak_cpu=$(ours sgemm | awk -v t="$threads" '{ printf "%.1f", $3 / ($2 / 1e3) * t }')
echo "  sgemm (4320 x 512 x 1536): $peak GFLOP/s wall, $peak_cpu GFLOP/s per CPU-second x $threads (load $(load))"
for spec in $items; do
    item=${spec%@anet}
    unset WSD_BENCH_LENGTHS WSD_BENCH_CAPTION_LENGTHS
    if [ "$item" != "$spec" ]; then
        if ! [ -r "$anet" ] || ! rows=$(anet_rows "$anet"); then
            echo "  $spec: skipped ($anet not readable: set WSD_ANET_TRAIN to ActivityNet's train annotations)"
            continue
        fi
        WSD_BENCH_LENGTHS=$(echo "$rows" | sed -n 1p)
        WSD_BENCH_CAPTION_LENGTHS=$(echo "$rows" | sed -n 2p)
        export WSD_BENCH_LENGTHS WSD_BENCH_CAPTION_LENGTHS
        if [ -z "${anet_told:-}" ]; then
            anet_told=1
            echo "$rows" | awk -F, '{ m = 0; t = 0; for (i = 1; i <= NF; i++) { t += $i; if ($i > m) m = $i }
                if (NR == 1) printf "  @anet: 36 ActivityNet train videos (seed 1; a batch takes the first it needs): %.0f feature rows on average, the longest %d (%.0f%% of a batch padded to it is video);", t / NF, m, 100 * t / NF / m
                else printf " first sentences of %.0f tokens on average, the longest %d (%.0f%%)\n", t / NF, m, 100 * t / NF / m }'
        fi
    fi
    o=$tmp/$spec.ours
    p=$tmp/$spec.torch
    : >"$o"
    : >"$p"
    r=0
    while [ "$r" -lt "$rounds" ]; do
        ours "$item" >>"$o"
        [ "$have_torch" = 1 ] && theirs "$item" >>"$p"
        r=$((r + 1))
    done
    set -- $(best <"$o")
    ow=$1 oc=$2 units=$3
    line="  $spec: ours wall $ow ms cpu $oc ms"
    case $item in
    caption | localize)
        line="$line ($(awk -v u="$units" -v w="$ow" -v c="$oc" \
            'BEGIN { printf "%.2f videos/s wall, %.2f per CPU-s", u / (w / 1e3), u / (c / 1e3) }'))" ;;
    cg)
        line="$line ($(awk -v u="$units" -v w="$ow" -v c="$oc" -v pk="$peak" -v pc="$peak_cpu" -v t="$threads" \
            'BEGIN { printf "%.1f GFLOP in sgemm: %.1f GFLOP/s wall = %.0f%% of the sgemm rate; per CPU-second x %d: %.1f = %.0f%%", u, u / (w / 1e3), 100 * u / (w / 1e3) / pk, t, u / (c / 1e3) * t, 100 * u / (c / 1e3) * t / pc }'))" ;;
    esac
    echo "$line (load $(load))"
    if [ "$have_torch" = 1 ]; then
        set -- $(best <"$p")
        echo "  $spec: PyTorch wall $1 ms cpu $2 ms; ours / PyTorch: wall $(awk -v a="$ow" -v b="$1" 'BEGIN { printf "%.2f", a / b }')," \
            "cpu $(awk -v a="$oc" -v b="$2" 'BEGIN { printf "%.2f", a / b }') (load $(load))"
    fi
    if [ "$spec" = cg@anet ]; then
        awk -v w="$ow" 'BEGIN { printf "  cg-pretrain epoch of ActivityNet train (10,009 videos = 278 steps of 36): %.1f min at this step time\n", 278 * w / 6e4 }'
    fi
done
