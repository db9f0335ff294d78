# densevid-score --localization: WSDEC's sentence localization (each
# sentence's timestamp against its own gt_timestamp, as localize --videos
# writes it), numbers computed by hand; bad input exits 1 naming the record.
. "$WSD_ROOT/testdata/cli-lib.sh"
S=$WSD_BIN/densevid-score

cat >"$TMP/ref.json" <<'EOF'
{"v_a": {"duration": 100, "timestamps": [[0, 10], [20, 40]], "sentences": ["A man runs.", "A dog jumps over a fence."]},
 "v_b": {"duration": 50, "timestamps": [[5, 15]], "sentences": ["A woman sings a song."]},
 "v_c": {"duration": 30, "timestamps": [[0, 30]], "sentences": ["People dance."]}}
EOF
# v_a: [0,5] vs [0,10]: tIoU 5/(10+1e-8), just under 0.5; [25,40] vs [20,40]: 0.75.
# v_b: [10,20] vs [5,15]: 1/3.  v_c: no prediction.  v_x: in no reference file.
cat >"$TMP/sub.jsonl" <<'EOF'
{"video_id": "v_a", "duration": 100, "events": [{"timestamp": [0, 5], "sentence": "A man runs.", "gt_timestamp": [0, 10]}, {"timestamp": [25, 40], "sentence": "A dog jumps over a fence.", "gt_timestamp": [20, 40]}]}
{"video_id": "v_b", "duration": 50, "events": [{"timestamp": [10, 20], "sentence": "A woman sings a song.", "gt_timestamp": [5, 15]}]}
{"video_id": "v_x", "duration": 9, "events": [{"timestamp": [0, 9], "sentence": "Nothing."}]}
EOF

"$S" --help | grep -q -- '--localization' || fail "--help lacks --localization"
"$S" --localization --no-meteor -r "$TMP/ref.json" -s "$TMP/sub.jsonl" >"$TMP/t.txt" 2>"$TMP/err" || { cat "$TMP/err"; fail "--localization"; }
# R@1 = hits / sentences (3 sentences; v_c is not in the denominator):
# 0.1: 3/3, 0.3: 3/3, 0.5: 1/3, 0.7: 1/3, 0.9: 0; average 8/15.
grep '^| R@1 score' "$TMP/t.txt" >"$TMP/r1.txt"
printf '| R@1 score: %s\n' 100.0000 100.0000 33.3333 33.3333 0.0000 53.3333 >"$TMP/want.txt"
diff "$TMP/want.txt" "$TMP/r1.txt" || fail "R@1 lines (0.1 0.3 0.5 0.7 0.9, average)"
grep -c '^tIoU:  ' "$TMP/t.txt" | grep -qx 5 || fail "default thresholds are 0.1 0.3 0.5 0.7 0.9"
# mIoU: (5/10.0001 + 15/20.0001 + 5/15.0001) / 3 = 0.5277741
grep -qx '| mIoU: 52.7774' "$TMP/t.txt" || fail "mIoU"
grep -q '^| sentences: 3, of 2 of the 3 reference videos' "$TMP/t.txt" || fail "counts"
# the evaluator's own metrics are still there (Recall at 0.1: (1 + 1 + 0) / 3)
grep -A10 '^tIoU:  0.1' "$TMP/t.txt" | grep -qx '| Recall: 66.6667' || fail "Recall at 0.1"
grep -q 'ignored' "$TMP/err" || fail "ignored video not reported"

# The official JSON and stdin give the same table.
cat >"$TMP/sub.json" <<'EOF'
{"version": "V0", "external_data": {}, "results": {
 "v_b": [{"timestamp": [10, 20], "sentence": "A woman sings a song.", "gt_timestamp": [5, 15]}],
 "v_a": [{"timestamp": [0, 5], "sentence": "A man runs.", "gt_timestamp": [0, 10]},
         {"timestamp": [25, 40], "sentence": "A dog jumps over a fence.", "gt_timestamp": [20, 40]}],
 "v_x": [{"timestamp": [0, 9], "sentence": "Nothing."}]}}
EOF
"$S" --localization --no-meteor -r "$TMP/ref.json" -s "$TMP/sub.json" 2>/dev/null | diff "$TMP/t.txt" - || fail "JSON differs"
"$S" --localization --no-meteor -r "$TMP/ref.json" <"$TMP/sub.jsonl" 2>/dev/null | diff "$TMP/t.txt" - || fail "stdin differs"

# --tious replaces the thresholds; -ppv 1 keeps v_a's first sentence only (2 sentences).
"$S" --localization --no-meteor --tious 0.3 0.5 -ppv 1 -r "$TMP/ref.json" -s "$TMP/sub.jsonl" 2>/dev/null \
  | grep '^| R@1 score' >"$TMP/r1.txt"
printf '| R@1 score: %s\n' 100.0000 0.0000 50.0000 >"$TMP/want.txt"
diff "$TMP/want.txt" "$TMP/r1.txt" || fail "--tious 0.3 0.5 -ppv 1"

# JSON: raw values.
"$S" --localization --no-meteor --json -r "$TMP/ref.json" -s "$TMP/sub.jsonl" >"$TMP/j.json" 2>/dev/null || fail "--json"
grep -q '"localization": {"R@1 score": {"per_tiou": {"0.1": 1, "0.3": 1, "0.5": 0.3333333333333333[0-9]*, "0.7": 0.3333333333333333[0-9]*, "0.9": 0}, "mean": 0.533333333333333[0-9]*}' \
    "$TMP/j.json" || { cat "$TMP/j.json"; fail "--json: R@1"; }
grep -q '"mIoU": 0.527774120398225[0-9]*, "sentences": 3, "videos": 3, "videos_with_predictions": 2, "empty_videos": 0, "ignored_videos": 1}' \
    "$TMP/j.json" || { cat "$TMP/j.json"; fail "--json: mIoU and counts"; }

# Without --localization there is no R@1 and gt_timestamp is ignored.
"$S" --no-meteor -r "$TMP/ref.json" -s "$TMP/sub.jsonl" 2>/dev/null | grep -q 'R@1\|mIoU' && fail "R@1 without --localization"

# An empty list adds nothing (and is reported).
sed 's/"events": \[{"timestamp": \[10, 20\].*\]}$/"events": []}/' "$TMP/sub.jsonl" >"$TMP/empty.jsonl"
"$S" --localization --no-meteor -r "$TMP/ref.json" -s "$TMP/empty.jsonl" 2>"$TMP/err" | grep '^| R@1 score' | head -n 1 \
  | grep -qx '| R@1 score: 100.0000' || fail "empty list"
grep -q '1 video(s) have an empty list' "$TMP/err" || fail "empty list not reported"

# Bad input: exit 1, the file and the record named.
expect_exit 1 'exactly one reference file' "$S" --localization -r "$TMP/ref.json" "$TMP/ref.json" -s "$TMP/sub.jsonl"
sed 's/, "gt_timestamp": \[5, 15\]//' "$TMP/sub.jsonl" >"$TMP/nogt.jsonl"
expect_exit 1 "$TMP/nogt.jsonl: line 2, video v_b, event 0: no \"gt_timestamp\"" \
    "$S" --localization --no-meteor -r "$TMP/ref.json" -s "$TMP/nogt.jsonl"
sed 's/"gt_timestamp": \[20, 40\]/"gt_timestamp": [20]/' "$TMP/sub.json" >"$TMP/badgt.json"
expect_exit 1 "$TMP/badgt.json: results\[\"v_a\"\], event 1: \"gt_timestamp\": expected an array of two numbers" \
    "$S" --localization --no-meteor -r "$TMP/ref.json" -s "$TMP/badgt.json"
printf '{"video_id": "v_x", "events": [{"timestamp": [0, 1], "sentence": "x"}]}\n' >"$TMP/none.jsonl"
expect_exit 1 "no sentence of a video of $TMP/ref.json" "$S" --localization --no-meteor -r "$TMP/ref.json" -s "$TMP/none.jsonl"
exit 0
