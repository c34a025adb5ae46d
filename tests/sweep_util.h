/*
 * Helpers of the sweep tests (test_sweep.c, test_f32.c, test_cuda.c,
 * test_reliability.c): run a sweep or fail the test, compare two sweeps'
 * frontiers, and draw random grids, so every backend is checked on grids
 * of the same shape.
 */
#ifndef SG_TEST_SWEEP_UTIL_H
#define SG_TEST_SWEEP_UTIL_H

#include "test_util.h"
#include "internal.h"

/* A sweep with the default options (all threads, no progress), or o. */
static inline sg_sweep_result run_sweep(const sg_sweep_config *c,
                                        const sg_run_options *o)
{
    sg_sweep_result r;
    sg_error err;
    sg_run_options all = {0, 0, 0, NULL, 0, 0};
    if (sg_sweep_run_with(c, o ? o : &all, &r, &err) != SG_OK)
        fail_msg("sweep failed: %s", err.message);
    return r;
}

/* Two frontier rows are equal: both empty, or the same point with the
 * same reported values, to the bit. */
static inline int frontier_rows_equal(const sg_frontier_row *a,
                                      const sg_frontier_row *b)
{
    if (a->empty != b->empty)
        return 0;
    return a->empty || (a->row == b->row && a->col == b->col &&
                        a->flops == b->flops &&
                        a->total_flops == b->total_flops &&
                        a->loss == b->loss);
}

static inline void assert_same_rows(const sg_frontier_row *a,
                                    const sg_frontier_row *b, uint32_t count,
                                    const char *what, const char *frontier)
{
    for (uint32_t k = 0; k < count; k++)
        if (!frontier_rows_equal(&a[k], &b[k]))
            fail_msg("%s: %s level %u differs: (%llu, %llu)%s vs "
                     "(%llu, %llu)%s",
                     what, frontier, k, (unsigned long long)a[k].row,
                     (unsigned long long)a[k].col, a[k].empty ? " empty" : "",
                     (unsigned long long)b[k].row,
                     (unsigned long long)b[k].col, b[k].empty ? " empty" : "");
}

/* Every backend, strategy and thread count must give the reference's
 * frontiers exactly (README, "Backends and strategies"). */
static inline void assert_same_frontiers(const sg_sweep_result *a,
                                         const sg_sweep_result *b,
                                         const char *what)
{
    assert_int_equal(a->loss_levels.count, b->loss_levels.count);
    assert_int_equal(a->flops_levels.count, b->flops_levels.count);
    assert_same_rows(a->iso_loss, b->iso_loss, a->loss_levels.count, what,
                     "iso-loss");
    assert_same_rows(a->iso_loss_cumulative, b->iso_loss_cumulative,
                     a->loss_levels.count, what, "cumulative iso-loss");
    assert_same_rows(a->iso_flops, b->iso_flops, a->flops_levels.count, what,
                     "iso-FLOP");
}

/* Run options for a fast backend: the portable scalar loops or SIMD, and
 * tiny tiles half the time (many spans and blocks, so tile edges are
 * covered on grids the reference sweeps quickly). */
static inline sg_run_options random_tile_options(test_rng *rng,
                                                 int scalar_only)
{
    int tiny = (int)rng_int(rng, 0, 1);
    sg_run_options o = {scalar_only, 0, 0, NULL,
                        tiny ? rng_int(rng, 1, 70) : 0,
                        tiny ? rng_int(rng, 1, 3000) : 0};
    return o;
}

/* Axes of 2 to max_points points over 0.2 to 4.2 decades, N from 1e6 to
 * 1e10 and D from 1e7 to 1e11 at the low end. */
static inline void random_axes(test_rng *rng, sg_sweep_config *c,
                               uint64_t max_points)
{
    double n_lo = pow(10, 6 + 4 * rng_uniform(rng));
    double d_lo = pow(10, 7 + 4 * rng_uniform(rng));
    c->params = (sg_axis){n_lo, n_lo * pow(10, 0.2 + 4 * rng_uniform(rng)),
                          rng_int(rng, 2, max_points)};
    c->tokens = (sg_axis){d_lo, d_lo * pow(10, 0.2 + 4 * rng_uniform(rng)),
                          rng_int(rng, 2, max_points)};
}

/* A random FLOP count: 6 N D half the time, otherwise inference tokens,
 * DeepSeek's M, or both. */
static inline sg_flop_count random_flop_count(test_rng *rng)
{
    sg_flop_count f = {SG_FLOPS_6N, 0, 0, 0};
    int kind = (int)rng_int(rng, 0, 5);
    if (kind == 1 || kind == 3)
        f.inference_tokens = pow(10, 7 + 7 * rng_uniform(rng));
    if (kind >= 2 && kind <= 3) {
        f.convention = SG_FLOPS_DEEPSEEK;
        f.seq_len = (double)rng_int(rng, 256, 8192);
        f.aspect_ratio = 32 + 224 * rng_uniform(rng);
    }
    return f;
}

/*
 * A random sweep: any preset with constants perturbed by up to 20%
 * (Muennighoff's with a unique-token budget somewhere around the tokens
 * axis, so grids hold both fresh and repeated data), a random FLOP count,
 * axes of 1 to 300 points over up to 4 decades, 2 to max_loss_levels and
 * max_flops_levels levels spanning the grid or, half the time each, a
 * random range that may cover it partly or miss it.
 */
static inline sg_sweep_config random_sweep_config(test_rng *rng,
                                                  uint64_t max_loss_levels,
                                                  uint64_t max_flops_levels)
{
    sg_sweep_config c;
    sg_sweep_config_default(&c);
    c.law = *sg_law_preset_at(rng_int(rng, 0, sg_law_preset_count() - 1));
    for (size_t i = 0; i < sg_law_constant_count(&c.law); i++) {
        double v = sg_law_constant_value(&c.law, i) *
                   (0.8 + 0.4 * rng_uniform(rng));
        sg_law_set_constant(&c.law, sg_law_constant_name(&c.law, i), v, NULL);
    }
    random_axes(rng, &c, 300);
    if (c.law.form == SG_FORM_MUENNIGHOFF)
        c.law.unique_tokens =
            c.tokens.lo * pow(10, -1 + 5 * rng_uniform(rng));
    c.flop_count = random_flop_count(rng);
    if (rng_int(rng, 0, 9) == 0)
        c.params = (sg_axis){c.params.lo, c.params.lo, 1};
    c.loss_levels.count = (uint32_t)rng_int(rng, 2, max_loss_levels);
    c.flops_levels.count = (uint32_t)rng_int(rng, 2, max_flops_levels);
    if (rng_int(rng, 0, 1)) {
        double lo = sg_law_floor(&c.law) + 0.05 + 3 * rng_uniform(rng);
        c.loss_levels = (sg_levels){lo, lo + 0.01 + 2 * rng_uniform(rng),
                                    c.loss_levels.count, 0};
    }
    if (rng_int(rng, 0, 1)) {
        double lo = pow(10, 14 + 8 * rng_uniform(rng));
        c.flops_levels = (sg_levels){
            lo, lo * pow(10, 0.1 + 6 * rng_uniform(rng)),
            c.flops_levels.count, 0};
    }
    return c;
}

/* A grid whose loss overflows to +inf in its first rows: A = 1e308 makes
 * A N^-alpha infinite for N below about 0.2. */
static inline sg_sweep_config overflowing_config(void)
{
    sg_sweep_config c;
    sg_sweep_config_default(&c);
    c.law.A = 1e308;
    c.params = (sg_axis){1e-6, 1e6, 50};
    c.tokens = (sg_axis){1e8, 1e10, 40};
    c.loss_levels = (sg_levels){2, 1e6, 30, 0};
    c.flops_levels.count = 20;
    return c;
}

/* A grid of plateaus: the column term is too small to change the loss in
 * double precision (B D^-beta < ulp(1000) / 2), so every row's losses are
 * equal and each band's winner must be its lowest index. 20 loss levels,
 * 40 compute levels. */
static inline sg_sweep_config plateau_config(void)
{
    sg_sweep_config c;
    sg_sweep_config_default(&c);
    c.law.E = 1000;
    c.law.B = 1e-14;
    c.params = (sg_axis){1e7, 1e11, 90};
    c.tokens = (sg_axis){1e8, 1e12, 301};
    c.loss_levels = (sg_levels){1000.0, 1000.00001, 20, 0};
    c.flops_levels.count = 40;
    return c;
}

#endif /* SG_TEST_SWEEP_UTIL_H */
