# Sourced by CLI tests: helpers to run programs and check their behaviour.
set -u
: "${WSD_BIN:=bin}"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "$*"; exit 77; }
# expect_exit CODE PATTERN CMD...: runs CMD, requires exit CODE and PATTERN in stderr.
expect_exit() {
    code=$1 pattern=$2; shift 2
    "$@" >"$TMP/out" 2>"$TMP/err" && got=0 || got=$?
    [ "$got" = "$code" ] || { cat "$TMP/err"; fail "'$*' exited $got, expected $code"; }
    [ -z "$pattern" ] || grep -q -- "$pattern" "$TMP/err" || { cat "$TMP/err"; fail "'$*' stderr lacks '$pattern'"; }
}
