/* scalegrid bench: points per second, measured, against this machine's
 * limits and the reference backend. */
#include "bench.h"
#include "cli.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_ITEMS 16
#define MAX_ROWS 256

static const char bench_help[] =
    "usage: scalegrid bench [--backend B,...] [--strategy S,...]\n"
    "                       [--precision P,...] [--sizes P,...]\n"
    "                       [--threads T,...] [--law NAME]\n"
    "                       [--levels K] [--flops-levels K] [--repeats R]\n"
    "                       [--max-seconds S] [--quick] [--json]\n"
    "\n"
    "Times the sweep on square grids and reports points per second, the\n"
    "median of R runs after a warm-up, next to this machine's measured\n"
    "limits: the clock (a chain of dependent additions) and the FP64 FMA\n"
    "peak per thread and for all threads. A grid's thread counts are timed\n"
    "in alternation (1, all, 1, all, ...), so a machine whose speed drifts\n"
    "slows both alike. Every configuration's frontier is first checked\n"
    "identical to the reference backend's (of the same precision).\n"
    "\n"
    "  --backend B,...   reference, openmp, cuda (default: the first two,\n"
    "                    and cuda when a GPU is present)\n"
    "  --strategy S,...  direct, factored, exact (default: all three; the\n"
    "                    reference backend has none)\n"
    "  --precision P,... f64, f32 (default: both; f32 runs for laws of the\n"
    "                    Chinchilla form on the CPU backends, direct and\n"
    "                    factored, and is skipped elsewhere)\n"
    "  --sizes P,...     points per grid: 2^20, 2^24, 2^28, 2^32 (default),\n"
    "                    or numbers (16M); each a square grid, so a\n"
    "                    square number of points\n"
    "  --threads T,...   thread counts: numbers or 'all' (default 1,all)\n"
    "  --law NAME        the law swept (default chinchilla)\n"
    "  --levels K        loss levels (default 1024); --flops-levels (256)\n"
    "  --repeats R       timed runs per configuration (default 3)\n"
    "  --max-seconds S   skip configurations estimated to take longer than\n"
    "                    S seconds in all (default 30); they are listed\n"
    "  --quick           sizes up to 2^24 only\n"
    "  --json            {\"machine\": {...}, \"results\": [{backend, strategy,\n"
    "                    precision, threads, rows, cols, levels, points,\n"
    "                    seconds, points_per_second, ...}], \"skipped\":\n"
    "                    [...]}\n"
    "\n"
    "Columns: cycles/pt is core-cycles per point (threads x clock / rate);\n"
    "%peak counts nominal operations per point (factored 3; direct 143 in\n"
    "f64, two pow of 66; 21 in f32, two powers of 7) against the measured\n"
    "FMA peak (f32: twice the FP64 peak, 8 lanes per vector instead of 4);\n"
    "x ref is the rate over the reference backend's on the largest grid it\n"
    "ran in the same precision.\n";

typedef struct {
    const char *backends, *strategies, *precisions, *sizes, *threads, *law;
    const char *levels, *flops_levels, *repeats, *max_seconds;
    int quick, json;
} bench_options;

static int parse_bench(int argc, char **argv, bench_options *o)
{
    static const struct option options[] = {
        {"backend", required_argument, NULL, 'b'},
        {"strategy", required_argument, NULL, 'S'},
        {"precision", required_argument, NULL, 'x'},
        {"sizes", required_argument, NULL, 'z'},
        {"threads", required_argument, NULL, 't'},
        {"law", required_argument, NULL, 'l'},
        {"levels", required_argument, NULL, 'L'},
        {"flops-levels", required_argument, NULL, 'C'},
        {"repeats", required_argument, NULL, 'r'},
        {"max-seconds", required_argument, NULL, 'T'},
        {"quick", no_argument, NULL, 'q'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int c;
    while ((c = cli_next_option(argc, argv, options, "bench")) != -1) {
        switch (c) {
        case 'b': o->backends = optarg; break;
        case 'S': o->strategies = optarg; break;
        case 'x': o->precisions = optarg; break;
        case 'z': o->sizes = optarg; break;
        case 't': o->threads = optarg; break;
        case 'l': o->law = optarg; break;
        case 'L': o->levels = optarg; break;
        case 'C': o->flops_levels = optarg; break;
        case 'r': o->repeats = optarg; break;
        case 'T': o->max_seconds = optarg; break;
        case 'q': o->quick = 1; break;
        case 'j': o->json = 1; break;
        case 'h': fputs(bench_help, stdout); return -1;
        default: return SG_ERR_INPUT;
        }
    }
    if (optind < argc)
        return cli_usage_error("bench", "unexpected argument '%s'",
                               argv[optind]);
    return 0;
}

/* Splits a comma list into at most MAX_ITEMS items of buf. */
static int split(const char *option, const char *text, char *buf,
                 size_t size, char **items)
{
    if (strlen(text) >= size)
        return cli_usage_error("bench", "%s is too long", option), -1;
    if (cli_check_list("bench", option, text, 0))
        return -1;
    strcpy(buf, text);
    int n = 0;
    char *save = NULL;
    for (char *item = strtok_r(buf, ",", &save); item;
         item = strtok_r(NULL, ",", &save)) {
        if (n == MAX_ITEMS)
            return cli_usage_error("bench", "%s: at most %d items", option,
                                   MAX_ITEMS),
                   -1;
        items[n++] = item;
    }
    if (!n)
        return cli_usage_error("bench", "%s is empty", option), -1;
    return n;
}

/* "2^28" or a number of points. */
static int parse_size(const char *text, double *points)
{
    if (strncmp(text, "2^", 2) == 0) {
        double e;
        if (cli_number("bench", "--sizes", text + 2, &e))
            return SG_ERR_INPUT;
        if (e != floor(e) || e < 4 || e > 40)
            return cli_usage_error("bench", "--sizes: '%s' must be 2^4 to "
                                   "2^40", text);
        *points = ldexp(1.0, (int)e);
        return 0;
    }
    if (cli_number("bench", "--sizes", text, points))
        return SG_ERR_INPUT;
    if (!(*points >= 16 && *points <= 1.1e12))
        return cli_usage_error("bench", "--sizes: '%s' must be 16 to 1e12 "
                               "points", text);
    return 0;
}

/* Grids are square: a size must be side^2 points, or the bench would time
 * a grid other than the one asked for. */
static int check_square(const char *text, double points)
{
    double side = floor(sqrt(points));
    if (side * side == points)
        return 0;
    return cli_usage_error("bench", "--sizes: %s = %.0f points is not a "
                           "square grid; %.0f (%.0f^2) or %.0f (%.0f^2) is",
                           text, points, side * side, side,
                           (side + 1) * (side + 1), side + 1);
}

/* "all" (0) or a thread count, with one message for anything else. */
static int parse_thread_count(const char *text, int *out)
{
    double t = 0;
    sg_error err;
    if (strcmp(text, "all") != 0 &&
        (sg_parse_number(text, &t, &err) != SG_OK || t < 1 || t > 4096 ||
         t != floor(t)))
        return cli_usage_error("bench", "--threads: '%s' is not 'all' or a "
                               "count from 1 to 4096", text);
    *out = (int)t;
    return 0;
}

typedef struct {
    sg_backend backends[4];
    int n_backends;
    sg_strategy strategies[4];
    int n_strategies;
    sg_precision precisions[2];
    int n_precisions;
    double sizes[MAX_ITEMS];
    int n_sizes;
    int threads[MAX_ITEMS]; /* 0: all */
    int n_threads;
    sg_law law;
    uint32_t levels, flops_levels;
    int repeats;
    double max_seconds;
    int all_threads; /* what "all" means on this machine */
} bench_plan;

static int plan_lists(const bench_options *o, bench_plan *b)
{
    char buf[512], *items[MAX_ITEMS];
    sg_error err;
    /* By default every backend this machine can run. */
    const char *all = sg_cuda_available(NULL, 0) ? "reference,openmp,cuda"
                                                 : "reference,openmp";
    int n = split("--backend", o->backends ? o->backends : all, buf,
                  sizeof buf, items);
    if (n < 0)
        return SG_ERR_INPUT;
    for (int i = 0; i < n && b->n_backends < 4; i++)
        if (sg_backend_from_name(items[i], &b->backends[b->n_backends++],
                                 &err) != SG_OK)
            return cli_usage_error("bench", "--backend: %s", err.message);
    n = split("--strategy", o->strategies ? o->strategies
                                          : "direct,factored,exact",
              buf, sizeof buf, items);
    if (n < 0)
        return SG_ERR_INPUT;
    for (int i = 0; i < n && b->n_strategies < 4; i++)
        if (sg_strategy_from_name(items[i], &b->strategies[b->n_strategies++],
                                  &err) != SG_OK)
            return cli_usage_error("bench", "--strategy: %s", err.message);
    n = split("--precision", o->precisions ? o->precisions : "f64,f32", buf,
              sizeof buf, items);
    if (n < 0)
        return SG_ERR_INPUT;
    for (int i = 0; i < n && b->n_precisions < 2; i++)
        if (sg_precision_from_name(items[i],
                                   &b->precisions[b->n_precisions++],
                                   &err) != SG_OK)
            return cli_usage_error("bench", "--precision: %s", err.message);
    n = split("--sizes",
              o->sizes ? o->sizes
                       : o->quick ? "2^20,2^24" : "2^20,2^24,2^28,2^32",
              buf, sizeof buf, items);
    if (n < 0)
        return SG_ERR_INPUT;
    for (int i = 0; i < n; i++, b->n_sizes++)
        if (parse_size(items[i], &b->sizes[b->n_sizes]) ||
            check_square(items[i], b->sizes[b->n_sizes]))
            return SG_ERR_INPUT;
    n = split("--threads", o->threads ? o->threads : "1,all", buf, sizeof buf,
              items);
    if (n < 0)
        return SG_ERR_INPUT;
    for (int i = 0; i < n; i++)
        if (parse_thread_count(items[i], &b->threads[b->n_threads++]))
            return SG_ERR_INPUT;
    return 0;
}

/* Options that the chosen backends would ignore are refused: the
 * reference backend has no strategies and runs one thread, and --quick
 * chooses the sizes. */
static int check_applicable(const bench_options *o, const bench_plan *b)
{
    int only_reference = 1;
    for (int i = 0; i < b->n_backends; i++)
        only_reference &= b->backends[i] == SG_BACKEND_REFERENCE;
    if (only_reference && o->strategies)
        return cli_usage_error("bench", "the reference backend has no "
                               "strategies (it evaluates every point "
                               "directly): leave out --strategy or add "
                               "--backend openmp");
    if (only_reference && o->threads)
        return cli_usage_error("bench", "the reference backend runs one "
                               "thread: leave out --threads or add "
                               "--backend openmp");
    if (o->quick && o->sizes)
        return cli_usage_error("bench", "--quick chooses the sizes (2^20, "
                               "2^24): give it or --sizes, not both");
    return 0;
}

/* A whole number from lo to hi; one line on stderr otherwise. */
static int whole_in(const char *option, const char *text, double lo,
                    double hi, double *v)
{
    if (cli_number("bench", option, text, v))
        return SG_ERR_INPUT;
    if (*v < lo || *v > hi || *v != floor(*v))
        return cli_usage_error("bench", "%s must be %.0f to %.0f (got %s)",
                               option, lo, hi, text);
    return 0;
}

static int plan_numbers(const bench_options *o, bench_plan *b)
{
    double v;
    sg_error err;
    if (sg_law_preset(o->law ? o->law : "chinchilla", &b->law, &err) != SG_OK)
        return cli_report(&err);
    if (b->law.form == SG_FORM_MUENNIGHOFF)
        return cli_usage_error("bench", "law '%s' needs a unique-token "
                               "budget, which bench does not take: bench "
                               "another law, or time `scalegrid sweep --law "
                               "%s --unique-tokens U`",
                               b->law.name, b->law.name);
    for (int i = 0; o->strategies && i < b->n_strategies; i++)
        if (b->strategies[i] == SG_STRATEGY_EXACT &&
            b->law.form != SG_FORM_CHINCHILLA)
            return cli_usage_error("bench", "strategy exact needs a law of "
                                   "the Chinchilla form ('%s' is of the %s "
                                   "form)",
                                   b->law.name, sg_form_name(b->law.form));
    for (int i = 0; o->precisions && i < b->n_precisions; i++)
        if (b->precisions[i] == SG_PRECISION_F32 &&
            b->law.form != SG_FORM_CHINCHILLA)
            return cli_usage_error("bench", "precision f32 needs a law of "
                                   "the Chinchilla form ('%s' is of the %s "
                                   "form)",
                                   b->law.name, sg_form_name(b->law.form));
    b->levels = 1024;
    b->flops_levels = 256;
    b->repeats = 3;
    b->max_seconds = 30;
    if (o->levels) {
        if (whole_in("--levels", o->levels, 2, 4194304, &v))
            return SG_ERR_INPUT;
        b->levels = (uint32_t)v;
    }
    if (o->flops_levels) {
        if (whole_in("--flops-levels", o->flops_levels, 2, 4194304, &v))
            return SG_ERR_INPUT;
        b->flops_levels = (uint32_t)v;
    }
    if (o->repeats) {
        if (whole_in("--repeats", o->repeats, 1, 64, &v))
            return SG_ERR_INPUT;
        b->repeats = (int)v;
    }
    if (o->max_seconds) {
        if (cli_number("bench", "--max-seconds", o->max_seconds, &v))
            return SG_ERR_INPUT;
        if (!(v > 0))
            return cli_usage_error("bench", "--max-seconds must be positive "
                                   "(got %s)", o->max_seconds);
        b->max_seconds = v;
    }
    return 0;
}

/* ------------------------------------------------------------- running */

typedef struct {
    sg_bench_row rows[MAX_ROWS];
    int n_rows;
    char skipped[MAX_ROWS][128];
    int n_skipped;
} bench_results;

/* What one series times: a backend, a strategy and a precision. */
typedef struct {
    sg_backend backend;
    sg_strategy strategy;
    sg_precision precision;
} bench_series;

static sg_sweep_config config_for(const bench_plan *b, const bench_series *se,
                                  double points, int threads)
{
    sg_backend backend = se->backend;
    sg_strategy strategy = se->strategy;
    sg_sweep_config c;
    sg_sweep_config_default(&c);
    c.law = b->law;
    uint64_t side = (uint64_t)floor(sqrt(points) + 0.5);
    c.params.count = c.tokens.count = side;
    c.loss_levels.count = b->levels;
    c.flops_levels.count = b->flops_levels;
    c.backend = backend;
    c.strategy = backend == SG_BACKEND_REFERENCE ? SG_STRATEGY_AUTO : strategy;
    c.threads = backend == SG_BACKEND_REFERENCE ? 1 : threads;
    c.precision = se->precision;
    c.max_seconds = 1e9; /* the bench's own limit applies */
    return c;
}

static void skip(bench_results *res, const sg_sweep_config *c, double need,
                 int all_threads)
{
    if (res->n_skipped < MAX_ROWS)
        snprintf(res->skipped[res->n_skipped++], 128,
                 "%s %s %s, %d thread(s), %llu x %llu: about %.0f s",
                 sg_backend_name(c->backend), sg_strategy_name(c->strategy),
                 sg_precision_name(c->precision),
                 c->threads ? c->threads : all_threads,
                 (unsigned long long)c->params.count,
                 (unsigned long long)c->tokens.count, need);
}

/* Whether a series can run: exact serves the Chinchilla form only, f32
 * the Chinchilla form on the CPU backends with the dense strategies. */
static int series_applies(const bench_plan *b, const bench_series *se)
{
    int chinchilla = b->law.form == SG_FORM_CHINCHILLA;
    if (se->strategy == SG_STRATEGY_EXACT && !chinchilla)
        return 0;
    if (se->precision == SG_PRECISION_F32)
        return chinchilla && se->backend != SG_BACKEND_CUDA &&
               se->strategy != SG_STRATEGY_EXACT;
    return 1;
}

/* An explicitly asked precision must have something to time: f32 refuses
 * a plan of only the CUDA backend or only the exact strategy rather than
 * printing an empty table. */
static int check_precisions_apply(const bench_options *o, const bench_plan *b)
{
    for (int x = 0; o->precisions && x < b->n_precisions; x++) {
        int any = 0;
        for (int i = 0; i < b->n_backends; i++)
            for (int s = 0; s < b->n_strategies; s++) {
                bench_series se = {b->backends[i], b->strategies[s],
                                   b->precisions[x]};
                /* the reference backend runs whatever strategy is listed */
                if (se.backend == SG_BACKEND_REFERENCE)
                    se.strategy = SG_STRATEGY_AUTO;
                any |= series_applies(b, &se);
            }
        if (!any)
            return cli_usage_error("bench", "precision %s has nothing to time "
                                   "here: it runs on the reference and "
                                   "openmp backends with direct or factored",
                                   sg_precision_name(b->precisions[x]));
    }
    return 0;
}

/* One backend, strategy and precision over every size and thread count. */
static int run_series(const bench_plan *b, const bench_series *se,
                      bench_results *res, int quiet)
{
    sg_error err;
    sg_backend backend = se->backend;
    if (!series_applies(b, se))
        return 0;
    sg_sweep_config probe = config_for(b, se, 1 << 20, 0);
    if (sg_bench_validate(&probe, &err) != SG_OK)
        return cli_report(&err);
    int n_threads = backend == SG_BACKEND_REFERENCE ? 1 : b->n_threads;
    for (int s = 0; s < b->n_sizes; s++) {
        /* this size's thread counts, timed together (sg_bench_time) */
        sg_sweep_config timed[SG_BENCH_INTERLEAVED_MAX];
        int n_timed = 0;
        for (int t = 0; t < n_threads; t++) {
            sg_sweep_config c = config_for(b, se, b->sizes[s], b->threads[t]);
            double need = sg_sweep_estimated_seconds(&c) * (b->repeats + 1);
            if (need > b->max_seconds)
                skip(res, &c, need, b->all_threads);
            else
                timed[n_timed++] = c;
        }
        if (n_timed == 0)
            continue;
        if (res->n_rows + n_timed > MAX_ROWS)
            return cli_usage_error("bench", "too many configurations");
        if (!quiet)
            fprintf(stderr, "\r\033[K  timing %s %s %s, %d thread count(s), "
                    "%llu x %llu",
                    sg_backend_name(backend), sg_strategy_name(timed[0].strategy),
                    sg_precision_name(timed[0].precision), n_timed,
                    (unsigned long long)timed[0].params.count,
                    (unsigned long long)timed[0].tokens.count);
        if (sg_bench_time(timed, n_timed, b->repeats, &res->rows[res->n_rows],
                          &err) != SG_OK)
            return cli_report(&err);
        res->n_rows += n_timed;
    }
    if (!quiet)
        fputs("\r\033[K", stderr);
    return 0;
}

/* The reference's rate on the largest grid it ran in a precision (0 if it
 * did not). */
static double reference_rate(const bench_results *res, sg_precision precision)
{
    double rate = 0, points = 0;
    for (int i = 0; i < res->n_rows; i++)
        if (res->rows[i].backend == SG_BACKEND_REFERENCE &&
            res->rows[i].precision == precision &&
            res->rows[i].points >= points) {
            points = res->rows[i].points;
            rate = res->rows[i].points_per_second;
        }
    return rate;
}

/* Core-cycles per point (0 where the clock was not measured). */
static double cycles_per_point(const sg_bench_limits *m, const sg_bench_row *r)
{
    return (double)r->threads * m->clock_hz / r->points_per_second;
}

static double fraction_of_peak(const sg_bench_limits *m, const sg_bench_row *r)
{
    double ops = sg_bench_ops_per_point(r->backend, r->strategy, r->precision);
    /* f32: 8 lanes per vector where FP64 has 4 */
    double lanes = r->precision == SG_PRECISION_F32 ? 2.0 : 1.0;
    double peak = lanes * m->fma_flops_one * r->threads;
    return ops > 0 ? ops * r->points_per_second / peak : 0;
}

static void print_table(const sg_bench_limits *m, const bench_results *res)
{
    printf("machine: %d threads, clock %.2f GHz (measured), FP64 FMA peak "
           "%.1f GFLOP/s per thread, %.1f GFLOP/s all threads%s\n\n",
           m->threads, m->clock_hz / 1e9, m->fma_flops_one / 1e9,
           m->fma_flops_all / 1e9, m->vector_fma ? "" : " (scalar, no FMA)");
    printf("| backend | strategy | precision | threads | grid | points | "
           "seconds | points/s | best points/s | cycles/pt | %%peak | x ref "
           "|\n");
    printf("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (int i = 0; i < res->n_rows; i++) {
        const sg_bench_row *r = &res->rows[i];
        double ref = reference_rate(res, r->precision);
        double peak = fraction_of_peak(m, r);
        char points[32], peak_text[16], ratio[16];
        sg_format_sci(points, sizeof points, r->points);
        snprintf(peak_text, sizeof peak_text, peak > 0 ? "%.1f%%" : "-",
                 100 * peak);
        snprintf(ratio, sizeof ratio, ref > 0 ? "%.0f" : "-",
                 r->points_per_second / ref);
        printf("| %s | %s | %s | %d | %llu x %llu | %s | %.4f | %.3g | %.3g "
               "| %.2f | %s | %s |\n",
               sg_backend_name(r->backend), sg_strategy_name(r->strategy),
               sg_precision_name(r->precision),
               r->threads, (unsigned long long)r->rows,
               (unsigned long long)r->cols, points, r->seconds,
               r->points_per_second, r->points / r->best_seconds,
               cycles_per_point(m, r), peak_text, ratio);
    }
    for (int i = 0; i < res->n_skipped; i++)
        printf("%sskipped (over --max-seconds): %s\n", i ? "" : "\n",
               res->skipped[i]);
}

static int print_json(const sg_bench_limits *m, const bench_results *res)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON *mach = cJSON_AddObjectToObject(doc, "machine");
    cli_add_number(mach, "threads", m->threads);
    cli_add_number(mach, "clock_hz", m->clock_hz);
    cli_add_number(mach, "fma_flops_per_thread", m->fma_flops_one);
    cli_add_number(mach, "fma_flops_all_threads", m->fma_flops_all);
    cJSON *rows = cJSON_AddArrayToObject(doc, "results");
    for (int i = 0; i < res->n_rows; i++) {
        const sg_bench_row *r = &res->rows[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "backend", sg_backend_name(r->backend));
        cJSON_AddStringToObject(o, "strategy", sg_strategy_name(r->strategy));
        cJSON_AddStringToObject(o, "precision",
                                sg_precision_name(r->precision));
        cli_add_number(o, "threads", r->threads);
        cli_add_number(o, "rows", (double)r->rows);
        cli_add_number(o, "cols", (double)r->cols);
        cli_add_number(o, "levels", r->levels);
        cli_add_number(o, "points", r->points);
        cli_add_number(o, "seconds", r->seconds);
        cli_add_number(o, "points_per_second", r->points_per_second);
        cli_add_number(o, "best_seconds", r->best_seconds);
        cli_add_number(o, "cycles_per_point", cycles_per_point(m, r));
        cli_add_number(o, "fraction_of_peak", fraction_of_peak(m, r));
        cJSON_AddItemToArray(rows, o);
    }
    cJSON *skipped = cJSON_AddArrayToObject(doc, "skipped");
    for (int i = 0; i < res->n_skipped; i++)
        cJSON_AddItemToArray(skipped, cJSON_CreateString(res->skipped[i]));
    return cli_print_json(doc);
}

int cli_bench(int argc, char **argv)
{
    bench_options o = {0};
    int rc = parse_bench(argc, argv, &o);
    if (rc)
        return rc < 0 ? 0 : rc;
    bench_plan plan;
    memset(&plan, 0, sizeof plan);
    if ((rc = plan_lists(&o, &plan)) || (rc = check_applicable(&o, &plan)) ||
        (rc = plan_numbers(&o, &plan)) ||
        (rc = check_precisions_apply(&o, &plan)))
        return rc;
    sg_bench_limits machine;
    sg_bench_machine(&machine);
    plan.all_threads = machine.threads;
    bench_results *res = calloc(1, sizeof *res);
    if (!res)
        return SG_ERR_RUNTIME;
    int quiet = o.json || !isatty(STDERR_FILENO);
    for (int b = 0; b < plan.n_backends && !rc; b++)
        for (int x = 0; x < plan.n_precisions && !rc; x++) {
            bench_series se = {plan.backends[b], SG_STRATEGY_AUTO,
                               plan.precisions[x]};
            if (se.backend == SG_BACKEND_REFERENCE) {
                rc = run_series(&plan, &se, res, quiet);
                continue;
            }
            for (int s = 0; s < plan.n_strategies && !rc; s++) {
                se.strategy = plan.strategies[s];
                rc = run_series(&plan, &se, res, quiet);
            }
        }
    if (!rc) {
        if (o.json)
            rc = print_json(&machine, res);
        else
            print_table(&machine, res);
    }
    free(res);
    return rc;
}
