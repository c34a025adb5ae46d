#!/usr/bin/env bash
# Every bad input in bad_inputs.tsv gets its exit code, exactly one line on
# stderr containing the expected text, nothing on stdout, and no output file.
. "$(dirname "$0")/lib_cli.sh"

printf '{\n  "law": "chinchilla",\n' >"$T/malformed.json"
printf '{"lwa": "chinchilla"}\n' >"$T/unknown_key.json"
printf '{"law": "kaplan", "law": "chinchilla"}\n' >"$T/duplicate_key.json"
printf '{"law": {"form": "chinchilla", "E": 1.7, "A": 400, "B": 400, "alpha": 0.3}}\n' \
    >"$T/missing_beta.json"
printf '{"law"\0: 1}\n' >"$T/binary.json"
: >"$T/plain_file"
printf '{"max_seconds": 0}\n' >"$T/zero_seconds.json"
printf 'params,tokens,loss\n1e8,2e9,3.1\n2e8,x,3.0\n' >"$T/bad_runs.csv"
printf 'N,D,L\n1e8,2e9,3.1\n' >"$T/wrong_header.csv"
printf 'params,tokens,loss\n1e8,2e9,3.1\n2e8,4e9,3.0\n4e8,8e9,2.9\n' >"$T/three_runs.csv"
printf 'params,tokens,loss\n1e8,2e9,3.1\n1e9,1e10,2.5,7\n' >"$T/wide_row.csv"
printf 'params,flops,loss\n1e8,1.2e18,3.1\n' >"$T/flops_runs.csv"
printf '{"flop_count": {"per_token": "7N"}}\n' >"$T/bad_per_token.json"
printf '{"flop_count": {"per_token": "deepseek", "seq_len": 4096}}\n' >"$T/no_aspect.json"
printf '{"flop_count": {"inference": 1e12}}\n' >"$T/bad_count_key.json"
printf '{"cost_model": {"mfu": 0.5}}\n' >"$T/no_gpu_flops.json"
printf '{"law": "chinchilla", "unique_tokens": 1e10}\n' >"$T/u_chinchilla.json"
printf '{"law": "muennighoff"}\n' >"$T/no_u.json"
printf '{"precision": "half"}\n' >"$T/bad_precision.json"
printf '{"law": "chinchilla", "flop_count": {"inference_tokens": 1e12}}\n' >"$T/cmp_count.json"
printf '{"law": "chinchilla", "cost_model": {"gpu_flops": 1e15, "mfu": 0.5}}\n' >"$T/cmp_cost.json"

while IFS=$'\t' read -r code message args; do
    case "$code" in '#'* | '') continue ;; esac
    rm -rf "$T/out"
    eval "set -- $args"
    (cd "$T" && "$SCALEGRID" "$@") >"$T/stdout" 2>"$T/stderr"
    rc=$?
    lines=$(wc -l <"$T/stderr")
    problem=""
    [ "$rc" = "$code" ] || problem="exit $rc, expected $code"
    [ "$lines" = 1 ] || problem="$problem; $lines lines on stderr"
    grep -qF -- "$message" "$T/stderr" || problem="$problem; message lacks '$message'"
    [ -s "$T/stdout" ] && problem="$problem; wrote to stdout"
    ls "$T"/out/*.csv "$T"/out/*.json >/dev/null 2>&1 && problem="$problem; left output files"
    if [ -n "$problem" ]; then
        failed=$((failed + 1))
        echo "FAIL: scalegrid $args: $problem"
        sed 's/^/  stderr: /' "$T/stderr"
    else
        passed=$((passed + 1))
    fi
done <"$here/bad_inputs.tsv"
echo "bad inputs: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -ge 15 ]
