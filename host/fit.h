/*
 * Fitting the Chinchilla form L = E + A/N^alpha + B/D^beta to your own
 * training runs (Hoffmann et al. 2022, Approach 3, as refit by Besiroglu et
 * al. 2024), by variable projection over a dense (alpha, beta) grid.
 *
 * Internal API (no cJSON or OpenMP types). Units: N parameters, D training
 * tokens, C training FLOPs (C = 6 N D), L loss in nats/token.
 *
 * Ownership: sg_runs and sg_fit_bootstrap_result own heap arrays, freed by
 * sg_runs_free and sg_fit_bootstrap_free (both accept zeroed structs and
 * may be called twice). Everything else is plain data.
 */
#ifndef SG_FIT_H
#define SG_FIT_H

#include "scalegrid.h"

#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------------ runs */

/* Training runs: count parallel arrays, one entry per run. */
typedef struct {
    size_t count;
    double *params; /* N, parameters */
    double *tokens; /* D, training tokens */
    double *loss;   /* L, final loss in nats/token */
    size_t *line;   /* CSV line of each run (1 = the header); 0 if not read
                       from a file */
    /* Rows skipped as bad under skip_bad_rows, by CSV line, ascending, and
     * why the first of them was bad (empty when none were skipped). */
    size_t skipped_count;
    size_t *skipped_lines;
    char first_skip_reason[160];
} sg_runs;

/* Which CSV columns hold N, D (or C) and L. Column names match exactly after
 * trimming blanks and surrounding quotes. With flops_column set, tokens are
 * D = C / (6 N) and tokens_column is ignored. */
typedef struct {
    const char *params_column; /* default "params" */
    const char *tokens_column; /* default "tokens" */
    const char *loss_column;   /* default "loss" */
    const char *flops_column;  /* default NULL: tokens are given */
    int skip_bad_rows;         /* 1: skip bad rows (listed in skipped_lines)
                                  instead of failing */
} sg_runs_csv_options;

void sg_runs_csv_options_default(sg_runs_csv_options *options);

/* Reads runs from a CSV file with a header. options may be NULL (defaults).
 * A bad row (missing field, more fields than the header, not a number, NaN,
 * infinite, zero or negative) fails the read with its line number and the
 * count of bad rows, unless skip_bad_rows. A directory is an input error.
 * Fields may be double-quoted (with "" for a quote); lines may end in CRLF;
 * blank lines are ignored. On success the caller owns *runs. */
sg_status sg_runs_read_csv(const char *path,
                           const sg_runs_csv_options *options, sg_runs *runs,
                           sg_error *err);

/* Copies count runs from plain arrays (each value finite and positive). */
sg_status sg_runs_from_arrays(size_t count, const double *params,
                              const double *tokens, const double *loss,
                              sg_runs *runs, sg_error *err);

/* Removes the k runs of highest loss (ties: the later run goes first),
 * keeping the others in order. k must leave at least one run. */
sg_status sg_runs_drop_highest_loss(sg_runs *runs, size_t k, sg_error *err);

void sg_runs_free(sg_runs *runs);

/* --------------------------------------------------------------- fitting */

typedef struct {
    /* The (alpha, beta) grid: alpha_lo + i * resolution for every i with
     * value <= alpha_hi (likewise beta). Default [0, 1.5]^2 at 1e-3. */
    double alpha_lo, alpha_hi, beta_lo, beta_hi;
    double resolution;
    double huber_delta;   /* in log-loss units; default 1e-3 (Chinchilla) */
    int refine_cells;     /* best grid cells refined by Huber IRLS; 16 */
    int polish_cells;     /* of those, the best polished by L-BFGS; 4 */
    int threads;          /* 0: all the machine offers */
    double max_seconds;   /* a bootstrap estimated to take longer is
                             refused up front; default 600 */
} sg_fit_options;

void sg_fit_options_default(sg_fit_options *options);

/* Bits of sg_fit_result.on_edge. */
enum { SG_FIT_EDGE_ALPHA = 1u << 0, SG_FIT_EDGE_BETA = 1u << 1 };

typedef struct {
    /* The fit: L = E + A / N^alpha + B / D^beta. */
    double E, A, B, alpha, beta;
    /* sum over runs (not the mean) of Huber_delta(log prediction - log L) at
     * the fit: the exact Chinchilla objective (sg_fit_objective). */
    double objective;
    size_t runs_used;
    /* Chinchilla eq. 4 under C = 6 N D: N_opt = G (C/6)^a,
     * D_opt = (C/6)^b / G (sg_chinchilla_allocation). */
    double G, a, b;
    /* SG_FIT_EDGE_* bits: the fitted exponent lies within one grid step of
     * the grid's edge (or beyond it): the range may be too narrow. */
    unsigned on_edge;
    /* The grid stage's best cell: exponents and its objective (sum of
     * squared relative residuals, (L - prediction) / L). */
    double grid_alpha, grid_beta, grid_objective;
    uint64_t cells;        /* grid cells evaluated */
    double grid_seconds;   /* wall time of the grid stage */
    double seconds;        /* wall time of the whole fit */
} sg_fit_result;

/* One grid cell and the non-negative least-squares (E, A, B) at it (the
 * law's constants: L = E + A/N^alpha + B/D^beta). */
typedef struct {
    uint64_t index;            /* alpha_index * beta_count + beta_index */
    uint32_t alpha_index, beta_index;
    double alpha, beta;
    double E, A, B;
    double objective;          /* sum of squared relative residuals */
} sg_fit_cell;

/* The grid stage alone: the `keep` (1 to 256) best cells by (objective,
 * index), in that order, into best[0 .. *found); *cells (if cells is not
 * NULL) receives the grid's size. options may be NULL (defaults). The
 * answer, bit for bit, does not depend on options->threads. */
sg_status sg_fit_grid(const sg_runs *runs, const sg_fit_options *options,
                      size_t keep, sg_fit_cell *best, size_t *found,
                      uint64_t *cells, sg_error *err);

/* Fits the Chinchilla form: grid stage, Huber IRLS on the best cells, L-BFGS
 * on the exact objective from the best of those; the best polished fit
 * wins. options may be NULL (defaults). Too few runs, too few distinct N or
 * D values, or a fit without an N or D term are input errors. */
sg_status sg_fit_chinchilla(const sg_runs *runs,
                            const sg_fit_options *options,
                            sg_fit_result *result, sg_error *err);

/* The Chinchilla objective at (E, A, B, alpha, beta): sum over runs of
 * Huber_delta(LSE(log A - alpha log N, log B - beta log D, log E) - log L),
 * with Huber_delta(r) = r^2 / 2 for |r| <= delta, else delta (|r| - delta/2).
 * A, B > 0; E may be 0 (log E = -infinity). */
double sg_fit_objective(const sg_runs *runs, double E, double A, double B,
                        double alpha, double beta, double delta);

/* ------------------------------------------------------------- bootstrap */

/* Percentiles (linear interpolation between order statistics). */
typedef struct {
    double p2_5, p10, p90, p97_5;
} sg_fit_interval;

/* The compute-optimal point of one budget under the point fit, and its
 * bootstrap intervals. */
typedef struct {
    double flops;
    double params, tokens, loss;
    sg_fit_interval params_interval, tokens_interval, loss_interval;
} sg_fit_budget;

typedef struct {
    sg_fit_result point;   /* the fit on all runs */
    uint64_t seed;
    size_t resamples;      /* requested */
    size_t failed;         /* resamples whose fit failed (left out) */
    char first_failure[256]; /* why the lowest-numbered one failed */
    sg_fit_interval E, A, B, alpha, beta;
    size_t budget_count;
    sg_fit_budget *budgets; /* owned: sg_fit_bootstrap_free */
    double seconds_per_fit; /* measured on the point fit, one thread */
    double seconds;
} sg_fit_bootstrap_result;

/* Refits `resamples` resamples of the runs (drawn with replacement, the
 * same for a given seed on any thread count) and reports percentile
 * intervals of the constants and, for each budget (FLOPs), of N_opt, D_opt
 * and the loss there. A bootstrap whose estimated time exceeds
 * options->max_seconds is refused before it starts, with the time it would
 * need. On success the caller owns *out. */
sg_status sg_fit_bootstrap(const sg_runs *runs, const sg_fit_options *options,
                           size_t resamples, uint64_t seed,
                           const double *budgets, size_t budget_count,
                           sg_fit_bootstrap_result *out, sg_error *err);

void sg_fit_bootstrap_free(sg_fit_bootstrap_result *result);

#endif /* SG_FIT_H */
