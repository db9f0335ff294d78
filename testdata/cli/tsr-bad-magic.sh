# Wrong magic (a foreign file, or garbage between records) is an error naming the record.
. "$WSD_ROOT/testdata/cli-lib.sh"
"$WSD_BIN/feat-synth" "$WSD_ROOT/testdata/demo/captions_val.json" -o "$TMP/a.tsr" || fail "feat-synth failed"
{ cat "$TMP/a.tsr"; printf 'JUNKJUNKJUNK'; } >"$TMP/b.tsr"
expect_exit 1 "b.tsr: record 50: bad magic" "$WSD_BIN/feat-extract" "$TMP/b.tsr" -o "$TMP/out.tsr"
[ ! -e "$TMP/out.tsr" ] || fail "partial output left behind"
printf 'WSDX\004\000\000\000{}{}' >"$TMP/c.tsr"
expect_exit 1 "c.tsr" "$WSD_BIN/feat-extract" "$TMP/c.tsr"
# the feature-set loader used by trainers reports the same
printf 'hello world\n' >"$TMP/d.tsr"
expect_exit 1 "unrecognised input" "$WSD_BIN/feat-extract" "$TMP/d.tsr"
exit 0
