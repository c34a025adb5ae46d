/*
 * The law catalogue against the published values (../shared/reference/
 * oracles.md, 6 significant figures, relative tolerance 1e-5).
 */
#include "test_util.h"

#define ORACLE_RTOL 1e-5

static void pf_day_is_8_64e19_flops(void **state)
{
    (void)state;
    assert_rel(SG_FLOPS_PER_PF_DAY, 8.64000e19, ORACLE_RTOL);
    assert_rel(sg_flops(1e9, 1e10), 6e19, 1e-15);
}

static void kaplan_single_variable_laws_match_oracles(void **state)
{
    (void)state;
    sg_law k = preset("kaplan");
    assert_rel(sg_kaplan_loss_params(&k, 1e9), 2.37564, ORACLE_RTOL);
    assert_rel(sg_kaplan_loss_tokens(&k, 1e10), 2.26244, ORACLE_RTOL);
    assert_rel(sg_law_loss(&k, 1e9, 1e10), 2.48384, ORACLE_RTOL);
    assert_rel(sg_overfit_threshold_tokens(1e9), 2.28544e10, ORACLE_RTOL);
}

static void kaplan_compute_law_uses_table5_constants(void **state)
{
    (void)state;
    /* (1.3): L = (3.1e8 / Cmin)^0.050, Cmin in PF-days. */
    assert_rel(sg_kaplan_loss_compute(3.1e8), 1.0, 1e-15);
    assert_rel(sg_kaplan_loss_compute(1.0), pow(3.1e8, 0.05), 1e-15);
}

static void chinchilla_allocation_exponents_match_oracles(void **state)
{
    (void)state;
    sg_law c = preset("chinchilla");
    double G, a, b;
    sg_error err;
    assert_ok(sg_chinchilla_allocation(&c, &G, &a, &b, &err), err);
    assert_rel(G, 1.34471, ORACLE_RTOL);
    assert_rel(a, 0.451613, ORACLE_RTOL);
    assert_rel(b, 0.548387, ORACLE_RTOL);
}

static void check_optimum(const char *law_name, double flops, double params,
                          double tokens, double ratio, double loss)
{
    sg_law law = preset(law_name);
    sg_optimum opt;
    sg_error err;
    assert_ok(sg_optimal_for_flops(&law, flops, SG_METHOD_AUTO, &opt, &err),
              err);
    assert_int_equal(opt.method, SG_METHOD_CLOSED_FORM);
    assert_rel(opt.params, params, ORACLE_RTOL);
    assert_rel(opt.tokens, tokens, ORACLE_RTOL);
    if (ratio > 0)
        assert_rel(opt.tokens / opt.params, ratio, ORACLE_RTOL);
    if (loss > 0)
        assert_rel(opt.loss, loss, ORACLE_RTOL);
    assert_rel(opt.flops, flops, 1e-12);
}

static void chinchilla_optima_match_oracles(void **state)
{
    (void)state;
    check_optimum("chinchilla", 1e21, 1.82422e9, 9.13634e10, 50.0836, 2.32888);
    check_optimum("chinchilla", 5.76e23, 3.21899e10, 2.98231e12, 92.6474,
                  1.93075);
    check_optimum("chinchilla", 1e25, 1.16823e11, 1.42666e13, 122.122,
                  1.84532);
    check_optimum("chinchilla", 2.21e19, 3.26124e8, 1.12943e10, 0, 0);
}

static void chinchilla_losses_of_named_models_match_oracles(void **state)
{
    (void)state;
    sg_law c = preset("chinchilla");
    assert_rel(sg_law_loss(&c, 70e9, 1.4e12), 1.93665, ORACLE_RTOL); /* Chinchilla */
    assert_rel(sg_law_loss(&c, 280e9, 300e9), 1.99326, ORACLE_RTOL); /* Gopher */
}

/* laws.md: rounded vs full-precision constants move the allocation from
 * ~35 to ~24 tokens per parameter at 2.21e19 FLOPs. */
static void rounded_and_full_constants_disagree_as_published(void **state)
{
    (void)state;
    sg_error err;
    sg_optimum rounded, full;
    sg_law r = preset("chinchilla"), f = preset("chinchilla-full");
    assert_ok(sg_optimal_for_flops(&r, 2.21e19, SG_METHOD_AUTO, &rounded, &err),
              err);
    assert_ok(sg_optimal_for_flops(&f, 2.21e19, SG_METHOD_AUTO, &full, &err),
              err);
    assert_rel(rounded.tokens / rounded.params, 35, 0.03);
    assert_rel(full.tokens / full.params, 24, 0.03);
}

static void full_precision_constants_are_the_published_logarithms(void **state)
{
    (void)state;
    sg_law f = preset("chinchilla-full");
    assert_rel(log(f.E), 0.5267228, 1e-14);
    assert_rel(log(f.A), 6.0073404, 1e-14);
    assert_rel(log(f.B), 6.0179186, 1e-14);
    assert_rel(f.alpha, 0.33917084, 0);
    assert_rel(f.beta, 0.2849083, 0);
}

static void presets_carry_constants_conventions_and_sources(void **state)
{
    (void)state;
    sg_law e = preset("epoch2024");
    assert_rel(e.E, 1.8172, 0);
    assert_rel(e.A, 482.01, 0);
    assert_rel(e.B, 2085.43, 0);
    assert_rel(e.alpha, 0.3478, 0);
    assert_rel(e.beta, 0.3658, 0);
    assert_non_null(strstr(e.source, "2404.10102"));
    sg_law kj = preset("kaplan-joint");
    assert_rel(kj.Nc, 6.4e13, 0);
    assert_rel(kj.Dc, 1.8e13, 0);
    assert_rel(kj.aN, 0.076, 0);
    assert_rel(kj.aD, 0.103, 0);
    assert_int_equal(kj.convention, SG_COUNT_NON_EMBEDDING);
    assert_non_null(strstr(kj.source, "Table 2"));
    assert_int_equal(preset("chinchilla").convention, SG_COUNT_ALL_PARAMS);
    assert_int_equal(sg_law_preset_count(), 6);
    for (size_t i = 0; i < sg_law_preset_count(); i++) {
        sg_error err;
        sg_law law = test_preset_at(i);
        assert_ok(sg_law_validate(&law, &err), err);
        assert_true(strlen(law.source) > 10);
    }
}

static void unknown_law_names_are_refused_with_the_known_ones(void **state)
{
    (void)state;
    sg_law law;
    sg_error err;
    assert_input_error(sg_law_preset("chinchila", &law, &err), err,
                       "unknown law 'chinchila'");
    assert_non_null(strstr(err.message, "epoch2024"));
}

static void settings_override_constants_and_mark_the_name(void **state)
{
    (void)state;
    sg_law law = preset("chinchilla");
    sg_error err;
    assert_ok(sg_law_apply_settings(&law, "alpha=0.3,E=1.8", &err), err);
    assert_rel(law.alpha, 0.3, 0);
    assert_rel(law.E, 1.8, 0);
    assert_string_equal(law.name, "chinchilla (modified)");
    assert_ok(sg_law_apply_settings(&law, "B=1K", &err), err);
    assert_rel(law.B, 1000, 0);
    assert_string_equal(law.name, "chinchilla (modified)");
}

static void bad_settings_are_refused(void **state)
{
    (void)state;
    sg_law law = preset("chinchilla");
    sg_error err;
    assert_input_error(sg_law_apply_settings(&law, "gamma=1", &err), err,
                       "no constant 'gamma'");
    assert_input_error(sg_law_apply_settings(&law, "alpha", &err), err,
                       "not key=value");
    assert_input_error(sg_law_apply_settings(&law, "alpha=x", &err), err,
                       "not a number");
    assert_input_error(sg_law_apply_settings(&law, "", &err), err,
                       "key=value");
    sg_law k = preset("kaplan");
    assert_input_error(sg_law_apply_settings(&k, "E=1", &err), err,
                       "has no constant 'E'");
}

static void negative_or_nan_constants_fail_validation(void **state)
{
    (void)state;
    sg_law law = preset("chinchilla");
    sg_error err;
    law.alpha = -0.3;
    assert_input_error(sg_law_validate(&law, &err), err,
                       "alpha must be positive");
    law = preset("chinchilla");
    law.A = NAN;
    assert_input_error(sg_law_validate(&law, &err), err, "not a finite");
    law = preset("chinchilla");
    law.E = 0; /* a pure power law has no floor: allowed */
    assert_ok(sg_law_validate(&law, &err), err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pf_day_is_8_64e19_flops),
        cmocka_unit_test(kaplan_single_variable_laws_match_oracles),
        cmocka_unit_test(kaplan_compute_law_uses_table5_constants),
        cmocka_unit_test(chinchilla_allocation_exponents_match_oracles),
        cmocka_unit_test(chinchilla_optima_match_oracles),
        cmocka_unit_test(chinchilla_losses_of_named_models_match_oracles),
        cmocka_unit_test(rounded_and_full_constants_disagree_as_published),
        cmocka_unit_test(full_precision_constants_are_the_published_logarithms),
        cmocka_unit_test(presets_carry_constants_conventions_and_sources),
        cmocka_unit_test(unknown_law_names_are_refused_with_the_known_ones),
        cmocka_unit_test(settings_override_constants_and_mark_the_name),
        cmocka_unit_test(bad_settings_are_refused),
        cmocka_unit_test(negative_or_nan_constants_fail_validation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
