# An output never replaces an input (issue 12 item 2): every program refuses,
# before any work, an output that is the same file (same inode, so also
# through a link) as one of its inputs, and leaves the input intact. A
# trainer's --out folder that cannot be written is reported before training
# (item 15). Continuing a checkpoint in place (--resume X --out X) stays allowed.
. "$WSD_ROOT/testdata/cli-lib.sh"
B="$WSD_BIN"
cd "$TMP" || fail "cd"
"$B/feat-synth" --make-captions 8 --seed 5 -o c.json 2>/dev/null || fail "captions"
"$B/feat-synth" --dim 8 --rows-per-second 0.5 c.json -o f.tsr || fail "feat-synth"
"$B/vocab-build" -q c.json -o v.json || fail "vocab-build"
"$B/cg-pretrain" -q --feats f.tsr --captions c.json --vocab v.json --hidden 8 --embed 8 --batch 4 \
    --sample-rate 1 --epochs 1 --out cg.h5 || fail "cg-pretrain"
"$B/wsdec-train" -q --feats f.tsr --captions c.json --cg cg.h5 --batch 4 --epochs 1 --baseline no-class \
    --out w.h5 || fail "wsdec-train"
ln -s f.tsr link.tsr
for f in c.json f.tsr v.json cg.h5 w.h5; do cp "$f" "$f.orig"; done
same() { expect_exit 1 "is the same file as" "$@"; }
same "$B/cg-pretrain" --feats f.tsr --captions c.json --vocab v.json --hidden 8 --embed 8 --batch 4 \
    --sample-rate 1 --epochs 1 --out f.tsr
same "$B/cg-pretrain" --feats f.tsr --captions c.json --vocab v.json --hidden 8 --embed 8 --batch 4 \
    --sample-rate 1 --epochs 1 --out link.tsr
same "$B/wsdec-train" --feats f.tsr --captions c.json --cg cg.h5 --batch 4 --epochs 1 --out cg.h5
same "$B/vocab-build" c.json -o c.json
same "$B/feat-synth" c.json -o c.json
same "$B/feat-synth" c.json --hdf5 c.json
expect_exit 1 "same file" "$B/feat-synth" c.json --hdf5 x.h5 -o x.h5
same "$B/feat-extract" f.tsr -o link.tsr
same "$B/caption" --model cg.h5 --feats f.tsr --videos c.json -o c.json
same "$B/localize" --model w.h5 --feats f.tsr --videos c.json -o w.h5
for f in c.json f.tsr v.json cg.h5 w.h5; do cmp -s "$f" "$f.orig" || fail "$f was overwritten"; done
[ -e x.h5 ] && fail "feat-synth wrote x.h5"
# --resume in place is how a run continues
"$B/wsdec-train" -q --feats f.tsr --captions c.json --cg cg.h5 --batch 4 --epochs 2 --baseline no-class \
    --resume w.h5 --out w.h5 || fail "--resume X --out X must stay allowed"
# a missing or unwritable output folder is found before any training
expect_exit 1 "No such file or directory" "$B/cg-pretrain" --feats f.tsr --captions c.json --vocab v.json \
    --hidden 8 --embed 8 --batch 4 --sample-rate 1 --epochs 1 --out "$TMP/missing/cg.h5"
grep -q "epoch" "$TMP/err" && fail "cg-pretrain trained before noticing the output folder is missing"
expect_exit 1 "missing/w.h5" "$B/wsdec-train" --feats f.tsr --captions c.json --cg cg.h5 --batch 4 --epochs 1 \
    --baseline no-class --out "$TMP/missing/w.h5"
if [ "$(id -u)" != 0 ]; then
    mkdir ro && chmod 555 ro
    expect_exit 1 "Permission denied" "$B/cg-pretrain" --feats f.tsr --captions c.json --vocab v.json \
        --hidden 8 --embed 8 --batch 4 --sample-rate 1 --epochs 1 --out ro/cg.h5
fi
exit 0
