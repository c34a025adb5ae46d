/*
 * Helpers shared by the unit tests (cmocka). Each test file is one program;
 * tests read as sentences: frontier_matches_closed_form_within_one_step.
 */
#ifndef SG_TEST_UTIL_H
#define SG_TEST_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "scalegrid.h"

/* |actual - expected| <= rtol * |expected|, with a readable failure. */
#define assert_rel(actual, expected, rtol)                                   \
    do {                                                                     \
        double a_ = (actual), e_ = (expected), r_ = (rtol);                  \
        if (!(fabs(a_ - e_) <= r_ * fabs(e_))) {                             \
            print_error("%s = %.10g, expected %.10g (relative error %.3g > " \
                        "%.3g)\n",                                           \
                        #actual, a_, e_, fabs(a_ - e_) / fabs(e_), r_);      \
            fail();                                                          \
        }                                                                    \
    } while (0)

/* Checks that a call failed with SG_ERR_INPUT and a message containing
 * `needle`. */
#define assert_input_error(call, err, needle)                                \
    do {                                                                     \
        sg_status st_ = (call);                                              \
        if (st_ != SG_ERR_INPUT || !strstr((err).message, (needle))) {       \
            print_error("%s: status %d, message '%s', expected input error " \
                        "mentioning '%s'\n",                                 \
                        #call, (int)st_, (err).message, (needle));           \
            fail();                                                          \
        }                                                                    \
    } while (0)

#define assert_ok(call, err)                                                 \
    do {                                                                     \
        sg_status st_ = (call);                                              \
        if (st_ != SG_OK) {                                                  \
            print_error("%s failed: %s\n", #call, (err).message);           \
            fail();                                                          \
        }                                                                    \
    } while (0)

/* A small deterministic generator (xorshift64*), so failures reproduce. */
typedef struct {
    uint64_t state;
} test_rng;

static inline uint64_t rng_next(test_rng *r)
{
    r->state ^= r->state >> 12;
    r->state ^= r->state << 25;
    r->state ^= r->state >> 27;
    return r->state * UINT64_C(2685821657736338717);
}

/* Uniform in [0, 1). */
static inline double rng_uniform(test_rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* Uniform integer in [lo, hi]. */
static inline uint64_t rng_int(test_rng *r, uint64_t lo, uint64_t hi)
{
    return lo + rng_next(r) % (hi - lo + 1);
}

/* Preset i, with a unique-token budget of 1e11 for the laws that need one
 * (Muennighoff's): a usable law whatever the catalogue holds. */
static inline sg_law test_preset_at(size_t i)
{
    sg_law law = *sg_law_preset_at(i);
    if (law.form == SG_FORM_MUENNIGHOFF)
        law.unique_tokens = 1e11;
    return law;
}

/* A preset by name; fails the test if there is none. */
static inline sg_law preset(const char *name)
{
    sg_law law;
    sg_error err;
    if (sg_law_preset(name, &law, &err) != SG_OK)
        fail_msg("%s", err.message);
    return law;
}

#endif /* SG_TEST_UTIL_H */
