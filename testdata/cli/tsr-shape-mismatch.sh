# shape x dtype != stored bytes, bad headers and corrupt zlib payloads are errors naming the key.
. "$WSD_ROOT/testdata/cli-lib.sh"
# record HEADER PAYLOAD_BYTES: one hand-made record (header shorter than 256 bytes)
record() {
    printf "WSDT\\$(printf %03o ${#1})\\000\\000\\000%s" "$1"
    head -c "$2" /dev/zero
}
record '{"key":"v_s","dtype":"float32","shape":[2,3],"encoding":"raw","bytes":20,"meta":{}}' 20 >"$TMP/s.tsr"
expect_exit 1 "s.tsr: record 0 (key 'v_s'): shape x float32 needs 24 bytes but the header says 20" "$WSD_BIN/feat-extract" "$TMP/s.tsr"
record '{"key":"v_ok","dtype":"float32","shape":[2,3],"encoding":"raw","bytes":24,"meta":{}}' 24 >"$TMP/t.tsr"
record '{"key":"v_d","dtype":"float16","shape":[2,3],"encoding":"raw","bytes":12,"meta":{}}' 12 >>"$TMP/t.tsr"
expect_exit 1 "t.tsr: record 1 (key 'v_d'): \"dtype\" must be one of" "$WSD_BIN/feat-extract" "$TMP/t.tsr"
record '{"key":"v_j","dtype":"float32","shape":[2,3],' 0 >"$TMP/j.tsr"
expect_exit 1 "j.tsr: record 0: header is not a JSON object" "$WSD_BIN/feat-extract" "$TMP/j.tsr"
record '{"key":"v_z","dtype":"float32","shape":[2,3],"encoding":"zlib","bytes":10,"meta":{}}' 10 >"$TMP/z.tsr"
expect_exit 1 "z.tsr: record 0 (key 'v_z'): zlib payload is corrupt" "$WSD_BIN/feat-extract" "$TMP/z.tsr"
# a well-formed record passes
expect_exit 0 "" "$WSD_BIN/feat-extract" "$TMP/s.tsr" --help
"$WSD_BIN/feat-extract" -q "$TMP/t.tsr" -o /dev/null 2>/dev/null && fail "bad dtype accepted"
exit 0
