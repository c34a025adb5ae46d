/*
 * Fitting laws to training runs: the Chinchilla data against Besiroglu et
 * al.'s refit, recovery of known constants, refusal of unidentifiable
 * input, the CSV reader, the bootstrap, and thread-count independence of
 * the grid stage.
 */
#include "test_util.h"
#include "fit.h"

#include <stdlib.h>
#include <unistd.h>

/* Run from the repository root (as make test does). */
#define CHINCHILLA_CSV "../shared/data/chinchilla_fig4_svg_extracted.csv"

/* Besiroglu et al. 2024 (arXiv 2404.10102): estimate and standard error. */
static const struct {
    const char *name;
    double estimate, standard_error;
} epoch[] = {
    {"E", 1.8172, 0.03},      {"A", 482.01, 124.58},
    {"B", 2085.43, 1293.23},  {"alpha", 0.3478, 0.02},
    {"beta", 0.3658, 0.02},
};

static char temp_dir[64];

/* ---------------------------------------------------------------- helpers */

static sg_fit_options options_at(double resolution)
{
    sg_fit_options o;
    sg_fit_options_default(&o);
    o.resolution = resolution;
    return o;
}

static int read_chinchilla(sg_runs *runs)
{
    if (access(CHINCHILLA_CSV, R_OK) != 0) {
        print_message("skipped: %s not found (run from the repository root "
                      "with ../shared/data present)\n",
                      CHINCHILLA_CSV);
        return 0;
    }
    sg_runs_csv_options o;
    sg_runs_csv_options_default(&o);
    o.params_column = "Model Size";
    o.flops_column = "Training FLOP";
    sg_error err;
    assert_ok(sg_runs_read_csv(CHINCHILLA_CSV, &o, runs, &err), err);
    assert_int_equal(runs->count, 245);
    assert_ok(sg_runs_drop_highest_loss(runs, 5, &err), err);
    assert_int_equal(runs->count, 240);
    return 1;
}

/* A standard normal draw (Box-Muller on the test generator). */
static double normal(test_rng *rng)
{
    double u = rng_uniform(rng), v = rng_uniform(rng);
    return sqrt(-2.0 * log(1.0 - u)) * cos(6.283185307179586 * v);
}

/* Runs of the law E + A/N^alpha + B/D^beta on 8 model sizes x 6
 * tokens-per-parameter ratios, each loss times exp(noise * normal). */
typedef struct {
    double E, A, B, alpha, beta;
} constants;

static void synthetic_runs(const constants *c, double noise, uint64_t seed,
                           sg_runs *runs)
{
    enum { SIZES = 8, RATIOS = 6, COUNT = SIZES * RATIOS };
    static const double ratios[RATIOS] = {2, 5, 10, 20, 50, 150};
    double n[COUNT], d[COUNT], l[COUNT];
    test_rng rng = {seed};
    for (int i = 0; i < SIZES; i++)
        for (int j = 0; j < RATIOS; j++) {
            int k = i * RATIOS + j;
            n[k] = 1e7 * pow(10.0, 3.0 * i / (SIZES - 1));
            d[k] = ratios[j] * n[k];
            l[k] = (c->E + c->A * pow(n[k], -c->alpha) +
                    c->B * pow(d[k], -c->beta)) *
                   exp(noise * normal(&rng));
        }
    sg_error err;
    assert_ok(sg_runs_from_arrays(COUNT, n, d, l, runs, &err), err);
}

static void write_file(const char *name, const char *text, char *path,
                       size_t size)
{
    snprintf(path, size, "%s/%s", temp_dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* ------------------------------------------------------ Chinchilla data */

/* Dropping the five highest-loss points leaves Besiroglu et al.'s 240 runs;
 * the fit lands within one standard error of every one of their estimates
 * and its objective is no worse than that of their constants. */
static void chinchilla_fit_lands_within_one_standard_error_of_epoch(
    void **state)
{
    (void)state;
    sg_runs runs;
    if (!read_chinchilla(&runs))
        skip();
    sg_fit_options o = options_at(1e-3);
    sg_fit_result r;
    sg_error err;
    assert_ok(sg_fit_chinchilla(&runs, &o, &r, &err), err);
    double fitted[] = {r.E, r.A, r.B, r.alpha, r.beta};
    for (size_t i = 0; i < sizeof epoch / sizeof epoch[0]; i++) {
        double gap = fabs(fitted[i] - epoch[i].estimate);
        if (gap > epoch[i].standard_error)
            fail_msg("%s = %g is %g from Epoch's %g (standard error %g)",
                     epoch[i].name, fitted[i], gap, epoch[i].estimate,
                     epoch[i].standard_error);
    }
    double theirs = sg_fit_objective(&runs, 1.8172, 482.01, 2085.43, 0.3478,
                                     0.3658, 1e-3);
    print_message("fit: E %.4f A %.2f B %.2f alpha %.4f beta %.4f, "
                  "objective %.8g (Epoch's constants: %.8g), %zu runs, "
                  "%.3g cells in %.3f s (total %.3f s)\n",
                  r.E, r.A, r.B, r.alpha, r.beta, r.objective, theirs,
                  r.runs_used, (double)r.cells, r.grid_seconds, r.seconds);
    assert_true(r.objective <= theirs);
    assert_int_equal(r.runs_used, 240);
    assert_int_equal(r.on_edge, 0);
    assert_rel(r.objective, sg_fit_objective(&runs, r.E, r.A, r.B, r.alpha,
                                             r.beta, 1e-3),
               1e-12);
    /* Eq. 4 allocation exponents: a = beta / (alpha + beta). */
    assert_rel(r.a, r.beta / (r.alpha + r.beta), 1e-12);
    assert_rel(r.a + r.b, 1.0, 1e-12);
    sg_runs_free(&runs);
}

/* The objective sums Huber terms (not their mean): quadratic within delta
 * of the log loss, linear beyond. */
static void objective_sums_huber_terms_of_log_residuals(void **state)
{
    (void)state;
    double n[] = {1e9, 1e9}, d[] = {2e10, 2e10};
    constants c = {1.7, 400, 1500, 0.34, 0.3};
    double law = c.E + c.A * pow(1e9, -c.alpha) + c.B * pow(2e10, -c.beta);
    double l[] = {law * exp(5e-4), law * exp(-0.01)};
    sg_runs runs;
    sg_error err;
    assert_ok(sg_runs_from_arrays(2, n, d, l, &runs, &err), err);
    double f = sg_fit_objective(&runs, c.E, c.A, c.B, c.alpha, c.beta, 1e-3);
    double expected = 0.5 * 5e-4 * 5e-4 + 1e-3 * (0.01 - 0.5e-3);
    assert_rel(f, expected, 1e-8);
    sg_runs_free(&runs);
}

/* ------------------------------------------------------------- recovery */

/* Noise-free runs from constants on the grid come back exactly. */
static void noise_free_runs_are_recovered_exactly(void **state)
{
    (void)state;
    constants c = {1.69, 406.4, 410.7, 0.34, 0.28};
    sg_runs runs;
    synthetic_runs(&c, 0.0, 1, &runs);
    sg_fit_options o = options_at(1e-2);
    sg_fit_result r;
    sg_error err;
    assert_ok(sg_fit_chinchilla(&runs, &o, &r, &err), err);
    assert_rel(r.E, c.E, 1e-6);
    assert_rel(r.A, c.A, 1e-5);
    assert_rel(r.B, c.B, 1e-5);
    assert_rel(r.alpha, c.alpha, 1e-6);
    assert_rel(r.beta, c.beta, 1e-6);
    assert_true(r.objective < 1e-15);
    sg_runs_free(&runs);
}

/* With 0.2% multiplicative noise (sigma of log L = 0.002) on 48 runs the
 * exponents come back within 0.01 and E within 1%; A and B, which trade off
 * against the exponents (A N^-alpha moves by ln N = 16..23 per unit of
 * alpha), within 20%; and the fitted law predicts every run's noise-free
 * loss within 0.5%. (Over seeds 1..20 the worst errors were 0.0065, 0.0045,
 * 0.4%, 10%, 8% and 0.34%.) */
static void noisy_runs_are_recovered_within_tolerance(void **state)
{
    (void)state;
    constants c = {1.8, 480, 2100, 0.35, 0.37};
    for (uint64_t seed = 1; seed <= 3; seed++) {
        sg_runs runs;
        synthetic_runs(&c, 0.002, seed, &runs);
        sg_fit_options o = options_at(2e-3);
        sg_fit_result r;
        sg_error err;
        assert_ok(sg_fit_chinchilla(&runs, &o, &r, &err), err);
        assert_true(fabs(r.alpha - c.alpha) <= 0.01);
        assert_true(fabs(r.beta - c.beta) <= 0.01);
        assert_rel(r.E, c.E, 0.01);
        assert_rel(r.A, c.A, 0.2);
        assert_rel(r.B, c.B, 0.2);
        for (size_t k = 0; k < runs.count; k++) {
            double truth = c.E + c.A * pow(runs.params[k], -c.alpha) +
                           c.B * pow(runs.tokens[k], -c.beta);
            double fit = r.E + r.A * pow(runs.params[k], -r.alpha) +
                         r.B * pow(runs.tokens[k], -r.beta);
            assert_rel(fit, truth, 0.005);
        }
        sg_runs_free(&runs);
    }
}

/* An exponent that lies beyond the grid is flagged. */
static void fit_at_the_grid_edge_is_flagged(void **state)
{
    (void)state;
    constants c = {1.69, 406.4, 410.7, 0.34, 0.28};
    sg_runs runs;
    synthetic_runs(&c, 0.0, 1, &runs);
    sg_fit_options o = options_at(1e-2);
    o.alpha_hi = 0.2;
    sg_fit_result r;
    sg_error err;
    assert_ok(sg_fit_chinchilla(&runs, &o, &r, &err), err);
    assert_true(r.on_edge & SG_FIT_EDGE_ALPHA);
    assert_false(r.on_edge & SG_FIT_EDGE_BETA);
    sg_runs_free(&runs);
}

/* ----------------------------------------------------------- degenerate */

static sg_status fit_arrays(size_t count, const double *n, const double *d,
                            const double *l, sg_error *err)
{
    sg_runs runs;
    sg_status st = sg_runs_from_arrays(count, n, d, l, &runs, err);
    if (st != SG_OK)
        return st;
    sg_fit_options o = options_at(1e-2);
    sg_fit_result r;
    st = sg_fit_chinchilla(&runs, &o, &r, err);
    sg_runs_free(&runs);
    return st;
}

static void too_few_runs_are_refused(void **state)
{
    (void)state;
    double n[] = {1e8, 3e8, 1e9, 3e9};
    double d[] = {2e9, 1e9, 5e10, 9e10};
    double l[] = {3.1, 3.0, 2.5, 2.4};
    sg_error err;
    assert_input_error(fit_arrays(4, n, d, l, &err), err, "at least 5 runs");
}

static void runs_of_one_model_size_are_refused(void **state)
{
    (void)state;
    double n[] = {1e9, 1e9, 1e9, 1e9, 1e9, 1e9};
    double d[] = {1e9, 2e9, 5e9, 1e10, 2e10, 5e10};
    double l[] = {3.1, 2.9, 2.7, 2.6, 2.5, 2.45};
    sg_error err;
    assert_input_error(fit_arrays(6, n, d, l, &err), err,
                       "same model size");
    assert_non_null(strstr(err.message, "alpha cannot be identified"));
}

static void runs_of_two_token_counts_are_refused(void **state)
{
    (void)state;
    double n[] = {1e8, 3e8, 1e9, 3e9, 1e10, 3e10};
    double d[] = {1e10, 2e10, 1e10, 2e10, 1e10, 2e10};
    double l[] = {3.1, 2.9, 2.7, 2.6, 2.5, 2.45};
    sg_error err;
    assert_input_error(fit_arrays(6, n, d, l, &err), err,
                       "only 2 distinct values of token count");
    assert_non_null(strstr(err.message, "beta"));
}

/* D = 20 N in every run: the N and D terms are two power laws of N. */
static void tokens_locked_to_params_are_refused(void **state)
{
    (void)state;
    double n[] = {1e8, 3e8, 1e9, 3e9, 1e10, 3e10};
    double d[6], l[6];
    for (int i = 0; i < 6; i++) {
        d[i] = 20 * n[i];
        l[i] = 1.7 + 400 * pow(n[i], -0.34) + 410 * pow(d[i], -0.28);
    }
    sg_error err;
    assert_input_error(fit_arrays(6, n, d, l, &err), err,
                       "cannot be told apart");
}

/* Loss that does not fall with N has no N term to fit. */
static void loss_flat_in_params_is_refused(void **state)
{
    (void)state;
    double n[12], d[12], l[12];
    for (int i = 0; i < 12; i++) {
        n[i] = 1e8 * pow(10.0, i % 4);
        d[i] = 1e9 * pow(10.0, i / 4 + (i % 4) * 0.1);
        l[i] = 1.7 + 410 * pow(d[i], -0.28);
    }
    sg_error err;
    assert_input_error(fit_arrays(12, n, d, l, &err), err, "no N term");
}

static void bad_fit_options_are_refused(void **state)
{
    (void)state;
    constants c = {1.69, 406.4, 410.7, 0.34, 0.28};
    sg_runs runs;
    synthetic_runs(&c, 0.0, 1, &runs);
    sg_fit_result r;
    sg_error err;
    sg_fit_options o = options_at(0.0);
    assert_input_error(sg_fit_chinchilla(&runs, &o, &r, &err), err,
                       "resolution");
    o = options_at(1e-2);
    o.alpha_lo = 1.0;
    o.alpha_hi = 0.5;
    assert_input_error(sg_fit_chinchilla(&runs, &o, &r, &err), err,
                       "alpha range");
    o = options_at(1e-2);
    o.huber_delta = -1;
    assert_input_error(sg_fit_chinchilla(&runs, &o, &r, &err), err, "delta");
    o = options_at(1e-2);
    o.polish_cells = o.refine_cells + 1;
    assert_input_error(sg_fit_chinchilla(&runs, &o, &r, &err), err,
                       "polish cells");
    sg_runs_free(&runs);
}

/* ------------------------------------------------------------ CSV reader */

static const char bad_rows_csv[] =
    "params,tokens,loss\n"  /* line 1 */
    "1e8,2e9,3.1\n"         /* 2 */
    "3e8,abc,2.9\n"         /* 3: not a number */
    "1e9,2e10,2.6\n"        /* 4 */
    "3e9,6e10\n"            /* 5: missing field */
    "1e10,2e11,nan\n"       /* 6: NaN */
    "3e10,-6e11,2.2\n"      /* 7: negative */
    "\n"                    /* 8: blank, ignored */
    "1e11,2e12,2.1\n";      /* 9 */

static void bad_rows_are_reported_with_their_lines(void **state)
{
    (void)state;
    char path[128];
    write_file("bad.csv", bad_rows_csv, path, sizeof path);
    sg_runs runs;
    sg_error err;
    assert_input_error(sg_runs_read_csv(path, NULL, &runs, &err), err,
                       "bad.csv:3: bad row: column 'tokens'");
    assert_non_null(strstr(err.message, "4 bad rows: lines 3, 5, 6, 7"));
    assert_null(runs.params);
}

static void skip_bad_rows_keeps_the_good_ones_and_lists_the_bad(void **state)
{
    (void)state;
    char path[128];
    write_file("bad.csv", bad_rows_csv, path, sizeof path);
    sg_runs_csv_options o;
    sg_runs_csv_options_default(&o);
    o.skip_bad_rows = 1;
    sg_runs runs;
    sg_error err;
    assert_ok(sg_runs_read_csv(path, &o, &runs, &err), err);
    assert_int_equal(runs.count, 3);
    assert_int_equal(runs.line[0], 2);
    assert_int_equal(runs.line[1], 4);
    assert_int_equal(runs.line[2], 9);
    assert_rel(runs.tokens[1], 2e10, 0);
    assert_int_equal(runs.skipped_count, 4);
    size_t expected[] = {3, 5, 6, 7};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(runs.skipped_lines[i], expected[i]);
    assert_non_null(strstr(runs.first_skip_reason, "tokens"));
    sg_runs_free(&runs);
}

static void all_bad_rows_leave_nothing_to_fit(void **state)
{
    (void)state;
    char path[128];
    write_file("allbad.csv", "params,tokens,loss\n1,2,x\n1,2,0\n", path,
               sizeof path);
    sg_runs_csv_options o;
    sg_runs_csv_options_default(&o);
    o.skip_bad_rows = 1;
    sg_runs runs;
    sg_error err;
    assert_input_error(sg_runs_read_csv(path, &o, &runs, &err), err,
                       "no usable rows");
}

static void flops_column_gives_tokens_as_c_over_6n(void **state)
{
    (void)state;
    char path[128];
    write_file("flops.csv", "N,C,L\n1e9,1.2e20,2.5\n2B,6e20,2.3\n", path,
               sizeof path);
    sg_runs_csv_options o = {"N", NULL, "L", "C", 0};
    sg_runs runs;
    sg_error err;
    assert_ok(sg_runs_read_csv(path, &o, &runs, &err), err);
    assert_int_equal(runs.count, 2);
    assert_rel(runs.tokens[0], 2e10, 1e-15);
    assert_rel(runs.params[1], 2e9, 0);
    assert_rel(runs.tokens[1], 5e10, 1e-15);
    sg_runs_free(&runs);
}

/* A row wider than the header has a value no column names: the columns may
 * be shifted, so it is a bad row like a short one, not read as if it fit. */
static void rows_with_more_fields_than_the_header_are_refused(void **state)
{
    (void)state;
    char path[128];
    write_file("wide.csv", "params,tokens,loss\n1e8,2e9,3.1\n1e9,1e10,2.5,7\n",
               path, sizeof path);
    sg_runs runs;
    sg_error err;
    assert_input_error(sg_runs_read_csv(path, NULL, &runs, &err), err,
                       "wide.csv:3: bad row: 4 fields, the header has 3");
    sg_runs_csv_options o;
    sg_runs_csv_options_default(&o);
    o.skip_bad_rows = 1;
    assert_ok(sg_runs_read_csv(path, &o, &runs, &err), err);
    assert_int_equal(runs.count, 1);
    assert_int_equal(runs.skipped_count, 1);
    assert_int_equal(runs.skipped_lines[0], 3);
    sg_runs_free(&runs);
}

static void missing_column_is_named_with_the_header_columns(void **state)
{
    (void)state;
    char path[128];
    write_file("cols.csv", "Model Size,Training FLOP,loss\n1,2,3\n", path,
               sizeof path);
    sg_runs runs;
    sg_error err;
    assert_input_error(sg_runs_read_csv(path, NULL, &runs, &err), err,
                       "no column 'params'");
    assert_non_null(
        strstr(err.message, "'Model Size', 'Training FLOP', 'loss'"));
}

static void quoted_fields_and_crlf_line_ends_are_read(void **state)
{
    (void)state;
    char path[128];
    write_file("quoted.csv",
               "\"params\",\"note, with comma\",tokens,\"loss\"\r\n"
               "1e9,\"a, \"\"quoted\"\" note\",2e10,2.5\r\n"
               "\"3e9\",plain,\"6e10\",\"2.25\"\r\n",
               path, sizeof path);
    sg_runs runs;
    sg_error err;
    assert_ok(sg_runs_read_csv(path, NULL, &runs, &err), err);
    assert_int_equal(runs.count, 2);
    assert_rel(runs.params[0], 1e9, 0);
    assert_rel(runs.tokens[0], 2e10, 0);
    assert_rel(runs.loss[0], 2.5, 0);
    assert_rel(runs.params[1], 3e9, 0);
    assert_rel(runs.loss[1], 2.25, 0);
    assert_int_equal(runs.line[1], 3);
    sg_runs_free(&runs);
}

static void missing_empty_and_header_only_files_are_refused(void **state)
{
    (void)state;
    char path[128];
    sg_runs runs;
    sg_error err;
    snprintf(path, sizeof path, "%s/absent.csv", temp_dir);
    assert_input_error(sg_runs_read_csv(path, NULL, &runs, &err), err,
                       "cannot open runs file");
    write_file("empty.csv", "", path, sizeof path);
    assert_input_error(sg_runs_read_csv(path, NULL, &runs, &err), err,
                       "is empty");
    write_file("header.csv", "params,tokens,loss\r\n", path, sizeof path);
    assert_input_error(sg_runs_read_csv(path, NULL, &runs, &err), err,
                       "no rows");
}

/* A directory opens for reading but fails on the first read: it must be
 * refused as bad input, like a missing file, not as a runtime failure. */
static void directory_as_runs_file_is_bad_input(void **state)
{
    (void)state;
    sg_runs runs;
    sg_error err;
    assert_input_error(sg_runs_read_csv(temp_dir, NULL, &runs, &err), err,
                       "is a directory");
    assert_null(runs.params);
}

static void dropping_highest_loss_keeps_order(void **state)
{
    (void)state;
    double n[] = {1, 2, 3, 4, 5}, d[] = {1, 2, 3, 4, 5};
    double l[] = {3.0, 5.0, 2.0, 4.0, 1.0};
    sg_runs runs;
    sg_error err;
    assert_ok(sg_runs_from_arrays(5, n, d, l, &runs, &err), err);
    assert_ok(sg_runs_drop_highest_loss(&runs, 2, &err), err);
    assert_int_equal(runs.count, 3);
    assert_rel(runs.loss[0], 3.0, 0);
    assert_rel(runs.loss[1], 2.0, 0);
    assert_rel(runs.loss[2], 1.0, 0);
    assert_input_error(sg_runs_drop_highest_loss(&runs, 3, &err), err,
                       "none would be left");
    sg_runs_free(&runs);
}

/* ------------------------------------------------------------- bootstrap */

static const double budgets[] = {1e20, 1e23};

static sg_fit_bootstrap_result bootstrap(const sg_runs *runs, uint64_t seed,
                                         int threads)
{
    sg_fit_options o = options_at(1e-2);
    o.threads = threads;
    sg_fit_bootstrap_result b;
    sg_error err;
    assert_ok(sg_fit_bootstrap(runs, &o, 40, seed, budgets, 2, &b, &err),
              err);
    return b;
}

static void assert_interval_holds(const sg_fit_interval *i, double point,
                                  const char *what)
{
    if (!(i->p2_5 <= i->p10 && i->p10 <= i->p90 && i->p90 <= i->p97_5))
        fail_msg("%s: interval out of order: %g %g %g %g", what, i->p2_5,
                 i->p10, i->p90, i->p97_5);
    if (!(i->p2_5 <= point && point <= i->p97_5))
        fail_msg("%s: point estimate %g outside [%g, %g]", what, point,
                 i->p2_5, i->p97_5);
}

static void bootstrap_intervals_are_ordered_and_hold_the_estimate(
    void **state)
{
    (void)state;
    constants c = {1.8, 480, 2100, 0.35, 0.37};
    sg_runs runs;
    synthetic_runs(&c, 0.005, 11, &runs);
    sg_fit_bootstrap_result b = bootstrap(&runs, 2024, 0);
    assert_int_equal(b.resamples, 40);
    assert_true(b.failed <= 2);
    assert_interval_holds(&b.E, b.point.E, "E");
    assert_interval_holds(&b.A, b.point.A, "A");
    assert_interval_holds(&b.B, b.point.B, "B");
    assert_interval_holds(&b.alpha, b.point.alpha, "alpha");
    assert_interval_holds(&b.beta, b.point.beta, "beta");
    assert_int_equal(b.budget_count, 2);
    for (size_t i = 0; i < b.budget_count; i++) {
        const sg_fit_budget *g = &b.budgets[i];
        assert_rel(g->flops, budgets[i], 0);
        assert_rel(6 * g->params * g->tokens, g->flops, 1e-9);
        assert_interval_holds(&g->params_interval, g->params, "N_opt");
        assert_interval_holds(&g->tokens_interval, g->tokens, "D_opt");
        assert_interval_holds(&g->loss_interval, g->loss, "loss");
    }
    print_message("bootstrap: alpha %.4f [%.4f, %.4f], %zu failed, "
                  "%.3g s per fit, %.2f s in all\n",
                  b.point.alpha, b.alpha.p2_5, b.alpha.p97_5, b.failed,
                  b.seconds_per_fit, b.seconds);
    sg_fit_bootstrap_free(&b);
    sg_runs_free(&runs);
}

static int same_interval(const sg_fit_interval *a, const sg_fit_interval *b)
{
    return memcmp(a, b, sizeof *a) == 0;
}

static void bootstrap_is_deterministic_for_a_seed(void **state)
{
    (void)state;
    constants c = {1.8, 480, 2100, 0.35, 0.37};
    sg_runs runs;
    synthetic_runs(&c, 0.005, 12, &runs);
    sg_fit_bootstrap_result a = bootstrap(&runs, 7, 1);
    sg_fit_bootstrap_result b = bootstrap(&runs, 7, 2);
    sg_fit_bootstrap_result other = bootstrap(&runs, 8, 2);
    assert_true(same_interval(&a.E, &b.E) && same_interval(&a.A, &b.A) &&
                same_interval(&a.B, &b.B) &&
                same_interval(&a.alpha, &b.alpha) &&
                same_interval(&a.beta, &b.beta));
    for (size_t i = 0; i < a.budget_count; i++)
        assert_true(same_interval(&a.budgets[i].params_interval,
                                  &b.budgets[i].params_interval) &&
                    same_interval(&a.budgets[i].loss_interval,
                                  &b.budgets[i].loss_interval));
    assert_false(same_interval(&a.alpha, &other.alpha));
    sg_fit_bootstrap_free(&a);
    sg_fit_bootstrap_free(&b);
    sg_fit_bootstrap_free(&other);
    sg_runs_free(&runs);
}

static void bootstrap_too_large_for_time_is_refused_up_front(void **state)
{
    (void)state;
    constants c = {1.8, 480, 2100, 0.35, 0.37};
    sg_runs runs;
    synthetic_runs(&c, 0.005, 13, &runs);
    sg_fit_options o = options_at(1e-2);
    o.max_seconds = 1.0;
    sg_fit_bootstrap_result b;
    sg_error err;
    assert_input_error(sg_fit_bootstrap(&runs, &o, 100000000, 1, NULL, 0, &b,
                                        &err),
                       err, "would need about");
    assert_non_null(strstr(err.message, "limit of 1 s"));
    assert_null(b.budgets);
    assert_input_error(sg_fit_bootstrap(&runs, &o, 3, 1, NULL, 0, &b, &err),
                       err, "at least 10 resamples");
    double bad_budget = -1;
    assert_input_error(sg_fit_bootstrap(&runs, &o, 20, 1, &bad_budget, 1, &b,
                                        &err),
                       err, "compute budget");
    sg_runs_free(&runs);
}

/* -------------------------------------------------------------- threads */

static void assert_same_cells(const sg_fit_cell *a, size_t na,
                              const sg_fit_cell *b, size_t nb, int threads)
{
    assert_int_equal(na, nb);
    for (size_t i = 0; i < na; i++)
        if (a[i].index != b[i].index || a[i].objective != b[i].objective ||
            a[i].E != b[i].E || a[i].A != b[i].A || a[i].B != b[i].B)
            fail_msg("%d threads: cell %zu is %llu (%.17g), one thread %llu "
                     "(%.17g)",
                     threads, i, (unsigned long long)b[i].index,
                     b[i].objective, (unsigned long long)a[i].index,
                     a[i].objective);
}

/* The best cells, values and order included, are the same on 1 to 4
 * threads (ties go to the lowest flat index), and the best is the same
 * cell with and without OpenMP. */
static void grid_stage_does_not_depend_on_the_thread_count(void **state)
{
    (void)state;
    sg_runs runs;
    int chinchilla = read_chinchilla(&runs);
    if (!chinchilla) {
        constants c = {1.8, 480, 2100, 0.35, 0.37};
        synthetic_runs(&c, 0.005, 14, &runs);
    }
    if (!sg_openmp_threads_available())
        print_message("note: built without OpenMP, every run is one "
                      "thread\n");
    enum { KEEP = 16 };
    sg_fit_cell one[KEEP], many[KEEP];
    size_t n_one = 0, n_many = 0;
    uint64_t cells = 0;
    sg_error err;
    sg_fit_options o = options_at(2e-3);
    o.threads = 1;
    assert_ok(sg_fit_grid(&runs, &o, KEEP, one, &n_one, &cells, &err), err);
    assert_int_equal(n_one, KEEP);
    assert_int_equal(cells, 751u * 751u);
    for (size_t i = 1; i < n_one; i++)
        assert_true(one[i - 1].objective < one[i].objective ||
                    (one[i - 1].objective == one[i].objective &&
                     one[i - 1].index < one[i].index));
    /* The grid's best cell (least squares on relative residuals) lies near
     * Besiroglu et al.'s exponents; the polish then moves to the Huber
     * optimum. */
    if (chinchilla) {
        assert_true(fabs(one[0].alpha - 0.3478) < 0.05);
        assert_true(fabs(one[0].beta - 0.3658) < 0.05);
    }
    for (int threads = 2; threads <= 4; threads++) {
        o.threads = threads;
        assert_ok(sg_fit_grid(&runs, &o, KEEP, many, &n_many, NULL, &err),
                  err);
        assert_same_cells(one, n_one, many, n_many, threads);
    }
    sg_runs_free(&runs);
}

/* Where many cells share the best objective exactly, the lowest index
 * wins on any thread count: with loss flat in N, every alpha fits equally
 * well once A is zero (the cells differ only in alpha). */
static void ties_go_to_the_lowest_index(void **state)
{
    (void)state;
    double n[12], d[12], l[12];
    for (int i = 0; i < 12; i++) {
        n[i] = 1e8 * pow(10.0, i % 4);
        d[i] = 1e9 * pow(10.0, i / 4 + (i % 4) * 0.1);
        l[i] = 1.7 + 410 * pow(d[i], -0.28) * (1 + 0.01 * (i % 3));
    }
    sg_runs runs;
    sg_error err;
    assert_ok(sg_runs_from_arrays(12, n, d, l, &runs, &err), err);
    sg_fit_options o = options_at(1e-2);
    o.alpha_lo = 1.0; /* x = N^-alpha too steep to help: A stays 0 */
    o.alpha_hi = 2.0;
    sg_fit_cell one[4], many[4];
    size_t n_one = 0, n_many = 0;
    o.threads = 1;
    assert_ok(sg_fit_grid(&runs, &o, 4, one, &n_one, NULL, &err), err);
    o.threads = 3;
    assert_ok(sg_fit_grid(&runs, &o, 4, many, &n_many, NULL, &err), err);
    assert_same_cells(one, n_one, many, n_many, 3);
    /* The four best share one objective bit for bit: alphas 0, 1, 2, 3 of
     * the same beta, in index order (blocks of 48 alphas go to different
     * threads, so the merge sees ties from several threads). */
    for (int i = 0; i < 4; i++) {
        assert_true(one[i].A == 0);
        assert_true(one[i].objective == one[0].objective);
        assert_int_equal(one[i].alpha_index, i);
        assert_int_equal(one[i].beta_index, one[0].beta_index);
    }
    sg_runs_free(&runs);
}

/* ----------------------------------------------------------------- main */

static int make_temp_dir(void **state)
{
    (void)state;
    snprintf(temp_dir, sizeof temp_dir, "/tmp/sg-test-fit-XXXXXX");
    return mkdtemp(temp_dir) ? 0 : -1;
}

static int remove_temp_dir(void **state)
{
    (void)state;
    static const char *names[] = {"bad.csv",    "allbad.csv", "flops.csv",
                                  "cols.csv",   "quoted.csv", "empty.csv",
                                  "header.csv", "wide.csv"};
    char path[128];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", temp_dir, names[i]);
        unlink(path);
    }
    return rmdir(temp_dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(chinchilla_fit_lands_within_one_standard_error_of_epoch),
        cmocka_unit_test(objective_sums_huber_terms_of_log_residuals),
        cmocka_unit_test(noise_free_runs_are_recovered_exactly),
        cmocka_unit_test(noisy_runs_are_recovered_within_tolerance),
        cmocka_unit_test(fit_at_the_grid_edge_is_flagged),
        cmocka_unit_test(too_few_runs_are_refused),
        cmocka_unit_test(runs_of_one_model_size_are_refused),
        cmocka_unit_test(runs_of_two_token_counts_are_refused),
        cmocka_unit_test(tokens_locked_to_params_are_refused),
        cmocka_unit_test(loss_flat_in_params_is_refused),
        cmocka_unit_test(bad_fit_options_are_refused),
        cmocka_unit_test(bad_rows_are_reported_with_their_lines),
        cmocka_unit_test(skip_bad_rows_keeps_the_good_ones_and_lists_the_bad),
        cmocka_unit_test(all_bad_rows_leave_nothing_to_fit),
        cmocka_unit_test(flops_column_gives_tokens_as_c_over_6n),
        cmocka_unit_test(rows_with_more_fields_than_the_header_are_refused),
        cmocka_unit_test(missing_column_is_named_with_the_header_columns),
        cmocka_unit_test(quoted_fields_and_crlf_line_ends_are_read),
        cmocka_unit_test(missing_empty_and_header_only_files_are_refused),
        cmocka_unit_test(directory_as_runs_file_is_bad_input),
        cmocka_unit_test(dropping_highest_loss_keeps_order),
        cmocka_unit_test(bootstrap_intervals_are_ordered_and_hold_the_estimate),
        cmocka_unit_test(bootstrap_is_deterministic_for_a_seed),
        cmocka_unit_test(bootstrap_too_large_for_time_is_refused_up_front),
        cmocka_unit_test(grid_stage_does_not_depend_on_the_thread_count),
        cmocka_unit_test(ties_go_to_the_lowest_index),
    };
    return cmocka_run_group_tests(tests, make_temp_dir, remove_temp_dir);
}
