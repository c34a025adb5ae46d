/* scalegrid compare: how much the choice of law moves the answer. */
#include "cli.h"
#include "plot.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BUDGETS 64
/* Points along compute for the curves of compare.svg. */
#define CURVE_POINTS 61

static const char compare_help[] =
    "usage: scalegrid compare [--laws A,B,...] [--flops C1,C2,...]\n"
    "                         [--out DIR] [--plot-format svg,png,pdf]\n"
    "                         [--no-plot] [--json] [--unique-tokens U]\n"
    "\n"
    "One table of the compute-optimal allocation under several laws for the\n"
    "same budgets: N_opt, D_opt, tokens per parameter and predicted loss\n"
    "(closed forms; a 1-D search for muennighoff), and compare.svg drawing\n"
    "them against compute.\n"
    "\n"
    "  --laws A,B,...   presets (scalegrid laws) or JSON configs with a \"law\"\n"
    "                   (default: every preset; muennighoff joins when\n"
    "                   --unique-tokens is given)\n"
    "  --flops C,...    budgets in FLOPs (default 1e19,1e21,1e23,1e25)\n"
    "  --out DIR        where compare.svg goes (default ./scalegrid-out)\n"
    "  --plot-format F  svg, png, pdf or a list (default svg)\n"
    "  --no-plot        the table only\n"
    "  --unique-tokens U  the unique-token budget of data-constrained laws\n"
    "                   (muennighoff); their optimum is a 1-D search\n"
    "  --json           {\"budgets\", \"laws\", \"rows\": [{law, flops, pf_days,\n"
    "                   params, tokens, tokens_per_param, loss}]}\n"
    "  --help           this text\n"
    "\n"
    "Kaplan's laws count non-embedding parameters and compute, Chinchilla's\n"
    "all parameters: the same budget means a somewhat different model.\n";

typedef struct {
    const char *laws, *flops, *out, *plot_format, *unique_tokens;
    int json, plot;
} compare_options;

static int parse_compare(int argc, char **argv, compare_options *o)
{
    static const struct option options[] = {
        {"laws", required_argument, NULL, 'l'},
        {"flops", required_argument, NULL, 'C'},
        {"out", required_argument, NULL, 'o'},
        {"plot-format", required_argument, NULL, 'F'},
        {"no-plot", no_argument, NULL, 'P'},
        {"json", no_argument, NULL, 'j'},
        {"unique-tokens", required_argument, NULL, 'U'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int c;
    while ((c = cli_next_option(argc, argv, options, "compare")) != -1) {
        switch (c) {
        case 'l': o->laws = optarg; break;
        case 'C': o->flops = optarg; break;
        case 'o': o->out = optarg; break;
        case 'F': o->plot_format = optarg; break;
        case 'P': o->plot = 0; break;
        case 'j': o->json = 1; break;
        case 'U': o->unique_tokens = optarg; break;
        case 'h': fputs(compare_help, stdout); return -1;
        default: return SG_ERR_INPUT;
        }
    }
    if (optind < argc)
        return cli_usage_error("compare", "unexpected argument '%s'",
                               argv[optind]);
    if (!o->plot && o->out)
        return cli_usage_error("compare", "--out is where compare.svg goes "
                               "and --no-plot draws none: give one");
    if (!o->plot && o->plot_format)
        return cli_usage_error("compare", "--plot-format is how compare.svg "
                               "is drawn and --no-plot draws none: give one");
    return 0;
}

/* Splits a comma list in place; returns the count, -1 if over max. */
static int split_list(char *text, char **items, int max)
{
    int n = 0;
    char *save = NULL;
    for (char *item = strtok_r(text, ",", &save); item;
         item = strtok_r(NULL, ",", &save)) {
        if (n == max)
            return -1;
        items[n++] = item;
    }
    return n;
}

/* A preset name, or a JSON config whose "law" is used. A config's FLOP
 * count or cost model would change the answer, and compare has one count
 * for all its laws (6ND): refused, not ignored. */
static int load_law(const char *name, sg_law *law)
{
    sg_error err;
    size_t len = strlen(name);
    if (len > 5 && strcmp(name + len - 5, ".json") == 0) {
        cli_law_options o = {0};
        const cli_count_options no_count = {0};
        const cli_cost_options no_cost = {0};
        sg_flop_count count;
        sg_cost_model cost;
        o.config_path = name;
        int rc = cli_resolve_plan("compare", &o, &no_count, &no_cost, law,
                                  &count, &cost);
        if (rc)
            return rc;
        if (count.convention != SG_FLOPS_6N || count.inference_tokens > 0 ||
            sg_cost_model_given(&cost))
            return cli_usage_error("compare", "%s: compare uses each law's "
                                   "C = 6ND optimum; drop the config's "
                                   "\"flop_count\" and \"cost_model\" "
                                   "(optimal and sweep take them)",
                                   name);
        return 0;
    }
    if (sg_law_preset(name, law, &err) != SG_OK)
        return cli_report(&err);
    return 0;
}

/* Every preset; the data-constrained ones only when U was given. */
static void default_laws(int have_unique_tokens, sg_law *laws, size_t *count)
{
    *count = 0;
    for (size_t i = 0; i < sg_law_preset_count(); i++) {
        const sg_law *law = sg_law_preset_at(i);
        if (law->form != SG_FORM_MUENNIGHOFF || have_unique_tokens)
            laws[(*count)++] = *law;
    }
}

/* Gives U to the data-constrained laws of the list; U for a list without
 * one is a mistake worth a message. */
static int apply_unique_tokens(const char *text, sg_law *laws, size_t count)
{
    if (!text)
        return 0;
    double unique_tokens;
    if (cli_number("compare", "--unique-tokens", text, &unique_tokens))
        return SG_ERR_INPUT;
    int used = 0;
    for (size_t i = 0; i < count; i++) {
        if (laws[i].form != SG_FORM_MUENNIGHOFF)
            continue;
        sg_error err;
        if (sg_law_set_unique_tokens(&laws[i], unique_tokens, &err) != SG_OK)
            return cli_usage_error("compare", "--unique-tokens: %s",
                                   err.message);
        used = 1;
    }
    if (!used)
        return cli_usage_error("compare", "--unique-tokens applies to the "
                               "muennighoff law, which --laws leaves out");
    return 0;
}

static int parse_laws(const char *text, const char *unique_tokens,
                      sg_law *laws, size_t *count)
{
    if (!text) {
        default_laws(unique_tokens != NULL, laws, count);
        return apply_unique_tokens(unique_tokens, laws, *count);
    }
    if (cli_check_list("compare", "--laws", text, 0))
        return SG_ERR_INPUT;
    char buf[2048];
    if (strlen(text) >= sizeof buf)
        return cli_usage_error("compare", "--laws list is too long");
    strcpy(buf, text);
    char *items[SG_PLOT_MAX_LAWS];
    int n = split_list(buf, items, SG_PLOT_MAX_LAWS);
    if (n <= 0)
        return cli_usage_error("compare", "--laws needs 1 to %d names",
                               SG_PLOT_MAX_LAWS);
    for (int i = 0; i < n; i++) {
        int rc = load_law(items[i], &laws[i]);
        if (rc)
            return rc;
    }
    *count = (size_t)n;
    return apply_unique_tokens(unique_tokens, laws, *count);
}

static int parse_budgets(const char *text, double *budgets, size_t *count)
{
    static const double defaults[] = {1e19, 1e21, 1e23, 1e25};
    if (!text) {
        memcpy(budgets, defaults, sizeof defaults);
        *count = sizeof defaults / sizeof defaults[0];
        return 0;
    }
    if (cli_check_list("compare", "--flops", text, 0))
        return SG_ERR_INPUT;
    char buf[2048];
    if (strlen(text) >= sizeof buf)
        return cli_usage_error("compare", "--flops list is too long");
    strcpy(buf, text);
    char *items[MAX_BUDGETS];
    int n = split_list(buf, items, MAX_BUDGETS);
    if (n <= 0)
        return cli_usage_error("compare", "--flops needs 1 to %d budgets",
                               MAX_BUDGETS);
    for (int i = 0; i < n; i++) {
        if (cli_number("compare", "--flops", items[i], &budgets[i]))
            return SG_ERR_INPUT;
        if (!(budgets[i] > 0))
            return cli_usage_error("compare", "--flops: budgets must be "
                                   "positive (got %s)", items[i]);
    }
    *count = (size_t)n;
    return 0;
}

typedef struct {
    sg_law laws[SG_PLOT_MAX_LAWS];
    size_t n_laws;
    double budgets[MAX_BUDGETS];
    size_t n_budgets;
    sg_optimum optima[SG_PLOT_MAX_LAWS][MAX_BUDGETS];
} comparison;

static int solve(comparison *cmp)
{
    for (size_t i = 0; i < cmp->n_laws; i++)
        for (size_t j = 0; j < cmp->n_budgets; j++) {
            sg_error err;
            if (sg_optimal_for_flops(&cmp->laws[i], cmp->budgets[j],
                                     SG_METHOD_AUTO, &cmp->optima[i][j],
                                     &err) != SG_OK)
                return cli_report(&err);
        }
    return 0;
}

static int has_search(const comparison *cmp)
{
    for (size_t i = 0; i < cmp->n_laws; i++)
        if (cmp->laws[i].form == SG_FORM_MUENNIGHOFF)
            return 1;
    return 0;
}

static void print_table(const comparison *cmp)
{
    printf("Compute-optimal allocation by law (closed forms%s)\n\n",
           has_search(cmp) ? "; 1-D search for muennighoff" : "");
    printf("  %10s  %-26s %9s %9s %12s %9s\n", "budget", "law", "params",
           "tokens", "tokens/param", "loss");
    for (size_t j = 0; j < cmp->n_budgets; j++) {
        char budget[32];
        sg_format_sci(budget, sizeof budget, cmp->budgets[j]);
        for (size_t i = 0; i < cmp->n_laws; i++) {
            const sg_optimum *o = &cmp->optima[i][j];
            char n[32], d[32];
            sg_format_count(n, sizeof n, o->params);
            sg_format_count(d, sizeof d, o->tokens);
            printf("  %10s  %-26.26s %9s %9s %12.1f %9.4f\n",
                   i == 0 ? budget : "", cmp->laws[i].name, n, d,
                   o->tokens / o->params, o->loss);
        }
        printf("\n");
    }
    printf("Laws of the Kaplan form count non-embedding parameters and "
           "compute.\n");
}

static int print_json(const comparison *cmp)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON *budgets = cJSON_AddArrayToObject(doc, "budgets");
    for (size_t j = 0; j < cmp->n_budgets; j++)
        cJSON_AddItemToArray(budgets, cli_json_number(cmp->budgets[j]));
    cJSON *laws = cJSON_AddArrayToObject(doc, "laws");
    for (size_t i = 0; i < cmp->n_laws; i++) {
        cJSON *law = cJSON_CreateObject();
        cJSON_AddStringToObject(law, "name", cmp->laws[i].name);
        cJSON_AddStringToObject(law, "source", cmp->laws[i].source);
        cJSON_AddStringToObject(law, "convention",
                                sg_convention_name(cmp->laws[i].convention));
        cJSON_AddItemToArray(laws, law);
    }
    cJSON *rows = cJSON_AddArrayToObject(doc, "rows");
    for (size_t j = 0; j < cmp->n_budgets; j++)
        for (size_t i = 0; i < cmp->n_laws; i++) {
            const sg_optimum *o = &cmp->optima[i][j];
            cJSON *row = cJSON_CreateObject();
            cJSON_AddStringToObject(row, "law", cmp->laws[i].name);
            cli_add_number(row, "flops", cmp->budgets[j]);
            cli_add_number(row, "pf_days",
                                    cmp->budgets[j] / SG_FLOPS_PER_PF_DAY);
            cli_add_number(row, "params", o->params);
            cli_add_number(row, "tokens", o->tokens);
            cli_add_number(row, "tokens_per_param",
                                    o->tokens / o->params);
            cli_add_number(row, "loss", o->loss);
            cJSON_AddItemToArray(rows, row);
        }
    return cli_print_json(doc);
}

/* compare.svg draws smooth curves: log-spaced budgets from a decade below
 * the smallest asked to a decade above the largest. */
static int plot(const comparison *cmp, const char *dir, unsigned formats)
{
    double lo = cmp->budgets[0], hi = cmp->budgets[0];
    for (size_t j = 1; j < cmp->n_budgets; j++) {
        lo = fmin(lo, cmp->budgets[j]);
        hi = fmax(hi, cmp->budgets[j]);
    }
    double curve[CURVE_POINTS], a = log10(lo) - 1, b = log10(hi) + 1;
    for (int k = 0; k < CURVE_POINTS; k++)
        curve[k] = pow(10.0, a + (b - a) * k / (CURVE_POINTS - 1));
    sg_error err;
    if (sg_check_output_dir(dir, &err) != SG_OK ||
        sg_plot_compare(dir, cmp->laws, cmp->n_laws, curve, CURVE_POINTS,
                        formats, &err) != SG_OK)
        return cli_report(&err);
    return 0;
}

int cli_compare(int argc, char **argv)
{
    compare_options o = {0};
    o.plot = 1;
    int rc = parse_compare(argc, argv, &o);
    if (rc)
        return rc < 0 ? 0 : rc;
    unsigned formats = SG_PLOT_SVG;
    sg_error err;
    if (o.plot_format && sg_plot_parse_formats(o.plot_format, &formats,
                                               &err) != SG_OK)
        return cli_usage_error("compare", "--plot-format: %s", err.message);
    comparison *cmp = calloc(1, sizeof *cmp);
    if (!cmp) {
        fprintf(stderr, "scalegrid: out of memory\n");
        return SG_ERR_RUNTIME;
    }
    const char *dir = o.out ? o.out : "scalegrid-out";
    if (!(rc = parse_laws(o.laws, o.unique_tokens, cmp->laws, &cmp->n_laws)) &&
        !(rc = parse_budgets(o.flops, cmp->budgets, &cmp->n_budgets)) &&
        !(rc = solve(cmp)) && !(rc = o.plot ? plot(cmp, dir, formats) : 0)) {
        if (o.json)
            rc = print_json(cmp);
        else
            print_table(cmp);
        if (!o.json && o.plot)
            printf("Plot: %s/compare.%s\n", dir,
                   sg_plot_format_ext(formats & SG_PLOT_SVG   ? SG_PLOT_SVG
                                      : formats & SG_PLOT_PNG ? SG_PLOT_PNG
                                                              : SG_PLOT_PDF));
    }
    free(cmp);
    return rc;
}
