/* scalegrid optimal: the compute-optimal point for a budget or a loss. */
#include "cli.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

static const char optimal_help[] =
    "usage: scalegrid optimal [CONFIG.json] --law NAME [--set K=V,...]\n"
    "                         (--flops C | --loss L) [--method M] [--json]\n"
    "                         [--unique-tokens U] [--inference-tokens T]\n"
    "                         [--flops-per-token 6N|deepseek --seq-len S\n"
    "                          --aspect-ratio R]\n"
    "       scalegrid optimal --law kaplan --flops C --allocation [--json]\n"
    "\n"
    "--flops C: the (N, D) with the least loss for C = 6 N D training FLOPs.\n"
    "--loss L:  the (N, D) reaching loss L with the least compute. A loss at\n"
    "           or below the law's floor (E; 0 for Kaplan) is unreachable.\n"
    "\n"
    "Closed forms where the law has one (Chinchilla eq. 4 and its inverse;\n"
    "Kaplan's y = (aN/aD) x); --method numeric solves the same optimum by\n"
    "root finding in log N (to double precision) as a cross-check. Where\n"
    "there is no closed form (muennighoff, inference tokens, deepseek) a\n"
    "fine 1-D search in log N answers: a 512-point scan refined by golden\n"
    "section to 1e-10 in ln N (the optimum is flat: N to ~1e-7).\n"
    "\n"
    "Data-constrained (muennighoff): which N, which D and how many epochs\n"
    "for C FLOPs and U unique tokens, e.g.\n"
    "  scalegrid optimal --law muennighoff --unique-tokens 25B --flops 9.26e21\n"
    "Inference-aware (Sardana et al. 2024): with --loss L --inference-tokens\n"
    "T, the least training + inference cost 6 N D + 2 N T reaching L, and\n"
    "the saving against the compute-optimal point of the same loss, e.g.\n"
    "  scalegrid optimal --law chinchilla --loss 2.1 --inference-tokens 2T\n"
    "With --flops C and T, C is the total budget of training and inference.\n"
    "\n"
    "--allocation (Kaplan-form laws): Kaplan et al. 2020 Table 6 for C taken\n"
    "as Cmin, the minimum compute (training at B << Bcrit, eq. 5.5),\n"
    "converted to PF-days: N = 1.3e9 Cmin^0.73 non-embedding params, batch\n"
    "B = 2.0e6 Cmin^0.24 tokens per step, Smin = 5.4e3 Cmin^0.03 steps,\n"
    "D = 2e10 Cmin^0.27 tokens. Also the loss L(Cmin) (1.3), the critical\n"
    "batch at that loss (1.4), S = D/B steps and C = 6ND at batch B: about\n"
    "1.8 Cmin, since training at B ~ Bcrit costs about twice Cmin (5.5).\n"
    "Table 6 is its own fit: the law's constants do not change it. Example:\n"
    "  scalegrid optimal --law kaplan --flops 1e21 --allocation\n"
    "\n"
    "  CONFIG.json    its law, unique_tokens, flop_count and cost_model\n"
    "                 (options override them; its grid keys are sweep's)\n"
    "  --law NAME     a preset (scalegrid laws), or the law of CONFIG.json\n"
    "  --set K=V,...  override constants\n"
    "  --flops C      compute budget in FLOPs: 1e21, 5.76e23\n"
    "  --loss L       target loss in nats/token\n"
    "  --method M     auto (default), closed-form or numeric\n"
    "  --allocation   Kaplan's Table 6 (N, B, Smin, D) for Cmin = C FLOPs;\n"
    "                 --json keys law, min_flops, min_pf_days, params,\n"
    "                 batch_tokens, min_steps, tokens, loss,\n"
    "                 critical_batch_tokens, steps, flops, pf_days,\n"
    "                 flops_over_min_flops, implied_min_steps,\n"
    "                 implied_min_flops, loss_params_steps, law_loss\n"
    "  --json         one JSON object with keys law, flops, pf_days, params,\n"
    "                 tokens, loss, tokens_per_param, method, flop_count\n"
    "                 (\"flops\" is always the training FLOPs); muennighoff\n"
    "                 adds unique_tokens, epochs, effective_params,\n"
    "                 effective_tokens; inference tokens add training_flops,\n"
    "                 inference_flops, total_flops and, with --loss,\n"
    "                 baseline (the same keys for the compute-optimal point\n"
    "                 of that loss) and saving_flops (baseline total minus\n"
    "                 this total); gpu_hours and cost with the options below\n"
    CLI_UNIQUE_TOKENS_HELP
    CLI_COUNT_HELP
    CLI_COST_HELP
    "  --help         this text\n";

typedef struct {
    cli_law_options law;
    cli_cost_options cost;
    cli_count_options count;
    const char *flops, *loss, *method;
    int json, allocation;
} optimal_options;

/* cli_own_option for optimal's options. */
static int optimal_option(int c, const char *value, void *command_options)
{
    optimal_options *o = command_options;
    switch (c) {
    case 'C': o->flops = value; return CLI_OPTION_TAKEN;
    case 'L': o->loss = value; return CLI_OPTION_TAKEN;
    case 'm': o->method = value; return CLI_OPTION_TAKEN;
    case 'j': o->json = 1; return CLI_OPTION_TAKEN;
    case 'a': o->allocation = 1; return CLI_OPTION_TAKEN;
    default: return CLI_OPTION_NOT_MINE;
    }
}

static int parse_optimal(int argc, char **argv, optimal_options *o)
{
    static const struct option options[] = {
        {"flops", required_argument, NULL, 'C'},
        {"loss", required_argument, NULL, 'L'},
        {"method", required_argument, NULL, 'm'},
        {"json", no_argument, NULL, 'j'},
        {"allocation", no_argument, NULL, 'a'},
        CLI_PLANNING_OPTIONS_END};
    int rc =
        cli_parse_planning("optimal", argc, argv, options, optimal_help,
                           &o->law, &o->count, &o->cost, optimal_option, o);
    if (rc)
        return rc;
    if (!o->flops == !o->loss)
        return cli_usage_error("optimal", "give exactly one of --flops C and "
                               "--loss L");
    return 0;
}

static int method_of(const char *name, sg_method *out)
{
    static const sg_method all[] = {SG_METHOD_AUTO, SG_METHOD_CLOSED_FORM,
                                    SG_METHOD_NUMERIC};
    *out = SG_METHOD_AUTO;
    if (!name)
        return 0;
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (strcmp(name, sg_method_name(all[i])) == 0) {
            *out = all[i];
            return 0;
        }
    return cli_usage_error("optimal", "unknown --method '%s' (known: auto, "
                           "closed-form, numeric)", name);
}

/* What one answer needs to be printed: the law, the FLOP count, the cost
 * model, and with inference tokens and a target loss, the baseline. */
typedef struct {
    const sg_law *law;
    const sg_flop_count *count;
    const sg_cost_model *cost;
    int for_loss, has_baseline;
    sg_optimum baseline; /* compute-optimal for the loss, costed with T */
} answer;

static void print_point(const char *title, const answer *a,
                        const sg_optimum *opt)
{
    char sn[32], sd[32], sc[32], sp[32], money[96];
    sg_format_count(sn, sizeof sn, opt->params);
    sg_format_count(sd, sizeof sd, opt->tokens);
    sg_format_sci(sc, sizeof sc, opt->flops);
    sg_format_sci(sp, sizeof sp, opt->flops / SG_FLOPS_PER_PF_DAY);
    printf("%s\n", title);
    cli_cost_text(money, sizeof money, a->cost, opt->total_flops);
    printf("compute   %s training FLOPs = %s PF-days%s\n", sc, sp,
           a->count->inference_tokens > 0 ? "" : money);
    if (a->count->inference_tokens > 0) {
        char inf[32], tot[32];
        sg_format_sci(inf, sizeof inf, opt->inference_flops);
        sg_format_sci(tot, sizeof tot, opt->total_flops);
        printf("          + %s inference FLOPs = %s in all%s\n", inf, tot,
               money);
    }
    printf("params    %s (%.6g)\n", sn, opt->params);
    printf("tokens    %s (%.6g), %.4g tokens/param\n", sd, opt->tokens,
           opt->tokens / opt->params);
    if (a->law->form == SG_FORM_MUENNIGHOFF) {
        sg_data_constrained dc =
            sg_law_data_constrained(a->law, opt->params, opt->tokens);
        printf("epochs    %.4g over %.6g unique tokens; effective N' = %.6g, "
               "D' = %.6g\n",
               dc.epochs, a->law->unique_tokens, dc.effective_params,
               dc.effective_tokens);
    }
    printf("loss      %.6g nats/token\n", opt->loss);
}

static void print_answer(const answer *a, const sg_optimum *opt)
{
    char count[256];
    sg_flop_count_describe(a->count, count, sizeof count);
    printf("law       %s (%s)\n", a->law->name, a->law->source);
    printf("counting  %s\n", count);
    const char *what = a->count->inference_tokens > 0
                           ? (a->for_loss
                                  ? "least training + inference cost "
                                    "reaching the target loss"
                                  : "least loss for the total budget")
                           : (a->for_loss ? "least compute reaching the "
                                            "target loss"
                                          : "least loss for the compute "
                                            "budget");
    print_point(what, a, opt);
    printf("method    %s\n", sg_method_name(opt->method));
    if (!a->has_baseline)
        return;
    printf("\n");
    print_point("baseline: the compute-optimal point of the same loss", a,
                &a->baseline);
    char saving[32];
    sg_format_sci(saving, sizeof saving,
                  a->baseline.total_flops - opt->total_flops);
    printf("saving    %s FLOPs (%.3g%% of the baseline's total)\n", saving,
           100.0 * (a->baseline.total_flops - opt->total_flops) /
               a->baseline.total_flops);
}

static void add_point_keys(cJSON *o, const answer *a, const sg_optimum *opt)
{
    cli_add_number(o, "flops", opt->flops);
    cli_add_number(o, "pf_days", opt->flops / SG_FLOPS_PER_PF_DAY);
    cli_add_number(o, "params", opt->params);
    cli_add_number(o, "tokens", opt->tokens);
    cli_add_number(o, "loss", opt->loss);
    cli_add_number(o, "tokens_per_param", opt->tokens / opt->params);
    if (a->law->form == SG_FORM_MUENNIGHOFF) {
        sg_data_constrained dc =
            sg_law_data_constrained(a->law, opt->params, opt->tokens);
        cli_add_number(o, "unique_tokens", a->law->unique_tokens);
        cli_add_number(o, "epochs", dc.epochs);
        cli_add_number(o, "effective_params", dc.effective_params);
        cli_add_number(o, "effective_tokens", dc.effective_tokens);
    }
    if (a->count->inference_tokens > 0) {
        cli_add_number(o, "training_flops", opt->flops);
        cli_add_number(o, "inference_flops", opt->inference_flops);
        cli_add_number(o, "total_flops", opt->total_flops);
    }
    cli_add_cost(o, a->cost, opt->total_flops);
}

static int print_answer_json(const answer *a, const sg_optimum *opt)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "law", a->law->name);
    add_point_keys(doc, a, opt);
    cJSON_AddStringToObject(doc, "method", sg_method_name(opt->method));
    cJSON_AddStringToObject(doc, "flop_count",
                            sg_flops_convention_name(a->count->convention));
    if (a->count->inference_tokens > 0)
        cli_add_number(doc, "inference_tokens", a->count->inference_tokens);
    if (a->has_baseline) {
        cJSON *b = cJSON_AddObjectToObject(doc, "baseline");
        add_point_keys(b, a, &a->baseline);
        cli_add_number(doc, "saving_flops",
                       a->baseline.total_flops - opt->total_flops);
    }
    return cli_print_json(doc);
}

/* The compute-optimal point of a loss (no inference), costed with it. */
static int solve_baseline(answer *a, double loss, sg_method method)
{
    sg_flop_count training = *a->count;
    training.inference_tokens = 0;
    sg_error err;
    if (sg_optimal_for_loss_counted(a->law, &training, loss, method,
                                    &a->baseline, &err) != SG_OK)
        return cli_report(&err);
    sg_cost cost = sg_cost_at(a->count, a->baseline.params,
                              a->baseline.tokens);
    a->baseline.flops = cost.training;
    a->baseline.inference_flops = cost.inference;
    a->baseline.total_flops = cost.total;
    a->has_baseline = 1;
    return 0;
}

/* --allocation: Kaplan's Table 6, the rows of a table of N, B, Smin, D. */
static void allocation_row(const char *label, const char *count, double value,
                           const char *units, const char *formula)
{
    char exact[40];
    snprintf(exact, sizeof exact, "(%.6g)", value);
    printf("  %-5s %-6s %-13s %-21s %s\n", label, count, exact, units,
           formula);
}

static void print_allocation(const sg_law *law, const sg_cost_model *cost,
                             const sg_kaplan_allocation *a, double law_loss)
{
    char c[32], pd[32], n[32], b[32], sm[32], d[32], bc[32], s[32], f[32],
        fp[32], ims[32], imf[32];
    sg_format_sci(c, sizeof c, a->min_flops);
    sg_format_sci(pd, sizeof pd, a->min_pf_days);
    sg_format_count(n, sizeof n, a->params);
    sg_format_count(b, sizeof b, a->batch);
    sg_format_count(sm, sizeof sm, a->min_steps);
    sg_format_count(d, sizeof d, a->tokens);
    sg_format_count(bc, sizeof bc, a->critical_batch);
    sg_format_count(s, sizeof s, a->steps);
    sg_format_sci(f, sizeof f, a->flops);
    sg_format_sci(fp, sizeof fp, a->flops / SG_FLOPS_PER_PF_DAY);
    sg_format_count(ims, sizeof ims, a->implied_min_steps);
    sg_format_sci(imf, sizeof imf, a->implied_min_flops);
    char money[96];
    cli_cost_text(money, sizeof money, cost, a->flops);
    printf("law       %s (%s)\n", law->name, law->source);
    printf("Kaplan et al. 2020 Table 6 for Cmin = %s FLOPs = %s PF-days\n", c,
           pd);
    allocation_row("N", n, a->params, "non-embedding params",
                   "1.3e9 Cmin^0.73");
    allocation_row("B", b, a->batch, "tokens per step", "2.0e6 Cmin^0.24");
    allocation_row("Smin", sm, a->min_steps, "steps", "5.4e3 Cmin^0.03");
    allocation_row("D", d, a->tokens, "tokens", "2e10 Cmin^0.27");
    printf("derived\n");
    printf("  loss  %.6g nats/token = L(Cmin) (1.3); L(N, Smin) = %.6g (1.6,\n"
           "        Table 3); the law's L(N, D) = %.6g (1.5)\n",
           a->loss, a->loss_params_steps, law_loss);
    printf("  Bcrit %s tokens at that loss (1.4); B/Bcrit = %.4g\n", bc,
           a->batch / a->critical_batch);
    printf("  S     %s steps = D/B at batch B; (5.4) gives Smin = %s\n", s,
           ims);
    printf("  C     %s FLOPs = %s PF-days = 6ND at batch B%s\n", f, fp,
           money);
    printf("        = %.4g x Cmin: training at B ~ Bcrit costs about 2 Cmin;\n"
           "        (5.5) gives Cmin = %s FLOPs\n",
           a->flops / a->min_flops, imf);
}

static int optimal_allocation(const optimal_options *o, const sg_law *law,
                              const sg_flop_count *count,
                              const sg_cost_model *cost)
{
    if (law->form != SG_FORM_KAPLAN)
        return cli_usage_error("optimal", "--allocation needs a law of the "
                               "Kaplan form (Table 6); '%s' is of the %s form",
                               law->name, sg_form_name(law->form));
    if (!o->flops)
        return cli_usage_error("optimal", "--allocation needs --flops C (the "
                               "minimum compute Cmin), not --loss");
    if (o->method)
        return cli_usage_error("optimal", "--method does not apply to "
                               "--allocation (Table 6 is a closed form)");
    if (count->convention != SG_FLOPS_6N || count->inference_tokens > 0)
        return cli_usage_error("optimal", "--allocation is Table 6 under "
                               "Kaplan's own C = 6ND training count: leave "
                               "out --flops-per-token, --inference-tokens "
                               "and a config's \"flop_count\"");
    double min_flops;
    if (cli_number("optimal", "--flops", o->flops, &min_flops))
        return SG_ERR_INPUT;
    sg_kaplan_allocation a;
    sg_error err;
    if (sg_kaplan_allocation_for_flops(min_flops, &a, &err) != SG_OK)
        return cli_report(&err);
    double law_loss = sg_law_loss(law, a.params, a.tokens);
    if (!o->json) {
        print_allocation(law, cost, &a, law_loss);
        return 0;
    }
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "law", law->name);
    cJSON_AddStringToObject(doc, "source", "Kaplan et al. 2020, Table 6");
    cli_add_number(doc, "min_flops", a.min_flops);
    cli_add_number(doc, "min_pf_days", a.min_pf_days);
    cli_add_number(doc, "params", a.params);
    cli_add_number(doc, "batch_tokens", a.batch);
    cli_add_number(doc, "min_steps", a.min_steps);
    cli_add_number(doc, "tokens", a.tokens);
    cli_add_number(doc, "loss", a.loss);
    cli_add_number(doc, "critical_batch_tokens", a.critical_batch);
    cli_add_number(doc, "steps", a.steps);
    cli_add_number(doc, "flops", a.flops);
    cli_add_number(doc, "pf_days", a.flops / SG_FLOPS_PER_PF_DAY);
    cli_add_number(doc, "flops_over_min_flops", a.flops / a.min_flops);
    cli_add_number(doc, "implied_min_steps", a.implied_min_steps);
    cli_add_number(doc, "implied_min_flops", a.implied_min_flops);
    cli_add_number(doc, "loss_params_steps", a.loss_params_steps);
    cli_add_number(doc, "law_loss", law_loss);
    cli_add_cost(doc, cost, a.flops);
    return cli_print_json(doc);
}

int cli_optimal(int argc, char **argv)
{
    optimal_options o = {0};
    int rc = parse_optimal(argc, argv, &o);
    if (rc)
        return rc < 0 ? 0 : rc;
    sg_method method;
    if ((rc = method_of(o.method, &method)))
        return rc;
    sg_law law;
    sg_cost_model cost;
    sg_flop_count count;
    if ((rc = cli_resolve_plan("optimal", &o.law, &o.count, &o.cost, &law,
                               &count, &cost)))
        return rc;
    if (o.allocation)
        return optimal_allocation(&o, &law, &count, &cost);
    double target;
    if (cli_number("optimal", o.flops ? "--flops" : "--loss",
                   o.flops ? o.flops : o.loss, &target))
        return SG_ERR_INPUT;
    sg_optimum opt;
    sg_error err;
    sg_status st =
        o.flops ? sg_optimal_for_flops_counted(&law, &count, target, method,
                                               &opt, &err)
                : sg_optimal_for_loss_counted(&law, &count, target, method,
                                              &opt, &err);
    if (st != SG_OK)
        return cli_report(&err);
    answer a;
    memset(&a, 0, sizeof a);
    a.law = &law;
    a.count = &count;
    a.cost = &cost;
    a.for_loss = o.loss != NULL;
    if (o.loss && count.inference_tokens > 0 &&
        (rc = solve_baseline(&a, target, method)))
        return rc;
    if (!o.json) {
        print_answer(&a, &opt);
        return 0;
    }
    return print_answer_json(&a, &opt);
}
