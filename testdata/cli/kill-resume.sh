# Kill anywhere, resume, same bytes: both trainers and the demo recipe are
# killed (SIGTERM or SIGKILL) at random moments, some runs twice, then run
# again until done; the final checkpoint must be byte-identical (cmp: every
# tensor, optimiser state and config) to an uninterrupted run's, and a
# SIGTERM must leave no temporary file. WSD_KILL_TRIALS=n runs more trials
# (default 4 per trainer, 2 for the recipe); the seed is printed on failure.
. "$WSD_ROOT/testdata/cli-lib.sh"
B="$WSD_BIN"
TRIALS=${WSD_KILL_TRIALS:-4}
SEED=${WSD_KILL_SEED:-$(date +%s)}
R=$SEED
# rnd N: r = a pseudo-random integer in [0, N) (dash has no $RANDOM)
rnd() { R=$(( (R * 1103515245 + 12345) % 2147483648 )); r=$(( R / 65536 % $1 )); }
echo "kill-resume: seed $SEED"
"$B/feat-synth" --make-captions 24 --seed 5 -o "$TMP/tr.json" 2>/dev/null || fail "feat-synth captions"
"$B/feat-synth" --dim 12 --rows-per-second 0.5 "$TMP/tr.json" -o "$TMP/tr.tsr" || fail "feat-synth"
"$B/vocab-build" -q "$TMP/tr.json" -o "$TMP/vocab.json" || fail "vocab-build"
# command lines as words, so that `$CG ... &` makes $! the trainer itself
CG="$B/cg-pretrain -q --feats $TMP/tr.tsr --captions $TMP/tr.json --vocab $TMP/vocab.json --hidden 12
    --embed 8 --batch 6 --sample-rate 1 --epochs 6 --milestones 3"
# SL epochs 0, 2 and 4 (pseudo-labels), cycle epochs 1 and 3
WSD="$B/wsdec-train -q --feats $TMP/tr.tsr --captions $TMP/tr.json --cg $TMP/ref_cg.h5 --batch 6
    --sl-batch 4 --epochs 5 --alter-step 2 --pseudo-label-metric unigram-f"
case "$TMP" in *[!A-Za-z0-9/._-]*) skip "TMP=$TMP has characters these word lists cannot carry" ;; esac
now_ms() { date +%s%3N; }
t0=$(now_ms); $CG --out "$TMP/ref_cg.h5" || fail "cg-pretrain"; t_cg=$(($(now_ms) - t0))
t0=$(now_ms); $WSD --out "$TMP/ref_wsd.h5" || fail "wsdec-train"; t_wsd=$(($(now_ms) - t0))
$CG --out "$TMP/ref_cg2.h5" || fail "cg-pretrain (second run)"
cmp -s "$TMP/ref_cg.h5" "$TMP/ref_cg2.h5" || fail "two identical cg-pretrain runs gave different bytes"

# run_killed TRAINER OUT MS SIGNAL: start it (resuming OUT when there), kill it after MS ms
run_killed() {
    tr=$1 out=$2 ms=$3 sig=$4
    if [ -e "$out" ]; then $tr --out "$out" --resume "$out" 2>>"$TMP/log" & else $tr --out "$out" 2>>"$TMP/log" & fi
    pid=$!
    sleep "$(awk -v m="$ms" 'BEGIN { printf "%.3f", m / 1000 }')"
    kill "-$sig" "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    if [ "$sig" = TERM ] && ls "$TMP"/k/ | grep -q '\.tmp\.'; then fail "SIGTERM left a temporary file: $(ls "$TMP/k")"; fi
    rm -f "$TMP"/k/*.tmp.* # SIGKILL cannot be handled
}

trial() {
    name=$1 tr=$2 ref=$3 total=$4 i=$5
    rm -rf "$TMP/k" && mkdir "$TMP/k"
    out="$TMP/k/$name.h5"
    rnd 2; kills=$((1 + r))
    what=""
    for k in $(seq "$kills"); do
        rnd $((total + 1)); ms=$r
        rnd 3; sig=TERM; [ "$r" = 0 ] && sig=KILL
        what="$what $sig@${ms}ms"
        run_killed "$tr" "$out" "$ms" "$sig"
    done
    if [ -e "$out" ]; then $tr --out "$out" --resume "$out" 2>>"$TMP/log"; else $tr --out "$out" 2>>"$TMP/log"; fi \
        || { cat "$TMP/log"; fail "$name trial $i ($what): the resumed run failed"; }
    cmp -s "$out" "$ref" || fail "$name trial $i (seed $SEED,$what): the resumed checkpoint differs from the uninterrupted run"
}

for i in $(seq "$TRIALS"); do
    trial cg "$CG" "$TMP/ref_cg.h5" "$t_cg" "$i"
    trial wsd "$WSD" "$TMP/ref_wsd.h5" "$t_wsd" "$i"
done

# The recipe: make killed (its whole process group, as ^C does) and run again.
cd "$WSD_ROOT" || fail "no project root"
command -v setsid >/dev/null || skip "no setsid to kill make's process group"
M="make --no-print-directory -f pipelines/demo.mk BIN=$WSD_BIN CG_EPOCHS=4 WSD_EPOCHS=3"
TINY="MODEL=--hidden 8 --embed 8 --sample-rate 1"
# every run in the same DEMO directory: the checkpoints' config names their inputs
d="$TMP/r"
t0=$(now_ms)
$M "$TINY" DEMO="$d" "$d/final.h5" >/dev/null 2>"$TMP/mlog" || { tail "$TMP/mlog"; fail "demo recipe"; }
t_make=$(($(now_ms) - t0))
mkdir "$TMP/ref" && cp "$d/cg.h5" "$d/final.h5" "$TMP/ref/" || fail "copy"
for i in $(seq $(( (TRIALS + 1) / 2 ))); do
    rm -rf "$d"
    rnd $((t_make + 1)); ms=$r
    # setsid: make leads its own process group (pgid = $!), killed whole as ^C does
    setsid $M "$TINY" DEMO="$d" "$d/final.h5" >/dev/null 2>"$TMP/klog" &
    pid=$!
    sleep "$(awk -v m="$ms" 'BEGIN { printf "%.3f", m / 1000 }')"
    kill -TERM "-$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    # make may exit as soon as the recipe's shell dies, while the trainer (a
    # grandchild) is still removing its temporary file: wait for the whole group
    n=0; while kill -0 "-$pid" 2>/dev/null && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
    ls "$d" 2>/dev/null | grep -q '\.tmp\.' && fail "recipe killed at ${ms}ms left a temporary file: $(ls "$d")"
    # nothing done is lost: once a trainer reports its second epoch, the
    # first one's checkpoint is on disk and must survive the kill
    for t in "cg:epoch 1 done" "final:epoch 1 [a-zA-Z]* done"; do
        grep -q "${t#*:}" "$TMP/klog" && ! ls "$d" | grep -q "^${t%%:*}\." &&
            fail "recipe killed at ${ms}ms deleted the checkpoint of ${t%%:*}.h5: $(grep -h Deleting "$TMP/klog")"
    done
    $M "$TINY" DEMO="$d" "$d/final.h5" >/dev/null 2>>"$TMP/mlog" || { tail "$TMP/mlog"; fail "recipe rerun after a kill at ${ms}ms"; }
    for f in cg final; do
        cmp -s "$d/$f.h5" "$TMP/ref/$f.h5" || fail "recipe killed at ${ms}ms (seed $SEED): $f.h5 differs from the uninterrupted run's"
    done
    ls "$d" | grep -q '\.part\.' && fail "recipe left a partial checkpoint behind: $(ls "$d")"
done
exit 0
