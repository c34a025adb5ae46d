/*
 * Fitting L = E + A/N^alpha + B/D^beta to training runs by variable
 * projection (laws.md, "Variable projection"; Open-Athena/vpnls).
 *
 * For fixed (alpha, beta) the model is linear in (E, A, B), so:
 *
 *  1. Grid stage. Every cell of a dense (alpha, beta) grid gets the exact
 *     non-negative least-squares (E, A, B) of the relative residuals
 *     (L - prediction) / L (weights w = 1/L^2: close to the log residuals
 *     the final objective uses). The weighted sums a cell needs are
 *     per-alpha or per-beta vectors except one cross term per cell,
 *     sum_k w_k x_k(alpha) y_k(beta) with x = (N/N_c)^-alpha and
 *     y = (D/D_c)^-beta: for all cells at once, that is the matrix product
 *     X W Y^T, computed tile by tile by a register-blocked kernel on packed
 *     panels (see cross_kernel). Every sum is taken about its weighted mean
 *     (centred), which keeps the 3x3 systems accurate where x or y is
 *     nearly constant (exponents near 0). Tiles are 48 alphas by 64 betas;
 *     threads take blocks of alphas against a shared band of packed betas,
 *     and only each thread's best few cells are kept: memory grows with the
 *     axes (a band of betas times the runs), never with the cells.
 *  2. Huber IRLS. The best cells are refit under the Huber loss of the
 *     relative residuals by iteratively reweighted least squares (each step
 *     an exact 3x3 NNLS again).
 *  3. Polish. The best of those start L-BFGS (libLBFGS) on the exact
 *     Chinchilla objective, sum_i Huber_delta(LSE(a - alpha log N_i,
 *     b - beta log D_i, e) - log L_i) with analytic gradient, in centred
 *     coordinates (a' = a - alpha mean log N) that decorrelate a and alpha.
 *     The best polished fit wins.
 *
 * Exact 3x3 NNLS: the minimiser of a convex quadratic over the non-negative
 * orthant is the unconstrained minimiser on its own support, so the best
 * feasible solution over the 7 supports is the answer. The unconstrained
 * residual is a lower bound for the others, so a cell whose bound is already
 * worse than a thread's kept cells is skipped without solving the subsets;
 * a cell's value is never below its bound (we take the larger of the two
 * where rounding could disagree), so skipping cannot change the answer.
 * Ties go to the lowest flat index alpha_index * beta_count + beta_index and
 * the threads' lists merge by (objective, index): the best cells do not
 * depend on the thread count.
 */
#include "fit.h"
#include "internal.h"

#include <lbfgs.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#define SG_OMP(directive) _Pragma(#directive)
#else
#define SG_OMP(directive)
#endif

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define SG_FIT_AVX2 1
#else
#define SG_FIT_AVX2 0
#endif

#define MIN_RUNS 5
/* With E free, two distinct sizes fit any exponent exactly. */
#define MIN_DISTINCT 3
/* A band of betas' centred y rows: at most this many bytes (L3-sized). */
#define BAND_BYTES (8u << 20)
#define MAX_AXIS_CELLS 100000000u
#define MAX_GRID_CELLS 1e12
/* A 2x2 system whose determinant is below this fraction of its diagonal
 * product is treated as singular (its columns are collinear). */
#define SINGULAR_RTOL 1e-10
#define MAX_KEEP 256
#define IRLS_MAX_STEPS 200
#define IRLS_RTOL 1e-13
#define POLISH_RESTARTS 4
#define MIN_RESAMPLES 10
/* A term whose spread over the runs is below this fraction of the mean loss
 * explains nothing measurable. */
#define NEGLIGIBLE_TERM 1e-4

/* ------------------------------------------------------------ options */

void sg_fit_options_default(sg_fit_options *options)
{
    options->alpha_lo = 0.0;
    options->alpha_hi = 1.5;
    options->beta_lo = 0.0;
    options->beta_hi = 1.5;
    options->resolution = 1e-3;
    options->huber_delta = 1e-3;
    options->refine_cells = 16;
    options->polish_cells = 4;
    options->threads = 0;
    options->max_seconds = 600.0;
}

static int resolve_threads(int requested)
{
#ifdef _OPENMP
    return requested > 0 ? requested : omp_get_max_threads();
#else
    (void)requested;
    return 1;
#endif
}

/* The grid: alpha_lo + i * step for i < alphas (likewise beta). */
typedef struct {
    double alpha_lo, beta_lo, step;
    uint32_t alphas, betas;
} grid;

static double grid_alpha(const grid *g, uint32_t i)
{
    return g->alpha_lo + (double)i * g->step;
}

static double grid_beta(const grid *g, uint32_t j)
{
    return g->beta_lo + (double)j * g->step;
}

static sg_status axis_count(const char *name, double lo, double hi,
                            double step, uint32_t *count, sg_error *err)
{
    if (!isfinite(lo) || !isfinite(hi) || lo < 0 || hi < lo)
        return sg_fail(err, SG_ERR_INPUT,
                       "%s range [%g, %g] must satisfy 0 <= lo <= hi", name,
                       lo, hi);
    /* The small slack keeps hi itself when (hi - lo) / step is whole. */
    double cells = floor((hi - lo) / step + 1e-6) + 1;
    if (cells > MAX_AXIS_CELLS)
        return sg_fail(err, SG_ERR_INPUT,
                       "%s range [%g, %g] at resolution %g has %.0f values "
                       "(at most %u)",
                       name, lo, hi, step, cells, MAX_AXIS_CELLS);
    *count = (uint32_t)cells;
    return SG_OK;
}

static sg_status check_options(const sg_fit_options *o, grid *g,
                               sg_error *err)
{
    if (!(o->resolution > 0) || !isfinite(o->resolution))
        return sg_fail(err, SG_ERR_INPUT,
                       "grid resolution must be positive (got %g)",
                       o->resolution);
    if (!(o->huber_delta > 0) || !isfinite(o->huber_delta))
        return sg_fail(err, SG_ERR_INPUT,
                       "Huber delta must be positive (got %g)",
                       o->huber_delta);
    if (o->refine_cells < 1 || o->refine_cells > MAX_KEEP ||
        o->polish_cells < 1 || o->polish_cells > o->refine_cells)
        return sg_fail(err, SG_ERR_INPUT,
                       "need 1 <= polish cells (%d) <= refine cells (%d) "
                       "<= %d",
                       o->polish_cells, o->refine_cells, MAX_KEEP);
    if (o->threads < 0)
        return sg_fail(err, SG_ERR_INPUT, "threads must be >= 0 (got %d)",
                       o->threads);
    g->alpha_lo = o->alpha_lo;
    g->beta_lo = o->beta_lo;
    g->step = o->resolution;
    SG_TRY(axis_count("alpha", o->alpha_lo, o->alpha_hi, o->resolution,
                      &g->alphas, err));
    SG_TRY(axis_count("beta", o->beta_lo, o->beta_hi, o->resolution,
                      &g->betas, err));
    if ((double)g->alphas * (double)g->betas > MAX_GRID_CELLS)
        return sg_fail(err, SG_ERR_INPUT,
                       "the grid has %.3g cells (at most %.0e): use a "
                       "coarser resolution",
                       (double)g->alphas * (double)g->betas, MAX_GRID_CELLS);
    return SG_OK;
}

/* ------------------------------------------------------------- problem */

/* The runs in the coordinates every stage uses. x = exp(-alpha u) is
 * (N / N_c)^-alpha with N_c the geometric mean of N, so A x = A_c x with
 * A_c = A N_c^-alpha: coefficients stay near the loss's scale for any
 * exponent. Likewise y and B_c. */
typedef struct {
    size_t n;
    double mean_log_n, mean_log_d;
    double *u;        /* log N - mean_log_n */
    double *v;        /* log D - mean_log_d */
    double *loss;     /* L */
    double *log_loss; /* log L */
    double *weight;   /* 1/L^2: least squares of relative residuals */
    double s0, lbar;  /* sum of weights; weighted mean of L */
    double *lc;       /* L - lbar */
    double cll;       /* sum w (L - lbar)^2 */
} problem;

static void problem_free(problem *p)
{
    free(p->u);
    free(p->v);
    free(p->loss);
    free(p->log_loss);
    free(p->weight);
    free(p->lc);
    memset(p, 0, sizeof *p);
}

static sg_status problem_init(problem *p, const sg_runs *runs, sg_error *err)
{
    size_t n = runs->count;
    memset(p, 0, sizeof *p);
    p->n = n;
    p->u = malloc(n * sizeof *p->u);
    p->v = malloc(n * sizeof *p->v);
    p->loss = malloc(n * sizeof *p->loss);
    p->log_loss = malloc(n * sizeof *p->log_loss);
    p->weight = malloc(n * sizeof *p->weight);
    p->lc = malloc(n * sizeof *p->lc);
    if (!p->u || !p->v || !p->loss || !p->log_loss || !p->weight || !p->lc) {
        problem_free(p);
        return sg_fail(err, SG_ERR_RUNTIME, "out of memory fitting runs");
    }
    double sum_n = 0, sum_d = 0, sum_wl = 0;
    for (size_t k = 0; k < n; k++) {
        sum_n += log(runs->params[k]);
        sum_d += log(runs->tokens[k]);
    }
    p->mean_log_n = sum_n / (double)n;
    p->mean_log_d = sum_d / (double)n;
    for (size_t k = 0; k < n; k++) {
        p->u[k] = log(runs->params[k]) - p->mean_log_n;
        p->v[k] = log(runs->tokens[k]) - p->mean_log_d;
        p->loss[k] = runs->loss[k];
        p->log_loss[k] = log(runs->loss[k]);
        p->weight[k] = 1.0 / (runs->loss[k] * runs->loss[k]);
        p->s0 += p->weight[k];
        sum_wl += p->weight[k] * runs->loss[k];
    }
    p->lbar = sum_wl / p->s0;
    p->cll = 0;
    for (size_t k = 0; k < n; k++) {
        p->lc[k] = p->loss[k] - p->lbar;
        p->cll += p->weight[k] * p->lc[k] * p->lc[k];
    }
    return SG_OK;
}

/* -------------------------------------------------------- identifiable */

static int by_value(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

/* Distinct values (relative gaps above 1e-12). */
static sg_status count_distinct(const double *values, size_t n,
                                size_t *distinct, sg_error *err)
{
    double *sorted = malloc(n * sizeof *sorted);
    if (!sorted)
        return sg_fail(err, SG_ERR_RUNTIME, "out of memory fitting runs");
    memcpy(sorted, values, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, by_value);
    *distinct = 1;
    for (size_t k = 1; k < n; k++)
        if (sorted[k] - sorted[k - 1] > 1e-12 * sorted[k])
            (*distinct)++;
    free(sorted);
    return SG_OK;
}

static sg_status check_axis_varies(const char *what, const char *symbol,
                                   const char *exponent, const double *values,
                                   size_t n, sg_error *err)
{
    size_t distinct = 0;
    SG_TRY(count_distinct(values, n, &distinct, err));
    if (distinct == 1)
        return sg_fail(err, SG_ERR_INPUT,
                       "all %zu runs have the same %s (%s = %g): %s cannot "
                       "be identified",
                       n, what, symbol, values[0], exponent);
    if (distinct < MIN_DISTINCT)
        return sg_fail(err, SG_ERR_INPUT,
                       "the runs have only %zu distinct values of %s (%s): "
                       "at least %d are needed to identify %s with E free",
                       distinct, what, symbol, MIN_DISTINCT, exponent);
    return SG_OK;
}

/* |correlation| of log N and log D: 1 when D is a fixed power of N. */
static double log_correlation(const problem *p)
{
    double suu = 0, svv = 0, suv = 0;
    for (size_t k = 0; k < p->n; k++) {
        suu += p->u[k] * p->u[k];
        svv += p->v[k] * p->v[k];
        suv += p->u[k] * p->v[k];
    }
    return fabs(suv) / sqrt(suu * svv);
}

/* Enough runs, each with finite positive N, D and L (runs may be built by
 * hand, not only by the readers). */
static sg_status check_runs(const sg_runs *runs, sg_error *err)
{
    if (runs->count < MIN_RUNS)
        return sg_fail(err, SG_ERR_INPUT,
                       "need at least %d runs to fit the 5 constants E, A, "
                       "B, alpha, beta (got %zu)",
                       MIN_RUNS, runs->count);
    for (size_t k = 0; k < runs->count; k++) {
        double v[3] = {runs->params[k], runs->tokens[k], runs->loss[k]};
        for (int i = 0; i < 3; i++)
            if (!(v[i] > 0) || !isfinite(v[i]))
                return sg_fail(err, SG_ERR_INPUT,
                               "run %zu: %s must be a finite positive number "
                               "(got %g)",
                               k + 1,
                               i == 0 ? "params" : i == 1 ? "tokens" : "loss",
                               v[i]);
    }
    return SG_OK;
}

static sg_status check_identifiable(const sg_runs *runs, const problem *p,
                                    sg_error *err)
{
    SG_TRY(check_axis_varies("model size", "N", "alpha", runs->params,
                             runs->count, err));
    SG_TRY(check_axis_varies("token count", "D", "beta", runs->tokens,
                             runs->count, err));
    if (log_correlation(p) > 1.0 - 1e-12)
        return sg_fail(err, SG_ERR_INPUT,
                       "in every run the token count is the same power of "
                       "the model size: the N and D terms cannot be told "
                       "apart");
    return SG_OK;
}

/* ---------------------------------------------------------- 3x3 NNLS */

/*
 * Weighted sums of one cell about their weighted means: with xc = x - xbar,
 * yc = y - ybar, lc = L - lbar,
 *   cxx = sum w xc^2, cyy = sum w yc^2, cxy = sum w xc yc,
 *   cxl = sum w xc lc, cyl = sum w yc lc, cll = sum w lc^2, s0 = sum w.
 * The model E + A x + B y is E' + A xc + B yc with E' = E + A xbar + B ybar,
 * so the unconstrained fit is a 2x2 system and E follows.
 */
typedef struct {
    double s0, lbar, cll;
    double xbar, cxx, cxl;
    double ybar, cyy, cyl;
    double cxy;
} moments;

typedef struct {
    double rss; /* sum w (L - E - A x - B y)^2 */
    double E, A, B;
} linear_fit;

/* The unconstrained fit of a cell: its residual sum and (A, B), and a
 * margin that is positive unless xc and yc are collinear (the 2x2 system is
 * singular: the residual sum is then no bound). The vectorised grid loop
 * inlines this very function, so both paths round alike; it has no branch
 * (GCC keeps a compare under -ftrapping-math out of vector loops). */
typedef struct {
    double rss, a, b, margin;
} unconstrained;

static inline unconstrained solve_unconstrained(double cxx, double cyy,
                                                double cxy, double cxl,
                                                double cyl, double cll)
{
    double diag = cxx * cyy;
    double det = diag - cxy * cxy;
    double inv = 1.0 / det;
    unconstrained u;
    u.a = (cyy * cxl - cxy * cyl) * inv;
    u.b = (cxx * cyl - cxy * cxl) * inv;
    u.rss = cll - (u.a * cxl + u.b * cyl);
    u.margin = det - SINGULAR_RTOL * diag;
    return u;
}

static void consider(linear_fit *best, double rss, double E, double A,
                     double B)
{
    if (rss < best->rss)
        *best = (linear_fit){rss, E, A, B};
}

/* Supports with one of E, A, B fixed at zero, or two. */
static void solve_supports(const moments *m, double au, double bu,
                           int have_unconstrained, linear_fit *best)
{
    double sll = m->cll + m->s0 * m->lbar * m->lbar;
    double sxx = m->cxx + m->s0 * m->xbar * m->xbar;
    double syy = m->cyy + m->s0 * m->ybar * m->ybar;
    double sxl = m->cxl + m->s0 * m->xbar * m->lbar;
    double syl = m->cyl + m->s0 * m->ybar * m->lbar;
    /* E = 0, A and B free: the unconstrained fit moved onto E = 0, the
     * residual growing by E_u^2 / [M^-1]_EE (exact, no cancellation). */
    if (have_unconstrained) {
        double det = m->cxx * m->cyy - m->cxy * m->cxy;
        double ha = (m->cyy * m->xbar - m->cxy * m->ybar) / det;
        double hb = (m->cxx * m->ybar - m->cxy * m->xbar) / det;
        double mee = 1.0 / m->s0 + m->xbar * ha + m->ybar * hb;
        double eu = m->lbar - au * m->xbar - bu * m->ybar;
        double a = au + ha * eu / mee, b = bu + hb * eu / mee;
        double rss = m->cll - (au * m->cxl + bu * m->cyl) + eu * eu / mee;
        if (a >= 0 && b >= 0)
            consider(best, rss, 0, a, b);
    }
    /* One of A, B at zero, E free: centred 1x1 systems. */
    if (m->cxx > 0 && m->cxl >= 0) {
        double a = m->cxl / m->cxx, e = m->lbar - a * m->xbar;
        if (e >= 0)
            consider(best, m->cll - a * m->cxl, e, a, 0);
    }
    if (m->cyy > 0 && m->cyl >= 0) {
        double b = m->cyl / m->cyy, e = m->lbar - b * m->ybar;
        if (e >= 0)
            consider(best, m->cll - b * m->cyl, e, 0, b);
    }
    /* One variable alone (the others zero); E alone is L's weighted mean. */
    consider(best, m->cll, m->lbar, 0, 0);
    if (sxx > 0 && sxl > 0)
        consider(best, sll - sxl * sxl / sxx, 0, sxl / sxx, 0);
    if (syy > 0 && syl > 0)
        consider(best, sll - syl * syl / syy, 0, 0, syl / syy);
}

/* The exact non-negative least-squares (E, A, B) of one cell. */
static linear_fit solve_nnls(const moments *m)
{
    unconstrained u = solve_unconstrained(m->cxx, m->cyy, m->cxy, m->cxl,
                                          m->cyl, m->cll);
    double a = u.a, b = u.b;
    int have = u.margin > 0;
    double bound = have ? u.rss : -INFINITY;
    double e = m->lbar - a * m->xbar - b * m->ybar;
    if (have && a >= 0 && b >= 0 && e >= 0)
        return (linear_fit){bound, e, a, b};
    linear_fit best = {INFINITY, 0, 0, 0};
    solve_supports(m, a, b, have, &best);
    /* Never below the bound, whatever the rounding (see the top). */
    if (best.rss < bound)
        best.rss = bound;
    return best;
}

/* ------------------------------------------------------------ best cells */

typedef struct {
    size_t count, capacity;
    sg_fit_cell *cells; /* ascending by (objective, index) */
} best_list;

static int cell_before(double f, uint64_t index, const sg_fit_cell *c)
{
    return f < c->objective || (f == c->objective && index < c->index);
}

/* The objective a cell must beat to enter the list (+inf while not full). */
static double list_threshold(const best_list *l)
{
    return l->count < l->capacity ? INFINITY
                                  : l->cells[l->count - 1].objective;
}

static void list_offer(best_list *l, const sg_fit_cell *cell)
{
    if (!(cell->objective == cell->objective)) /* NaN: never selected */
        return;
    size_t pos = l->count;
    while (pos > 0 && cell_before(cell->objective, cell->index,
                                  &l->cells[pos - 1]))
        pos--;
    if (pos >= l->capacity)
        return;
    size_t last = l->count < l->capacity ? l->count : l->capacity - 1;
    memmove(&l->cells[pos + 1], &l->cells[pos],
            (last - pos) * sizeof *l->cells);
    l->cells[pos] = *cell;
    if (l->count < l->capacity)
        l->count++;
}

/* ----------------------------------------------------------- grid stage */

/* Centred rows of one axis: row_k = exp(-e t_k) - mean, with its sums. */
typedef struct {
    double mean, css, csl; /* weighted mean; sum w c^2; sum w c lc */
} axis_sums;

static axis_sums centred_row(const problem *p, const double *t,
                             double exponent, double *row)
{
    double s = 0;
    for (size_t k = 0; k < p->n; k++) {
        row[k] = exp(-exponent * t[k]);
        s += p->weight[k] * row[k];
    }
    axis_sums a = {s / p->s0, 0, 0};
    for (size_t k = 0; k < p->n; k++) {
        row[k] -= a.mean;
        a.css += p->weight[k] * row[k] * row[k];
        a.csl += p->weight[k] * row[k] * p->lc[k];
    }
    return a;
}

/*
 * The cross terms of a tile, sum_k (w_k xc_ik) yc_jk, by a register-blocked
 * product: the tile's alphas come in panels of PANEL_ALPHAS rows and its
 * betas in panels of PANEL_BETAS, each panel stored run-major (k-major) so
 * the kernel streams both: for every run it loads PANEL_BETAS y values and
 * broadcasts PANEL_ALPHAS x values into a 6 x 8 block of accumulators that
 * lives in registers (12 of AVX2's 16). Panels are packed once (y per band,
 * x per alpha block), not per product. Each cell's sum runs over the runs in
 * order in one accumulator lane, so its rounding does not depend on the
 * thread count or the tile position.
 */
#define PANEL_ALPHAS 6
#define PANEL_BETAS 8

#if SG_FIT_AVX2
static void cross_kernel(size_t n, const double *restrict xp,
                         const double *restrict yp, double *restrict c,
                         size_t ldc)
{
    /* Named accumulators: GCC keeps these in registers (an array of them
     * goes through the stack on every step). */
    __m256d a00 = _mm256_setzero_pd(), a01 = a00, a10 = a00, a11 = a00,
            a20 = a00, a21 = a00, a30 = a00, a31 = a00, a40 = a00,
            a41 = a00, a50 = a00, a51 = a00;
    for (size_t k = 0; k < n; k++) {
        __m256d y0 = _mm256_loadu_pd(yp + k * PANEL_BETAS);
        __m256d y1 = _mm256_loadu_pd(yp + k * PANEL_BETAS + 4);
        const double *x = xp + k * PANEL_ALPHAS;
        __m256d xi = _mm256_broadcast_sd(x);
        a00 = _mm256_fmadd_pd(xi, y0, a00);
        a01 = _mm256_fmadd_pd(xi, y1, a01);
        xi = _mm256_broadcast_sd(x + 1);
        a10 = _mm256_fmadd_pd(xi, y0, a10);
        a11 = _mm256_fmadd_pd(xi, y1, a11);
        xi = _mm256_broadcast_sd(x + 2);
        a20 = _mm256_fmadd_pd(xi, y0, a20);
        a21 = _mm256_fmadd_pd(xi, y1, a21);
        xi = _mm256_broadcast_sd(x + 3);
        a30 = _mm256_fmadd_pd(xi, y0, a30);
        a31 = _mm256_fmadd_pd(xi, y1, a31);
        xi = _mm256_broadcast_sd(x + 4);
        a40 = _mm256_fmadd_pd(xi, y0, a40);
        a41 = _mm256_fmadd_pd(xi, y1, a41);
        xi = _mm256_broadcast_sd(x + 5);
        a50 = _mm256_fmadd_pd(xi, y0, a50);
        a51 = _mm256_fmadd_pd(xi, y1, a51);
    }
    _mm256_storeu_pd(c, a00);
    _mm256_storeu_pd(c + 4, a01);
    _mm256_storeu_pd(c + ldc, a10);
    _mm256_storeu_pd(c + ldc + 4, a11);
    _mm256_storeu_pd(c + 2 * ldc, a20);
    _mm256_storeu_pd(c + 2 * ldc + 4, a21);
    _mm256_storeu_pd(c + 3 * ldc, a30);
    _mm256_storeu_pd(c + 3 * ldc + 4, a31);
    _mm256_storeu_pd(c + 4 * ldc, a40);
    _mm256_storeu_pd(c + 4 * ldc + 4, a41);
    _mm256_storeu_pd(c + 5 * ldc, a50);
    _mm256_storeu_pd(c + 5 * ldc + 4, a51);
}
#else
/* Portable version of the same product (same order of the sums). */
static void cross_kernel(size_t n, const double *restrict xp,
                         const double *restrict yp, double *restrict c,
                         size_t ldc)
{
    double acc[PANEL_ALPHAS][PANEL_BETAS] = {{0}};
    for (size_t k = 0; k < n; k++) {
        const double *x = xp + k * PANEL_ALPHAS, *y = yp + k * PANEL_BETAS;
        for (int i = 0; i < PANEL_ALPHAS; i++)
            for (int j = 0; j < PANEL_BETAS; j++)
                acc[i][j] += x[i] * y[j];
    }
    for (int i = 0; i < PANEL_ALPHAS; i++)
        for (int j = 0; j < PANEL_BETAS; j++)
            c[(size_t)i * ldc + j] = acc[i][j];
}
#endif

/* Alphas per tile (8 panels: the x block stays in L2 for a few hundred
 * runs) and betas per tile (one row of 64 cross terms per alpha for the
 * vector loops). */
#define TILE_ALPHAS (8 * PANEL_ALPHAS)
#define TILE_BETAS (8 * PANEL_BETAS)

/* Shared; rewritten only between bands. */
typedef struct {
    const problem *p;
    const grid *g;
    uint32_t band_betas;    /* betas per band (a multiple of TILE_BETAS) */
    uint32_t band_begin, band_end;
    double *band_panels;    /* band_betas x n: centred y rows, packed */
    /* The band's axis sums as separate arrays, for the vector loop. */
    double *y_mean, *y_css, *y_csl;
} grid_shared;

/* One thread's scratch and kept cells. */
typedef struct {
    double *row;         /* n: one centred row before packing */
    double *x_panels;    /* TILE_ALPHAS x n: w (x - xbar), packed */
    axis_sums x_sums[TILE_ALPHAS];
    double cross[TILE_ALPHAS * TILE_BETAS]; /* sum w xc yc, row-major */
    /* A row's unconstrained fits, split into arrays for the vector loop. */
    double rss[TILE_BETAS], margin[TILE_BETAS];
    best_list best;
} grid_worker;

/* Element (row r, run k) of rows packed in panels of `width` rows. */
static size_t packed_at(uint32_t r, size_t k, size_t n, uint32_t width)
{
    return (size_t)(r / width) * width * n + k * width + r % width;
}

static void prepare_alpha_block(const grid_shared *s, grid_worker *w,
                                uint32_t first, uint32_t count)
{
    const problem *p = s->p;
    for (uint32_t i = 0; i < TILE_ALPHAS; i++) {
        if (i < count)
            w->x_sums[i] = centred_row(p, p->u, grid_alpha(s->g, first + i),
                                       w->row);
        /* The weights go into x once: the product is X W Y^T. Rows past
         * the grid are zero (their cross terms are never read). */
        for (size_t k = 0; k < p->n; k++)
            w->x_panels[packed_at(i, k, p->n, PANEL_ALPHAS)] =
                i < count ? w->row[k] * p->weight[k] : 0.0;
    }
}

/* Packs band beta b (rows past the grid's last beta are zero). */
static void prepare_band_beta(grid_shared *s, grid_worker *w, uint32_t b)
{
    const problem *p = s->p;
    uint32_t j = s->band_begin + b;
    if (j < s->band_end) {
        axis_sums y = centred_row(p, p->v, grid_beta(s->g, j), w->row);
        s->y_mean[b] = y.mean;
        s->y_css[b] = y.css;
        s->y_csl[b] = y.csl;
    }
    for (size_t k = 0; k < p->n; k++)
        s->band_panels[packed_at(b, k, p->n, PANEL_BETAS)] =
            j < s->band_end ? w->row[k] : 0.0;
}

/* The unconstrained fit of a row of cells (one alpha, count betas). */
static void row_bounds(uint32_t count, double cxx, double cxl, double cll,
                       const double *restrict cyy, const double *restrict cyl,
                       const double *restrict cxy, double *restrict rss,
                       double *restrict margin)
{
    for (uint32_t j = 0; j < count; j++) {
        unconstrained u = solve_unconstrained(cxx, cyy[j], cxy[j], cxl,
                                              cyl[j], cll);
        rss[j] = u.rss;
        margin[j] = u.margin;
    }
}

/* Offers one cell whose bound is within the thread's kept cells (its
 * unconstrained fit, solved again by the same code, rounds alike). */
static void offer_cell(const grid_shared *s, grid_worker *w, uint32_t ai,
                       const axis_sums *xs, uint32_t b, double cross)
{
    uint32_t bj = s->band_begin + b;
    moments m = {s->p->s0,    s->p->lbar,  s->p->cll, xs->mean, xs->css,
                 xs->csl,     s->y_mean[b], s->y_css[b], s->y_csl[b],
                 cross};
    linear_fit fit = solve_nnls(&m);
    sg_fit_cell cell = {(uint64_t)ai * s->g->betas + bj,
                        ai,
                        bj,
                        grid_alpha(s->g, ai),
                        grid_beta(s->g, bj),
                        fit.E,
                        fit.A,
                        fit.B,
                        fit.rss};
    list_offer(&w->best, &cell);
}

/* One alpha of a tile against `count` betas starting at band index jb. */
static void scan_tile_row(const grid_shared *s, grid_worker *w, uint32_t ai,
                          const axis_sums *xs, const double *cross,
                          uint32_t jb, uint32_t count)
{
    row_bounds(count, xs->css, xs->csl, s->p->cll, s->y_css + jb,
               s->y_csl + jb, cross, w->rss, w->margin);
    /* Most cells are worse than the kept ones already: their bound says
     * so without solving the supports. Cells without a bound (or NaN) are
     * solved. */
    double threshold = list_threshold(&w->best);
    for (uint32_t j = 0; j < count; j++) {
        if (w->rss[j] > threshold && w->margin[j] > 0)
            continue;
        offer_cell(s, w, ai, xs, jb + j, cross[j]);
        threshold = list_threshold(&w->best);
    }
}

/* cross = the tile's X W Y^T: one beta panel (in L1) against every alpha
 * panel of the block (in L2) at a time. */
static void tile_cross_terms(const grid_shared *s, grid_worker *w,
                             uint32_t jb, uint32_t alphas, uint32_t betas)
{
    size_t n = s->p->n;
    for (uint32_t jp = 0; jp < betas; jp += PANEL_BETAS)
        for (uint32_t ip = 0; ip < alphas; ip += PANEL_ALPHAS)
            cross_kernel(n, w->x_panels + (size_t)ip * n,
                         s->band_panels + (size_t)(jb + jp) * n,
                         w->cross + (size_t)ip * TILE_BETAS + jp,
                         TILE_BETAS);
}

static void run_alpha_block(const grid_shared *s, grid_worker *w,
                            uint32_t first, uint32_t count)
{
    prepare_alpha_block(s, w, first, count);
    uint32_t band_size = s->band_end - s->band_begin;
    for (uint32_t jb = 0; jb < band_size; jb += TILE_BETAS) {
        uint32_t tb = band_size - jb < TILE_BETAS ? band_size - jb
                                                  : TILE_BETAS;
        tile_cross_terms(s, w, jb, count, tb);
        for (uint32_t i = 0; i < count; i++)
            scan_tile_row(s, w, first + i, &w->x_sums[i],
                          w->cross + (size_t)i * TILE_BETAS, jb, tb);
    }
}

static void run_grid_threads(grid_shared *s, grid_worker *workers,
                             int threads)
{
    uint32_t blocks = (s->g->alphas + TILE_ALPHAS - 1) / TILE_ALPHAS;
    (void)threads; /* without OpenMP: one thread, workers[0] */
    SG_OMP(omp parallel num_threads(threads))
    {
        int t = 0;
#ifdef _OPENMP
        t = omp_get_thread_num();
#endif
        grid_worker *w = &workers[t];
        for (uint32_t begin = 0; begin < s->g->betas;
             begin += s->band_betas) {
            SG_OMP(omp single)
            {
                s->band_begin = begin;
                s->band_end = s->g->betas - begin < s->band_betas
                                  ? s->g->betas
                                  : begin + s->band_betas;
            }
            /* The barriers after single and each for publish the band. */
            SG_OMP(omp for schedule(static))
            for (uint32_t b = 0; b < s->band_betas; b++)
                prepare_band_beta(s, w, b);
            SG_OMP(omp for schedule(dynamic, 1))
            for (uint32_t blk = 0; blk < blocks; blk++) {
                uint32_t first = blk * TILE_ALPHAS;
                uint32_t count = s->g->alphas - first < TILE_ALPHAS
                                     ? s->g->alphas - first
                                     : TILE_ALPHAS;
                run_alpha_block(s, w, first, count);
            }
        }
    }
}

/* Betas per band: the band's packed rows fit BAND_BYTES (shared in L3). */
static uint32_t band_betas_for(const grid *g, size_t n)
{
    size_t b = BAND_BYTES / (n * sizeof(double));
    b -= b % TILE_BETAS;
    if (b < TILE_BETAS)
        b = TILE_BETAS;
    size_t whole = ((size_t)g->betas + TILE_BETAS - 1) / TILE_BETAS *
                   TILE_BETAS;
    return (uint32_t)(b > whole ? whole : b);
}

static void workers_free(grid_worker *workers, int threads)
{
    if (!workers)
        return;
    for (int t = 0; t < threads; t++) {
        free(workers[t].row);
        free(workers[t].x_panels);
        free(workers[t].best.cells);
    }
    free(workers);
}

static grid_worker *workers_new(int threads, size_t n, size_t keep)
{
    grid_worker *workers = calloc((size_t)threads, sizeof *workers);
    if (!workers)
        return NULL;
    for (int t = 0; t < threads; t++) {
        grid_worker *w = &workers[t];
        w->row = malloc(n * sizeof *w->row);
        w->x_panels = malloc((size_t)TILE_ALPHAS * n * sizeof *w->x_panels);
        w->best.cells = malloc(keep * sizeof *w->best.cells);
        w->best.capacity = keep;
        if (!w->row || !w->x_panels || !w->best.cells) {
            workers_free(workers, threads);
            return NULL;
        }
    }
    return workers;
}

/* The grid stage on a prepared problem; best[] receives up to keep cells. */
static sg_status grid_stage(const problem *p, const grid *g, int threads,
                            size_t keep, sg_fit_cell *best, size_t *found,
                            sg_error *err)
{
    grid_shared s = {p, g, band_betas_for(g, p->n), 0, 0, NULL,
                     NULL, NULL, NULL};
    s.band_panels = malloc((size_t)s.band_betas * p->n *
                           sizeof *s.band_panels);
    s.y_mean = malloc(3 * (size_t)s.band_betas * sizeof *s.y_mean);
    grid_worker *workers = workers_new(threads, p->n, keep);
    sg_status st = SG_OK;
    if (!s.band_panels || !s.y_mean || !workers) {
        st = sg_fail(err, SG_ERR_RUNTIME, "out of memory for the fit's grid");
        goto done;
    }
    s.y_css = s.y_mean + s.band_betas;
    s.y_csl = s.y_css + s.band_betas;
    run_grid_threads(&s, workers, threads);
    /* Merge by the same total order: independent of the thread count. */
    best_list merged = {0, keep, best};
    for (int t = 0; t < threads; t++)
        for (size_t c = 0; c < workers[t].best.count; c++)
            list_offer(&merged, &workers[t].best.cells[c]);
    *found = merged.count;
    if (merged.count == 0)
        st = sg_fail(err, SG_ERR_RUNTIME,
                     "no grid cell gave a finite objective");
done:
    workers_free(workers, threads);
    free(s.band_panels);
    free(s.y_mean);
    return st;
}

/* ------------------------------------------------------------------ IRLS */

static double huber(double r, double delta)
{
    double a = fabs(r);
    return a <= delta ? 0.5 * r * r : delta * (a - 0.5 * delta);
}

/* Moments of one cell under per-run weights wt (x, y given). */
static moments weighted_moments(const problem *p, const double *x,
                                const double *y, const double *wt)
{
    double s0 = 0, sl = 0, sx = 0, sy = 0;
    for (size_t k = 0; k < p->n; k++) {
        s0 += wt[k];
        sl += wt[k] * p->loss[k];
        sx += wt[k] * x[k];
        sy += wt[k] * y[k];
    }
    moments m = {s0, sl / s0, 0, sx / s0, 0, 0, sy / s0, 0, 0, 0};
    for (size_t k = 0; k < p->n; k++) {
        double lc = p->loss[k] - m.lbar, xc = x[k] - m.xbar,
               yc = y[k] - m.ybar;
        m.cll += wt[k] * lc * lc;
        m.cxx += wt[k] * xc * xc;
        m.cyy += wt[k] * yc * yc;
        m.cxy += wt[k] * xc * yc;
        m.cxl += wt[k] * xc * lc;
        m.cyl += wt[k] * yc * lc;
    }
    return m;
}

/* Huber loss of relative residuals; the IRLS weights for the next step. */
static double relative_huber(const problem *p, const double *x,
                             const double *y, const linear_fit *f,
                             double delta, double *wt)
{
    double h = 0;
    for (size_t k = 0; k < p->n; k++) {
        double r = (p->loss[k] - (f->E + f->A * x[k] + f->B * y[k])) /
                   p->loss[k];
        h += huber(r, delta);
        /* Huber's psi(r)/r: 1 inside delta, delta/|r| outside. */
        double omega = fabs(r) <= delta ? 1.0 : delta / fabs(r);
        wt[k] = omega * p->weight[k];
    }
    return h;
}

/* Refits one cell under the Huber loss of relative residuals, from its
 * least-squares fit. Every step minimises a quadratic that majorises the
 * Huber sum, so the sum never increases; we keep the best step. */
static linear_fit irls_cell(const problem *p, const sg_fit_cell *cell,
                            double delta, double *x, double *y, double *wt)
{
    for (size_t k = 0; k < p->n; k++) {
        x[k] = exp(-cell->alpha * p->u[k]);
        y[k] = exp(-cell->beta * p->v[k]);
    }
    linear_fit f = {0, cell->E, cell->A, cell->B};
    double h = relative_huber(p, x, y, &f, delta, wt);
    for (int step = 0; step < IRLS_MAX_STEPS; step++) {
        moments m = weighted_moments(p, x, y, wt);
        linear_fit next = solve_nnls(&m);
        double h_next = relative_huber(p, x, y, &next, delta, wt);
        if (!(h_next < h))
            break;
        int done = h - h_next <= IRLS_RTOL * h;
        f = next;
        h = h_next;
        if (done)
            break;
    }
    f.rss = h;
    return f;
}

/* ---------------------------------------------------------------- polish */

/* The exact objective in centred coordinates z = (a', b', e, alpha, beta):
 * log prediction = LSE(a' - alpha u, b' - beta v, e). */
typedef struct {
    const problem *p;
    double delta;
    double best_f;
    double best_z[5]; /* the best point evaluated so far */
} polish_state;

static double log_sum_exp3(double t1, double t2, double t3, double *p1,
                           double *p2, double *p3)
{
    double m = t1 > t2 ? t1 : t2;
    m = m > t3 ? m : t3;
    double e1 = exp(t1 - m), e2 = exp(t2 - m), e3 = exp(t3 - m);
    double s = e1 + e2 + e3;
    *p1 = e1 / s;
    *p2 = e2 / s;
    *p3 = e3 / s;
    return m + log(s);
}

static lbfgsfloatval_t polish_evaluate(void *instance,
                                       const lbfgsfloatval_t *z,
                                       lbfgsfloatval_t *g, const int n,
                                       const lbfgsfloatval_t step)
{
    (void)n;
    (void)step;
    polish_state *s = instance;
    const problem *p = s->p;
    double f = 0;
    double grad[5] = {0, 0, 0, 0, 0};
    for (size_t k = 0; k < p->n; k++) {
        double p1, p2, p3;
        double r = log_sum_exp3(z[0] - z[3] * p->u[k], z[1] - z[4] * p->v[k],
                                z[2], &p1, &p2, &p3) -
                   p->log_loss[k];
        f += huber(r, s->delta);
        double d = fabs(r) <= s->delta ? r : copysign(s->delta, r);
        grad[0] += d * p1;
        grad[1] += d * p2;
        grad[2] += d * p3;
        grad[3] -= d * p1 * p->u[k];
        grad[4] -= d * p2 * p->v[k];
    }
    for (int i = 0; i < 5; i++)
        g[i] = grad[i];
    if (f < s->best_f) {
        s->best_f = f;
        memcpy(s->best_z, z, sizeof s->best_z);
    }
    return f;
}

/* L-BFGS from z (restarted while it still improves: a fresh curvature
 * model gets past the kinks of the Huber terms). Returns the best point
 * evaluated, in z; z stays as it was if the solver cannot allocate. */
static double polish(const problem *p, double delta, double z_out[5])
{
    polish_state s = {p, delta, INFINITY, {0}};
    lbfgs_parameter_t param;
    lbfgs_parameter_init(&param);
    param.epsilon = 1e-10;
    param.past = 5;
    param.delta = 1e-14;
    param.max_iterations = 2000;
    lbfgsfloatval_t *z = lbfgs_malloc(5);
    if (!z)
        return INFINITY;
    double start[5];
    memcpy(start, z_out, sizeof start);
    double previous = INFINITY;
    for (int round = 0; round < POLISH_RESTARTS; round++) {
        for (int i = 0; i < 5; i++)
            z[i] = round == 0 ? start[i] : s.best_z[i];
        lbfgsfloatval_t fz = 0;
        lbfgs(5, z, &fz, polish_evaluate, NULL, &s, &param);
        if (!(s.best_f < previous * (1 - 1e-12)))
            break;
        previous = s.best_f;
    }
    lbfgs_free(z);
    if (s.best_f < INFINITY)
        memcpy(z_out, s.best_z, sizeof s.best_z);
    return s.best_f;
}

/* Centred log coordinates of a linear fit (a zero coefficient starts far
 * below the others instead of at log 0). */
static void start_point(const problem *p, const linear_fit *f,
                        const sg_fit_cell *cell, double z[5])
{
    double floor_value = 1e-8 * p->lbar;
    z[0] = log(f->A > floor_value ? f->A : floor_value);
    z[1] = log(f->B > floor_value ? f->B : floor_value);
    z[2] = log(f->E > floor_value ? f->E : floor_value);
    z[3] = cell->alpha;
    z[4] = cell->beta;
}

/* ------------------------------------------------------------------- fit */

double sg_fit_objective(const sg_runs *runs, double E, double A, double B,
                        double alpha, double beta, double delta)
{
    double la = log(A), lb = log(B), le = E > 0 ? log(E) : -INFINITY;
    double f = 0;
    for (size_t k = 0; k < runs->count; k++) {
        double p1, p2, p3;
        double t1 = la - alpha * log(runs->params[k]);
        double t2 = lb - beta * log(runs->tokens[k]);
        double r = log_sum_exp3(t1, t2, le, &p1, &p2, &p3) -
                   log(runs->loss[k]);
        f += huber(r, delta);
    }
    return f;
}

sg_status sg_fit_grid(const sg_runs *runs, const sg_fit_options *options,
                      size_t keep, sg_fit_cell *best, size_t *found,
                      uint64_t *cells, sg_error *err)
{
    sg_fit_options defaults;
    if (!options) {
        sg_fit_options_default(&defaults);
        options = &defaults;
    }
    grid g;
    SG_TRY(check_options(options, &g, err));
    if (keep < 1 || keep > MAX_KEEP)
        return sg_fail(err, SG_ERR_INPUT,
                       "cells to keep must be 1 to %d (got %zu)", MAX_KEEP,
                       keep);
    SG_TRY(check_runs(runs, err));
    problem p;
    SG_TRY(problem_init(&p, runs, err));
    sg_status st = check_identifiable(runs, &p, err);
    if (st == SG_OK)
        st = grid_stage(&p, &g, resolve_threads(options->threads), keep,
                        best, found, err);
    /* Inside, A and B multiply (N/N_c)^-alpha and (D/D_c)^-beta. */
    for (size_t c = 0; st == SG_OK && c < *found; c++) {
        best[c].A *= exp(best[c].alpha * p.mean_log_n);
        best[c].B *= exp(best[c].beta * p.mean_log_d);
    }
    if (st == SG_OK && cells)
        *cells = (uint64_t)g.alphas * g.betas;
    problem_free(&p);
    return st;
}

typedef struct {
    linear_fit fit;
    const sg_fit_cell *cell;
    double objective; /* exact, at the IRLS fit */
} refined;

static int by_refined_objective(const void *pa, const void *pb)
{
    const refined *a = pa, *b = pb;
    if (a->objective != b->objective)
        return a->objective < b->objective ? -1 : 1;
    return (a->cell->index > b->cell->index) -
           (a->cell->index < b->cell->index);
}

/* Centred coordinates of the problem back to (E, A, B, alpha, beta). */
static void uncentre(const problem *p, const double z[5], double out[5])
{
    out[0] = exp(z[2]);
    out[1] = exp(z[0] + z[3] * p->mean_log_n);
    out[2] = exp(z[1] + z[4] * p->mean_log_d);
    out[3] = z[3];
    out[4] = z[4];
}

/* Huber IRLS on every kept cell, ranked by the exact objective. */
static void refine_cells(const problem *p, const sg_runs *runs,
                         const sg_fit_options *o, const sg_fit_cell *cells,
                         size_t found, refined *r, double *scratch)
{
    for (size_t c = 0; c < found; c++) {
        r[c].cell = &cells[c];
        r[c].fit = irls_cell(p, &cells[c], o->huber_delta, scratch,
                             scratch + p->n, scratch + 2 * p->n);
        double z[5], c5[5];
        start_point(p, &r[c].fit, &cells[c], z);
        uncentre(p, z, c5);
        r[c].objective = sg_fit_objective(runs, c5[0], c5[1], c5[2], c5[3],
                                          c5[4], o->huber_delta);
    }
    qsort(r, found, sizeof *r, by_refined_objective);
}

/* L-BFGS from the best refined cells; the lowest exact objective wins
 * (ties: the better-ranked start). */
static double polish_best(const problem *p, const sg_runs *runs,
                          const sg_fit_options *o, const refined *r,
                          size_t found, double best[5])
{
    double objective = INFINITY;
    size_t count = (size_t)o->polish_cells < found ? (size_t)o->polish_cells
                                                   : found;
    for (size_t c = 0; c < count; c++) {
        double z[5], c5[5];
        start_point(p, &r[c].fit, r[c].cell, z);
        polish(p, o->huber_delta, z);
        uncentre(p, z, c5);
        double f = sg_fit_objective(runs, c5[0], c5[1], c5[2], c5[3], c5[4],
                                    o->huber_delta);
        if (f < objective) {
            objective = f;
            memcpy(best, c5, 5 * sizeof *best);
        }
    }
    return objective;
}

static sg_status refine_and_polish(const problem *p, const sg_runs *runs,
                                   const sg_fit_options *o,
                                   const sg_fit_cell *cells, size_t found,
                                   double best[5], double *objective,
                                   sg_error *err)
{
    refined *r = malloc(found * sizeof *r);
    double *scratch = malloc(3 * p->n * sizeof *scratch);
    sg_status st = SG_OK;
    if (!r || !scratch) {
        st = sg_fail(err, SG_ERR_RUNTIME, "out of memory fitting runs");
        goto done;
    }
    refine_cells(p, runs, o, cells, found, r, scratch);
    *objective = polish_best(p, runs, o, r, found, best);
    if (!(*objective < INFINITY))
        st = sg_fail(err, SG_ERR_RUNTIME, "the polish found no finite fit");
done:
    free(r);
    free(scratch);
    return st;
}

static unsigned edge_bits(const sg_fit_options *o, double alpha, double beta)
{
    unsigned bits = 0;
    double step = o->resolution;
    if (alpha <= o->alpha_lo + step || alpha >= o->alpha_hi - step)
        bits |= SG_FIT_EDGE_ALPHA;
    if (beta <= o->beta_lo + step || beta >= o->beta_hi - step)
        bits |= SG_FIT_EDGE_BETA;
    return bits;
}

static void law_of_fit(const sg_fit_result *fit, sg_law *law)
{
    memset(law, 0, sizeof *law);
    snprintf(law->name, sizeof law->name, "fit");
    law->form = SG_FORM_CHINCHILLA;
    law->E = fit->E;
    law->A = fit->A;
    law->B = fit->B;
    law->alpha = fit->alpha;
    law->beta = fit->beta;
}

/* Spread of a term c v^-e over the runs, relative to the mean loss. */
static double term_spread(const sg_runs *runs, const double *values,
                          double c, double e)
{
    double lo = INFINITY, hi = 0, loss = 0;
    for (size_t k = 0; k < runs->count; k++) {
        double t = c * pow(values[k], -e);
        lo = t < lo ? t : lo;
        hi = t > hi ? t : hi;
        loss += runs->loss[k];
    }
    return (hi - lo) / (loss / (double)runs->count);
}

/* A term that barely changes over the runs leaves its exponent unknown:
 * no confident answer then. */
static sg_status check_terms(const sg_runs *runs, const sg_fit_result *res,
                             sg_error *err)
{
    double n_spread = term_spread(runs, runs->params, res->A, res->alpha);
    double d_spread = term_spread(runs, runs->tokens, res->B, res->beta);
    if (n_spread < NEGLIGIBLE_TERM || d_spread < NEGLIGIBLE_TERM) {
        int n = n_spread < NEGLIGIBLE_TERM;
        return sg_fail(err, SG_ERR_INPUT,
                       "the best fit has no %s term (%s/%s^%s varies by %.2g "
                       "of the mean loss over the runs): the loss does not "
                       "fall with %s in these runs, so %s is not identified",
                       n ? "N" : "D", n ? "A" : "B", n ? "N" : "D",
                       n ? "alpha" : "beta", n ? n_spread : d_spread,
                       n ? "model size" : "token count",
                       n ? "alpha" : "beta");
    }
    return SG_OK;
}

static sg_status finish_result(const sg_runs *runs, const sg_fit_options *o,
                               const double c5[5], double objective,
                               sg_fit_result *res, sg_error *err)
{
    res->E = c5[0];
    res->A = c5[1];
    res->B = c5[2];
    res->alpha = c5[3];
    res->beta = c5[4];
    res->objective = objective;
    res->on_edge = edge_bits(o, res->alpha, res->beta);
    if (!(res->alpha > 0) || !(res->beta > 0)) {
        int n = !(res->alpha > 0);
        return sg_fail(err, SG_ERR_INPUT,
                       "the best fit has %s = %.3g <= 0: the loss does not "
                       "fall with %s in these runs",
                       n ? "alpha" : "beta", n ? res->alpha : res->beta,
                       n ? "model size" : "token count");
    }
    SG_TRY(check_terms(runs, res, err));
    sg_law law;
    law_of_fit(res, &law);
    return sg_chinchilla_allocation(&law, &res->G, &res->a, &res->b, err);
}

static sg_status fit_problem(const sg_runs *runs, const sg_fit_options *o,
                             const grid *g, int threads, sg_fit_result *res,
                             sg_error *err)
{
    double t0 = sg_now_seconds();
    SG_TRY(check_runs(runs, err));
    problem p;
    SG_TRY(problem_init(&p, runs, err));
    size_t keep = (size_t)o->refine_cells, found = 0;
    sg_fit_cell *cells = malloc(keep * sizeof *cells);
    sg_status st = cells ? check_identifiable(runs, &p, err)
                         : sg_fail(err, SG_ERR_RUNTIME, "out of memory");
    if (st != SG_OK)
        goto done;
    if ((st = grid_stage(&p, g, threads, keep, cells, &found, err)) != SG_OK)
        goto done;
    memset(res, 0, sizeof *res);
    res->grid_seconds = sg_now_seconds() - t0;
    res->cells = (uint64_t)g->alphas * g->betas;
    res->grid_alpha = cells[0].alpha;
    res->grid_beta = cells[0].beta;
    res->grid_objective = cells[0].objective;
    res->runs_used = runs->count;
    double c5[5] = {0, 0, 0, 0, 0}, objective = INFINITY;
    st = refine_and_polish(&p, runs, o, cells, found, c5, &objective, err);
    if (st == SG_OK)
        st = finish_result(runs, o, c5, objective, res, err);
    res->seconds = sg_now_seconds() - t0;
done:
    free(cells);
    problem_free(&p);
    return st;
}

sg_status sg_fit_chinchilla(const sg_runs *runs,
                            const sg_fit_options *options,
                            sg_fit_result *result, sg_error *err)
{
    sg_fit_options defaults;
    if (!options) {
        sg_fit_options_default(&defaults);
        options = &defaults;
    }
    grid g;
    SG_TRY(check_options(options, &g, err));
    return fit_problem(runs, options, &g, resolve_threads(options->threads),
                       result, err);
}

/* ------------------------------------------------------------- bootstrap */

/* splitmix64 (Steele, Lea and Flood 2014): a tiny generator whose every
 * output is a well-mixed function of its counter. Resample r draws from the
 * stream that starts at seed + r * STREAM_GAP, so it does not depend on
 * which thread fits it. */
#define STREAM_GAP UINT64_C(0xD1B54A32D192ED03)

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

void sg_fit_bootstrap_free(sg_fit_bootstrap_result *result)
{
    if (!result)
        return;
    free(result->budgets);
    result->budgets = NULL;
    result->budget_count = 0;
}

/* Values kept per resample: E, A, B, alpha, beta, then N_opt, D_opt and
 * the loss for each budget. */
#define CONSTANTS 5

typedef struct {
    const sg_runs *runs;
    const sg_fit_options *options;
    const grid *g;
    const double *budgets;
    size_t budget_count;
    size_t resamples;
    uint64_t seed;
    size_t stride;         /* values per resample */
    double *values;        /* resamples x stride */
    unsigned char *ok;     /* resamples */
} bootstrap_plan;

/* Values of one fit into out[stride]; fails if a budget has no optimum. */
static sg_status fit_values(const sg_fit_result *fit, const double *budgets,
                            size_t budget_count, double *out, sg_error *err)
{
    out[0] = fit->E;
    out[1] = fit->A;
    out[2] = fit->B;
    out[3] = fit->alpha;
    out[4] = fit->beta;
    sg_law law;
    law_of_fit(fit, &law);
    for (size_t b = 0; b < budget_count; b++) {
        sg_optimum opt;
        SG_TRY(sg_optimal_for_flops(&law, budgets[b], SG_METHOD_CLOSED_FORM,
                                    &opt, err));
        out[CONSTANTS + 3 * b] = opt.params;
        out[CONSTANTS + 3 * b + 1] = opt.tokens;
        out[CONSTANTS + 3 * b + 2] = opt.loss;
    }
    return SG_OK;
}

/* Draws resample r into the scratch runs and fits it on one thread. */
static sg_status fit_resample(const bootstrap_plan *plan, size_t r,
                              sg_runs *sample, sg_error *err)
{
    const sg_runs *runs = plan->runs;
    uint64_t state = plan->seed + (uint64_t)r * STREAM_GAP;
    for (size_t k = 0; k < runs->count; k++) {
        /* Top 53 bits as a fraction of count: bias below 2^-40 here. */
        double u = (double)(splitmix64(&state) >> 11) * 0x1.0p-53;
        size_t pick = (size_t)(u * (double)runs->count);
        if (pick >= runs->count)
            pick = runs->count - 1;
        sample->params[k] = runs->params[pick];
        sample->tokens[k] = runs->tokens[pick];
        sample->loss[k] = runs->loss[pick];
    }
    sg_fit_result fit;
    SG_TRY(fit_problem(sample, plan->options, plan->g, 1, &fit, err));
    return fit_values(&fit, plan->budgets, plan->budget_count,
                      plan->values + r * plan->stride, err);
}

typedef struct {
    size_t failed;
    size_t first_failed;     /* lowest failed resample; SIZE_MAX if none */
    char message[256];
} failure_note;

static void note_failure(failure_note *note, size_t r, const sg_error *e)
{
    note->failed++;
    if (r < note->first_failed) {
        note->first_failed = r;
        snprintf(note->message, sizeof note->message, "%.250s", e->message);
    }
}

/* Every resample, threads over resamples. Returns SG_ERR_RUNTIME only for
 * lack of memory; failed fits are counted in *note. */
static sg_status run_resamples(bootstrap_plan *plan, int threads,
                               failure_note *note, sg_error *err)
{
    size_t n = plan->runs->count;
    failure_note *notes = calloc((size_t)threads, sizeof *notes);
    double *scratch = malloc((size_t)threads * 3 * n * sizeof *scratch);
    if (!notes || !scratch) {
        free(notes);
        free(scratch);
        return sg_fail(err, SG_ERR_RUNTIME, "out of memory for the bootstrap");
    }
    for (int t = 0; t < threads; t++)
        notes[t].first_failed = SIZE_MAX;
    SG_OMP(omp parallel num_threads(threads))
    {
        int t = 0;
#ifdef _OPENMP
        t = omp_get_thread_num();
#endif
        double *base = scratch + (size_t)t * 3 * n;
        sg_runs sample;
        memset(&sample, 0, sizeof sample);
        sample.count = n;
        sample.params = base;
        sample.tokens = base + n;
        sample.loss = base + 2 * n;
        SG_OMP(omp for schedule(dynamic, 1))
        for (size_t r = 0; r < plan->resamples; r++) {
            sg_error e;
            plan->ok[r] = fit_resample(plan, r, &sample, &e) == SG_OK;
            if (!plan->ok[r])
                note_failure(&notes[t], r, &e);
        }
    }
    note->failed = 0;
    note->first_failed = SIZE_MAX;
    note->message[0] = '\0';
    for (int t = 0; t < threads; t++) {
        note->failed += notes[t].failed;
        if (notes[t].first_failed < note->first_failed) {
            note->first_failed = notes[t].first_failed;
            memcpy(note->message, notes[t].message, sizeof note->message);
        }
    }
    free(notes);
    free(scratch);
    return SG_OK;
}

/* Percentile q (0..1) of sorted values, interpolating between neighbours. */
static double percentile(const double *sorted, size_t count, double q)
{
    double pos = q * (double)(count - 1);
    size_t lo = (size_t)pos;
    if (lo + 1 >= count)
        return sorted[count - 1];
    double frac = pos - (double)lo;
    return sorted[lo] + frac * (sorted[lo + 1] - sorted[lo]);
}

static sg_fit_interval interval_of(const bootstrap_plan *plan, size_t q,
                                   double *tmp)
{
    size_t m = 0;
    for (size_t r = 0; r < plan->resamples; r++)
        if (plan->ok[r])
            tmp[m++] = plan->values[r * plan->stride + q];
    qsort(tmp, m, sizeof *tmp, by_value);
    return (sg_fit_interval){percentile(tmp, m, 0.025),
                             percentile(tmp, m, 0.10),
                             percentile(tmp, m, 0.90),
                             percentile(tmp, m, 0.975)};
}

static sg_status summarise(const bootstrap_plan *plan,
                           const double *point_values,
                           sg_fit_bootstrap_result *out, sg_error *err)
{
    double *tmp = malloc(plan->resamples * sizeof *tmp);
    out->budgets = calloc(plan->budget_count ? plan->budget_count : 1,
                          sizeof *out->budgets);
    if (!tmp || !out->budgets) {
        free(tmp);
        return sg_fail(err, SG_ERR_RUNTIME, "out of memory for the bootstrap");
    }
    sg_fit_interval *constants[CONSTANTS] = {&out->E, &out->A, &out->B,
                                             &out->alpha, &out->beta};
    for (size_t q = 0; q < CONSTANTS; q++)
        *constants[q] = interval_of(plan, q, tmp);
    out->budget_count = plan->budget_count;
    for (size_t b = 0; b < plan->budget_count; b++) {
        sg_fit_budget *o = &out->budgets[b];
        size_t q = CONSTANTS + 3 * b;
        o->flops = plan->budgets[b];
        o->params = point_values[q];
        o->tokens = point_values[q + 1];
        o->loss = point_values[q + 2];
        o->params_interval = interval_of(plan, q, tmp);
        o->tokens_interval = interval_of(plan, q + 1, tmp);
        o->loss_interval = interval_of(plan, q + 2, tmp);
    }
    free(tmp);
    return SG_OK;
}

static sg_status check_bootstrap_input(size_t resamples, const double *budgets,
                                       size_t budget_count, sg_error *err)
{
    if (resamples < MIN_RESAMPLES)
        return sg_fail(err, SG_ERR_INPUT,
                       "a bootstrap needs at least %d resamples (got %zu)",
                       MIN_RESAMPLES, resamples);
    for (size_t b = 0; b < budget_count; b++)
        if (!(budgets[b] > 0) || !isfinite(budgets[b]))
            return sg_fail(err, SG_ERR_INPUT,
                           "compute budget must be a positive number of "
                           "FLOPs (got %g)",
                           budgets[b]);
    return SG_OK;
}

/* Refuses up front a bootstrap that would not finish in max_seconds. */
static sg_status check_time(const sg_fit_options *o, size_t resamples,
                            double seconds_per_fit, int threads,
                            sg_error *err)
{
    double need = (double)resamples * seconds_per_fit / threads;
    if (need <= o->max_seconds)
        return SG_OK;
    double fit_in = floor(o->max_seconds * threads / seconds_per_fit);
    return sg_fail(err, SG_ERR_INPUT,
                   "a bootstrap of %zu resamples would need about %.0f s "
                   "(%.3g s per fit, %d thread%s), over the limit of %g s: "
                   "use at most %.0f resamples or a coarser resolution",
                   resamples, need, seconds_per_fit, threads,
                   threads == 1 ? "" : "s", o->max_seconds, fit_in);
}

sg_status sg_fit_bootstrap(const sg_runs *runs, const sg_fit_options *options,
                           size_t resamples, uint64_t seed,
                           const double *budgets, size_t budget_count,
                           sg_fit_bootstrap_result *out, sg_error *err)
{
    double t0 = sg_now_seconds();
    sg_fit_options defaults;
    if (!options) {
        sg_fit_options_default(&defaults);
        options = &defaults;
    }
    memset(out, 0, sizeof *out);
    grid g;
    SG_TRY(check_options(options, &g, err));
    SG_TRY(check_bootstrap_input(resamples, budgets, budget_count, err));
    int threads = resolve_threads(options->threads);
    /* The point fit on one thread, as every resample runs: its time is the
     * estimate per fit. */
    SG_TRY(fit_problem(runs, options, &g, 1, &out->point, err));
    out->seconds_per_fit = out->point.seconds;
    SG_TRY(check_time(options, resamples, out->seconds_per_fit, threads, err));
    bootstrap_plan plan = {runs,      options, &g,   budgets, budget_count,
                           resamples, seed,    CONSTANTS + 3 * budget_count,
                           NULL,      NULL};
    double *point_values = malloc(plan.stride * sizeof *point_values);
    plan.values = malloc(resamples * plan.stride * sizeof *plan.values);
    plan.ok = calloc(resamples, 1);
    sg_status st = SG_OK;
    failure_note note;
    if (!point_values || !plan.values || !plan.ok) {
        st = sg_fail(err, SG_ERR_RUNTIME, "out of memory for the bootstrap");
        goto done;
    }
    if ((st = fit_values(&out->point, budgets, budget_count, point_values,
                         err)) != SG_OK ||
        (st = run_resamples(&plan, threads, &note, err)) != SG_OK)
        goto done;
    if (2 * note.failed > resamples) {
        st = sg_fail(err, SG_ERR_INPUT,
                     "%zu of %zu resamples could not be fitted (resample "
                     "%zu: %s)",
                     note.failed, resamples, note.first_failed, note.message);
        goto done;
    }
    out->seed = seed;
    out->resamples = resamples;
    out->failed = note.failed;
    memcpy(out->first_failure, note.message, sizeof out->first_failure);
    st = summarise(&plan, point_values, out, err);
    out->seconds = sg_now_seconds() - t0;
done:
    free(point_values);
    free(plan.values);
    free(plan.ok);
    if (st != SG_OK)
        sg_fit_bootstrap_free(out);
    return st;
}
