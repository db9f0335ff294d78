# The committed demo captions are what feat-synth's generator makes, and
# feat-synth turns them into a deterministic tensor stream and HDF5 file.
. "$WSD_ROOT/testdata/cli-lib.sh"
D="$WSD_ROOT/testdata/demo"
"$WSD_BIN/feat-synth" --make-captions 200 --seed 1 -o "$TMP/train.json" || fail "generator failed"
cmp -s "$TMP/train.json" "$D/captions_train.json" || fail "captions_train.json is not the generator's output"
"$WSD_BIN/feat-synth" --make-captions 50 --seed 2 -o "$TMP/val.json" || fail "generator failed"
cmp -s "$TMP/val.json" "$D/captions_val.json" || fail "captions_val.json is not the generator's output"
"$WSD_BIN/feat-synth" "$D/captions_val.json" --hdf5 "$TMP/val.h5" -o "$TMP/a.tsr" || fail "feat-synth failed"
"$WSD_BIN/feat-synth" --compress - <"$D/captions_val.json" >"$TMP/b.tsr" || fail "feat-synth from stdin failed"
"$WSD_BIN/feat-extract" "$TMP/b.tsr" -o "$TMP/c.tsr" || fail "feat-extract cannot read the compressed stream"
cmp -s "$TMP/a.tsr" "$TMP/c.tsr" || fail "compressed and raw streams differ after decoding"
"$WSD_BIN/feat-extract" "$TMP/val.h5" --ids "$D/captions_val.json" -o "$TMP/d.tsr" || fail "feat-extract cannot read feat-synth's HDF5"
[ "$(head -c 4 "$TMP/a.tsr")" = WSDT ] || fail "no tensor stream magic"
# options change the output; the same options reproduce it
"$WSD_BIN/feat-synth" "$D/captions_val.json" --seed 7 -o "$TMP/e.tsr"
cmp -s "$TMP/a.tsr" "$TMP/e.tsr" && fail "--seed has no effect"
expect_exit 0 "feat-synth (wsdec)" sh -c "\"$WSD_BIN/feat-synth\" --version >&2"
expect_exit 1 "--noise" "$WSD_BIN/feat-synth" --noise x "$D/captions_val.json"
exit 0
