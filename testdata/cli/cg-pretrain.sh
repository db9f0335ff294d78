# cg-pretrain trains a tiny caption generator on synthetic data: the loss
# falls, the checkpoint is written atomically after every epoch, a resumed run
# equals an uninterrupted one, bad options exit 1.
. "$WSD_ROOT/testdata/cli-lib.sh"
B="$WSD_BIN"
"$B/feat-synth" --make-captions 24 --seed 5 -o "$TMP/tr.json" 2>/dev/null || fail "feat-synth captions"
"$B/feat-synth" --dim 12 --rows-per-second 0.5 "$TMP/tr.json" -o "$TMP/tr.tsr" || fail "feat-synth"
"$B/vocab-build" -q "$TMP/tr.json" -o "$TMP/vocab.json" || fail "vocab-build"
run() {
    "$B/cg-pretrain" --feats "$TMP/tr.tsr" --captions "$TMP/tr.json" --vocab "$TMP/vocab.json" \
        --hidden 12 --embed 8 --batch 6 --sample-rate 1 --lr 0.05 --milestones 4 "$@"
}
run --out "$TMP/a.h5" --epochs 6 --keep-every 3 2>"$TMP/log" || { cat "$TMP/log"; fail "training failed"; }
[ -s "$TMP/a.h5" ] && [ -s "$TMP/a.epoch003.h5" ] && [ -s "$TMP/a.epoch006.h5" ] || fail "checkpoints missing"
ls "$TMP" | grep -q tmp && fail "temporary file left behind"
first=$(grep 'epoch 0 done' "$TMP/log" | sed 's/.*mean loss \([0-9.]*\).*/\1/')
last=$(grep 'epoch 5 done' "$TMP/log" | sed 's/.*mean loss \([0-9.]*\).*/\1/')
awk -v a="$first" -v b="$last" 'BEGIN { exit !(b < a) }' || fail "loss did not fall ($first -> $last)"
grep -q 'lr 0.005' "$TMP/log" || fail "milestone 4 did not divide the lr by 10"
# resume from epoch 3 and compare with the uninterrupted run's epoch-6 checkpoint
cp "$TMP/a.epoch003.h5" "$TMP/r.h5"
run --out "$TMP/r.h5" --resume "$TMP/r.h5" --epochs 6 -q || fail "resume failed"
for m in r a.epoch006; do
    "$B/caption" -q --model "$TMP/$m.h5" --feats "$TMP/tr.tsr" --videos "$TMP/tr.json" --proposals anchors \
        --greedy >"$TMP/$m.jsonl" || fail "caption with $m.h5 failed"
done
cmp -s "$TMP/r.jsonl" "$TMP/a.epoch006.jsonl" || fail "resumed run differs from the uninterrupted one"
# GT segments (WSDEC train_script/train_cg.py), with a validation loss
run --out "$TMP/g.h5" --epochs 1 --segments gt --val-captions "$TMP/tr.json" 2>"$TMP/glog" || fail "--segments gt failed"
grep -q 'epoch 0 validation: loss [0-9.]* (per word [0-9.]*) over 24 videos' "$TMP/glog" || fail "no validation line"
expect_exit 1 "--segments" run --out "$TMP/x.h5" --segments middle
expect_exit 1 "required" "$B/cg-pretrain" --feats "$TMP/tr.tsr"
expect_exit 1 "fewer than one batch" run --out "$TMP/x.h5" --batch 100
expect_exit 1 "no features for video id" "$B/cg-pretrain" --feats "$TMP/tr.tsr" --captions "$WSD_ROOT/testdata/demo/captions_val.json" \
    --vocab "$TMP/vocab.json" --out "$TMP/x.h5"
[ -e "$TMP/x.h5" ] && fail "a failed run left an output file"
expect_exit 0 "cg-pretrain (wsdec)" sh -c "\"$B/cg-pretrain\" --version >&2"
"$B/cg-pretrain" --help | grep -q -- "--segments" || fail "--help lacks --segments"
exit 0
