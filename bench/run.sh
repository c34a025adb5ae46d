#!/usr/bin/env bash
# make bench: runs the sweep benchmark and the fit benchmark and writes
# their tables, with a description of this machine, to
# bench/results/<machine>.md.
#   bench/run.sh SWEEP_BENCH FIT_BENCH [--quick]
set -euo pipefail
bench=$1
fit_bench=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)

model=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || true)
model=${model:-$(uname -m)}
cores=$(nproc)
slug=$(printf '%s-%s-cores' "$model" "$cores" | tr 'A-Z' 'a-z' | tr -cs 'a-z0-9' '-' | sed 's/-$//')
out="$here/results/$slug.md"
mkdir -p "$here/results"

table=$("$bench" "$@")
fit_table=$("$fit_bench" --repeat 3)
{
    echo "# Sweep benchmark: $model, $cores cores"
    echo
    echo "- date: $(date -u +%Y-%m-%d)"
    echo "- machine: $model, $cores cores ($(uname -m)), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) memory"
    echo "- compiler: $(${CC:-cc} --version | head -n1)"
    echo "- command: make bench (runs build/bench/sweep_bench${*:+ $*})"
    echo "- every fast configuration's frontier was checked identical to the"
    echo "  reference's (512 x 512 grid) before it was timed; times are the"
    echo "  median of 5 runs of sg_sweep_run (planning, kernels, merge)"
    echo
    echo "$table"
    echo
    echo "## Fit: variable projection over (alpha, beta), 240 Chinchilla runs"
    echo
    echo "build/bench/fit_bench --repeat 3 (the grid stage at resolution 1.5e-4 over"
    echo "[0, 1.5]^2 = 1e8 cells; vpnls reports about 16 s for 1e8 cells on 10 processes):"
    echo
    echo '```'
    echo "$fit_table"
    echo '```'
} >"$out.tmp"
mv "$out.tmp" "$out"
cat "$out"
echo
echo "written to ${out#$here/../}"
