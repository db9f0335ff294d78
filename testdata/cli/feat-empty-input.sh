# Empty input is an error for every program, naming the file.
. "$WSD_ROOT/testdata/cli-lib.sh"
: >"$TMP/empty"
expect_exit 1 "empty: empty input" "$WSD_BIN/feat-extract" "$TMP/empty"
expect_exit 1 "empty: empty input" "$WSD_BIN/vocab-build" "$TMP/empty"
expect_exit 1 "empty: empty input" "$WSD_BIN/feat-synth" "$TMP/empty"
expect_exit 1 "<stdin>: empty input" sh -c "\"$WSD_BIN/vocab-build\" - </dev/null"
expect_exit 1 "empty: empty input" "$WSD_BIN/feat-extract" --ids "$TMP/empty" "$TMP/empty"
printf '{}' >"$TMP/none.json"
expect_exit 1 "none.json: no videos" "$WSD_BIN/feat-synth" "$TMP/none.json"
expect_exit 1 "no sentences" "$WSD_BIN/vocab-build" "$TMP/none.json"
expect_exit 1 "expected exactly one" "$WSD_BIN/vocab-build"
exit 0
