/*
 * The CUDA backend against the reference, bin for bin (keys bit for bit,
 * indices exactly): random small grids (random presets with perturbed
 * constants, random levels, every strategy and path, tiny tiles, segments
 * and launches, shared- and global-memory bins, block sizes 32 to 1024),
 * flat indices beyond 2^32 through a row window, non-finite losses, ties,
 * the error path and cancellation.
 *
 * Without a usable device it prints "skipped: <reason>" and exits 0.
 */
#include "sweep_util.h"
#include "sweep_cuda.h"

#include <stdlib.h>

/* ------------------------------------------- planning (from host/sweep.c)
 *
 * sg_sweep_reference and sg_sweep_cuda read only an sg_plan's scalars.
 * These helpers compute them from a config exactly as host/sweep.c's
 * plan_sweep does (axis_geometry, scan_axes, grid_loss_range,
 * resolve_loss_levels, resolve_flops_levels), copied so this test does not
 * depend on how the host dispatches to the CUDA backend. Keep them in step
 * with host/sweep.c: both backends get the same plan, so a drift would not
 * fail this test, it would test a plan the program never builds. */

#define BAND_EDGE_SLACK 1e-6 /* host/sweep.c */

static void axis_geometry(const sg_axis *axis, double *ln_lo, double *step)
{
    *ln_lo = log(axis->lo);
    *step = axis->count > 1
                ? (log(axis->hi) - *ln_lo) / (double)(axis->count - 1)
                : 0.0;
}

/* Extremes of the row and column terms, and whether the column terms never
 * increase (host/sweep.c's scan_axes; a law that does not separate has no
 * terms). */
typedef struct {
    double row_min, row_max, col_min, col_max;
    int col_nonincreasing;
} axis_facts;

static axis_facts scan_axes(const sg_plan *p)
{
    axis_facts f = {INFINITY, -INFINITY, INFINITY, -INFINITY, 1};
    if (!sg_law_separable(&p->law)) {
        f.col_nonincreasing = 0;
        return f;
    }
    for (uint64_t i = 0; i < p->rows; i++) {
        double r = sg_row_term(&p->law,
                               sg_axis_point(p->params_lo, p->params_hi,
                                             p->rows, p->params_ln_lo,
                                             p->params_step, i));
        f.row_min = fmin(f.row_min, r);
        f.row_max = fmax(f.row_max, r);
    }
    double prev = INFINITY;
    for (uint64_t j = 0; j < p->cols; j++) {
        double c = sg_col_term(&p->law,
                               sg_axis_point(p->tokens_lo, p->tokens_hi,
                                             p->cols, p->tokens_ln_lo,
                                             p->tokens_step, j));
        f.col_min = fmin(f.col_min, c);
        f.col_max = fmax(f.col_max, c);
        f.col_nonincreasing &= c <= prev;
        prev = c;
    }
    return f;
}

/* What a point costs at (params, tokens), as the kernels rank it. */
static double cost_at(const sg_plan *p, double params, double tokens)
{
    return sg_point_cost_of(sg_point_flops_per_token(&p->cost, params),
                            sg_cost_tokens(&p->cost, tokens));
}

static sg_plan plan_of(const sg_sweep_config *c, int kernel)
{
    sg_plan p;
    memset(&p, 0, sizeof p);
    p.law = sg_point_law_of(&c->law);
    p.cost = sg_point_cost_of_count(&c->flop_count);
    p.rows = c->params.count;
    p.cols = c->tokens.count;
    p.params_lo = c->params.lo;
    p.params_hi = c->params.hi;
    axis_geometry(&c->params, &p.params_ln_lo, &p.params_step);
    p.tokens_lo = c->tokens.lo;
    p.tokens_hi = c->tokens.hi;
    axis_geometry(&c->tokens, &p.tokens_ln_lo, &p.tokens_step);
    axis_facts f = scan_axes(&p);
    p.col_term_nonincreasing = f.col_nonincreasing;

    sg_levels loss = c->loss_levels;
    if (loss.span_grid && sg_law_separable(&p.law)) {
        loss.lo = sg_combine_terms(&p.law, f.row_min, f.col_min);
        loss.hi = sg_combine_terms(&p.law, f.row_max, f.col_max);
    } else if (loss.span_grid) { /* the extremes are at corners */
        double n[2] = {p.params_lo, p.params_hi};
        double d[2] = {p.tokens_lo, p.tokens_hi};
        loss.lo = INFINITY;
        loss.hi = -INFINITY;
        for (int a = 0; a < 2; a++)
            for (int b = 0; b < 2; b++) {
                double l = sg_joint_loss(&p.law, n[a], d[b]);
                loss.lo = fmin(loss.lo, l);
                loss.hi = fmax(loss.hi, l);
            }
    }
    double width = (loss.hi - loss.lo) / (double)(loss.count - 1);
    p.loss_top = loss.hi + BAND_EDGE_SLACK * width;
    p.loss_inv_width = 1.0 / width;
    p.loss_count = loss.count;

    sg_levels flops = c->flops_levels;
    if (flops.span_grid) { /* the cost never falls with N or D */
        flops.lo = cost_at(&p, c->params.lo, c->tokens.lo);
        flops.hi = cost_at(&p, c->params.hi, c->tokens.hi);
    }
    double fwidth = (log(flops.hi) - log(flops.lo)) / (double)(flops.count - 1);
    p.ln_flops_top = log(flops.hi) + BAND_EDGE_SLACK * fwidth;
    p.flops_inv_width = 1.0 / fwidth;
    p.flops_count = flops.count;

    p.col_base = 0;
    p.col_end = p.cols;
    p.kernel = kernel;
    p.threads = 1;
    return p;
}

/* ---------------------------------------------------------------- bins */

static sg_bins bins_new(const sg_plan *p)
{
    sg_bins b;
    b.loss_count = p->loss_count;
    b.flops_count = p->flops_count;
    b.iso_loss = malloc((size_t)(p->loss_count + 1) * sizeof(sg_best));
    b.iso_flops = malloc((size_t)p->flops_count * sizeof(sg_best));
    assert_non_null(b.iso_loss);
    assert_non_null(b.iso_flops);
    sg_bins_clear(&b);
    return b;
}

static void bins_free(sg_bins *b)
{
    free(b->iso_loss);
    free(b->iso_flops);
}

static int same_best(const sg_best *a, const sg_best *b)
{
    return a->index == b->index && memcmp(&a->key, &b->key, sizeof a->key) == 0;
}

static void fail_best(const char *what, const char *kind, int64_t k,
                      const sg_plan *p, const sg_best *want,
                      const sg_best *got)
{
    unsigned long long wr = want->index == SG_NO_POINT ? 0 : want->index / p->cols;
    unsigned long long wc = want->index == SG_NO_POINT ? 0 : want->index % p->cols;
    unsigned long long gr = got->index == SG_NO_POINT ? 0 : got->index / p->cols;
    unsigned long long gc = got->index == SG_NO_POINT ? 0 : got->index % p->cols;
    fail_msg("%s: %s band %lld: reference (%llu, %llu)%s key %.17g, cuda "
             "(%llu, %llu)%s key %.17g",
             what, kind, (long long)k, wr, wc,
             want->index == SG_NO_POINT ? " empty" : "", want->key, gr, gc,
             got->index == SG_NO_POINT ? " empty" : "", got->key);
}

static void assert_same_bins(const sg_plan *p, const sg_bins *want,
                             const sg_bins *got, const char *what)
{
    for (int64_t k = 0; k <= p->loss_count; k++)
        if (!same_best(&want->iso_loss[k], &got->iso_loss[k]))
            fail_best(what, "iso-loss", k, p, &want->iso_loss[k],
                      &got->iso_loss[k]);
    for (int64_t k = 0; k < p->flops_count; k++)
        if (!same_best(&want->iso_flops[k], &got->iso_flops[k]))
            fail_best(what, "iso-FLOP", k, p, &want->iso_flops[k],
                      &got->iso_flops[k]);
}

static int64_t filled(const sg_best *best, int64_t count)
{
    int64_t n = 0;
    for (int64_t k = 0; k < count; k++)
        n += best[k].index != SG_NO_POINT;
    return n;
}

static void cuda_sweep(const sg_plan *p, uint64_t r0, uint64_t r1,
                       const sg_cuda_tuning *t, sg_bins *b, const char *what)
{
    char message[512];
    sg_bins_clear(b);
    int rc = sg_sweep_cuda_tuned(p, r0, r1, b, NULL, t, message,
                                 sizeof message);
    if (rc != 0)
        fail_msg("%s: sg_sweep_cuda returned %d: %s", what, rc, message);
}

/* Sweeps rows [r0, r1) of `p` on the device with `t` and compares with
 * `want` (the reference's bins for the same rows). */
static void check_cuda(const sg_plan *p, uint64_t r0, uint64_t r1,
                       const sg_cuda_tuning *t, const sg_bins *want,
                       const char *what)
{
    sg_bins got = bins_new(p);
    cuda_sweep(p, r0, r1, t, &got, what);
    assert_same_bins(p, want, &got, what);
    bins_free(&got);
}

static const char *kernel_name(int kernel)
{
    return kernel == SG_KERNEL_DIRECT  ? "direct"
           : kernel == SG_KERNEL_EXACT ? "exact"
                                       : "factored";
}

static const char *path_name(int path)
{
    static const char *const names[] = {"auto", "pointwise", "dense",
                                        "crossings"};
    return path >= 0 && path < 4 ? names[path] : "?";
}

/* The backend's own tuning, but for the reduction path (SG_CUDA_PATH_*;
 * 0 lets the backend choose). */
static sg_cuda_tuning tuning_on_path(int path)
{
    sg_cuda_tuning t;
    memset(&t, 0, sizeof t);
    t.path = path;
    return t;
}

/* Whether the dense and crossings paths apply: factored Chinchilla form
 * with finite column terms that never increase (what the backend checks). */
static int monotone_plan(const sg_plan *p)
{
    if (p->law.form != SG_PM_FORM_CHINCHILLA || !p->col_term_nonincreasing)
        return 0;
    for (uint64_t j = 0; j < p->cols; j++)
        if (!isfinite(sg_col_term(&p->law,
                                  sg_axis_point(p->tokens_lo, p->tokens_hi,
                                                p->cols, p->tokens_ln_lo,
                                                p->tokens_step, j))))
            return 0;
    return 1;
}

/* ----------------------------------------------------------- the tests */

/* A random sweep as tests/test_sweep.c draws them (tests/sweep_util.h),
 * with up to 1500 loss levels so some grids need global-memory bins. */
static sg_sweep_config random_config(test_rng *rng)
{
    return random_sweep_config(rng, 1500, 300);
}

static sg_cuda_tuning random_tuning(test_rng *rng, int path)
{
    sg_cuda_tuning t = tuning_on_path(path);
    t.block_threads = 32u << rng_int(rng, 0, 5); /* 32 .. 1024 */
    t.global_bins = (int)rng_int(rng, 0, 3) == 0;
    if (rng_int(rng, 0, 1)) {
        t.segment_cols = 32 * rng_int(rng, 1, 3);
        t.span_cols = rng_int(rng, 1, 100);
        t.tile_rows = rng_int(rng, 1, 70);
        t.launch_points = rng_int(rng, 1, 20000);
    }
    return t;
}

static void cuda_matches_reference_on_random_grids(void **state)
{
    (void)state;
    test_rng rng = {UINT64_C(0x2545f4914f6cdd1d)};
    static const int kernels[] = {SG_KERNEL_FACTORED, SG_KERNEL_DIRECT,
                                  SG_KERNEL_EXACT};
    for (int trial = 0; trial < 60; trial++) {
        sg_sweep_config c = random_config(&rng);
        sg_error err;
        if (sg_sweep_config_validate(&c, &err) != SG_OK)
            fail_msg("trial %d: %s", trial, err.message);
        for (size_t k = 0; k < sizeof kernels / sizeof kernels[0]; k++) {
            sg_plan p = plan_of(&c, kernels[k]);
            int monotone = monotone_plan(&p);
            if (kernels[k] == SG_KERNEL_EXACT && !monotone)
                continue; /* the host refuses it (and a cost beyond 6 N D;
                             the backend does not need that) */
            sg_bins want = bins_new(&p);
            sg_sweep_reference(&p, 0, p.rows, &want);
            int paths = kernels[k] != SG_KERNEL_DIRECT && monotone ? 4 : 2;
            for (int path = 0; path < paths; path++) {
                sg_cuda_tuning t = random_tuning(&rng, path);
                char what[320];
                snprintf(what, sizeof what,
                         "trial %d (%s, %s FLOPs%s, %s, path %s, block %u, "
                         "%s bins, segment %llu, span %llu, tile rows %llu, "
                         "launch points %llu)",
                         trial, c.law.name,
                         sg_flops_convention_name(c.flop_count.convention),
                         c.flop_count.inference_tokens > 0 ? " + inference" : "",
                         kernel_name(kernels[k]),
                         path_name(path), t.block_threads,
                         t.global_bins ? "global" : "shared",
                         (unsigned long long)t.segment_cols,
                         (unsigned long long)t.span_cols,
                         (unsigned long long)t.tile_rows,
                         (unsigned long long)t.launch_points);
                check_cuda(&p, 0, p.rows, &t, &want, what);
            }
            bins_free(&want);
        }
    }
}

/* The default law with levels spanning the grid (1024 + 256 bands): every
 * path, shared and global bins, default shapes. */
static void every_path_matches_reference_on_the_default_law(void **state)
{
    (void)state;
    sg_sweep_config c;
    sg_sweep_config_default(&c);
    c.params.count = 1000;
    c.tokens.count = 1200;
    static const int kernels[] = {SG_KERNEL_FACTORED, SG_KERNEL_DIRECT,
                                  SG_KERNEL_EXACT};
    for (size_t k = 0; k < 3; k++) {
        sg_plan p = plan_of(&c, kernels[k]);
        assert_true(monotone_plan(&p));
        sg_bins want = bins_new(&p);
        sg_sweep_reference(&p, 0, p.rows, &want);
        assert_true(filled(want.iso_loss, p.loss_count) > 500);
        int paths = kernels[k] == SG_KERNEL_DIRECT ? 2 : 4;
        for (int path = 0; path < paths; path++)
            for (int global = 0; global < 2; global++) {
                sg_cuda_tuning t = tuning_on_path(path);
                t.global_bins = global;
                char what[128];
                snprintf(what, sizeof what, "default law, %s, path %s, %s bins",
                         kernel_name(kernels[k]), path_name(path),
                         global ? "global" : "shared");
                check_cuda(&p, 0, p.rows, &t, &want, what);
            }
        bins_free(&want);
    }
}

/* Costs beyond 6 N D (inference tokens, DeepSeek's FLOPs per token) and a
 * law that does not separate (Muennighoff's, whole per point on the
 * device): the default grid's shape, every path that applies. */
static void every_cost_and_the_joint_law_match_reference(void **state)
{
    (void)state;
    for (int variant = 0; variant < 4; variant++) {
        sg_sweep_config c;
        sg_sweep_config_default(&c);
        c.params.count = 400;
        c.tokens.count = 500;
        if (variant & 1) {
            c.flop_count.convention = SG_FLOPS_DEEPSEEK;
            c.flop_count.seq_len = 4096;
            c.flop_count.aspect_ratio = 128;
        }
        if (variant & 2)
            c.flop_count.inference_tokens = 1e13;
        for (int joint = 0; joint < 2; joint++) {
            if (joint) {
                sg_error err;
                assert_ok(sg_law_preset("muennighoff", &c.law, &err), err);
                assert_ok(sg_law_set_unique_tokens(&c.law, 1e11, &err), err);
            }
            for (int kernel = 0; kernel < 2; kernel++) {
                sg_plan p = plan_of(&c, kernel);
                sg_bins want = bins_new(&p);
                sg_sweep_reference(&p, 0, p.rows, &want);
                assert_true(filled(want.iso_flops, p.flops_count) > 100);
                int paths = monotone_plan(&p) && kernel != SG_KERNEL_DIRECT ? 4 : 2;
                for (int path = 0; path < paths; path++) {
                    sg_cuda_tuning t = tuning_on_path(path);
                    char what[128];
                    snprintf(what, sizeof what, "%s, cost variant %d, %s, path %s",
                             c.law.name, variant, kernel_name(kernel),
                             path_name(path));
                    check_cuda(&p, 0, p.rows, &t, &want, what);
                }
                bins_free(&want);
            }
        }
    }
}

/* More bands than fit in a block's shared memory: the bins live in global
 * memory (the backend's own choice, not forced). */
static void many_levels_use_global_bins_exactly(void **state)
{
    (void)state;
    sg_sweep_config c;
    sg_sweep_config_default(&c);
    c.params.count = 300;
    c.tokens.count = 700;
    c.loss_levels.count = 20000;
    c.flops_levels.count = 3000;
    sg_plan p = plan_of(&c, SG_KERNEL_FACTORED);
    sg_bins want = bins_new(&p);
    sg_sweep_reference(&p, 0, p.rows, &want);
    for (int path = 0; path < 4; path++) {
        sg_cuda_tuning t = tuning_on_path(path);
        check_cuda(&p, 0, p.rows, &t, &want, path_name(path));
    }
    bins_free(&want);
}

/* Flat indices beyond 2^32: the last rows of a 1e5 x 1e5 grid (1e10
 * points) through the row window, whole and in small tiles. */
static void flat_indices_beyond_2_to_the_32_are_exact(void **state)
{
    (void)state;
    sg_sweep_config c;
    sg_sweep_config_default(&c);
    c.params.count = 100000;
    c.tokens.count = 100000;
    c.loss_levels = (sg_levels){1.8, 2.2, 50, 0};
    c.flops_levels = (sg_levels){1e25, 1e27, 30, 0};
    const uint64_t r0 = 99990, r1 = 100000;
    static const int kernels[] = {SG_KERNEL_FACTORED, SG_KERNEL_DIRECT,
                                  SG_KERNEL_EXACT};
    for (size_t k = 0; k < 3; k++) {
        sg_plan p = plan_of(&c, kernels[k]);
        sg_bins want = bins_new(&p);
        sg_sweep_reference(&p, r0, r1, &want);
        assert_true(filled(want.iso_loss, p.loss_count) > 10);
        for (int64_t b = 0; b <= p.loss_count; b++)
            if (want.iso_loss[b].index != SG_NO_POINT)
                assert_true(want.iso_loss[b].index > UINT64_C(0xffffffff));
        sg_cuda_tuning whole, tiles;
        memset(&whole, 0, sizeof whole);
        memset(&tiles, 0, sizeof tiles);
        tiles.span_cols = 4099;
        tiles.tile_rows = 3;
        tiles.launch_points = 50000;
        check_cuda(&p, r0, r1, &whole, &want, kernel_name(kernels[k]));
        check_cuda(&p, r0, r1, &tiles, &want, kernel_name(kernels[k]));
        bins_free(&want);
    }
}

/* A loss that overflows to +inf is never selected (tests/test_sweep.c's
 * case), by any path. */
static void non_finite_losses_are_never_selected(void **state)
{
    (void)state;
    sg_sweep_config c = overflowing_config();
    for (int kernel = 0; kernel < 3; kernel++) {
        sg_plan p = plan_of(&c, kernel);
        sg_bins want = bins_new(&p);
        sg_sweep_reference(&p, 0, p.rows, &want);
        for (int path = 0; path < (kernel == SG_KERNEL_DIRECT ? 2 : 4); path++) {
            sg_cuda_tuning t = tuning_on_path(path);
            char what[64];
            snprintf(what, sizeof what, "overflow, %s, path %s",
                     kernel_name(kernel), path_name(path));
            check_cuda(&p, 0, p.rows, &t, &want, what);
        }
        for (int64_t k = 0; k < p.flops_count; k++)
            if (want.iso_flops[k].index != SG_NO_POINT)
                assert_true(isfinite(want.iso_flops[k].key));
        bins_free(&want);
    }
}

/* A column term too small to change the loss makes every row a plateau of
 * equal losses: each band's winner is its lowest index (tests/test_sweep.c's
 * case), by any path. */
static void ties_go_to_the_lowest_index(void **state)
{
    (void)state;
    sg_sweep_config c = plateau_config();
    for (int kernel = 0; kernel < 3; kernel++) {
        sg_plan p = plan_of(&c, kernel);
        sg_bins want = bins_new(&p);
        sg_sweep_reference(&p, 0, p.rows, &want);
        assert_true(filled(want.iso_flops, p.flops_count) > 20);
        for (int path = 0; path < (kernel == SG_KERNEL_DIRECT ? 2 : 4); path++)
            for (unsigned block = 32; block <= 256; block *= 8) {
                /* many segments per row, so equal losses of one row reach
                 * a band from several threads and, with one warp a block,
                 * from several blocks in no particular order */
                sg_cuda_tuning t = tuning_on_path(path);
                t.segment_cols = 32;
                t.block_threads = block;
                char what[96];
                snprintf(what, sizeof what, "plateau, %s, path %s, block %u",
                         kernel_name(kernel), path_name(path), block);
                check_cuda(&p, 0, p.rows, &t, &want, what);
            }
        bins_free(&want);
    }
}

/* An impossible allocation fails with the file and line of the failing
 * call, and the next sweep on the same device works. */
static void errors_name_file_and_line_and_leave_the_device_usable(void **state)
{
    (void)state;
    sg_sweep_config c;
    sg_sweep_config_default(&c);
    c.params.count = 200;
    c.tokens.count = 300;
    sg_plan p = plan_of(&c, SG_KERNEL_FACTORED);
    sg_bins got = bins_new(&p);
    sg_cuda_tuning t;
    memset(&t, 0, sizeof t);
    t.debug_extra_bytes = (size_t)1 << 60; /* an exabyte */
    char message[512];
    int rc = sg_sweep_cuda_tuned(&p, 0, p.rows, &got, NULL, &t, message,
                                 sizeof message);
    assert_int_equal(rc, -1);
    const char *at = strstr(message, "sweep_cuda.cu:");
    if (!at)
        fail_msg("no file:line in '%s'", message);
    char *end = NULL;
    long line = strtol(at + strlen("sweep_cuda.cu:"), &end, 10);
    assert_true(line > 0);
    assert_true(end[0] == ':' && end[1] == ' ' && end[2] != '\0');
    assert_int_equal(filled(got.iso_loss, p.loss_count + 1), 0);
    bins_free(&got);

    sg_bins want = bins_new(&p);
    sg_sweep_reference(&p, 0, p.rows, &want);
    check_cuda(&p, 0, p.rows, NULL, &want, "after an error");
    bins_free(&want);

    /* arguments the backend refuses, with a reason */
    got = bins_new(&p);
    memset(&t, 0, sizeof t);
    t.block_threads = 48;
    assert_int_equal(sg_sweep_cuda_tuned(&p, 0, p.rows, &got, NULL, &t,
                                         message, sizeof message),
                     -1);
    assert_non_null(strstr(message, "multiple of 32"));
    assert_int_equal(sg_sweep_cuda(&p, 0, p.rows + 1, &got, NULL, message,
                                   sizeof message),
                     -1);
    assert_non_null(strstr(message, "row range"));
    sg_plan kaplan_like = p;
    kaplan_like.law.form = SG_PM_FORM_KAPLAN;
    memset(&t, 0, sizeof t);
    t.path = SG_CUDA_PATH_DENSE;
    assert_int_equal(sg_sweep_cuda_tuned(&kaplan_like, 0, p.rows, &got, NULL,
                                         &t, message, sizeof message),
                     -1);
    assert_non_null(strstr(message, "never increase"));
    bins_free(&got);
}

static void cancel_before_the_first_launch_leaves_the_bins_untouched(void **state)
{
    (void)state;
    sg_sweep_config c;
    sg_sweep_config_default(&c);
    c.params.count = 100;
    c.tokens.count = 100;
    sg_plan p = plan_of(&c, SG_KERNEL_FACTORED);
    sg_bins got = bins_new(&p);
    volatile sig_atomic_t cancel = 1;
    char message[512];
    assert_int_equal(sg_sweep_cuda(&p, 0, p.rows, &got, &cancel, message,
                                   sizeof message),
                     1);
    assert_int_equal(filled(got.iso_loss, p.loss_count + 1), 0);
    assert_int_equal(filled(got.iso_flops, p.flops_count), 0);
    bins_free(&got);
}

/* The result merges into bins that already hold points, as the
 * reference's does: two halves of the rows give the whole. */
static void halves_merge_into_the_whole(void **state)
{
    (void)state;
    sg_sweep_config c;
    sg_sweep_config_default(&c);
    c.params.count = 333;
    c.tokens.count = 444;
    sg_plan p = plan_of(&c, SG_KERNEL_FACTORED);
    sg_bins want = bins_new(&p), got = bins_new(&p);
    sg_sweep_reference(&p, 0, p.rows, &want);
    char message[512];
    assert_int_equal(sg_sweep_cuda(&p, 0, 100, &got, NULL, message,
                                   sizeof message),
                     0);
    assert_int_equal(sg_sweep_cuda(&p, 100, p.rows, &got, NULL, message,
                                   sizeof message),
                     0);
    assert_same_bins(&p, &want, &got, "two halves");
    bins_free(&want);
    bins_free(&got);
}

static void device_name_names_the_compute_capability(void **state)
{
    (void)state;
    char name[256];
    assert_int_equal(sg_cuda_device_name(name, sizeof name), 0);
    assert_non_null(strstr(name, "compute capability"));
    print_message("device: %s\n", name);
}

int main(void)
{
    char why[512];
    if (sg_cuda_device_count(why, sizeof why) == 0) {
        printf("skipped: %s\n", why);
        return 0;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(device_name_names_the_compute_capability),
        cmocka_unit_test(cuda_matches_reference_on_random_grids),
        cmocka_unit_test(every_path_matches_reference_on_the_default_law),
        cmocka_unit_test(every_cost_and_the_joint_law_match_reference),
        cmocka_unit_test(many_levels_use_global_bins_exactly),
        cmocka_unit_test(flat_indices_beyond_2_to_the_32_are_exact),
        cmocka_unit_test(non_finite_losses_are_never_selected),
        cmocka_unit_test(ties_go_to_the_lowest_index),
        cmocka_unit_test(errors_name_file_and_line_and_leave_the_device_usable),
        cmocka_unit_test(cancel_before_the_first_launch_leaves_the_bins_untouched),
        cmocka_unit_test(halves_merge_into_the_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
