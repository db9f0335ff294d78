# pipelines/anet.mk wired end to end on a tiny stand-in for the downloaded
# data (ActivityNet file names, the official C3D HDF5 layout from feat-synth,
# train = val): features, pretraining, final model, both baselines, the three
# evaluations and a 2x1 seed sweep, with small models and the stand-in metric.
. "$WSD_ROOT/testdata/cli-lib.sh"
cd "$WSD_ROOT" || fail "no project root"
A="$TMP/anet"
mkdir -p "$A"
"$WSD_BIN/feat-synth" --make-captions 12 --seed 11 -o "$A/train_modified.json" 2>/dev/null || fail "captions"
cp "$A/train_modified.json" "$A/val_1.json" && cp "$A/train_modified.json" "$A/val_2.json"
"$WSD_BIN/feat-synth" --dim 12 --rows-per-second 0.5 "$A/train_modified.json" \
    --hdf5 "$A/sub_activitynet_v1-3.c3d.hdf5" || fail "feat-synth --hdf5"
make --no-print-directory -f pipelines/anet.mk BIN="$WSD_BIN" ANET="$A" OUT="$TMP/run" \
    CG_EPOCHS=2 CG_OPTS="--hidden 8 --embed 8 --batch 4 --sample-rate 1" \
    WSD_OPTS="--epochs 2 --batch 4 --sl-batch 4 --pseudo-label-metric unigram-f" \
    SWEEP_N="2 3" SWEEP_SEEDS=5 eval sweep >"$TMP/out" 2>"$TMP/err" || { tail -n 30 "$TMP/err"; fail "anet recipe failed"; }
for e in final noclass noregress pretrain-random localization localization-val2; do
    grep -q "Average across all tIoUs" "$TMP/run/eval/$e.txt" || fail "evaluation $e has no score table"
done
for e in localization localization-val2; do
    grep -q "tIoU:  0.1" "$TMP/run/eval/$e.txt" || fail "$e is scored at tIoU 0.1 too"
    [ "$(grep -c '^| R@1 score: ' "$TMP/run/eval/$e.txt")" = 6 ] || fail "$e: no R@1 per tIoU (5) and average"
    grep -q '^| mIoU: ' "$TMP/run/eval/$e.txt" || fail "$e: no mIoU"
    grep -q '"gt_timestamp"' "$TMP/run/eval/$e.jsonl" || fail "$e keeps no gt_timestamp"
done
grep -q '^| R@1 score: ' "$TMP/run/eval/final.txt" && fail "dense captioning scored with R@1"
for e in final noclass noregress pretrain-random; do
    [ -s "$TMP/run/eval/$e.jsonl" ] || fail "the predictions of $e were not kept"
done
# the report: the final model's timelines (12 videos) and the curves of all four trainings
grep -q "^report: $TMP/run/report.html" "$TMP/out" || fail "the report's path was not printed"
"$WSD_BIN/densevid-report" --check "$TMP/run/report.html" 2>"$TMP/check" || { cat "$TMP/check"; fail "report check"; }
grep -q "12 videos, 12 timelines" "$TMP/check" || { cat "$TMP/check"; fail "expected 12 timelines"; }
for l in cg final noclass noregress; do
    grep -q "data-run=\"$l\"" "$TMP/run/report.html" || fail "no curve of the $l training in the report"
done
[ "$(grep -c '^final-n' "$TMP/out")" = 2 ] || { cat "$TMP/out"; fail "the sweep should report 2 runs"; }
exit 0
