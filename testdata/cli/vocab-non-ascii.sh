# Non-ASCII text: valid UTF-8 is tokenised like the reference's Python unicode
# strings (Latin-1 capitals lowercased, U+00A0 splits); invalid UTF-8 is an
# error naming the video and sentence (the reference's JSON loader rejects it too).
. "$WSD_ROOT/testdata/cli-lib.sh"
printf '{"v_a": {"duration": 3, "timestamps": [[0, 1], [1, 2]], "sentences": ["PI\303\221ATA pi\303\261ata caf\303\251\302\240caf\303\251", "\\u00d1and\\u00fa \\u00d1and\\u00fa"]}}\n' >"$TMP/u.json"
"$WSD_BIN/vocab-build" -q "$TMP/u.json" -o "$TMP/v.json" || fail "valid UTF-8 rejected"
has() { grep -q -F "$(printf "$1")" "$TMP/v.json"; }
has '"pi\303\261ata",' || fail "PIÑATA not lowercased to piñata"
has '"caf\303\251",' || fail "U+00A0 did not split"
has '"\303\261and\303\272",' || fail "\\u escapes not decoded"
printf '{"v_bad": {"duration": 3, "timestamps": [[0, 1], [1, 2]], "sentences": ["fine", "caf\351 latin-1"]}}\n' >"$TMP/l1.json"
expect_exit 1 "l1.json: video 'v_bad': a sentence is not valid UTF-8 (byte 3)" "$WSD_BIN/vocab-build" "$TMP/l1.json"
expect_exit 1 "not valid UTF-8" "$WSD_BIN/feat-synth" "$TMP/l1.json"
printf '{"video_id": "v_\377", "duration": 3}\n' >"$TMP/id.jsonl"
expect_exit 1 "id.jsonl:1: video_id is not valid UTF-8" "$WSD_BIN/feat-synth" "$TMP/id.jsonl"
exit 0
