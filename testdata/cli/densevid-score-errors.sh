# densevid-score: bad input exits 1 with a message naming the file, the
# record (video id / line) and what was expected.
. "$WSD_ROOT/testdata/cli-lib.sh"
S=$WSD_BIN/densevid-score
F=$WSD_ROOT/testdata/score
R="-r $F/refs_a.json"

expect_exit 1 'no reference files' "$S" "$F/sub.json"
expect_exit 1 'unknown option' "$S" --bogus $R
expect_exit 1 '--tious' "$S" "$F/sub.json" $R --tious 0.5x
expect_exit 1 'expected 2018 or 2019' "$S" "$F/sub.json" $R --eval-version 2020
expect_exit 1 "$TMP/nope.json: cannot open" "$S" "$F/sub.json" -r "$TMP/nope.json"
expect_exit 1 "$TMP/none.json: cannot open" "$S" "$TMP/none.json" $R

# Malformed JSON: file, line and column.
printf '{"version": "1",\n "results": {"v_a": [\n  {"sentence": "x", "timestamp": [1, 2]},,\n ]},\n "external_data": {}}\n' >"$TMP/bad.json"
expect_exit 1 "$TMP/bad.json:3:[0-9]*: malformed JSON near" "$S" "$TMP/bad.json" $R
printf '{"version": "1", "results": {"v_a": [' >"$TMP/cut.json"
expect_exit 1 "$TMP/cut.json:1:[0-9]*: malformed JSON: unexpected end of input" "$S" "$TMP/cut.json" $R

# Missing top-level keys of the official format.
printf '{"version": "1", "external_data": {}}' >"$TMP/k1.json"
expect_exit 1 "$TMP/k1.json: submission lacks the key \"results\"" "$S" "$TMP/k1.json" $R
printf '{"results": {}, "external_data": {}}' >"$TMP/k2.json"
expect_exit 1 "$TMP/k2.json: submission lacks the key \"version\"" "$S" "$TMP/k2.json" $R
printf '{"results": {}, "version": "1"}' >"$TMP/k3.json"
expect_exit 1 "$TMP/k3.json: submission lacks the key \"external_data\"" "$S" "$TMP/k3.json" $R

# Non-numeric timestamps, missing sentences: video id and event index.
printf '{"version": "1", "external_data": {}, "results": {"v_a": [{"sentence": "x", "timestamp": ["1", "2"]}]}}' >"$TMP/ts.json"
expect_exit 1 "$TMP/ts.json: results\[\"v_a\"\], event 0: \"timestamp\": expected an array of two numbers" "$S" "$TMP/ts.json" $R
printf '{"version": "1", "external_data": {}, "results": {"v_b": [{"timestamp": [1, 2]}, {"timestamp": [1]}]}}' >"$TMP/ev.json"
expect_exit 1 "$TMP/ev.json: results\[\"v_b\"\], event 0: missing \"sentence\"" "$S" "$TMP/ev.json" $R
printf '{"version": "1", "external_data": {}, "results": {"v_b": [{"timestamp": [1, 2], "sentence": 5}]}}' >"$TMP/se.json"
expect_exit 1 'event 0: "sentence": expected a string' "$S" "$TMP/se.json" $R

# JSON Lines: line numbers.
printf '{"video_id": "v_a", "events": []}\n{"video_id": "v_b", "events": [{"timestamp": [1, "x"], "sentence": "s"}]}\n' >"$TMP/l1.jsonl"
expect_exit 1 "$TMP/l1.jsonl: line 2, video v_b, event 0: \"timestamp\": expected an array of two numbers" "$S" "$TMP/l1.jsonl" $R
printf '{"video_id": "v_a", "events": []}\n\n{"video_id": "v_b", "events": [}\n' >"$TMP/l2.jsonl"
expect_exit 1 "$TMP/l2.jsonl:3:[0-9]*: malformed JSON" "$S" "$TMP/l2.jsonl" $R
printf '{"video_id": "v_a", "events": []}\n{"events": []}\n' >"$TMP/l3.jsonl"
expect_exit 1 "$TMP/l3.jsonl:2: expected \"video_id\"" "$S" "$TMP/l3.jsonl" $R
printf '{"video_id": "v_a", "events": []}\n{"video_id": "v_a", "events": []}\n' >"$TMP/l4.jsonl"
expect_exit 1 "$TMP/l4.jsonl: video v_a appears more than once" "$S" "$TMP/l4.jsonl" $R

# Reference files.
printf '{"v_a": {"timestamps": [[0, 1]], "sentences": []}}' >"$TMP/r1.json"
expect_exit 1 "$TMP/r1.json: video v_a: 1 timestamps but 0 sentences" "$S" "$F/sub.json" -r "$TMP/r1.json"
printf '{"v_a": {"timestamps": [[0, null]], "sentences": ["s"]}}' >"$TMP/r2.json"
expect_exit 1 "$TMP/r2.json: video v_a, timestamp 0: expected an array of two numbers" "$S" "$F/sub.json" -r "$TMP/r2.json"
printf '{"v_a": {"timestamps": [[0, 1]], "sentences": ["s"]}' >"$TMP/r3.json"
expect_exit 1 "$TMP/r3.json:1:[0-9]*: malformed JSON" "$S" "$F/sub.json" -r "$TMP/r3.json"
exit 0
