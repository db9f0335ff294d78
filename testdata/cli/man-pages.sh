# Every program has a man page, and --help is its short form: the page
# exists with NAME, SYNOPSIS and DESCRIPTION, its .TH names the program, and
# every long option --help lists is documented in it.
. "$WSD_ROOT/testdata/cli-lib.sh"
B=$(cd "$WSD_BIN" && pwd)
M="$WSD_ROOT/man/man1"
n=0
for prog in caption cg-pretrain densevid-report densevid-score feat-extract feat-synth localize \
    vocab-build wsdec-train; do
    page="$M/$prog.1"
    [ -f "$page" ] || fail "$prog: no man page $page"
    grep -qi "^\.TH \"*$prog\"* 1 " "$page" || fail "$page: .TH does not name $prog (section 1)"
    for sec in NAME SYNOPSIS DESCRIPTION; do
        grep -q "^\.SH \"*$sec" "$page" || fail "$page: no $sec section"
    done
    "$B/$prog" --help >"$TMP/help" 2>&1 || fail "$prog --help failed"
    # the page as text: \- is -, font switches dropped
    sed 's/\\-/-/g; s/\\f[BIRP]//g' "$page" >"$TMP/page"
    for opt in $(grep -o -- '--[a-z][a-z0-9-]*' "$TMP/help" | sort -u); do
        grep -q -- "$opt" "$TMP/page" || fail "$prog: $opt is in --help but not in $page"
    done
    n=$((n + 1))
done
[ "$n" = 9 ] || fail "checked $n programs"
exit 0
