/* scalegrid eval: the loss and cost of one (N, D) configuration. */
#include "cli.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>

static const char eval_help[] =
    "usage: scalegrid eval [CONFIG.json] --law NAME [--set K=V,...]\n"
    "                      --params N --tokens D [--json]\n"
    "\n"
    "Evaluates the law at N parameters and D training tokens: the loss, the\n"
    "training compute C = 6 N D (FLOPs and PF-days), tokens per parameter and\n"
    "Kaplan's overfitting threshold D = 5e3 N^0.74.\n"
    "\n"
    "Kaplan-form laws also take one variable alone: --params N gives L(N)\n"
    "(eq. 1.1), --tokens D gives L(D) (1.2), --flops C gives L(Cmin) (1.3,\n"
    "Table 5 constants, C converted to PF-days).\n"
    "\n"
    "  --law NAME     a preset (scalegrid laws), or the law of CONFIG.json\n"
    "  --set K=V,...  override constants, e.g. --set alpha=0.3,E=1.8\n"
    "  --params N     parameters: 70e9, 70B, 7.0e10\n"
    "  --tokens D     training tokens: 1.4T\n"
    "  --flops C      training FLOPs (Kaplan single-variable form only)\n"
    "  --json         one JSON object with keys law, params, tokens, loss,\n"
    "                 flops, pf_days, tokens_per_param, overfit_threshold_tokens\n"
    "  --help         this text\n";

typedef struct {
    cli_law_options law;
    const char *params, *tokens, *flops;
    int json;
} eval_options;

static int parse_eval(int argc, char **argv, eval_options *o)
{
    static const struct option options[] = {
        {"law", required_argument, NULL, 'l'},
        {"set", required_argument, NULL, 's'},
        {"params", required_argument, NULL, 'N'},
        {"tokens", required_argument, NULL, 'D'},
        {"flops", required_argument, NULL, 'C'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int c;
    while ((c = cli_next_option(argc, argv, options, "eval")) != -1) {
        switch (c) {
        case 'l': o->law.law_name = optarg; break;
        case 's':
            if (cli_add_setting(&o->law, "eval", optarg))
                return SG_ERR_INPUT;
            break;
        case 'N': o->params = optarg; break;
        case 'D': o->tokens = optarg; break;
        case 'C': o->flops = optarg; break;
        case 'j': o->json = 1; break;
        case 'h': fputs(eval_help, stdout); return -1;
        default: return SG_ERR_INPUT;
        }
    }
    if (optind < argc)
        o->law.config_path = argv[optind++];
    if (optind < argc)
        return cli_usage_error("eval", "unexpected argument '%s'", argv[optind]);
    return 0;
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

static void print_eval(const sg_law *law, double n, double d, double loss)
{
    char sn[32], sd[32], sc[32], sp[32], st[32];
    double flops = sg_flops(n, d), threshold = sg_overfit_threshold_tokens(n);
    sg_format_count(sn, sizeof sn, n);
    sg_format_count(sd, sizeof sd, d);
    sg_format_sci(sc, sizeof sc, flops);
    sg_format_sci(sp, sizeof sp, flops / SG_FLOPS_PER_PF_DAY);
    sg_format_count(st, sizeof st, threshold);
    printf("law       %s (%s)\n", law->name, law->source);
    printf("params    %s\ntokens    %s (%.3g tokens/param)\n", sn, sd, d / n);
    printf("loss      %.6g nats/token\n", loss);
    printf("compute   %s FLOPs = %s PF-days (C = 6ND)\n", sc, sp);
    printf("overfit   threshold 5e3 N^0.74 = %s tokens: %s\n", st,
           d >= threshold ? "D is above it" : "D is below it (overfitting risk)");
}

int cli_eval(int argc, char **argv)
{
    eval_options o = {0};
    int rc = parse_eval(argc, argv, &o);
    if (rc)
        return rc < 0 ? 0 : rc;
    sg_law law;
    if ((rc = cli_resolve_law(&o.law, "eval", 1, &law)))
        return rc;
    int given = !!o.params + !!o.tokens + !!o.flops;
    if (law.form == SG_FORM_KAPLAN && given == 1)
        return eval_single_variable(&o, &law);
    if (o.flops)
        return cli_usage_error("eval", "--flops applies to Kaplan's L(Cmin) "
                               "alone; give --params and --tokens");
    if (!o.params || !o.tokens)
        return cli_usage_error("eval", "give both --params N and --tokens D");
    double n, d;
    if (positive_number("--params", o.params, &n) ||
        positive_number("--tokens", o.tokens, &d))
        return SG_ERR_INPUT;
    double loss = sg_law_loss(&law, n, d);
    if (!isfinite(loss))
        return cli_usage_error("eval", "the loss at N = %g, D = %g is not a "
                               "finite number", n, d);
    if (!o.json) {
        print_eval(&law, n, d, loss);
        return 0;
    }
    double flops = sg_flops(n, d);
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
    return cli_print_json(doc);
}
