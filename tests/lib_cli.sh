# Shared by the command-line tests (tests/cli_*.sh): sourced, not run.
# Sets SCALEGRID and JSONQ (absolute; from the environment or the build), a
# scratch directory T removed on exit, and the counting helpers. Under
# SG_TEST_WRAPPER (valgrind), every run of scalegrid goes through it.
set -u
here=$(cd "$(dirname "$0")" && pwd)
SCALEGRID=${SCALEGRID:-$here/../scalegrid}
SCALEGRID=$(cd "$(dirname "$SCALEGRID")" && pwd)/$(basename "$SCALEGRID")
JSONQ=${JSONQ:-$here/../build/tests/jsonq}
JSONQ=$(cd "$(dirname "$JSONQ")" && pwd)/$(basename "$JSONQ")
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

if [ -n "${SG_TEST_WRAPPER:-}" ]; then
    printf '#!/bin/sh\nexec %s "%s" "$@"\n' "$SG_TEST_WRAPPER" "$SCALEGRID" >"$T/scalegrid-wrapped"
    chmod +x "$T/scalegrid-wrapped"
    SCALEGRID="$T/scalegrid-wrapped"
fi

passed=0
failed=0
pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }

# check NAME CONDITION-COMMAND...: passes when the command succeeds.
check() {
    local name=$1
    shift
    if "$@"; then pass; else fail "$name"; fi
}

# close A B RTOL: |A - B| <= RTOL |B|
close() {
    awk -v a="$1" -v b="$2" -v r="$3" 'BEGIN {
        d = a - b; if (d < 0) d = -d; m = b < 0 ? -b : b;
        exit !(d <= r * m) }'
}

# json_is FILE PATH EXPECTED RTOL
json_is() {
    local got
    got=$("$JSONQ" "$2" <"$1") || { echo "  no $2 in $1"; return 1; }
    close "$got" "$3" "$4" || { echo "  $2 = $got, expected $3"; return 1; }
}

# finish NAME: the counts, and the exit status of the whole script.
finish() {
    echo "$1: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
}
