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

# METEOR's alignment grows with the square of the length: a caption beyond
# 2048 words is cut to its first 2048, said on stderr, and scores exactly as
# the cut caption does (distinct words keep this fast).
JAR=$WSD_SHARED/official-eval/coco-caption/pycocoevalcap/meteor/meteor-1.5.jar
[ -f "$JAR" ] || skip "$JAR absent: METEOR length bound not checked"
words() { awk -v n="$1" -v p="$2" 'BEGIN { for (i = 1; i <= n; i++) printf "%s%s%d", (i > 1 ? " " : ""), p, i }'; }
printf '{"v_a": {"duration": 9, "timestamps": [[0, 9]], "sentences": ["%s"]}}\n' "$(words 2100 w)" >"$TMP/ref.json"
printf '{"video_id": "v_a", "events": [{"timestamp": [0, 9], "sentence": "%s"}]}\n' "$(words 3000 w)" >"$TMP/long.jsonl"
printf '{"video_id": "v_a", "events": [{"timestamp": [0, 9], "sentence": "%s"}]}\n' "$(words 2048 w)" >"$TMP/cut.jsonl"
printf '{"v_a": {"duration": 9, "timestamps": [[0, 9]], "sentences": ["%s"]}}\n' "$(words 2048 w)" >"$TMP/refcut.json"
"$S" -s "$TMP/long.jsonl" -r "$TMP/ref.json" --meteor-jar "$JAR" --tious 0.5 --json >"$TMP/long.out" 2>"$TMP/err" ||
    fail "long caption run"
grep -q 'METEOR: 2 caption(s) longer than 2048 words were cut to their first 2048 words' "$TMP/err" ||
    fail "cut not reported: $(cat "$TMP/err")"
"$S" -s "$TMP/cut.jsonl" -r "$TMP/refcut.json" --meteor-jar "$JAR" --tious 0.5 --json >"$TMP/cut.out" 2>"$TMP/err" ||
    fail "cut caption run"
grep -q 'were cut' "$TMP/err" && fail "a 2048-word caption was cut"
m() { sed -n 's/.*"METEOR": {"per_tiou": {"0.5": \([^}]*\)}.*/\1/p' "$1"; }
[ -n "$(m "$TMP/cut.out")" ] && [ "$(m "$TMP/long.out")" = "$(m "$TMP/cut.out")" ] ||
    fail "cut caption scores $(m "$TMP/long.out"), its first 2048 words $(m "$TMP/cut.out")"
exit 0
