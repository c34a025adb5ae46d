#!/usr/bin/env bash
# Runs every test program given as an argument, then the command-line tests,
# and ends with one line: "N passed, N failed" (suites). Exit 1 on failure.
# SG_TEST_WRAPPER (e.g. "valgrind --leak-check=full ...") prefixes every
# program run, the scalegrid binary included.
set -u
here=$(cd "$(dirname "$0")" && pwd)
passed=0
failed=0
failed_names=()

run_suite() {
    local name=$1
    shift
    echo "== $name"
    if "$@"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        failed_names+=("$name")
    fi
}

for program in "$@"; do
    # shellcheck disable=SC2086
    run_suite "$(basename "$program")" ${SG_TEST_WRAPPER:-} "$program"
done
for script in "$here"/cli_*.sh; do
    run_suite "$(basename "$script")" bash "$script"
done

if [ "$failed" -gt 0 ]; then
    echo "failed: ${failed_names[*]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
