#!/usr/bin/env bash
# Beyond L(N, D) closed forms from the command line: the data-constrained
# law (muennighoff, --unique-tokens), inference-aware cost
# (--inference-tokens), DeepSeek's FLOP count (--layers/--d-model/--seq-len,
# --flops-per-token deepseek) and cost units (--gpu-flops/--mfu/--price) in
# eval, optimal, sweep and configs. Expected values: the datablations README
# (17 digits) and the formulas of ../shared/reference/laws.md.
. "$(dirname "$0")/lib_cli.sh"

# has_keys FILE PATH KEY...: the object at PATH has every KEY.
has_keys() {
    local file=$1 path=$2
    shift 2
    local keys
    keys=" $("$JSONQ" -k "$path" <"$file" | tr '\n' ' ') "
    for k in "$@"; do
        case "$keys" in *" $k "*) ;; *) echo "  no key $k at $path"; return 1 ;; esac
    done
}

# csv_header_is FILE HEADER
csv_header_is() {
    [ "$(head -n 1 "$1")" = "$2" ] || { echo "  header: $(head -n 1 "$1")"; return 1; }
}

# csv_check FILE AWK-CONDITION: the condition (columns by name through
# c["name"]) holds on every non-empty row.
csv_check() {
    awk -F, -v cond="$2" '
        NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
        $2 == "" { next }
        { rows++ }
        END { if (!rows) exit 1 }
    ' "$1" || return 1
    awk -F, "
        NR == 1 { for (i = 1; i <= NF; i++) c[\$i] = i; next }
        \$2 == \"\" { next }
        !($2) { bad++; print \"  row \" NR \": \" \$0 }
        END { exit bad > 0 }
    " "$1"
}

# --- data-constrained: eval ------------------------------------------------
"$SCALEGRID" eval --law muennighoff --params 6.34B --tokens 242B --unique-tokens 25B \
    --json >"$T/mu.json"
check "eval muennighoff: README loss 2.2256440889984477" \
    json_is "$T/mu.json" .loss 2.2256440889984477 1e-15
check "eval muennighoff: its keys" has_keys "$T/mu.json" . \
    unique_tokens epochs effective_params effective_tokens loss flops
check "eval muennighoff: epochs = D/U" json_is "$T/mu.json" .epochs 9.68 1e-14
"$SCALEGRID" eval --law muennighoff --params 8.67B --tokens 178B --unique-tokens 25B \
    --json >"$T/mu2.json"
check "eval muennighoff: README loss 2.2269634075087867" \
    json_is "$T/mu2.json" .loss 2.2269634075087867 1e-15
check "eval muennighoff: human output names epochs" bash -c \
    "'$SCALEGRID' eval --law muennighoff --params 6.34B --tokens 242B --unique-tokens 25B | grep -q '9.68 epochs'"

# --- data-constrained: optimal (the README's allocation) --------------------
"$SCALEGRID" optimal --law muennighoff --unique-tokens 25B --flops 9.25956e21 --json \
    >"$T/muopt.json"
check "optimal muennighoff: 227B tokens" json_is "$T/muopt.json" .tokens 227e9 0.005
check "optimal muennighoff: 9.1 epochs" json_is "$T/muopt.json" .epochs 9.1 0.005
check "optimal muennighoff: 6.8B params" json_is "$T/muopt.json" .params 6.8e9 0.005
check "optimal muennighoff: numeric" test "$("$JSONQ" .method <"$T/muopt.json")" = numeric

# --- data-constrained: sweep -----------------------------------------------
"$SCALEGRID" sweep --law muennighoff --unique-tokens 25B --params 1e8:1e11:301 \
    --tokens 1e9:1e12:301 --loss-levels 40 --flops-levels 20 --out "$T/ms" --quiet
check "muennighoff sweep runs direct" \
    test "$("$JSONQ" .strategy <"$T/ms/sweep.json")" = direct
check "muennighoff sweep: epochs column" csv_header_is "$T/ms/frontier.csv" \
    "loss_level,params,tokens,flops,pf_days,loss,tokens_per_param,overfit,closed_form_flops,rel_gap,epochs,flop_count"
check "muennighoff sweep: epochs = D/U" \
    csv_check "$T/ms/isoflop.csv" '($(c["tokens"]) / 25e9 - $(c["epochs"]))^2 < 1e-20 * $(c["epochs"])^2'
check "muennighoff sweep: search gap never negative" \
    csv_check "$T/ms/frontier.csv" '$(c["rel_gap"]) == "" || $(c["rel_gap"]) >= -1e-9'
check "muennighoff sweep.json: rows carry epochs" has_keys "$T/ms/sweep.json" \
    '.iso_flops[10]' epochs
check "muennighoff sweep.json: U in the config" \
    json_is "$T/ms/sweep.json" .config.unique_tokens 25e9 0

# --- inference-aware -------------------------------------------------------
"$SCALEGRID" optimal --law chinchilla --loss 2.1 --inference-tokens 2T --json >"$T/inf.json"
check "optimal inference: its keys" has_keys "$T/inf.json" . \
    training_flops inference_flops total_flops baseline saving_flops
check "optimal inference: baseline keys" has_keys "$T/inf.json" .baseline \
    params tokens training_flops inference_flops total_flops
check "optimal inference: reaches the loss" json_is "$T/inf.json" .loss 2.1 1e-12
n=$("$JSONQ" .params <"$T/inf.json")
check "optimal inference: inference FLOPs = 2 N T" \
    json_is "$T/inf.json" .inference_flops "$(awk -v n="$n" 'BEGIN { printf "%.17g", 2 * n * 2e12 }')" 1e-14
check "optimal inference: saving = baseline total - total" json_is "$T/inf.json" .saving_flops \
    "$(awk -v b="$("$JSONQ" .baseline.total_flops <"$T/inf.json")" -v t="$("$JSONQ" .total_flops <"$T/inf.json")" 'BEGIN { printf "%.17g", b - t }')" 1e-12
check "optimal inference: a saving" awk -v s="$("$JSONQ" .saving_flops <"$T/inf.json")" 'BEGIN { exit !(s > 0) }'
check "optimal inference: a smaller model than the baseline" awk \
    -v a="$n" -v b="$("$JSONQ" .baseline.params <"$T/inf.json")" 'BEGIN { exit !(a < b) }'
"$SCALEGRID" optimal --law chinchilla --loss 2.1 --json >"$T/noinf.json"
check "optimal inference: baseline is the closed form" json_is "$T/inf.json" .baseline.params \
    "$("$JSONQ" .params <"$T/noinf.json")" 1e-12
check "optimal inference: human output shows the saving" bash -c \
    "'$SCALEGRID' optimal --law chinchilla --loss 2.1 --inference-tokens 2T | grep -q '^saving'"

"$SCALEGRID" sweep --params 1e8:1e11:301 --tokens 1e9:1e13:301 --loss-levels 40 \
    --flops-levels 20 --inference-tokens 1T --out "$T/is" --quiet
check "inference sweep: FLOPs columns" csv_header_is "$T/is/frontier.csv" \
    "loss_level,params,tokens,flops,pf_days,loss,tokens_per_param,overfit,closed_form_flops,rel_gap,training_flops,inference_flops,total_flops,flop_count"
check "inference sweep: total = training + inference" csv_check "$T/is/frontier.csv" \
    '($(c["total_flops"]) - $(c["training_flops"]) - $(c["inference_flops"]))^2 < 1e-24 * $(c["total_flops"])^2'
check "inference sweep: inference = 2 N T" csv_check "$T/is/isoflop.csv" \
    '($(c["inference_flops"]) - 2 * $(c["params"]) * 1e12)^2 < 1e-24 * $(c["inference_flops"])^2'
check "inference sweep: no point beats the search's optimum" csv_check \
    "$T/is/frontier.csv" '$(c["rel_gap"]) == "" || $(c["rel_gap"]) >= -1e-9'
check "inference sweep.json names the count" bash -c \
    "'$JSONQ' .flop_count <'$T/is/sweep.json' | grep -q 'inference tokens'"

# --- DeepSeek FLOP count ---------------------------------------------------
"$SCALEGRID" eval --law chinchilla --layers 32 --d-model 4096 --seq-len 4096 --tokens 2T \
    --json >"$T/ds.json"
check "eval deepseek: M = 72 n d^2 + 12 n d l" json_is "$T/ds.json" .flops_per_token \
    45097156608 0
check "eval deepseek: N = 12 n d^2" json_is "$T/ds.json" .params 6442450944 0
check "eval deepseek: C = M D" json_is "$T/ds.json" .flops 9.0194313216e22 1e-15
check "eval deepseek: named" test "$("$JSONQ" .flop_count <"$T/ds.json")" = deepseek
"$SCALEGRID" eval --law chinchilla --params 6442450944 --tokens 2T --flops-per-token deepseek \
    --seq-len 4096 --aspect-ratio 128 --json >"$T/ds2.json"
check "eval deepseek: the aspect ratio gives the same M" json_is "$T/ds2.json" .flops_per_token \
    45097156608 1e-14
"$SCALEGRID" optimal --law chinchilla --flops 1e22 --flops-per-token deepseek --seq-len 4096 \
    --aspect-ratio 128 --json >"$T/dsopt.json"
check "optimal deepseek: spends the budget" json_is "$T/dsopt.json" .flops 1e22 1e-12
"$SCALEGRID" sweep --params 1e8:1e11:201 --tokens 1e9:1e13:201 --loss-levels 20 \
    --flops-levels 10 --flops-per-token deepseek --seq-len 4096 --aspect-ratio 128 \
    --out "$T/dss" --quiet
check "deepseek sweep: every row names the count" \
    bash -c "tail -n +2 '$T/dss/isoflop.csv' | awk -F, '\$NF != \"deepseek\" { exit 1 }'"
check "deepseek sweep.json: the config's flop_count" \
    test "$("$JSONQ" .config.flop_count.per_token <"$T/dss/sweep.json")" = deepseek

# --- cost units ------------------------------------------------------------
"$SCALEGRID" eval --law chinchilla --params 70B --tokens 1.4T --gpu-flops 989T --mfu 0.4 \
    --price 2.5 --json >"$T/cost.json"
# 5.88e23 FLOPs / (989e12 x 0.4 FLOP/s) / 3600 s
check "eval: GPU-hours" json_is "$T/cost.json" .gpu_hours 412874.95786990225 1e-12
check "eval: cost" json_is "$T/cost.json" .cost 1032187.3946747556 1e-12
"$SCALEGRID" sweep --params 1e8:1e11:201 --tokens 1e9:1e13:201 --loss-levels 20 \
    --flops-levels 10 --gpu-flops 989T --mfu 0.4 --price 2.5 --out "$T/cs" >"$T/cs.out"
check "sweep: gpu_hours and cost columns" csv_header_is "$T/cs/isoflop.csv" \
    "flops_level,params,tokens,flops,pf_days,loss,tokens_per_param,overfit,closed_form_params,closed_form_tokens,closed_form_loss,loss_gap,gpu_hours,cost,flop_count"
check "sweep: hours = FLOPs / (F mfu 3600)" csv_check "$T/cs/isoflop.csv" \
    '($(c["gpu_hours"]) - $(c["flops"]) / (989e12 * 0.4 * 3600))^2 < 1e-24 * $(c["gpu_hours"])^2'
check "sweep: cost = hours x price" csv_check "$T/cs/isoflop.csv" \
    '($(c["cost"]) - 2.5 * $(c["gpu_hours"]))^2 < 1e-24 * $(c["cost"])^2'
check "sweep summary: GPU-hours column" grep -q "GPU-hours" "$T/cs.out"

# --- one config with all of it ----------------------------------------------
cat >"$T/all.json" <<'EOF'
{
  "law": "muennighoff",
  "unique_tokens": "25B",
  "params": "1e8:1e11:101",
  "tokens": "1e9:1e12:101",
  "loss_levels": 10,
  "flops_levels": 10,
  "flop_count": {"per_token": "deepseek", "seq_len": 2048, "aspect_ratio": 100,
                 "inference_tokens": "500B"},
  "cost_model": {"gpu_flops": "989T", "mfu": 0.5, "price": 3}
}
EOF
"$SCALEGRID" sweep "$T/all.json" --out "$T/all" --quiet
check "config: every extra column" csv_header_is "$T/all/frontier.csv" \
    "loss_level,params,tokens,flops,pf_days,loss,tokens_per_param,overfit,closed_form_flops,rel_gap,epochs,training_flops,inference_flops,total_flops,gpu_hours,cost,flop_count"
check "config: the sweep.json config loads back" bash -c \
    "'$JSONQ' .config <'$T/all/sweep.json' >'$T/back.json' && '$SCALEGRID' sweep '$T/back.json' --out '$T/back' --quiet && cmp -s '$T/all/frontier.csv' '$T/back/frontier.csv'"
check "config: options override the file's U" bash -c \
    "'$SCALEGRID' sweep '$T/all.json' --unique-tokens 50B --out '$T/all2' --quiet && '$JSONQ' .config.unique_tokens <'$T/all2/sweep.json' | grep -qx 50000000000"
check "config: --law keeps the file's U" bash -c \
    "'$SCALEGRID' sweep '$T/all.json' --law muennighoff --out '$T/all3' --quiet"

# eval and optimal read the same config: its count and cost model give what
# the options would (a silent 6N here was a bug), and an option replaces its
# own field of the file's.
"$SCALEGRID" optimal "$T/all.json" --flops 1e22 --json >"$T/cfg_opt.json"
"$SCALEGRID" optimal --law muennighoff --unique-tokens 25B --flops 1e22 \
    --flops-per-token deepseek --seq-len 2048 --aspect-ratio 100 \
    --inference-tokens 500B --gpu-flops 989T --mfu 0.5 --price 3 --json \
    >"$T/opt_opt.json"
check "config: optimal uses its flop_count and cost_model" \
    cmp -s "$T/cfg_opt.json" "$T/opt_opt.json"
check "config: optimal counts deepseek" \
    test "$("$JSONQ" .flop_count <"$T/cfg_opt.json")" = deepseek
check "config: optimal prices the run" has_keys "$T/cfg_opt.json" . \
    gpu_hours cost inference_flops total_flops
"$SCALEGRID" eval "$T/all.json" --params 7B --tokens 1T --json >"$T/cfg_eval.json"
"$SCALEGRID" eval --law muennighoff --unique-tokens 25B --params 7B --tokens 1T \
    --flops-per-token deepseek --seq-len 2048 --aspect-ratio 100 \
    --inference-tokens 500B --gpu-flops 989T --mfu 0.5 --price 3 --json \
    >"$T/opt_eval.json"
check "config: eval uses its flop_count and cost_model" \
    cmp -s "$T/cfg_eval.json" "$T/opt_eval.json"
"$SCALEGRID" eval "$T/all.json" --params 7B --tokens 1T --price 6 --json \
    >"$T/cfg_eval6.json"
check "config: --price replaces the file's price alone" json_is \
    "$T/cfg_eval6.json" .cost "$(awk -v c="$("$JSONQ" .cost <"$T/cfg_eval.json")" \
    'BEGIN { printf "%.17g", 2 * c }')" 1e-14
"$SCALEGRID" eval "$T/all.json" --params 7B --tokens 1T --layers 32 \
    --d-model 4096 --json >"$T/cfg_shape.json"
check "config: an explicit shape takes the file's seq_len" \
    test "$("$JSONQ" .flop_count <"$T/cfg_shape.json")" = deepseek

# --- help ------------------------------------------------------------------
for cmd in eval optimal sweep; do
    for opt in --unique-tokens --inference-tokens --flops-per-token --seq-len \
        --aspect-ratio --gpu-flops --mfu --price; do
        check "$cmd --help documents $opt" bash -c "'$SCALEGRID' $cmd --help | grep -q -- '$opt'"
    done
done
check "eval --help documents --layers" bash -c "'$SCALEGRID' eval --help | grep -q -- '--layers L'"
check "laws lists muennighoff" bash -c "'$SCALEGRID' laws | grep -q '^muennighoff'"

finish beyond
