# densevid-score: options, input formats, the printed table against the
# oracle's printed output, JSON output, METEOR reporting.
. "$WSD_ROOT/testdata/cli-lib.sh"
S=$WSD_BIN/densevid-score
F=$WSD_ROOT/testdata/score

"$S" --help | grep -q -- '--refs' || fail "--help lacks --refs"
"$S" --version | grep -q '^densevid-score (wsdec) ' || fail "--version"

# Own fixtures: official JSON and JSON Lines give the same table; stdin works.
"$S" -s "$F/sub.json" -r "$F/refs_a.json" "$F/refs_b.json" --no-meteor >"$TMP/json.txt" 2>"$TMP/err" || fail "json input"
grep -q 'ignored' "$TMP/err" || fail "ignored video not reported"
diff "$F/expected_2018.txt" "$TMP/json.txt" || fail "table differs from testdata/score/expected_2018.txt"
"$S" "$F/sub.jsonl" -r "$F/refs_a.json" "$F/refs_b.json" --no-meteor >"$TMP/jsonl.txt" 2>/dev/null || fail "jsonl input"
diff "$TMP/json.txt" "$TMP/jsonl.txt" || fail "JSONL and JSON submissions score differently"
"$S" -r "$F/refs_a.json" "$F/refs_b.json" --no-meteor <"$F/sub.jsonl" >"$TMP/stdin.txt" 2>/dev/null || fail "stdin input"
diff "$TMP/json.txt" "$TMP/stdin.txt" || fail "stdin differs"

# METEOR is reported as unavailable, never guessed, unless its data is found
# (no Meteor install outside the test may be found: clean environment).
nometeor() { (cd "$TMP" && env -u VIRTUAL_ENV -u CONDA_PREFIX -u PYTHONPATH -u WSD_METEOR_DIR HOME="$TMP" "$@"); }
nometeor "$S" "$F/sub.json" -r "$F/refs_a.json" >"$TMP/m.txt" 2>/dev/null || fail "default run"
grep -q '^| METEOR: unavailable (' "$TMP/m.txt" || fail "no 'METEOR: unavailable' line"
nometeor "$S" "$F/sub.json" -r "$F/refs_a.json" --json >"$TMP/m.json" 2>/dev/null || fail "--json"
grep -q '"METEOR": null' "$TMP/m.json" || fail "--json: METEOR is not null"
grep -q '"Bleu_4": {"per_tiou": {"0.3": ' "$TMP/m.json" || fail "--json: no per-threshold Bleu_4"

# With Meteor data METEOR is computed through the METEOR 1.5 port; a toy
# function-word list and no paraphrase table make it approximate, which is
# reported as unavailable unless --meteor-approximate asks for the number.
mkdir -p "$TMP/meteor"
printf 'a\nthe\nis\nin\non\nof\n' >"$TMP/meteor/english.words"
"$S" "$F/sub.json" -r "$F/refs_a.json" --meteor-dir "$TMP/meteor" --soda >"$TMP/m2.txt" 2>/dev/null || fail "--meteor-dir"
grep -q '^| METEOR: unavailable (' "$TMP/m2.txt" || fail "approximate METEOR printed without --meteor-approximate"
grep -q '^| SODA_c: unavailable (needs METEOR' "$TMP/m2.txt" || fail "SODA_c without METEOR not reported unavailable"
if [ -d /usr/share/wordnet ]; then
    "$S" "$F/sub.json" -r "$F/refs_a.json" --meteor-dir "$TMP/meteor" --meteor-approximate --soda >"$TMP/m3.txt" \
        2>/dev/null || fail "--meteor-approximate"
    grep -Eq '^\| METEOR: [0-9]+\.[0-9]{4} \(approximate' "$TMP/m3.txt" || fail "no approximate METEOR value"
    grep -Eq '^\| SODA_c: [0-9]+\.[0-9]{4}' "$TMP/m3.txt" || fail "no SODA_c value"
fi

# tIoU list and proposal cap are honoured.
"$S" "$F/sub.json" -r "$F/refs_a.json" --tious 0.1 0.95 --max-proposals 1 --no-meteor >"$TMP/t.txt" 2>/dev/null ||
    fail "--tious / --max-proposals"
grep -q '^tIoU:  0.95$' "$TMP/t.txt" || fail "threshold 0.95 not printed"
[ "$(grep -c '^tIoU:' "$TMP/t.txt")" = 2 ] || fail "expected two threshold blocks"

# The oracle's printed blocks, 2018 and 2019 semantics (skipped without ../shared).
O=$WSD_SHARED/oracle
[ -f "$O/expected/printed_output.txt" ] || skip "$O absent: oracle table comparison skipped"
block() { # block CASE VERSION: the oracle's printed block for one run
    awk -v h="### $1  (evaluator $2)" '$0 == h {on = 1; next} on && /^$/ {exit} on {print}' "$O/expected/printed_output.txt"
}
block edge_mix__sub1_sub2 2018 >"$TMP/want"
[ -s "$TMP/want" ] || fail "oracle block edge_mix__sub1_sub2 not found"
"$S" -s "$O/inputs/pred_sub200_edge_mix.json" -r "$O/inputs/ref_sub200_val1.json" "$O/inputs/ref_sub200_val2.json" \
    --no-meteor >"$TMP/got" 2>/dev/null || fail "edge_mix run"
diff "$TMP/want" "$TMP/got" || fail "edge_mix__sub1_sub2 (2018) table differs from the oracle"
block abuse_abc123__sub1 2019 >"$TMP/want"
"$S" -s "$O/inputs/pred_sub200_abuse_abc123.json" -r "$O/inputs/ref_sub200_val1.json" --eval-version 2019 \
    --no-meteor >"$TMP/got" 2>/dev/null || fail "abuse 2019 run"
diff "$TMP/want" "$TMP/got" || fail "abuse_abc123__sub1 (2019) table differs from the oracle"
block abuse_abc123__sub1 2018 >"$TMP/want"
"$S" -s "$O/inputs/pred_sub200_abuse_abc123.json" -r "$O/inputs/ref_sub200_val1.json" \
    --no-meteor >"$TMP/got" 2>/dev/null || fail "abuse 2018 run"
diff "$TMP/want" "$TMP/got" || fail "abuse_abc123__sub1 (2018) table differs from the oracle"
block edge_mix__sub1__ppv3 2019 >"$TMP/want"
"$S" -s "$O/inputs/pred_sub200_edge_mix.json" -r "$O/inputs/ref_sub200_val1.json" -ppv 3 --eval-version 2019 \
    --no-meteor >"$TMP/got" 2>/dev/null || fail "ppv3 run"
diff "$TMP/want" "$TMP/got" || fail "edge_mix__sub1__ppv3 table differs from the oracle"
exit 0
