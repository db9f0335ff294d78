# -o /dev/null (or any device or FIFO) is written in place: the atomic
# temporary-file-and-rename must never replace the device; regular output
# files get the usual umask-derived mode.
. "$WSD_ROOT/testdata/cli-lib.sh"
"$WSD_BIN/feat-synth" "$WSD_ROOT/testdata/demo/captions_val.json" -o /dev/null || fail "feat-synth -o /dev/null failed"
"$WSD_BIN/feat-synth" "$WSD_ROOT/testdata/demo/captions_val.json" -o "$TMP/a.tsr" || fail "feat-synth failed"
"$WSD_BIN/feat-extract" -q "$TMP/a.tsr" -o /dev/null || fail "feat-extract -o /dev/null failed"
"$WSD_BIN/vocab-build" -q "$WSD_ROOT/testdata/demo/captions_val.json" -o /dev/null || fail "vocab-build -o /dev/null failed"
[ -c /dev/null ] || fail "/dev/null is no longer a character device"
mkfifo "$TMP/fifo"
cat "$TMP/fifo" >"$TMP/from-fifo" &
"$WSD_BIN/feat-extract" -q "$TMP/a.tsr" -o "$TMP/fifo" || fail "writing to a FIFO failed"
wait
cmp -s "$TMP/a.tsr" "$TMP/from-fifo" || fail "FIFO output differs"
[ -p "$TMP/fifo" ] || fail "the FIFO was replaced"
umask 022
"$WSD_BIN/vocab-build" -q "$WSD_ROOT/testdata/demo/captions_val.json" -o "$TMP/v.json"
[ "$(ls -l "$TMP/v.json" | cut -c1-10)" = "-rw-r--r--" ] || fail "output mode is $(ls -l "$TMP/v.json" | cut -c1-10), expected -rw-r--r--"
exit 0
