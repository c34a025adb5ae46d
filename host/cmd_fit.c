/* scalegrid fit: a law fitted to your own training runs. */
#include "cli.h"
#include "fit.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BUDGETS 16

static const char fit_help[] =
    "usage: scalegrid fit RUNS.csv [--form chinchilla]\n"
    "                     [--columns params=NAME,tokens=NAME,loss=NAME]\n"
    "                     [--flops-column NAME] [--skip-bad-rows]\n"
    "                     [--drop-highest-loss K] [--resolution R]\n"
    "                     [--bootstrap B] [--seed S] [--budgets C,...]\n"
    "                     [--threads N] [--json] [--out DIR]\n"
    "\n"
    "Fits L = E + A/N^alpha + B/D^beta to training runs (a CSV with a header:\n"
    "parameters, tokens and final loss per run). Variable projection: for\n"
    "each (alpha, beta) of a dense grid the law is linear in (E, A, B), a\n"
    "non-negative least-squares solve per cell; the best cells are refined\n"
    "(Huber, iteratively reweighted) and polished by L-BFGS on the exact\n"
    "Chinchilla objective: the sum over runs of Huber(delta = 1e-3) of the\n"
    "log-loss residual. Fits on the grid's edge are flagged.\n"
    "\n"
    "  --columns K=NAME,...  column names (defaults params, tokens, loss)\n"
    "  --flops-column NAME   training FLOPs instead of tokens: D = C/(6N)\n"
    "  --skip-bad-rows       report rows with missing, non-positive or NaN\n"
    "                        values and go on (default: stop at the first)\n"
    "  --drop-highest-loss K leave out the K runs of highest loss\n"
    "  --resolution R        (alpha, beta) grid step over [0, 1.5]^2\n"
    "                        (default 1e-3; 1.5e-4 gives 1e8 cells)\n"
    "  --bootstrap B         resample runs B times, refit, and report\n"
    "                        percentile intervals (10-90, 2.5-97.5)\n"
    "  --seed S              the bootstrap's random seed (default 1)\n"
    "  --budgets C,...       compute budgets for the intervals of N_opt,\n"
    "                        D_opt and loss (default 1e21,1e23,1e25)\n"
    "  --threads N           threads (default: all)\n"
    "  --json                one JSON object: E, A, B, alpha, beta,\n"
    "                        objective, runs_used, G, a, b (and intervals)\n"
    "  --out DIR             write DIR/law.json (a config that sweep,\n"
    "                        optimal and eval accept) and DIR/fit.json\n"
    "  --help                this text\n";

typedef struct {
    const char *path, *form, *columns, *flops_column, *drop, *resolution;
    const char *bootstrap, *seed, *budgets, *threads, *out;
    int skip_bad_rows, json;
} fit_options;

static int parse_fit(int argc, char **argv, fit_options *o)
{
    static const struct option options[] = {
        {"form", required_argument, NULL, 'f'},
        {"columns", required_argument, NULL, 'c'},
        {"flops-column", required_argument, NULL, 'C'},
        {"skip-bad-rows", no_argument, NULL, 'k'},
        {"drop-highest-loss", required_argument, NULL, 'd'},
        {"resolution", required_argument, NULL, 'r'},
        {"bootstrap", required_argument, NULL, 'b'},
        {"seed", required_argument, NULL, 's'},
        {"budgets", required_argument, NULL, 'B'},
        {"threads", required_argument, NULL, 't'},
        {"json", no_argument, NULL, 'j'},
        {"out", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int c;
    while ((c = cli_next_option(argc, argv, options, "fit")) != -1) {
        switch (c) {
        case 'f': o->form = optarg; break;
        case 'c': o->columns = optarg; break;
        case 'C': o->flops_column = optarg; break;
        case 'k': o->skip_bad_rows = 1; break;
        case 'd': o->drop = optarg; break;
        case 'r': o->resolution = optarg; break;
        case 'b': o->bootstrap = optarg; break;
        case 's': o->seed = optarg; break;
        case 'B': o->budgets = optarg; break;
        case 't': o->threads = optarg; break;
        case 'j': o->json = 1; break;
        case 'o': o->out = optarg; break;
        case 'h': fputs(fit_help, stdout); return -1;
        default: return SG_ERR_INPUT;
        }
    }
    if (optind < argc)
        o->path = argv[optind++];
    if (optind < argc)
        return cli_usage_error("fit", "unexpected argument '%s'", argv[optind]);
    if (!o->path)
        return cli_usage_error("fit", "give the runs file: scalegrid fit "
                               "RUNS.csv");
    if (o->form && strcmp(o->form, "chinchilla") != 0)
        return cli_usage_error("fit", "--form '%s' cannot be fitted (known: "
                               "chinchilla)", o->form);
    return 0;
}

/* A whole number option in [lo, hi]. */
static int whole_number(const char *option, const char *text, double lo,
                        double hi, double *out)
{
    if (cli_number("fit", option, text, out))
        return SG_ERR_INPUT;
    if (*out != floor(*out) || *out < lo || *out > hi)
        return cli_usage_error("fit", "%s must be a whole number from %.0f to "
                               "%.0f (got %s)", option, lo, hi, text);
    return 0;
}

/* --columns params=NAME,tokens=NAME,loss=NAME into the CSV options; the
 * names point into `buf`. csv->flops_column must be set first: tokens= is
 * refused with it. */
static int parse_columns(const char *text, char *buf, size_t size,
                         sg_runs_csv_options *csv)
{
    if (cli_check_list("fit", "--columns", text, 1))
        return SG_ERR_INPUT;
    if (strlen(text) >= size)
        return cli_usage_error("fit", "--columns is too long");
    strcpy(buf, text);
    char *save = NULL;
    for (char *item = strtok_r(buf, ",", &save); item;
         item = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(item, '=');
        if (!eq || eq == item || !eq[1])
            return cli_usage_error("fit", "--columns item '%s' is not "
                                   "key=NAME", item);
        *eq = '\0';
        if (strcmp(item, "params") == 0)
            csv->params_column = eq + 1;
        else if (strcmp(item, "tokens") == 0 && csv->flops_column)
            /* Reading only the FLOPs column would drop this silently. */
            return cli_usage_error("fit", "--columns tokens=%s: "
                                   "--flops-column gives D as C/(6N), so "
                                   "leave tokens= out of --columns",
                                   eq + 1);
        else if (strcmp(item, "tokens") == 0)
            csv->tokens_column = eq + 1;
        else if (strcmp(item, "loss") == 0)
            csv->loss_column = eq + 1;
        else
            return cli_usage_error("fit", "--columns: unknown key '%s' "
                                   "(known: params, tokens, loss)", item);
    }
    return 0;
}

static int parse_budgets(const char *text, double *budgets, size_t *count)
{
    static const double defaults[] = {1e21, 1e23, 1e25};
    if (!text) {
        memcpy(budgets, defaults, sizeof defaults);
        *count = 3;
        return 0;
    }
    if (cli_check_list("fit", "--budgets", text, 0))
        return SG_ERR_INPUT;
    char buf[1024];
    if (strlen(text) >= sizeof buf)
        return cli_usage_error("fit", "--budgets is too long");
    strcpy(buf, text);
    char *save = NULL;
    size_t n = 0;
    for (char *item = strtok_r(buf, ",", &save); item;
         item = strtok_r(NULL, ",", &save)) {
        if (n == MAX_BUDGETS)
            return cli_usage_error("fit", "--budgets: at most %d",
                                   MAX_BUDGETS);
        if (cli_number("fit", "--budgets", item, &budgets[n]))
            return SG_ERR_INPUT;
        if (!(budgets[n] > 0))
            return cli_usage_error("fit", "--budgets: budgets must be "
                                   "positive (got %s)", item);
        n++;
    }
    if (!n)
        return cli_usage_error("fit", "--budgets needs at least one budget");
    *count = n;
    return 0;
}

/* ---------------------------------------------------------------- output */

static void print_skipped(const sg_runs *runs)
{
    if (!runs->skipped_count)
        return;
    fprintf(stderr, "scalegrid: skipped %zu bad row%s (line%s", runs->skipped_count,
            runs->skipped_count == 1 ? "" : "s",
            runs->skipped_count == 1 ? "" : "s");
    for (size_t i = 0; i < runs->skipped_count && i < 10; i++)
        fprintf(stderr, "%s %zu", i ? "," : "", runs->skipped_lines[i]);
    fprintf(stderr, "%s): %s\n", runs->skipped_count > 10 ? ", ..." : "",
            runs->first_skip_reason);
}

static void print_interval(const char *name, const sg_fit_interval *i)
{
    printf("  %-22s %12.6g %12.6g %12.6g %12.6g\n", name, i->p2_5, i->p10,
           i->p90, i->p97_5);
}

static void print_fit(const char *path, const sg_fit_result *f,
                      const sg_fit_bootstrap_result *b)
{
    printf("fit: L = E + A/N^alpha + B/D^beta on %zu runs of %s\n",
           f->runs_used, path);
    printf("  E = %.6g   A = %.6g   B = %.6g   alpha = %.6g   beta = %.6g\n",
           f->E, f->A, f->B, f->alpha, f->beta);
    printf("  objective %.10g (sum over runs of Huber, delta 1e-3, of the "
           "log-loss residual)\n", f->objective);
    printf("  compute-optimal: N_opt = %.6g (C/6)^%.6g, D_opt = (C/6)^%.6g / "
           "%.6g\n", f->G, f->a, f->b, f->G);
    printf("  grid: %.3g (alpha, beta) cells in %.3g s; best cell alpha = "
           "%.4g, beta = %.4g; %.3g s in all\n",
           (double)f->cells, f->grid_seconds, f->grid_alpha, f->grid_beta,
           f->seconds);
    if (f->on_edge)
        printf("  WARNING: the fitted %s lies on the grid's edge: the range "
               "may be too narrow or the data unidentifying\n",
               f->on_edge == (SG_FIT_EDGE_ALPHA | SG_FIT_EDGE_BETA)
                   ? "alpha and beta"
                   : f->on_edge & SG_FIT_EDGE_ALPHA ? "alpha" : "beta");
    if (!b)
        return;
    printf("\nbootstrap: %zu resamples (seed %llu, %zu failed), percentile "
           "intervals\n", b->resamples, (unsigned long long)b->seed, b->failed);
    printf("  %-22s %12s %12s %12s %12s\n", "", "2.5%", "10%", "90%", "97.5%");
    print_interval("E", &b->E);
    print_interval("A", &b->A);
    print_interval("B", &b->B);
    print_interval("alpha", &b->alpha);
    print_interval("beta", &b->beta);
    for (size_t k = 0; k < b->budget_count; k++) {
        const sg_fit_budget *u = &b->budgets[k];
        char name[64], c[32];
        sg_format_sci(c, sizeof c, u->flops);
        snprintf(name, sizeof name, "N_opt at %s", c);
        print_interval(name, &u->params_interval);
        snprintf(name, sizeof name, "D_opt at %s", c);
        print_interval(name, &u->tokens_interval);
        snprintf(name, sizeof name, "loss at %s", c);
        print_interval(name, &u->loss_interval);
    }
}

static cJSON *interval_json(const sg_fit_interval *i)
{
    cJSON *o = cJSON_CreateObject();
    cli_add_number(o, "p2_5", i->p2_5);
    cli_add_number(o, "p10", i->p10);
    cli_add_number(o, "p90", i->p90);
    cli_add_number(o, "p97_5", i->p97_5);
    return o;
}

static cJSON *fit_json(const sg_fit_result *f, const sg_fit_bootstrap_result *b)
{
    cJSON *doc = cJSON_CreateObject();
    cli_add_number(doc, "E", f->E);
    cli_add_number(doc, "A", f->A);
    cli_add_number(doc, "B", f->B);
    cli_add_number(doc, "alpha", f->alpha);
    cli_add_number(doc, "beta", f->beta);
    cli_add_number(doc, "objective", f->objective);
    cli_add_number(doc, "runs_used", (double)f->runs_used);
    cli_add_number(doc, "G", f->G);
    cli_add_number(doc, "a", f->a);
    cli_add_number(doc, "b", f->b);
    cJSON_AddBoolToObject(doc, "alpha_on_grid_edge",
                          (f->on_edge & SG_FIT_EDGE_ALPHA) != 0);
    cJSON_AddBoolToObject(doc, "beta_on_grid_edge",
                          (f->on_edge & SG_FIT_EDGE_BETA) != 0);
    cli_add_number(doc, "grid_cells", (double)f->cells);
    cli_add_number(doc, "seconds", f->seconds);
    if (!b)
        return doc;
    cJSON *iv = cJSON_AddObjectToObject(doc, "intervals");
    cJSON_AddItemToObject(iv, "E", interval_json(&b->E));
    cJSON_AddItemToObject(iv, "A", interval_json(&b->A));
    cJSON_AddItemToObject(iv, "B", interval_json(&b->B));
    cJSON_AddItemToObject(iv, "alpha", interval_json(&b->alpha));
    cJSON_AddItemToObject(iv, "beta", interval_json(&b->beta));
    cJSON *budgets = cJSON_AddArrayToObject(iv, "budgets");
    for (size_t k = 0; k < b->budget_count; k++) {
        const sg_fit_budget *u = &b->budgets[k];
        cJSON *o = cJSON_CreateObject();
        cli_add_number(o, "flops", u->flops);
        cli_add_number(o, "params", u->params);
        cli_add_number(o, "tokens", u->tokens);
        cli_add_number(o, "loss", u->loss);
        cJSON_AddItemToObject(o, "params_interval",
                              interval_json(&u->params_interval));
        cJSON_AddItemToObject(o, "tokens_interval",
                              interval_json(&u->tokens_interval));
        cJSON_AddItemToObject(o, "loss_interval",
                              interval_json(&u->loss_interval));
        cJSON_AddItemToArray(budgets, o);
    }
    cli_add_number(iv, "resamples", (double)b->resamples);
    cli_add_number(iv, "failed", (double)b->failed);
    cli_add_number(iv, "seed", (double)b->seed);
    return doc;
}

/* law.json: a config whose "law" sweep, optimal and eval load. */
static cJSON *law_config_json(const char *path, const sg_fit_result *f)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    char name[64], source[192];
    snprintf(name, sizeof name, "fit:%.58s", base);
    snprintf(source, sizeof source,
             "scalegrid fit of %.120s (%zu runs, objective %.6g)", path,
             f->runs_used, f->objective);
    cJSON *doc = cJSON_CreateObject();
    cJSON *law = cJSON_AddObjectToObject(doc, "law");
    cJSON_AddStringToObject(law, "form", "chinchilla");
    cJSON_AddStringToObject(law, "name", name);
    cJSON_AddStringToObject(law, "source", source);
    cJSON_AddStringToObject(law, "convention", "all-params");
    cli_add_number(law, "E", f->E);
    cli_add_number(law, "A", f->A);
    cli_add_number(law, "B", f->B);
    cli_add_number(law, "alpha", f->alpha);
    cli_add_number(law, "beta", f->beta);
    return doc;
}

/* Writes both files under temporary names, then renames them. */
static int write_fit_files(const char *dir, cJSON *law, cJSON *fit)
{
    sg_error err;
    if (sg_check_output_dir(dir, &err) != SG_OK)
        return cli_report(&err);
    cJSON *docs[2] = {law, fit};
    const char *names[2] = {"law.json", "fit.json"};
    char tmp[2][4096], final[2][4096];
    int written = 0, rc = 0;
    for (int i = 0; i < 2 && !rc; i++) {
        snprintf(final[i], sizeof final[i], "%s/%s", dir, names[i]);
        snprintf(tmp[i], sizeof tmp[i], "%s/.%s.tmp", dir, names[i]);
        char *text = cJSON_Print(docs[i]);
        FILE *f = text ? fopen(tmp[i], "w") : NULL;
        int ok = f && fputs(text, f) >= 0 && fputc('\n', f) != EOF;
        if (f && fclose(f) != 0)
            ok = 0;
        free(text);
        written = i + 1;
        if (!ok) {
            fprintf(stderr, "scalegrid: writing '%s' failed: %s\n", final[i],
                    strerror(errno ? errno : EIO));
            rc = SG_ERR_RUNTIME;
        }
    }
    for (int i = 0; i < 2; i++) {
        if (rc) {
            if (i < written)
                remove(tmp[i]);
        } else if (rename(tmp[i], final[i]) != 0) {
            fprintf(stderr, "scalegrid: cannot rename '%s': %s\n", tmp[i],
                    strerror(errno));
            rc = SG_ERR_RUNTIME;
        }
    }
    return rc;
}

/* ------------------------------------------------------------------ main */

static int load_runs(const fit_options *o, char *columns_buf, size_t size,
                     sg_runs *runs)
{
    sg_runs_csv_options csv;
    sg_runs_csv_options_default(&csv);
    csv.flops_column = o->flops_column;
    csv.skip_bad_rows = o->skip_bad_rows;
    if (o->columns && parse_columns(o->columns, columns_buf, size, &csv))
        return SG_ERR_INPUT;
    sg_error err;
    if (sg_runs_read_csv(o->path, &csv, runs, &err) != SG_OK)
        return cli_report(&err);
    print_skipped(runs);
    if (o->drop) {
        double k;
        if (whole_number("--drop-highest-loss", o->drop, 0, 1e9, &k))
            return SG_ERR_INPUT;
        if (sg_runs_drop_highest_loss(runs, (size_t)k, &err) != SG_OK)
            return cli_report(&err);
    }
    return 0;
}

/* Every option checked before the runs are read. */
typedef struct {
    sg_fit_options fit;
    size_t resamples; /* 0: no bootstrap */
    uint64_t seed;
    double budgets[MAX_BUDGETS];
    size_t n_budgets;
} fit_plan;

static int bootstrap_options(const fit_options *o, fit_plan *plan)
{
    plan->resamples = 0;
    plan->seed = 1;
    if (!o->bootstrap)
        return o->seed || o->budgets
                   ? cli_usage_error("fit", "--seed and --budgets go with "
                                     "--bootstrap B")
                   : 0;
    double count = 0, seed = 1;
    if (whole_number("--bootstrap", o->bootstrap, 10, 1e6, &count) ||
        (o->seed && whole_number("--seed", o->seed, 0, 9e15, &seed)) ||
        parse_budgets(o->budgets, plan->budgets, &plan->n_budgets))
        return SG_ERR_INPUT;
    plan->resamples = (size_t)count;
    plan->seed = (uint64_t)seed;
    return 0;
}

static int fit_options_of(const fit_options *o, fit_plan *plan)
{
    sg_fit_options *fo = &plan->fit;
    sg_fit_options_default(fo);
    if (bootstrap_options(o, plan))
        return SG_ERR_INPUT;
    if (o->resolution) {
        if (cli_number("fit", "--resolution", o->resolution, &fo->resolution))
            return SG_ERR_INPUT;
        if (!(fo->resolution > 0 && fo->resolution <= 0.5))
            return cli_usage_error("fit", "--resolution must be in (0, 0.5] "
                                   "(got %s)", o->resolution);
    }
    if (o->threads) {
        double t;
        if (whole_number("--threads", o->threads, 0, 4096, &t))
            return SG_ERR_INPUT;
        fo->threads = (int)t;
    }
    return 0;
}

static int run_fit(const fit_options *o, const sg_runs *runs,
                   const fit_plan *plan)
{
    sg_error err;
    sg_fit_result fit;
    sg_fit_bootstrap_result boot;
    const sg_fit_options *fo = &plan->fit;
    int have_boot = 0;
    if (plan->resamples) {
        if (sg_fit_bootstrap(runs, fo, plan->resamples, plan->seed,
                             plan->budgets, plan->n_budgets, &boot,
                             &err) != SG_OK)
            return cli_report(&err);
        fit = boot.point;
        have_boot = 1;
    } else if (sg_fit_chinchilla(runs, fo, &fit, &err) != SG_OK) {
        return cli_report(&err);
    }
    int rc = 0;
    const sg_fit_bootstrap_result *b = have_boot ? &boot : NULL;
    if (o->out) {
        cJSON *law = law_config_json(o->path, &fit), *doc = fit_json(&fit, b);
        rc = write_fit_files(o->out, law, doc);
        cJSON_Delete(law);
        cJSON_Delete(doc);
    }
    if (!rc) {
        if (o->json)
            rc = cli_print_json(fit_json(&fit, b));
        else
            print_fit(o->path, &fit, b);
        if (!o->json && o->out)
            printf("\nFiles: %s/law.json (scalegrid sweep %s/law.json), "
                   "%s/fit.json\n", o->out, o->out, o->out);
    }
    if (have_boot)
        sg_fit_bootstrap_free(&boot);
    return rc;
}

int cli_fit(int argc, char **argv)
{
    fit_options o = {0};
    int rc = parse_fit(argc, argv, &o);
    if (rc)
        return rc < 0 ? 0 : rc;
    fit_plan plan;
    if ((rc = fit_options_of(&o, &plan)))
        return rc;
    char columns[512];
    sg_runs runs;
    memset(&runs, 0, sizeof runs);
    if (!(rc = load_runs(&o, columns, sizeof columns, &runs)))
        rc = run_fit(&o, &runs, &plan);
    sg_runs_free(&runs);
    return rc;
}
