# densevid-score METEOR from the data users have: meteor-1.5.jar (read as a
# zip) + data/paraphrase-en.gz, given as --meteor-jar, --meteor-dir, loose
# files, or found in a pycocoevalcap install by itself; incomplete data is
# left out and named. Scores are checked against the official evaluator's
# tables (../shared/meteor/cases, Java Meteor 1.5 with the same data).
. "$WSD_ROOT/testdata/cli-lib.sh"
S=$WSD_BIN/densevid-score
C=$WSD_SHARED/meteor/cases
JAR=$WSD_SHARED/official-eval/coco-caption/pycocoevalcap/meteor/meteor-1.5.jar
PARA=$WSD_SHARED/meteor/data/paraphrase-en.gz
[ -f "$JAR" ] && [ -f "$C/long__sub2v2__2018.txt" ] || skip "$WSD_SHARED/meteor absent: METEOR cases skipped"
# no install outside the test may be found
clean_env() { env -u VIRTUAL_ENV -u CONDA_PREFIX -u PYTHONPATH -u WSD_METEOR_DIR HOME="$TMP/home" "$@"; }
mkdir -p "$TMP/home" "$TMP/cwd"

para() { # para REV ARGS...: the paraphrase case
    rev=$1; shift
    "$S" -s "$C/pred_paraphrase_sub2.json" -r "$C/ref_sub2_val2.json" "$C/ref_sub2_val1.json" --eval-version "$rev" "$@"
}
for rev in 2018 2019; do
    para $rev --meteor-jar "$JAR" >"$TMP/got" 2>"$TMP/err" || fail "--meteor-jar ($rev)"
    diff "$C/paraphrase__sub2v2_sub2v1__$rev.txt" "$TMP/got" || fail "paraphrase case $rev differs from Java Meteor"
    grep -q "METEOR: Meteor 1.5 data from $JAR, paraphrases " "$TMP/err" || fail "data source not named: $(cat "$TMP/err")"
done
para 2018 --meteor-jar "$JAR" --json >"$TMP/got.json" 2>/dev/null || fail "--json"
grep -q "\"official\": true, \"note\": \"\", \"source\": \"Meteor 1.5 data from $JAR" "$TMP/got.json" ||
    fail "--json does not name the data source"
"$S" -s "$C/pred_long_sub2.json" -r "$C/ref_sub2_val2.json" --meteor-jar "$JAR" >"$TMP/got" 2>/dev/null || fail "long case"
diff "$C/long__sub2v2__2018.txt" "$TMP/got" || fail "long case differs from Java Meteor"

# loose files (Meteor's resources/ unpacked) give the same numbers
para 2018 --meteor-dir "$WSD_SHARED/meteor/data" >"$TMP/got" 2>/dev/null || fail "--meteor-dir with loose files"
diff "$C/paraphrase__sub2v2_sub2v1__2018.txt" "$TMP/got" || fail "--meteor-dir loose files differ"

# a pycocoevalcap install in the user's site-packages is found by itself
P=$TMP/home/.local/lib/python3.11/site-packages/pycocoevalcap/meteor
mkdir -p "$P/data"
ln -s "$JAR" "$P/meteor-1.5.jar"
ln -s "$PARA" "$P/data/paraphrase-en.gz"
(cd "$TMP/cwd" && clean_env "$S" -s "$C/pred_paraphrase_sub2.json" -r "$C/ref_sub2_val2.json" "$C/ref_sub2_val1.json") \
    >"$TMP/got" 2>"$TMP/err" || fail "auto-discovery run"
diff "$C/paraphrase__sub2v2_sub2v1__2018.txt" "$TMP/got" || fail "auto-discovered install gives other numbers"
grep -q "data from $P/meteor-1.5.jar" "$TMP/err" || fail "auto-discovered install not named: $(cat "$TMP/err")"
# --meteor-dir on that folder: the same
para 2018 --meteor-dir "$P" >"$TMP/got" 2>/dev/null || fail "--meteor-dir on pycocoevalcap/meteor"
diff "$C/paraphrase__sub2v2_sub2v1__2018.txt" "$TMP/got" || fail "--meteor-dir on the jar's folder differs"

# incomplete data: left out, and the message names what is missing
rm "$P/data/paraphrase-en.gz"
para 2018 --meteor-dir "$P" >"$TMP/got" 2>"$TMP/err" || fail "incomplete data run"
grep -q '^| METEOR: unavailable (Meteor 1.5 data incomplete, missing: paraphrase table' "$TMP/got" ||
    fail "incomplete data not reported in the table"
grep -q 'METEOR left out: .*missing: paraphrase table' "$TMP/err" || fail "incomplete data not reported on stderr"
para 2018 --meteor-dir "$P" --meteor-approximate >"$TMP/got" 2>/dev/null || fail "--meteor-approximate"
grep -Eq '^\| METEOR: [0-9]+\.[0-9]{4} \(approximate METEOR: without paraphrase' "$TMP/got" ||
    fail "approximate METEOR not labelled"

# nothing anywhere: one clear line, no doubled wording (unless this machine has a system-wide install)
ls -d /usr/local/lib/python3*/*-packages/pycocoevalcap /usr/lib/python3*/*-packages/pycocoevalcap \
    /opt/conda/lib/python3*/site-packages/pycocoevalcap >/dev/null 2>&1 && skip "a system-wide pycocoevalcap is installed"
(cd "$TMP/cwd" && rm -rf "$TMP/home/.local" && clean_env "$S" -s "$C/pred_paraphrase_sub2.json" \
    -r "$C/ref_sub2_val2.json") >"$TMP/got" 2>"$TMP/err" || fail "run without data"
grep -q 'METEOR left out: no Meteor 1.5 data found' "$TMP/err" || fail "missing data not reported: $(cat "$TMP/err")"
grep -q 'unavailable: METEOR unavailable' "$TMP/err" "$TMP/got" && fail "doubled 'METEOR unavailable' wording"

# explicitly named data that does not exist is an input error that says so
expect_exit 1 '/nonexistent: no such directory' "$S" -s "$C/pred_long_sub2.json" -r "$C/ref_sub2_val2.json" \
    --meteor-dir /nonexistent
grep -q 'was not given' "$TMP/err" && fail "--meteor-dir /nonexistent says 'was not given'"
expect_exit 1 'no such file (expected meteor-1.5.jar)' "$S" -s "$C/pred_long_sub2.json" -r "$C/ref_sub2_val2.json" \
    --meteor-jar "$TMP/none.jar"
printf 'not a zip' >"$TMP/bad.jar"
expect_exit 1 'not a readable zip archive' "$S" -s "$C/pred_long_sub2.json" -r "$C/ref_sub2_val2.json" \
    --meteor-jar "$TMP/bad.jar"
exit 0
