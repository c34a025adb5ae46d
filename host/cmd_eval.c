/* scalegrid eval: the loss and cost of one (N, D) configuration. */
#include "cli.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static const char eval_help[] =
    "usage: scalegrid eval [CONFIG.json] --law NAME [--set K=V,...]\n"
    "                      --params N --tokens D [--batch B] [--json]\n"
    "                      [--unique-tokens U] [--inference-tokens T]\n"
    "                      [--layers L --d-model d --seq-len S |\n"
    "                       --flops-per-token deepseek --seq-len S\n"
    "                       --aspect-ratio R]\n"
    "\n"
    "Evaluates the law at N parameters and D training tokens: the loss, the\n"
    "training compute C = 6 N D (FLOPs and PF-days), tokens per parameter and\n"
    "Kaplan's overfitting threshold D = 5e3 N^0.74.\n"
    "\n"
    "Kaplan-form laws also take one variable alone: --params N gives L(N)\n"
    "(eq. 1.1), --tokens D gives L(D) (1.2), --flops C gives L(Cmin) (1.3,\n"
    "Table 5 constants, C converted to PF-days).\n"
    "\n"
    "--batch B (Kaplan-form laws, with --params and --tokens): training at B\n"
    "tokens per step. Adds the critical batch Bcrit at the law's loss\n"
    "L(N, D) (eq. 1.4), the steps S = D/B, Smin = S/(1 + Bcrit/B) (5.4),\n"
    "Cmin = C/(1 + B/Bcrit) (5.5) and L(N, Smin) (1.6, Table 3 constants).\n"
    "Example: scalegrid eval --law kaplan --params 1.5B --tokens 30B --batch 2M\n"
    "\n"
    "Data-constrained (muennighoff, with --unique-tokens U): the loss with\n"
    "D/U epochs over U unique tokens, and the effective N' and D', e.g.\n"
    "  scalegrid eval --law muennighoff --params 6.34B --tokens 242B \\\n"
    "      --unique-tokens 25B\n"
    "A transformer's shape (--layers, --d-model, --seq-len) counts DeepSeek's\n"
    "M = 72 n_layer d^2 + 12 n_layer d l_seq FLOPs per token instead of 6N;\n"
    "--params then defaults to the non-embedding 12 n_layer d^2, e.g.\n"
    "  scalegrid eval --law chinchilla --layers 32 --d-model 4096 \\\n"
    "      --seq-len 4096 --tokens 2T\n"
    "\n"
    "  CONFIG.json    its law, unique_tokens, flop_count and cost_model\n"
    "                 (options override them; its grid keys are sweep's)\n"
    "  --law NAME     a preset (scalegrid laws), or the law of CONFIG.json\n"
    "  --set K=V,...  override constants, e.g. --set alpha=0.3,E=1.8\n"
    "  --params N     parameters: 70e9, 70B, 7.0e10\n"
    "  --tokens D     training tokens: 1.4T\n"
    "  --flops C      training FLOPs (Kaplan single-variable form only)\n"
    "  --batch B      batch size in tokens per step (Kaplan form); --json adds\n"
    "                 batch_tokens, steps, critical_batch_tokens, min_steps,\n"
    "                 min_flops, min_pf_days, loss_params_steps\n"
    "  --json         one JSON object with keys law, params, tokens, loss,\n"
    "                 flops, pf_days, tokens_per_param, overfit_threshold_tokens,\n"
    "                 flop_count, flops_per_token (\"flops\" is the training\n"
    "                 FLOPs); muennighoff adds unique_tokens, epochs,\n"
    "                 effective_params, effective_tokens; inference tokens\n"
    "                 add training_flops, inference_flops, total_flops; and\n"
    "                 gpu_hours, cost (of the total) with the options below\n"
    CLI_UNIQUE_TOKENS_HELP
    "  --layers L        n_layer of an explicit shape (deepseek count)\n"
    "  --d-model d       d_model of an explicit shape (deepseek count)\n"
    CLI_COUNT_HELP
    CLI_COST_HELP
    "  --help         this text\n";

typedef struct {
    cli_law_options law;
    cli_cost_options cost;
    cli_count_options count;
    const char *params, *tokens, *flops, *batch, *layers, *d_model;
    int json;
} eval_options;

/* cli_own_option for eval's options. */
static int eval_option(int c, const char *value, void *command_options)
{
    eval_options *o = command_options;
    switch (c) {
    case 'N': o->params = value; return CLI_OPTION_TAKEN;
    case 'D': o->tokens = value; return CLI_OPTION_TAKEN;
    case 'C': o->flops = value; return CLI_OPTION_TAKEN;
    case 'B': o->batch = value; return CLI_OPTION_TAKEN;
    case 'j': o->json = 1; return CLI_OPTION_TAKEN;
    case 'y': o->layers = value; return CLI_OPTION_TAKEN;
    case 'w': o->d_model = value; return CLI_OPTION_TAKEN;
    default: return CLI_OPTION_NOT_MINE;
    }
}

static int parse_eval(int argc, char **argv, eval_options *o)
{
    static const struct option options[] = {
        {"params", required_argument, NULL, 'N'},
        {"tokens", required_argument, NULL, 'D'},
        {"flops", required_argument, NULL, 'C'},
        {"batch", required_argument, NULL, 'B'},
        {"json", no_argument, NULL, 'j'},
        {"layers", required_argument, NULL, 'y'},
        {"d-model", required_argument, NULL, 'w'},
        CLI_PLANNING_OPTIONS_END};
    return cli_parse_planning("eval", argc, argv, options, eval_help,
                              &o->law, &o->count, &o->cost, eval_option, o);
}

static int positive_number(const char *option, const char *text, double *out)
{
    if (cli_number("eval", option, text, out))
        return SG_ERR_INPUT;
    if (!(*out > 0))
        return cli_usage_error("eval", "%s must be positive (got %s)", option,
                               text);
    return 0;
}

/* Kaplan's single-variable laws: exactly one of N, D, C given. */
static int eval_single_variable(const eval_options *o, const sg_law *law)
{
    double x;
    const char *key, *equation;
    double loss;
    if (o->params) {
        if (positive_number("--params", o->params, &x))
            return SG_ERR_INPUT;
        key = "params", equation = "1.1", loss = sg_kaplan_loss_params(law, x);
    } else if (o->tokens) {
        if (positive_number("--tokens", o->tokens, &x))
            return SG_ERR_INPUT;
        key = "tokens", equation = "1.2", loss = sg_kaplan_loss_tokens(law, x);
    } else {
        if (positive_number("--flops", o->flops, &x))
            return SG_ERR_INPUT;
        key = "flops", equation = "1.3";
        loss = sg_kaplan_loss_compute(x / SG_FLOPS_PER_PF_DAY);
    }
    if (o->json) {
        cJSON *doc = cJSON_CreateObject();
        cJSON_AddStringToObject(doc, "law", law->name);
        cJSON_AddStringToObject(doc, "equation", equation);
        cli_add_number(doc, key, x);
        if (o->flops)
            cli_add_number(doc, "pf_days", x / SG_FLOPS_PER_PF_DAY);
        cli_add_number(doc, "loss", loss);
        return cli_print_json(doc);
    }
    char value[32];
    sg_format_sci(value, sizeof value, x);
    printf("law       %s, Kaplan eq. %s\n%-9s %s\nloss      %.6g nats/token\n",
           law->name, equation, key, value, loss);
    return 0;
}

/* Kaplan's single-variable laws give a loss and nothing else: a FLOP
 * count, shape or cost model given with them would be ignored. */
static int single_variable_options(const eval_options *o,
                                   const sg_flop_count *base,
                                   const sg_cost_model *cost)
{
    const cli_count_options *c = &o->count;
    if (o->layers || o->d_model || c->per_token || c->seq_len ||
        c->aspect_ratio || c->inference_tokens || sg_cost_model_given(cost) ||
        base->convention != SG_FLOPS_6N || base->inference_tokens > 0)
        return cli_usage_error("eval", "one of --params, --tokens, --flops "
                               "evaluates Kaplan's single-variable law, a "
                               "loss alone: leave out the FLOP-count, shape "
                               "and cost options (or give both --params and "
                               "--tokens)");
    return 0;
}

/* What the configuration costs: FLOPs per token under the count (or an
 * explicit DeepSeek shape), and training, inference and total FLOPs. */
typedef struct {
    sg_flop_count count;
    int explicit_shape; /* --layers, --d-model */
    double layers, d_model, per_token;
    sg_cost cost;
} eval_cost;

static void cost_of(eval_cost *e, double n, double d)
{
    if (!e->explicit_shape) {
        e->per_token = sg_flops_per_token(&e->count, n);
        e->cost = sg_cost_at(&e->count, n, d);
        return;
    }
    e->per_token =
        sg_deepseek_flops_per_token(e->layers, e->d_model, e->count.seq_len);
    e->cost.training = e->per_token * d;
    e->cost.inference = e->per_token / 3.0 * e->count.inference_tokens;
    e->cost.total = e->cost.training + e->cost.inference;
}

static void describe_cost(const eval_cost *e, char *buf, size_t size)
{
    if (!e->explicit_shape) {
        sg_flop_count_describe(&e->count, buf, size);
        return;
    }
    int n = snprintf(buf, size,
                     "deepseek: M = 72 n_layer d^2 + 12 n_layer d l_seq = %.6g "
                     "FLOPs per token (n_layer %g, d %g, l_seq %g)",
                     e->per_token, e->layers, e->d_model, e->count.seq_len);
    if (n >= 0 && (size_t)n < size && e->count.inference_tokens > 0)
        snprintf(buf + n, size - (size_t)n,
                 "; plus %.6g inference tokens at M/3 each",
                 e->count.inference_tokens);
}

static void print_eval(const sg_law *law, const sg_cost_model *cost,
                       const eval_cost *e, double n, double d, double loss)
{
    char sn[32], sd[32], sc[32], sp[32], st[32], count[256];
    double flops = e->cost.training, threshold = sg_overfit_threshold_tokens(n);
    sg_format_count(sn, sizeof sn, n);
    sg_format_count(sd, sizeof sd, d);
    sg_format_sci(sc, sizeof sc, flops);
    sg_format_sci(sp, sizeof sp, flops / SG_FLOPS_PER_PF_DAY);
    sg_format_count(st, sizeof st, threshold);
    printf("law       %s (%s)\n", law->name, law->source);
    printf("params    %s\ntokens    %s (%.3g tokens/param)\n", sn, sd, d / n);
    if (law->form == SG_FORM_MUENNIGHOFF) {
        sg_data_constrained dc = sg_law_data_constrained(law, n, d);
        printf("data      %.4g epochs over %.6g unique tokens; effective "
               "N' = %.6g, D' = %.6g\n",
               dc.epochs, law->unique_tokens, dc.effective_params,
               dc.effective_tokens);
    }
    printf("loss      %.6g nats/token\n", loss);
    char money[96];
    cli_cost_text(money, sizeof money, cost, e->cost.total);
    describe_cost(e, count, sizeof count);
    printf("counting  %s\n", count);
    printf("compute   %s training FLOPs = %s PF-days%s\n", sc, sp,
           e->count.inference_tokens > 0 ? "" : money);
    if (e->count.inference_tokens > 0) {
        char inf[32], tot[32];
        sg_format_sci(inf, sizeof inf, e->cost.inference);
        sg_format_sci(tot, sizeof tot, e->cost.total);
        printf("          + %s inference FLOPs = %s in all%s\n", inf, tot,
               money);
    }
    printf("overfit   threshold 5e3 N^0.74 = %s tokens: %s\n", st,
           d >= threshold ? "D is above it" : "D is below it (overfitting risk)");
}

/* The FLOP count: the shared options, or an explicit --layers/--d-model
 * shape (with --seq-len) that also gives N when --params is left out. */
static int eval_count(const eval_options *o, const sg_flop_count *base,
                      eval_cost *e)
{
    memset(e, 0, sizeof *e);
    e->count = *base; /* the config's, or the default 6N */
    int rc = 0;
    if (!o->layers && !o->d_model)
        return cli_flop_count("eval", &o->count, &e->count);
    if (!o->layers || !o->d_model)
        return cli_usage_error("eval", "an explicit shape needs both --layers "
                               "and --d-model (and --seq-len)");
    if (o->count.aspect_ratio ||
        (o->count.per_token && strcmp(o->count.per_token, "deepseek") != 0))
        return cli_usage_error("eval", "--layers and --d-model give the "
                               "deepseek count's shape; leave out "
                               "--aspect-ratio and other --flops-per-token");
    if ((rc = positive_number("--layers", o->layers, &e->layers)) ||
        (rc = positive_number("--d-model", o->d_model, &e->d_model)))
        return rc;
    if (e->layers != floor(e->layers) || e->d_model != floor(e->d_model))
        return cli_usage_error("eval", "--layers and --d-model are whole "
                               "numbers (got %s and %s)", o->layers,
                               o->d_model);
    if (!o->count.seq_len && !(base->seq_len > 0))
        return cli_usage_error("eval", "the deepseek count needs --seq-len S "
                               "(tokens per training sequence)");
    cli_count_options shape = o->count;
    shape.per_token = "deepseek";
    /* validated with the shape's own aspect ratio */
    char aspect[40];
    snprintf(aspect, sizeof aspect, "%.17g", e->d_model / e->layers);
    shape.aspect_ratio = aspect;
    if ((rc = cli_flop_count("eval", &shape, &e->count)))
        return rc;
    e->explicit_shape = 1;
    return 0;
}

static void add_data_constrained(cJSON *doc, const sg_law *law, double n,
                                 double d)
{
    sg_data_constrained dc = sg_law_data_constrained(law, n, d);
    cli_add_number(doc, "unique_tokens", law->unique_tokens);
    cli_add_number(doc, "epochs", dc.epochs);
    cli_add_number(doc, "effective_params", dc.effective_params);
    cli_add_number(doc, "effective_tokens", dc.effective_tokens);
}

static void add_cost_keys(cJSON *doc, const eval_cost *e)
{
    char count[256];
    describe_cost(e, count, sizeof count);
    cJSON_AddStringToObject(doc, "flop_count",
                            sg_flops_convention_name(e->count.convention));
    cJSON_AddStringToObject(doc, "flop_count_description", count);
    cli_add_number(doc, "flops_per_token", e->per_token);
    if (e->count.inference_tokens > 0) {
        cli_add_number(doc, "inference_tokens", e->count.inference_tokens);
        cli_add_number(doc, "training_flops", e->cost.training);
        cli_add_number(doc, "inference_flops", e->cost.inference);
        cli_add_number(doc, "total_flops", e->cost.total);
    }
}

/* --batch: Kaplan's critical batch and the steps and compute it implies. */
static int kaplan_steps(const eval_options *o, const sg_law *law, double n,
                        double d, sg_kaplan_steps *out)
{
    double batch;
    if (positive_number("--batch", o->batch, &batch))
        return SG_ERR_INPUT;
    sg_error err;
    if (sg_kaplan_steps_at_batch(law, n, d, batch, out, &err) != SG_OK)
        return cli_report(&err);
    return 0;
}

static void print_steps(const sg_kaplan_steps *s)
{
    char b[32], bc[32], st[32], sm[32], mc[32], mp[32];
    sg_format_count(b, sizeof b, s->batch);
    sg_format_count(bc, sizeof bc, s->critical_batch);
    sg_format_sci(st, sizeof st, s->steps);
    sg_format_sci(sm, sizeof sm, s->min_steps);
    sg_format_sci(mc, sizeof mc, s->min_flops);
    sg_format_sci(mp, sizeof mp, s->min_flops / SG_FLOPS_PER_PF_DAY);
    printf("batch     %s tokens per step; critical batch Bcrit(L) = %s "
           "tokens (1.4)\n", b, bc);
    printf("steps     S = D/B = %s; Smin = S/(1 + Bcrit/B) = %s (5.4)\n", st,
           sm);
    printf("          L(N, Smin) = %.6g nats/token (1.6, Table 3 constants)\n",
           s->loss_params_steps);
    printf("min flops Cmin = C/(1 + B/Bcrit) = %s FLOPs = %s PF-days (5.5)\n",
           mc, mp);
}

static void add_steps(cJSON *doc, const sg_kaplan_steps *s)
{
    cli_add_number(doc, "batch_tokens", s->batch);
    cli_add_number(doc, "steps", s->steps);
    cli_add_number(doc, "critical_batch_tokens", s->critical_batch);
    cli_add_number(doc, "min_steps", s->min_steps);
    cli_add_number(doc, "min_flops", s->min_flops);
    cli_add_number(doc, "min_pf_days", s->min_flops / SG_FLOPS_PER_PF_DAY);
    cli_add_number(doc, "loss_params_steps", s->loss_params_steps);
}

int cli_eval(int argc, char **argv)
{
    eval_options o = {0};
    int rc = parse_eval(argc, argv, &o);
    if (rc)
        return rc < 0 ? 0 : rc;
    sg_law law;
    sg_cost_model cost;
    sg_flop_count base; /* the config's count; eval_count applies options */
    const cli_count_options no_count_options = {0};
    if ((rc = cli_resolve_plan("eval", &o.law, &no_count_options, &o.cost,
                               &law, &base, &cost)))
        return rc;
    if (o.batch && law.form != SG_FORM_KAPLAN)
        return cli_usage_error("eval", "--batch needs a law of the Kaplan form "
                               "(the critical batch, eq. 1.4); '%s' is of the "
                               "%s form", law.name, sg_form_name(law.form));
    const int shape_given = o.layers && o.d_model; /* gives N */
    if (o.batch && ((!o.params && !shape_given) || !o.tokens || o.flops))
        return cli_usage_error("eval", "--batch needs --params N (or a "
                               "--layers/--d-model shape) and --tokens D "
                               "(and no --flops)");
    int given = !!o.params + !!o.tokens + !!o.flops;
    if (law.form == SG_FORM_KAPLAN && given == 1 && !shape_given) {
        if ((rc = single_variable_options(&o, &base, &cost)))
            return rc;
        return eval_single_variable(&o, &law);
    }
    if (o.flops)
        return cli_usage_error("eval", "--flops applies to Kaplan's L(Cmin) "
                               "alone; give --params and --tokens");
    eval_cost e;
    if ((rc = eval_count(&o, &base, &e)))
        return rc;
    if (!o.tokens || (!o.params && !e.explicit_shape))
        return cli_usage_error("eval", "give both --params N and --tokens D");
    double n, d;
    if ((o.params && positive_number("--params", o.params, &n)) ||
        positive_number("--tokens", o.tokens, &d))
        return SG_ERR_INPUT;
    if (!o.params) /* the shape's non-embedding parameters */
        n = 12.0 * e.layers * e.d_model * e.d_model;
    double loss = sg_law_loss(&law, n, d);
    if (!isfinite(loss))
        return cli_usage_error("eval", "the loss at N = %g, D = %g is not a "
                               "finite number", n, d);
    cost_of(&e, n, d);
    if (!(e.cost.training > 0) || !isfinite(e.cost.total))
        return cli_usage_error("eval", "the FLOPs at N = %g, D = %g are not "
                               "a finite positive number (%g)", n, d,
                               e.cost.total);
    sg_kaplan_steps steps = {0};
    if (o.batch && (rc = kaplan_steps(&o, &law, n, d, &steps)))
        return rc;
    if (!o.json) {
        print_eval(&law, &cost, &e, n, d, loss);
        if (o.batch)
            print_steps(&steps);
        return 0;
    }
    double flops = e.cost.training;
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "law", law.name);
    cli_add_number(doc, "params", n);
    cli_add_number(doc, "tokens", d);
    cli_add_number(doc, "loss", loss);
    cli_add_number(doc, "flops", flops);
    cli_add_number(doc, "pf_days", flops / SG_FLOPS_PER_PF_DAY);
    cli_add_number(doc, "tokens_per_param", d / n);
    cli_add_number(doc, "overfit_threshold_tokens",
                            sg_overfit_threshold_tokens(n));
    add_cost_keys(doc, &e);
    if (law.form == SG_FORM_MUENNIGHOFF)
        add_data_constrained(doc, &law, n, d);
    if (o.batch)
        add_steps(doc, &steps);
    cli_add_cost(doc, &cost, e.cost.total);
    return cli_print_json(doc);
}
