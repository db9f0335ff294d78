# A rule that writes several files must be a grouped target (`&:`): make -j
# would otherwise run it once per file, in parallel, each run rewriting what
# the others read (issue 12: synth-anet.mk failed 3 runs in 25). Checked two
# ways: synth-anet.mk's split rule runs once under -j3, and no rule of any
# recipe lists several targets without `&:`.
. "$WSD_ROOT/testdata/cli-lib.sh"
cd "$WSD_ROOT" || fail "no project root"
n=$(make --no-print-directory -n -j3 -f pipelines/synth-anet.mk OUT="$TMP/o" ANET="$TMP/a" \
    "$TMP/o/train.json" "$TMP/o/val.json" "$TMP/o/val_2.json" 2>"$TMP/err" | grep -c "python3 -c")
[ "$n" = 1 ] || { cat "$TMP/err"; fail "synth-anet.mk would run the split $n times for its 3 files"; }
for f in pipelines/*.mk; do
    # rule lines: not a recipe, comment or assignment; targets = before the first ':'
    awk -v f="$f" '
        /^\t/ || /^#/ || /^[ \t]*$/ || /^[A-Za-z_]+[ \t]*[:?+]?=/ || /^\./ || /^include / { next }
        /:/ {
            grouped = index($0, "&:") > 0
            t = $0; sub(/:.*/, "", t)
            if (split(t, w, /[ \t]+/) > 1 && !grouped) { print f ": several targets without &: " $0; bad = 1 }
        }
        END { exit bad }' "$f" || fail "a recipe has a multi-target rule that is not grouped"
done
exit 0
