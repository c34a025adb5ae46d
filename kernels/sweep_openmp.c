/*
 * The OpenMP backend: threads over rows, SIMD along a row (double, or float
 * for f32 sweeps), bit-identical frontiers to the reference.
 *
 * Work is cut into row tiles of TILE_COLS columns so a tile's column arrays
 * (16 KiB of doubles each) stay in L1 while a thread runs its rows over
 * them. Each thread reduces into private bins; the bins merge by sg_better,
 * a total order, so the result does not depend on the thread count or the
 * schedule.
 *
 * Every point's loss-band coordinate is evaluated (the factored path
 * subtracts a precomputed column part from the row part; the other paths
 * evaluate the law per point). Two facts about a row make the reduction
 * cheap without changing the answer (tests check it against the reference,
 * which offers every point to its bins):
 *
 *  1. Iso-loss: along a row the tokens grow, so the cost m(N) (D + T/3)
 *     never decreases (6 N D by default). In a run of consecutive points that share floor(s) (hence a
 *     band), the first point has the least (FLOPs, index): only run starts
 *     are offered. Run starts are found with a vector compare of each lane's
 *     floor with its left neighbour's and packed without a branch.
 *
 *  2. Iso-FLOP: the compute-band coordinate falls monotonically along a row
 *     (it is a row part minus a column part that grows with the column), so
 *     each compute band is a contiguous column range. Consecutive band edges
 *     lie a near-constant number of columns apart; each edge is predicted
 *     from that and verified against the exact per-point coordinate. Within
 *     a range the least loss is found by scanning it, or, for the factored
 *     Chinchilla form whose column terms the host verified never increase,
 *     it is the range's last point (the loss never increases either), moved
 *     back over any run of equal losses so ties still go to the lowest index.
 *
 * The exact strategy (sweep_exact.c) goes further for that monotone form.
 */
#include "sweep_kernels.h"

#include <stdlib.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#if defined(__AVX2__)
#include <immintrin.h>
#define SG_HAVE_AVX2 1
#else
#define SG_HAVE_AVX2 0
#endif
#if defined(__AVX2__) && defined(__FMA__)
#define SG_HAVE_AVX2_FMA 1
#else
#define SG_HAVE_AVX2_FMA 0
#endif

/* Columns per tile: 2048 doubles = 16 KiB per column array (a multiple of
 * 64, the columns of a run-start word). */
#define TILE_COLS 2048
/* Iso-loss run starts are recorded as bits, one 64-bit word per 64 columns:
 * a few percent of the points start a run, too many and too irregular for a
 * predictable branch per vector, and a word's address does not depend on
 * how many starts came before it. */
#define WORD_BITS 64
/* Floats per AVX2 vector. */
#define F32_LANES 8
/* f32 direct fills a tile in chunks of this many columns, so the
 * terms passed between its loops stay in L1 beside the tile's losses,
 * floors and tokens (2 x 2 KiB + 3 x 8 KiB: the five whole-tile arrays,
 * 40 KiB, did not fit Zen 3's 32 KiB). */
#define F32_CHUNK 512
/* Rows handed out at a time by the dynamic schedule. */
#define ROW_CHUNK 8
/* Corrections of a predicted band edge before falling back to bisection. */
#define MAX_EDGE_STEPS 4

typedef struct {
    const sg_plan *p;
    sg_bins bins;          /* this thread's private bins */
    /* f64 sweeps: losses of a row tile (non-factored paths) and minus its
     * loss-band coordinates */
    double *losses, *neg_coords;
    uint64_t *run_words;   /* bit t: column t of a row tile starts a run */
    /* f32 direct: a row tile's losses and the floors of its loss-band
     * coordinates (band_floors32[-1] is a NaN, the left neighbour of column
     * 0), and its row and column terms between passes, F32_CHUNK columns
     * at a time. */
    float *losses32, *band_floors32, *row_terms32, *col_terms32;
    float *f32_block; /* the one allocation the four live in */
} worker;

int sg_openmp_max_threads(void)
{
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

/* Scratch a thread writes, on cache lines of its own: two threads' small
 * buffers sharing a line would bounce it between the cores on every write
 * (measured: the two-thread sweep took 1.75x the CPU time of one). */
static void *thread_scratch(size_t bytes)
{
    size_t line = 64;
    return aligned_alloc(line, (bytes + line - 1) / line * line);
}

/* A tile's value arrays in the sweep's precision (the other precision's
 * stay NULL). */
static int tile_scratch_init(worker *w)
{
    const size_t cols = TILE_COLS;
    if (!w->p->single) {
        w->losses = thread_scratch(cols * sizeof(double));
        w->neg_coords = thread_scratch(cols * sizeof(double));
        return w->losses && w->neg_coords;
    }
    /* One block: a chunk's two term arrays, then the tile's losses and
     * floors, each slot 128 bytes longer than its array, so a pass that
     * loads one array at column t and stores another at t does not touch
     * the same offset within a page (the core may then hold the load
     * behind the store); the floors start a vector into their slot, after
     * the NaN left of column 0. */
    const size_t chunk_stride = F32_CHUNK + 32, stride = cols + 32;
    w->f32_block =
        thread_scratch((2 * chunk_stride + 2 * stride) * sizeof(float));
    if (!w->f32_block)
        return 0;
    w->row_terms32 = w->f32_block;
    w->col_terms32 = w->f32_block + chunk_stride;
    w->losses32 = w->f32_block + 2 * chunk_stride;
    w->band_floors32 = w->losses32 + stride + F32_LANES;
    w->band_floors32[-1] = NAN;
    return 1;
}

static int worker_init(worker *w, const sg_plan *p)
{
    worker empty = {0};
    *w = empty;
    w->p = p;
    w->bins.loss_count = p->loss_count;
    w->bins.flops_count = p->flops_count;
    w->bins.iso_loss =
        thread_scratch((size_t)(p->loss_count + 1) * sizeof(sg_best));
    w->bins.iso_flops = thread_scratch((size_t)p->flops_count * sizeof(sg_best));
    w->run_words = thread_scratch(TILE_COLS / WORD_BITS * sizeof(uint64_t));
    if (!w->bins.iso_loss || !w->bins.iso_flops || !w->run_words ||
        !tile_scratch_init(w))
        return 0;
    sg_bins_clear(&w->bins);
    return 1;
}

static void worker_free(worker *w)
{
    free(w->bins.iso_loss);
    free(w->bins.iso_flops);
    free(w->losses);
    free(w->neg_coords);
    free(w->run_words);
    free(w->f32_block);
}

/* sg_better without branches: whether a candidate wins is data-dependent
 * and hard to predict. */
static inline void offer(sg_best *bin, double key, uint64_t index)
{
    int better = (key < bin->key) | ((key == bin->key) & (index < bin->index));
    bin->key = better ? key : bin->key;
    bin->index = better ? index : bin->index;
}

/* ------------------------------------------------------------ iso-loss */

#if SG_HAVE_AVX2
/*
 * Vector part of mark_run_starts: whole 64-column words only. Each lane's
 * floor is compared with its left neighbour's, built from the previous and
 * current vectors with two in-register shuffles. Returns the columns
 * covered; *last_floor gets the floor of the last of them.
 */
static uint64_t mark_run_starts_avx2(uint64_t n, double u, const double *v,
                                     uint64_t *words, double *last_floor)
{
    const __m256d vu = _mm256_set1_pd(u);
    /* Floors of the previous 4 columns; NaN starts a run at t = 0. */
    __m256d prev = _mm256_set1_pd(NAN);
    uint64_t t = 0;
    for (uint64_t w = 0; w < n / WORD_BITS; w++) {
        uint64_t bits = 0;
        for (int k = 0; k < WORD_BITS / 4; k++, t += 4) {
            __m256d q =
                _mm256_floor_pd(_mm256_sub_pd(vu, _mm256_loadu_pd(v + t)));
            __m256d mid = _mm256_permute2f128_pd(prev, q, 0x21); /* p2 p3 q0 q1 */
            __m256d left = _mm256_shuffle_pd(mid, q, 5);         /* p3 q0 q1 q2 */
            prev = q;
            uint64_t mask = (uint64_t)_mm256_movemask_pd(
                _mm256_cmp_pd(q, left, _CMP_NEQ_UQ));
            bits |= mask << (4 * k);
        }
        words[w] = bits;
    }
    if (t > 0)
        *last_floor = _mm256_cvtsd_f64(_mm256_permute4x64_pd(prev, 3));
    return t;
}
#endif

#if SG_HAVE_AVX2
/* mark_run_starts_avx2 for float coordinates: 8 columns per vector. The
 * left neighbours of a vector's lanes are the previous vector's lane 7 and
 * its own lanes 0 to 6: the two vectors' middle halves joined across the
 * 128-bit lanes, then shifted by one float within each (two cheap
 * shuffles; a full lane permutation measured 1.25x slower on Zen 3). */
static uint64_t mark_run_starts_avx2_f32(uint64_t n, float u, const float *v,
                                         uint64_t *words, float *last_floor)
{
    const __m256 vu = _mm256_set1_ps(u);
    __m256 prev = _mm256_set1_ps(NAN); /* NaN starts a run at t = 0 */
    uint64_t t = 0;
    for (uint64_t w = 0; w < n / WORD_BITS; w++) {
        uint64_t bits = 0;
        for (int k = 0; k < WORD_BITS / 8; k++, t += 8) {
            __m256 q =
                _mm256_floor_ps(_mm256_sub_ps(vu, _mm256_loadu_ps(v + t)));
            __m256 mid = _mm256_permute2f128_ps(prev, q, 0x21); /* p4..p7 q0..q3 */
            __m256 left = _mm256_castsi256_ps(_mm256_alignr_epi8(
                _mm256_castps_si256(q), _mm256_castps_si256(mid),
                12)); /* p7 q0..q6 */
            prev = q;
            uint64_t mask = (uint64_t)_mm256_movemask_ps(
                _mm256_cmp_ps(q, left, _CMP_NEQ_UQ));
            bits |= mask << (8 * k);
        }
        words[w] = bits;
    }
    if (t > 0) /* lane 7 */
        *last_floor = _mm256_cvtss_f32(_mm256_permutevar8x32_ps(
            prev, _mm256_set1_epi32(7)));
    return t;
}
#endif

/*
 * The loss-band coordinates of a row tile, s_t = u - v[t]: the row and
 * column parts of the factored form, or u = 0 and v the negated
 * coordinates of the tile (0 - (-s) == s exactly); in double, or in float
 * for f32 sweeps (widened exactly, as the reference does).
 */
typedef struct {
    int single;
    double u;
    const double *v;
    float u32;
    const float *v32;
    /* f32 direct: v32[t] is floor(s_t) itself (u32 unused), v32[-1] NaN */
    int floored;
} tile_coords;

/* s_t, or floor(s_t) for floored coordinates: the band of a point only
 * needs the floor (s >= 0, s >= count and (int64_t)s read the same). */
static inline double coord_at(const tile_coords *tc, uint64_t t)
{
    if (tc->floored)
        return (double)tc->v32[t];
    return tc->single ? (double)(tc->u32 - tc->v32[t]) : tc->u - tc->v[t];
}

/* floor(s_t) as a double: a float's floor is a float, widened exactly. */
static inline double coord_floor_at(const tile_coords *tc, uint64_t t)
{
    if (tc->floored)
        return (double)tc->v32[t];
    return tc->single ? (double)floorf(tc->u32 - tc->v32[t])
                      : floor(tc->u - tc->v[t]);
}

#if SG_HAVE_AVX2
/* mark_run_starts_avx2 for floors already computed (f32 direct): each
 * vector compared with the same vector read one column to the left. */
static uint64_t mark_floor_changes_avx2(uint64_t n, const float *floors,
                                        uint64_t *words)
{
    uint64_t t = 0;
    for (uint64_t w = 0; w < n / WORD_BITS; w++) {
        uint64_t bits = 0;
        for (int k = 0; k < WORD_BITS / F32_LANES; k++, t += F32_LANES) {
            __m256 q = _mm256_loadu_ps(floors + t);
            __m256 left = _mm256_loadu_ps(floors + t - 1);
            uint64_t mask = (uint64_t)_mm256_movemask_ps(
                _mm256_cmp_ps(q, left, _CMP_NEQ_UQ));
            bits |= mask << (F32_LANES * k);
        }
        words[w] = bits;
    }
    return t;
}
#endif

/* Sets bit t of words[] where floor(s_t) differs from the floor of the
 * column before (t = 0 always starts a run). */
static void mark_run_starts(const sg_plan *p, uint64_t n,
                            const tile_coords *tc, uint64_t *words)
{
    double prev_floor = NAN;
    uint64_t t = 0;
#if SG_HAVE_AVX2
    if (p->use_simd && tc->floored) {
        t = mark_floor_changes_avx2(n, tc->v32, words);
        prev_floor = t > 0 ? (double)tc->v32[t - 1] : NAN;
    } else if (p->use_simd && tc->single) {
        float last = NAN;
        t = mark_run_starts_avx2_f32(n, tc->u32, tc->v32, words, &last);
        prev_floor = (double)last;
    } else if (p->use_simd) {
        t = mark_run_starts_avx2(n, tc->u, tc->v, words, &prev_floor);
    }
#else
    (void)p;
#endif
    for (; t < n; t++) {
        if (t % WORD_BITS == 0)
            words[t / WORD_BITS] = 0;
        double q = coord_floor_at(tc, t);
        if (!(q == prev_floor))
            words[t / WORD_BITS] |= UINT64_C(1) << (t % WORD_BITS);
        prev_floor = q;
    }
}

/*
 * Offers the first point of every run of equal floor(s) in columns
 * [col0, col0 + n) of a row, s_t the tile's coordinates.
 */
static void iso_loss_runs(worker *w, uint64_t row, uint64_t col0, uint64_t n,
                          const tile_coords *tc)
{
    const sg_plan *p = w->p;
    const int64_t count = p->loss_count;
    const double below = (double)count; /* s >= count: below the lowest band */
    const double per_token = p->per_token[row - p->row_base];
    const double *cost_tokens = p->cost_tokens + (col0 - p->col_base);
    const uint64_t base = row * p->cols + col0;
    sg_best *bins = w->bins.iso_loss;
    mark_run_starts(p, n, tc, w->run_words);
    for (uint64_t word = 0; word * WORD_BITS < n; word++) {
        for (uint64_t bits = w->run_words[word]; bits; bits &= bits - 1) {
            uint64_t t = word * WORD_BITS + (uint64_t)__builtin_ctzll(bits);
            double s = coord_at(tc, t); /* as sg_band_of, the limit hoisted */
            if (!(s >= 0))
                continue;
            int64_t band = s >= below ? count : count - 1 - (int64_t)s;
            double cost = sg_point_cost_of(per_token, cost_tokens[t]);
            sg_best *bin = &bins[band];
            /* Along a row the outcome flips about once (where the row's N
             * passes the band's optimum): a branch predicts well here. */
            if (sg_better(cost, base + t, bin->key, bin->index)) {
                bin->key = cost;
                bin->index = base + t;
            }
        }
    }
}

static void iso_loss_runs_f64(worker *w, uint64_t row, uint64_t col0,
                              uint64_t n, double u, const double *v)
{
    tile_coords tc = {0, u, v, 0.0f, NULL, 0};
    iso_loss_runs(w, row, col0, n, &tc);
}

static void iso_loss_runs_f32(worker *w, uint64_t row, uint64_t col0,
                              uint64_t n, float u, const float *v)
{
    tile_coords tc = {1, 0.0, NULL, u, v, 0};
    iso_loss_runs(w, row, col0, n, &tc);
}

/* floors[t] = floor(s_t), floors[-1] NaN (f32 direct) */
static void iso_loss_runs_floored(worker *w, uint64_t row, uint64_t col0,
                                  uint64_t n, const float *floors)
{
    tile_coords tc = {1, 0.0, NULL, 0.0f, floors, 1};
    iso_loss_runs(w, row, col0, n, &tc);
}

/* ------------------------------------------------------------ iso-FLOP */

/*
 * Compute bands along a row. The coordinate s_j = a - e[j] never increases
 * with j, so the columns with floor(s) = f form one range [x(f+1), x(f)),
 * where x(m) is the first column with s < m. Walking m down from the class
 * of column 0 visits every band of the row in order.
 */
typedef struct {
    double a;             /* the row part of the coordinate */
    double e0;            /* e[0]: the column part at column 0 */
    double cols_per_band; /* columns over which s falls by one */
} flops_row;

static flops_row flops_row_of(const sg_plan *p, uint64_t row)
{
    /* Exact spacing for a plain cost; for others (ln(D + T/3) is not
     * linear in the column) a guess that crossing() corrects. */
    double de = p->tokens_step * p->flops_inv_width;
    flops_row fr = {p->flops_row[row - p->row_base],
                    sg_cost_band_col(&p->cost, p->flops_inv_width,
                                     sg_axis_log(p->tokens_ln_lo,
                                                 p->tokens_step, 0),
                                     sg_cost_tokens(&p->cost, p->tokens_lo)),
                    de > 0 ? 1.0 / de : INFINITY};
    return fr;
}

/* The compute-band column part of column j (inside the span). */
static inline double e_at(const sg_plan *p, uint64_t j)
{
    return p->flops_col[j - p->col_base];
}

static uint64_t bisect_crossing(const sg_plan *p, double a, double m,
                                uint64_t lo, uint64_t hi)
{
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (a - e_at(p, mid) >= m)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/*
 * x(m) within [lo, hi]: the first column j >= lo with a - e[j] < m, or hi.
 * Predicted from the columns' even spacing in log D, then verified against
 * the exact coordinates (bisection if the prediction is far off), so it is
 * what a point-by-point scan would find.
 */
static uint64_t crossing(const sg_plan *p, const flops_row *fr, double m,
                         uint64_t lo, uint64_t hi)
{
    double ahead = floor((fr->a - m - fr->e0) * fr->cols_per_band) + 1.0;
    uint64_t x = !(ahead > (double)lo) ? lo
                 : ahead >= (double)hi ? hi
                                       : (uint64_t)ahead;
    int steps = 0;
    if (x > lo && x < hi) {
        /* The common case: the predicted column is right. Both checks in
         * one branch, their loads issued together. */
        int before_in = fr->a - e_at(p, x - 1) >= m;
        int at_out = !(fr->a - e_at(p, x) >= m);
        if (before_in & at_out)
            return x;
    }
    while (x > lo && !(fr->a - e_at(p, x - 1) >= m))
        if (++steps > MAX_EDGE_STEPS)
            return bisect_crossing(p, fr->a, m, lo, x);
        else
            x--;
    while (x < hi && fr->a - e_at(p, x) >= m)
        if (++steps > MAX_EDGE_STEPS)
            return bisect_crossing(p, fr->a, m, x, hi);
        else
            x++;
    return x;
}

/*
 * Calls visit(w, row, band, begin, end, ctx) for every compute band's
 * non-empty column range within [lo, hi) of a row. Columns below the lowest
 * band and above the top one are skipped.
 */
typedef void (*band_visitor)(worker *w, uint64_t row, int64_t band,
                             uint64_t begin, uint64_t end, const void *ctx);

static void for_each_flops_band(worker *w, uint64_t row, uint64_t lo,
                                uint64_t hi, band_visitor visit,
                                const void *ctx)
{
    const sg_plan *p = w->p;
    const double top = (double)p->flops_count;
    flops_row fr = flops_row_of(p, row);
    double s = fr.a - e_at(p, lo);
    if (!(s >= 0)) /* above the top level from here to the row's end */
        return;
    double m = s >= top ? top : floor(s); /* edge of column lo's class */
    for (uint64_t begin = lo; begin < hi; m -= 1.0) {
        uint64_t end = crossing(p, &fr, m, begin, hi);
        if (end > begin && m < top)
            visit(w, row, p->flops_count - 1 - (int64_t)m, begin, end, ctx);
        if (m == 0.0)
            return;
        begin = end;
    }
}

/*
 * The losses of a row's columns: column j's is add + src[j - col0], the row
 * term plus column terms or 0 plus a tile's losses (0 + L == L); in double,
 * or in float for f32 sweeps as the reference computes them, widened
 * exactly (floats order and tie as their doubles do, so the least is the
 * same column).
 */
typedef struct {
    uint64_t col0;
    int single;
    double add;
    const double *src;
    float add32;
    const float *src32;
} tile_losses;

static tile_losses losses_f64(uint64_t col0, double add, const double *src)
{
    tile_losses tl = {col0, 0, add, src, 0.0f, NULL};
    return tl;
}

static tile_losses losses_f32(uint64_t col0, float add, const float *src)
{
    tile_losses tl = {col0, 1, 0.0, NULL, add, src};
    return tl;
}

static inline double loss_at(const tile_losses *tl, uint64_t j)
{
    return tl->single ? (double)(tl->add32 + tl->src32[j - tl->col0])
                      : tl->add + tl->src[j - tl->col0];
}

/* Least loss of a band's columns, scanning every one. */
static void least_loss_scan(worker *w, uint64_t row, int64_t band,
                            uint64_t begin, uint64_t end, const void *ctx)
{
    const tile_losses *tl = ctx;
    double best = INFINITY; /* NaN and +inf never win */
    uint64_t best_col = SG_NO_POINT;
    for (uint64_t j = begin; j < end; j++) {
        double loss = loss_at(tl, j);
        if (loss < best) {
            best = loss;
            best_col = j;
        }
    }
    if (best_col != SG_NO_POINT)
        offer(&w->bins.iso_flops[band], best, row * w->p->cols + best_col);
}

/* Least loss of a band's columns when the loss never increases along the
 * row (the Chinchilla form's column terms checked by the host): the last
 * column, moved back over any run of equal losses so ties still go to the
 * lowest index. */
static void least_loss_monotone(worker *w, uint64_t row, int64_t band,
                                uint64_t begin, uint64_t end, const void *ctx)
{
    const tile_losses *tl = ctx;
    uint64_t j = end - 1;
    double loss = loss_at(tl, j);
    while (j > begin && loss_at(tl, j - 1) == loss)
        j--;
    if (loss < INFINITY)
        offer(&w->bins.iso_flops[band], loss, row * w->p->cols + j);
}

/* Iso-FLOP bins over columns [col0, col0 + n) of a row. */
static void iso_flops_tile(worker *w, uint64_t row, uint64_t n,
                           const tile_losses *tl, int monotone)
{
    for_each_flops_band(w, row, tl->col0, tl->col0 + n,
                        monotone ? least_loss_monotone : least_loss_scan, tl);
}

/* The whole span of a row at once (the loss never increases along it),
 * from the row and column terms in either precision. */
static void iso_flops_monotone_row(worker *w, uint64_t row)
{
    const sg_plan *p = w->p;
    uint64_t k = row - p->row_base;
    tile_losses tl =
        p->single ? losses_f32(p->col_base, p->row_term32[k], p->col_term32)
                  : losses_f64(p->col_base, p->row_term[k], p->col_term);
    for_each_flops_band(w, row, p->col_base, p->col_end, least_loss_monotone,
                        &tl);
}

/* ------------------------------------------------------------- tiles */

static int factored_additive(const sg_plan *p)
{
    return p->kernel == SG_KERNEL_FACTORED &&
           p->law.form == SG_PM_FORM_CHINCHILLA;
}

/*
 * Losses and negated loss-band coordinates of a row tile, point by point,
 * for the paths that do not use the factored shortcut. One loop per law
 * form and strategy, with the choice made outside it: a loop body without
 * branches is one the compiler vectorises, sg_math.h's exp, log and pow
 * included. Each body is the reference's arithmetic, operation for
 * operation (point_math.h), so the bits are the reference's.
 */

/* The row's N as a value of the loop: params + 0 D is params exactly (D
 * is finite and positive), but the compiler may not know that, so it
 * evaluates the row term's pow at every point, as the direct strategy
 * promises, instead of hoisting half of it and giving up on vectorising
 * the loop (GCC 12 does). */
static inline double per_point(double params, double tokens)
{
    return params + 0.0 * tokens;
}

/* Chinchilla form, direct: E + A N^-alpha and B D^-beta at every point. */
static void fill_tile_chinchilla_direct(worker *w, double params,
                                        const double *tokens, uint64_t n)
{
    const sg_plan *p = w->p;
    const sg_point_law law = p->law;
    const double top = p->loss_top, inv = p->loss_inv_width;
    double *restrict losses = w->losses, *restrict neg = w->neg_coords;
    for (uint64_t t = 0; t < n; t++) {
        double r = law.E + law.A * sg_pow(per_point(params, tokens[t]),
                                          -law.alpha);
        double c = law.B * sg_pow(tokens[t], -law.beta);
        losses[t] = r + c;
        neg[t] = -(sg_loss_band_row(top, inv, r) - sg_loss_band_col(inv, c));
    }
}

/* Kaplan form: (row + col)^aD per point, the terms precomputed (factored)
 * or evaluated at every point (direct). */
static void fill_tile_kaplan(worker *w, double params, double row_term,
                             const double *col_term, const double *tokens,
                             uint64_t n)
{
    const sg_plan *p = w->p;
    const sg_point_law law = p->law;
    const double top = p->loss_top, inv = p->loss_inv_width;
    double *restrict losses = w->losses, *restrict neg = w->neg_coords;
    if (p->kernel == SG_KERNEL_DIRECT) {
        for (uint64_t t = 0; t < n; t++) {
            double row = sg_pow(law.Nc / per_point(params, tokens[t]),
                                law.p);
            double loss = sg_pow(row + law.Dc / tokens[t], law.aD);
            losses[t] = loss;
            neg[t] = -((top - loss) * inv);
        }
        return;
    }
    for (uint64_t t = 0; t < n; t++) {
        double loss = sg_pow(row_term + col_term[t], law.aD);
        losses[t] = loss;
        neg[t] = -((top - loss) * inv);
    }
}

/* A law that does not separate (direct only): the whole law per point. */
static void fill_tile_joint(worker *w, double params, const double *tokens,
                            uint64_t n)
{
    const sg_plan *p = w->p;
    const sg_point_law law = p->law;
    const double top = p->loss_top, inv = p->loss_inv_width;
    double *restrict losses = w->losses, *restrict neg = w->neg_coords;
    for (uint64_t t = 0; t < n; t++) {
        double loss = sg_joint_loss(&law, params, tokens[t]);
        losses[t] = loss;
        neg[t] = -((top - loss) * inv);
    }
}

static void fill_tile(worker *w, uint64_t row, uint64_t col0, uint64_t n)
{
    const sg_plan *p = w->p;
    const double params = p->params[row - p->row_base];
    const double row_term = p->row_term[row - p->row_base];
    const double *col_term = p->col_term + (col0 - p->col_base);
    const double *tokens = p->tokens + (col0 - p->col_base);
    if (!sg_law_separable(&p->law))
        fill_tile_joint(w, params, tokens, n);
    else if (p->law.form == SG_PM_FORM_KAPLAN)
        fill_tile_kaplan(w, params, row_term, col_term, tokens, n);
    else /* Chinchilla form: factored takes the additive path instead */
        fill_tile_chinchilla_direct(w, params, tokens, n);
}

/*
 * f32 direct: the Chinchilla law in float at every point (point_math.h's
 * f32 contract, operation for operation), in two passes over each
 * F32_CHUNK columns of the tile: the row and column terms, then the loss
 * and the floor of the loss-band coordinate. Split so each loop's
 * dependency chains are short enough for the core to overlap neighbouring
 * vectors: one loop for everything was 3.4% slower than three passes (row
 * terms, column terms, loss), the column terms fused with the loss 4.8%
 * slower, and the two powers in one loop 2.9% faster (1 thread, 2^30 and
 * 2^32 points, paired rounds).
 */

/* The loss of one point from its two terms, and the floor of its
 * loss-band coordinate. */
static inline void f32_direct_point(const sg_plan *p, float r, float c,
                                    float *loss, float *band_floor)
{
    *loss = r + c;
    *band_floor =
        floorf(sg_loss_band_row_f32(p->loss_top32, p->loss_inv_width32, r) -
               sg_loss_band_col_f32(p->loss_inv_width32, c));
}

/* Columns [t0, t1) of the tile, one point at a time (the portable loop and
 * the vector loop's tail). */
static void fill_f32_direct_scalar(worker *w, float params,
                                   const float *tokens, uint64_t t0,
                                   uint64_t t1)
{
    const sg_point_law_f32 *law = &w->p->law32;
    for (uint64_t t = t0; t < t1; t++) {
        /* the row's N at every point, as fill_tile_chinchilla_direct */
        float n_t = params + 0.0f * tokens[t];
        f32_direct_point(w->p, sg_row_term_f32(law, n_t),
                         sg_col_term_f32(law, tokens[t]), &w->losses32[t],
                         &w->band_floors32[t]);
    }
}

#if SG_HAVE_AVX2_FMA
/* Hides a value from the optimiser (no instruction): the row's N is
 * "new" at every vector, so its power is evaluated per point, as direct
 * promises, rather than hoisted out of the loop. */
#define OPAQUE_VECTOR(v) __asm__("" : "+x"(v))

/* An sg_power_f32's constants in registers: its 4-entry table repeated in
 * both 128-bit halves of a vector, looked up with one in-lane permutation
 * (vpermilps reads the low 2 bits of each index lane), and q's
 * coefficients. The 1024-entry scale table stays in memory. */
typedef struct {
    __m256 inv_centre, poly0, poly1, poly2, poly3, poly4;
    const float *scale;
} power_lanes;

static power_lanes power_lanes_of(const sg_power_f32 *pw)
{
    power_lanes l = {
        _mm256_broadcast_ps((const __m128 *)(const void *)pw->inv_centre),
        _mm256_set1_ps(pw->poly[0]),
        _mm256_set1_ps(pw->poly[1]),
        _mm256_set1_ps(pw->poly[2]),
        _mm256_set1_ps(pw->poly[3]),
        _mm256_set1_ps(pw->poly[4]),
        pw->scale};
    return l;
}

/* scale[k] for 8 lanes: one broadcast when they share k (a sorted axis's
 * neighbours do, but where the vector crosses a quarter octave), a gather
 * otherwise (13 cycles on Zen 3, too slow for every vector). */
static inline __m256 power_scale_8(const float *scale, __m256i k)
{
    __m128i low = _mm256_castsi256_si128(k);
    __m256i same = _mm256_cmpeq_epi32(k, _mm256_broadcastd_epi32(low));
    if (__builtin_expect(
            _mm256_movemask_ps(_mm256_castsi256_ps(same)) == 0xff, 1))
        return _mm256_broadcast_ss(scale + (uint32_t)_mm_cvtsi128_si32(low));
    return _mm256_i32gather_ps(scale, k, sizeof(float));
}

/* sg_power_plus_f32 on 8 lanes, operation for operation; with_add 0
 * leaves out the addition of 0 (s + 0 is s: the column term). */
static inline __m256 power_plus_8(const power_lanes *l, __m256 x, __m256 add,
                                  int with_add)
{
    __m256i bits = _mm256_castps_si256(x);
    __m256i k = _mm256_and_si256(_mm256_srli_epi32(bits, SG_F32_POWER_SHIFT),
                                 _mm256_set1_epi32(SG_F32_POWER_INDEX_MASK));
    __m256 m = _mm256_castsi256_ps(_mm256_or_si256(
        _mm256_and_si256(bits, _mm256_set1_epi32(SG_F32_FRACTION_MASK)),
        _mm256_set1_epi32(SG_F32_ONE_BITS)));
    __m256 z = _mm256_fmsub_ps(m, _mm256_permutevar_ps(l->inv_centre, k),
                               _mm256_set1_ps(1.0f));
    __m256 s = power_scale_8(l->scale, k);
    __m256 q = _mm256_fmadd_ps(l->poly4, z, l->poly3);
    q = _mm256_fmadd_ps(q, z, l->poly2);
    q = _mm256_fmadd_ps(q, z, l->poly1);
    q = _mm256_fmadd_ps(q, z, l->poly0);
    return _mm256_fmadd_ps(_mm256_mul_ps(s, z), q,
                           with_add ? _mm256_add_ps(s, add) : s);
}

/* The row terms E + A N^-alpha and the column terms B D^-beta at columns
 * [0, n), n a multiple of 8: two independent powers per iteration. */
static void terms_avx2(worker *w, float params, const float *tokens,
                       uint64_t n)
{
    const power_lanes row = power_lanes_of(&w->p->law32.row);
    const power_lanes col = power_lanes_of(&w->p->law32.col);
    const __m256 E = _mm256_set1_ps(w->p->law32.E);
    const __m256 zero = _mm256_setzero_ps();
    float *restrict row_terms = w->row_terms32, *restrict col_terms =
                                                      w->col_terms32;
    __m256 n_row = _mm256_set1_ps(params);
    for (uint64_t t = 0; t < n; t += F32_LANES) {
        OPAQUE_VECTOR(n_row);
        _mm256_storeu_ps(row_terms + t, power_plus_8(&row, n_row, E, 1));
        _mm256_storeu_ps(
            col_terms + t,
            power_plus_8(&col, _mm256_loadu_ps(tokens + t), zero, 0));
    }
}

/* f32_direct_point on 8 columns at a time: columns [t0, t0 + n) of the
 * tile from the terms at [0, n). */
static void losses_and_floors_avx2(worker *w, uint64_t t0, uint64_t n)
{
    const sg_plan *p = w->p;
    const __m256 top = _mm256_set1_ps(p->loss_top32);
    const __m256 inv = _mm256_set1_ps(p->loss_inv_width32);
    const float *restrict rows = w->row_terms32, *restrict cols =
                                                   w->col_terms32;
    float *restrict losses = w->losses32 + t0,
                    *restrict floors = w->band_floors32 + t0;
    for (uint64_t t = 0; t < n; t += F32_LANES) {
        __m256 r = _mm256_loadu_ps(rows + t);
        __m256 c = _mm256_loadu_ps(cols + t);
        _mm256_storeu_ps(losses + t, _mm256_add_ps(r, c));
        __m256 band_row = _mm256_mul_ps(_mm256_sub_ps(top, r), inv);
        __m256 band_col = _mm256_mul_ps(c, inv);
        _mm256_storeu_ps(floors + t,
                         _mm256_floor_ps(_mm256_sub_ps(band_row, band_col)));
    }
}

/* Columns [0, n - n % 8) of the tile, 8 at a time; returns where the
 * scalar tail starts. Written with intrinsics because GCC turns the
 * table lookups of the portable loop into gathers, or into no vectors. */
static uint64_t fill_f32_direct_avx2(worker *w, float params,
                                     const float *tokens, uint64_t n)
{
    const uint64_t vec_end = n - n % F32_LANES;
    for (uint64_t t0 = 0; t0 < vec_end; t0 += F32_CHUNK) {
        uint64_t len = vec_end - t0 < F32_CHUNK ? vec_end - t0 : F32_CHUNK;
        terms_avx2(w, params, tokens + t0, len);
        losses_and_floors_avx2(w, t0, len);
    }
    return vec_end;
}
#endif

static void fill_tile_f32_direct(worker *w, float params, const float *tokens,
                                 uint64_t n)
{
    uint64_t t = 0;
#if SG_HAVE_AVX2_FMA
    if (w->p->use_simd)
        t = fill_f32_direct_avx2(w, params, tokens, n);
#endif
    fill_f32_direct_scalar(w, params, tokens, t, n);
}

/* A row tile of an f32 sweep: factored from the float row and column
 * terms, or direct from the law at every point. */
static void sweep_row_tile_f32(worker *w, uint64_t row, uint64_t col0,
                               uint64_t n)
{
    const sg_plan *p = w->p;
    uint64_t k = row - p->row_base, t0 = col0 - p->col_base;
    if (p->kernel == SG_KERNEL_FACTORED) {
        iso_loss_runs_f32(w, row, col0, n, p->loss_row32[k],
                          p->loss_col32 + t0);
        if (!p->col_term_nonincreasing) { /* else once per row, as f64 */
            tile_losses tl =
                losses_f32(col0, p->row_term32[k], p->col_term32 + t0);
            iso_flops_tile(w, row, n, &tl, 0);
        }
        return;
    }
    fill_tile_f32_direct(w, p->params32[k], p->tokens32 + t0, n);
    iso_loss_runs_floored(w, row, col0, n, w->band_floors32);
    tile_losses tl = losses_f32(col0, 0.0f, w->losses32);
    iso_flops_tile(w, row, n, &tl, p->col_term_nonincreasing);
}

static void sweep_row_tile(worker *w, uint64_t row, uint64_t col0,
                           uint64_t n)
{
    const sg_plan *p = w->p;
    if (p->single) {
        sweep_row_tile_f32(w, row, col0, n);
        return;
    }
    if (factored_additive(p)) {
        uint64_t k = row - p->row_base, t0 = col0 - p->col_base;
        iso_loss_runs_f64(w, row, col0, n, p->loss_row[k], p->loss_col + t0);
        if (!p->col_term_nonincreasing) {
            tile_losses tl =
                losses_f64(col0, p->row_term[k], p->col_term + t0);
            iso_flops_tile(w, row, n, &tl, 0);
        }
        return;
    }
    fill_tile(w, row, col0, n);
    iso_loss_runs_f64(w, row, col0, n, 0.0, w->neg_coords);
    tile_losses tl = losses_f64(col0, 0.0, w->losses);
    iso_flops_tile(w, row, n, &tl, 0);
}

int sg_sweep_openmp(const sg_plan *p, uint64_t row_begin, uint64_t row_end,
                    sg_bins *out)
{
    int failed = 0;
    const int monotone = factored_additive(p) && p->col_term_nonincreasing;
    SG_OMP(omp parallel num_threads(p->threads))
    {
        worker w;
        if (!worker_init(&w, p)) {
            SG_OMP(omp atomic write)
            failed = 1;
        }
        /* Every thread must see the same worksharing loops: decide together. */
        SG_OMP(omp barrier)
        if (!failed) { /* no writes after the barrier: a plain read is safe */
            for (uint64_t col0 = p->col_base; col0 < p->col_end;
                 col0 += TILE_COLS) {
                uint64_t n = p->col_end - col0 < TILE_COLS ? p->col_end - col0
                                                            : TILE_COLS;
                SG_OMP(omp for schedule(dynamic, ROW_CHUNK) nowait)
                for (uint64_t row = row_begin; row < row_end; row++) {
                    if (monotone && col0 == p->col_base)
                        iso_flops_monotone_row(&w, row);
                    sweep_row_tile(&w, row, col0, n);
                }
            }
            SG_OMP(omp critical(sg_merge_bins))
            sg_bins_merge(out, &w.bins);
        }
        worker_free(&w);
    }
    return failed ? -1 : 0;
}
