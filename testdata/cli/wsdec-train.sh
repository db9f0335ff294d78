# wsdec-train on tiny synthetic data: SL epochs refuse to run without METEOR
# data unless the stand-in is chosen explicitly; the final recipe, both
# baselines and the supervised localizer train and write checkpoints that
# localize reads; a resumed run equals an uninterrupted one.
. "$WSD_ROOT/testdata/cli-lib.sh"
B="$WSD_BIN"
"$B/feat-synth" --make-captions 24 --seed 5 -o "$TMP/tr.json" 2>/dev/null || fail "feat-synth captions"
"$B/feat-synth" --dim 12 --rows-per-second 0.5 "$TMP/tr.json" -o "$TMP/tr.tsr" || fail "feat-synth"
"$B/vocab-build" -q "$TMP/tr.json" -o "$TMP/vocab.json" || fail "vocab-build"
"$B/cg-pretrain" -q --feats "$TMP/tr.tsr" --captions "$TMP/tr.json" --vocab "$TMP/vocab.json" --hidden 12 \
    --embed 8 --batch 6 --sample-rate 1 --epochs 2 --out "$TMP/cg.h5" || fail "cg-pretrain"
run() {
    "$B/wsdec-train" --feats "$TMP/tr.tsr" --captions "$TMP/tr.json" --batch 6 --sl-batch 4 "$@"
}
# no METEOR data: SL epochs must say so and stop
unset WSD_METEOR_DIR
expect_exit 1 "pseudo-label-metric unigram-f" run --cg "$TMP/cg.h5" --out "$TMP/x.h5" --epochs 2
[ -e "$TMP/x.h5" ] && fail "a failed run left an output file"
# final recipe with the stand-in: SL epoch 0, cycle epochs 1-2
run --cg "$TMP/cg.h5" --out "$TMP/a.h5" --epochs 3 --keep-every 1 --pseudo-label-metric unigram-f \
    2>"$TMP/log" || { cat "$TMP/log"; fail "final training failed"; }
grep -q "NOT METEOR" "$TMP/log" || fail "the stand-in metric was not announced"
grep -q "epoch 0 SL done" "$TMP/log" && grep -q "epoch 1 cycle done" "$TMP/log" || fail "phases wrong"
grep -q "lr x0.01" "$TMP/log" || fail "milestones 1,2 not applied"
[ -s "$TMP/a.h5" ] && [ -s "$TMP/a.epoch002.h5" ] || fail "checkpoints missing"
ls "$TMP" | grep -q tmp && fail "temporary file left behind"
# resume from epoch 2 and compare with the uninterrupted run
cp "$TMP/a.epoch002.h5" "$TMP/r.h5"
run --out "$TMP/r.h5" --resume "$TMP/r.h5" --epochs 3 --pseudo-label-metric unigram-f -q || fail "resume failed"
for m in r a; do
    "$B/caption" -q --model "$TMP/$m.h5" --feats "$TMP/tr.tsr" --videos "$TMP/tr.json" --proposals random:6 \
        --greedy | "$B/localize" -q --model "$TMP/$m.h5" --feats "$TMP/tr.tsr" --no-filter >"$TMP/$m.jsonl" \
        || fail "caption | localize with $m.h5 failed"
done
cmp -s "$TMP/r.jsonl" "$TMP/a.jsonl" || fail "resumed run differs from the uninterrupted one"
# baselines and supervised localizer
run --cg "$TMP/cg.h5" --out "$TMP/nc.h5" --baseline no-class --epochs 2 -q || fail "no-class baseline"
run --cg "$TMP/cg.h5" --out "$TMP/nr.h5" --regressor-scale 0 --epochs 2 --pseudo-label-metric unigram-f -q \
    || fail "no-regression baseline"
run --mode supervised-sl --vocab "$TMP/vocab.json" --out "$TMP/s.h5" --epochs 2 --hidden 8 --embed 8 \
    --sample-rate 1 2>"$TMP/log" || { cat "$TMP/log"; fail "supervised-sl"; }
grep -q "epoch 1 supervised done" "$TMP/log" || fail "supervised epochs missing"
"$B/caption" -q --model "$TMP/a.h5" --feats "$TMP/tr.tsr" --videos "$TMP/tr.json" --proposals random:3 \
    --greedy >"$TMP/p.jsonl" || fail "caption"
for m in nc nr s; do
    "$B/localize" -q --model "$TMP/$m.h5" --feats "$TMP/tr.tsr" --no-filter "$TMP/p.jsonl" >"$TMP/l.jsonl" \
        || fail "localize with $m.h5"
    [ "$(wc -l <"$TMP/l.jsonl")" -eq 24 ] || fail "localize with $m.h5: expected 24 records"
done
expect_exit 1 "required" "$B/wsdec-train" --feats "$TMP/tr.tsr"
expect_exit 1 "--baseline" run --cg "$TMP/cg.h5" --out "$TMP/x.h5" --baseline other
expect_exit 1 "pseudo-label-metric" run --cg "$TMP/cg.h5" --out "$TMP/x.h5" --pseudo-label-metric bleu
expect_exit 1 "fewer than one batch" run --cg "$TMP/cg.h5" --out "$TMP/x.h5" --batch 100 --baseline no-class
expect_exit 1 "batch of 1000 (--sl-batch" run --cg "$TMP/cg.h5" --out "$TMP/x.h5" --sl-batch 1000 --pseudo-label-metric unigram-f
expect_exit 0 "wsdec-train (wsdec)" sh -c "\"$B/wsdec-train\" --version >&2"
"$B/wsdec-train" --help | grep -q -- "--regressor-scale" || fail "--help lacks --regressor-scale"
exit 0
