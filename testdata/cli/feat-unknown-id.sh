# An id asked for but absent from the features is an error naming it.
. "$WSD_ROOT/testdata/cli-lib.sh"
D="$WSD_ROOT/testdata/demo"
"$WSD_BIN/feat-synth" "$D/captions_val.json" -o "$TMP/a.tsr" --hdf5 "$TMP/a.h5" || fail "feat-synth failed"
printf 'v_nosuchvideo\n' >"$TMP/ids.txt"
expect_exit 1 "unknown video id 'v_nosuchvideo'" "$WSD_BIN/feat-extract" --ids "$TMP/ids.txt" "$TMP/a.tsr" -o "$TMP/o.tsr"
expect_exit 1 "unknown video id 'v_nosuchvideo'" "$WSD_BIN/feat-extract" --ids "$TMP/ids.txt" "$TMP/a.h5" -o "$TMP/o.tsr"
[ ! -e "$TMP/o.tsr" ] || fail "partial output left behind"
# a known id is selected, and gets its duration from a captions file
first=$(grep -a -o '"key":"[^"]*"' "$TMP/a.tsr" | head -n 1 | sed 's/"key":"\(.*\)"/\1/')
printf '%s\n' "$first" >"$TMP/one.txt"
"$WSD_BIN/feat-extract" -q --ids "$TMP/one.txt" --rows-per-second 2.5 "$TMP/a.h5" -o "$TMP/one.tsr" || fail "selecting one id failed"
grep -a -q '"rows_per_second":2.5' "$TMP/one.tsr" || fail "rows_per_second not recorded"
[ "$(grep -a -o '"key":' "$TMP/one.tsr" | wc -l)" = 1 ] || fail "expected one record"
"$WSD_BIN/feat-extract" -q --ids "$D/captions_val.json" "$TMP/a.h5" -o "$TMP/all.tsr" || fail "--ids captions failed"
grep -a -q '"duration":' "$TMP/all.tsr" || fail "duration not attached"
exit 0
