# pipelines/demo.mk (the README's `make demo`) runs end to end on a short
# schedule: every program of the chain, the test-time cycle as a pipeline,
# the official table on stdout; a failing program fails the recipe.
. "$WSD_ROOT/testdata/cli-lib.sh"
cd "$WSD_ROOT" || fail "no project root"
M="make --no-print-directory -f pipelines/demo.mk BIN=$WSD_BIN DEMO=$TMP/d CG_EPOCHS=2 WSD_EPOCHS=2"
$M >"$TMP/out" 2>"$TMP/err" || { tail -n 20 "$TMP/err"; fail "demo recipe failed"; }
for k in "tIoU:  0.5" "Average across all tIoUs" "| CIDEr:" "| Recall:" "| Precision:"; do
    grep -qF "$k" "$TMP/out" || { cat "$TMP/out"; fail "score table lacks '$k'"; }
done
grep -q "NOT METEOR" "$TMP/err" || fail "the pseudo-label stand-in was not announced"
grep -q "epoch 1 cycle done" "$TMP/err" || fail "no cycle epoch ran"
[ -s "$TMP/d/final.h5" ] && [ -s "$TMP/d/pred.jsonl" ] || fail "checkpoint or predictions missing"
# the report: written, its path printed, well formed, a timeline per validation video, both training curves
grep -qx "report: $TMP/d/report.html" "$TMP/out" || fail "the report's path was not printed"
"$WSD_BIN/densevid-report" --check "$TMP/d/report.html" 2>"$TMP/check" || { cat "$TMP/check"; fail "report check"; }
grep -q "well formed; 50 videos, 50 timelines" "$TMP/check" || { cat "$TMP/check"; fail "expected 50 timelines"; }
grep -q 'data-name="batch loss: caption"' "$TMP/d/report.html" || fail "no cg-pretrain curve in the report"
grep -q 'data-name="batch loss: cycle"' "$TMP/d/report.html" || fail "no wsdec-train curve in the report"
grep -q 'pseudo-labels per anchor' "$TMP/d/report.html" || fail "no pseudo-label statistics in the report"
# ...and opened as a person would (a message instead when Chromium is absent)
. "$WSD_ROOT/testdata/render-check.sh"
render_check "$TMP/d/report.html" "$TMP/report.png" || echo "demo report not rendered"
# a broken stage stops the recipe (the pipeline's first program here)
rm -f "$TMP/d/pred.jsonl"
$M SEED=x >"$TMP/out2" 2>"$TMP/err2" && fail "a bad --seed did not fail the recipe"
[ -e "$TMP/d/pred.jsonl" ] && fail "a failed pipeline left predictions behind"
exit 0
