/* scalegrid sweep: the dense grid, its frontiers, the tables. */
#include "cli.h"
#include "plot.h"

#include <cjson/cJSON.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_OUT_DIR "scalegrid-out"
/* Frontier rows shown in the terminal summary (the files have them all). */
#define SUMMARY_ROWS 10

static const char sweep_help[] =
    "usage: scalegrid sweep [CONFIG.json] [--law NAME] [--set K=V,...]\n"
    "                       [--params LO:HI:COUNT] [--tokens LO:HI:COUNT]\n"
    "                       [--loss-levels LO:HI:COUNT|COUNT]\n"
    "                       [--flops-levels LO:HI:COUNT|COUNT]\n"
    "                       [--backend auto|reference|openmp|cuda]\n"
    "                       [--strategy auto|direct|factored|exact]\n"
    "                       [--precision f64|f32] [--threads N]\n"
    "                       [--out DIR] [--plot | --no-plot]\n"
    "                       [--plot-format svg,png,pdf] [--json] [--quiet]\n"
    "                       [--unique-tokens U] [--inference-tokens T]\n"
    "                       [--flops-per-token 6N|deepseek --seq-len S\n"
    "                        --aspect-ratio R] [--gpu-flops F --mfu U\n"
    "                        [--price P]]\n"
    "\n"
    "Evaluates L(N, D) and C = 6 N D at every point of a log-spaced grid and\n"
    "keeps, for each loss level, the point with the least compute (the\n"
    "efficient frontier) and, for each compute level, the point with the\n"
    "least loss. What is not given takes the built-in default (`scalegrid`\n"
    "alone runs it): chinchilla, N 1e7..1e13, D 1e8..1e14, 16384 x 16384\n"
    "points, 1024 loss levels and 256 compute levels spanning the grid.\n"
    "\n"
    "  CONFIG.json       a JSON config (see examples/); options override it\n"
    "  --law NAME        a preset (scalegrid laws); default chinchilla\n"
    "  --set K=V,...     override constants, e.g. --set alpha=0.3,E=1.8\n"
    "  --params LO:HI:COUNT   parameters axis, log-spaced, endpoints included\n"
    "  --tokens LO:HI:COUNT   tokens axis (numbers take K, M, B, T: 1.4T)\n"
    "  --loss-levels LO:HI:COUNT  loss levels, linear; COUNT alone spans the\n"
    "                    grid's loss range. Level l owns losses in (l - w, l].\n"
    "  --flops-levels LO:HI:COUNT compute levels in FLOPs, log-spaced; COUNT\n"
    "                    alone spans the grid's compute range\n"
    "  --backend B       auto (cuda when a GPU is present and the grid has\n"
    "                    2^26 points or more, else openmp), reference\n"
    "                    (scalar oracle), openmp (threads + SIMD), cuda\n"
    "                    (an NVIDIA GPU, compute capability 8.0+)\n"
    "  --strategy S      auto (= factored; direct for laws that do not\n"
    "                    separate), direct (the full law at every\n"
    "                    point), factored (row and column terms combined per\n"
    "                    point), exact (only where a row crosses a level:\n"
    "                    Chinchilla form); all give the same frontier\n"
    "  --precision P     f64 (default: every backend picks bit-identical\n"
    "                    points) or f32 (the law in single precision,\n"
    "                    Chinchilla form, CPU backends: ~2x factored and\n"
    "                    ~20x direct throughput; a point within ~1e-6 of a\n"
    "                    level may land in the next band). Reported values\n"
    "                    are recomputed in double either way\n"
    "  --threads N       OpenMP threads (default: all)\n"
    "  --max-seconds S   refuse sweeps estimated to take longer (default\n"
    "                    3600; the estimate is conservative)\n"
    "  --out DIR         output directory (default ./scalegrid-out): writes\n"
    "                    frontier.csv, cumulative.csv, isoflop.csv, sweep.json\n"
    "  --plot            also draw contours.svg (iso-loss contours and the\n"
    "                    efficient frontier) and frontier.svg (N, D and D/N\n"
    "                    against compute); on by default for the built-in\n"
    "                    default run, off otherwise; --no-plot turns it off\n"
    "  --plot-format F   svg, png, pdf or a list: svg,png,pdf (default svg)\n"
    "  --json            print sweep.json's object on stdout instead of the\n"
    "                    summary\n"
    "  --quiet           print nothing on success\n"
    "  --reproducible    leave out of sweep.json what depends on how the\n"
    "                    sweep ran (backend, strategy, threads, seconds,\n"
    "                    and the config's choice of them), so the same\n"
    "                    inputs give byte-identical files\n"
    "\n"
    "Beyond 6 N D and closed forms (the tables gain columns for each):\n"
    CLI_UNIQUE_TOKENS_HELP
    "                    (column epochs = D/U; auto strategy: direct)\n"
    CLI_COUNT_HELP
    "                    (columns training_flops, inference_flops,\n"
    "                    total_flops; levels and ranking use the total)\n"
    CLI_COST_HELP
    "                    (columns gpu_hours and cost, of the total FLOPs)\n"
    "Every table ends with a flop_count column naming the FLOP count.\n"
    "\n"
    "Sweeps longer than a second show a progress bar on stderr when it is a\n"
    "terminal. SIGINT or SIGTERM stops a sweep within a fraction of a second;\n"
    "no output file is left and the exit code is 128 + the signal number.\n"
    "  --help            this text\n";

typedef struct {
    cli_law_options law;
    cli_count_options count;
    cli_cost_options cost;
    const char *params, *tokens, *loss_levels, *flops_levels;
    const char *backend, *strategy, *precision, *threads, *max_seconds, *out;
    const char *plot_format;
    int json, quiet, reproducible;
    int plot; /* 1 on, 0 off, -1 the default (on for the built-in run) */
} sweep_options;

/* cli_own_option for sweep's options. */
static int sweep_option(int c, const char *value, void *command_options)
{
    sweep_options *o = command_options;
    switch (c) {
    case 'N': o->params = value; return CLI_OPTION_TAKEN;
    case 'D': o->tokens = value; return CLI_OPTION_TAKEN;
    case 'L': o->loss_levels = value; return CLI_OPTION_TAKEN;
    case 'C': o->flops_levels = value; return CLI_OPTION_TAKEN;
    case 'b': o->backend = value; return CLI_OPTION_TAKEN;
    case 'S': o->strategy = value; return CLI_OPTION_TAKEN;
    case 'x': o->precision = value; return CLI_OPTION_TAKEN;
    case 't': o->threads = value; return CLI_OPTION_TAKEN;
    case 'T': o->max_seconds = value; return CLI_OPTION_TAKEN;
    case 'o': o->out = value; return CLI_OPTION_TAKEN;
    case 'j': o->json = 1; return CLI_OPTION_TAKEN;
    case 'q': o->quiet = 1; return CLI_OPTION_TAKEN;
    case 'r': o->reproducible = 1; return CLI_OPTION_TAKEN;
    case 'p':
    case 'P':
        if (o->plot >= 0) /* one of them already given */
            return cli_usage_error("sweep", "--plot and --no-plot "
                                   "contradict each other: give one");
        o->plot = c == 'p';
        return CLI_OPTION_TAKEN;
    case 'F': o->plot_format = value; return CLI_OPTION_TAKEN;
    default: return CLI_OPTION_NOT_MINE;
    }
}

static int parse_sweep(int argc, char **argv, sweep_options *o)
{
    static const struct option options[] = {
        {"params", required_argument, NULL, 'N'},
        {"tokens", required_argument, NULL, 'D'},
        {"loss-levels", required_argument, NULL, 'L'},
        {"flops-levels", required_argument, NULL, 'C'},
        {"backend", required_argument, NULL, 'b'},
        {"strategy", required_argument, NULL, 'S'},
        {"precision", required_argument, NULL, 'x'},
        {"threads", required_argument, NULL, 't'},
        {"max-seconds", required_argument, NULL, 'T'},
        {"out", required_argument, NULL, 'o'},
        {"json", no_argument, NULL, 'j'},
        {"quiet", no_argument, NULL, 'q'},
        {"reproducible", no_argument, NULL, 'r'},
        {"plot", no_argument, NULL, 'p'},
        {"no-plot", no_argument, NULL, 'P'},
        {"plot-format", required_argument, NULL, 'F'},
        CLI_PLANNING_OPTIONS_END};
    int rc = cli_parse_planning("sweep", argc, argv, options, sweep_help,
                                &o->law, &o->count, &o->cost, sweep_option, o);
    if (rc)
        return rc;
    if (o->json && o->quiet)
        return cli_usage_error("sweep", "--json prints the result and --quiet "
                               "nothing: give one");
    return 0;
}

/* The built-in default run: nothing that changes what is swept was given. */
static int is_default_run(const sweep_options *o)
{
    return !o->law.config_path && !o->law.law_name && !o->law.n_settings &&
           !o->law.unique_tokens && !o->params && !o->tokens &&
           !o->loss_levels && !o->flops_levels && !o->count.per_token &&
           !o->count.seq_len && !o->count.aspect_ratio &&
           !o->count.inference_tokens;
}

/* The FLOP count and the cost model: options over the config's. */
static int apply_costs(const sweep_options *o, sg_sweep_config *c)
{
    return cli_costs_over("sweep", &o->count, &o->cost, &c->flop_count,
                          &c->cost_model);
}

/* Whether to plot and in which formats; prints and returns 2 on a bad
 * format list. */
static int plot_choice(const sweep_options *o, int *plot, unsigned *formats)
{
    *plot = o->plot >= 0 ? o->plot : is_default_run(o);
    *formats = SG_PLOT_SVG;
    if (!o->plot_format)
        return 0;
    if (o->plot == 0)
        return cli_usage_error("sweep", "--plot-format asks for plots and "
                               "--no-plot for none: give one");
    sg_error err;
    if (sg_plot_parse_formats(o->plot_format, formats, &err) != SG_OK)
        return cli_usage_error("sweep", "--plot-format: %s", err.message);
    if (o->plot < 0)
        *plot = 1; /* asking for formats asks for plots */
    return 0;
}

static int option_error(const char *option, const sg_error *err)
{
    return cli_usage_error("sweep", "%s: %s", option, err->message);
}

static int apply_threads(const char *text, int *out)
{
    double value;
    if (cli_number("sweep", "--threads", text, &value))
        return SG_ERR_INPUT;
    if (value != (int)value || value < 0 || value > 4096)
        return cli_usage_error("sweep", "--threads must be a whole number "
                               "from 0 (all) to 4096 (got %s)", text);
    *out = (int)value;
    return 0;
}

/* Command-line options override the config file, which overrides the
 * built-in default. */
static int apply_options(const sweep_options *o, sg_sweep_config *c)
{
    sg_error err;
    if (o->params && sg_parse_axis(o->params, &c->params, &err) != SG_OK)
        return option_error("--params", &err);
    if (o->tokens && sg_parse_axis(o->tokens, &c->tokens, &err) != SG_OK)
        return option_error("--tokens", &err);
    if (o->loss_levels &&
        sg_parse_levels(o->loss_levels, &c->loss_levels, &err) != SG_OK)
        return option_error("--loss-levels", &err);
    if (o->flops_levels &&
        sg_parse_levels(o->flops_levels, &c->flops_levels, &err) != SG_OK)
        return option_error("--flops-levels", &err);
    if (o->backend && sg_backend_from_name(o->backend, &c->backend, &err) != SG_OK)
        return option_error("--backend", &err);
    if (o->strategy &&
        sg_strategy_from_name(o->strategy, &c->strategy, &err) != SG_OK)
        return option_error("--strategy", &err);
    if (o->precision &&
        sg_precision_from_name(o->precision, &c->precision, &err) != SG_OK)
        return option_error("--precision", &err);
    if (o->threads && apply_threads(o->threads, &c->threads))
        return SG_ERR_INPUT;
    if (o->max_seconds) {
        if (cli_number("sweep", "--max-seconds", o->max_seconds,
                       &c->max_seconds))
            return SG_ERR_INPUT;
        if (!(c->max_seconds > 0))
            return cli_usage_error("sweep", "--max-seconds must be positive "
                                   "(got %s)", o->max_seconds);
    }
    return 0;
}

static int build_config(const sweep_options *o, sg_sweep_config *c,
                        char *out_dir, size_t out_dir_size)
{
    sg_sweep_config_default(c);
    snprintf(out_dir, out_dir_size, "%s", DEFAULT_OUT_DIR);
    sg_error err;
    if (o->law.config_path &&
        sg_config_load(o->law.config_path, c, NULL, out_dir, out_dir_size,
                       &err) != SG_OK)
        return cli_report(&err);
    cli_law_options law = o->law;
    law.config_path = NULL; /* already applied with the rest of the file */
    if (law.law_name || law.n_settings) {
        double config_unique_tokens = c->law.unique_tokens;
        law.unique_tokens = NULL; /* applied below, with or without --law */
        int rc = cli_resolve_law_unvalidated(&law, "sweep", &c->law);
        if (rc)
            return rc;
        if (c->law.form == SG_FORM_MUENNIGHOFF && !c->law.unique_tokens)
            c->law.unique_tokens = config_unique_tokens;
    }
    if (o->law.unique_tokens) {
        int rc = cli_apply_unique_tokens("sweep", o->law.unique_tokens,
                                         &c->law);
        if (rc)
            return rc;
    }
    if (o->out) {
        if (strlen(o->out) >= out_dir_size)
            return cli_usage_error("sweep", "--out path is too long");
        strcpy(out_dir, o->out);
    }
    int rc = apply_options(o, c);
    if (!rc)
        rc = apply_costs(o, c);
    if (rc)
        return rc;
    if (sg_sweep_config_validate(c, &err) != SG_OK)
        return cli_report(&err);
    return 0;
}

/* ------------------------------------------------------------ summary */

static void print_axis(const char *label, const sg_axis *axis)
{
    char lo[32], hi[32];
    sg_format_count(lo, sizeof lo, axis->lo);
    sg_format_count(hi, sizeof hi, axis->hi);
    printf("  %-8s %s .. %s, %llu points (log-spaced)\n", label, lo, hi,
           (unsigned long long)axis->count);
}

static void print_law_line(const sg_law *law)
{
    printf("scalegrid sweep: %s, L = %s\n", law->name, sg_law_formula(law));
    printf("  ");
    for (size_t i = 0; i < sg_law_constant_count(law); i++)
        printf("%s%s = %.8g", i ? ", " : "", sg_law_constant_name(law, i),
               sg_law_constant_value(law, i));
    if (law->form == SG_FORM_MUENNIGHOFF) {
        char u[32];
        sg_format_count(u, sizeof u, law->unique_tokens);
        printf("; U = %s unique tokens", u);
    }
    printf("\n  source: %s; counts %s\n", law->source,
           sg_convention_name(law->convention));
}

static void print_header(const sg_sweep_config *c, const sg_sweep_result *r)
{
    print_law_line(&c->law);
    print_axis("params", &c->params);
    print_axis("tokens", &c->tokens);
    char pts[32], rate[32], clo[32], chi[32], count[256];
    sg_format_sci(pts, sizeof pts, (double)r->points);
    sg_format_sci(rate, sizeof rate,
                  r->seconds > 0 ? (double)r->points / r->seconds : 0);
    sg_format_sci(clo, sizeof clo, r->flops_levels.lo);
    sg_format_sci(chi, sizeof chi, r->flops_levels.hi);
    sg_flop_count_describe(&c->flop_count, count, sizeof count);
    printf("  cost     %s\n", count);
    printf("  levels   %u loss levels %.6g .. %.6g; %u compute levels %s .. %s "
           "FLOPs\n",
           r->loss_levels.count, r->loss_levels.lo, r->loss_levels.hi,
           r->flops_levels.count, clo, chi);
    printf("  backend  %s, strategy %s, %s, %d thread%s%s\n",
           sg_backend_name(r->backend), sg_strategy_name(r->strategy),
           sg_precision_name(c->precision),
           r->threads, r->threads == 1 ? "" : "s",
           sg_openmp_threads_available() ? "" : " (built without OpenMP)");
    if (r->backend_note[0])
        printf("           %s\n", r->backend_note);
    printf("  time     %.3f s for %s points: %s points/s\n\n", r->seconds, pts,
           rate);
}

/* Indices of up to SUMMARY_ROWS non-empty rows, evenly spread. */
static int pick_rows(const sg_frontier_row *rows, uint32_t count,
                     uint32_t *picked)
{
    uint32_t filled = 0;
    for (uint32_t k = 0; k < count; k++)
        filled += !rows[k].empty;
    int want = filled < SUMMARY_ROWS ? (int)filled : SUMMARY_ROWS;
    int n = 0;
    uint32_t seen = 0;
    for (uint32_t k = 0; k < count && n < want; k++) {
        if (rows[k].empty)
            continue;
        uint64_t target =
            want > 1 ? (uint64_t)n * (filled - 1) / (uint64_t)(want - 1) : 0;
        if (seen == target)
            picked[n++] = k;
        seen++;
    }
    return n;
}

/* The optional columns of the summary tables, as in the CSV files. */
static void print_extra_headers(const sg_sweep_config *c)
{
    if (c->law.form == SG_FORM_MUENNIGHOFF)
        printf(" %7s", "epochs");
    if (c->flop_count.inference_tokens > 0)
        printf(" %10s", "total");
    if (sg_cost_model_given(&c->cost_model))
        printf(" %10s", "GPU-hours");
    if (c->cost_model.price > 0)
        printf(" %10s", "cost");
}

static void print_extras(const sg_sweep_config *c, const sg_frontier_row *r)
{
    char buf[32];
    if (c->law.form == SG_FORM_MUENNIGHOFF)
        printf(" %7.2f", r->tokens / c->law.unique_tokens);
    if (c->flop_count.inference_tokens > 0) {
        sg_format_sci(buf, sizeof buf, r->total_flops);
        printf(" %10s", buf);
    }
    double hours = sg_gpu_hours(&c->cost_model, r->total_flops);
    if (sg_cost_model_given(&c->cost_model)) {
        sg_format_sci(buf, sizeof buf, hours);
        printf(" %10s", buf);
    }
    if (c->cost_model.price > 0) {
        sg_format_sci(buf, sizeof buf, hours * c->cost_model.price);
        printf(" %10s", buf);
    }
}

static void print_point_columns(const sg_frontier_row *r)
{
    char n[32], d[32], c[32], p[32];
    sg_format_count(n, sizeof n, r->params);
    sg_format_count(d, sizeof d, r->tokens);
    sg_format_sci(c, sizeof c, r->flops);
    sg_format_sci(p, sizeof p, r->flops / SG_FLOPS_PER_PF_DAY);
    printf("%9s %9s %11.1f %10s %10s", n, d, r->tokens / r->params, c, p);
}

/* Whether a closed-form optimum lies within the grid's axes (if not, the
 * grid cannot come close to it and the gap says nothing about resolution). */
static int on_grid(const sg_sweep_config *c, const sg_optimum *opt)
{
    return opt->params >= c->params.lo && opt->params <= c->params.hi &&
           opt->tokens >= c->tokens.lo && opt->tokens <= c->tokens.hi;
}

/* The gap to the optimum: closed form, or the 1-D search where the law or
 * the cost has none. */
static void print_gap(const sg_sweep_config *c, const sg_frontier_row *row)
{
    sg_optimum opt;
    if (sg_optimal_for_loss_counted(&c->law, &c->flop_count, row->level,
                                    SG_METHOD_AUTO, &opt, NULL) != SG_OK)
        printf(" %12s", "");
    else if (!on_grid(c, &opt))
        printf(" %12s", "off-grid");
    else
        printf(" %+11.3f%%", 100.0 * (row->total_flops / opt.total_flops - 1.0));
}

static int has_closed_form(const sg_sweep_config *c)
{
    return c->law.form != SG_FORM_MUENNIGHOFF &&
           sg_flop_count_plain(&c->flop_count);
}

static void print_iso_loss(const sg_sweep_config *c, const sg_sweep_result *r)
{
    uint32_t picked[SUMMARY_ROWS];
    int n = pick_rows(r->iso_loss, r->loss_levels.count, picked);
    printf("Efficient frontier: least %s per loss level (%d of %u rows)\n",
           sg_flop_count_plain(&c->flop_count) ? "compute" : "cost", n,
           r->loss_levels.count);
    printf("  %10s %9s %9s %11s %10s %10s %12s", "loss", "params", "tokens",
           "tokens/par", "FLOPs", "PF-days",
           has_closed_form(c) ? "vs closed" : "vs search");
    print_extra_headers(c);
    printf("\n");
    for (int i = 0; i < n; i++) {
        const sg_frontier_row *row = &r->iso_loss[picked[i]];
        printf("  %10.5f ", row->level);
        print_point_columns(row);
        print_gap(c, row);
        print_extras(c, row);
        printf("\n");
    }
}

static void print_iso_flops(const sg_sweep_config *c, const sg_sweep_result *r)
{
    uint32_t picked[SUMMARY_ROWS];
    int n = pick_rows(r->iso_flops, r->flops_levels.count, picked);
    printf("\nCompute-optimal: least loss per %s level (%d of %u rows)\n",
           sg_flop_count_plain(&c->flop_count) ? "compute" : "cost", n,
           r->flops_levels.count);
    printf("  %10s %9s %9s %11s %10s %10s %12s", "budget", "params",
           "tokens", "tokens/par", "FLOPs", "PF-days", "loss");
    print_extra_headers(c);
    printf("\n");
    for (int i = 0; i < n; i++) {
        const sg_frontier_row *row = &r->iso_flops[picked[i]];
        char level[32];
        sg_format_sci(level, sizeof level, row->level);
        printf("  %10s ", level);
        print_point_columns(row);
        printf(" %12.5f", row->loss);
        print_extras(c, row);
        printf("\n");
    }
}

static void print_summary(const sg_sweep_config *c, const sg_sweep_result *r,
                          const char *out_dir, int plot, unsigned formats)
{
    print_header(c, r);
    print_iso_loss(c, r);
    print_iso_flops(c, r);
    printf("\nFiles: %s/frontier.csv, cumulative.csv, isoflop.csv, sweep.json",
           out_dir);
    for (unsigned f = 1; plot && f <= SG_PLOT_PDF; f <<= 1)
        if (formats & f)
            printf(", contours.%s, frontier.%s", sg_plot_format_ext(f),
                   sg_plot_format_ext(f));
    printf("\n");
}

/* The signal that asked us to stop, 0 while none did. */
static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int signo)
{
    stop_signal = signo;
}

static void catch_stop_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* A cancelled run: one line, exit 128 + the signal's number. */
static int report_stopped(void)
{
    fprintf(stderr, "scalegrid: stopped by %s; no output written\n",
            stop_signal == SIGINT ? "SIGINT" : "SIGTERM");
    return 128 + (int)stop_signal;
}

/* A sweep that writes nothing leaves no trace: the output directory it
 * created for the files goes again (rmdir removes it only while empty, so
 * a file someone else put there keeps it). */
static void remove_new_empty_dir(const char *dir, int existed)
{
    if (!existed)
        (void)rmdir(dir);
}

int cli_sweep(int argc, char **argv)
{
    sweep_options o = {0};
    o.plot = -1;
    int rc = parse_sweep(argc, argv, &o);
    if (rc)
        return rc < 0 ? 0 : rc;
    int plot;
    unsigned formats;
    if ((rc = plot_choice(&o, &plot, &formats)))
        return rc;
    sg_sweep_config config;
    char out_dir[4096];
    if ((rc = build_config(&o, &config, out_dir, sizeof out_dir)))
        return rc;
    sg_error err;
    if (sg_sweep_check_levels_reachable(&config, &err) != SG_OK)
        return cli_report(&err);
    struct stat before;
    const int dir_existed = stat(out_dir, &before) == 0;
    /* Fail before the sweep, not after minutes of it. */
    if (sg_check_output_dir(out_dir, &err) != SG_OK)
        return cli_report(&err);
    catch_stop_signals();
    cli_progress progress;
    cli_progress_init(&progress, o.quiet || o.json);
    sg_control control = {&stop_signal, cli_progress_update, &progress};
    sg_output_options output = {o.reproducible, &control};
    sg_sweep_result result;
    sg_status st = sg_sweep_run_controlled(&config, &control, &result, &err);
    cli_progress_finish(&progress);
    if (st != SG_OK) {
        remove_new_empty_dir(out_dir, dir_existed);
        return st == SG_ERR_CANCELLED ? report_stopped() : cli_report(&err);
    }
    rc = 0;
    st = sg_write_outputs(out_dir, &config, &result, &output, &err);
    /* The tables are complete from here on; the plots take a fraction of a
     * second and are drawn even if a signal arrives meanwhile. */
    if (st == SG_OK && plot)
        st = sg_plot_sweep(out_dir, &config, &result, formats, &err);
    if (st == SG_OK)
        st = sg_plot_remove_stale(out_dir, plot ? formats : 0, &err);
    if (st != SG_OK)
        remove_new_empty_dir(out_dir, dir_existed);
    if (st == SG_ERR_CANCELLED) {
        rc = report_stopped();
    } else if (st != SG_OK) {
        rc = cli_report(&err);
    } else if (o.json) {
        char *text = sg_sweep_json(&config, &result, &output, &err);
        if (!text)
            rc = cli_report(&err);
        else
            puts(text);
        free(text);
    } else if (!o.quiet) {
        print_summary(&config, &result, out_dir, plot, formats);
    }
    sg_sweep_result_free(&result);
    return rc;
}
