# The ActivityNet Captions training set gives exactly 6000 entries (WSDEC
# scripts/captioning_preprocess.py build_vocab).
. "$WSD_ROOT/testdata/cli-lib.sh"
F="$WSD_SHARED/data/activitynet-captions/train_modified.json"
[ -r "$F" ] || skip "$F absent (../shared not mounted): skipping the ActivityNet vocabulary check"
"$WSD_BIN/vocab-build" "$F" -o "$TMP/v.json" 2>"$TMP/err" || { cat "$TMP/err"; fail "vocab-build failed"; }
grep -q "vocabulary: 6000 entries" "$TMP/err" || { cat "$TMP/err"; fail "expected 6000 entries"; }
grep -q "coverage 98.9601%" "$TMP/err" || { cat "$TMP/err"; fail "coverage changed"; }
grep -q '^{"format":"wsdec-vocab","version":1,' "$TMP/v.json" || fail "not a wsdec vocabulary"
grep -q '"id_to_word":\["<bos>","<eos>","the",".","a","and"' "$TMP/v.json" || fail "unexpected word order"
exit 0
