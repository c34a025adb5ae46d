#!/usr/bin/env bash
# Kaplan batch size and steps from the command line: optimal --allocation
# (Table 6) and eval --batch (eqs. 1.4, 5.4, 5.5, 1.6), their JSON keys and
# values, their human tables and their help. Expected values: Table 6's
# printed coefficients, or the formulas of ../shared/reference/laws.md
# evaluated independently to 30 digits (mpmath).
. "$(dirname "$0")/lib_cli.sh"

# --- optimal --allocation: Table 6 at Cmin = 1 PF-day ----------------------
"$SCALEGRID" optimal --law kaplan --flops 8.64e19 --allocation --json \
    >"$T/alloc1.json"
check "allocation --json is one document" "$JSONQ" <"$T/alloc1.json"
check "allocation --json has its keys in order" bash -c \
    "'$JSONQ' -k . <'$T/alloc1.json' | tr '\n' ' ' | grep -q '^law source min_flops min_pf_days params batch_tokens min_steps tokens loss critical_batch_tokens steps flops pf_days flops_over_min_flops implied_min_steps implied_min_flops loss_params_steps law_loss \$'"
check "allocation names the law" test "$("$JSONQ" .law <"$T/alloc1.json")" = kaplan
check "allocation: Cmin 1 PF-day" json_is "$T/alloc1.json" .min_pf_days 1 1e-15
check "allocation: N = 1.3e9" json_is "$T/alloc1.json" .params 1.3e9 1e-14
check "allocation: B = 2.0e6" json_is "$T/alloc1.json" .batch_tokens 2.0e6 1e-14
check "allocation: Smin = 5.4e3" json_is "$T/alloc1.json" .min_steps 5.4e3 1e-14
check "allocation: D = 2e10" json_is "$T/alloc1.json" .tokens 2e10 1e-14
check "allocation: S = D/B = 1e4" json_is "$T/alloc1.json" .steps 1e4 1e-14
check "allocation: C = 6ND = 1.56e20" json_is "$T/alloc1.json" .flops 1.56e20 1e-14
check "allocation: 6ND / Cmin = 1.806" \
    json_is "$T/alloc1.json" .flops_over_min_flops 1.80555555555556 1e-14
check "allocation: L(Cmin) by (1.3)" \
    json_is "$T/alloc1.json" .loss 2.65808022624552 1e-14
check "allocation: Bcrit at L(Cmin) by (1.4)" \
    json_is "$T/alloc1.json" .critical_batch_tokens 1997406.73757301 1e-14
check "allocation: Smin by (5.4)" \
    json_is "$T/alloc1.json" .implied_min_steps 5003.24368096273 1e-14
check "allocation: Cmin by (5.5)" \
    json_is "$T/alloc1.json" .implied_min_flops 7.79493985769813e19 1e-14
check "allocation: L(N, Smin) by (1.6)" \
    json_is "$T/alloc1.json" .loss_params_steps 2.78832057064046 1e-14

# --- at 1e21 FLOPs, with the human table ----------------------------------
"$SCALEGRID" optimal --law kaplan --flops 1e21 --allocation --json >"$T/alloc21.json"
check "allocation at 1e21: N" json_is "$T/alloc21.json" .params 7767626242.30470 1e-14
check "allocation at 1e21: B" json_is "$T/alloc21.json" .batch_tokens 3599703.22772623 1e-14
check "allocation at 1e21: Smin" json_is "$T/alloc21.json" .min_steps 5811.63522683159 1e-14
check "allocation at 1e21: D" json_is "$T/alloc21.json" .tokens 38741040897.0244 1e-14
check "allocation numbers read back exactly" \
    test "$("$JSONQ" .min_flops <"$T/alloc21.json")" = 1e+21
"$SCALEGRID" optimal --law kaplan --flops 1e21 --allocation >"$T/alloc21.txt"
check "allocation table: N row" grep -q '^  N     7\.8B .*non-embedding params  1\.3e9 Cmin^0\.73$' "$T/alloc21.txt"
check "allocation table: B row" grep -q '^  B     3\.6M .*tokens per step .*2\.0e6 Cmin^0\.24$' "$T/alloc21.txt"
check "allocation table: Smin row" grep -q '^  Smin  5\.8K .*steps .*5\.4e3 Cmin^0\.03$' "$T/alloc21.txt"
check "allocation table: D row" grep -q '^  D     38\.7B .*tokens .*2e10 Cmin^0\.27$' "$T/alloc21.txt"
check "allocation table: Cmin in PF-days" grep -q 'Cmin = 1e21 FLOPs = 11\.6 PF-days' "$T/alloc21.txt"
check "allocation table: 6ND is 1.806 Cmin" grep -q '= 1\.806 x Cmin' "$T/alloc21.txt"
# Table 6 is its own fit: another Kaplan-form law gives the same allocation.
"$SCALEGRID" optimal --law kaplan-joint --flops 1e21 --allocation --json >"$T/joint.json"
check "allocation does not depend on the law's constants" test \
    "$("$JSONQ" .tokens <"$T/joint.json")" = "$("$JSONQ" .tokens <"$T/alloc21.json")"
# Without --allocation, optimal is unchanged.
"$SCALEGRID" optimal --law kaplan --flops 1e21 --json >"$T/plain.json"
check "optimal without --allocation keeps its keys" bash -c \
    "'$JSONQ' -k . <'$T/plain.json' | tr '\n' ' ' | grep -q '^law flops pf_days params tokens loss tokens_per_param method flop_count \$'"

# --- eval --batch ------------------------------------------------------------
"$SCALEGRID" eval --law kaplan --params 1e9 --tokens 1e10 --batch 1M --json >"$T/eval.json"
check "eval --batch --json is one document" "$JSONQ" <"$T/eval.json"
check "eval --batch adds its keys after eval's" bash -c \
    "'$JSONQ' -k . <'$T/eval.json' | tr '\n' ' ' | grep -q '^law params tokens loss flops pf_days tokens_per_param overfit_threshold_tokens flop_count flop_count_description flops_per_token batch_tokens steps critical_batch_tokens min_steps min_flops min_pf_days loss_params_steps \$'"
check "eval --batch: loss by (1.5)" json_is "$T/eval.json" .loss 2.48384368446461 1e-14
check "eval --batch: B" json_is "$T/eval.json" .batch_tokens 1e6 1e-15
check "eval --batch: S = D/B" json_is "$T/eval.json" .steps 1e4 1e-15
check "eval --batch: Bcrit by (1.4)" \
    json_is "$T/eval.json" .critical_batch_tokens 2758514.01631128 1e-14
check "eval --batch: Smin by (5.4)" json_is "$T/eval.json" .min_steps 2660.62596989176 1e-14
check "eval --batch: Cmin by (5.5)" json_is "$T/eval.json" .min_flops 4.40362441806494e19 1e-14
check "eval --batch: Cmin in PF-days" json_is "$T/eval.json" .min_pf_days 0.509678752090850 1e-14
check "eval --batch: L(N, Smin) by (1.6)" \
    json_is "$T/eval.json" .loss_params_steps 3.18284769759539 1e-14
# At B = Bcrit, S = 2 Smin and C = 2 Cmin.
"$SCALEGRID" eval --law kaplan --params 1e9 --tokens 1e10 \
    --batch 2758514.01631128407 --json >"$T/at_crit.json"
check "eval at B = Bcrit: Smin = S/2" json_is "$T/at_crit.json" .min_steps \
    "$(awk -v s="$("$JSONQ" .steps <"$T/at_crit.json")" 'BEGIN { printf "%.17g", s / 2 }')" 1e-14
check "eval at B = Bcrit: Cmin = C/2" json_is "$T/at_crit.json" .min_flops 3e19 1e-14
"$SCALEGRID" eval --law kaplan --params 1.5B --tokens 30B --batch 2M >"$T/eval.txt"
check "eval --batch table: batch line" grep -q '^batch     2\.0M tokens per step; critical batch Bcrit(L) = 3\.5M tokens (1\.4)$' "$T/eval.txt"
check "eval --batch table: steps line" grep -q '^steps     S = D/B = 1\.5e4; Smin = S/(1 + Bcrit/B) = 5\.42e3 (5\.4)$' "$T/eval.txt"
check "eval --batch table: Cmin line" grep -q '^min flops Cmin = C/(1 + B/Bcrit) = 1\.72e20 FLOPs = 2 PF-days (5\.5)$' "$T/eval.txt"
check "eval --batch table keeps eval's lines" grep -q '^loss      2\.35747 nats/token$' "$T/eval.txt"
"$SCALEGRID" eval --law kaplan --params 1e9 --tokens 1e10 --json >"$T/nobatch.json"
check "eval without --batch has no batch keys" bash -c "! '$JSONQ' .steps <'$T/nobatch.json' >/dev/null 2>&1"

# --- help --------------------------------------------------------------------
check "optimal --help documents --allocation" bash -c \
    "'$SCALEGRID' optimal --help | grep -q -- '--allocation   Kaplan'"
check "optimal --help has an --allocation example" bash -c \
    "'$SCALEGRID' optimal --help | grep -q 'scalegrid optimal --law kaplan --flops 1e21 --allocation'"
check "eval --help documents --batch" bash -c \
    "'$SCALEGRID' eval --help | grep -q -- '--batch B      batch size in tokens per step'"
check "eval --help has a --batch example" bash -c \
    "'$SCALEGRID' eval --help | grep -q 'scalegrid eval --law kaplan --params 1.5B --tokens 30B --batch 2M'"

finish kaplan
