#!/usr/bin/env bash
# Runs every test program given as an argument, then the command-line tests,
# and ends with one line: "N passed, N failed" (suites). Exit 1 on failure.
# SG_TEST_WRAPPER (e.g. "valgrind --leak-check=full ...") prefixes every
# program run, the scalegrid binary included. SG_TEST_JOBS=N runs up to N
# suites at once (default 1: the timing-sensitive suites, such as the
# signal tests, assume they have the machine); each suite's output is
# printed whole, in order, with its time.
set -u
here=$(cd "$(dirname "$0")" && pwd)
jobs=${SG_TEST_JOBS:-1}
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

names=()
commands=()
for program in "$@"; do
    names+=("$(basename "$program")")
    commands+=("${SG_TEST_WRAPPER:-} $program")
done
for script in "$here"/cli_*.sh; do
    names+=("$(basename "$script")")
    commands+=("bash $script")
done

# run_suite INDEX: the suite's output, status and seconds into $logs.
run_suite() {
    local i=$1 start=$SECONDS
    # shellcheck disable=SC2086
    ${commands[$i]} >"$logs/$i.out" 2>&1
    echo $? >"$logs/$i.rc"
    echo $((SECONDS - start)) >"$logs/$i.seconds"
}

report() {
    local i=$1
    echo "== ${names[$i]}"
    cat "$logs/$i.out"
    echo "   (${names[$i]}: $(cat "$logs/$i.seconds") s)"
}

next_report=0
for i in "${!names[@]}"; do
    if [ "$jobs" -le 1 ]; then # one at a time: its output as it comes
        echo "== ${names[$i]}"
        start=$SECONDS
        # shellcheck disable=SC2086
        ${commands[$i]}
        echo $? >"$logs/$i.rc"
        echo "   (${names[$i]}: $((SECONDS - start)) s)"
        next_report=$((i + 1))
        continue
    else
        while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
            wait -n
        done
        run_suite "$i" &
    fi
    # Print finished suites in order as soon as they are done.
    while [ "$next_report" -lt "${#names[@]}" ] && [ -e "$logs/$next_report.seconds" ]; do
        report "$next_report"
        next_report=$((next_report + 1))
    done
done
wait
while [ "$next_report" -lt "${#names[@]}" ]; do
    report "$next_report"
    next_report=$((next_report + 1))
done

passed=0
failed=0
failed_names=()
for i in "${!names[@]}"; do
    if [ "$(cat "$logs/$i.rc")" = 0 ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        failed_names+=("${names[$i]}")
    fi
done
if [ "$failed" -gt 0 ]; then
    echo "failed: ${failed_names[*]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
