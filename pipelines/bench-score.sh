#!/bin/sh
# densevid-score speed: all of val_1 scored as a submission (its own segments
# and sentences) against val_1 + val_2, the official default references.
# Target: under 2 s. Prints the wall time of each of 3 runs and the best.
set -u
BIN=${WSD_BIN:-bin}
SHARED=${WSD_SHARED:-../shared}
D=$SHARED/data/activitynet-captions
if [ ! -f "$D/val_1.json" ] || [ ! -f "$D/val_2.json" ]; then
    echo "bench-score: $D/val_1.json, val_2.json absent: skipped"
    exit 0
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
SUB=$TMP/val1_as_submission.json
if command -v jq >/dev/null 2>&1; then
    jq -c '{version: "VERSION 1.0", external_data: {used: false},
            results: with_entries(.value = [.value.timestamps, .value.sentences]
                                  | .value |= [transpose[] | {timestamp: .[0], sentence: .[1]}])}' \
        "$D/val_1.json" >"$SUB" || exit 1
    what="val_1 ground truth"
else
    SUB=$SHARED/oracle/inputs/pred_gt_upper.json
    what="val_1 ground truth, upper-cased (oracle pred_gt_upper.json; jq absent)"
    [ -f "$SUB" ] || { echo "bench-score: no jq and no $SUB: skipped"; exit 0; }
fi
best=
for run in 1 2 3; do
    t0=$(date +%s.%N)
    "$BIN/densevid-score" -s "$SUB" -r "$D/val_1.json" "$D/val_2.json" --no-meteor >"$TMP/out" || exit 1
    t1=$(date +%s.%N)
    s=$(awk "BEGIN{printf \"%.3f\", $t1 - $t0}")
    echo "densevid-score run $run: wall $s s"
    if [ -z "$best" ] || [ "$(awk "BEGIN{print ($s < $best)}")" = 1 ]; then best=$s; fi
done
# CPU seconds tell our cost apart from a busy machine's
if [ -x /usr/bin/time ]; then
    /usr/bin/time -f '%e %U %S' -o "$TMP/time" "$BIN/densevid-score" -s "$SUB" -r "$D/val_1.json" "$D/val_2.json" \
        --no-meteor >/dev/null && read -r e u sy <"$TMP/time" &&
        echo "densevid-score: one more run: wall $e s, cpu $(awk "BEGIN{print $u + $sy}") s (user $u, sys $sy)"
fi
echo "densevid-score: $what, 4917 videos, vs val_1+val_2: best wall $best s (target < 2 s;" \
    "load average $(cut -d' ' -f1 /proc/loadavg 2>/dev/null))"
echo "  command: $BIN/densevid-score -s SUB -r $D/val_1.json $D/val_2.json --no-meteor"
grep -A9 'Average across' "$TMP/out" | tail -n 8 | sed 's/^/  /'

# METEOR (issue 10: under 3 s, >= 100x the official evaluator). The official
# evaluator takes minutes on this input (../shared/meteor/README.md: 291-409 s
# wall); WSD_BENCH_OFFICIAL=1 runs it here too (needs java, python3-numpy).
JAR=$SHARED/official-eval/coco-caption/pycocoevalcap/meteor/meteor-1.5.jar
MSUB=$SHARED/oracle/inputs/pred_jitter.json
if [ -f "$JAR" ] && [ -f "$MSUB" ] && [ -x /usr/bin/time ]; then
    /usr/bin/time -f '%e %U %S' -o "$TMP/mtime" "$BIN/densevid-score" -s "$MSUB" -r "$D/val_1.json" "$D/val_2.json" \
        --meteor-jar "$JAR" >"$TMP/mout" 2>/dev/null || exit 1
    read -r e u sy <"$TMP/mtime"
    echo "densevid-score with METEOR: oracle pred_jitter.json (4917 videos, 22432 proposals) vs val_1+val_2:" \
        "wall $e s, cpu $(awk "BEGIN{print $u + $sy}") s (target < 3 s; load average $(cut -d' ' -f1 /proc/loadavg))"
    echo "  command: $BIN/densevid-score -s $MSUB -r $D/val_1.json $D/val_2.json --meteor-jar $JAR"
    grep -A6 'Average across' "$TMP/mout" | grep METEOR | sed 's/^/  /'
    if [ "${WSD_BENCH_OFFICIAL:-0}" = 1 ]; then
        t0=$(date +%s.%N)
        (cd "$SHARED/official-eval" && /usr/bin/python3 evaluate2018.py -s "$MSUB" -r "$D/val_1.json" "$D/val_2.json" -v) \
            >"$TMP/official" 2>&1 || echo "official evaluator failed"
        t1=$(date +%s.%N)
        echo "official evaluator (2018, -v, METEOR): wall $(awk "BEGIN{printf \"%.1f\", $t1 - $t0}") s;" \
            "ratio $(awk "BEGIN{printf \"%.0f\", ($t1 - $t0) / $e}")x"
    fi
else
    echo "bench-score: METEOR part skipped ($JAR or $MSUB absent)"
fi
