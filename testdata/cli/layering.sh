#!/bin/sh
# Each folder of common/ may include only from the folders below it:
#   base <- io, nn, score/meteor <- score <- video, wsd, report ; testing/ (test helpers) may use any.
# A header written as "folder/name.h" makes the dependency visible; this test
# fails when a folder includes from one above it or sideways (the engine or
# the formats including a model header, the scorer including the engine).
cd "$WSD_ROOT" || exit 1
allowed() {
    case $1 in
    base) echo "base" ;;
    io) echo "base io" ;;
    nn) echo "base nn" ;;
    score/meteor) echo "base score/meteor" ;;
    score) echo "base score score/meteor" ;;
    video) echo "base io nn video" ;;
    wsd) echo "base io nn score score/meteor wsd" ;;
    report) echo "base io score score/meteor report" ;;
    testing) echo "*" ;;
    *) echo "" ;;
    esac
}
bad=0
for f in $(find common -name '*.[ch]' | sort); do
    dir=$(dirname "${f#common/}")
    ok=$(allowed "$dir")
    [ -n "$ok" ] || { echo "$f: folder common/$dir has no place in the layering (add it to $0)"; bad=1; continue; }
    [ "$ok" = "*" ] && continue
    case $f in *_test.c) ok="$ok testing" ;; esac
    for inc in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f"); do
        idir=$(dirname "$inc")
        [ "$idir" = . ] && { echo "$f: includes \"$inc\" without its folder"; bad=1; continue; }
        case " $ok " in *" $idir "*) ;; *)
            echo "$f: includes \"$inc\": common/$dir may include only from: $ok"; bad=1 ;;
        esac
    done
done
[ $bad = 0 ] && echo "layering: every include points down"
exit $bad
