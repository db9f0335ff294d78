# caption: captions input segments (unknown fields pass through), generates
# full/anchor/random proposals with their seed_cw (random draws shared by 8
# consecutive videos, seeded), beam and greedy decoding, exit 1 on bad input.
. "$WSD_ROOT/testdata/cli-lib.sh"
B="$WSD_BIN"
"$B/feat-synth" --make-captions 12 --seed 9 -o "$TMP/tr.json" 2>/dev/null || fail "feat-synth captions"
"$B/feat-synth" --dim 10 --rows-per-second 0.5 "$TMP/tr.json" -o "$TMP/tr.tsr" || fail "feat-synth"
"$B/vocab-build" -q "$TMP/tr.json" -o "$TMP/vocab.json" || fail "vocab-build"
"$B/cg-pretrain" -q --feats "$TMP/tr.tsr" --captions "$TMP/tr.json" --vocab "$TMP/vocab.json" --hidden 8 \
    --embed 8 --batch 4 --sample-rate 1 --epochs 2 --out "$TMP/m.h5" || fail "cg-pretrain"
cap() { "$B/caption" -q --model "$TMP/m.h5" --feats "$TMP/tr.tsr" "$@"; }
ID=$(sed -n 's/^\t"\(v_[^"]*\)".*/\1/p' "$TMP/tr.json" | head -1)
printf '%s\n' \
  '{"video_id": "'"$ID"'", "duration": 50, "extra": [1], "events": [{"timestamp": [1, 20], "score": 0.5}, {"timestamp": [10, 60]}]}' \
  >"$TMP/in.jsonl"
cap <"$TMP/in.jsonl" >"$TMP/out.jsonl" || fail "caption of input events failed"
[ "$(wc -l <"$TMP/out.jsonl")" = 1 ] || fail "expected one output line"
grep -q '"extra":\[1\]' "$TMP/out.jsonl" || fail "unknown field not passed through"
grep -q '"score":0.5' "$TMP/out.jsonl" || fail "event field not passed through"
[ "$(grep -o '"sentence":"[^"]*"' "$TMP/out.jsonl" | wc -l)" = 2 ] || fail "every event needs a sentence"
grep -q '"timestamp":\[10,60\]' "$TMP/out.jsonl" || fail "input timestamps must be kept"
cap --greedy <"$TMP/in.jsonl" >/dev/null || fail "--greedy failed"
# the ground-truth events of a caption file, captioned as they stand
cap --videos "$TMP/tr.json" >"$TMP/gt.jsonl" || fail "--videos without --proposals"
[ "$(wc -l <"$TMP/gt.jsonl")" = 12 ] || fail "one line per video expected"
[ "$(grep -o '"timestamp"' "$TMP/gt.jsonl" | wc -l)" = "$(grep -o '"sentence"' "$TMP/gt.jsonl" | wc -l)" ] ||
    fail "every ground-truth event needs a generated sentence"
FIRST_TS=$(grep -m1 -o '"timestamps":[^[]*\[\[[^]]*\]' "$TMP/tr.json" | sed 's/.*\[\[/[/; s/ //g')
grep -qF "\"timestamp\":$FIRST_TS" "$TMP/gt.jsonl" || fail "ground-truth timestamp $FIRST_TS not kept"
grep -q "seed_cw" "$TMP/gt.jsonl" && fail "ground-truth events are no proposals"
echo "$ID" >"$TMP/ids.txt"
expect_exit 1 "no events to caption" cap --videos "$TMP/ids.txt"
# proposals over the videos of a caption file
cap --videos "$TMP/tr.json" --proposals full >"$TMP/full.jsonl" || fail "--proposals full"
[ "$(wc -l <"$TMP/full.jsonl")" = 12 ] || fail "one line per video expected"
grep -q '"seed_cw":\[0.5,1\]' "$TMP/full.jsonl" || fail "full-video seed_cw missing"
cap --videos "$TMP/tr.json" --proposals anchors | head -1 | grep -o '"seed_cw"' | wc -l | grep -qx 15 ||
    fail "anchors: 15 events expected"
cap --videos "$TMP/tr.json" --proposals random:4 --seed 3 >"$TMP/r1.jsonl" || fail "random proposals"
cap --videos "$TMP/tr.json" --proposals random:4 --seed 3 >"$TMP/r2.jsonl"
cmp -s "$TMP/r1.jsonl" "$TMP/r2.jsonl" || fail "same seed, different output"
cap --videos "$TMP/tr.json" --proposals random:4 --seed 4 | cmp -s - "$TMP/r1.jsonl" && fail "--seed has no effect"
seeds() { sed -n "${1}p" "$TMP/r1.jsonl" | grep -o '"seed_cw":\[[^]]*\]' | tr '\n' ' '; }
[ "$(seeds 1)" = "$(seeds 8)" ] || fail "videos 1-8 must share their random proposals"
[ "$(seeds 1)" = "$(seeds 9)" ] && fail "video 9 must get a fresh draw"
[ "$(seeds 1 | grep -o seed_cw | wc -l)" = 4 ] || fail "random:4 must give 4 events"
# JSONL on stdin with --proposals replaces the events
cap --proposals random:2 <"$TMP/in.jsonl" | grep -o '"seed_cw"' | wc -l | grep -qx 2 || fail "stdin + proposals"
expect_exit 1 "--proposals" cap --proposals random:0 <"$TMP/in.jsonl"
expect_exit 1 "required" "$B/caption" --feats "$TMP/tr.tsr"
expect_exit 1 "no features for video id\|unknown video id" cap <<'X'
{"video_id": "v_none", "duration": 3, "events": [{"timestamp": [0, 1]}]}
X
echo '{"video_id": "'"$ID"'", "duration": 3, "events": [{"timestamp": "x"}]}' >"$TMP/bad.jsonl"
expect_exit 1 "bad.jsonl:1: video '$ID': event 0: \"timestamp\" must be" cap "$TMP/bad.jsonl"
expect_exit 1 "in.jsonl:1\|<stdin>:1\|-:1\|stdin:1" cap -o "$TMP/partial.jsonl" <<'X'
{"video_id": 
X
[ -e "$TMP/partial.jsonl" ] && fail "a failed run left its output file"
expect_exit 0 "caption (wsdec)" sh -c "\"$B/caption\" --version >&2"
"$B/caption" --help | grep -q -- "--proposals" || fail "--help lacks --proposals"
exit 0
