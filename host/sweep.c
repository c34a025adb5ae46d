/*
 * Sweeps: validate the config, plan the grid (axes, levels, per-row and
 * per-column terms), dispatch blocks of rows to a backend, merge the bins
 * and turn them into frontier rows.
 *
 * Memory is O(rows + cols + levels x threads), never O(rows x cols).
 */
#include "internal.h"
#include "../kernels/sweep_kernels.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/*
 * Slack of a band edge, in band widths. A point counts as reaching a level
 * if it lies within a millionth of a level spacing above it: a point that
 * sits exactly on a level (the grid's own corners when the levels span the
 * grid) is then never pushed into the band above by the last bit of
 * rounding in its band coordinate. Folded into loss_top and ln_flops_top, so
 * it costs nothing per point and every backend applies it identically.
 */
#define BAND_EDGE_SLACK 1e-6
/* The same for f32 sweeps, whose band coordinates carry up to about 5e-4
 * of a band of rounding (float's 6e-5 at coordinate 1024, and the f32
 * law's 1e-6 relative at a 1e-3 relative level spacing): 2e-3 bands. */
#define BAND_EDGE_SLACK_F32 2e-3
/* An f32 sweep needs N, D and its terms inside float's normal range
 * (sg_math_f32.h): N and D within 2^-100..2^100, and the terms' binary
 * logarithms, log2 A - alpha log2 N and log2 B - beta log2 D, within
 * +-120. */
#define F32_AXIS_LIMIT 1.2676506002282294e30 /* 2^100 */
#define F32_EXPONENT_LIMIT 120.0

/*
 * The grid is swept in tiles: spans of at most SPAN_COLS columns, and within
 * each span, blocks of rows. Only the current span's column terms and the
 * current block's row terms are held, so memory is bounded by the tile
 * sizes and the number of levels, whatever the number of points. Row terms
 * are recomputed once per span (a pow and an exp per row), which costs
 * nothing while a row has many more points than that.
 */
#define SPAN_COLS (UINT64_C(1) << 14)

/* Points per dispatched block of rows: small enough that a cancel request
 * (checked between blocks) is answered within about a tenth of a second,
 * large enough to amortise a parallel region. */
#define POINTS_PER_BLOCK (UINT64_C(1) << 26)
#define POINTS_PER_REFERENCE_BLOCK (UINT64_C(1) << 20)
/* Rows per thread and block at least, so a block keeps every thread busy. */
#define ROWS_PER_THREAD_MIN 64
/* Rows per block at most: a block's row terms are held in memory, and a
 * grid of few columns would otherwise make one block of millions of rows
 * (measured: 2.6 GB for 2^26 rows of one column). */
#define ROWS_PER_BLOCK_MAX (UINT64_C(1) << 16)
/* Axis entries per thread at least before their terms are computed in
 * parallel (a pow and an exp each, ~0.1 us, against a few us to start a
 * parallel region). Serial, the row terms took about 7% of a two-thread
 * 65536 x 65536 f32 factored sweep, recomputed for each span. */
#define AXIS_ENTRIES_PER_THREAD_MIN 512

/* Conservative points per second per thread, about a third of what
 * bench/results measured, for refusing sweeps that would run too long. */
#define RATE_REFERENCE 5e6
#define RATE_DIRECT 1e7
#define RATE_DIRECT_F32 3e8
#define RATE_DIRECT_JOINT 3e6 /* Muennighoff: three pows and two exps */
#define RATE_FACTORED_ADDITIVE 5e8
#define RATE_FACTORED_OTHER 2e7
/* The exact strategy's work is per row and level, not per point. */
#define RATE_EXACT_CROSSINGS 2e7
/* The CUDA backend, per device: deliberately far below what an H100 should
 * reach (never measured here: see kernels/sweep_cuda.h). */
#define RATE_CUDA 1e10
#define RATE_CUDA_JOINT 1e9
/* Seconds per row term (once per span) and per column term, about four
 * times the 2.6e-7 s measured on 2^26 rows of one column: what bounds the
 * time of a grid of few columns or few rows. */
#define AXIS_TERM_SECONDS 1e-6

void sg_sweep_config_default(sg_sweep_config *config)
{
    memset(config, 0, sizeof *config);
    sg_law_preset("chinchilla", &config->law, NULL);
    config->params = (sg_axis){1e7, 1e13, 16384};
    config->tokens = (sg_axis){1e8, 1e14, 16384};
    config->loss_levels = (sg_levels){0, 0, 1024, 1};
    config->flops_levels = (sg_levels){0, 0, 256, 1};
    config->backend = SG_BACKEND_AUTO;
    config->strategy = SG_STRATEGY_AUTO;
    config->threads = 0;
}

/* Names indexed by enum value. */
static const char *const backend_names[] = {"auto", "reference", "openmp",
                                            "cuda"};
static const char *const strategy_names[] = {"auto", "direct", "factored",
                                             "exact"};
static const char *const precision_names[] = {"f64", "f32"};
#define COUNT_OF(a) (int)(sizeof(a) / sizeof((a)[0]))

static int index_of_name(const char *name, const char *const *names,
                         int count)
{
    for (int i = 0; i < count; i++)
        if (strcmp(name, names[i]) == 0)
            return i;
    return -1;
}

const char *sg_backend_name(sg_backend backend)
{
    int i = (int)backend;
    return i >= 0 && i < COUNT_OF(backend_names) ? backend_names[i] : "?";
}

sg_status sg_backend_from_name(const char *name, sg_backend *out,
                               sg_error *err)
{
    int i = index_of_name(name, backend_names, COUNT_OF(backend_names));
    if (i >= 0) {
        *out = (sg_backend)i;
        return SG_OK;
    }
    return sg_fail(err, SG_ERR_INPUT,
                   "unknown backend '%s' (known: auto, reference, openmp, "
                   "cuda)",
                   name);
}

const char *sg_strategy_name(sg_strategy strategy)
{
    int i = (int)strategy;
    return i >= 0 && i < COUNT_OF(strategy_names) ? strategy_names[i] : "?";
}

sg_status sg_strategy_from_name(const char *name, sg_strategy *out,
                                sg_error *err)
{
    int i = index_of_name(name, strategy_names, COUNT_OF(strategy_names));
    if (i >= 0) {
        *out = (sg_strategy)i;
        return SG_OK;
    }
    return sg_fail(err, SG_ERR_INPUT,
                   "unknown strategy '%s' (known: auto, direct, factored, "
                   "exact)",
                   name);
}

const char *sg_precision_name(sg_precision precision)
{
    int i = (int)precision;
    return i >= 0 && i < COUNT_OF(precision_names) ? precision_names[i] : "?";
}

sg_status sg_precision_from_name(const char *name, sg_precision *out,
                                 sg_error *err)
{
    int i = index_of_name(name, precision_names, COUNT_OF(precision_names));
    if (i >= 0) {
        *out = (sg_precision)i;
        return SG_OK;
    }
    return sg_fail(err, SG_ERR_INPUT,
                   "unknown precision '%s' (known: f64, f32)", name);
}

int sg_openmp_threads_available(void)
{
#ifdef _OPENMP
    return 1;
#else
    return 0;
#endif
}

/* ------------------------------------------------------------ validation */

static double physical_memory_bytes(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
    return pages > 0 && size > 0 ? (double)pages * (double)size : 0.0;
}

/* Per-row and per-column arrays of doubles in a plan (see row_array). */
#define ROW_ARRAYS 5
#define COL_ARRAYS 5
/* ... and of floats, for f32 sweeps (see row_array32). */
#define ROW_ARRAYS32 3
#define COL_ARRAYS32 3

static double grid_points(const sg_sweep_config *c)
{
    return (double)c->params.count * (double)c->tokens.count;
}

/* Auto: the GPU when there is one and the grid pays for starting it,
 * OpenMP otherwise; `note` (may be NULL) says why. */
static sg_backend resolve_backend_noted(const sg_sweep_config *c, char *note,
                                        size_t size)
{
    if (note && size)
        note[0] = '\0';
    if (c->backend != SG_BACKEND_AUTO)
        return c->backend;
    if (c->precision == SG_PRECISION_F32) {
        if (note)
            snprintf(note, size, "auto: openmp (f32 runs on the CPU "
                     "backends)");
        return SG_BACKEND_OPENMP;
    }
    /* Small grids first: no need to ask the driver (tens of ms). */
    if (grid_points(c) < SG_AUTO_CUDA_MIN_POINTS) {
        if (note)
            snprintf(note, size, "auto: openmp for a grid under 2^26 points "
                     "(quicker than starting a GPU)");
        return SG_BACKEND_OPENMP;
    }
    char reason[200];
    if (!sg_cuda_available(reason, sizeof reason)) {
        if (note)
            snprintf(note, size, "auto: no CUDA device (%s)", reason);
        return SG_BACKEND_OPENMP;
    }
    return SG_BACKEND_CUDA;
}

static sg_backend resolve_backend(const sg_sweep_config *c)
{
    return resolve_backend_noted(c, NULL, 0);
}

/* Auto: factored where the law separates into row and column terms,
 * direct where it does not (Muennighoff). */
static sg_strategy resolve_strategy(sg_strategy wanted, const sg_law *law)
{
    if (wanted != SG_STRATEGY_AUTO)
        return wanted;
    return law->form == SG_FORM_MUENNIGHOFF ? SG_STRATEGY_DIRECT
                                            : SG_STRATEGY_FACTORED;
}

static int resolve_threads(sg_backend backend, int wanted)
{
    if (backend == SG_BACKEND_REFERENCE)
        return 1;
    /* CUDA: host threads compute the per-axis terms it uploads. */
    int available = sg_openmp_max_threads();
    return wanted > 0 && sg_openmp_threads_available() ? wanted : available;
}


/* Columns per span and rows per block. A block is a parallel region and a
 * cancellation point: enough points to keep every thread busy, few enough
 * to answer a cancel request within about a tenth of a second. */
static void tile_shape(uint64_t rows, uint64_t cols, sg_backend backend,
                       int threads, const sg_run_options *o,
                       uint64_t *span_cols, uint64_t *block_rows)
{
    int reference = backend == SG_BACKEND_REFERENCE;
    uint64_t points = reference ? POINTS_PER_REFERENCE_BLOCK : POINTS_PER_BLOCK;
    uint64_t min_rows = reference ? 1 : (uint64_t)threads * ROWS_PER_THREAD_MIN;
    uint64_t span = SPAN_COLS;
    if (o && o->span_cols)
        span = o->span_cols;
    if (o && o->block_points) {
        points = o->block_points;
        min_rows = 1;
    }
    *span_cols = cols < span ? cols : span;
    uint64_t block = points / *span_cols;
    if (block < min_rows)
        block = min_rows;
    if (block > ROWS_PER_BLOCK_MAX)
        block = ROWS_PER_BLOCK_MAX;
    *block_rows = block < rows ? block : rows;
}

/* Memory a sweep holds: one tile's row and column terms, bins per thread
 * plus the merged ones, and the frontier rows. Never the grid itself. */
static double sweep_bytes(const sg_sweep_config *c)
{
    sg_backend backend = resolve_backend(c);
    int threads = resolve_threads(backend, c->threads);
    uint64_t span, block;
    tile_shape(c->params.count, c->tokens.count, backend, threads, NULL, &span,
               &block);
    double plan = 8.0 * (ROW_ARRAYS * (double)block + COL_ARRAYS * (double)span);
    if (c->precision == SG_PRECISION_F32)
        plan += 4.0 * (ROW_ARRAYS32 * (double)block + COL_ARRAYS32 * (double)span);
    double levels = (double)c->loss_levels.count + 1 + c->flops_levels.count;
    double bins = (threads + 1) * levels * 16.0;
    double rows = (3.0 * c->loss_levels.count + c->flops_levels.count) *
                  (double)sizeof(sg_frontier_row);
    return plan + bins + rows;
}

/* Planning time: the row terms of every span and the column terms. */
static double axis_seconds(const sg_sweep_config *c)
{
    double spans = ceil((double)c->tokens.count / (double)SPAN_COLS);
    return ((double)c->params.count * spans + (double)c->tokens.count) *
           AXIS_TERM_SECONDS;
}

static double points_seconds(const sg_sweep_config *c);

/* Least and greatest of f over the grid's four corners (the loss and the
 * cost are monotone in N and D, so their extremes are corners). */
static void corner_range(const sg_sweep_config *c,
                         double (*f)(const sg_sweep_config *, double, double),
                         double *lo, double *hi)
{
    double n[2] = {c->params.lo, c->params.hi};
    double d[2] = {c->tokens.lo, c->tokens.hi};
    *lo = INFINITY;
    *hi = -INFINITY;
    for (int a = 0; a < 2; a++)
        for (int b = 0; b < 2; b++) {
            double v = f(c, n[a], d[b]);
            *lo = fmin(*lo, v);
            *hi = fmax(*hi, v);
        }
}

static double loss_at(const sg_sweep_config *c, double n, double d)
{
    return sg_law_loss(&c->law, n, d);
}

static double log_cost_at(const sg_sweep_config *c, double n, double d)
{
    return log(sg_cost_at(&c->flop_count, n, d).total);
}

/* Whether [lo - w, hi + w] misses [grid_lo, grid_hi]: bands reach less
 * than a band's width w past the end levels. */
static int misses(double lo, double hi, double w, double grid_lo,
                  double grid_hi)
{
    return grid_hi < lo - w || grid_lo > hi + w;
}

sg_status sg_sweep_check_levels_reachable(const sg_sweep_config *c,
                                          sg_error *err)
{
    double lo, hi;
    const sg_levels *l = &c->loss_levels;
    corner_range(c, loss_at, &lo, &hi);
    if (!l->span_grid &&
        misses(l->lo, l->hi, (l->hi - l->lo) / (l->count - 1.0), lo, hi))
        return sg_fail(err, SG_ERR_INPUT,
                       "no grid point reaches the loss levels %g..%g: the "
                       "grid's losses span %g..%g%s",
                       l->lo, l->hi, lo, hi,
                       l->hi < lo ? " (lower losses need larger N and D)"
                                  : "");
    const sg_levels *f = &c->flops_levels;
    corner_range(c, log_cost_at, &lo, &hi);
    if (!f->span_grid && misses(log(f->lo), log(f->hi),
                                (log(f->hi) - log(f->lo)) / (f->count - 1.0),
                                lo, hi))
        return sg_fail(err, SG_ERR_INPUT,
                       "no grid point reaches the compute levels %g..%g "
                       "FLOPs: the grid's costs span %g..%g",
                       f->lo, f->hi, exp(lo), exp(hi));
    return SG_OK;
}

double sg_sweep_estimated_seconds(const sg_sweep_config *c)
{
    return axis_seconds(c) + points_seconds(c);
}

static double points_seconds(const sg_sweep_config *c)
{
    sg_backend backend = resolve_backend(c);
    if (backend == SG_BACKEND_CUDA)
        return grid_points(c) / (c->law.form == SG_FORM_MUENNIGHOFF
                                     ? RATE_CUDA_JOINT
                                     : RATE_CUDA);
    sg_strategy strategy = resolve_strategy(c->strategy, &c->law);
    int threads = resolve_threads(backend, c->threads);
    if (backend == SG_BACKEND_OPENMP && strategy == SG_STRATEGY_EXACT)
        return (double)c->params.count *
               ((double)c->loss_levels.count + c->flops_levels.count + 2) /
               (RATE_EXACT_CROSSINGS * threads);
    double rate = RATE_REFERENCE;
    if (c->law.form == SG_FORM_MUENNIGHOFF)
        rate = backend == SG_BACKEND_OPENMP ? RATE_DIRECT_JOINT
                                            : RATE_DIRECT_JOINT / 2;
    else if (backend == SG_BACKEND_OPENMP)
        rate = strategy == SG_STRATEGY_DIRECT
                   ? (c->precision == SG_PRECISION_F32 ? RATE_DIRECT_F32
                                                       : RATE_DIRECT)
               : c->law.form == SG_FORM_CHINCHILLA ? RATE_FACTORED_ADDITIVE
                                                   : RATE_FACTORED_OTHER;
    return (double)c->params.count * (double)c->tokens.count /
           (rate * threads);
}

static sg_status check_time(const sg_sweep_config *c, sg_error *err)
{
    double limit = c->max_seconds > 0 ? c->max_seconds : SG_DEFAULT_MAX_SECONDS;
    double need = sg_sweep_estimated_seconds(c);
    if (need <= limit)
        return SG_OK;
    sg_backend backend = resolve_backend(c);
    int threads = resolve_threads(backend, c->threads);
    char points[32], how[96];
    sg_format_sci(points, sizeof points,
                  (double)c->params.count * (double)c->tokens.count);
    if (backend == SG_BACKEND_REFERENCE)
        snprintf(how, sizeof how, "the reference backend");
    else
        snprintf(how, sizeof how, "the %s backend (%s, %d thread%s)",
                 sg_backend_name(backend),
                 sg_strategy_name(resolve_strategy(c->strategy, &c->law)),
                 threads,
                 threads == 1 ? "" : "s");
    return sg_fail(err, SG_ERR_INPUT,
                   "a %s-point sweep could take up to %.4g s with %s; the "
                   "limit is %.4g s: raise it with --max-seconds or use fewer "
                   "points",
                   points, need, how, limit);
}

/* Which strategies a law and a FLOP count admit. */
static sg_status check_strategy(const sg_sweep_config *c, sg_error *err)
{
    if (c->law.form == SG_FORM_MUENNIGHOFF &&
        (c->strategy == SG_STRATEGY_FACTORED ||
         c->strategy == SG_STRATEGY_EXACT))
        return sg_fail(err, SG_ERR_INPUT,
                       "law '%s' does not separate into N and D terms (its "
                       "effective parameters depend on the unique tokens "
                       "seen); use strategy direct",
                       c->law.name);
    if (c->strategy != SG_STRATEGY_EXACT)
        return SG_OK;
    if (c->law.form != SG_FORM_CHINCHILLA)
        return sg_fail(err, SG_ERR_INPUT,
                       "strategy 'exact' needs a law of the Chinchilla form "
                       "(law '%s' is of the %s form); use factored",
                       c->law.name, sg_form_name(c->law.form));
    if (!sg_flop_count_plain(&c->flop_count))
        return sg_fail(err, SG_ERR_INPUT,
                       "strategy 'exact' bounds the cost as 6 N D; with "
                       "inference tokens or the deepseek FLOP count use "
                       "factored");
    return SG_OK;
}

/* The binary logarithm of an f32 term, log2 K - e log2 x, at both ends of
 * an axis: within +-F32_EXPONENT_LIMIT (it is affine in log2 x). */
static int f32_exponents_fit(double k, double e, const sg_axis *axis)
{
    double lo = log2(k) - e * log2(axis->lo);
    double hi = log2(k) - e * log2(axis->hi);
    return fabs(lo) <= F32_EXPONENT_LIMIT && fabs(hi) <= F32_EXPONENT_LIMIT;
}

static int f32_axis_fits(const sg_axis *axis)
{
    return axis->lo >= 1.0 / F32_AXIS_LIMIT && axis->hi <= F32_AXIS_LIMIT;
}

/* What single precision admits: the Chinchilla form, on the CPU backends,
 * dense strategies, values inside float's range. */
static sg_status check_precision(const sg_sweep_config *c, sg_error *err)
{
    if (c->precision == SG_PRECISION_F64)
        return SG_OK;
    if (c->precision != SG_PRECISION_F32)
        return sg_fail(err, SG_ERR_INPUT, "unknown precision %d",
                       (int)c->precision);
    if (c->law.form != SG_FORM_CHINCHILLA)
        return sg_fail(err, SG_ERR_INPUT,
                       "precision f32 is for laws of the Chinchilla form "
                       "(law '%s' is of the %s form); use f64",
                       c->law.name, sg_form_name(c->law.form));
    if (c->backend == SG_BACKEND_CUDA)
        return sg_fail(err, SG_ERR_INPUT,
                       "precision f32 runs on the reference and openmp "
                       "backends (the CUDA kernels are double precision); "
                       "use --backend openmp or f64");
    if (c->strategy == SG_STRATEGY_EXACT)
        return sg_fail(err, SG_ERR_INPUT,
                       "strategy 'exact' is double precision only; use "
                       "factored or direct with f32, or f64");
    if (!(c->law.alpha <= SG_F32_MAX_EXPONENT) ||
        !(c->law.beta <= SG_F32_MAX_EXPONENT))
        return sg_fail(err, SG_ERR_INPUT,
                       "precision f32 takes exponents alpha and beta up to "
                       "%g (law '%s' has %g and %g; float powers lose "
                       "accuracy beyond); use f64",
                       SG_F32_MAX_EXPONENT, c->law.name, c->law.alpha,
                       c->law.beta);
    if (!f32_axis_fits(&c->params) || !f32_axis_fits(&c->tokens))
        return sg_fail(err, SG_ERR_INPUT,
                       "precision f32 needs N and D within 1e-30..1e30 (got "
                       "N %g..%g, D %g..%g); use f64",
                       c->params.lo, c->params.hi, c->tokens.lo,
                       c->tokens.hi);
    if (!f32_exponents_fit(c->law.A, c->law.alpha, &c->params) ||
        !f32_exponents_fit(c->law.B, c->law.beta, &c->tokens))
        return sg_fail(err, SG_ERR_INPUT,
                       "law '%s' has terms A N^-alpha or B D^-beta outside "
                       "float's range (2^-120..2^120) on this grid; use f64",
                       c->law.name);
    return SG_OK;
}

sg_status sg_sweep_config_validate(const sg_sweep_config *c, sg_error *err)
{
    SG_TRY(sg_law_validate(&c->law, err));
    SG_TRY(sg_axis_validate(&c->params, "params axis", err));
    SG_TRY(sg_axis_validate(&c->tokens, "tokens axis", err));
    SG_TRY(sg_levels_validate(&c->loss_levels, "loss levels", err));
    SG_TRY(sg_levels_validate(&c->flops_levels, "flops levels", err));
    if (c->threads < 0 || c->threads > 4096)
        return sg_fail(err, SG_ERR_INPUT,
                       "threads must be between 0 (all) and 4096 (got %d)",
                       c->threads);
    if (c->params.count > (UINT64_C(1) << 62) / c->tokens.count)
        return sg_fail(err, SG_ERR_INPUT,
                       "a %llu x %llu grid has more points than 64-bit "
                       "indices allow",
                       (unsigned long long)c->params.count,
                       (unsigned long long)c->tokens.count);
    if (c->backend == SG_BACKEND_REFERENCE && c->threads > 1)
        return sg_fail(err, SG_ERR_INPUT,
                       "the reference backend runs one thread (asked for "
                       "%d); use backend openmp for more",
                       c->threads);
    if (c->threads > 1 && !sg_openmp_threads_available())
        return sg_fail(err, SG_ERR_INPUT,
                       "this build has no OpenMP, so it runs one thread "
                       "(asked for %d); rebuild without NO_OMP=1",
                       c->threads);
    char reason[256];
    if (c->backend == SG_BACKEND_CUDA &&
        !sg_cuda_available(reason, sizeof reason))
        return sg_fail(err, SG_ERR_INPUT,
                       "backend 'cuda' is unavailable: %s; use --backend "
                       "openmp or auto",
                       reason);
    if (c->backend == SG_BACKEND_REFERENCE &&
        (c->strategy == SG_STRATEGY_FACTORED || c->strategy == SG_STRATEGY_EXACT))
        return sg_fail(err, SG_ERR_INPUT,
                       "the reference backend evaluates every point directly; "
                       "strategy '%s' needs backend openmp",
                       sg_strategy_name(c->strategy));
    SG_TRY(check_strategy(c, err));
    SG_TRY(check_precision(c, err));
    SG_TRY(sg_flop_count_validate(&c->flop_count, err));
    SG_TRY(sg_cost_model_validate(&c->cost_model, err));
    sg_cost corner = sg_cost_at(&c->flop_count, c->params.hi, c->tokens.hi);
    if (!isfinite(corner.total))
        return sg_fail(err, SG_ERR_INPUT,
                       "the cost in FLOPs overflows at the grid's corner "
                       "(N = %g, D = %g)",
                       c->params.hi, c->tokens.hi);
    if (!(c->max_seconds >= 0) || !isfinite(c->max_seconds))
        return sg_fail(err, SG_ERR_INPUT,
                       "max seconds must be a non-negative number (got %g)",
                       c->max_seconds);
    double need = sweep_bytes(c), have = physical_memory_bytes();
    if (have > 0 && need > 0.5 * have)
        return sg_fail(err, SG_ERR_INPUT,
                       "a sweep of %llu x %llu points with %u + %u levels "
                       "needs %.3g GB for its axis terms, bins and frontiers; "
                       "this machine has %.3g GB",
                       (unsigned long long)c->params.count,
                       (unsigned long long)c->tokens.count,
                       c->loss_levels.count, c->flops_levels.count, need / 1e9,
                       have / 1e9);
    return check_time(c, err);
}

/* -------------------------------------------------------------- planning */


enum { ROW_PARAMS, ROW_PER_TOKEN, ROW_TERM, ROW_LOSS_PART, ROW_FLOPS_PART };
enum { COL_TOKENS, COL_COST_TOKENS, COL_TERM, COL_LOSS_PART, COL_FLOPS_PART };
/* The float arrays of an f32 sweep: N or D, the law's term, the loss-band
 * part. */
enum { AXIS32_VALUE, AXIS32_TERM, AXIS32_LOSS_PART };

typedef struct {
    sg_plan plan;
    double *rows_mem, *cols_mem; /* ROW_ARRAYS x block rows, COL_ARRAYS x span */
    float *rows32_mem, *cols32_mem; /* f32 sweeps: ROW_ARRAYS32, COL_ARRAYS32 */
    uint64_t block_rows, span_cols;
    sg_levels loss_levels, flops_levels; /* resolved */
} planned_sweep;

static double *row_array(const planned_sweep *ps, int slot)
{
    return ps->rows_mem + (size_t)slot * ps->block_rows;
}

static double *col_array(const planned_sweep *ps, int slot)
{
    return ps->cols_mem + (size_t)slot * ps->span_cols;
}

static float *row_array32(const planned_sweep *ps, int slot)
{
    return ps->rows32_mem + (size_t)slot * ps->block_rows;
}

static float *col_array32(const planned_sweep *ps, int slot)
{
    return ps->cols32_mem + (size_t)slot * ps->span_cols;
}

#ifdef _OPENMP
/* Threads for computing n axis entries' terms: the sweep's, when each
 * gets enough of them (the reference's plan has one). */
static int axis_threads(const sg_plan *p, uint64_t n)
{
    uint64_t most = n / AXIS_ENTRIES_PER_THREAD_MIN;
    if (most < 1)
        return 1;
    return (uint64_t)p->threads < most ? p->threads : (int)most;
}
#endif

/* The f32 row arrays of rows [r0, r1) (point_math.h's f32 contract). */
static void fill_row_block32(planned_sweep *ps, uint64_t r0, uint64_t r1)
{
    sg_plan *p = &ps->plan;
    float *params = row_array32(ps, AXIS32_VALUE);
    float *row = row_array32(ps, AXIS32_TERM);
    float *loss = row_array32(ps, AXIS32_LOSS_PART);
    SG_OMP(omp parallel for schedule(static) num_threads(axis_threads(p, r1 - r0)))
    for (uint64_t k = 0; k < r1 - r0; k++) {
        params[k] = (float)p->params[k];
        row[k] = sg_row_term_f32(&p->law32, params[k]);
        loss[k] = sg_loss_band_row_f32(p->loss_top32, p->loss_inv_width32,
                                       row[k]);
    }
    p->params32 = params;
    p->row_term32 = row;
    p->loss_row32 = loss;
}

static void fill_col_span32(planned_sweep *ps, uint64_t c0, uint64_t c1)
{
    sg_plan *p = &ps->plan;
    float *tokens = col_array32(ps, AXIS32_VALUE);
    float *col = col_array32(ps, AXIS32_TERM);
    float *loss = col_array32(ps, AXIS32_LOSS_PART);
    SG_OMP(omp parallel for schedule(static) num_threads(axis_threads(p, c1 - c0)))
    for (uint64_t k = 0; k < c1 - c0; k++) {
        tokens[k] = (float)p->tokens[k];
        col[k] = sg_col_term_f32(&p->law32, tokens[k]);
        loss[k] = sg_loss_band_col_f32(p->loss_inv_width32, col[k]);
    }
    p->tokens32 = tokens;
    p->col_term32 = col;
    p->loss_col32 = loss;
}

static void axis_geometry(const sg_axis *axis, double *ln_lo, double *step)
{
    *ln_lo = log(axis->lo);
    *step = axis->count > 1
                ? (log(axis->hi) - *ln_lo) / (double)(axis->count - 1)
                : 0.0;
}

static double params_at(const sg_plan *p, uint64_t i)
{
    return sg_axis_point(p->params_lo, p->params_hi, p->rows, p->params_ln_lo,
                         p->params_step, i);
}

static double tokens_at(const sg_plan *p, uint64_t j)
{
    return sg_axis_point(p->tokens_lo, p->tokens_hi, p->cols, p->tokens_ln_lo,
                         p->tokens_step, j);
}

/* Terms of rows [r0, r1): N, FLOPs per token, the law's row term (0 for
 * a law that does not separate) and the row parts of both band
 * coordinates (point_math.h). */
static void fill_row_block(planned_sweep *ps, uint64_t r0, uint64_t r1)
{
    sg_plan *p = &ps->plan;
    double *params = row_array(ps, ROW_PARAMS);
    double *per_token = row_array(ps, ROW_PER_TOKEN);
    double *row = row_array(ps, ROW_TERM);
    double *loss = row_array(ps, ROW_LOSS_PART);
    double *flops = row_array(ps, ROW_FLOPS_PART);
    int separable = sg_law_separable(&p->law);
    SG_OMP(omp parallel for schedule(static) num_threads(axis_threads(p, r1 - r0)))
    for (uint64_t i = r0; i < r1; i++) {
        uint64_t k = i - r0;
        params[k] = params_at(p, i);
        per_token[k] = sg_point_flops_per_token(&p->cost, params[k]);
        row[k] = separable ? sg_row_term(&p->law, params[k]) : 0.0;
        loss[k] = sg_loss_band_row(p->loss_top, p->loss_inv_width, row[k]);
        flops[k] = sg_cost_band_row(
            &p->cost, p->ln_flops_top, p->flops_inv_width,
            sg_axis_log(p->params_ln_lo, p->params_step, i), per_token[k]);
    }
    p->row_base = r0;
    p->params = params;
    p->per_token = per_token;
    p->row_term = row;
    p->loss_row = loss;
    p->flops_row = flops;
    if (p->single)
        fill_row_block32(ps, r0, r1);
}

/* Terms of columns [c0, c1): D, the cost tokens D + T/3, the law's column
 * term (0 for a law that does not separate) and the column parts of both
 * band coordinates. */
static void fill_col_span(planned_sweep *ps, uint64_t c0, uint64_t c1)
{
    sg_plan *p = &ps->plan;
    double *tokens = col_array(ps, COL_TOKENS), *col = col_array(ps, COL_TERM);
    double *cost_tokens = col_array(ps, COL_COST_TOKENS);
    double *loss = col_array(ps, COL_LOSS_PART);
    double *flops = col_array(ps, COL_FLOPS_PART);
    int separable = sg_law_separable(&p->law);
    SG_OMP(omp parallel for schedule(static) num_threads(axis_threads(p, c1 - c0)))
    for (uint64_t j = c0; j < c1; j++) {
        uint64_t k = j - c0;
        tokens[k] = tokens_at(p, j);
        cost_tokens[k] = sg_cost_tokens(&p->cost, tokens[k]);
        col[k] = separable ? sg_col_term(&p->law, tokens[k]) : 0.0;
        loss[k] = sg_loss_band_col(p->loss_inv_width, col[k]);
        flops[k] = sg_cost_band_col(
            &p->cost, p->flops_inv_width,
            sg_axis_log(p->tokens_ln_lo, p->tokens_step, j), cost_tokens[k]);
    }
    p->col_base = c0;
    p->col_end = c1;
    p->tokens = tokens;
    p->cost_tokens = cost_tokens;
    p->col_term = col;
    p->loss_col = loss;
    p->flops_col = flops;
    if (p->single)
        fill_col_span32(ps, c0, c1);
}

/* What the kernels may rely on along the whole grid, found by one pass over
 * the axes (nothing stored): the extremes of the row and column terms, and
 * whether tokens strictly increase and column terms never increase. */
typedef struct {
    double row_min, row_max, col_min, col_max;
    int tokens_increasing, col_nonincreasing;
} axis_facts;

static axis_facts scan_axes(const sg_plan *p)
{
    axis_facts f = {INFINITY, -INFINITY, INFINITY, -INFINITY, 1, 1};
    if (!sg_law_separable(&p->law)) { /* no terms; tokens must still grow */
        f.col_nonincreasing = 0;
        double prev = -INFINITY;
        for (uint64_t j = 0; j < p->cols; j++) {
            double d = tokens_at(p, j);
            f.tokens_increasing &= d > prev;
            prev = d;
        }
        return f;
    }
    for (uint64_t i = 0; i < p->rows; i++) {
        double r = sg_row_term(&p->law, params_at(p, i));
        f.row_min = fmin(f.row_min, r);
        f.row_max = fmax(f.row_max, r);
    }
    double prev_tokens = -INFINITY, prev_col = INFINITY;
    float prev_col32 = INFINITY;
    for (uint64_t j = 0; j < p->cols; j++) {
        double d = tokens_at(p, j), c = sg_col_term(&p->law, d);
        f.col_min = fmin(f.col_min, c);
        f.col_max = fmax(f.col_max, c);
        f.tokens_increasing &= d > prev_tokens;
        if (p->single) { /* the kernels walk the float terms */
            float c32 = sg_col_term_f32(&p->law32, (float)d);
            f.col_nonincreasing &= c32 <= prev_col32;
            prev_col32 = c32;
        } else {
            f.col_nonincreasing &= c <= prev_col;
        }
        prev_tokens = d;
        prev_col = c;
    }
    return f;
}

/* Least and greatest loss on the grid. The combination is monotone in both
 * terms, so the extremes combine the extreme terms and equal, bit for bit,
 * the loss of a grid corner. A law that does not separate (Muennighoff's)
 * still never rises with N or D (N' and D' grow with both), so its
 * extremes are at corners too: all four are taken, to be safe. */
static void grid_loss_range(const sg_plan *p, const axis_facts *f, double *lo,
                            double *hi)
{
    if (sg_law_separable(&p->law)) {
        *lo = sg_combine_terms(&p->law, f->row_min, f->col_min);
        *hi = sg_combine_terms(&p->law, f->row_max, f->col_max);
        return;
    }
    double n[2] = {p->params_lo, p->params_hi};
    double d[2] = {p->tokens_lo, p->tokens_hi};
    *lo = INFINITY;
    *hi = -INFINITY;
    for (int a = 0; a < 2; a++)
        for (int b = 0; b < 2; b++) {
            double loss = sg_joint_loss(&p->law, n[a], d[b]);
            *lo = fmin(*lo, loss);
            *hi = fmax(*hi, loss);
        }
}

static sg_status resolve_loss_levels(planned_sweep *ps, const axis_facts *f,
                                     const sg_levels *want, sg_error *err)
{
    sg_levels levels = *want;
    if (levels.span_grid) {
        grid_loss_range(&ps->plan, f, &levels.lo, &levels.hi);
        levels.span_grid = 0;
        if (!isfinite(levels.lo) || !isfinite(levels.hi))
            return sg_fail(err, SG_ERR_INPUT,
                           "the grid's loss range is not finite (%g..%g); "
                           "give --loss-levels LO:HI:COUNT",
                           levels.lo, levels.hi);
        if (!(levels.lo < levels.hi))
            return sg_fail(err, SG_ERR_INPUT,
                           "the grid's loss range is a single value (%g); "
                           "give --loss-levels LO:HI:COUNT",
                           levels.lo);
    }
    ps->loss_levels = levels;
    double width = (levels.hi - levels.lo) / (double)(levels.count - 1);
    ps->plan.loss_top = levels.hi + BAND_EDGE_SLACK * width;
    ps->plan.loss_inv_width = 1.0 / width;
    ps->plan.loss_count = levels.count;
    ps->plan.loss_top32 = (float)(levels.hi + BAND_EDGE_SLACK_F32 * width);
    ps->plan.loss_inv_width32 = (float)(1.0 / width);
    return SG_OK;
}

static double corner_cost(const sg_plan *p, double params, double tokens)
{
    return sg_point_cost_of(sg_point_flops_per_token(&p->cost, params),
                            sg_cost_tokens(&p->cost, tokens));
}

static sg_status resolve_flops_levels(planned_sweep *ps, const sg_levels *want,
                                      sg_error *err)
{
    sg_levels levels = *want;
    if (levels.span_grid) {
        /* The cost never falls with N or D: its extremes are corners. */
        levels.lo = corner_cost(&ps->plan, ps->plan.params_lo,
                                ps->plan.tokens_lo);
        levels.hi = corner_cost(&ps->plan, ps->plan.params_hi,
                                ps->plan.tokens_hi);
        levels.span_grid = 0;
        if (!(levels.lo < levels.hi))
            return sg_fail(err, SG_ERR_INPUT,
                           "the grid's compute range is a single value (%g "
                           "FLOPs); give --flops-levels LO:HI:COUNT",
                           levels.lo);
    }
    ps->flops_levels = levels;
    double width = (log(levels.hi) - log(levels.lo)) / (double)(levels.count - 1);
    ps->plan.ln_flops_top = log(levels.hi) + BAND_EDGE_SLACK * width;
    ps->plan.flops_inv_width = 1.0 / width;
    ps->plan.flops_count = levels.count;
    return SG_OK;
}

static void planned_sweep_free(planned_sweep *ps)
{
    free(ps->rows_mem);
    free(ps->cols_mem);
    free(ps->rows32_mem);
    free(ps->cols32_mem);
    ps->rows_mem = ps->cols_mem = NULL;
    ps->rows32_mem = ps->cols32_mem = NULL;
}

static sg_status plan_sweep(const sg_sweep_config *c, sg_backend backend,
                            const sg_run_options *o, planned_sweep *ps,
                            sg_error *err)
{
    sg_plan *p = &ps->plan;
    p->law = sg_point_law_of(&c->law);
    p->cost = sg_point_cost_of_count(&c->flop_count);
    p->single = c->precision == SG_PRECISION_F32;
    p->law32 = sg_point_law_f32_of(&c->law);
    p->rows = c->params.count;
    p->cols = c->tokens.count;
    p->params_lo = c->params.lo;
    p->params_hi = c->params.hi;
    axis_geometry(&c->params, &p->params_ln_lo, &p->params_step);
    p->tokens_lo = c->tokens.lo;
    p->tokens_hi = c->tokens.hi;
    axis_geometry(&c->tokens, &p->tokens_ln_lo, &p->tokens_step);

    axis_facts facts = scan_axes(p);
    if (!facts.tokens_increasing)
        return sg_fail(err, SG_ERR_INPUT,
                       "tokens axis is not strictly increasing in double "
                       "precision; use fewer points or a wider range");
    p->col_term_nonincreasing = facts.col_nonincreasing;
    if (p->kernel == SG_KERNEL_EXACT && !facts.col_nonincreasing)
        return sg_fail(err, SG_ERR_INPUT,
                       "strategy 'exact' needs a loss that never increases "
                       "along the tokens axis; this law's D term does not");
    SG_TRY(resolve_loss_levels(ps, &facts, &c->loss_levels, err));
    SG_TRY(resolve_flops_levels(ps, &c->flops_levels, err));

    tile_shape(p->rows, p->cols, backend, p->threads, o, &ps->span_cols,
               &ps->block_rows);
    ps->rows_mem = malloc(ps->block_rows * ROW_ARRAYS * sizeof(double));
    ps->cols_mem = malloc(ps->span_cols * COL_ARRAYS * sizeof(double));
    if (p->single) {
        ps->rows32_mem = malloc(ps->block_rows * ROW_ARRAYS32 * sizeof(float));
        ps->cols32_mem = malloc(ps->span_cols * COL_ARRAYS32 * sizeof(float));
    }
    if (!ps->rows_mem || !ps->cols_mem ||
        (p->single && (!ps->rows32_mem || !ps->cols32_mem))) {
        planned_sweep_free(ps);
        return sg_fail(err, SG_ERR_RUNTIME, "out of memory planning a sweep");
    }
    return SG_OK;
}

/* ------------------------------------------------------------- dispatch */

double sg_now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}


int sg_cancelled(const sg_control *control)
{
    return control && control->cancel && *control->cancel;
}

static sg_status run_tiles(planned_sweep *ps, sg_backend backend,
                           uint64_t row_begin, uint64_t row_end,
                           const sg_control *control, double t0,
                           sg_bins *bins, sg_error *err)
{
    sg_plan *p = &ps->plan;
    uint64_t total = (row_end - row_begin) * p->cols, done = 0;
    for (uint64_t c0 = 0; c0 < p->cols; c0 += ps->span_cols) {
        uint64_t c1 = p->cols - c0 < ps->span_cols ? p->cols : c0 + ps->span_cols;
        fill_col_span(ps, c0, c1);
        if (p->kernel == SG_KERNEL_EXACT) {
            /* Work per band, not per point: the whole span at once. */
            if (sg_cancelled(control))
                return sg_fail(err, SG_ERR_CANCELLED, "sweep cancelled");
            sg_sweep_exact(p, row_begin, row_end, bins);
            done += (row_end - row_begin) * (c1 - c0);
            if (control && control->progress)
                control->progress(control->progress_context, done, total,
                                  sg_now_seconds() - t0);
            continue;
        }
        for (uint64_t r0 = row_begin; r0 < row_end; r0 += ps->block_rows) {
            if (sg_cancelled(control))
                return sg_fail(err, SG_ERR_CANCELLED, "sweep cancelled");
            uint64_t r1 = row_end - r0 < ps->block_rows ? row_end
                                                        : r0 + ps->block_rows;
            fill_row_block(ps, r0, r1);
            if (backend == SG_BACKEND_REFERENCE)
                sg_sweep_reference(p, r0, r1, bins);
            else if (sg_sweep_openmp(p, r0, r1, bins) != 0)
                return sg_fail(err, SG_ERR_RUNTIME,
                               "out of memory for the OpenMP backend's bins");
            done += (r1 - r0) * (c1 - c0);
            if (control && control->progress)
                control->progress(control->progress_context, done, total,
                                  sg_now_seconds() - t0);
        }
    }
    return SG_OK;
}

/* The GPU takes the whole row window at once; it tiles the grid itself and
 * checks the cancel flag between its launches. */
static sg_status run_on_cuda(planned_sweep *ps, uint64_t row_begin,
                             uint64_t row_end, const sg_control *control,
                             double t0, sg_bins *bins, sg_sweep_result *out,
                             sg_error *err)
{
    sg_cuda_available(out->backend_note, sizeof out->backend_note);
    SG_TRY(sg_sweep_on_cuda(&ps->plan, row_begin, row_end, bins,
                            control ? control->cancel : NULL, err));
    uint64_t total = (row_end - row_begin) * ps->plan.cols;
    if (control && control->progress)
        control->progress(control->progress_context, total, total,
                          sg_now_seconds() - t0);
    return SG_OK;
}

/* ------------------------------------------------------------- results */

double sg_loss_level_value(const sg_levels *levels, uint32_t k)
{
    if (k + 1 >= levels->count)
        return levels->hi;
    double width = (levels->hi - levels->lo) / (double)(levels->count - 1);
    return levels->lo + (double)k * width;
}

double sg_flops_level_value(const sg_levels *levels, uint32_t k)
{
    if (k == 0)
        return levels->lo;
    if (k + 1 >= levels->count)
        return levels->hi;
    double ln_lo = log(levels->lo);
    double step = (log(levels->hi) - ln_lo) / (double)(levels->count - 1);
    return exp(ln_lo + (double)k * step);
}

static sg_frontier_row row_of(const sg_plan *p, const sg_flop_count *count,
                              const sg_best *best, double level)
{
    sg_frontier_row row = {.level = level, .empty = 1};
    if (best->index == SG_NO_POINT)
        return row;
    row.empty = 0;
    row.row = best->index / p->cols;
    row.col = best->index % p->cols;
    row.params = params_at(p, row.row);
    row.tokens = tokens_at(p, row.col);
    sg_cost cost = sg_cost_at(count, row.params, row.tokens);
    row.flops = cost.training;
    row.inference_flops = cost.inference;
    row.total_flops = cost.total;
    row.loss = sg_point_loss(&p->law, row.params, row.tokens);
    return row;
}

static void fill_frontiers(const planned_sweep *ps, const sg_flop_count *count,
                           const sg_bins *bins, sg_sweep_result *r)
{
    const sg_plan *p = &ps->plan;
    /* Cumulative: least FLOPs with loss <= l_k, i.e. over the points below
     * the lowest band and every band up to k. */
    sg_best running = bins->iso_loss[p->loss_count];
    for (uint32_t k = 0; k < (uint32_t)p->loss_count; k++) {
        double level = sg_loss_level_value(&ps->loss_levels, k);
        const sg_best *b = &bins->iso_loss[k];
        r->iso_loss[k] = row_of(p, count, b, level);
        if (b->index != SG_NO_POINT &&
            sg_better(b->key, b->index, running.key, running.index))
            running = *b;
        r->iso_loss_cumulative[k] = row_of(p, count, &running, level);
    }
    for (uint32_t k = 0; k < (uint32_t)p->flops_count; k++)
        r->iso_flops[k] = row_of(p, count, &bins->iso_flops[k],
                                 sg_flops_level_value(&ps->flops_levels, k));
}

void sg_sweep_result_free(sg_sweep_result *r)
{
    if (!r)
        return;
    free(r->iso_loss);
    free(r->iso_loss_cumulative);
    free(r->iso_flops);
    r->iso_loss = r->iso_loss_cumulative = r->iso_flops = NULL;
}

static sg_status alloc_result(sg_sweep_result *r, uint32_t loss_count,
                              uint32_t flops_count, sg_error *err)
{
    r->iso_loss = calloc(loss_count, sizeof *r->iso_loss);
    r->iso_loss_cumulative = calloc(loss_count, sizeof *r->iso_loss);
    r->iso_flops = calloc(flops_count, sizeof *r->iso_flops);
    if (!r->iso_loss || !r->iso_loss_cumulative || !r->iso_flops) {
        sg_sweep_result_free(r);
        return sg_fail(err, SG_ERR_RUNTIME, "out of memory for the frontiers");
    }
    return SG_OK;
}

static sg_status alloc_bins(sg_bins *bins, const sg_plan *p, sg_error *err)
{
    bins->loss_count = p->loss_count;
    bins->flops_count = p->flops_count;
    bins->iso_loss = malloc((size_t)(p->loss_count + 1) * sizeof(sg_best));
    bins->iso_flops = malloc((size_t)p->flops_count * sizeof(sg_best));
    if (!bins->iso_loss || !bins->iso_flops) {
        free(bins->iso_loss);
        free(bins->iso_flops);
        return sg_fail(err, SG_ERR_RUNTIME, "out of memory for the bins");
    }
    sg_bins_clear(bins);
    return SG_OK;
}

sg_status sg_sweep_run(const sg_sweep_config *c, sg_sweep_result *out,
                       sg_error *err)
{
    sg_run_options all = {0, 0, 0, NULL, 0, 0};
    return sg_sweep_run_with(c, &all, out, err);
}

sg_status sg_sweep_run_controlled(const sg_sweep_config *c,
                                  const sg_control *control,
                                  sg_sweep_result *out, sg_error *err)
{
    sg_run_options all = {0, 0, 0, control, 0, 0};
    return sg_sweep_run_with(c, &all, out, err);
}

sg_status sg_sweep_run_with(const sg_sweep_config *c, const sg_run_options *o,
                            sg_sweep_result *out, sg_error *err)
{
    memset(out, 0, sizeof *out);
    SG_TRY(sg_sweep_config_validate(c, err));
    uint64_t row_begin = o->row_begin, row_end = o->row_end;
    if (row_begin == 0 && row_end == 0)
        row_end = c->params.count;
    if (row_begin >= row_end || row_end > c->params.count)
        return sg_fail(err, SG_ERR_INPUT, "row window [%llu, %llu) is not "
                       "inside the grid's %llu rows",
                       (unsigned long long)row_begin,
                       (unsigned long long)row_end,
                       (unsigned long long)c->params.count);
    double t0 = sg_now_seconds();

    planned_sweep ps;
    memset(&ps, 0, sizeof ps);
    sg_backend backend =
        resolve_backend_noted(c, out->backend_note, sizeof out->backend_note);
    sg_strategy strategy = resolve_strategy(c->strategy, &c->law);
    ps.plan.kernel = strategy == SG_STRATEGY_DIRECT ? SG_KERNEL_DIRECT
                     : strategy == SG_STRATEGY_EXACT ? SG_KERNEL_EXACT
                                                     : SG_KERNEL_FACTORED;
    ps.plan.threads = resolve_threads(backend, c->threads);
    ps.plan.use_simd = !o->scalar_only;
    SG_TRY(plan_sweep(c, backend, o, &ps, err));

    sg_bins bins;
    sg_status st = alloc_bins(&bins, &ps.plan, err);
    if (st == SG_OK) {
        st = backend == SG_BACKEND_CUDA
                 ? run_on_cuda(&ps, row_begin, row_end, o->control, t0, &bins,
                               out, err)
                 : run_tiles(&ps, backend, row_begin, row_end, o->control, t0,
                             &bins, err);
        if (st == SG_OK)
            st = alloc_result(out, ps.loss_levels.count, ps.flops_levels.count,
                              err);
        if (st == SG_OK)
            fill_frontiers(&ps, &c->flop_count, &bins, out);
        free(bins.iso_loss);
        free(bins.iso_flops);
    }
    planned_sweep_free(&ps);
    if (st != SG_OK)
        return st;

    out->backend = backend;
    out->strategy = backend == SG_BACKEND_REFERENCE ? SG_STRATEGY_DIRECT
                                                    : strategy;
    out->threads = ps.plan.threads;
    out->points = (row_end - row_begin) * c->tokens.count;
    out->loss_levels = ps.loss_levels;
    out->flops_levels = ps.flops_levels;
    out->seconds = sg_now_seconds() - t0;
    return SG_OK;
}
