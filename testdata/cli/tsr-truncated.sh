# A truncated tensor stream is an error naming the file, the record and the key.
. "$WSD_ROOT/testdata/cli-lib.sh"
"$WSD_BIN/feat-synth" "$WSD_ROOT/testdata/demo/captions_val.json" -o "$TMP/full.tsr" || fail "feat-synth failed"
size=$(wc -c <"$TMP/full.tsr")
head -c $((size - 100)) "$TMP/full.tsr" >"$TMP/cut.tsr"
last=$(grep -a -o '"key":"[^"]*"' "$TMP/full.tsr" | tail -n 1 | sed 's/"key":"\(.*\)"/\1/')
expect_exit 1 "cut.tsr: record 49 (key '$last'): truncated payload" "$WSD_BIN/feat-extract" "$TMP/cut.tsr" -o "$TMP/out.tsr"
[ ! -e "$TMP/out.tsr" ] || fail "partial output left behind"
ls "$TMP" | grep -q 'out.tsr.tmp' && fail "temporary output left behind"
# the same through a pipe
expect_exit 1 "<stdin>: record 49 (key '$last')" sh -c "\"$WSD_BIN/feat-extract\" - <\"$TMP/cut.tsr\" >/dev/null"
# cut inside a prefix and inside a header
head -c 5 "$TMP/full.tsr" >"$TMP/p.tsr"
expect_exit 1 "p.tsr: record 0: truncated record prefix" "$WSD_BIN/feat-extract" "$TMP/p.tsr"
head -c 30 "$TMP/full.tsr" >"$TMP/h.tsr"
expect_exit 1 "h.tsr: record 0: truncated header" "$WSD_BIN/feat-extract" "$TMP/h.tsr"
exit 0
