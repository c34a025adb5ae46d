/*
 * kernels/sg_math.h against the C library: exp and log within 1 ulp over
 * their whole domains, pow within the error its exp(y log x) form implies,
 * and every special value (NaN, infinities, zero, subnormals).
 */
#include "test_util.h"
#include "sg_math.h"

#include <float.h>

/* Distance in units in the last place between two finite doubles of the
 * same sign. */
static double ulps(double a, double b)
{
    if (a == b)
        return 0;
    int64_t ia, ib;
    memcpy(&ia, &a, sizeof ia);
    memcpy(&ib, &b, sizeof ib);
    return fabs((double)(ia - ib));
}

static void exp_is_within_one_ulp(void **state)
{
    (void)state;
    test_rng rng = {UINT64_C(0x243f6a8885a308d3)};
    double worst = 0;
    for (int i = 0; i < 2000000; i++) {
        /* the whole normal range, and small arguments densely */
        double x = i % 2 ? -745.0 + 1454.0 * rng_uniform(&rng)
                         : (rng_uniform(&rng) - 0.5) * 4.0;
        double want = exp(x), got = sg_exp(x);
        if (want < DBL_MIN)
            continue; /* subnormal results: checked separately */
        double u = ulps(got, want);
        if (u > worst)
            worst = u;
        if (u > 1)
            fail_msg("exp(%.17g) = %.17g, libm %.17g (%g ulp)", x, got, want,
                     u);
    }
    print_message("exp: worst %g ulp over 2e6 arguments\n", worst);
}

static void log_is_within_one_ulp(void **state)
{
    (void)state;
    test_rng rng = {UINT64_C(0x13198a2e03707344)};
    double worst = 0;
    for (int i = 0; i < 2000000; i++) {
        /* every binade, subnormals included, and values near 1 */
        double x = i % 3 ? ldexp(1.0 + rng_uniform(&rng), (int)rng_int(&rng, 0, 2097) - 1074)
                         : 1.0 + (rng_uniform(&rng) - 0.5) * 0.1;
        if (!(x > 0) || !isfinite(x))
            continue;
        double want = log(x), got = sg_log(x);
        double u = ulps(got, want);
        if (u > worst)
            worst = u;
        if (u > 1)
            fail_msg("log(%.17g) = %.17g, libm %.17g (%g ulp)", x, got, want,
                     u);
    }
    print_message("log: worst %g ulp over 2e6 arguments\n", worst);
}

/* pow(x, y) = exp(y ln x): the rounding of ln x is magnified by |y ln x|. */
static void pow_is_as_accurate_as_its_form(void **state)
{
    (void)state;
    test_rng rng = {UINT64_C(0xa4093822299f31d0)};
    double worst = 0;
    for (int i = 0; i < 1000000; i++) {
        double x = pow(10.0, -3 + 26 * rng_uniform(&rng)); /* 1e-3 .. 1e23 */
        double y = -2 + 4 * rng_uniform(&rng);
        double want = pow(x, y), got = sg_pow(x, y);
        double bound = (2.0 + 2.0 * fabs(y * log(x))) * DBL_EPSILON;
        double rel = fabs(got - want) / want;
        if (rel / bound > worst)
            worst = rel / bound;
        if (rel > bound)
            fail_msg("pow(%.17g, %.17g) = %.17g, libm %.17g (relative %g > "
                     "%g)",
                     x, y, got, want, rel, bound);
    }
    print_message("pow: worst error %.2f of its bound\n", worst);
}

static void special_values_follow_ieee(void **state)
{
    (void)state;
    assert_true(isnan(sg_exp(NAN)));
    assert_true(sg_exp(INFINITY) == INFINITY);
    assert_true(sg_exp(-INFINITY) == 0.0);
    assert_true(sg_exp(710.0) == INFINITY);
    assert_true(sg_exp(-746.0) == 0.0);
    assert_true(sg_exp(0.0) == 1.0);
    /* subnormal results, to within their coarser spacing */
    assert_rel(sg_exp(-740.0), exp(-740.0), 1e-9);
    assert_true(isnan(sg_log(NAN)));
    assert_true(isnan(sg_log(-1.0)));
    assert_true(sg_log(0.0) == -INFINITY);
    assert_true(sg_log(INFINITY) == INFINITY);
    assert_true(sg_log(1.0) == 0.0);
    assert_true(ulps(sg_log(DBL_TRUE_MIN), log(DBL_TRUE_MIN)) <= 1);
    assert_true(sg_pow(0.0, -0.5) == INFINITY);
    assert_true(sg_pow(INFINITY, -0.5) == 0.0);
    assert_true(sg_pow(4.0, 0.5) == 2.0);
    assert_true(isnan(sg_pow(NAN, 0.3)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(exp_is_within_one_ulp),
        cmocka_unit_test(log_is_within_one_ulp),
        cmocka_unit_test(pow_is_as_accurate_as_its_form),
        cmocka_unit_test(special_values_follow_ieee),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
