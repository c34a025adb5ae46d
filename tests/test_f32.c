/*
 * Single-precision sweeps (--precision f32): kernels/sg_math_f32.h against
 * long double libm; the OpenMP f32 loops against the f32 reference (the
 * same points, bit for bit, on random grids); f32 frontiers against f64
 * ones within what float rounding allows; and what f32 refuses.
 */
#include "sweep_util.h"
#include "point_math.h"

#include <float.h>

/* The f32 table and coefficients of a power coef x^-a, as the host
 * prepares them. */
static sg_power_f32 power_of(double coef, double a)
{
    sg_law law = preset("chinchilla");
    law.A = coef;
    law.alpha = a;
    return sg_point_law_f32_of(&law).row;
}

/* Arguments drawn per random law in the power tests (the host fills a
 * law's 1024-entry tables in double: too slow to do per argument). */
#define ARGUMENTS_PER_LAW 200

/* Random arguments for the power tests: every binade sweeps can meet
 * (2^-100 .. 2^100), half of them near the table's interval edges
 * (m = 1, 1.25, 1.5, 1.75, 2), where z is largest and k changes. */
static float random_power_argument(test_rng *rng, int i)
{
    float m = i % 2 ? 1.0f + (float)rng_uniform(rng)
                    : 1.0f + (float)rng_int(rng, 0, 4) / 4.0f +
                          (float)((rng_uniform(rng) - 0.5) * 1e-3);
    return ldexpf(m, (int)rng_int(rng, 0, 200) - 100);
}

/* A random power coef x^-a, a uniform in [a_lo, a_hi] and log2 coef in
 * [log2_lo, log2_hi], with the tables the host fills for it. */
typedef struct {
    double a, log2_coef;
    sg_power_f32 pw;
} random_power;

static void draw_power(test_rng *rng, double a_lo, double a_hi,
                       double log2_lo, double log2_hi, random_power *out)
{
    out->a = a_lo + (a_hi - a_lo) * rng_uniform(rng);
    out->log2_coef = log2_lo + (log2_hi - log2_lo) * rng_uniform(rng);
    out->pw = power_of(exp2(out->log2_coef), out->a);
}

/* The relative error q's fit allows at exponent a, with the float
 * rounding of the table entry, of z and of the last two steps (2^-24
 * each, about 1.8e-7 together): the fit's error is 4e-8 at a = 0.5,
 * 1.5e-7 at a = 1 and 1.2e-6 at a = 2 (sg_math_f32.h). */
static double power_error_bound(double a)
{
    return 1.8e-7 + (a <= 0.5 ? 4e-8 : a <= 1.0 ? 1.6e-7 : 1.2e-6);
}

/* coef x^-a within power_error_bound(a) relative of long double libm, for
 * random laws whose terms stay inside what the host lets a sweep use. */
static void power_is_within_its_bound(void **state)
{
    (void)state;
    test_rng rng = {UINT64_C(0x452821e638d01377)};
    double worst = 0;
    random_power law;
    for (int i = 0; i < 2000000; i++) {
        if (i % ARGUMENTS_PER_LAW == 0) { /* a quarter of them a > 1 */
            if (i % (4 * ARGUMENTS_PER_LAW))
                draw_power(&rng, 0.05, 1.0, -20, 40, &law);
            else
                draw_power(&rng, 1.0, SG_F32_MAX_EXPONENT, -20, 40, &law);
        }
        float x = random_power_argument(&rng, i);
        long double log2_want = law.log2_coef - law.a * log2l(x);
        if (fabsl(log2_want) > 120)
            continue; /* outside what the host lets a sweep use */
        long double want = exp2l(log2_want);
        double got = (double)sg_power_plus_f32(&law.pw, x, 0.0f);
        double rel = (double)(fabsl(got - want) / want) /
                     power_error_bound(law.a);
        if (rel > worst)
            worst = rel;
        if (!(rel <= 1.0)) /* NaN fails too */
            fail_msg("x %.9g, a %.6f, log2 coef %.6f: %.9g, libm %.9Lg",
                     (double)x, law.a, law.log2_coef, got, want);
    }
    print_message("power: worst %.3g of the bound over 2e6 arguments\n",
                  worst);
}

/* add + coef x^-a as the row term takes it: the power within its bound,
 * plus the float rounding of scale[k] + add beforehand and of the result
 * (each at most 2^-24 of the exact value; the result's taken 1e-6 wider
 * for the errors before it). */
static void power_plus_adds_with_float_rounding(void **state)
{
    (void)state;
    test_rng rng = {UINT64_C(0x9216d5d98979fb1b)};
    double worst = 0;
    random_power law;
    for (int i = 0; i < 400000; i++) {
        if (i % ARGUMENTS_PER_LAW == 0)
            draw_power(&rng, 0.05, 1.0, -10, 20, &law);
        float x = random_power_argument(&rng, i);
        float add = (float)(0.5 + 3.0 * rng_uniform(&rng));
        long double log2_power = law.log2_coef - law.a * log2l(x);
        if (log2_power < -40 || log2_power > 10)
            continue; /* powers a loss can add to E */
        long double power = exp2l(log2_power);
        long double want = (long double)add + power;
        float scale = law.pw.scale[sg_power_index_f32(x)];
        float got = sg_power_plus_f32(&law.pw, x, add);
        double err = (double)fabsl((long double)got - want);
        double bound = power_error_bound(law.a) * (double)power +
                       0x1p-24 * ((double)scale + (double)add +
                                  (double)want * 1.000001);
        if (err / bound > worst)
            worst = err / bound;
        if (!(err <= bound)) /* NaN fails too */
            fail_msg("%.9g + %.9g^-%.6f: %.9g, libm %.9Lg", (double)add,
                     (double)x, law.a, (double)got, want);
    }
    print_message("power plus: worst %.3g of the bound over 4e5 arguments\n",
                  worst);
}

/* The table's entries are the powers of their octaves' centres where
 * those are floats, and NaN where not (no normal octave, or a power out
 * of float's range), so a grid the host failed to check shows NaN. */
static void power_table_marks_what_floats_cannot_hold(void **state)
{
    (void)state;
    sg_power_f32 pw = power_of(406.4, 0.34);
    int finite = 0;
    for (int k = 0; k < SG_F32_POWER_TABLE; k++) {
        int biased = k / SG_F32_POWER_INTERVALS;
        double log2_entry =
            log2(406.4) -
            0.34 * ((biased - 127) -
                    log2((double)pw.inv_centre[k % SG_F32_POWER_INTERVALS]));
        if (biased == 0 || biased == 255)
            assert_true(isnan(pw.scale[k]));
        else if (fabs(log2_entry - log2((double)pw.scale[k])) > 1e-7)
            fail_msg("k %d: entry %.9g, want 2^%.9g", k,
                     (double)pw.scale[k], log2_entry);
        finite += isfinite(pw.scale[k]);
    }
    assert_int_equal(finite, SG_F32_POWER_TABLE - 2 * SG_F32_POWER_INTERVALS);
    /* a power beyond float's range: coef 2^100, x^-2 for x near 2^-100 */
    sg_power_f32 big = power_of(0x1p100, 2.0);
    assert_true(isnan(big.scale[sg_power_index_f32(0x1p-100f)]));
    assert_true(isfinite(big.scale[sg_power_index_f32(0x1p60f)]));
}

/* The f32 law against the double law at random points: the terms within
 * 3e-6 relative (the float rounding of the exponent dominates). */
static void f32_law_terms_follow_the_double_law(void **state)
{
    (void)state;
    test_rng rng = {UINT64_C(0xc0ac29b7c97c50dd)};
    sg_law law = preset("chinchilla");
    sg_point_law l64 = sg_point_law_of(&law);
    sg_point_law_f32 l32 = sg_point_law_f32_of(&law);
    double worst = 0;
    for (int i = 0; i < 1000000; i++) {
        double n = pow(10, 3 + 14 * rng_uniform(&rng));
        double d = pow(10, 3 + 14 * rng_uniform(&rng));
        double want_row = sg_row_term(&l64, n) - law.E;
        double want_col = sg_col_term(&l64, d);
        double row = (double)(sg_row_term_f32(&l32, (float)n) - l32.E);
        double col = (double)sg_col_term_f32(&l32, (float)d);
        /* the row term is measured without E, which float rounds to
         * 6e-8 of the loss */
        double rel = fmax(fabs(row - want_row) / want_row,
                          fabs(col - want_col) / want_col);
        if (rel > worst)
            worst = rel;
        if (!(rel <= 3e-6 + 1e-7 * law.E / fmin(want_row, want_col)))
            fail_msg("N %g, D %g: f32 terms %.9g, %.9g; f64 %.9g, %.9g", n,
                     d, row, col, want_row, want_col);
    }
    print_message("f32 law: worst %.3g relative over 1e6 points\n", worst);
}

/* A random Chinchilla-form sweep in single precision. */
static sg_sweep_config random_f32_config(test_rng *rng)
{
    static const char *const names[] = {"chinchilla", "chinchilla-full",
                                        "epoch2024"};
    sg_sweep_config c;
    sg_sweep_config_default(&c);
    c.law = preset(names[rng_int(rng, 0, 2)]);
    c.law.alpha *= 0.8 + 0.4 * rng_uniform(rng);
    c.law.beta *= 0.8 + 0.4 * rng_uniform(rng);
    c.precision = SG_PRECISION_F32;
    random_axes(rng, &c, 400);
    c.loss_levels.count = (uint32_t)rng_int(rng, 2, 300);
    c.flops_levels.count = (uint32_t)rng_int(rng, 2, 100);
    if (rng_int(rng, 0, 2) == 0)
        c.flop_count.inference_tokens = pow(10, 7 + 7 * rng_uniform(rng));
    return c;
}

/* OpenMP f32, direct and factored, SIMD and scalar loops, 1 to 3 threads,
 * tiny tiles half the time: the f32 reference's points exactly. */
static void openmp_f32_matches_the_f32_reference(void **state)
{
    (void)state;
    test_rng rng = {UINT64_C(0x3f84d5b5b5470917)};
    int threads_max = sg_openmp_threads_available() ? 3 : 1;
    for (int trial = 0; trial < 40; trial++) {
        sg_sweep_config c = random_f32_config(&rng);
        sg_sweep_config ref = c;
        ref.backend = SG_BACKEND_REFERENCE;
        sg_sweep_result want = run_sweep(&ref, NULL);
        for (int variant = 0; variant < 4; variant++) {
            sg_sweep_config fast = c;
            fast.backend = SG_BACKEND_OPENMP;
            fast.strategy = variant & 1 ? SG_STRATEGY_DIRECT
                                        : SG_STRATEGY_FACTORED;
            fast.threads = (int)rng_int(&rng, 1, (uint64_t)threads_max);
            sg_run_options o = random_tile_options(&rng, (variant >> 1) & 1);
            sg_sweep_result got = run_sweep(&fast, &o);
            char what[160];
            snprintf(what, sizeof what, "trial %d (%s, %s, %s, %d threads)",
                     trial, c.law.name, sg_strategy_name(fast.strategy),
                     o.scalar_only ? "scalar" : "simd", fast.threads);
            assert_same_frontiers(&want, &got, what);
            sg_sweep_result_free(&got);
        }
        sg_sweep_result_free(&want);
    }
}

/*
 * f32 against f64 on the same grid. Float moves a point's loss by far
 * less than a level spacing, so whatever reaches level k - 1 in one
 * precision reaches level k in the other: each cumulative frontier costs
 * no more than the other's one level up. Compute bands do not involve the
 * law (both precisions band the same points), so the f32 pick's true loss
 * exceeds the f64 pick's by float rounding at most.
 */
static void f32_frontiers_stay_within_float_rounding_of_f64(void **state)
{
    (void)state;
    test_rng rng = {UINT64_C(0x0801f2e2858efc16)};
    for (int trial = 0; trial < 30; trial++) {
        sg_sweep_config c32 = random_f32_config(&rng);
        c32.backend = SG_BACKEND_OPENMP;
        sg_sweep_config c64 = c32;
        c64.precision = SG_PRECISION_F64;
        sg_sweep_result a = run_sweep(&c32, NULL), b = run_sweep(&c64, NULL);
        for (uint32_t k = 1; k < a.loss_levels.count; k++) {
            const sg_frontier_row *a1 = &a.iso_loss_cumulative[k - 1],
                                  *ak = &a.iso_loss_cumulative[k],
                                  *b1 = &b.iso_loss_cumulative[k - 1],
                                  *bk = &b.iso_loss_cumulative[k];
            if (!b1->empty && (ak->empty || ak->total_flops > b1->total_flops))
                fail_msg("trial %d level %u: f32 cumulative %g FLOPs, f64 "
                         "one level down %g",
                         trial, k, ak->total_flops, b1->total_flops);
            if (!a1->empty && (bk->empty || bk->total_flops > a1->total_flops))
                fail_msg("trial %d level %u: f64 cumulative %g FLOPs, f32 "
                         "one level down %g",
                         trial, k, bk->total_flops, a1->total_flops);
        }
        for (uint32_t k = 0; k < a.flops_levels.count; k++) {
            const sg_frontier_row *x = &a.iso_flops[k], *y = &b.iso_flops[k];
            assert_int_equal(x->empty, y->empty);
            if (!x->empty && x->loss > y->loss * (1 + 5e-6))
                fail_msg("trial %d compute level %u: f32 pick's loss %.9g, "
                         "f64 least %.9g",
                         trial, k, x->loss, y->loss);
        }
        sg_sweep_result_free(&a);
        sg_sweep_result_free(&b);
    }
}

static void expect_refused(const sg_sweep_config *c, const char *needle)
{
    sg_error err;
    assert_int_equal(sg_sweep_config_validate(c, &err), SG_ERR_INPUT);
    if (!strstr(err.message, needle))
        fail_msg("message '%s' lacks '%s'", err.message, needle);
}

static void f32_refuses_what_it_cannot_sweep(void **state)
{
    (void)state;
    sg_sweep_config base;
    sg_sweep_config_default(&base);
    base.precision = SG_PRECISION_F32;
    sg_error err;
    assert_int_equal(sg_sweep_config_validate(&base, &err), SG_OK);

    sg_sweep_config c = base;
    c.law = preset("kaplan");
    expect_refused(&c, "Chinchilla form");
    c = base;
    c.strategy = SG_STRATEGY_EXACT;
    expect_refused(&c, "double precision only");
    c = base;
    c.tokens.hi = 1e31;
    expect_refused(&c, "1e-30..1e30");
    c = base;
    c.law.A = 1e40; /* A N^-alpha beyond 2^120 at N = 1e7 */
    expect_refused(&c, "float's range");
    c = base;
    c.law.beta = 2.5;
    expect_refused(&c, "exponents alpha and beta up to 2");
    if (!sg_cuda_available(NULL, 0)) {
        c = base;
        c.backend = SG_BACKEND_AUTO;
        c.params.count = c.tokens.count = 1u << 14;
        sg_sweep_result r = run_sweep(&c, NULL);
        assert_int_equal(r.backend, SG_BACKEND_OPENMP);
        sg_sweep_result_free(&r);
    }
    sg_precision p;
    assert_int_equal(sg_precision_from_name("f16", &p, &err), SG_ERR_INPUT);
    assert_non_null(strstr(err.message, "f64, f32"));
    assert_int_equal(sg_precision_from_name("f32", &p, &err), SG_OK);
    assert_int_equal(p, SG_PRECISION_F32);
}

static void configs_choose_the_precision(void **state)
{
    (void)state;
    sg_sweep_config c;
    sg_sweep_config_default(&c);
    unsigned set = 0;
    sg_error err;
    assert_int_equal(sg_config_parse("{\"precision\": \"f32\"}", "t.json", &c,
                                     &set, NULL, 0, &err),
                     SG_OK);
    assert_int_equal(c.precision, SG_PRECISION_F32);
    assert_true(set & SG_CONFIG_HAS_PRECISION);
    assert_int_equal(sg_config_parse("{\"precision\": \"double\"}", "t.json",
                                     &c, &set, NULL, 0, &err),
                     SG_ERR_INPUT);
    assert_non_null(strstr(err.message, "\"precision\""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(power_is_within_its_bound),
        cmocka_unit_test(power_plus_adds_with_float_rounding),
        cmocka_unit_test(power_table_marks_what_floats_cannot_hold),
        cmocka_unit_test(f32_law_terms_follow_the_double_law),
        cmocka_unit_test(openmp_f32_matches_the_f32_reference),
        cmocka_unit_test(f32_frontiers_stay_within_float_rounding_of_f64),
        cmocka_unit_test(f32_refuses_what_it_cannot_sweep),
        cmocka_unit_test(configs_choose_the_precision),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
