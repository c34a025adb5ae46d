/*
 * Kaplan et al. 2020, batch size and training steps (laws.md):
 *
 *  (1.4) Bcrit(L) = B* / L^(1/aB), B* = 2.1e8 tokens, aB = 0.21 (Table 5):
 *        the batch size (tokens per step) that best trades time for compute.
 *  (5.4) Smin = S / (1 + Bcrit/B): the steps the same loss needs at B >> Bcrit.
 *  (5.5) Cmin = C / (1 + B/Bcrit): the compute it needs at B << Bcrit.
 *        At B = Bcrit both are halved: S = 2 Smin and C = 2 Cmin.
 *  (1.6) L(N, Smin) = (Nc/N)^aN + (Sc/Smin)^aS with Table 3's fit (aN 0.077,
 *        aS 0.76, Nc 6.5e13, Sc 2.1e3), whatever the law's own constants.
 *  Table 6, Cmin in PF-days: N = 1.3e9 Cmin^0.73, B = 2.0e6 Cmin^0.24,
 *        Smin = 5.4e3 Cmin^0.03, D = 2e10 Cmin^0.27.
 *
 * How the pieces fit (all derived here, reported by the allocation):
 *  - Table 6's B is the critical batch at the loss (1.3) predicts for Cmin:
 *    Bcrit(L(Cmin)) = 2.1e8 (3.1e8)^(-0.05/0.21) Cmin^0.238 ~ 2.0e6 Cmin^0.24.
 *  - N and D grow as Cmin^0.73 and Cmin^0.27, so 6 N D / Cmin is the same at
 *    every budget: 6 x 1.3e9 x 2e10 / 8.64e19 = 1.806. Training at B ~ Bcrit
 *    spends about twice Cmin, as (5.5) says; the allocation reports 6 N D
 *    beside Cmin instead of hiding the factor.
 */
#include "internal.h"

#include <math.h>

/* Table 5: the critical batch. */
#define KAPLAN_B_STAR_TOKENS 2.1e8
#define KAPLAN_ALPHA_B 0.21
/* Table 3: the L(N, S) fit. */
#define KAPLAN_STEPS_ALPHA_N 0.077
#define KAPLAN_STEPS_ALPHA_S 0.76
#define KAPLAN_STEPS_N_C 6.5e13
#define KAPLAN_STEPS_S_C 2.1e3
/* Table 6: coefficient and exponent of Cmin (PF-days) for each quantity. */
#define TABLE6_PARAMS 1.3e9
#define TABLE6_PARAMS_EXP 0.73
#define TABLE6_BATCH 2.0e6
#define TABLE6_BATCH_EXP 0.24
#define TABLE6_MIN_STEPS 5.4e3
#define TABLE6_MIN_STEPS_EXP 0.03
#define TABLE6_TOKENS 2e10
#define TABLE6_TOKENS_EXP 0.27

double sg_kaplan_critical_batch(double loss)
{
    return KAPLAN_B_STAR_TOKENS / pow(loss, 1.0 / KAPLAN_ALPHA_B);
}

double sg_kaplan_min_steps(double steps, double batch, double critical_batch)
{
    return steps / (1.0 + critical_batch / batch);
}

double sg_kaplan_min_compute(double flops, double batch, double critical_batch)
{
    return flops / (1.0 + batch / critical_batch);
}

double sg_kaplan_loss_params_steps(double params, double min_steps)
{
    return pow(KAPLAN_STEPS_N_C / params, KAPLAN_STEPS_ALPHA_N) +
           pow(KAPLAN_STEPS_S_C / min_steps, KAPLAN_STEPS_ALPHA_S);
}

static int positive_finite(double x)
{
    return isfinite(x) && x > 0;
}

static sg_status check_input(const char *what, double value, sg_error *err)
{
    if (!positive_finite(value))
        return sg_fail(err, SG_ERR_INPUT,
                       "%s must be a positive, finite number (got %g)", what,
                       value);
    return SG_OK;
}

/* Every derived value must be a positive, finite double: inputs near the
 * ends of double range can overflow or underflow on the way. */
static sg_status check_results(const char *what, const double *values,
                               size_t count, sg_error *err)
{
    for (size_t i = 0; i < count; i++)
        if (!positive_finite(values[i]))
            return sg_fail(err, SG_ERR_INPUT,
                           "%s lies outside double range (a derived value "
                           "is %g)",
                           what, values[i]);
    return SG_OK;
}

sg_status sg_kaplan_allocation_for_flops(double min_flops,
                                         sg_kaplan_allocation *out,
                                         sg_error *err)
{
    SG_TRY(check_input("the minimum compute Cmin (FLOPs)", min_flops, err));
    sg_kaplan_allocation a;
    a.min_flops = min_flops;
    a.min_pf_days = min_flops / SG_FLOPS_PER_PF_DAY;
    double c = a.min_pf_days;
    a.params = TABLE6_PARAMS * pow(c, TABLE6_PARAMS_EXP);
    a.batch = TABLE6_BATCH * pow(c, TABLE6_BATCH_EXP);
    a.min_steps = TABLE6_MIN_STEPS * pow(c, TABLE6_MIN_STEPS_EXP);
    a.tokens = TABLE6_TOKENS * pow(c, TABLE6_TOKENS_EXP);
    a.loss = sg_kaplan_loss_compute(c);
    a.critical_batch = sg_kaplan_critical_batch(a.loss);
    a.steps = a.tokens / a.batch;
    a.flops = sg_flops(a.params, a.tokens);
    a.implied_min_steps =
        sg_kaplan_min_steps(a.steps, a.batch, a.critical_batch);
    a.implied_min_flops =
        sg_kaplan_min_compute(a.flops, a.batch, a.critical_batch);
    a.loss_params_steps = sg_kaplan_loss_params_steps(a.params, a.min_steps);
    const double all[] = {a.min_pf_days,       a.params,
                          a.batch,             a.min_steps,
                          a.tokens,            a.loss,
                          a.critical_batch,    a.steps,
                          a.flops,             a.implied_min_steps,
                          a.implied_min_flops, a.loss_params_steps};
    SG_TRY(check_results("Table 6's allocation for this Cmin", all,
                         sizeof all / sizeof all[0], err));
    *out = a;
    return SG_OK;
}

sg_status sg_kaplan_steps_at_batch(const sg_law *law, double params,
                                   double tokens, double batch,
                                   sg_kaplan_steps *out, sg_error *err)
{
    if (law->form != SG_FORM_KAPLAN)
        return sg_fail(err, SG_ERR_INPUT,
                       "the critical batch (Kaplan eq. 1.4) needs a law of the "
                       "Kaplan form; '%s' is of the %s form",
                       law->name, sg_form_name(law->form));
    SG_TRY(check_input("params N", params, err));
    SG_TRY(check_input("tokens D", tokens, err));
    SG_TRY(check_input("batch B (tokens per step)", batch, err));
    sg_kaplan_steps s;
    s.params = params;
    s.tokens = tokens;
    s.batch = batch;
    s.loss = sg_law_loss(law, params, tokens);
    s.critical_batch = sg_kaplan_critical_batch(s.loss);
    s.steps = tokens / batch;
    s.min_steps = sg_kaplan_min_steps(s.steps, batch, s.critical_batch);
    s.flops = sg_flops(params, tokens);
    s.min_flops = sg_kaplan_min_compute(s.flops, batch, s.critical_batch);
    s.loss_params_steps = sg_kaplan_loss_params_steps(params, s.min_steps);
    const double all[] = {s.loss,      s.critical_batch, s.steps,
                          s.min_steps, s.flops,          s.min_flops,
                          s.loss_params_steps};
    SG_TRY(check_results("this (N, D, B)", all, sizeof all / sizeof all[0],
                         err));
    *out = s;
    return SG_OK;
}
