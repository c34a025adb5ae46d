/*
 * Sweeps: every fast path against the reference, thread-count independence,
 * the frontier against closed forms, the cumulative frontier against a
 * brute-force enumeration, empty bands, non-finite losses and 64-bit
 * indices.
 */
#include "sweep_util.h"

#include <stdlib.h>

static uint32_t filled(const sg_frontier_row *rows, uint32_t count)
{
    uint32_t n = 0;
    for (uint32_t k = 0; k < count; k++)
        n += !rows[k].empty;
    return n;
}

/* A random sweep of tests/sweep_util.h with up to 200 loss and 100
 * compute levels. */
static sg_sweep_config random_config(test_rng *rng)
{
    return random_sweep_config(rng, 200, 100);
}

/* The OpenMP backend, both strategies, SIMD and scalar loops, 1 to 3
 * threads: the same selected points as the reference on random grids. */
static void openmp_matches_reference_on_random_grids(void **state)
{
    (void)state;
    test_rng rng = {UINT64_C(0x9e3779b97f4a7c15)};
    int threads_max = sg_openmp_threads_available() ? 3 : 1;
    for (int trial = 0; trial < 60; trial++) {
        sg_sweep_config c = random_config(&rng);
        sg_error err;
        if (sg_sweep_config_validate(&c, &err) != SG_OK)
            fail_msg("trial %d: %s", trial, err.message);
        sg_sweep_config ref = c;
        ref.backend = SG_BACKEND_REFERENCE;
        sg_sweep_result expected = run_sweep(&ref, NULL);
        int exact = c.law.form == SG_FORM_CHINCHILLA &&
                    sg_flop_count_plain(&c.flop_count);
        int direct_only = c.law.form == SG_FORM_MUENNIGHOFF;
        int variants = exact ? 6 : 4;
        for (int variant = 0; variant < variants; variant++) {
            sg_sweep_config fast = c;
            fast.backend = SG_BACKEND_OPENMP;
            fast.strategy = variant >= 4                  ? SG_STRATEGY_EXACT
                            : (variant & 1) || direct_only ? SG_STRATEGY_DIRECT
                                                           : SG_STRATEGY_FACTORED;
            fast.threads = (int)rng_int(&rng, 1, (uint64_t)threads_max);
            sg_run_options o = random_tile_options(&rng, (variant >> 1) & 1);
            sg_sweep_result got = run_sweep(&fast, &o);
            char what[256];
            snprintf(what, sizeof what,
                     "trial %d (%s, %s, %s, %d threads, span %llu, block "
                     "points %llu)",
                     trial, c.law.name, sg_strategy_name(fast.strategy),
                     o.scalar_only ? "scalar" : "simd", fast.threads,
                     (unsigned long long)o.span_cols,
                     (unsigned long long)o.block_points);
            assert_same_frontiers(&expected, &got, what);
            sg_sweep_result_free(&got);
        }
        sg_sweep_result_free(&expected);
    }
}

static void thread_count_does_not_change_the_frontier(void **state)
{
    (void)state;
    if (!sg_openmp_threads_available()) {
        print_message("skipped: built without OpenMP\n");
        skip();
    }
    sg_sweep_config c;
    sg_sweep_config_default(&c);
    c.params.count = 1500;
    c.tokens.count = 1700;
    c.threads = 1;
    sg_sweep_result one = run_sweep(&c, NULL);
    static const int counts[] = {2, 3, 7};
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        c.threads = counts[i];
        sg_sweep_result many = run_sweep(&c, NULL);
        assert_int_equal(many.threads, counts[i]);
        assert_same_frontiers(&one, &many, "threads");
        sg_sweep_result_free(&many);
    }
    sg_sweep_result_free(&one);
}

/* Whether the closed-form point lies inside the grid, one step from its
 * edges. */
static int inside(const sg_sweep_config *c, double n, double d)
{
    double hn = log(c->params.hi / c->params.lo) / (double)(c->params.count - 1);
    double hd = log(c->tokens.hi / c->tokens.lo) / (double)(c->tokens.count - 1);
    return log(n) > log(c->params.lo) + hn && log(n) < log(c->params.hi) - hn &&
           log(d) > log(c->tokens.lo) + hd && log(d) < log(c->tokens.hi) - hd;
}

/*
 * Iso-loss: every selected point reaches its level, so its FLOPs are at
 * least the closed form's least compute for that level; and within one grid
 * step of it, since the grid point one step up in N and D from the contour
 * optimum also reaches the level.
 */
static void check_iso_loss_against_closed_form(const sg_sweep_config *c,
                                               const sg_sweep_result *r)
{
    double hn = log(c->params.hi / c->params.lo) / (double)(c->params.count - 1);
    double hd = log(c->tokens.hi / c->tokens.lo) / (double)(c->tokens.count - 1);
    uint32_t checked = 0;
    for (uint32_t k = 0; k < r->loss_levels.count; k++) {
        const sg_frontier_row *row = &r->iso_loss[k];
        sg_optimum opt;
        if (sg_optimal_for_loss(&c->law, row->level, SG_METHOD_AUTO, &opt,
                                NULL) != SG_OK ||
            !inside(c, opt.params, opt.tokens))
            continue;
        assert_false(row->empty);
        double gap = row->flops / opt.flops - 1.0;
        if (!(gap >= -1e-9 && gap <= expm1(hn + hd)))
            fail_msg("%s level %g: FLOPs %g vs closed form %g (gap %g, one "
                     "step %g)",
                     c->law.name, row->level, row->flops, opt.flops, gap,
                     expm1(hn + hd));
        assert_true(row->loss <= row->level + 1e-9);
        checked++;
    }
    assert_true(checked > r->loss_levels.count / 4);
}

/*
 * Iso-FLOP on a grid whose N and D steps are equal: points of equal i + j
 * lie on one exact iso-FLOP line, and the least-loss point of a line lies
 * within one grid step of the closed-form optimum of its own compute.
 */
static void check_iso_flops_against_closed_form(const sg_sweep_config *c,
                                                const sg_sweep_result *r)
{
    double h = log(c->params.hi / c->params.lo) / (double)(c->params.count - 1);
    uint32_t checked = 0;
    for (uint32_t k = 0; k < r->flops_levels.count; k++) {
        const sg_frontier_row *row = &r->iso_flops[k];
        if (row->empty)
            continue;
        sg_optimum opt;
        sg_error err;
        assert_ok(sg_optimal_for_flops(&c->law, row->flops, SG_METHOD_AUTO,
                                       &opt, &err),
                  err);
        if (!inside(c, opt.params, opt.tokens))
            continue;
        double dn = fabs(log(row->params / opt.params));
        double dd = fabs(log(row->tokens / opt.tokens));
        if (!(dn <= h * (1 + 1e-9) && dd <= h * (1 + 1e-9)))
            fail_msg("%s budget %g: N %g vs %g, D %g vs %g: %.3g and %.3g "
                     "steps away",
                     c->law.name, row->level, row->params, opt.params,
                     row->tokens, opt.tokens, dn / h, dd / h);
        assert_true(row->loss >= opt.loss - 1e-12);
        checked++;
    }
    assert_true(checked > r->flops_levels.count / 4);
}

static void frontier_matches_closed_form_within_one_grid_step(void **state)
{
    (void)state;
    static const char *const laws[] = {"chinchilla", "chinchilla-full",
                                       "epoch2024", "kaplan", "kaplan-joint"};
    for (size_t i = 0; i < sizeof laws / sizeof laws[0]; i++) {
        sg_sweep_config c;
        sg_error err;
        sg_sweep_config_default(&c);
        assert_ok(sg_law_preset(laws[i], &c.law, &err), err);
        /* Equal steps in log N and log D: 5 decades each over 2001 points. */
        c.params = (sg_axis){1e7, 1e12, 2001};
        c.tokens = (sg_axis){1e8, 1e13, 2001};
        c.loss_levels.count = 200;
        c.flops_levels.count = 100;
        sg_sweep_result r = run_sweep(&c, NULL);
        check_iso_loss_against_closed_form(&c, &r);
        check_iso_flops_against_closed_form(&c, &r);
        sg_sweep_result_free(&r);
    }
}

/* oracles.md: a 2^-4-decade grid is 3% off at C = 2.21e19; a fine grid's
 * compute-optimal point is within one of its own steps of the closed form
 * N = 3.26124e8, D = 1.12943e10. */
static void fine_grid_shrinks_the_quantisation_error(void **state)
{
    (void)state;
    sg_sweep_config c;
    sg_sweep_config_default(&c);
    c.params = (sg_axis){1e7, 1e11, 4001};
    c.tokens = (sg_axis){1e8, 1e12, 4001};
    c.flops_levels = (sg_levels){2.21e19, 2.21e20, 2, 0};
    sg_sweep_result r = run_sweep(&c, NULL);
    const sg_frontier_row *row = &r.iso_flops[0];
    assert_false(row->empty);
    double step = log(1e4) / 4000;
    assert_true(fabs(log(row->params / 3.26124e8)) <= step + 1e-3 * step);
    assert_true(fabs(log(row->tokens / 1.12943e10)) <= step + 1e-3 * step);
    assert_true(fabs(row->params / 3.26124e8 - 1) < 0.03 / 10);
    sg_sweep_result_free(&r);
}

/*
 * The cumulative frontier means "least FLOPs with loss <= l_k": checked by
 * enumerating the grid with nothing but sg_axis_value, sg_law_loss and
 * sg_flops, on levels that no grid point sits close to.
 */
static void cumulative_frontier_is_the_least_compute_reaching_each_level(void **state)
{
    (void)state;
    sg_sweep_config c;
    sg_sweep_config_default(&c);
    c.params = (sg_axis){1e7, 1e11, 157};
    c.tokens = (sg_axis){1e8, 1e12, 163};
    c.loss_levels = (sg_levels){2.1234567, 3.3456789, 37, 0};
    sg_sweep_result r = run_sweep(&c, NULL);
    for (uint32_t k = 0; k < c.loss_levels.count; k++) {
        double level = sg_loss_level_value(&c.loss_levels, k);
        double best = INFINITY;
        for (uint64_t i = 0; i < c.params.count; i++)
            for (uint64_t j = 0; j < c.tokens.count; j++) {
                double n = sg_axis_value(&c.params, i);
                double d = sg_axis_value(&c.tokens, j);
                if (sg_law_loss(&c.law, n, d) <= level)
                    best = fmin(best, sg_flops(n, d));
            }
        const sg_frontier_row *row = &r.iso_loss_cumulative[k];
        if (isinf(best)) {
            assert_true(row->empty);
        } else {
            assert_false(row->empty);
            assert_rel(row->flops, best, 0);
        }
        /* and the banded frontier never beats the cumulative one */
        if (!r.iso_loss[k].empty)
            assert_true(r.iso_loss[k].flops >= row->flops);
    }
    sg_sweep_result_free(&r);
}

/* Band k holds the losses in (l_k - w, l_k]. */
static void every_selected_point_lies_in_its_band(void **state)
{
    (void)state;
    sg_sweep_config c;
    sg_sweep_config_default(&c);
    c.params = (sg_axis){1e7, 1e11, 300};
    c.tokens = (sg_axis){1e8, 1e12, 300};
    c.loss_levels = (sg_levels){2.0, 4.0, 41, 0};
    c.flops_levels = (sg_levels){1e17, 1e22, 21, 0};
    sg_sweep_result r = run_sweep(&c, NULL);
    double w = 2.0 / 40, r_flops = pow(1e5, 1.0 / 20);
    for (uint32_t k = 0; k < 41; k++) {
        const sg_frontier_row *row = &r.iso_loss[k];
        if (row->empty)
            continue;
        assert_true(row->loss <= row->level + 1e-9 * w);
        assert_true(row->loss > row->level - w);
    }
    for (uint32_t k = 0; k < 21; k++) {
        const sg_frontier_row *row = &r.iso_flops[k];
        assert_false(row->empty);
        assert_true(row->flops <= row->level * (1 + 1e-9));
        assert_true(row->flops > row->level / r_flops);
    }
    sg_sweep_result_free(&r);
}

/* Levels the grid cannot reach leave their bands empty, not zero. */
static void unreachable_levels_are_empty_bands(void **state)
{
    (void)state;
    sg_sweep_config c;
    sg_sweep_config_default(&c);
    c.params = (sg_axis){1e7, 1e9, 64};
    c.tokens = (sg_axis){1e8, 1e10, 64};
    c.loss_levels = (sg_levels){1.0, 1.6, 10, 0}; /* below the floor E */
    c.flops_levels = (sg_levels){1e25, 1e27, 10, 0}; /* beyond the grid */
    sg_sweep_result r = run_sweep(&c, NULL);
    assert_int_equal(filled(r.iso_loss, 10), 0);
    assert_int_equal(filled(r.iso_loss_cumulative, 10), 0);
    assert_int_equal(filled(r.iso_flops, 10), 0);
    sg_sweep_result_free(&r);
}

/* The default sweep's levels span the grid: its corners land in the lowest
 * and highest bands of both frontiers. */
static void spanning_levels_catch_the_grid_corners(void **state)
{
    (void)state;
    sg_sweep_config c;
    sg_sweep_config_default(&c);
    c.params.count = 1000;
    c.tokens.count = 1000;
    sg_sweep_result r = run_sweep(&c, NULL);
    uint32_t kl = r.loss_levels.count - 1, kf = r.flops_levels.count - 1;
    assert_false(r.iso_loss[0].empty);
    assert_int_equal(r.iso_loss[0].row, 999);
    assert_int_equal(r.iso_loss[0].col, 999);
    assert_false(r.iso_loss[kl].empty);
    assert_int_equal(r.iso_loss[kl].row, 0);
    assert_int_equal(r.iso_loss[kl].col, 0);
    assert_false(r.iso_flops[0].empty);
    assert_int_equal(r.iso_flops[0].row, 0);
    assert_false(r.iso_flops[kf].empty);
    assert_int_equal(r.iso_flops[kf].row, 999);
    sg_sweep_result_free(&r);
}

/* A loss that overflows to +inf is never selected, by any backend. */
static void non_finite_losses_are_never_selected(void **state)
{
    (void)state;
    sg_sweep_config c = overflowing_config();
    c.backend = SG_BACKEND_REFERENCE;
    sg_sweep_result ref = run_sweep(&c, NULL);
    c.backend = SG_BACKEND_OPENMP;
    sg_sweep_result fast = run_sweep(&c, NULL);
    assert_same_frontiers(&ref, &fast, "overflow");
    for (uint32_t k = 0; k < 20; k++)
        if (!ref.iso_flops[k].empty)
            assert_true(isfinite(ref.iso_flops[k].loss));
    assert_true(isinf(sg_law_loss(&c.law, 1e-6, 1e8)));
    sg_sweep_result_free(&ref);
    sg_sweep_result_free(&fast);
}

/* A column term too small to change the loss in double precision makes every
 * row a plateau of equal losses: each band's winner is its lowest index. */
static void ties_go_to_the_lowest_index(void **state)
{
    (void)state;
    sg_sweep_config c = plateau_config();
    c.backend = SG_BACKEND_REFERENCE;
    sg_sweep_result ref = run_sweep(&c, NULL);
    assert_true(filled(ref.iso_flops, 40) > 20);
    for (int variant = 0; variant < 3; variant++) {
        c.backend = SG_BACKEND_OPENMP;
        c.strategy = variant == 2 ? SG_STRATEGY_EXACT : SG_STRATEGY_FACTORED;
        sg_run_options o = {variant == 1, 0, 0, NULL, 0, 0};
        sg_sweep_result fast = run_sweep(&c, &o);
        assert_same_frontiers(&ref, &fast, "plateau");
        sg_sweep_result_free(&fast);
    }
    /* On a plateau the least-loss point of a compute band is its first
     * column: the band's lowest index in that row. */
    for (uint32_t k = 0; k < 40; k++) {
        const sg_frontier_row *row = &ref.iso_flops[k];
        if (row->empty || row->col == 0 || k == 0)
            continue;
        double before = sg_flops(row->params,
                                 sg_axis_value(&c.tokens, row->col - 1));
        assert_true(before <= sg_flops_level_value(&ref.flops_levels, k - 1) *
                                  (1 + 1e-9));
    }
    sg_sweep_result_free(&ref);
}

/* Spans wider than a kernel tile and many of them, against the reference:
 * 3 spans of the default width over 40001 columns. */
static void wide_rows_cross_spans_and_tiles_exactly(void **state)
{
    (void)state;
    sg_sweep_config c;
    sg_sweep_config_default(&c);
    c.params = (sg_axis){1e8, 1e10, 23};
    c.tokens = (sg_axis){1e8, 1e14, 40001};
    c.loss_levels.count = 700;
    c.flops_levels.count = 300;
    c.backend = SG_BACKEND_REFERENCE;
    sg_sweep_result ref = run_sweep(&c, NULL);
    static const sg_strategy strategies[] = {
        SG_STRATEGY_FACTORED, SG_STRATEGY_DIRECT, SG_STRATEGY_EXACT};
    for (size_t s = 0; s < 3; s++) {
        c.backend = SG_BACKEND_OPENMP;
        c.strategy = strategies[s];
        sg_sweep_result fast = run_sweep(&c, NULL);
        assert_same_frontiers(&ref, &fast, sg_strategy_name(strategies[s]));
        sg_sweep_result_free(&fast);
    }
    sg_sweep_result_free(&ref);
}

/* Flat indices beyond 2^32: the last rows of a 1e5 x 1e5 grid (2^33
 * points), swept alone through the row window. */
static void flat_indices_beyond_2_to_the_32_are_exact(void **state)
{
    (void)state;
    sg_sweep_config c;
    sg_sweep_config_default(&c);
    c.params.count = 100000;
    c.tokens.count = 100000;
    c.loss_levels = (sg_levels){1.8, 2.2, 50, 0};
    c.flops_levels = (sg_levels){1e25, 1e27, 30, 0};
    sg_run_options window = {0, 99990, 100000, NULL, 0, 0};
    c.backend = SG_BACKEND_REFERENCE;
    sg_sweep_result ref = run_sweep(&c, &window);
    c.backend = SG_BACKEND_OPENMP;
    c.strategy = SG_STRATEGY_EXACT;
    sg_sweep_result exact = run_sweep(&c, &window);
    assert_same_frontiers(&ref, &exact, "last rows, exact");
    sg_sweep_result_free(&exact);
    c.strategy = SG_STRATEGY_FACTORED;
    sg_sweep_result fast = run_sweep(&c, &window);
    assert_same_frontiers(&ref, &fast, "last rows");
    assert_true(filled(fast.iso_loss, 50) > 10);
    for (uint32_t k = 0; k < 50; k++) {
        const sg_frontier_row *row = &fast.iso_loss[k];
        if (row->empty)
            continue;
        assert_true(row->row >= 99990);
        assert_rel(row->params, sg_axis_value(&c.params, row->row), 0);
        assert_rel(row->tokens, sg_axis_value(&c.tokens, row->col), 0);
    }
    assert_int_equal(fast.points, UINT64_C(1000000));
    sg_sweep_result_free(&ref);
    sg_sweep_result_free(&fast);
}

static void default_config_is_the_documented_main_job(void **state)
{
    (void)state;
    sg_sweep_config c;
    sg_error err;
    sg_sweep_config_default(&c);
    assert_ok(sg_sweep_config_validate(&c, &err), err);
    assert_string_equal(c.law.name, "chinchilla");
    assert_int_equal(c.params.count * c.tokens.count, UINT64_C(268435456));
    assert_rel(c.params.lo, 1e7, 0);
    assert_rel(c.tokens.hi, 1e14, 0);
    assert_int_equal(c.loss_levels.count, 1024);
    assert_int_equal(c.flops_levels.count, 256);
    assert_true(c.loss_levels.span_grid && c.flops_levels.span_grid);
}

static void impossible_sweeps_are_refused_up_front(void **state)
{
    (void)state;
    sg_sweep_config c;
    sg_sweep_result r;
    sg_error err;
    sg_sweep_config_default(&c);
    c.params.count = UINT64_C(1) << 32;
    c.tokens.count = UINT64_C(1) << 32;
    assert_input_error(sg_sweep_run(&c, &r, &err), err, "64-bit");
    sg_sweep_config_default(&c);
    c.params.count = UINT64_C(1) << 32; /* 7e13 points: hours */
    assert_input_error(sg_sweep_run(&c, &r, &err), err, "the limit is 3600 s");
    c.max_seconds = 1e6;
    assert_true(sg_sweep_estimated_seconds(&c) < 1e6);
    if (sg_openmp_threads_available()) {
        sg_sweep_config_default(&c);
        c.loss_levels.count = 1u << 22;
        c.threads = 4096; /* private bins for each thread */
        assert_input_error(sg_sweep_run(&c, &r, &err), err, "GB");
    }
    sg_sweep_config_default(&c);
    c.backend = SG_BACKEND_REFERENCE;
    c.strategy = SG_STRATEGY_FACTORED;
    assert_input_error(sg_sweep_run(&c, &r, &err), err, "reference backend");
    sg_sweep_config_default(&c);
    c.strategy = SG_STRATEGY_EXACT;
    assert_ok(sg_law_preset("kaplan", &c.law, &err), err);
    assert_input_error(sg_sweep_run(&c, &r, &err), err, "Chinchilla form");
    sg_sweep_config_default(&c);
    c.params = (sg_axis){1e7, 1e7, 1};
    c.tokens = (sg_axis){1e8, 1e8, 1};
    assert_input_error(sg_sweep_run(&c, &r, &err), err, "single value");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(openmp_matches_reference_on_random_grids),
        cmocka_unit_test(thread_count_does_not_change_the_frontier),
        cmocka_unit_test(frontier_matches_closed_form_within_one_grid_step),
        cmocka_unit_test(fine_grid_shrinks_the_quantisation_error),
        cmocka_unit_test(cumulative_frontier_is_the_least_compute_reaching_each_level),
        cmocka_unit_test(every_selected_point_lies_in_its_band),
        cmocka_unit_test(unreachable_levels_are_empty_bands),
        cmocka_unit_test(spanning_levels_catch_the_grid_corners),
        cmocka_unit_test(non_finite_losses_are_never_selected),
        cmocka_unit_test(ties_go_to_the_lowest_index),
        cmocka_unit_test(wide_rows_cross_spans_and_tiles_exactly),
        cmocka_unit_test(flat_indices_beyond_2_to_the_32_are_exact),
        cmocka_unit_test(default_config_is_the_documented_main_job),
        cmocka_unit_test(impossible_sweeps_are_refused_up_front),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
