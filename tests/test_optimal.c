/*
 * Compute-optimal points: closed forms against the independent numeric
 * solver, the duality of the two questions, optimality itself, and the
 * loss floor.
 */
#include "test_util.h"

static const double budgets[] = {1e17, 2.21e19, 1e21, 5.76e23, 1e25, 1e28};

static sg_optimum optimum_for_flops(const sg_law *law, double flops,
                                    sg_method method)
{
    sg_optimum opt;
    sg_error err;
    if (sg_optimal_for_flops(law, flops, method, &opt, &err) != SG_OK)
        fail_msg("%s", err.message);
    return opt;
}

static sg_optimum optimum_for_loss(const sg_law *law, double loss,
                                   sg_method method)
{
    sg_optimum opt;
    sg_error err;
    if (sg_optimal_for_loss(law, loss, method, &opt, &err) != SG_OK)
        fail_msg("%s", err.message);
    return opt;
}

/* The numeric solver (root of the log-derivative condition, no closed form)
 * agrees with the closed form to 1e-10 for every preset and budget. */
static void numeric_optimum_agrees_with_closed_form_for_every_preset(void **state)
{
    (void)state;
    for (size_t i = 0; i < sg_law_preset_count(); i++) {
        const sg_law *law = sg_law_preset_at(i);
        if (law->form == SG_FORM_MUENNIGHOFF)
            continue; /* no closed form: see the data-constrained tests */
        for (size_t b = 0; b < sizeof budgets / sizeof budgets[0]; b++) {
            sg_optimum closed = optimum_for_flops(law, budgets[b],
                                                  SG_METHOD_CLOSED_FORM);
            sg_optimum numeric = optimum_for_flops(law, budgets[b],
                                                   SG_METHOD_NUMERIC);
            assert_int_equal(numeric.method, SG_METHOD_NUMERIC);
            assert_rel(numeric.params, closed.params, 1e-10);
            assert_rel(numeric.tokens, closed.tokens, 1e-10);
            assert_rel(numeric.loss, closed.loss, 1e-12);

            double target = closed.loss;
            sg_optimum closed_l = optimum_for_loss(law, target,
                                                   SG_METHOD_CLOSED_FORM);
            sg_optimum numeric_l = optimum_for_loss(law, target,
                                                    SG_METHOD_NUMERIC);
            assert_rel(numeric_l.params, closed_l.params, 1e-10);
            assert_rel(numeric_l.flops, closed_l.flops, 1e-10);
        }
    }
}

/* Least compute for the loss that a budget buys is that budget. */
static void least_compute_for_a_loss_inverts_least_loss_for_a_budget(void **state)
{
    (void)state;
    for (size_t i = 0; i < sg_law_preset_count(); i++) {
        sg_law preset = test_preset_at(i);
        const sg_law *law = &preset;
        for (size_t b = 0; b < sizeof budgets / sizeof budgets[0]; b++) {
            sg_optimum best = optimum_for_flops(law, budgets[b], SG_METHOD_AUTO);
            if (best.loss - sg_law_floor(law) < 1e-9)
                continue; /* a data-constrained law saturated at its floor */
            sg_optimum back = optimum_for_loss(law, best.loss, SG_METHOD_AUTO);
            /* The 1-D search locates a flat minimum to ~1e-7 in N. */
            double rtol = best.method == SG_METHOD_NUMERIC ? 1e-6 : 1e-9;
            assert_rel(back.flops, budgets[b], 1e-9);
            assert_rel(back.params, best.params, rtol);
            assert_rel(back.loss, best.loss, 1e-12);
        }
    }
}

/* Moving along the iso-FLOP line either way costs loss. */
static void optimum_beats_its_iso_flop_neighbours(void **state)
{
    (void)state;
    for (size_t i = 0; i < sg_law_preset_count(); i++) {
        sg_law preset = test_preset_at(i);
        const sg_law *law = &preset;
        sg_optimum o = optimum_for_flops(law, 1e22, SG_METHOD_AUTO);
        for (double f = 0.9; f <= 1.11; f += 0.2) {
            double n = o.params * f, d = 1e22 / (6 * n);
            assert_true(sg_law_loss(law, n, d) > o.loss);
        }
    }
}

/* Kaplan's iso-loss optimum satisfies y = (aN/aD) x (laws.md). */
static void kaplan_optimum_satisfies_y_equals_ratio_x(void **state)
{
    (void)state;
    sg_law k;
    sg_error err;
    assert_ok(sg_law_preset("kaplan", &k, &err), err);
    sg_optimum o = optimum_for_loss(&k, 2.5, SG_METHOD_AUTO);
    double x = pow(k.Nc / o.params, k.aN / k.aD), y = k.Dc / o.tokens;
    assert_rel(y, k.aN / k.aD * x, 1e-12);
    assert_rel(o.loss, 2.5, 1e-12);
}

static void losses_at_or_below_the_floor_are_unreachable(void **state)
{
    (void)state;
    sg_law c, k;
    sg_optimum o;
    sg_error err;
    assert_ok(sg_law_preset("chinchilla", &c, &err), err);
    assert_ok(sg_law_preset("kaplan", &k, &err), err);
    assert_input_error(sg_optimal_for_loss(&c, 1.69, SG_METHOD_AUTO, &o, &err),
                       err, "unreachable");
    assert_input_error(sg_optimal_for_loss(&c, 1.0, SG_METHOD_NUMERIC, &o, &err),
                       err, "E = 1.69");
    assert_input_error(sg_optimal_for_loss(&k, 0.0, SG_METHOD_AUTO, &o, &err),
                       err, "unreachable");
    assert_input_error(sg_optimal_for_loss(&c, NAN, SG_METHOD_AUTO, &o, &err),
                       err, "finite");
    assert_input_error(sg_optimal_for_flops(&c, -1e21, SG_METHOD_AUTO, &o, &err),
                       err, "positive");
    assert_input_error(sg_optimal_for_flops(&c, INFINITY, SG_METHOD_AUTO, &o,
                                            &err),
                       err, "positive");
}

/* Just above the floor the answer is huge but finite, or refused. */
static void losses_just_above_the_floor_are_answered_or_refused(void **state)
{
    (void)state;
    sg_law c;
    sg_optimum o;
    sg_error err;
    assert_ok(sg_law_preset("chinchilla", &c, &err), err);
    sg_status st = sg_optimal_for_loss(&c, 1.69 + 1e-12, SG_METHOD_AUTO, &o,
                                       &err);
    if (st == SG_OK)
        assert_true(isfinite(o.flops) && o.flops > 1e40);
    else
        assert_non_null(strstr(err.message, "outside double range"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(numeric_optimum_agrees_with_closed_form_for_every_preset),
        cmocka_unit_test(least_compute_for_a_loss_inverts_least_loss_for_a_budget),
        cmocka_unit_test(optimum_beats_its_iso_flop_neighbours),
        cmocka_unit_test(kaplan_optimum_satisfies_y_equals_ratio_x),
        cmocka_unit_test(losses_at_or_below_the_floor_are_unreachable),
        cmocka_unit_test(losses_just_above_the_floor_are_answered_or_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
