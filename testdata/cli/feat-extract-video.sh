# Raw-video (YUV4MPEG2) C3D extraction is not in this version: it must fail
# loudly (exit 1, a clear message), never print plausible output.
. "$WSD_ROOT/testdata/cli-lib.sh"
printf 'YUV4MPEG2 W16 H16 F30:1 Ip A1:1 C420jpeg\nFRAME\n' >"$TMP/clip.y4m"
head -c 384 /dev/zero >>"$TMP/clip.y4m"
expect_exit 1 "not available in this version" sh -c "\"$WSD_BIN/feat-extract\" - <\"$TMP/clip.y4m\" >\"$TMP/out\""
[ ! -s "$TMP/out" ] || fail "output written for raw video"
expect_exit 1 "not available in this version" "$WSD_BIN/feat-extract" --video - "$TMP/clip.y4m"
expect_exit 1 "not available in this version" "$WSD_BIN/feat-extract" "$TMP/clip.y4m" -o "$TMP/o.tsr"
[ ! -e "$TMP/o.tsr" ] || fail "output file created for raw video"
exit 0
