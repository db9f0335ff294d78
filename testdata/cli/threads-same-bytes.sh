# The thread count is not part of the arithmetic: cg-pretrain, wsdec-train
# (an SL epoch and a cycle epoch) and caption | localize give the same bytes
# with 1, 2 and 3 threads, at sizes where the engine splits its products,
# GRU cells, copies and loops over the threads (nn_sgemm.h, nn_threadpool.h).
. "$WSD_ROOT/testdata/cli-lib.sh"
B=$(cd "$WSD_BIN" && pwd)
"$B/feat-synth" --make-captions 24 --seed 7 -o "$TMP/tr.json" 2>/dev/null || fail "feat-synth captions"
"$B/feat-synth" --dim 300 --rows-per-second 2 "$TMP/tr.json" -o "$TMP/tr.tsr" || fail "feat-synth"
"$B/vocab-build" -q "$TMP/tr.json" -o "$TMP/vocab.json" || fail "vocab-build"
# each run in a folder of its own, under the same file names: a checkpoint
# records the paths it was trained from
for t in 1 2 3; do
    mkdir "$TMP/$t" && cd "$TMP/$t" || fail "mkdir"
    "$B/cg-pretrain" -q --feats ../tr.tsr --captions ../tr.json --vocab ../vocab.json \
        --hidden 192 --embed 64 --batch 12 --sample-rate 1 --epochs 2 --threads $t --device cpu \
        --out cg.h5 || fail "cg-pretrain --threads $t"
    "$B/wsdec-train" -q --feats ../tr.tsr --captions ../tr.json --cg cg.h5 --batch 12 \
        --sl-batch 6 --epochs 2 --pseudo-label-metric unigram-f --threads $t --device cpu \
        --out wsd.h5 2>/dev/null || fail "wsdec-train --threads $t"
    cd "$TMP" || fail "cd"
    "$B/caption" -q --model "$TMP/$t/wsd.h5" --feats "$TMP/tr.tsr" --videos "$TMP/tr.json" \
        --proposals random:8 --threads $t --device cpu |
        "$B/localize" -q --model "$TMP/$t/wsd.h5" --feats "$TMP/tr.tsr" --threads $t --device cpu \
            >"$TMP/out$t.jsonl" || fail "caption | localize --threads $t"
done
for t in 2 3; do
    cmp -s "$TMP/1/cg.h5" "$TMP/$t/cg.h5" || fail "cg-pretrain: --threads $t differs from --threads 1"
    cmp -s "$TMP/1/wsd.h5" "$TMP/$t/wsd.h5" || fail "wsdec-train: --threads $t differs from --threads 1"
    cmp -s "$TMP/out1.jsonl" "$TMP/out$t.jsonl" || fail "caption | localize: --threads $t differs"
done
[ -s "$TMP/out1.jsonl" ] || fail "no output"
exit 0
