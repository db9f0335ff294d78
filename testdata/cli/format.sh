#!/bin/sh
# Every C, header and CUDA file the Makefile builds is as clang-format
# (.clang-format: LLVM style, 4-space indents, 100 columns) writes it.
cd "$WSD_ROOT" || exit 1
command -v clang-format >/dev/null || { echo "skip: clang-format not installed (make deps installs it)"; exit 77; }
out=$(make --no-print-directory -s format-check 2>&1)
rc=$?
echo "$out" | tail -n 5
[ $rc -eq 0 ] || { echo "FAIL: run 'make format'"; exit 1; }
# the check itself must catch a file that is not formatted
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
printf 'int  main( void ){return 0;}\n' >"$tmp/bad.c"
make --no-print-directory -s format-check FORMAT_FILES="$tmp/bad.c" >/dev/null 2>&1 &&
    { echo "FAIL: format-check accepted an unformatted file"; exit 1; }
exit 0
