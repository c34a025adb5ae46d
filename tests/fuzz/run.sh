#!/usr/bin/env bash
# make fuzz: runs each libFuzzer target for a bounded time over a scratch
# copy of its committed corpus. A crash leaves its input under
# BUILD/artifacts/ and fails the run: copy that file into
# tests/fuzz/regressions/<target>/ so `make test` replays it from then on.
#   tests/fuzz/run.sh BUILD SECONDS TARGET...
set -u
build=$1
seconds=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$build/artifacts"
status=0
for target in "$@"; do
    work=$(mktemp -d)
    echo "== fuzz_$target for $seconds s"
    if "$build/fuzz_$target" -max_total_time="$seconds" -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$build/artifacts/$target-" \
        "$work" "$here/corpus/$target" 2>"$build/fuzz_$target.log"; then
        grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$build/fuzz_$target.log" | sed 's/^/  /'
    else
        status=1
        echo "fuzz_$target FOUND A FAILURE; input and log:"
        ls "$build/artifacts/$target-"* 2>/dev/null | sed 's/^/  /'
        grep -E "ERROR|SUMMARY|runtime error" "$build/fuzz_$target.log" | head -5 | sed 's/^/  /'
    fi
    rm -rf "$work"
done
exit $status
