/*
 * The number and range syntax, axis and level validation, and JSON configs.
 */
#include "test_util.h"
#include "internal.h"

#include <cjson/cJSON.h>
#include <stdlib.h>

static double number(const char *text)
{
    double v;
    sg_error err;
    if (sg_parse_number(text, &v, &err) != SG_OK)
        fail_msg("%s: %s", text, err.message);
    return v;
}

static void numbers_take_scientific_notation_and_suffixes(void **state)
{
    (void)state;
    assert_rel(number("1e9"), 1e9, 0);
    assert_rel(number("7B"), 7e9, 0);
    assert_rel(number("1.4T"), 1.4e12, 1e-15);
    assert_rel(number("350M"), 3.5e8, 0);
    assert_rel(number("125m"), 1.25e8, 0);
    assert_rel(number("20K"), 2e4, 0);
    assert_rel(number("2.5e-3"), 2.5e-3, 0);
    assert_rel(number("-4"), -4, 0);
}

static void malformed_numbers_are_refused(void **state)
{
    (void)state;
    double v;
    sg_error err;
    static const char *const bad[] = {"", "abc", "1e9x", "7BB", "nan", "inf",
                                      "1e999", " 5", "5 ", "B", "--1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sg_status st = sg_parse_number(bad[i], &v, &err);
        if (st != SG_ERR_INPUT)
            fail_msg("'%s' was accepted as %g", bad[i], v);
    }
}

static void axes_parse_and_validate(void **state)
{
    (void)state;
    sg_axis a;
    sg_error err;
    assert_ok(sg_parse_axis("1e7:10T:16384", &a, &err), err);
    assert_rel(a.lo, 1e7, 0);
    assert_rel(a.hi, 1e13, 0);
    assert_int_equal(a.count, 16384);
    assert_ok(sg_axis_validate(&a, "params axis", &err), err);
    assert_rel(sg_axis_value(&a, 0), 1e7, 0);
    assert_rel(sg_axis_value(&a, 16383), 1e13, 0);
    assert_rel(sg_axis_value(&a, 8191), sqrt(1e7 * 1e13) * pow(1e6, -0.5 / 16383), 1e-12);

    assert_input_error(sg_parse_axis("1e7:1e13", &a, &err), err,
                       "not LO:HI:COUNT");
    assert_input_error(sg_parse_axis("1e7:1e13:0", &a, &err), err,
                       "at least 1");
    assert_input_error(sg_parse_axis("1e7:1e13:2.5", &a, &err), err,
                       "whole number");
    assert_ok(sg_parse_axis("1e13:1e7:10", &a, &err), err);
    assert_input_error(sg_axis_validate(&a, "params axis", &err), err,
                       "reversed");
    assert_ok(sg_parse_axis("-1:1e7:10", &a, &err), err);
    assert_input_error(sg_axis_validate(&a, "params axis", &err), err,
                       "positive");
    assert_ok(sg_parse_axis("7B:7B:1", &a, &err), err);
    assert_ok(sg_axis_validate(&a, "params axis", &err), err);
    assert_ok(sg_parse_axis("7B:7B:2", &a, &err), err);
    assert_input_error(sg_axis_validate(&a, "params axis", &err), err,
                       "empty");
    assert_ok(sg_parse_axis("1:1.0000000000001:1000", &a, &err), err);
    assert_input_error(sg_axis_validate(&a, "tokens axis", &err), err,
                       "double precision");
}

static void levels_parse_a_range_or_a_count(void **state)
{
    (void)state;
    sg_levels l;
    sg_error err;
    assert_ok(sg_parse_levels("1024", &l, &err), err);
    assert_int_equal(l.count, 1024);
    assert_true(l.span_grid);
    assert_ok(sg_levels_validate(&l, "loss levels", &err), err);
    assert_ok(sg_parse_levels("1.8:4:221", &l, &err), err);
    assert_false(l.span_grid);
    assert_ok(sg_levels_validate(&l, "loss levels", &err), err);
    assert_rel(sg_loss_level_value(&l, 0), 1.8, 0);
    assert_rel(sg_loss_level_value(&l, 110), 2.9, 1e-15);
    assert_rel(sg_loss_level_value(&l, 220), 4, 0);

    assert_ok(sg_parse_levels("1e18:1e24:7", &l, &err), err);
    assert_rel(sg_flops_level_value(&l, 3), 1e21, 1e-14);

    /* Levels are band edges: one alone makes no band, as text or not. */
    assert_input_error(sg_parse_levels("1", &l, &err), err, "at least 2");
    assert_input_error(sg_parse_levels("1:2:1", &l, &err), err, "at least 2");
    l.count = 1;
    assert_input_error(sg_levels_validate(&l, "loss levels", &err), err,
                       "at least 2");
    assert_ok(sg_parse_levels("4:2:10", &l, &err), err);
    assert_input_error(sg_levels_validate(&l, "loss levels", &err), err,
                       "reversed");
    assert_ok(sg_parse_levels("0:2:10", &l, &err), err);
    assert_input_error(sg_levels_validate(&l, "loss levels", &err), err,
                       "positive");
    assert_input_error(sg_parse_levels("1:2:3:4", &l, &err), err,
                       "LO:HI:COUNT");
    assert_input_error(sg_parse_levels("99999999", &l, &err), err,
                       "too large");
}

/* ------------------------------------------------------------- configs */

static sg_status parse(const char *json, sg_sweep_config *c, unsigned *set,
                       sg_error *err)
{
    char out[256];
    sg_sweep_config_default(c);
    return sg_config_parse(json, "test.json", c, set, out, sizeof out, err);
}

static void configs_set_every_field(void **state)
{
    (void)state;
    sg_sweep_config c;
    unsigned set = 0;
    sg_error err;
    char out[256];
    sg_sweep_config_default(&c);
    const char *json =
        "{\"law\": {\"preset\": \"epoch2024\", \"alpha\": 0.35},"
        " \"params\": \"1e8:1e11:100\","
        " \"tokens\": {\"lo\": \"1B\", \"hi\": 1e13, \"count\": 200},"
        " \"loss_levels\": 64, \"flops_levels\": \"1e18:1e24:7\","
        " \"backend\": \"reference\", \"strategy\": \"direct\","
        " \"threads\": 3, \"out\": \"results\"}";
    assert_ok(sg_config_parse(json, "test.json", &c, &set, out, sizeof out,
                              &err),
              err);
    assert_int_equal(set, 0x1ff);
    assert_string_equal(c.law.name, "epoch2024 (modified)");
    assert_rel(c.law.alpha, 0.35, 0);
    assert_rel(c.law.beta, 0.3658, 0);
    assert_int_equal(c.params.count, 100);
    assert_rel(c.tokens.lo, 1e9, 0);
    assert_int_equal(c.tokens.count, 200);
    assert_true(c.loss_levels.span_grid);
    assert_int_equal(c.loss_levels.count, 64);
    assert_int_equal(c.flops_levels.count, 7);
    assert_int_equal(c.backend, SG_BACKEND_REFERENCE);
    assert_int_equal(c.strategy, SG_STRATEGY_DIRECT);
    assert_int_equal(c.threads, 3);
    assert_string_equal(out, "results");
}

static void configs_define_custom_laws_with_every_constant(void **state)
{
    (void)state;
    sg_sweep_config c;
    sg_error err;
    assert_ok(parse("{\"law\": {\"form\": \"kaplan\", \"name\": \"mine\","
                    " \"Nc\": 1e14, \"Dc\": 2e13, \"aN\": 0.07, \"aD\": 0.1}}",
                    &c, NULL, &err),
              err);
    assert_int_equal(c.law.form, SG_FORM_KAPLAN);
    assert_string_equal(c.law.name, "mine");
    assert_int_equal(c.law.convention, SG_COUNT_NON_EMBEDDING);
    assert_rel(c.law.aD, 0.1, 0);
    assert_input_error(parse("{\"law\": {\"form\": \"chinchilla\", \"E\": 1,"
                             " \"A\": 1, \"B\": 1, \"alpha\": 0.3}}",
                             &c, NULL, &err),
                       err, "\"beta\" is missing");
}

static void malformed_or_impossible_configs_name_the_problem(void **state)
{
    (void)state;
    static const struct {
        const char *json;
        const char *message;
    } cases[] = {
        {"{\"law\": \"chinchilla\",}", "test.json:1:23: malformed JSON"},
        {"[1, 2]", "must be a JSON object"},
        {"{\"lwa\": \"chinchilla\"}", "unknown key \"lwa\""},
        {"{\"law\": \"gpt5\"}", "unknown law 'gpt5'"},
        {"{\"law\": {\"preset\": \"chinchilla\", \"gamma\": 1}}",
         "no constant 'gamma'"},
        {"{\"law\": {\"preset\": \"chinchilla\", \"alpha\": -1}}",
         "alpha must be positive"},
        {"{\"law\": {\"E\": 1}}", "needs \"preset\" or \"form\""},
        {"{\"law\": {\"form\": \"hoffmann\"}}", "unknown law form"},
        {"{\"params\": \"1e7:1e13\"}", "not LO:HI:COUNT"},
        {"{\"params\": {\"lo\": 1, \"hi\": 2}}", "needs lo, hi and count"},
        {"{\"tokens\": {\"lo\": 1, \"hi\": 2, \"count\": 0}}", "count"},
        {"{\"loss_levels\": {\"lo\": 2, \"count\": 10}}", "both lo and hi"},
        {"{\"loss_levels\": true}", "expected COUNT"},
        {"{\"backend\": \"gpu\"}", "unknown backend 'gpu'"},
        {"{\"strategy\": \"fast\"}", "unknown strategy 'fast'"},
        {"{\"threads\": -2}", "whole number"},
        {"{\"out\": 5}", "expected a string"},
        {"{\"law\": \"kaplan\", \"law\": \"chinchilla\"}", "appears twice"},
        {"{\"params\": {\"lo\": \"7X\", \"hi\": 2, \"count\": 3}}",
         "not a number"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sg_sweep_config c;
        sg_error err;
        sg_status st = parse(cases[i].json, &c, NULL, &err);
        if (st != SG_ERR_INPUT || !strstr(err.message, cases[i].message))
            fail_msg("%s: status %d, message '%s', expected '%s'",
                     cases[i].json, (int)st, err.message, cases[i].message);
    }
}

static void missing_config_files_are_input_errors(void **state)
{
    (void)state;
    sg_sweep_config c;
    sg_error err;
    sg_sweep_config_default(&c);
    assert_input_error(sg_config_load("/nonexistent/x.json", &c, NULL, NULL, 0,
                                      &err),
                       err, "cannot open config");
    assert_input_error(sg_config_load("/", &c, NULL, NULL, 0, &err), err,
                       "cannot read config");
}

/* sweep.json's "config" object is itself a config that reproduces the run. */
static void sweep_json_config_parses_back(void **state)
{
    (void)state;
    sg_sweep_config c, back;
    sg_sweep_result r;
    sg_error err;
    sg_sweep_config_default(&c);
    assert_ok(sg_law_preset("kaplan-joint", &c.law, &err), err);
    c.params = (sg_axis){1e8, 1e10, 33};
    c.tokens = (sg_axis){1e9, 1e11, 35};
    c.flops_levels = (sg_levels){1e18, 1e21, 8, 0};
    assert_ok(sg_sweep_run(&c, &r, &err), err);
    char *text = sg_sweep_json(&c, &r, NULL, &err);
    assert_non_null(text);
    cJSON *doc = cJSON_Parse(text);
    assert_non_null(doc);
    char *config_text =
        cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(doc, "config"));
    assert_non_null(config_text);
    assert_ok(parse(config_text, &back, NULL, &err), err);
    assert_string_equal(back.law.name, c.law.name);
    assert_rel(back.law.Dc, c.law.Dc, 0);
    assert_int_equal(back.params.count, 33);
    assert_rel(back.flops_levels.hi, 1e21, 0);
    assert_true(back.loss_levels.span_grid);
    free(config_text);
    cJSON_Delete(doc);
    free(text);
    sg_sweep_result_free(&r);
}

static void human_units_read_well(void **state)
{
    (void)state;
    static const struct {
        double value;
        const char *text;
    } counts[] = {{7e9, "7.0B"},   {1.4e12, "1.4T"}, {9.99e8, "999M"},
                  {9.9996e8, "1.0B"}, {125e6, "125M"}, {999.4, "999"},
                  {9.9999e14, "1e15"}, {2.5e16, "2.5e16"}};
    char buf[32];
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        sg_format_count(buf, sizeof buf, counts[i].value);
        assert_string_equal(buf, counts[i].text);
    }
    sg_format_sci(buf, sizeof buf, 1.2e21);
    assert_string_equal(buf, "1.2e21");
    sg_format_sci(buf, sizeof buf, 6.94e-5);
    assert_string_equal(buf, "6.94e-5");
    sg_format_sci(buf, sizeof buf, 13.9);
    assert_string_equal(buf, "13.9");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(numbers_take_scientific_notation_and_suffixes),
        cmocka_unit_test(malformed_numbers_are_refused),
        cmocka_unit_test(axes_parse_and_validate),
        cmocka_unit_test(levels_parse_a_range_or_a_count),
        cmocka_unit_test(configs_set_every_field),
        cmocka_unit_test(configs_define_custom_laws_with_every_constant),
        cmocka_unit_test(malformed_or_impossible_configs_name_the_problem),
        cmocka_unit_test(missing_config_files_are_input_errors),
        cmocka_unit_test(sweep_json_config_parses_back),
        cmocka_unit_test(human_units_read_well),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
