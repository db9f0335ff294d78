# localize on a tiny trained model: sentences in, segments out, record order
# and unknown fields kept; seeded proposals are filtered and merged; the test
# cycle caption | localize | caption runs; bad input exits 1 naming it.
. "$WSD_ROOT/testdata/cli-lib.sh"
B="$WSD_BIN"
"$B/feat-synth" --make-captions 12 --seed 9 -o "$TMP/tr.json" 2>/dev/null || fail "feat-synth captions"
"$B/feat-synth" --dim 12 --rows-per-second 0.5 "$TMP/tr.json" -o "$TMP/tr.tsr" || fail "feat-synth"
"$B/vocab-build" -q "$TMP/tr.json" -o "$TMP/vocab.json" || fail "vocab-build"
"$B/cg-pretrain" -q --feats "$TMP/tr.tsr" --captions "$TMP/tr.json" --vocab "$TMP/vocab.json" --hidden 12 \
    --embed 8 --batch 4 --sample-rate 1 --epochs 1 --out "$TMP/cg.h5" || fail "cg-pretrain"
"$B/wsdec-train" -q --feats "$TMP/tr.tsr" --captions "$TMP/tr.json" --cg "$TMP/cg.h5" --out "$TMP/m.h5" \
    --batch 4 --sl-batch 4 --epochs 2 --pseudo-label-metric unigram-f || fail "wsdec-train"
"$B/caption" -q --model "$TMP/m.h5" --feats "$TMP/tr.tsr" --videos "$TMP/tr.json" --proposals random:15 \
    --seed 233 --greedy >"$TMP/p.jsonl" || fail "caption --proposals"
L() { "$B/localize" -q --model "$TMP/m.h5" --feats "$TMP/tr.tsr" "$@"; }
ids() { sed 's/^{"video_id":"\([^"]*\)".*/\1/' "$1"; }
# plain sentence localization: one timestamp per sentence, order kept
sed '1s/}$/,"foo":[1,2]}/' "$TMP/p.jsonl" >"$TMP/p2.jsonl"
L --no-filter "$TMP/p2.jsonl" >"$TMP/n.jsonl" || fail "localize --no-filter"
[ "$(ids "$TMP/n.jsonl")" = "$(ids "$TMP/p.jsonl")" ] || fail "records reordered"
head -n 1 "$TMP/n.jsonl" | grep -q '"foo":\[1,2\]' || fail "unknown field not passed through"
[ "$(grep -o '"timestamp"' "$TMP/n.jsonl" | wc -l)" -eq 180 ] || fail "expected 180 timestamps"
grep -o '"timestamp":\[[^]]*\]' "$TMP/n.jsonl" | tr -d '"timestamp:[]' |
    awk -F, '$1 < 0 || $2 < $1 { bad = 1 } END { exit bad }' || fail "a timestamp is out of order"
# the sentences of a captions file, each keeping its own segment as gt_timestamp
L --no-filter --videos "$TMP/tr.json" >"$TMP/v.jsonl" || fail "localize --videos"
[ "$(wc -l <"$TMP/v.jsonl")" -eq 12 ] || fail "--videos: one line per video expected"
n_sent=$(grep -o '"sentence"' "$TMP/v.jsonl" | wc -l)
[ "$n_sent" -gt 0 ] && [ "$(grep -o '"gt_timestamp"' "$TMP/v.jsonl" | wc -l)" -eq "$n_sent" ] &&
    [ "$(grep -o '"timestamp"' "$TMP/v.jsonl" | wc -l)" -eq "$n_sent" ] || fail "--videos: every sentence needs both segments"
FIRST_TS=$(grep -m1 -o '"timestamps":[^[]*\[\[[^]]*\]' "$TMP/tr.json" | sed 's/.*\[\[/[/; s/ //g')
head -n 1 "$TMP/v.jsonl" | grep -qF "\"gt_timestamp\":$FIRST_TS" || fail "--videos: gt_timestamp $FIRST_TS not kept"
ids "$TMP/p.jsonl" >"$TMP/ids.txt"
expect_exit 1 "no sentences to localize" L --videos "$TMP/ids.txt"
expect_exit 1 "either --videos or an INPUT" L --videos "$TMP/tr.json" "$TMP/p.jsonl"
# the same from stdin with a tiny batch
L --no-filter --batch 1 <"$TMP/p2.jsonl" >"$TMP/n1.jsonl" || fail "localize from stdin"
# (matrix products of other sizes round differently: compare to 1e-3 s)
ts() { grep -o '"timestamp":\[[^]]*\]' "$1" | tr -d '"timestamp:[]' | tr ',' ' '; }
ts "$TMP/n.jsonl" >"$TMP/t1"
ts "$TMP/n1.jsonl" >"$TMP/t2"
paste "$TMP/t1" "$TMP/t2" | awk 'NF != 4 || ($1-$3)^2 > 1e-6 || ($2-$4)^2 > 1e-6 { bad = 1 } END { exit bad }' \
    || fail "--batch changes the result"
# seeded proposals: filter/merge, seeds consumed, at most 15 events per video
L "$TMP/p.jsonl" -o "$TMP/f.jsonl" || fail "localize (filter)"
[ "$(ids "$TMP/f.jsonl")" = "$(ids "$TMP/p.jsonl")" ] || fail "records reordered (filter)"
grep -q seed_cw "$TMP/f.jsonl" && fail "seed_cw left in the output"
kept=$(grep -o '"timestamp"' "$TMP/f.jsonl" | wc -l)
[ "$kept" -lt 180 ] || fail "filter/merge kept everything ($kept)"
L --drop-iou 1 --merge-iou 1 "$TMP/p.jsonl" >"$TMP/all.jsonl" || fail "localize --drop-iou 1"
[ "$(grep -o '"timestamp"' "$TMP/all.jsonl" | wc -l)" -eq 180 ] || fail "--drop-iou 1 --merge-iou 1 should keep all"
# the test-time cycle
"$B/caption" -q --model "$TMP/m.h5" --feats "$TMP/tr.tsr" --greedy <"$TMP/f.jsonl" >"$TMP/c.jsonl" \
    || fail "localize output does not feed caption"
[ "$(ids "$TMP/c.jsonl")" = "$(ids "$TMP/p.jsonl")" ] || fail "caption reordered the cycle"
# errors
printf '{"video_id":"v_nope","duration":10,"events":[{"sentence":"a man"}]}\n' >"$TMP/bad.jsonl"
expect_exit 1 "v_nope" L "$TMP/bad.jsonl" -o "$TMP/x.jsonl"
[ -e "$TMP/x.jsonl" ] && fail "a failed run left an output file"
# a write that fails midway (file size limit; SIGXFSZ ignored so write(2) says EFBIG)
# exits 2 and leaves neither the output nor its temporary file
expect_exit 2 "write error" sh -c "trap '' XFSZ; ulimit -f 1; \"$B/localize\" -q --model \"$TMP/m.h5\" \
    --feats \"$TMP/tr.tsr\" --no-filter \"$TMP/p.jsonl\" -o \"$TMP/big.jsonl\""
ls "$TMP" | grep -q '^big\.jsonl' && fail "a failed write left $(ls "$TMP" | grep '^big')"
printf '{"video_id":"v_a",\n' >"$TMP/bad2.jsonl"
expect_exit 1 "bad2.jsonl:1" L "$TMP/bad2.jsonl"
expect_exit 1 "no sentence localizer" "$B/localize" --model "$TMP/cg.h5" --feats "$TMP/tr.tsr" "$TMP/p.jsonl"
expect_exit 1 "required" "$B/localize" --feats "$TMP/tr.tsr"
expect_exit 1 "--drop-iou" L --drop-iou 2 "$TMP/p.jsonl"
expect_exit 0 "localize (wsdec)" sh -c "\"$B/localize\" --version >&2"
"$B/localize" --help | grep -q -- "--no-filter" || fail "--help lacks --no-filter"
exit 0
