/* scalegrid optimal: the compute-optimal point for a budget or a loss. */
#include "cli.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

static const char optimal_help[] =
    "usage: scalegrid optimal [CONFIG.json] --law NAME [--set K=V,...]\n"
    "                         (--flops C | --loss L) [--method M] [--json]\n"
    "\n"
    "--flops C: the (N, D) with the least loss for C = 6 N D training FLOPs.\n"
    "--loss L:  the (N, D) reaching loss L with the least compute. A loss at\n"
    "           or below the law's floor (E; 0 for Kaplan) is unreachable.\n"
    "\n"
    "Closed forms where the law has one (Chinchilla eq. 4 and its inverse;\n"
    "Kaplan's y = (aN/aD) x); --method numeric solves the same optimum by\n"
    "root finding in log N (to double precision) as a cross-check.\n"
    "\n"
    "  --law NAME     a preset (scalegrid laws), or the law of CONFIG.json\n"
    "  --set K=V,...  override constants\n"
    "  --flops C      compute budget in FLOPs: 1e21, 5.76e23\n"
    "  --loss L       target loss in nats/token\n"
    "  --method M     auto (default), closed-form or numeric\n"
    "  --json         one JSON object with keys law, flops, pf_days, params,\n"
    "                 tokens, loss, tokens_per_param, method\n"
    "  --help         this text\n";

typedef struct {
    cli_law_options law;
    const char *flops, *loss, *method;
    int json;
} optimal_options;

static int parse_optimal(int argc, char **argv, optimal_options *o)
{
    static const struct option options[] = {
        {"law", required_argument, NULL, 'l'},
        {"set", required_argument, NULL, 's'},
        {"flops", required_argument, NULL, 'C'},
        {"loss", required_argument, NULL, 'L'},
        {"method", required_argument, NULL, 'm'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int c;
    while ((c = cli_next_option(argc, argv, options, "optimal")) != -1) {
        switch (c) {
        case 'l': o->law.law_name = optarg; break;
        case 's':
            if (cli_add_setting(&o->law, "optimal", optarg))
                return SG_ERR_INPUT;
            break;
        case 'C': o->flops = optarg; break;
        case 'L': o->loss = optarg; break;
        case 'm': o->method = optarg; break;
        case 'j': o->json = 1; break;
        case 'h': fputs(optimal_help, stdout); return -1;
        default: return SG_ERR_INPUT;
        }
    }
    if (optind < argc)
        o->law.config_path = argv[optind++];
    if (optind < argc)
        return cli_usage_error("optimal", "unexpected argument '%s'",
                               argv[optind]);
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

static void print_optimum(const sg_law *law, const sg_optimum *opt,
                          int for_loss)
{
    char sn[32], sd[32], sc[32], sp[32];
    sg_format_count(sn, sizeof sn, opt->params);
    sg_format_count(sd, sizeof sd, opt->tokens);
    sg_format_sci(sc, sizeof sc, opt->flops);
    sg_format_sci(sp, sizeof sp, opt->flops / SG_FLOPS_PER_PF_DAY);
    printf("law       %s (%s)\n", law->name, law->source);
    printf("%s\n", for_loss ? "least compute reaching the target loss"
                            : "least loss for the compute budget");
    printf("compute   %s FLOPs = %s PF-days\n", sc, sp);
    printf("params    %s (%.6g)\n", sn, opt->params);
    printf("tokens    %s (%.6g), %.4g tokens/param\n", sd, opt->tokens,
           opt->tokens / opt->params);
    printf("loss      %.6g nats/token\n", opt->loss);
    printf("method    %s\n", sg_method_name(opt->method));
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
    if ((rc = cli_resolve_law(&o.law, "optimal", 1, &law)))
        return rc;
    double target;
    if (cli_number("optimal", o.flops ? "--flops" : "--loss",
                   o.flops ? o.flops : o.loss, &target))
        return SG_ERR_INPUT;
    sg_optimum opt;
    sg_error err;
    sg_status st = o.flops
                       ? sg_optimal_for_flops(&law, target, method, &opt, &err)
                       : sg_optimal_for_loss(&law, target, method, &opt, &err);
    if (st != SG_OK)
        return cli_report(&err);
    if (!o.json) {
        print_optimum(&law, &opt, o.loss != NULL);
        return 0;
    }
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "law", law.name);
    cli_add_number(doc, "flops", opt.flops);
    cli_add_number(doc, "pf_days", opt.flops / SG_FLOPS_PER_PF_DAY);
    cli_add_number(doc, "params", opt.params);
    cli_add_number(doc, "tokens", opt.tokens);
    cli_add_number(doc, "loss", opt.loss);
    cli_add_number(doc, "tokens_per_param", opt.tokens / opt.params);
    cJSON_AddStringToObject(doc, "method", sg_method_name(opt.method));
    return cli_print_json(doc);
}
