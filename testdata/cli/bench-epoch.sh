#!/bin/sh
# `make bench`'s measured training epochs (pipelines/bench-epoch.sh), end to
# end at toy sizes: the three epoch lines with their measured seconds and the
# ActivityNet extrapolation from the time per batch.
. "$(dirname "$0")/../cli-lib.sh"
ROOT=${WSD_ROOT:-.}
cd "$ROOT" || fail "no $ROOT"
toy="WSD_EPOCH_VIDEOS=40 WSD_EPOCH_DIM=12 WSD_EPOCH_HIDDEN=8 WSD_EPOCH_VOCAB=200 WSD_THREADS=1"
# ActivityNet's own videos when their annotations are there (../shared)
anet=../shared/data/activitynet-captions/train_modified.json
if [ -r "$anet" ]; then
    out=$(env $toy sh pipelines/bench-epoch.sh 2>&1) || fail "bench-epoch.sh failed: $out"
    echo "$out" | grep -q '^training epochs on 40 ActivityNet train videos (their sentences and durations' ||
        fail "header with ActivityNet's annotations: $out"
    echo "$out" | grep -q 'cg-pretrain epoch:.*(1 batches of 36, ' || fail "ActivityNet epoch: $out"
else
    echo "bench-epoch: $anet absent, only the synthetic videos"
fi
out=$(env $toy WSD_ANET_TRAIN=/nonexistent sh pipelines/bench-epoch.sh 2>&1) || fail "bench-epoch.sh failed: $out"
echo "$out" | grep -q '^training epochs on 40 synthetic videos of 120 s (T 120): F 12, H = E 8, V 200' || fail "header: $out"
for what in 'cg-pretrain epoch:.*(1 batches of 36, [0-9.]* s a batch); ActivityNet train (10009 videos, 278 batches)' \
    'wsdec-train SL epoch (pseudo-labels):.*(6 batches of 6, .*(10009 videos, 1668 batches)' \
    'wsdec-train cycle epoch:.*(1 batches of 32, .*(10009 videos, 312 batches): [0-9.]* min'; do
    echo "$out" | grep -q "$what" || fail "no '$what' in: $out"
done
# the extrapolation is the time per batch times the batches of 10,009 videos
echo "$out" | awk '/cycle epoch/ {
    for (i = 1; i <= NF; i++) if ($i == "a" && $(i + 1) == "batch);") per = $(i - 2)
    match($0, /: [0-9.]+ min/); min = substr($0, RSTART + 2, RLENGTH - 6)
    if (per == "" || min == "" || (per * 312 / 60 - min) ^ 2 > 0.01 + (0.005 * 312 / 60) ^ 2) exit 1
}' || fail "extrapolation does not follow from the time per batch: $out"
exit 0
