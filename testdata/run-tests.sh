#!/bin/sh
# Runs every unit-test binary (common/*/*_test.c, built into $WSD_TEST_BIN) and
# every CLI test (testdata/cli/*.sh; exit 0 pass, 77 skip, else fail).
# The last line is "N passed, N failed, N skipped".
: "${WSD_BIN:=bin}"
: "${WSD_TEST_BIN:=bin/obj/test}"
WSD_BIN=$(cd "$WSD_BIN" && pwd)
export WSD_BIN
export WSD_ROOT="$(pwd)"
export WSD_SHARED="${WSD_SHARED:-$(cd .. && pwd)/shared}"
passed=0 failed=0 skipped=0
failures=""
log=$(mktemp)
for t in $(find "$WSD_TEST_BIN" -name "*_test" -type f | sort); do
    [ -x "$t" ] || continue
    name=$(basename "$t")
    if "$t" >"$log" 2>"$log.err"; then status=0; else status=$?; fi
    line=$(grep '^RESULT ' "$log" | tail -n 1)
    if [ -z "$line" ]; then
        failed=$((failed + 1)); failures="$failures $name(crashed:$status)"
        sed 's/^/    /' "$log.err" | tail -n 20
        continue
    fi
    set -- $line
    passed=$((passed + $2)); failed=$((failed + $3)); skipped=$((skipped + $4))
    [ "$3" -gt 0 ] && { failures="$failures $name"; sed 's/^/    /' "$log.err" | tail -n 40; }
    [ "$4" -gt 0 ] && grep -E '^(skip|  skip)' "$log.err" | sed "s/^/    $name: /"
    echo "unit $name: $2 passed, $3 failed, $4 skipped"
done
for t in testdata/cli/*.sh; do
    [ -f "$t" ] || continue
    name=$(basename "$t" .sh)
    if sh "$t" >"$log" 2>&1; then status=0; else status=$?; fi
    case $status in
        0) passed=$((passed + 1)) ;;
        77) skipped=$((skipped + 1)); echo "cli $name: skipped: $(tail -n 1 "$log")" ;;
        *) failed=$((failed + 1)); failures="$failures $name"; echo "cli $name: FAILED (exit $status)"; sed 's/^/    /' "$log" | tail -n 30 ;;
    esac
done
rm -f "$log" "$log.err"
[ -n "$failures" ] && echo "failures:$failures"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
