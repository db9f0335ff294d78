#!/bin/sh
# Measured training epochs at the paper's configuration on synthetic videos,
# and one ActivityNet-train epoch (10,009 videos) extrapolated from them:
#   cg-pretrain   one epoch, batch 36 (one sentence per video)
#   wsdec-train   epoch 0 (SL epoch: beam-3 captions of the 15 anchors, the
#                 pseudo-labels scored by unigram-f, the METEOR stand-in that
#                 needs no Java) and epoch 1 (cycle epoch, batch 32)
# on WSD_EPOCH_VIDEOS (200) videos with feat-synth features: by default
# ActivityNet train videos drawn with seed 1 from WSD_ANET_TRAIN (default
# ../shared/data/activitynet-captions/train_modified.json): their sentences
# and durations, C3D's 3.75 rows/s, sample rate 2, so real lengths and
# real padding; without that file (or WSD_EPOCH_SYNTH=1) synthetic
# captions of 120 s videos at 2 rows/s (T = 120 rows, no padding).
# Features of WSD_EPOCH_DIM (500), hidden = embedding
# WSD_EPOCH_HIDDEN (512), 2-layer GRUs, a vocabulary padded to
# WSD_EPOCH_VOCAB (6000) entries as ActivityNet's. Each epoch's time is the
# programs' own (the "seconds" of their --log epoch records: the batches,
# without start-up and feature loading); the extrapolation scales the time per
# batch to the batches of 10,009 videos (the last partial batch dropped, as
# the programs do). On the CPU (--device cpu), WSD_THREADS (default: all cores)
# threads; WSD_BIN (bin) the programs' folder.
set -e
cd "$(dirname "$0")/.."
threads=${WSD_THREADS:-$(nproc 2>/dev/null || echo 1)}
videos=${WSD_EPOCH_VIDEOS:-200}
dim=${WSD_EPOCH_DIM:-500}
hidden=${WSD_EPOCH_HIDDEN:-512}
vsize=${WSD_EPOCH_VOCAB:-6000}
anet=10009
bin=${WSD_BIN:-bin}
for p in feat-synth vocab-build cg-pretrain wsdec-train; do
    [ -x "$bin/$p" ] || { echo "bench-epoch: $bin/$p missing; run make first"; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
load() { cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo '?'; }

anet_json=${WSD_ANET_TRAIN:-../shared/data/activitynet-captions/train_modified.json}
if [ "${WSD_EPOCH_SYNTH:-0}" != 1 ] && [ -r "$anet_json" ] &&
    python3 -c 'import json, random, sys
d = json.load(open(sys.argv[1]))
random.seed(1)
json.dump({k: d[k] for k in random.sample(sorted(d), int(sys.argv[2]))}, sys.stdout)' \
        "$anet_json" "$videos" >"$tmp/train.json"; then
    what="ActivityNet train videos (their sentences and durations, C3D rate 3.75 rows/s, sample rate 2)"
    rate=3.75
else
    "$bin/feat-synth" --make-captions "$videos" --min-duration 120 --max-duration 120 --seed 11 >"$tmp/train.json"
    what="synthetic videos of 120 s (T 120)"
    rate=2
fi
"$bin/feat-synth" "$tmp/train.json" --dim "$dim" --rows-per-second "$rate" --seed 12 -o "$tmp/train.tsr"
"$bin/vocab-build" "$tmp/train.json" --min-count 1 -o "$tmp/vocab0.json" 2>"$tmp/vocab.log"
entries=$(sed -n 's/.*vocabulary: \([0-9]*\) entries.*/\1/p' "$tmp/vocab.log")
[ -n "$entries" ] || { echo "bench-epoch: vocab-build reported no size"; cat "$tmp/vocab.log"; exit 1; }
# pad the vocabulary with unused words up to the paper's size (inserted before
# <oov>, which stays last; the counts, optional in the format, are dropped):
# the embeddings and the output layer are then ActivityNet's (6000 × 512)
pads=$(awk -v n="$entries" -v size="$vsize" 'BEGIN { for (k = n; k < size; k++) printf ",\"pad%05d\"", k }')
sed -e "s/,\"<oov>\"\]/$pads,\"<oov>\"]/" -e 's/,"counts":\[[^]]*\]//' "$tmp/vocab0.json" >"$tmp/vocab.json"

model="--hidden $hidden --embed $hidden --sample-rate 2"
run="--seed 233 --threads $threads --device cpu -q"
# the "seconds" and "batches" of the epoch record of EPOCH in a --log file
epoch_field() {
    grep '"kind":"epoch"' "$1" | grep "\"epoch\":$2," | sed -n "s/.*\"$3\":\([0-9.e+-]*\).*/\1/p" | head -n 1
}
report() { # name log epoch batch
    s=$(epoch_field "$2" "$3" seconds)
    n=$(epoch_field "$2" "$3" batches)
    [ -n "$s" ] && [ -n "$n" ] || { echo "bench-epoch: no epoch $3 record in $2"; exit 1; }
    awk -v name="$1" -v s="$s" -v n="$n" -v b="$4" -v v="$videos" -v a="$anet" -v ld="$(load)" 'BEGIN {
        nb = int(a / b); t = s / n * nb
        printf "  %s: %.1f s measured for %d videos (%d batches of %d, %.2f s a batch);", name, s, v, n, b, s / n
        printf " ActivityNet train (%d videos, %d batches): %.1f min = %.2f h (load %s)\n", a, nb, t / 60, t / 3600, ld
    }'
}

echo "training epochs on $videos $what: F $dim, H = E $hidden, V $vsize, 2-layer GRUs;" \
    "$threads thread(s) (load $(load))"
"$bin/cg-pretrain" --feats "$tmp/train.tsr" --captions "$tmp/train.json" --vocab "$tmp/vocab.json" \
    --out "$tmp/cg.h5" $model $run --epochs 1 --batch 36 --log "$tmp/cg.jsonl"
report "cg-pretrain epoch" "$tmp/cg.jsonl" 0 36
"$bin/wsdec-train" --feats "$tmp/train.tsr" --captions "$tmp/train.json" --cg "$tmp/cg.h5" \
    --out "$tmp/final.h5" $run --epochs 2 --batch 32 --sl-batch 6 --pseudo-label-metric unigram-f \
    --log "$tmp/final.jsonl"
report "wsdec-train SL epoch (pseudo-labels)" "$tmp/final.jsonl" 0 6
report "wsdec-train cycle epoch" "$tmp/final.jsonl" 1 32
