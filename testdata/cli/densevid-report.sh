# densevid-report: the page from predictions + references + scores + training
# logs; its table is densevid-score's; bad input is reported and escaped;
# --check catches a broken page; the page renders in Chromium when present.
. "$WSD_ROOT/testdata/cli-lib.sh"
R=$WSD_BIN/densevid-report
S=$WSD_BIN/densevid-score
F=$WSD_ROOT/testdata/score

"$R" --help | grep -q -- '--scores' || fail "--help lacks --scores"
"$R" --version | grep -q '^densevid-report (wsdec) ' || fail "--version"
expect_exit 1 "nothing to report" "$R"
expect_exit 1 "unknown argument" "$R" --bogus
expect_exit 1 "sub.nope" "$R" -s "$F/sub.nope" -r "$F/refs_a.json"

# densevid-score --per-video: a line per reference video; the report's table is the scorer's table
"$S" -s "$F/sub.json" -r "$F/refs_a.json" "$F/refs_b.json" --no-meteor --per-video "$TMP/pv.jsonl" >"$TMP/table.txt" 2>/dev/null ||
    fail "densevid-score --per-video"
[ "$(wc -l <"$TMP/pv.jsonl")" = 3 ] || fail "expected 3 per-video lines"
grep -q '^{"video_id": "v_c", "predicted": false, "proposals": 0' "$TMP/pv.jsonl" || fail "unpredicted v_c line"
expect_exit 1 "per-video" "$S" -s "$F/sub.json" -r "$F/refs_a.json" --per-video /nonexistent/dir/pv.jsonl

# training logs with HTML in a label and a sentence, an unknown video, an event past the end
cat >"$TMP/log.jsonl" <<'L'
{"kind": "batch", "epoch": 0, "batch": 1, "batches": 2, "loss": {"caption": 4}, "lr": {"cg": 0.01}}
{"kind": "batch", "epoch": 0, "batch": 2, "batches": 2, "loss": {"caption": 3}, "lr": {"cg": 0.01}}
{"kind": "epoch", "epoch": 0, "loss": {"caption": 3.5}, "lr": {"cg": 0.01}}
L
"$R" -s "$F/sub.jsonl" -r "$F/refs_a.json" "$F/refs_b.json" --scores "$TMP/pv.jsonl" \
    --log "a<b>=$TMP/log.jsonl" --log "$TMP/log.jsonl" --title "x & y" -o "$TMP/r.html" 2>"$TMP/err" || { cat "$TMP/err"; fail "report"; }
grep -q "3 timelines" "$TMP/err" || fail "no summary on stderr"
grep -q "in no reference file" "$TMP/err" || fail "the unknown video was not reported"
grep -q "outside their video" "$TMP/err" || fail "the event outside its video was not reported"
"$R" --check "$TMP/r.html" 2>"$TMP/check" || { cat "$TMP/check"; fail "--check of a fresh report"; }
grep -q "3 videos, 3 timelines, 15 bars, 3 charts, 6 lines" "$TMP/check" || { cat "$TMP/check"; fail "structure"; }
grep -q '<title>x &amp; y</title>' "$TMP/r.html" || fail "title not escaped"
grep -q 'a&lt;b&gt;' "$TMP/r.html" || fail "log label not escaped"
grep -q 'id="unknown".*v_zzz' "$TMP/r.html" || fail "unknown video not listed"
for m in Bleu_1 Bleu_4 ROUGE_L CIDEr Recall Precision; do
    v=$(sed -n "/^Average/,\$ s/^| $m: //p" "$TMP/table.txt")
    grep -q "<tr><th>$m</th>.*<td>$v</td></tr>" "$TMP/r.html" || fail "$m average $v of densevid-score not in the report"
done
# without --scores the same table is computed
"$R" -q -s "$F/sub.jsonl" -r "$F/refs_a.json" "$F/refs_b.json" -o "$TMP/r2.html" || fail "computed scores"
v=$(sed -n '/^Average/,$ s/^| CIDEr: //p' "$TMP/table.txt")
grep -q "<tr><th>CIDEr</th>.*<td>$v</td></tr>" "$TMP/r2.html" || fail "computed CIDEr differs from densevid-score"
# stdout, and curves only
"$R" -q --log "$TMP/log.jsonl" >"$TMP/c.html" || fail "curves only to stdout"
grep -q 'class="chart"' "$TMP/c.html" && ! grep -q 'class="timeline"' "$TMP/c.html" || fail "curves-only page"

# bad input: a malformed log and scores file name their line; a broken page fails --check
echo '{"epoch": 1}' >"$TMP/bad.jsonl"
expect_exit 1 "bad.jsonl:1: expected a training-log record" "$R" --log "$TMP/bad.jsonl"
expect_exit 1 "bad.jsonl:1: expected" "$R" -s "$F/sub.jsonl" -r "$F/refs_a.json" --scores "$TMP/bad.jsonl"
sed 's/x="130.00"/x="135.00"/' "$TMP/r.html" >"$TMP/moved.html"
expect_exit 1 "expected x 130.00" "$R" --check "$TMP/moved.html"
sed 's#</h3>##' "$TMP/r.html" >"$TMP/open.html"
expect_exit 1 "closes <h3>" "$R" --check "$TMP/open.html"
[ ! -e "$TMP/none.html" ] || fail "setup"
expect_exit 1 "" "$R" -s "$F/sub.jsonl" -r "$F/nope.json" -o "$TMP/none.html"
[ ! -e "$TMP/none.html" ] || fail "a failed run left a page behind"

cp "$F/refs_a.json" "$TMP/refs_copy.json"
expect_exit 1 "refusing to overwrite an input" "$R" -s "$F/sub.jsonl" -r "$TMP/refs_copy.json" -o "$TMP/refs_copy.json"
cmp -s "$F/refs_a.json" "$TMP/refs_copy.json" || fail "the report replaced its input"

# sentences with markup are shown, never run
printf '{"video_id": "v_a", "events": [{"timestamp": [0, 5], "sentence": "<script>document.title=1</script><img src=x onerror=alert(1)>"}, {"timestamp": [2, 3], "sentence": ""}]}\n' >"$TMP/xss.jsonl"
"$R" -q -s "$TMP/xss.jsonl" -r "$F/refs_a.json" -o "$TMP/xss.html" || fail "xss report"
"$R" -q --check "$TMP/xss.html" || fail "xss report check"
grep -q '<img' "$TMP/xss.html" && fail "markup from a sentence reached the page"
grep -q '&lt;script&gt;document.title=1' "$TMP/xss.html" || fail "sentence not shown escaped"
grep -q '(empty sentence)' "$TMP/xss.html" || fail "empty sentence not marked"

. "$WSD_ROOT/testdata/render-check.sh"
render_check "$TMP/r.html" "$TMP/r.png" || exit $?
render_check "$TMP/xss.html" "$TMP/xss.png" || exit $?
exit 0
