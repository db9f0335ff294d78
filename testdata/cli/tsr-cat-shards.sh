# Tensor streams concatenate: shards made separately and merged with cat read
# as one stream, and feat-synth's per-video output does not depend on the
# other videos of its file.
. "$WSD_ROOT/testdata/cli-lib.sh"
D="$WSD_ROOT/testdata/demo"
"$WSD_BIN/feat-synth" "$D/captions_val.json" -o "$TMP/val.tsr" || fail "feat-synth val failed"
"$WSD_BIN/feat-synth" --compress "$D/captions_train.json" -o "$TMP/train.tsr" || fail "feat-synth train failed"
cat "$TMP/val.tsr" "$TMP/train.tsr" >"$TMP/all.tsr"
"$WSD_BIN/feat-extract" "$TMP/all.tsr" -o "$TMP/copy.tsr" 2>"$TMP/err" || { cat "$TMP/err"; fail "cat of shards unreadable"; }
grep -q "250 videos" "$TMP/err" || { cat "$TMP/err"; fail "expected 250 videos"; }
# selecting the val ids from the merged stream gives back the val shard
"$WSD_BIN/feat-extract" -q --ids "$D/captions_val.json" "$TMP/all.tsr" -o "$TMP/val2.tsr" || fail "--ids on merged stream failed"
cmp -s "$TMP/val.tsr" "$TMP/val2.tsr" || fail "val records changed after cat + select"
# a video's features are the same whichever file it is synthesised in
head -n 6 "$D/captions_val.json" | sed '$ s/},$/}}/' >"$TMP/one.json"
"$WSD_BIN/feat-synth" "$TMP/one.json" -o "$TMP/one.tsr" || fail "feat-synth on one video failed"
size=$(wc -c <"$TMP/one.tsr")
head -c "$size" "$TMP/val.tsr" | cmp -s - "$TMP/one.tsr" || fail "first video differs when synthesised alone"
exit 0
