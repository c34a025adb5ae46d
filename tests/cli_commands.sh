#!/usr/bin/env bash
# The scalegrid commands as a user runs them: help, JSON keys and values
# against the published oracles, config files, the default sweep's files.
. "$(dirname "$0")/lib_cli.sh"

# --- help and version ----------------------------------------------------
check "--help" bash -c "'$SCALEGRID' --help | grep -q 'scalegrid sweep'"
check "--version" bash -c "'$SCALEGRID' --version | grep -q '^scalegrid [0-9]'"
for cmd in laws eval optimal sweep; do
    check "$cmd --help" bash -c "'$SCALEGRID' $cmd --help | grep -q 'usage: scalegrid $cmd'"
done

# --- laws ----------------------------------------------------------------
"$SCALEGRID" laws --json >"$T/laws.json"
check "laws --json is one document" "$JSONQ" <"$T/laws.json"
check "laws --json lists six presets" \
    test "$("$JSONQ" -n .laws <"$T/laws.json")" = 6
check "laws --json carries sources" \
    bash -c "'$JSONQ' .laws[4].source <'$T/laws.json' | grep -q 'Table 2'"
check "laws prints the table" bash -c "'$SCALEGRID' laws | grep -q 'epoch2024'"

# --- eval ----------------------------------------------------------------
"$SCALEGRID" eval --law chinchilla --params 70B --tokens 1.4T --json >"$T/eval.json"
check "eval --json keys" test "$("$JSONQ" -k . <"$T/eval.json" | tr '\n' ' ')" = \
    "law params tokens loss flops pf_days tokens_per_param overfit_threshold_tokens flop_count flop_count_description flops_per_token "
check "eval: Chinchilla 70B x 1.4T loss 1.93665" json_is "$T/eval.json" .loss 1.93665 1e-5
check "eval: flops = 6ND" json_is "$T/eval.json" .flops 5.88e23 1e-12
check "eval: PF-days" json_is "$T/eval.json" .pf_days 6805.555555555556 1e-12
check "eval: tokens per param" json_is "$T/eval.json" .tokens_per_param 20 1e-12
"$SCALEGRID" eval --law kaplan --params 1e9 --tokens 1e10 --json >"$T/k.json"
check "eval: Kaplan (1.5)" json_is "$T/k.json" .loss 2.48384 1e-5
check "eval: overfitting threshold" json_is "$T/k.json" .overfit_threshold_tokens 2.28544e10 1e-5
"$SCALEGRID" eval --law kaplan --params 1e9 --json >"$T/k1.json"
check "eval: Kaplan L(N) (1.1)" json_is "$T/k1.json" .loss 2.37564 1e-5
"$SCALEGRID" eval --law kaplan --tokens 1e10 --json >"$T/k2.json"
check "eval: Kaplan L(D) (1.2)" json_is "$T/k2.json" .loss 2.26244 1e-5
check "eval: human output" bash -c \
    "'$SCALEGRID' eval --law chinchilla --params 70B --tokens 1.4T | grep -q '70.0B'"

# --- optimal -------------------------------------------------------------
"$SCALEGRID" optimal --law chinchilla --flops 1e21 --json >"$T/opt.json"
check "optimal --json keys" test "$("$JSONQ" -k . <"$T/opt.json" | tr '\n' ' ')" = \
    "law flops pf_days params tokens loss tokens_per_param method flop_count "
check "optimal: N_opt at 1e21" json_is "$T/opt.json" .params 1.82422e9 1e-5
check "optimal: D_opt at 1e21" json_is "$T/opt.json" .tokens 9.13634e10 1e-5
check "optimal: D/N at 1e21" json_is "$T/opt.json" .tokens_per_param 50.0836 1e-5
check "optimal: loss at 1e21" json_is "$T/opt.json" .loss 2.32888 1e-5
"$SCALEGRID" optimal --law chinchilla --flops 5.76e23 --json >"$T/opt2.json"
check "optimal: N_opt at 5.76e23" json_is "$T/opt2.json" .params 3.21899e10 1e-5
"$SCALEGRID" optimal --law chinchilla --loss "$("$JSONQ" .loss <"$T/opt.json")" --json >"$T/inv.json"
check "optimal --loss inverts --flops" json_is "$T/inv.json" .flops 1e21 1e-9
for law in chinchilla chinchilla-full epoch2024 kaplan kaplan-joint; do
    "$SCALEGRID" optimal --law "$law" --flops 1e22 --json >"$T/c.json"
    "$SCALEGRID" optimal --law "$law" --flops 1e22 --method numeric --json >"$T/n.json"
    check "optimal: $law numeric = closed form" \
        json_is "$T/n.json" .params "$("$JSONQ" .params <"$T/c.json")" 1e-9
done

# --- laws from config files and overrides ------------------------------------
printf '{"law": {"form": "chinchilla", "name": "fitted", "E": 1.8172,
  "A": 482.01, "B": 2085.43, "alpha": 0.3478, "beta": 0.3658}}\n' >"$T/law.json"
"$SCALEGRID" optimal "$T/law.json" --flops 1e21 --json >"$T/f.json"
"$SCALEGRID" optimal --law epoch2024 --flops 1e21 --json >"$T/e.json"
check "optimal reads a law from a config" \
    json_is "$T/f.json" .params "$("$JSONQ" .params <"$T/e.json")" 0
check "config law keeps its name" test "$("$JSONQ" .law <"$T/f.json")" = fitted
"$SCALEGRID" eval --law chinchilla --set E=2 --params 1e9 --tokens 1e10 --json >"$T/s.json"
"$SCALEGRID" eval --law chinchilla --params 1e9 --tokens 1e10 --json >"$T/u.json"
check "--set changes a constant" \
    json_is "$T/s.json" .loss "$(awk -v l="$("$JSONQ" .loss <"$T/u.json")" 'BEGIN{printf "%.17g", l + 0.31}')" 1e-12

# --- sweep -----------------------------------------------------------------
small=(--params 1e7:1e11:200 --tokens 1e8:1e12:210 --loss-levels 40 --flops-levels 30)
"$SCALEGRID" sweep "${small[@]}" --out "$T/s1" --json >"$T/sweep.json"
check "sweep --json is one document" "$JSONQ" <"$T/sweep.json"
check "sweep --json: 40 iso-loss rows" test "$("$JSONQ" -n .iso_loss <"$T/sweep.json")" = 40
check "sweep --json: 30 iso-FLOP rows" test "$("$JSONQ" -n .iso_flops <"$T/sweep.json")" = 30
check "sweep --json: backend named" test "$("$JSONQ" .backend <"$T/sweep.json")" = openmp
check "sweep --json: points" json_is "$T/sweep.json" .points 42000 0
for f in frontier.csv cumulative.csv isoflop.csv sweep.json; do
    check "sweep writes $f" test -s "$T/s1/$f"
done
check "sweep: frontier.csv rows" test "$(wc -l <"$T/s1/frontier.csv")" = 41
check "sweep.json matches --json" test \
    "$("$JSONQ" .iso_loss[7] <"$T/s1/sweep.json")" = "$("$JSONQ" .iso_loss[7] <"$T/sweep.json")"

"$SCALEGRID" sweep "${small[@]}" --backend reference --out "$T/s2" --quiet >"$T/quiet.out"
check "--quiet prints nothing" test ! -s "$T/quiet.out"
check "reference and openmp write the same frontier" \
    cmp -s "$T/s1/frontier.csv" "$T/s2/frontier.csv"
check "reference and openmp write the same iso-FLOP table" \
    cmp -s "$T/s1/isoflop.csv" "$T/s2/isoflop.csv"

printf '{"law": "kaplan", "params": "1e7:1e11:100", "tokens": "1e8:1e12:100",
  "loss_levels": {"lo": 2.2, "hi": 3.5, "count": 14}, "out": "%s/s3"}\n' "$T" >"$T/cfg.json"
"$SCALEGRID" sweep "$T/cfg.json" --quiet
check "sweep takes its out dir from the config" test -s "$T/s3/frontier.csv"
check "config loss levels apply" test "$(wc -l <"$T/s3/frontier.csv")" = 15
check "config law applies" bash -c "grep -q '\"name\":.*\"kaplan\"' '$T/s3/sweep.json'"
"$SCALEGRID" sweep "$T/cfg.json" --law epoch2024 --out "$T/s4" --quiet
check "--law overrides the config" bash -c "grep -q 'epoch2024' '$T/s4/sweep.json'"

# Every example config loads and runs (on a small grid).
for example in "$here"/../examples/*.json; do
    check "example $(basename "$example")" "$SCALEGRID" sweep "$example" \
        --params 1e7:1e9:50 --tokens 1e8:1e10:60 --out "$T/ex" --quiet
done
check "optimal takes a law-only config" bash -c \
    "'$SCALEGRID' optimal '$here/../examples/law-only.json' --flops 1e21 --json >/dev/null"

# The default sweep, with no arguments at all: the README's main job.
(cd "$T" && "$SCALEGRID" >"$T/default.out")
check "default sweep runs" test -s "$T/scalegrid-out/frontier.csv"
check "default sweep: 1024 loss levels" test "$(wc -l <"$T/scalegrid-out/frontier.csv")" = 1025
check "default sweep: 256 compute levels" test "$(wc -l <"$T/scalegrid-out/isoflop.csv")" = 257
check "default sweep: summary names the backend" grep -q "backend  openmp" "$T/default.out"
check "default sweep: 16384 x 16384" grep -q "16384 points" "$T/default.out"
check "default sweep: human units" grep -q "PF-days" "$T/default.out"
check "default sweep: draws contours.svg" test -s "$T/scalegrid-out/contours.svg"
check "default sweep: draws frontier.svg" test -s "$T/scalegrid-out/frontier.svg"
if command -v xmllint >/dev/null 2>&1; then
    check "contours.svg is XML" xmllint --noout "$T/scalegrid-out/contours.svg"
else
    echo "skipped: xmllint not installed"
fi
check "a sweep with options plots only when asked" test ! -e "$T/s1/contours.svg"
"$SCALEGRID" sweep "${small[@]}" --plot-format png,pdf --out "$T/p1" --quiet
for f in contours.png contours.pdf frontier.png frontier.pdf; do
    check "--plot-format png,pdf writes $f" test -s "$T/p1/$f"
done
check "--plot-format png,pdf writes no SVG" test ! -e "$T/p1/contours.svg"

# compare: one table, one JSON document, one plot.
"$SCALEGRID" compare --flops 1e21,5.76e23 --out "$T/c1" >"$T/compare.out"
for law in chinchilla chinchilla-full epoch2024 kaplan kaplan-joint; do
    check "compare lists $law" grep -q "  $law " "$T/compare.out"
done
check "compare draws compare.svg" test -s "$T/c1/compare.svg"
(cd "$T" && "$SCALEGRID" compare --laws chinchilla,epoch2024 \
    --flops 1e21,1e23,1e25 --json --no-plot >"$T/compare.json")
check "compare --json: laws x budgets rows" test "$("$JSONQ" -n .rows <"$T/compare.json")" = 6
check "compare --json: chinchilla at 1e21" json_is "$T/compare.json" .rows[0].params 1.82422e9 1e-5
check "compare --no-plot draws nothing" test ! -e "$T/scalegrid-out/compare.svg"

# The progress bar: on a terminal (util-linux's script gives one), for a
# sweep of a second or more; never on a pipe (the tests above check stderr).
if command -v script >/dev/null 2>&1 && [ -z "${SG_TEST_WRAPPER:-}" ]; then
    script -qec "'$SCALEGRID' sweep --backend reference --params 1e7:1e13:8192 \
        --tokens 1e8:1e14:8192 --out '$T/bar'" /dev/null >"$T/bar.out" 2>&1
    script -qec "'$SCALEGRID' sweep --backend reference --params 1e7:1e13:8192 \
        --tokens 1e8:1e14:8192 --out '$T/bar' --quiet" /dev/null >"$T/quiet.out" 2>&1
    check "--quiet: no progress bar" test ! -s "$T/quiet.out"
    check "progress bar on a terminal shows points/s" grep -q "points/s" "$T/bar.out"
    check "progress bar shows the time left" grep -q "left" "$T/bar.out"
else
    echo "skipped: progress bar test (no script command, or under valgrind)"
fi
check "default sweep: no temporary files" \
    test "$(find "$T/scalegrid-out" -name '.*' -type f | wc -l)" = 0

# fit: the Chinchilla Figure 4 runs (../shared/data), dropping the five of
# highest loss, land within one standard error of Besiroglu et al.; the
# fitted law is a config that sweep and optimal take.
data="$here/../../shared/data/chinchilla_fig4_svg_extracted.csv"
# Under valgrind a coarser (alpha, beta) grid: the polish that follows the
# grid lands on the same optimum, in a fiftieth of the time.
fit_grid=()
[ -n "${SG_TEST_WRAPPER:-}" ] && fit_grid=(--resolution 0.005)
if [ -f "$data" ]; then
    "$SCALEGRID" fit "$data" --columns "params=Model Size" --flops-column "Training FLOP" \
        --drop-highest-loss 5 --out "$T/fitted" --json "${fit_grid[@]}" >"$T/fit.json"
    check "fit: E within one SE of Epoch" json_is "$T/fit.json" .E 1.8172 0.0166
    check "fit: A within one SE" json_is "$T/fit.json" .A 482.01 0.259
    check "fit: B within one SE" json_is "$T/fit.json" .B 2085.43 0.621
    check "fit: alpha within one SE" json_is "$T/fit.json" .alpha 0.3478 0.0576
    check "fit: beta within one SE" json_is "$T/fit.json" .beta 0.3658 0.0547
    check "fit: 240 runs used" json_is "$T/fit.json" .runs_used 240 0
    check "fit --json keys" bash -c "'$JSONQ' -k . <'$T/fit.json' | tr '\n' ' ' | grep -q '^E A B alpha beta objective runs_used G a b '"
    check "fit writes law.json" test -s "$T/fitted/law.json"
    check "sweep takes the fitted law" "$SCALEGRID" sweep "$T/fitted/law.json" \
        --params 1e7:1e11:100 --tokens 1e8:1e12:100 --out "$T/fs" --quiet
    check "the sweep used the fitted constants" \
        bash -c "grep -q 'fit:chinchilla_fig4' '$T/fs/sweep.json'"
    "$SCALEGRID" optimal "$T/fitted/law.json" --flops 1e21 --json >"$T/fo.json"
    check "optimal takes the fitted law" json_is "$T/fo.json" .tokens_per_param 20 0.5
    "$SCALEGRID" fit "$data" --columns "params=Model Size" --flops-column "Training FLOP" \
        --drop-highest-loss 5 --bootstrap 20 --budgets 1e21 --json "${fit_grid[@]}" \
        >"$T/boot.json"
    check "fit --bootstrap: intervals per parameter" \
        test "$("$JSONQ" -k .intervals <"$T/boot.json" | head -5 | tr '\n' ' ')" = "E A B alpha beta "
    check "fit --bootstrap: the 2.5-97.5 interval holds alpha" bash -c \
        "awk -v lo=\$('$JSONQ' .intervals.alpha.p2_5 <'$T/boot.json') -v hi=\$('$JSONQ' .intervals.alpha.p97_5 <'$T/boot.json') -v a=\$('$JSONQ' .alpha <'$T/boot.json') 'BEGIN{exit !(lo <= a && a <= hi)}'"
else
    echo "skipped: fit tests ($data not found)"
fi
printf 'params,tokens,loss\n1e8,2e9,3.1\n2e8,x,3.0\n3e8,6e9,2.95\n' >"$T/runs_bad.csv"
"$SCALEGRID" fit "$T/runs_bad.csv" --skip-bad-rows >/dev/null 2>"$T/skip.err"
check "--skip-bad-rows names the line" grep -q "skipped 1 bad row (line 3)" "$T/skip.err"

# bench: a tiny run, every row with the keys the JSON promises.
"$SCALEGRID" bench --sizes 2^12,2^14 --repeats 1 --json >"$T/bench.json"
check "bench --json is one document" "$JSONQ" <"$T/bench.json"
check "bench: reference + 3 OpenMP strategies x 2 sizes x threads" \
    bash -c "test \$('$JSONQ' -n .results <'$T/bench.json') -ge 8"
check "bench rows carry the promised keys" bash -c \
    "'$JSONQ' -k .results[1] <'$T/bench.json' | head -10 | tr '\n' ' ' | grep -q '^backend strategy precision threads rows cols levels points seconds points_per_second '"
check "bench times f32 beside f64 by default" \
    grep -q '"precision":[[:space:]]*"f32"' "$T/bench.json"
# (valgrind emulates the FMA loop a hundred times slower, beside another suite)
fma_floor=1e8
[ -n "${SG_TEST_WRAPPER:-}" ] && fma_floor=1e5
check "bench measures the machine" bash -c "test \$(awk -v x=\$('$JSONQ' .machine.fma_flops_per_thread <'$T/bench.json') -v f=$fma_floor 'BEGIN{print (x > f)}') = 1"

# A full disk is a runtime failure: exit 1, one line, no file left behind.
# Needs a small tmpfs (root); skipped where mounting is not allowed.
mkdir -p "$T/tiny"
if mount -t tmpfs -o size=64k tmpfs "$T/tiny" 2>/dev/null; then
    "$SCALEGRID" --out "$T/tiny/out" >"$T/full.out" 2>"$T/full.err"
    rc=$?
    check "full disk: exit 1" test "$rc" = 1
    check "full disk: one line naming the problem" \
        bash -c "test \$(wc -l <'$T/full.err') = 1 && grep -q 'No space left' '$T/full.err'"
    check "full disk: no file left, nor the folder it made" test ! -e "$T/tiny/out"
    umount "$T/tiny"
else
    echo "skipped: full-disk test (cannot mount a tmpfs here)"
fi

finish commands
