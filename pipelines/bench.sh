#!/bin/sh
# `make bench`: runs every pipelines/bench-*.sh in turn; each prints its own figures.
status=0
for b in pipelines/bench-*.sh; do
    [ -f "$b" ] || continue
    echo "== $(basename "$b" .sh)"
    sh "$b" || { echo "$(basename "$b"): FAILED"; status=1; }
done
exit $status
