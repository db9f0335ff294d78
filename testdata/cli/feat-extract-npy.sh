# A folder of VIDEO_ID.npy files (v1 and v2 headers, <f4 and <f8) imports as
# float32 tensors; malformed .npy files are errors naming the file.
. "$WSD_ROOT/testdata/cli-lib.sh"
mkdir "$TMP/npy"
# npy VERSION DESCR ROWS COLS: header padded to a multiple of 64 bytes, then zero data
npy() {
    h="{'descr': '$2', 'fortran_order': False, 'shape': ($3, $4), }"
    if [ "$1" = 1 ]; then pre=10; else pre=12; fi
    pad=$(( (64 - (pre + ${#h} + 1) % 64) % 64 ))
    n=$(( ${#h} + pad + 1 ))
    if [ "$1" = 1 ]; then
        printf "\\223NUMPY\\001\\000\\$(printf %03o $((n % 256)))\\$(printf %03o $((n / 256)))"
    else
        printf "\\223NUMPY\\002\\000\\$(printf %03o $((n % 256)))\\$(printf %03o $((n / 256)))\\000\\000"
    fi
    printf '%s%*s\n' "$h" "$pad" ""
    case $2 in *4) s=4 ;; *) s=8 ;; esac
    head -c $(( $3 * $4 * s )) /dev/zero
}
npy 1 '<f4' 3 5 >"$TMP/npy/v_b.npy"
npy 2 '<f8' 2 5 >"$TMP/npy/v_a.npy"
"$WSD_BIN/feat-extract" -q "$TMP/npy" -o "$TMP/a.tsr" || fail "npy folder import failed"
[ "$(grep -a -o '"key":"[^"]*","dtype":"float32","shape":\[[0-9]*,5\]' "$TMP/a.tsr" | tr '\n' ' ')" = \
  '"key":"v_a","dtype":"float32","shape":[2,5] "key":"v_b","dtype":"float32","shape":[3,5] ' ] || fail "wrong records: $(grep -a -o '"key[^}]*' "$TMP/a.tsr")"
printf 'v_b\n' >"$TMP/ids"
"$WSD_BIN/feat-extract" -q --ids "$TMP/ids" "$TMP/npy" -o "$TMP/b.tsr" || fail "--ids with npy folder failed"
printf 'v_c\n' >"$TMP/ids2"
expect_exit 1 "no features for video id 'v_c'" "$WSD_BIN/feat-extract" --ids "$TMP/ids2" "$TMP/npy"
npy 1 '<i8' 2 5 >"$TMP/npy/v_c.npy"
expect_exit 1 "v_c.npy: .npy dtype '<i8' not supported" "$WSD_BIN/feat-extract" "$TMP/npy"
rm "$TMP/npy/v_c.npy"
npy 1 '<f4' 2 5 | head -c 140 >"$TMP/npy/v_d.npy"
expect_exit 1 "v_d.npy: .npy shape (2, 5) needs 40 data bytes" "$WSD_BIN/feat-extract" "$TMP/npy"
exit 0
