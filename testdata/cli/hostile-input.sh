# Hostile numbers and text at the edge (issue 12 items 6, 10, 11, 12): NaN/Inf
# features are refused on load naming video and row; a diverging loss names
# the batch's videos; absurd durations and timestamps never reach an output
# as null; feat-synth no longer overflows; caption/localize refuse what
# wsdec-jsonl(5) calls errors; feat-extract refuses duplicate, non-UTF-8 and
# NUL keys. Every failure exits 1 and leaves no output or temporary file.
. "$WSD_ROOT/testdata/cli-lib.sh"
B="$WSD_BIN"
"$B/feat-synth" --make-captions 12 --seed 5 -o "$TMP/tr.json" 2>/dev/null || fail "captions"
"$B/feat-synth" --dim 12 --rows-per-second 0.5 "$TMP/tr.json" -o "$TMP/tr.tsr" || fail "feat-synth"
"$B/vocab-build" -q "$TMP/tr.json" -o "$TMP/vocab.json" || fail "vocab-build"
"$B/cg-pretrain" -q --feats "$TMP/tr.tsr" --captions "$TMP/tr.json" --vocab "$TMP/vocab.json" --hidden 8 \
    --embed 8 --batch 4 --sample-rate 1 --epochs 1 --out "$TMP/cg.h5" || fail "cg-pretrain"
"$B/wsdec-train" -q --feats "$TMP/tr.tsr" --captions "$TMP/tr.json" --cg "$TMP/cg.h5" --batch 4 --epochs 1 \
    --baseline no-class --out "$TMP/w.h5" || fail "wsdec-train"
V=$(sed -n 's/^[[:space:]]*"\(v_[^"]*\)":.*/\1/p' "$TMP/tr.json" | head -n 1)
[ -n "$V" ] || fail "no video id in the captions"

# record KEY ROWS VALUE4: one float32 [ROWS, 12] tensor record, every value
# the 4 little-endian bytes VALUE4 (printf escapes), first row all zeros
record() {
    h="{\"key\":\"$1\",\"dtype\":\"float32\",\"shape\":[$2,12],\"encoding\":\"raw\",\"bytes\":$(($2 * 48))}"
    printf 'WSDT'
    printf "\\$(printf %03o "$(printf '%s' "$h" | wc -c)")\\000\\000\\000"
    printf '%s' "$h"
    head -c 48 /dev/zero
    i=12; while [ "$i" -lt $(($2 * 12)) ]; do printf "$3"; i=$((i + 1)); done
}
NAN='\000\000\300\177' INF='\000\000\200\177' HUGE='\346\261\141\177' # 3e38
# the other videos' features, and video V's replaced by a hostile record
sed -n 's/^[[:space:]]*"\(v_[^"]*\)":.*/\1/p' "$TMP/tr.json" | tail -n +2 >"$TMP/others.txt"
"$B/feat-extract" -q "$TMP/tr.tsr" --ids "$TMP/others.txt" -o "$TMP/others.tsr" || fail "feat-extract --ids"
{ record "$V" 3 "$NAN"; cat "$TMP/others.tsr"; } >"$TMP/nan.tsr"
{ record "$V" 3 "$INF"; cat "$TMP/others.tsr"; } >"$TMP/inf.tsr"
{ record "$V" 3 "$HUGE"; cat "$TMP/others.tsr"; } >"$TMP/huge.tsr"
cd "$TMP" || fail "cd"
no_leftovers() { ls "$TMP" | grep -q '\.tmp\.' && fail "a temporary file was left: $(ls "$TMP")"; rm -f "$TMP/x.h5"; }

# 10: features with NaN/Inf: every program that loads features says where
for f in nan:NaN inf:+Inf; do
    what=${f#*:} f=${f%%:*}
    expect_exit 1 "video '$V': row 1 (of 3), column 0 is $what" "$B/cg-pretrain" --feats $f.tsr --captions tr.json \
        --vocab vocab.json --hidden 8 --embed 8 --batch 4 --sample-rate 1 --epochs 1 --out x.h5
    [ -e x.h5 ] && fail "cg-pretrain wrote a checkpoint from $f features"
    expect_exit 1 "video '$V': row 1" "$B/wsdec-train" --feats $f.tsr --captions tr.json --cg cg.h5 --batch 4 \
        --epochs 1 --baseline no-class --out x.h5
    expect_exit 1 "video '$V': row 1" "$B/caption" --model cg.h5 --feats $f.tsr --videos tr.json -o x.jsonl
    expect_exit 1 "video '$V': row 1" "$B/localize" --model w.h5 --feats $f.tsr --videos tr.json -o x.jsonl
    [ -e x.jsonl ] && fail "an output was written from $f features"
done
# finite but huge features make the loss overflow: exit 1 naming the batch's videos
expect_exit 1 "not finite" "$B/cg-pretrain" --feats huge.tsr --captions tr.json --vocab vocab.json --hidden 8 \
    --embed 8 --batch 4 --sample-rate 1 --epochs 1 --out x.h5
grep -q "on the videos .*$V" "$TMP/err" || { cat "$TMP/err"; fail "the diverged batch's videos are not named"; }
no_leftovers

# 11: absurd numbers stop at the edge, never "null" in an output
printf '{"video_id":"%s","duration":1e308,"events":[{"timestamp":[1,5],"sentence":"a man"}]}\n' "$V" >big.jsonl
expect_exit 1 "\"duration\" must be" "$B/localize" --model w.h5 --feats tr.tsr big.jsonl
printf '{"video_id":"%s","duration":30,"events":[{"timestamp":[1,1e999]}]}\n' "$V" >inf.jsonl
expect_exit 1 "\"timestamp\" must be" "$B/caption" --model cg.h5 --feats tr.tsr inf.jsonl
printf '{"%s":{"duration":1e300,"timestamps":[[1,2]],"sentences":["a b"]}}' "$V" >big.json
expect_exit 1 "duration" "$B/feat-synth" --dim 8 big.json -o x.tsr
# 6: a duration that used to overflow the row count (SIGSEGV, .tmp left behind)
printf '{"%s":{"duration":5.764607523034236e+17,"timestamps":[[1,2]],"sentences":["a b"]}}' "$V" >ovf.json
expect_exit 1 "duration" "$B/feat-synth" --dim 8 ovf.json -o x.tsr
printf '{"%s":{"duration":9e6,"timestamps":[[1,2]],"sentences":["a b"]}}' "$V" >rows.json
expect_exit 1 "values per video" "$B/feat-synth" --dim 500 --rows-per-second 1000 rows.json -o x.tsr
[ -e x.tsr ] && fail "feat-synth left an output"
no_leftovers

# 12: caption and localize refuse what wsdec-jsonl(5) calls errors
printf '{"video_id":"%s","events":[]}\n{"video_id":"%s","events":[]}\n' "$V" "$V" >dup.jsonl
expect_exit 1 "dup.jsonl:2: duplicate video_id" "$B/caption" --model cg.h5 --feats tr.tsr --proposals random:2 dup.jsonl
printf '{"video_id":"%s","events":[{"timestamp":[1,2],"sentence":"a \377 b"}]}\n' "$V" >utf.jsonl
expect_exit 1 "not valid UTF-8" "$B/localize" --model w.h5 --feats tr.tsr utf.jsonl
printf '{"video_id":"%s","events":[{"timestamp":[1,2],"sentence":["a"]}]}\n' "$V" >type.jsonl
expect_exit 1 "\"sentence\" must be a string" "$B/localize" --model w.h5 --feats tr.tsr type.jsonl
printf '{"video_id":"%s","events":[{"timestamp":[1,2],"sentence":"a \\u0000 b"}]}\n' "$V" >nul.jsonl
expect_exit 1 'u0000' "$B/caption" --model cg.h5 --feats tr.tsr nul.jsonl

# 12: feat-extract keys
cat tr.tsr tr.tsr >dup.tsr
expect_exit 1 "occurs twice" "$B/feat-extract" dup.tsr -o x.tsr
record "$(printf 'v_\377')" 2 "$NAN" >badkey.tsr
expect_exit 1 "not valid UTF-8" "$B/feat-extract" badkey.tsr -o x.tsr
record 'v_a\u0000b' 2 "$NAN" >nulkey.tsr
expect_exit 1 'u0000' "$B/feat-extract" nulkey.tsr -o x.tsr
[ -e x.tsr ] && fail "feat-extract left an output"
no_leftovers

# 15: a feature size the model cannot take is found before training
"$B/feat-synth" --dim 6 --rows-per-second 0.5 tr.json -o d6.tsr || fail "feat-synth --dim 6"
expect_exit 1 "the caption generator of cg.h5 expects 12" "$B/wsdec-train" --feats d6.tsr --captions tr.json \
    --cg cg.h5 --batch 4 --epochs 1 --baseline no-class --out x.h5
expect_exit 1 "validation features have 6 dims" "$B/cg-pretrain" --feats tr.tsr --captions tr.json \
    --vocab vocab.json --hidden 8 --embed 8 --batch 4 --sample-rate 1 --epochs 1 --val-captions tr.json \
    --val-feats d6.tsr --out x.h5
grep -q "epoch 0" "$TMP/err" && fail "cg-pretrain trained an epoch before checking --val-feats"
no_leftovers

# 15, 16: a full disk (here `ulimit -f`) names the file and the reason, and
# leaves no temporary file (the checkpoint write used to crash in HDF5's exit)
(ulimit -f 40; exec "$B/cg-pretrain" -q --feats tr.tsr --captions tr.json --vocab vocab.json --hidden 12 \
    --embed 8 --batch 4 --sample-rate 1 --epochs 1 --out lim.h5) 2>"$TMP/err" && fail "cg-pretrain ignored ulimit -f"
grep -q "lim.h5: cannot write: File too large" "$TMP/err" || { cat "$TMP/err"; fail "cg-pretrain's write error"; }
(ulimit -f 20; exec "$B/feat-synth" --dim 64 tr.json -o lim.tsr) 2>"$TMP/err" && fail "feat-synth ignored ulimit -f"
grep -q "lim.tsr: .*File too large" "$TMP/err" || { cat "$TMP/err"; fail "feat-synth's write error"; }
[ -e lim.h5 ] || [ -e lim.tsr ] && fail "a partial output was left"
no_leftovers
exit 0
