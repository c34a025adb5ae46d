#!/usr/bin/env bash
# make bench-gpu: the CUDA backend's points per second next to OpenMP's in
# the same run (scalegrid bench: every configuration's frontier is first
# checked identical to the reference), then the kernel lab's versions and
# block sizes on the 65536 x 65536 target grid. Writes everything, with the
# device, driver, nvcc version and exact commands, to
# bench/results/<device>.md.
#   bench/cuda/run.sh SCALEGRID SWEEP_LAB
set -euo pipefail
scalegrid=$1
lab=$2
here=$(cd "$(dirname "$0")/.." && pwd)

device=$(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | head -n 1 || true)
if [ -z "$device" ]; then
    echo "bench-gpu: nvidia-smi finds no GPU; nothing to measure" >&2
    exit 0
fi
name=${device%%,*}
slug=$(printf '%s' "$name" | tr 'A-Z' 'a-z' | tr -cs 'a-z0-9' '-' | sed 's/-$//')
out="$here/results/$slug.md"
nvcc_version=$(${NVCC:-nvcc} --version 2>/dev/null | tail -n 2 | head -n 1 || echo unknown)
mkdir -p "$here/results"

bench_cmd=("$scalegrid" bench --backend cuda,openmp --strategy factored,direct,exact
           --sizes 2^24,2^28,2^32 --threads all --repeats 5 --max-seconds 600)
echo "== ${bench_cmd[*]}" >&2
table=$("${bench_cmd[@]}")

lab_runs=""
for version in 3 4 5 2 6 1; do
    echo "== $lab $version" >&2
    lab_runs+="\$ $lab $version"$'\n'
    lab_runs+=$("$lab" "$version" 2>&1 || echo "(version $version exited with $?)")$'\n\n'
done

{
    echo "# CUDA backend on $name"
    echo
    echo "Measured by \`make bench-gpu\` on $(date -u +%Y-%m-%d)."
    echo
    echo "- device, driver: $device"
    echo "- nvcc: $nvcc_version"
    echo "- host: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores"
    echo
    echo "## scalegrid bench: cuda next to openmp, frontiers checked identical"
    echo
    echo '```'
    echo "\$ ${bench_cmd[*]}"
    echo "$table"
    echo '```'
    echo
    echo "## Kernel lab (bench/cuda/sweep_lab.cu), 65536 x 65536, 1024 loss levels"
    echo
    echo '```'
    printf '%s' "$lab_runs"
    echo '```'
} >"$out"
echo "bench-gpu: wrote $out" >&2
