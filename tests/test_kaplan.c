/*
 * Kaplan et al. 2020, batch size and steps: the critical batch (1.4), Smin
 * and Cmin (5.4, 5.5), L(N, Smin) with Table 3 constants (1.6) and Table 6's
 * compute-efficient allocation. Expected values are the papers' printed
 * constants and coefficients, or were computed independently to 30 digits
 * (mpmath) from the formulas in ../shared/reference/laws.md.
 */
#include "test_util.h"

/* The double functions evaluate one pow() or two: a few ulps. */
#define EXACT_RTOL 1e-14

static sg_kaplan_allocation allocation(double min_flops)
{
    sg_kaplan_allocation a;
    sg_error err;
    if (sg_kaplan_allocation_for_flops(min_flops, &a, &err) != SG_OK)
        fail_msg("%s", err.message);
    return a;
}

static void critical_batch_is_b_star_at_unit_loss(void **state)
{
    (void)state;
    /* (1.4) with Table 5: B* = 2.1e8 tokens, aB = 0.21. */
    assert_rel(sg_kaplan_critical_batch(1.0), 2.1e8, EXACT_RTOL);
    assert_rel(sg_kaplan_critical_batch(2.0), 7740038.57088895, EXACT_RTOL);
    assert_rel(sg_kaplan_critical_batch(3.0), 1122569.71074743, EXACT_RTOL);
}

static void critical_batch_shrinks_as_loss_falls_by_the_power_1_over_aB(
    void **state)
{
    (void)state;
    /* Halving the loss multiplies Bcrit by 2^(1/0.21). */
    double ratio = sg_kaplan_critical_batch(1.5) / sg_kaplan_critical_batch(3.0);
    assert_rel(ratio, pow(2.0, 1.0 / 0.21), EXACT_RTOL);
}

static void training_at_the_critical_batch_halves_steps_and_compute(
    void **state)
{
    (void)state;
    /* (5.4), (5.5) at B = Bcrit: S = 2 Smin and C = 2 Cmin. */
    assert_rel(sg_kaplan_min_steps(1e4, 2e6, 2e6), 5e3, EXACT_RTOL);
    assert_rel(sg_kaplan_min_compute(1e21, 2e6, 2e6), 5e20, EXACT_RTOL);
}

static void small_batches_waste_steps_and_large_batches_waste_compute(
    void **state)
{
    (void)state;
    /* B = Bcrit / 3: Smin = S / 4 and Cmin = C * 3/4. */
    assert_rel(sg_kaplan_min_steps(8e3, 1e6, 3e6), 2e3, EXACT_RTOL);
    assert_rel(sg_kaplan_min_compute(8e20, 1e6, 3e6), 6e20, EXACT_RTOL);
    /* B = 3 Bcrit: Smin = S * 3/4 and Cmin = C / 4. */
    assert_rel(sg_kaplan_min_steps(8e3, 3e6, 1e6), 6e3, EXACT_RTOL);
    assert_rel(sg_kaplan_min_compute(8e20, 3e6, 1e6), 2e20, EXACT_RTOL);
}

static void loss_of_params_and_steps_uses_table3_constants(void **state)
{
    (void)state;
    /* (1.6) at N = Nc = 6.5e13, Smin = Sc = 2.1e3: 1 + 1. */
    assert_rel(sg_kaplan_loss_params_steps(6.5e13, 2.1e3), 2.0, EXACT_RTOL);
    /* (6.5e4)^0.077 + (2.1e-2)^0.76 */
    assert_rel(sg_kaplan_loss_params_steps(1e9, 1e5), 2.40051366142701,
               EXACT_RTOL);
}

static void table6_at_one_pf_day_gives_the_printed_coefficients(void **state)
{
    (void)state;
    sg_kaplan_allocation a = allocation(SG_FLOPS_PER_PF_DAY);
    assert_rel(a.min_pf_days, 1.0, EXACT_RTOL);
    assert_rel(a.params, 1.3e9, EXACT_RTOL);
    assert_rel(a.batch, 2.0e6, EXACT_RTOL);
    assert_rel(a.min_steps, 5.4e3, EXACT_RTOL);
    assert_rel(a.tokens, 2e10, EXACT_RTOL);
    assert_rel(a.steps, 1e4, EXACT_RTOL);
    assert_rel(a.flops, 1.56e20, EXACT_RTOL);
    /* (1.3): (3.1e8)^0.05; (1.4) at that loss. */
    assert_rel(a.loss, 2.65808022624552, EXACT_RTOL);
    assert_rel(a.critical_batch, 1997406.73757301, EXACT_RTOL);
    assert_rel(a.implied_min_steps, 5003.24368096273, EXACT_RTOL);
    assert_rel(a.implied_min_flops, 7.79493985769813e19, EXACT_RTOL);
    assert_rel(a.loss_params_steps, 2.78832057064046, EXACT_RTOL);
}

static void table6_scales_with_the_printed_exponents(void **state)
{
    (void)state;
    sg_kaplan_allocation a = allocation(1e21);
    assert_rel(a.min_pf_days, 1e21 / 8.64e19, EXACT_RTOL);
    assert_rel(a.params, 7767626242.30470, EXACT_RTOL);
    assert_rel(a.batch, 3599703.22772623, EXACT_RTOL);
    assert_rel(a.min_steps, 5811.63522683159, EXACT_RTOL);
    assert_rel(a.tokens, 38741040897.0244, EXACT_RTOL);
    assert_rel(a.loss, 2.35176418284413, EXACT_RTOL);
    assert_rel(a.critical_batch, 3578306.39161694, EXACT_RTOL);
    assert_rel(a.loss_params_steps, 2.46600521065698, EXACT_RTOL);
    sg_kaplan_allocation k = allocation(1e3 * SG_FLOPS_PER_PF_DAY);
    assert_rel(k.params, 201346160458.623, EXACT_RTOL);
    assert_rel(k.batch, 10496149.2049955, EXACT_RTOL);
    assert_rel(k.min_steps, 6643.45136238686, EXACT_RTOL);
    assert_rel(k.tokens, 129130845806.931, EXACT_RTOL);
}

static void training_at_table6_batch_costs_1_8_times_cmin_at_every_budget(
    void **state)
{
    (void)state;
    /* N ~ Cmin^0.73 and D ~ Cmin^0.27: 6 N D / Cmin = 6 x 1.3e9 x 2e10 /
     * 8.64e19 at every budget, about twice Cmin as (5.5) has it at B ~
     * Bcrit. */
    double expected = 6.0 * 1.3e9 * 2e10 / 8.64e19;
    assert_rel(expected, 1.80555555555556, EXACT_RTOL);
    for (double c = 1e15; c <= 1e30; c *= 10) {
        sg_kaplan_allocation a = allocation(c);
        assert_rel(a.flops / a.min_flops, expected, 1e-13);
        assert_rel(a.steps, a.tokens / a.batch, EXACT_RTOL);
    }
}

static void table6_batch_is_the_critical_batch_at_the_loss_of_cmin(
    void **state)
{
    (void)state;
    /* Bcrit(L(Cmin)) = 2.1e8 (3.1e8)^(-0.05/0.21) Cmin^0.238: Table 6's B
     * rounds it to 2.0e6 Cmin^0.24; the two stay within 3% from 1e-3 to
     * 1e6 PF-days (1.2% above at 1e-3, 2.7% below at 1e6). */
    for (double pf_days = 1e-3; pf_days <= 1e6; pf_days *= 10) {
        sg_kaplan_allocation a = allocation(pf_days * SG_FLOPS_PER_PF_DAY);
        assert_rel(a.critical_batch, a.batch, 0.03);
    }
    assert_rel(allocation(SG_FLOPS_PER_PF_DAY).critical_batch, 2.0e6, 2e-3);
}

static void table6_loss_by_eq_1_6_sits_about_5_percent_above_eq_1_3(
    void **state)
{
    (void)state;
    /* Table 3's L(N, Smin) at Table 6's N and Smin against Table 5's
     * L(Cmin): two fits of the same runs, 4.9% to 5.3% apart from 1e-2 to
     * 1e4 PF-days (computed, not printed in the paper). */
    for (double pf_days = 1e-2; pf_days <= 1e4; pf_days *= 10) {
        sg_kaplan_allocation a = allocation(pf_days * SG_FLOPS_PER_PF_DAY);
        assert_rel(a.loss_params_steps / a.loss, 1.05, 0.01);
    }
}

static void bad_budgets_are_refused(void **state)
{
    (void)state;
    sg_kaplan_allocation a;
    sg_error err;
    const double bad[] = {0.0, -1e21, NAN, INFINITY, -INFINITY};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_input_error(sg_kaplan_allocation_for_flops(bad[i], &a, &err),
                           err, "must be a positive, finite number");
    /* 1.8 Cmin overflows past DBL_MAX. */
    assert_input_error(sg_kaplan_allocation_for_flops(1e308, &a, &err), err,
                       "outside double range");
}

static void steps_at_batch_follow_the_laws_loss(void **state)
{
    (void)state;
    sg_law k = preset("kaplan");
    sg_kaplan_steps s;
    sg_error err;
    assert_ok(sg_kaplan_steps_at_batch(&k, 1e9, 1e10, 1e6, &s, &err), err);
    assert_rel(s.loss, 2.48384368446461, EXACT_RTOL);
    assert_rel(s.critical_batch, 2758514.01631128, EXACT_RTOL);
    assert_rel(s.steps, 1e4, EXACT_RTOL);
    assert_rel(s.min_steps, 2660.62596989176, EXACT_RTOL);
    assert_rel(s.flops, 6e19, EXACT_RTOL);
    assert_rel(s.min_flops, 4.40362441806494e19, EXACT_RTOL);
    assert_rel(s.loss_params_steps, 3.18284769759539, EXACT_RTOL);

    assert_ok(sg_kaplan_steps_at_batch(&k, 1.5e9, 3e10, 2e6, &s, &err), err);
    assert_rel(s.critical_batch, 3537244.78559756, EXACT_RTOL);
    assert_rel(s.min_steps, 5417.85692372321, EXACT_RTOL);
    assert_rel(s.min_flops, 1.72478575372982e20, EXACT_RTOL);
    assert_rel(s.loss_params_steps, 2.76188868289707, EXACT_RTOL);
}

static void steps_at_batch_refuse_other_forms_and_bad_inputs(void **state)
{
    (void)state;
    sg_law k = preset("kaplan"), c = preset("chinchilla");
    sg_kaplan_steps s;
    sg_error err;
    assert_input_error(sg_kaplan_steps_at_batch(&c, 1e9, 1e10, 1e6, &s, &err),
                       err, "needs a law of the Kaplan form");
    assert_input_error(sg_kaplan_steps_at_batch(&k, 0, 1e10, 1e6, &s, &err),
                       err, "params N must be a positive");
    assert_input_error(sg_kaplan_steps_at_batch(&k, 1e9, NAN, 1e6, &s, &err),
                       err, "tokens D must be a positive");
    assert_input_error(sg_kaplan_steps_at_batch(&k, 1e9, 1e10, -2, &s, &err),
                       err, "batch B (tokens per step) must be a positive");
    assert_input_error(
        sg_kaplan_steps_at_batch(&k, 1e9, 1e10, INFINITY, &s, &err), err,
        "batch B (tokens per step) must be a positive");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(critical_batch_is_b_star_at_unit_loss),
        cmocka_unit_test(
            critical_batch_shrinks_as_loss_falls_by_the_power_1_over_aB),
        cmocka_unit_test(
            training_at_the_critical_batch_halves_steps_and_compute),
        cmocka_unit_test(
            small_batches_waste_steps_and_large_batches_waste_compute),
        cmocka_unit_test(loss_of_params_and_steps_uses_table3_constants),
        cmocka_unit_test(table6_at_one_pf_day_gives_the_printed_coefficients),
        cmocka_unit_test(table6_scales_with_the_printed_exponents),
        cmocka_unit_test(
            training_at_table6_batch_costs_1_8_times_cmin_at_every_budget),
        cmocka_unit_test(
            table6_batch_is_the_critical_batch_at_the_loss_of_cmin),
        cmocka_unit_test(
            table6_loss_by_eq_1_6_sits_about_5_percent_above_eq_1_3),
        cmocka_unit_test(bad_budgets_are_refused),
        cmocka_unit_test(steps_at_batch_follow_the_laws_loss),
        cmocka_unit_test(steps_at_batch_refuse_other_forms_and_bad_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
