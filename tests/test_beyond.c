/*
 * Beyond L(N, D) and 6 N D: the data-constrained law against the values
 * the datablations README publishes, inference-aware optima, DeepSeek's
 * FLOP count, and dense sweeps of all three against the 1-D search.
 */
#include "test_util.h"

static sg_law muennighoff(double unique_tokens)
{
    sg_law law = preset("muennighoff");
    law.unique_tokens = unique_tokens;
    return law;
}

/* huggingface/datablations README, "Parametric Fit": the two models of
 * the paper's Figure 1 (right), printed to 17 digits. */
static void muennighoff_reproduces_the_readme_losses(void **state)
{
    (void)state;
    sg_law law = muennighoff(25e9);
    assert_rel(sg_law_loss(&law, 6.34e9, 242e9), 2.2256440889984477, 1e-14);
    assert_rel(sg_law_loss(&law, 8.67e9, 178e9), 2.2269634075087867, 1e-14);
}

/* The README's grid search over the compute of 8.67B params x 178B tokens
 * with 25B unique tokens: "227B tokens, 9.1 epochs, 6.8B parameters". */
static void muennighoff_optimum_matches_the_readme_allocation(void **state)
{
    (void)state;
    sg_law law = muennighoff(25e9);
    sg_optimum o;
    sg_error err;
    assert_ok(sg_optimal_for_flops(&law, 6 * 8.67e9 * 178e9, SG_METHOD_AUTO,
                                   &o, &err),
              err);
    assert_int_equal(o.method, SG_METHOD_NUMERIC);
    assert_rel(o.tokens, 227e9, 0.005);
    assert_rel(o.tokens / 25e9, 9.1, 0.005);
    assert_rel(o.params, 6.8e9, 0.005);
    /* ... and it beats the model the paper trained at that compute. */
    assert_true(o.loss < sg_law_loss(&law, 8.67e9, 178e9));
}

/* Without repetition and below D_to_N(D) parameters, N' = N and D' = D:
 * the Chinchilla form with the same constants. */
static void fresh_data_reduces_to_the_chinchilla_form(void **state)
{
    (void)state;
    sg_law law = muennighoff(1e12);
    double n = 1e9, d = 1e11; /* D < U, N < 0.051 D */
    sg_data_constrained dc = sg_law_data_constrained(&law, n, d);
    assert_rel(dc.effective_params, n, 1e-15);
    assert_rel(dc.effective_tokens, d, 1e-15);
    assert_rel(dc.epochs, 0.1, 1e-15);
    double chinchilla = law.E + law.A * pow(n, -law.alpha) +
                        law.B * pow(d, -law.beta);
    assert_rel(sg_law_loss(&law, n, d), chinchilla, 1e-14);
}

/* R_D repetitions are worth U R_D* (1 - exp(-R_D/R_D*)) fresh tokens: at
 * R_D = R_D*, a fraction 1 - 1/e of R_D* epochs. */
static void repeated_tokens_decay_with_rd_star(void **state)
{
    (void)state;
    double u = 1e10;
    sg_law law = muennighoff(u);
    double d = u * (1.0 + law.rd_star);
    sg_data_constrained dc = sg_law_data_constrained(&law, 1e8, d);
    assert_rel(dc.epochs, 1.0 + law.rd_star, 1e-15);
    assert_rel(dc.effective_tokens,
               u * (1.0 + law.rd_star * (1.0 - exp(-1.0))), 1e-14);
    /* Excess parameters alike, beyond D_to_N(U) = (U G)^(beta/alpha) G. */
    double G = pow(law.alpha * law.A / (law.beta * law.B),
                   1.0 / (law.alpha + law.beta));
    double base = pow(u * G, law.beta / law.alpha) * G;
    double n = base * (1.0 + law.rn_star);
    dc = sg_law_data_constrained(&law, n, d);
    assert_rel(dc.effective_params,
               base * (1.0 + law.rn_star * (1.0 - exp(-1.0))), 1e-13);
}

/* More data never hurts and saturates: the loss falls with D towards the
 * floor E + A/(D_to_N(U)(1+R_N*))^alpha + B/(U(1+R_D*))^beta, and a
 * target at or below that floor is refused with the reason. */
static void data_constrained_floor_refuses_unreachable_targets(void **state)
{
    (void)state;
    sg_law law = muennighoff(1e9);
    double floor_loss = sg_law_floor(&law);
    assert_true(floor_loss > law.E + 0.1);
    assert_true(sg_law_loss(&law, 1e15, 1e20) - floor_loss < 1e-6);
    double prev = INFINITY;
    for (double d = 1e8; d < 1e14; d *= 3) {
        double l = sg_law_loss(&law, 1e9, d);
        assert_true(l <= prev);
        prev = l;
    }
    sg_optimum o;
    sg_error err;
    assert_input_error(sg_optimal_for_loss(&law, floor_loss, SG_METHOD_AUTO,
                                           &o, &err),
                       err, "unreachable with 1e+09 unique tokens");
    assert_ok(sg_optimal_for_loss(&law, floor_loss + 0.01, SG_METHOD_AUTO, &o,
                                  &err),
              err);
}

static void unique_tokens_belong_to_the_data_constrained_law(void **state)
{
    (void)state;
    sg_error err;
    sg_law law = muennighoff(0);
    assert_input_error(sg_law_validate(&law, &err), err, "--unique-tokens");
    sg_law c = preset("chinchilla");
    assert_input_error(sg_law_set_unique_tokens(&c, 1e9, &err), err,
                       "muennighoff law only");
    assert_input_error(sg_law_set_unique_tokens(&law, -1, &err), err,
                       "positive");
    sg_optimum o;
    assert_input_error(sg_optimal_for_flops(&law, 1e21, SG_METHOD_CLOSED_FORM,
                                            &o, &err),
                       err, "--unique-tokens");
    law.unique_tokens = 1e10;
    assert_input_error(sg_optimal_for_flops(&law, 1e21, SG_METHOD_CLOSED_FORM,
                                            &o, &err),
                       err, "no closed form");
}

/* ---------------------------------------------------------- inference */

static sg_flop_count inference(double tokens)
{
    sg_flop_count f = {SG_FLOPS_6N, 0, 0, tokens};
    return f;
}

/* Sardana et al. 2024: serving T tokens costs 2 N T on top of 6 N D; the
 * least total cost for a loss trains a smaller model on more tokens than
 * the Chinchilla-optimal point, and saves FLOPs against it. */
static void inference_favours_smaller_longer_trained_models(void **state)
{
    (void)state;
    sg_law law = preset("chinchilla");
    double target = 2.1, t = 2e12;
    sg_flop_count f = inference(t);
    sg_optimum base, best;
    sg_error err;
    assert_ok(sg_optimal_for_loss(&law, target, SG_METHOD_AUTO, &base, &err),
              err);
    assert_ok(sg_optimal_for_loss_counted(&law, &f, target, SG_METHOD_AUTO,
                                          &best, &err),
              err);
    assert_rel(best.loss, target, 1e-12);
    assert_true(best.params < base.params);
    assert_true(best.tokens > base.tokens);
    assert_rel(best.inference_flops, 2.0 * best.params * t, 1e-14);
    assert_rel(best.total_flops, best.flops + best.inference_flops, 1e-14);
    double base_total = base.flops + 2.0 * base.params * t;
    assert_true(best.total_flops < base_total);
    /* A minimum: moving along the contour either way costs more. */
    for (double step = -0.01; step <= 0.011; step += 0.02) {
        double n = best.params * exp(step);
        double d_term = target - law.E - law.A * pow(n, -law.alpha);
        double d = pow(law.B / d_term, 1.0 / law.beta);
        assert_true(6 * n * d + 2 * n * t > best.total_flops);
    }
}

/* With next to no inference the search lands on the closed form. */
static void negligible_inference_recovers_the_closed_form(void **state)
{
    (void)state;
    sg_flop_count f = inference(1.0);
    for (size_t i = 0; i < sg_law_preset_count(); i++) {
        sg_law law = *sg_law_preset_at(i);
        if (law.form == SG_FORM_MUENNIGHOFF)
            continue;
        sg_optimum closed, searched;
        sg_error err;
        assert_ok(sg_optimal_for_flops(&law, 1e22, SG_METHOD_AUTO, &closed,
                                       &err),
                  err);
        assert_ok(sg_optimal_for_flops_counted(&law, &f, 1e22, SG_METHOD_AUTO,
                                               &searched, &err),
                  err);
        assert_int_equal(searched.method, SG_METHOD_NUMERIC);
        assert_rel(searched.params, closed.params, 1e-6);
        assert_rel(searched.loss, closed.loss, 1e-12);
        assert_ok(sg_optimal_for_loss_counted(&law, &f, closed.loss,
                                              SG_METHOD_AUTO, &searched, &err),
                  err);
        assert_rel(searched.params, closed.params, 1e-6);
        assert_rel(searched.total_flops, 1e22, 1e-10);
    }
}

/* ----------------------------------------------------------- DeepSeek */

/* M = 72 n_layer d^2 + 12 n_layer d l_seq; with N = 12 n_layer d^2 the
 * aspect-ratio form gives the same M for the same shape. */
static void deepseek_flops_per_token_follow_the_shape(void **state)
{
    (void)state;
    double layers = 32, d = 4096, seq = 4096;
    double m = sg_deepseek_flops_per_token(layers, d, seq);
    assert_rel(m, 72.0 * 32 * 4096 * 4096 + 12.0 * 32 * 4096 * 4096, 0);
    sg_flop_count f = {SG_FLOPS_DEEPSEEK, seq, d / layers, 0};
    double n = 12 * layers * d * d;
    assert_rel(sg_flops_per_token(&f, n), m, 1e-14);
    /* 6N plus attention's share l_seq / d of N. */
    assert_rel(sg_flops_per_token(&f, n), n * (6.0 + seq / d), 1e-14);
    sg_cost c = sg_cost_at(&f, n, 1e12);
    assert_rel(c.training, m * 1e12, 1e-14);
    assert_true(c.inference == 0 && c.total == c.training);
    sg_flop_count plain = {SG_FLOPS_6N, 0, 0, 0};
    assert_true(sg_flops_per_token(&plain, n) == 6.0 * n);
}

static void deepseek_count_needs_its_shape(void **state)
{
    (void)state;
    sg_error err;
    sg_flop_count f = {SG_FLOPS_DEEPSEEK, 0, 128, 0};
    assert_input_error(sg_flop_count_validate(&f, &err), err, "--seq-len");
    f = (sg_flop_count){SG_FLOPS_DEEPSEEK, 4096, 0, 0};
    assert_input_error(sg_flop_count_validate(&f, &err), err,
                       "--aspect-ratio");
    f = (sg_flop_count){SG_FLOPS_6N, 4096, 0, 0};
    assert_input_error(sg_flop_count_validate(&f, &err), err, "deepseek");
    f = (sg_flop_count){SG_FLOPS_6N, 0, 0, -1};
    assert_input_error(sg_flop_count_validate(&f, &err), err,
                       "inference tokens");
    sg_flops_convention conv;
    assert_input_error(sg_flops_convention_from_name("7N", &conv, &err), err,
                       "known: 6N, deepseek");
}

/* Counting attention makes tokens dearer relative to parameters for small
 * models (M / 6N = 1 + l_seq / 6d): the optimum shifts to larger N. */
static void deepseek_count_shifts_the_optimum(void **state)
{
    (void)state;
    sg_law law = preset("chinchilla");
    sg_flop_count f = {SG_FLOPS_DEEPSEEK, 4096, 128, 0};
    sg_optimum plain, counted;
    sg_error err;
    assert_ok(sg_optimal_for_flops(&law, 1e21, SG_METHOD_AUTO, &plain, &err),
              err);
    assert_ok(sg_optimal_for_flops_counted(&law, &f, 1e21, SG_METHOD_AUTO,
                                           &counted, &err),
              err);
    assert_rel(counted.flops, 1e21, 1e-12);
    assert_rel(counted.flops,
               sg_flops_per_token(&f, counted.params) * counted.tokens, 1e-12);
    assert_true(counted.loss > plain.loss); /* less for the same FLOPs */
}

/* ------------------------------------------- dense sweeps vs the search */

static double ln_step(const sg_axis *a)
{
    return log(a->hi / a->lo) / (double)(a->count - 1);
}

/* Whether a point lies inside the grid, one step from its edges. */
static int inside(const sg_sweep_config *c, double n, double d)
{
    double hn = ln_step(&c->params), hd = ln_step(&c->tokens);
    return log(n) > log(c->params.lo) + hn && log(n) < log(c->params.hi) - hn &&
           log(d) > log(c->tokens.lo) + hd && log(d) < log(c->tokens.hi) - hd;
}

/*
 * Iso-loss, for any law and cost: every selected point reaches its level,
 * so it costs at least the search's least cost for the level; and at most
 * one grid step more, since the grid point one step up in N and in D from
 * the optimum also reaches the level, and the cost m(N) (D + T/3) grows by
 * at most the step's factor in each (m(N) / N never increases).
 */
static void check_iso_loss_against_search(const sg_sweep_config *c,
                                          const sg_sweep_result *r)
{
    double one_step = expm1(ln_step(&c->params) + ln_step(&c->tokens));
    uint32_t checked = 0;
    for (uint32_t k = 0; k < r->loss_levels.count; k++) {
        const sg_frontier_row *row = &r->iso_loss[k];
        sg_optimum o;
        if (sg_optimal_for_loss_counted(&c->law, &c->flop_count, row->level,
                                        SG_METHOD_AUTO, &o, NULL) != SG_OK ||
            !inside(c, o.params, o.tokens))
            continue;
        assert_false(row->empty);
        double gap = row->total_flops / o.total_flops - 1.0;
        if (!(gap >= -1e-9 && gap <= one_step))
            fail_msg("%s level %g: cost %g vs search %g (gap %g, one step %g)",
                     c->law.name, row->level, row->total_flops, o.total_flops,
                     gap, one_step);
        checked++;
    }
    assert_true(checked > r->loss_levels.count / 4);
}

/*
 * Iso-FLOP under 6 N D on a grid with equal steps in ln N and ln D: the
 * points of one anti-diagonal share their compute exactly, so the band's
 * least-loss point is the best of its own iso-FLOP line, within one step
 * (in N and in D) of the search's optimum for that compute.
 */
static void check_iso_flops_against_search(const sg_sweep_config *c,
                                           const sg_sweep_result *r)
{
    double h = ln_step(&c->params);
    uint32_t checked = 0;
    for (uint32_t k = 0; k < r->flops_levels.count; k++) {
        const sg_frontier_row *row = &r->iso_flops[k];
        if (row->empty)
            continue;
        sg_optimum o;
        sg_error err;
        assert_ok(sg_optimal_for_flops(&c->law, row->flops, SG_METHOD_AUTO, &o,
                                       &err),
                  err);
        if (!inside(c, o.params, o.tokens))
            continue;
        double dn = fabs(log(row->params / o.params));
        double dd = fabs(log(row->tokens / o.tokens));
        if (!(dn <= h * (1 + 1e-6) && dd <= h * (1 + 1e-6)))
            fail_msg("%s budget %g: N %g vs %g, D %g vs %g: %.3g and %.3g "
                     "steps away",
                     c->law.name, row->level, row->params, o.params,
                     row->tokens, o.tokens, dn / h, dd / h);
        assert_true(row->loss >= o.loss - 1e-12);
        checked++;
    }
    assert_true(checked > r->flops_levels.count / 4);
}

static sg_sweep_result sweep(const sg_sweep_config *c)
{
    sg_sweep_result r;
    sg_error err;
    assert_ok(sg_sweep_run(c, &r, &err), err);
    return r;
}

/* Equal steps: 4 decades of N and of D over 1201 points each. */
static sg_sweep_config equal_step_config(void)
{
    sg_sweep_config c;
    sg_sweep_config_default(&c);
    c.params = (sg_axis){1e7, 1e11, 1201};
    c.tokens = (sg_axis){1e8, 1e12, 1201};
    c.loss_levels.count = 100;
    c.flops_levels.count = 60;
    return c;
}

static void muennighoff_direct_sweep_agrees_with_the_search(void **state)
{
    (void)state;
    sg_sweep_config c = equal_step_config();
    c.law = muennighoff(2e10); /* 1e8 .. 1e12 tokens: 0.005 to 50 epochs */
    c.strategy = SG_STRATEGY_DIRECT;
    sg_sweep_result r = sweep(&c);
    assert_int_equal(r.strategy, SG_STRATEGY_DIRECT);
    check_iso_loss_against_search(&c, &r);
    check_iso_flops_against_search(&c, &r);
    sg_sweep_result_free(&r);
}

static void inference_and_deepseek_sweeps_agree_with_the_search(void **state)
{
    (void)state;
    sg_sweep_config c = equal_step_config();
    c.flop_count = inference(1e11);
    sg_sweep_result r = sweep(&c);
    check_iso_loss_against_search(&c, &r);
    sg_sweep_result_free(&r);
    c.flop_count = (sg_flop_count){SG_FLOPS_DEEPSEEK, 4096, 128, 0};
    r = sweep(&c);
    check_iso_loss_against_search(&c, &r);
    sg_sweep_result_free(&r);
}

/* The exact strategy assumes 6 N D; the factored and exact strategies
 * assume a law that separates. */
static void strategies_refuse_what_they_cannot_do(void **state)
{
    (void)state;
    sg_sweep_config c;
    sg_sweep_config_default(&c);
    sg_error err;
    c.strategy = SG_STRATEGY_EXACT;
    c.flop_count = inference(1e12);
    assert_input_error(sg_sweep_config_validate(&c, &err), err, "6 N D");
    c.flop_count = inference(0);
    c.law = muennighoff(1e10);
    c.strategy = SG_STRATEGY_FACTORED;
    assert_input_error(sg_sweep_config_validate(&c, &err), err,
                       "use strategy direct");
    c.law.unique_tokens = 0;
    c.strategy = SG_STRATEGY_AUTO;
    assert_input_error(sg_sweep_config_validate(&c, &err), err,
                       "--unique-tokens");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(muennighoff_reproduces_the_readme_losses),
        cmocka_unit_test(muennighoff_optimum_matches_the_readme_allocation),
        cmocka_unit_test(fresh_data_reduces_to_the_chinchilla_form),
        cmocka_unit_test(repeated_tokens_decay_with_rd_star),
        cmocka_unit_test(data_constrained_floor_refuses_unreachable_targets),
        cmocka_unit_test(unique_tokens_belong_to_the_data_constrained_law),
        cmocka_unit_test(inference_favours_smaller_longer_trained_models),
        cmocka_unit_test(negligible_inference_recovers_the_closed_form),
        cmocka_unit_test(deepseek_flops_per_token_follow_the_shape),
        cmocka_unit_test(deepseek_count_needs_its_shape),
        cmocka_unit_test(deepseek_count_shifts_the_optimum),
        cmocka_unit_test(muennighoff_direct_sweep_agrees_with_the_search),
        cmocka_unit_test(inference_and_deepseek_sweeps_agree_with_the_search),
        cmocka_unit_test(strategies_refuse_what_they_cannot_do),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
