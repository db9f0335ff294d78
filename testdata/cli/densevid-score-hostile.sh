# densevid-score on hostile command lines (issue 12): one reference file with
# the submission on stdin (the tIoU array was sized by argc and overflowed),
# non-finite or out-of-range --tious (a bare nan reached the JSON).
. "$WSD_ROOT/testdata/cli-lib.sh"
S=$WSD_BIN/densevid-score
F=$WSD_ROOT/testdata/score

# argc 3, four default thresholds
"$S" -r "$F/refs_a.json" <"$F/sub.jsonl" >"$TMP/one.txt" 2>"$TMP/err" || { cat "$TMP/err"; fail "-r ONE < sub.jsonl crashed"; }
[ "$(grep -c '^tIoU:' "$TMP/one.txt")" = 4 ] || fail "-r ONE: expected the four default thresholds"
"$S" -r "$F/refs_a.json" --no-meteor --json <"$F/sub.jsonl" >"$TMP/one.json" 2>/dev/null || fail "-r ONE --json crashed"
grep -q '"tious": \[0.3, 0.5, 0.7, 0.9\]' "$TMP/one.json" || fail "-r ONE --json: default thresholds wrong"

for bad in nan inf -inf -0.5 1.5 1e999 x; do
    expect_exit 1 "--tious: expected a number in \[0, 1\], got '$bad'" "$S" -s "$F/sub.json" -r "$F/refs_a.json" --json --tious "$bad"
    [ -s "$TMP/out" ] && fail "--tious $bad: wrote output"
done
exit 0
