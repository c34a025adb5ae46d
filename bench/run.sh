#!/usr/bin/env bash
# make bench: `scalegrid bench` over the default sizes, the numpy peer on a
# 4096 x 4096 grid with 1024 levels (same run, frontier checked equal), and
# the fit benchmark and the vector operations' costs (simd_costs); writes the
# tables, with a description of this machine, to bench/results/<machine>.md.
#   bench/run.sh SCALEGRID FIT_BENCH SIMD_COSTS [scalegrid bench options...]
set -euo pipefail
scalegrid=$1
fit_bench=$2
simd_costs=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)

model=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || true)
model=${model:-$(uname -m)}
cores=$(nproc)
slug=$(printf '%s-%s-cores' "$model" "$cores" | tr 'A-Z' 'a-z' | tr -cs 'a-z0-9' '-' | sed 's/-$//')
out="$here/results/$slug.md"
mkdir -p "$here/results"

echo "== scalegrid bench $*" >&2
table=$("$scalegrid" bench "$@")

echo "== numpy peer, 4096 x 4096, 1024 levels" >&2
if python3 -c 'import numpy' 2>/dev/null; then
    peer=$(python3 "$here/peer_numpy.py" --scalegrid "$scalegrid" --side 4096 --levels 1024)
    ours=$("$scalegrid" bench --backend openmp --strategy factored,exact --sizes 2^24 \
           --threads all --precision f64 --json)
else
    peer=""
    echo "numpy peer skipped: numpy is not installed (pip install numpy)" >&2
fi

echo "== fit benchmark" >&2
fit_table=$("$fit_bench" --repeat 3)

echo "== vector operations and libmvec" >&2
simd_table=$("$simd_costs")

peer_section() {
    if [ -z "$peer" ]; then
        echo "numpy is not installed here (pip install numpy): no peer measured."
        return
    fi
    python3 - "$peer" "$ours" <<'PY'
import json, sys
peer, ours = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"bench/peer_numpy.py ({peer['peer']}): the same 4096 x 4096 sweep, 1024 loss")
print("levels, 256 compute levels, chunked; its frontier was checked equal to")
print(f"scalegrid's before its time counted: same_frontier = {peer['same_frontier']}.")
print()
print("| implementation | seconds | points/s | vs numpy |")
print("|---|---|---|---|")
print(f"| numpy | {peer['seconds']:.3f} | {peer['points_per_second']:.3g} | 1x |")
for r in ours["results"]:
    if r["backend"] != "openmp":
        continue
    ratio = r["points_per_second"] / peer["points_per_second"]
    print(f"| scalegrid openmp {r['strategy']} {r['precision']}, {r['threads']} threads | "
          f"{r['seconds']:.4f} | {r['points_per_second']:.3g} | {ratio:.0f}x |")
PY
}

{
    echo "# Benchmarks: $model, $cores cores"
    echo
    echo "- date: $(date -u +%Y-%m-%d)"
    echo "- machine: $model, $cores cores ($(uname -m)), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) memory"
    echo "- compiler: $(${CC:-cc} --version | head -n1)"
    echo "- command: make bench (scalegrid bench$([ $# -gt 0 ] && printf ' %s' "$@"); bench/peer_numpy.py; build/bench/fit_bench --repeat 3; build/bench/simd_costs)"
    echo "- every configuration's frontier was checked identical to the reference"
    echo "  backend's of the same precision before it was timed; seconds are the median of the runs"
    echo "  (planning, kernels, merge), after a warm-up; a grid's thread counts ran in alternation"
    echo
    echo "## Sweep"
    echo
    echo "$table"
    echo
    echo "## Peer: numpy"
    echo
    peer_section
    echo
    echo "## Fit: variable projection over (alpha, beta), 240 Chinchilla runs"
    echo
    echo "The grid stage at resolution 1.5e-4 over [0, 1.5]^2 = 1e8 cells (vpnls"
    echo "reports about 16 s for 1e8 cells on 10 processes):"
    echo
    echo '```'
    echo "$fit_table"
    echo '```'
    echo
    echo "## What direct's powers are made of: vector operations on one core"
    echo
    echo "build/bench/simd_costs: throughput of independent 256-bit operations (a"
    echo "lookup beside 8 multiply-adds shows whether it takes their pipes), and"
    echo "glibc's own 8-lane powf, expf and logf (libmvec) on 1024 tokens in L1."
    echo
    echo "$simd_table"
} >"$out.tmp"
mv "$out.tmp" "$out"
cat "$out"
echo
echo "written to ${out#$here/../}"
