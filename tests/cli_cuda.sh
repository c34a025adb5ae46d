#!/usr/bin/env bash
# The cuda backend from the command line. Without a usable GPU: --backend
# cuda fails with one line and exit 2, and auto falls back to OpenMP and
# says so. With one: the cuda backend writes byte-identical files to the
# openmp backend's (--reproducible) for every strategy, law form and FLOP
# count, and auto picks it for large grids.
. "$(dirname "$0")/lib_cli.sh"

small=(--params 1e7:1e13:700 --tokens 1e8:1e14:900 --loss-levels 300 --flops-levels 120)
"$SCALEGRID" sweep "${small[@]}" --backend cuda --out "$T/probe" --quiet \
    >"$T/probe.out" 2>"$T/probe.err"
rc=$?

if [ "$rc" -ne 0 ]; then
    # --- no GPU ------------------------------------------------------------
    check "--backend cuda without a GPU exits 2" test "$rc" -eq 2
    check "... with one line on stderr" test "$(wc -l <"$T/probe.err")" -eq 1
    check "... that says why" grep -q "backend 'cuda' is unavailable: " "$T/probe.err"
    check "... and writes nothing" test ! -e "$T/probe"
    # 2^26 points: large enough for auto to ask for a GPU (exact: quick).
    "$SCALEGRID" sweep --params 1e7:1e13:8192 --tokens 1e8:1e14:8192 --strategy exact \
        --no-plot --out "$T/auto" >"$T/auto.out"
    check "auto falls back to openmp" grep -q "backend  openmp" "$T/auto.out"
    check "auto says why" grep -q "auto: no CUDA device" "$T/auto.out"
    check "sweep.json records why" bash -c \
        "'$JSONQ' .backend_note <'$T/auto/sweep.json' | grep -q 'no CUDA device'"
    "$SCALEGRID" sweep "${small[@]}" --out "$T/small" >"$T/small.out"
    check "auto keeps small grids on openmp, saying so" \
        grep -q "auto: openmp for a grid under 2^26 points" "$T/small.out"
    echo "cuda: no GPU here ($(cat "$T/probe.err")); $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
fi

# --- a GPU: the same files as openmp -----------------------------------------
# compare NAME ARGS...: cuda and openmp write identical reproducible files.
compare() {
    local name=$1
    shift
    rm -rf "$T/c" "$T/o"
    "$SCALEGRID" sweep "$@" --backend cuda --reproducible --out "$T/c" --quiet &&
        "$SCALEGRID" sweep "$@" --backend openmp --reproducible --out "$T/o" --quiet || return 1
    for f in frontier.csv cumulative.csv isoflop.csv sweep.json; do
        cmp -s "$T/c/$f" "$T/o/$f" || { echo "  $name: $f differs"; return 1; }
    done
}

for strategy in factored direct exact; do
    check "cuda = openmp: chinchilla $strategy" compare "chinchilla $strategy" \
        "${small[@]}" --strategy "$strategy"
done
for law in chinchilla-full epoch2024 kaplan kaplan-joint; do
    check "cuda = openmp: $law" compare "$law" "${small[@]}" --law "$law"
done
check "cuda = openmp: muennighoff (direct)" compare muennighoff "${small[@]}" \
    --law muennighoff --unique-tokens 1e11
check "cuda = openmp: inference tokens" compare inference "${small[@]}" \
    --inference-tokens 1T
check "cuda = openmp: deepseek count" compare deepseek "${small[@]}" \
    --flops-per-token deepseek --seq-len 4096 --aspect-ratio 128
check "cuda = openmp: the default 16384^2 sweep" compare default --no-plot
check "cuda = openmp: 65536^2, exact" compare exact65536 \
    --params 1e7:1e13:65536 --tokens 1e8:1e14:65536 --strategy exact

"$SCALEGRID" sweep --params 1e7:1e13:16384 --tokens 1e8:1e14:16384 --out "$T/auto" \
    --no-plot >"$T/auto.out"
check "auto picks cuda for a large grid" grep -q "backend  cuda" "$T/auto.out"
check "the summary names the device" bash -c \
    "grep -A1 'backend  cuda' '$T/auto.out' | grep -q 'compute capability'"

finish cuda
