/*
 * The exact strategy: the dense frontier of the Chinchilla form without
 * visiting every point.
 *
 * For the form L = E + A N^-alpha + B D^-beta with column terms that never
 * increase (checked by the host), a row's loss never increases along it and
 * its FLOPs never decrease. So for each band the dense scan's candidate from
 * a row is a single column: for a loss band, the first column whose
 * coordinate reaches the band (the least FLOPs of the row in that band);
 * for a compute band, the last column inside it (the least loss). Each is
 * found by a short search that tests the exact per-point coordinate, so it
 * is the column the dense scan would offer.
 *
 * Rows are then pruned with a lower bound that needs no search: the least
 * FLOPs (or loss) any point of row i could have in the band, from the law in
 * closed form, loosened by a relative margin far beyond rounding. The bound
 * is quasi-convex in the row (it falls, then rises), so each band visits the
 * rows outwards from near the bound's minimum and stops in each direction at
 * the first row whose bound both exceeds the best candidate so far (from any
 * span) and clearly rises from the row before: past the minimum, every row
 * beyond has a larger bound, hence no candidate that could win or tie. The
 * result is the dense scan's, to the bit; tests compare it with the
 * reference.
 *
 * Work is about (levels x rows near each band's optimum) instead of
 * rows x columns; bands are shared among threads.
 */
#include "sweep_kernels.h"

#include <stdlib.h>

#ifdef _OPENMP
#include <omp.h>
#endif

/* Relative loosening of the lower bounds: rounding in the canonical band
 * coordinates moves a boundary by ~1e-13 of a band; this is far wider. */
#define BOUND_MARGIN 1e-9
/* A bound "clearly rises" when it grows by more than rounding could make
 * it: only then is the scan known to be past the bound's minimum. */
#define RISE 1e-12

/* Whether a scan may stop at a row: its bound exceeds the best so far and
 * rises from the previous row's. */
static inline int past_all_candidates(double bound, double previous,
                                      double best)
{
    return bound > best && bound > previous * (1.0 + RISE) &&
           previous > -INFINITY;
}

typedef struct {
    const sg_plan *p;
    uint64_t r0, r1;     /* rows swept */
    uint64_t c0, n;      /* the span: columns c0 .. c0 + n - 1 */
    double ln_d0, ln_d1; /* ln D of the span's first and last columns */
} exact_ctx;

/* A row's quantities, computed exactly as the host and the reference do. */
typedef struct {
    double params, six_params, row_term, u, a;
} row_values;

static row_values row_at(const exact_ctx *x, uint64_t i)
{
    const sg_plan *p = x->p;
    row_values r;
    r.params = sg_axis_point(p->params_lo, p->params_hi, p->rows,
                             p->params_ln_lo, p->params_step, i);
    r.six_params = 6.0 * r.params;
    r.row_term = sg_row_term(&p->law, r.params);
    r.u = sg_loss_band_row(p->loss_top, p->loss_inv_width, r.row_term);
    r.a = sg_flops_band_row(p->ln_flops_top, p->flops_inv_width,
                            sg_axis_log(p->params_ln_lo, p->params_step, i));
    return r;
}

/* The row nearest to parameters n (clamped to the rows swept). */
static uint64_t row_near(const exact_ctx *x, double n)
{
    const sg_plan *p = x->p;
    double at = p->params_step > 0
                    ? floor((log(n) - p->params_ln_lo) / p->params_step + 0.5)
                    : 0.0;
    if (!(at >= (double)x->r0))
        return x->r0;
    if (at >= (double)(x->r1 - 1))
        return x->r1 - 1;
    return (uint64_t)at;
}

/* The span column nearest to tokens d (span-local, clamped). */
static uint64_t col_near(const exact_ctx *x, double d)
{
    const sg_plan *p = x->p;
    double at = p->tokens_step > 0
                    ? floor((log(d) - p->tokens_ln_lo) / p->tokens_step + 0.5) -
                          (double)x->c0
                    : 0.0;
    if (!(at >= 0))
        return 0;
    if (at >= (double)(x->n - 1))
        return x->n - 1;
    return (uint64_t)at;
}

/*
 * First j in [0, n) where pred(j) holds, for a predicate that never turns
 * false again once true; n if none. Gallops from `guess` in doubling steps
 * and bisects the bracket, testing the exact predicate throughout.
 */
typedef int (*column_predicate)(const exact_ctx *x, const void *arg,
                                uint64_t j);

static uint64_t first_true(const exact_ctx *x, column_predicate pred,
                           const void *arg, uint64_t guess)
{
    uint64_t n = x->n, g = guess > n ? n : guess;
    uint64_t left, right; /* the answer is in [left, right]; n = none */
    if (g == n || pred(x, arg, g)) {
        left = 0;
        right = g;
        for (uint64_t step = 1; right > 0; step *= 2) {
            uint64_t probe = right > step ? right - step : 0;
            if (!pred(x, arg, probe)) {
                left = probe + 1;
                break;
            }
            right = probe;
        }
    } else {
        left = g + 1;
        right = n;
        for (uint64_t step = 1; left < n; step *= 2) {
            uint64_t probe = n - left > step ? left + step - 1 : n - 1;
            if (pred(x, arg, probe)) {
                right = probe;
                break;
            }
            left = probe + 1;
        }
    }
    while (left < right) {
        uint64_t mid = left + (right - left) / 2;
        if (pred(x, arg, mid))
            right = mid;
        else
            left = mid + 1;
    }
    return left;
}

static inline void offer(sg_best *bin, double key, uint64_t index)
{
    if (sg_better(key, index, bin->key, bin->index)) {
        bin->key = key;
        bin->index = index;
    }
}

/* -------------------------------------------------------------- iso-loss */

/* A loss class: loss-band coordinate s reaches m (m = K - 1 - band, or m =
 * K for the points below the lowest band). */
typedef struct {
    double u; /* the row's part of the coordinate */
    double m;
} loss_reach;

static int reaches_loss(const exact_ctx *x, const void *arg, uint64_t j)
{
    const loss_reach *r = arg;
    return r->u - x->p->loss_col[j] >= r->m;
}

/*
 * Least FLOPs any point of the row could have with s >= m, from the closed
 * form: s >= m needs B D^-beta <= (u - m) w, i.e. D >= (B / ((u - m) w))^
 * (1/beta), and D is at least the span's first column. +inf if the row
 * cannot reach m within the span; -inf (never prunes) if not computable.
 */
static double loss_bound(const exact_ctx *x, const row_values *r, double m)
{
    const sg_point_law *law = &x->p->law;
    double slack = (r->u - m) + BOUND_MARGIN * (fabs(r->u) + fabs(m) + 1.0);
    if (!(slack > 0))
        return INFINITY;
    double ln_d = (log(law->B) - log(slack / x->p->loss_inv_width)) / law->beta;
    if (!isfinite(ln_d))
        return -INFINITY;
    if (ln_d > x->ln_d1 + BOUND_MARGIN * (fabs(x->ln_d1) + 1.0))
        return INFINITY;
    if (ln_d < x->ln_d0)
        ln_d = x->ln_d0;
    return r->six_params * exp(ln_d) * (1.0 - BOUND_MARGIN);
}

/* The dense scan's candidate for class m from row i, if any. */
static void loss_candidate(const exact_ctx *x, uint64_t i, const row_values *r,
                           double m, uint64_t guess, sg_best *best)
{
    const sg_plan *p = x->p;
    loss_reach reach = {r->u, m};
    uint64_t j = first_true(x, reaches_loss, &reach, guess);
    if (j == x->n)
        return;
    double s = r->u - p->loss_col[j];
    int64_t cls = sg_band_of(s, p->loss_count);
    int64_t want = m >= (double)p->loss_count ? p->loss_count
                                               : p->loss_count - 1 - (int64_t)m;
    if (cls != want) /* one step of D jumped over the whole band */
        return;
    offer(best, r->six_params * p->tokens[j], i * p->cols + x->c0 + j);
}

/* Column where row r is predicted to reach m (from the closed form). */
static uint64_t loss_guess(const exact_ctx *x, const row_values *r, double m)
{
    double slack = (r->u - m) / x->p->loss_inv_width;
    if (!(slack > 0))
        return x->n;
    return col_near(x, pow(x->p->law.B / slack, 1.0 / x->p->law.beta));
}

/* Rows outward from `start` in direction dir (+1: larger N, -1: smaller),
 * until no row beyond can hold a candidate. Besides the bound, two facts
 * end a scan: towards smaller N, a row that cannot reach m within the span
 * (infinite bound) has only rows that cannot either beyond it; towards
 * larger N, a row whose first column is already past class m has only such
 * rows beyond it (the coordinate grows with N). */
static void scan_loss_rows(const exact_ctx *x, double m, uint64_t start,
                           int dir, sg_best *best)
{
    double previous = -INFINITY;
    for (uint64_t i = start;; i += (uint64_t)(int64_t)dir) {
        row_values r = row_at(x, i);
        double bound = loss_bound(x, &r, m);
        if (past_all_candidates(bound, previous, best->key))
            return;
        if (dir < 0 && bound == INFINITY)
            return;
        if (dir > 0 && m < (double)x->p->loss_count &&
            r.u - x->p->loss_col[0] >= m + 1.0)
            return;
        previous = bound;
        loss_candidate(x, i, &r, m, loss_guess(x, &r, m), best);
        if ((dir < 0 && i == x->r0) || (dir > 0 && i + 1 == x->r1))
            return;
    }
}

/* Row where the bound is least: A N^-alpha (1 + alpha/beta) = R with
 * R = l_top - E - m w (the loss the row and column terms may share). */
static uint64_t loss_start_row(const exact_ctx *x, double m)
{
    const sg_point_law *law = &x->p->law;
    double reducible = x->p->loss_top - law->E - m / x->p->loss_inv_width;
    if (!(reducible > 0))
        return x->r1 - 1;
    double n = pow(law->A * (1.0 + law->alpha / law->beta) / reducible,
                   1.0 / law->alpha);
    /* The D the row at n needs; where the span clamps it, the bound's
     * minimum moves to the row whose need meets the span's edge. */
    double need = reducible - law->A * pow(n, -law->alpha);
    double ln_d = need > 0 ? (log(law->B) - log(need)) / law->beta : INFINITY;
    double edge = ln_d < x->ln_d0 ? x->ln_d0 : ln_d > x->ln_d1 ? x->ln_d1 : ln_d;
    if (edge != ln_d) {
        double rest = reducible - law->B * exp(-law->beta * edge);
        n = rest > 0 ? pow(law->A / rest, 1.0 / law->alpha) : NAN;
    }
    return isfinite(n) ? row_near(x, n) : x->r1 - 1;
}

static void exact_loss_class(const exact_ctx *x, int64_t cls, sg_best *bin)
{
    double m = cls == x->p->loss_count ? (double)x->p->loss_count
                                       : (double)(x->p->loss_count - 1 - cls);
    uint64_t start = loss_start_row(x, m);
    scan_loss_rows(x, m, start, +1, bin);
    if (start > x->r0)
        scan_loss_rows(x, m, start - 1, -1, bin);
}

/* -------------------------------------------------------------- iso-FLOP */

/* Compute class: coordinate s_c = a - e[j] falls along the row; the class
 * floor(s_c) = m holds on [first j with s_c < m + 1, first j with s_c < m). */
typedef struct {
    double a;
    double t;
} flops_below;

static int falls_below(const exact_ctx *x, const void *arg, uint64_t j)
{
    const flops_below *b = arg;
    return !(b->a - x->p->flops_col[j] >= b->t);
}

/*
 * Least loss any point of the row could have with s_c >= m (compute at most
 * the band's top): the largest such D is exp((a - m) w_c) (the budget line
 * D = c / 6N), capped at the span's last column; the loss only falls with
 * D. -inf (never prunes) if not computable.
 */
static double flops_bound(const exact_ctx *x, const row_values *r, double m)
{
    const sg_plan *p = x->p;
    double ln_d = (r->a - m + BOUND_MARGIN * (fabs(r->a) + fabs(m) + 1.0)) /
                  p->flops_inv_width;
    if (ln_d > x->ln_d1)
        ln_d = x->ln_d1;
    double col = sg_col_term(&p->law, exp(ln_d));
    double bound = sg_combine_terms(&p->law, r->row_term, col);
    return isfinite(bound) ? bound * (1.0 - BOUND_MARGIN) : -INFINITY;
}

static void flops_candidate(const exact_ctx *x, uint64_t i,
                            const row_values *r, double m, uint64_t guess,
                            sg_best *best)
{
    const sg_plan *p = x->p;
    flops_below start = {r->a, m + 1.0}, stop = {r->a, m};
    uint64_t end = first_true(x, falls_below, &stop, guess);
    if (end == 0)
        return;
    uint64_t begin = first_true(x, falls_below, &start, end - 1);
    if (begin >= end)
        return;
    /* the class of the columns in [begin, end) is m: check the first one
     * really lies in a band (not below the lowest) */
    int64_t band = sg_band_of(r->a - p->flops_col[end - 1], p->flops_count);
    if (band == SG_BAND_NONE || band >= p->flops_count)
        return;
    uint64_t j = end - 1;
    double loss = r->row_term + p->col_term[j];
    while (j > begin && r->row_term + p->col_term[j - 1] == loss)
        j--;
    if (loss < INFINITY)
        offer(best, loss, i * p->cols + x->c0 + j);
}

static uint64_t flops_guess(const exact_ctx *x, const row_values *r, double m)
{
    return col_near(x, exp((r->a - m) / x->p->flops_inv_width)) + 1;
}

/* As scan_loss_rows, for a compute band. Towards larger N the band's
 * columns move to smaller D: once the row's first column is already past
 * the band (s_c < m), so are all rows beyond; towards smaller N they move
 * to larger D: once the span's last column has not reached the band
 * (s_c >= m + 1), neither has any row beyond. */
static void scan_flops_rows(const exact_ctx *x, double m, uint64_t start,
                            int dir, sg_best *best)
{
    const double *e = x->p->flops_col;
    double previous = -INFINITY;
    for (uint64_t i = start;; i += (uint64_t)(int64_t)dir) {
        row_values r = row_at(x, i);
        double bound = flops_bound(x, &r, m);
        if (past_all_candidates(bound, previous, best->key))
            return;
        if (dir > 0 && !(r.a - e[0] >= m))
            return;
        if (dir < 0 && r.a - e[x->n - 1] >= m + 1.0)
            return;
        previous = bound;
        flops_candidate(x, i, &r, m, flops_guess(x, &r, m), best);
        if ((dir < 0 && i == x->r0) || (dir > 0 && i + 1 == x->r1))
            return;
    }
}

/* Row nearest the compute-optimal N of the band's top budget (eq. 4), or,
 * where that optimum's D lies outside the span, the row whose budget line
 * meets the span's edge (where the capped bound is least). */
static uint64_t flops_start_row(const exact_ctx *x, double m)
{
    const sg_point_law *law = &x->p->law;
    double c6 = exp(x->p->ln_flops_top - m / x->p->flops_inv_width) / 6.0;
    double g = pow(law->alpha * law->A / (law->beta * law->B),
                   1.0 / (law->alpha + law->beta));
    double n = g * pow(c6, law->beta / (law->alpha + law->beta));
    double ln_d = log(c6 / n);
    if (ln_d > x->ln_d1)
        n = c6 / exp(x->ln_d1);
    else if (ln_d < x->ln_d0)
        n = c6 / exp(x->ln_d0);
    return isfinite(n) ? row_near(x, n) : x->r0;
}

static void exact_flops_band(const exact_ctx *x, int64_t band, sg_best *bin)
{
    double m = (double)(x->p->flops_count - 1 - band);
    uint64_t start = flops_start_row(x, m);
    scan_flops_rows(x, m, start, +1, bin);
    if (start > x->r0)
        scan_flops_rows(x, m, start - 1, -1, bin);
}

/* ------------------------------------------------------------------ entry */

int sg_sweep_exact(const sg_plan *p, uint64_t row_begin, uint64_t row_end,
                   sg_bins *bins)
{
    exact_ctx x = {p, row_begin, row_end, p->col_base, p->col_end - p->col_base,
                   sg_axis_log(p->tokens_ln_lo, p->tokens_step, p->col_base),
                   sg_axis_log(p->tokens_ln_lo, p->tokens_step,
                               p->col_end - 1)};
    const int64_t loss_classes = p->loss_count + 1; /* bands + below */
    const int64_t total = loss_classes + p->flops_count;
    /* Each class is independent; its bin is read for pruning and updated
     * by the one thread that owns it. */
    SG_OMP(omp parallel for num_threads(p->threads) schedule(dynamic, 4))
    for (int64_t c = 0; c < total; c++) {
        if (c < loss_classes)
            exact_loss_class(&x, c, &bins->iso_loss[c]);
        else
            exact_flops_band(&x, c - loss_classes,
                             &bins->iso_flops[c - loss_classes]);
    }
    return 0;
}
