# Malformed JSON is an error naming the file and the line.
. "$WSD_ROOT/testdata/cli-lib.sh"
cat >"$TMP/bad.jsonl" <<'J'
{"video_id": "v_a", "duration": 10, "events": [{"timestamp": [0, 5], "sentence": "A man runs."}]}
{"video_id": "v_b", "duration": 10, "events": [{"timestamp": [0, 5], "sentence": "A man runs."}]
J
expect_exit 1 "bad.jsonl:2: column" "$WSD_BIN/vocab-build" "$TMP/bad.jsonl"
expect_exit 1 "bad.jsonl:2" "$WSD_BIN/feat-synth" "$TMP/bad.jsonl"
printf '{"video_id": "v_a", "events": [{"timestamp": [0], "sentence": "x"}]}\n' >"$TMP/ts.jsonl"
expect_exit 1 "ts.jsonl:1: video 'v_a': event 0: timestamp must be" "$WSD_BIN/vocab-build" "$TMP/ts.jsonl"
printf '{"video_id": "v_a"}\n{"video_id": "v_a"}\n' >"$TMP/dup.jsonl"
expect_exit 1 "dup.jsonl:2: duplicate video id 'v_a'" "$WSD_BIN/vocab-build" "$TMP/dup.jsonl"
printf '{"v_a": {"duration": 3,\n "timestamps": [[0, 1]],\n "sentences": ["x" "y"]}}\n' >"$TMP/bad.json"
expect_exit 1 "bad.json:3: not valid JSON" "$WSD_BIN/vocab-build" "$TMP/bad.json"
printf '{"v_a": {"duration": 3, "timestamps": [[0, 1]], "sentences": []}}\n' >"$TMP/n.json"
expect_exit 1 "n.json: video 'v_a': 1 timestamps but 0 sentences" "$WSD_BIN/vocab-build" "$TMP/n.json"
# JSON Lines pass unknown fields through the loader, and a valid file works
printf '{"video_id": "v_a", "duration": 9, "x": {"y": 1}, "events": [{"timestamp": [0, 5], "sentence": "a b. a b", "k": 2}]}\n' >"$TMP/ok.jsonl"
expect_exit 0 "vocabulary: 5 entries" "$WSD_BIN/vocab-build" "$TMP/ok.jsonl"
exit 0
