#!/usr/bin/env bash
# Interrupting a running sweep stops it promptly, with one line, exit code
# 128 + signal and no output file; --reproducible runs are byte-identical
# across thread counts and backends.
. "$(dirname "$0")/lib_cli.sh"

# A sweep of several seconds (the reference backend on 6.7e7 points),
# signalled half a second in (longer under valgrind, which also slows the
# stop: a block of 2^20 points takes it seconds, not milliseconds).
startup=0.5
limit_ms=2000
if [ -n "${SG_TEST_WRAPPER:-}" ]; then
    startup=5
    limit_ms=30000
fi
interrupt() {
    local signal=$1 code=$2 name=$3
    local out="$T/int-$name"
    "$SCALEGRID" sweep --backend reference \
        --params 1e7:1e13:8192 --tokens 1e8:1e14:8192 --out "$out" \
        >"$T/int.out" 2>"$T/int.err" &
    local pid=$!
    sleep "$startup"
    local t0=$(date +%s%N)
    kill "-$signal" "$pid"
    wait "$pid"
    local rc=$? t1=$(date +%s%N)
    check "$name: exit $code" test "$rc" = "$code"
    check "$name: stops within $limit_ms ms" test $(((t1 - t0) / 1000000)) -lt "$limit_ms"
    check "$name: one line on stderr" test "$(wc -l <"$T/int.err")" = 1
    check "$name: names the signal" grep -q "stopped by $name; no output written" "$T/int.err"
    check "$name: nothing on stdout" test ! -s "$T/int.out"
    check "$name: no output file" test -z "$(ls -A "$out" 2>/dev/null)"
    check "$name: not even the folder it created" test ! -e "$out"
}
interrupt INT 130 SIGINT
interrupt TERM 143 SIGTERM

# A sweep's files are one set: plots an earlier run drew in the same folder
# go when this run draws none (or other formats).
small=(--params 1e7:1e9:60 --tokens 1e8:1e10:60 --quiet)
"$SCALEGRID" sweep "${small[@]}" --plot-format svg,pdf --out "$T/stale"
check "stale: the first run drew svg and pdf" test -s "$T/stale/contours.pdf"
"$SCALEGRID" sweep "${small[@]}" --law kaplan --plot-format svg --out "$T/stale"
check "stale: a svg-only run removes the pdfs" \
    test ! -e "$T/stale/contours.pdf" -a ! -e "$T/stale/frontier.pdf" -a -s "$T/stale/contours.svg"
"$SCALEGRID" sweep "${small[@]}" --out "$T/stale"
check "stale: a run without plots removes them" \
    test ! -e "$T/stale/contours.svg" -a ! -e "$T/stale/frontier.svg" -a -s "$T/stale/frontier.csv"

# An answer that cannot be written to stdout is a failed run (exit 1, one
# line), not a success.
if [ -w /dev/full ]; then
    for cmd in "laws" "laws --json" "eval --law chinchilla --params 70B --tokens 1T" \
        "optimal --law chinchilla --flops 1e21 --json"; do
        # shellcheck disable=SC2086 # the words of $cmd are meant to split
        "$SCALEGRID" $cmd >/dev/full 2>"$T/full.err"
        rc=$?
        check "$cmd > /dev/full: exit 1" test "$rc" = 1
        check "$cmd > /dev/full: one line naming stdout" \
            bash -c "test \"\$(wc -l <'$T/full.err')\" = 1 && grep -q 'cannot write to standard output' '$T/full.err'"
    done
fi

# Byte-identical files from the same inputs, whatever ran them.
grid=(--params 1e7:1e11:300 --tokens 1e8:1e12:400 --loss-levels 200 --flops-levels 60 --reproducible --quiet)
"$SCALEGRID" sweep "${grid[@]}" --backend reference --out "$T/r0"
runs=("--threads 1" "--strategy direct" "--backend openmp")
if "$SCALEGRID" sweep "${grid[@]}" --threads 2 --out "$T/probe" 2>/dev/null; then
    runs+=("--threads 2" "--threads 7")
fi
i=0
for run in "${runs[@]}"; do
    i=$((i + 1))
    # shellcheck disable=SC2086
    "$SCALEGRID" sweep "${grid[@]}" $run --out "$T/r$i"
    for f in frontier.csv cumulative.csv isoflop.csv sweep.json; do
        check "reproducible $f with $run" cmp -s "$T/r0/$f" "$T/r$i/$f"
    done
done
# The same in single precision: the f32 reference and every f32 OpenMP path
# write identical files, which say f32 and differ from the f64 ones.
"$SCALEGRID" sweep "${grid[@]}" --precision f32 --backend reference --out "$T/s0"
i=0
for run in "--strategy direct" "--strategy factored" "--strategy direct --threads 1"; do
    i=$((i + 1))
    # shellcheck disable=SC2086
    "$SCALEGRID" sweep "${grid[@]}" --precision f32 $run --out "$T/s$i"
    for f in frontier.csv cumulative.csv isoflop.csv sweep.json; do
        check "reproducible f32 $f with $run" cmp -s "$T/s0/$f" "$T/s$i/$f"
    done
done
check "f32 sweep.json records its precision" \
    grep -q '"precision":[[:space:]]*"f32"' "$T/s0/sweep.json"
check "f64 sweep.json records its precision" \
    grep -q '"precision":[[:space:]]*"f64"' "$T/r0/sweep.json"
check "f32 selects its own points" bash -c "! cmp -s '$T/s0/frontier.csv' '$T/r0/frontier.csv'"
check "without --reproducible sweep.json records the run" \
    bash -c "'$SCALEGRID' sweep ${grid[*]:0:8} --quiet --out '$T/plain' && grep -q '\"seconds\"' '$T/plain/sweep.json'"
check "with --reproducible it does not" bash -c "! grep -q '\"seconds\"' '$T/r0/sweep.json'"

finish reliability
