/*
 * What the f32 direct kernel's building blocks cost on this core (part of
 * make bench): the throughput of the vector operations its powers are made
 * of, and glibc's own 8-lane powf, expf and logf (libmvec) for comparison.
 *
 * Why: `direct` evaluates two powers per point, and how many multiply-add
 * slots each 8 points take sets a floor on its speed. A table lookup by
 * lane permutation (vpermps) looks like one instruction but, on some
 * cores, occupies a multiply-add pipe for two cycles, and dependent
 * multiply-adds may or may not keep the pipes busy; this measures such
 * costs instead of assuming them. Every figure is in core cycles (the clock
 * measured as scalegrid bench measures it), throughput of independent
 * operations, the median of several passes.
 *
 *   simd_costs [--passes P]
 */
#include "bench.h"
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>

/* Iterations of each timed loop: 0.03 to 0.05 s each at 3 GHz. */
#define LOOP_ITERATIONS 20000000L
#define PASSES_DEFAULT 5
#define PASSES_MAX 15
/* Floats each libmvec call loop covers (in L1), and how many times. */
#define MATH_FLOATS 1024
#define MATH_ROUNDS 20000L

/* glibc's libmvec, AVX2 variants (the x86-64 vector function ABI names
 * GCC calls for powf, expf and logf under -ffast-math). */
__m256 _ZGVdN8vv_powf(__m256 x, __m256 y);
__m256 _ZGVdN8v_expf(__m256 x);
__m256 _ZGVdN8v_logf(__m256 x);

/* An operand the compiler must treat as new every iteration, and a result
 * it must compute (empty asm: no instruction). */
#define FRESH(v) __asm__ volatile("" : "+x"(v))
#define USE(v) __asm__ volatile("" ::"x"(v))

#define AS_INT(v) _mm256_castps_si256(v)
/* Eight multiply-adds, eight additions, four lookups of each kind: every
 * operation on a different pair of operands, so none is computed twice. */
#define FMAS_8                                                               \
    USE(_mm256_fmadd_ps(x0, x1, x2)); USE(_mm256_fmadd_ps(x0, x2, x3));      \
    USE(_mm256_fmadd_ps(x0, x3, x1)); USE(_mm256_fmadd_ps(x1, x2, x3));      \
    USE(_mm256_fmadd_ps(x1, x3, x0)); USE(_mm256_fmadd_ps(x2, x3, x0));      \
    USE(_mm256_fmadd_ps(x2, x0, x1)); USE(_mm256_fmadd_ps(x3, x1, x2));
#define ADDS_8                                                               \
    USE(_mm256_add_ps(x0, x1)); USE(_mm256_add_ps(x0, x2));                  \
    USE(_mm256_add_ps(x0, x3)); USE(_mm256_add_ps(x1, x2));                  \
    USE(_mm256_add_ps(x1, x3)); USE(_mm256_add_ps(x2, x3));                  \
    USE(_mm256_sub_ps(x0, x1)); USE(_mm256_sub_ps(x2, x3));
#define VPERMPS_4                                                            \
    USE(_mm256_permutevar8x32_ps(x0, AS_INT(x1)));                           \
    USE(_mm256_permutevar8x32_ps(x1, AS_INT(x2)));                           \
    USE(_mm256_permutevar8x32_ps(x2, AS_INT(x3)));                           \
    USE(_mm256_permutevar8x32_ps(x3, AS_INT(x0)));
#define VPERMILPS_4                                                          \
    USE(_mm256_permutevar_ps(x0, AS_INT(x1)));                               \
    USE(_mm256_permutevar_ps(x1, AS_INT(x2)));                               \
    USE(_mm256_permutevar_ps(x2, AS_INT(x3)));                               \
    USE(_mm256_permutevar_ps(x3, AS_INT(x0)));
#define PSHUFB_4                                                             \
    USE(_mm256_shuffle_epi8(AS_INT(x0), AS_INT(x1)));                        \
    USE(_mm256_shuffle_epi8(AS_INT(x1), AS_INT(x2)));                        \
    USE(_mm256_shuffle_epi8(AS_INT(x2), AS_INT(x3)));                        \
    USE(_mm256_shuffle_epi8(AS_INT(x3), AS_INT(x0)));

/* A degree-5 Horner polynomial in x: five multiply-adds, each waiting for
 * the one before (4 cycles each on Zen 3). Two of these per iteration are
 * the same 10 multiply-adds as FMAS_8 plus two, but in two dependent
 * chains: whether the core overlaps enough iterations to keep its pipes
 * busy is what this measures (the f32 powers are such chains). */
#define HORNER_5(x, a, b)                                                    \
    {                                                                        \
        __m256 p = _mm256_fmadd_ps(a, x, b);                                 \
        p = _mm256_fmadd_ps(p, x, a);                                        \
        p = _mm256_fmadd_ps(p, x, b);                                        \
        p = _mm256_fmadd_ps(p, x, a);                                        \
        USE(_mm256_fmadd_ps(p, x, b));                                       \
    }
#define HORNER_5_TWICE HORNER_5(x0, x1, x2) HORNER_5(x3, x2, x1)

/* One chain of 10 or 20 dependent multiply-adds per iteration, each
 * iteration's independent of the one before: the pipes could finish one
 * iteration every 5 or 10 cycles if the core held enough waiting
 * operations to overlap the 40 or 80 cycles of each chain. Where it runs
 * slower, how long a loop's chains are, not how many operations it has,
 * sets its speed (why f32 direct works in short passes). */
#define CHAIN_STEP(p, x, a) p = _mm256_fmadd_ps(p, x, a);
#define CHAIN_10(x, a, b)                                                    \
    CHAIN_STEP(p, x, a) CHAIN_STEP(p, x, b) CHAIN_STEP(p, x, a)              \
    CHAIN_STEP(p, x, b) CHAIN_STEP(p, x, a) CHAIN_STEP(p, x, b)              \
    CHAIN_STEP(p, x, a) CHAIN_STEP(p, x, b) CHAIN_STEP(p, x, a)              \
    CHAIN_STEP(p, x, b)
#define ONE_CHAIN_10                                                         \
    {                                                                        \
        __m256 p = x3;                                                       \
        CHAIN_10(x0, x1, x2)                                                 \
        USE(p);                                                              \
    }
#define ONE_CHAIN_20                                                         \
    {                                                                        \
        __m256 p = x3;                                                       \
        CHAIN_10(x0, x1, x2) CHAIN_10(x0, x2, x1)                            \
        USE(p);                                                              \
    }

/* A timed loop doing `body` per iteration: cycles per iteration. */
#define TIMED_LOOP(name, body)                                               \
    static double name(double clock_hz)                                      \
    {                                                                        \
        __m256 x0 = _mm256_set1_ps(1.0f), x1 = _mm256_set1_ps(2.0f),         \
               x2 = _mm256_set1_ps(3.0f), x3 = _mm256_set1_ps(4.0f);         \
        double start = sg_now_seconds();                                     \
        for (long i = 0; i < LOOP_ITERATIONS; i++) {                         \
            FRESH(x0); FRESH(x1); FRESH(x2); FRESH(x3);                      \
            body                                                             \
        }                                                                    \
        double seconds = sg_now_seconds() - start;                           \
        return seconds * clock_hz / (double)LOOP_ITERATIONS;                 \
    }

TIMED_LOOP(fmas, FMAS_8)
TIMED_LOOP(adds, ADDS_8)
TIMED_LOOP(fmas_adds, FMAS_8 ADDS_8)
TIMED_LOOP(vpermps, VPERMPS_4)
TIMED_LOOP(fmas_vpermps, FMAS_8 VPERMPS_4)
TIMED_LOOP(adds_vpermps, ADDS_8 VPERMPS_4)
TIMED_LOOP(vpermilps, VPERMILPS_4)
TIMED_LOOP(fmas_vpermilps, FMAS_8 VPERMILPS_4)
TIMED_LOOP(pshufb, PSHUFB_4)
TIMED_LOOP(fmas_pshufb, FMAS_8 PSHUFB_4)
TIMED_LOOP(horner_chains, HORNER_5_TWICE)
TIMED_LOOP(chain_10, ONE_CHAIN_10)
TIMED_LOOP(chain_20, ONE_CHAIN_20)

/*
 * The vector operations f32 direct's fill does per 8 points (two powers,
 * the row term's + E, the loss and its band floor: kernels/sweep_openmp.c's
 * two passes, less their loads and stores and the scale table's
 * broadcast read), every one on operands of its own, so none waits for
 * another: what the fill would take if its dependency chains cost
 * nothing, to set beside what it takes (README, "Where the time goes").
 * Written out by hand from power_plus_8, power_scale_8 (its common path,
 * the 8 lanes sharing k) and losses_and_floors_avx2: a change to their
 * operations belongs here too.
 */
static double direct_fill_ops(double clock_hz)
{
    __m256 v0 = _mm256_set1_ps(1.0f), v1 = _mm256_set1_ps(2.0f),
           v2 = _mm256_set1_ps(3.0f), v3 = _mm256_set1_ps(4.0f),
           v4 = _mm256_set1_ps(5.0f), v5 = _mm256_set1_ps(6.0f),
           v6 = _mm256_set1_ps(7.0f), v7 = _mm256_set1_ps(8.0f);
    int lanes = 0;
    double start = sg_now_seconds();
    for (long i = 0; i < LOOP_ITERATIONS; i++) {
        FRESH(v0); FRESH(v1); FRESH(v2); FRESH(v3);
        FRESH(v4); FRESH(v5); FRESH(v6); FRESH(v7);
        /* the row term's power (power_plus_8 with + E) */
        USE(_mm256_srli_epi32(AS_INT(v0), 21));
        USE(_mm256_and_si256(AS_INT(v0), AS_INT(v1)));
        USE(_mm256_and_si256(AS_INT(v0), AS_INT(v2)));
        USE(_mm256_or_si256(AS_INT(v0), AS_INT(v3)));
        USE(_mm256_permutevar_ps(v0, AS_INT(v4)));
        USE(_mm256_fmsub_ps(v0, v1, v2));
        USE(_mm256_broadcastd_epi32(_mm256_castsi256_si128(AS_INT(v0))));
        USE(_mm256_cmpeq_epi32(AS_INT(v0), AS_INT(v5)));
        lanes += _mm256_movemask_ps(v0);
        lanes += _mm_cvtsi128_si32(_mm256_castsi256_si128(AS_INT(v1)));
        USE(_mm256_fmadd_ps(v0, v1, v3));
        USE(_mm256_fmadd_ps(v0, v1, v4));
        USE(_mm256_fmadd_ps(v0, v1, v5));
        USE(_mm256_fmadd_ps(v0, v1, v6));
        USE(_mm256_mul_ps(v0, v7));
        USE(_mm256_add_ps(v1, v2));
        USE(_mm256_fmadd_ps(v0, v2, v3));
        /* the column term's power (power_plus_8 without the add) */
        USE(_mm256_srli_epi32(AS_INT(v1), 21));
        USE(_mm256_and_si256(AS_INT(v1), AS_INT(v2)));
        USE(_mm256_and_si256(AS_INT(v1), AS_INT(v3)));
        USE(_mm256_or_si256(AS_INT(v1), AS_INT(v4)));
        USE(_mm256_permutevar_ps(v1, AS_INT(v5)));
        USE(_mm256_fmsub_ps(v0, v2, v4));
        USE(_mm256_broadcastd_epi32(_mm256_castsi256_si128(AS_INT(v2))));
        USE(_mm256_cmpeq_epi32(AS_INT(v1), AS_INT(v6)));
        lanes += _mm256_movemask_ps(v1);
        lanes += _mm_cvtsi128_si32(_mm256_castsi256_si128(AS_INT(v3)));
        USE(_mm256_fmadd_ps(v0, v2, v5));
        USE(_mm256_fmadd_ps(v0, v2, v6));
        USE(_mm256_fmadd_ps(v0, v2, v7));
        USE(_mm256_fmadd_ps(v0, v3, v4));
        USE(_mm256_mul_ps(v1, v7));
        USE(_mm256_fmadd_ps(v0, v3, v5));
        /* the loss, its band coordinate and floor */
        USE(_mm256_add_ps(v2, v4));
        USE(_mm256_sub_ps(v2, v6));
        USE(_mm256_mul_ps(v2, v7));
        USE(_mm256_mul_ps(v3, v4));
        USE(_mm256_sub_ps(v3, v5));
        USE(_mm256_floor_ps(v2));
    }
    double seconds = sg_now_seconds() - start;
    __asm__ volatile("" : : "r"(lanes)); /* keep the moves to integers */
    return seconds * clock_hz / (double)LOOP_ITERATIONS;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, by_value);
    return v[n / 2];
}

/* Each lookup alone, then beside 8 multiply-adds and beside 8 additions,
 * to see which pipes it shares; then multiply-adds in dependent chains. */
static const struct {
    const char *what;
    double (*cycles)(double clock_hz);
} op_cases[] = {
    {"8 vfmadd (multiply-add)", fmas},
    {"8 vaddps/vsubps", adds},
    {"8 vfmadd + 8 vaddps/vsubps (4.0 if the four pipes overlap)", fmas_adds},
    {"4 vpermps (8-entry table lookup)", vpermps},
    {"8 vfmadd + 4 vpermps", fmas_vpermps},
    {"8 vaddps + 4 vpermps", adds_vpermps},
    {"4 vpermilps (4-entry, in-lane)", vpermilps},
    {"8 vfmadd + 4 vpermilps", fmas_vpermilps},
    {"4 vpshufb (16-byte, in-lane)", pshufb},
    {"8 vfmadd + 4 vpshufb", fmas_pshufb},
    {"2 chains of 5 dependent vfmadd (Horner; 5.0 if the pipes limit)",
     horner_chains},
    {"1 chain of 10 dependent vfmadd (5.0 if the pipes limit)", chain_10},
    {"1 chain of 20 dependent vfmadd (10.0 if the pipes limit)", chain_20},
    {"f32 direct's 39 operations per 8 points, all independent (its fill "
     "if chains cost nothing)",
     direct_fill_ops},
};
#define OP_CASES (sizeof op_cases / sizeof op_cases[0])

static float math_in[MATH_FLOATS] __attribute__((aligned(32)));
static float math_out[MATH_FLOATS] __attribute__((aligned(32)));

typedef enum { POWF, EXPF, LOGF } math_kind;

/* Cycles per 8 values of one libmvec function over MATH_FLOATS floats. */
static double math_cycles(math_kind kind, double clock_hz)
{
    const __m256 minus_alpha = _mm256_set1_ps(-0.34f);
    double start = sg_now_seconds();
    for (long r = 0; r < MATH_ROUNDS; r++) {
        for (int t = 0; t < MATH_FLOATS; t += 8) {
            __m256 x = _mm256_load_ps(math_in + t), y;
            if (kind == POWF)
                y = _ZGVdN8vv_powf(x, minus_alpha);
            else if (kind == EXPF)
                y = _ZGVdN8v_expf(_mm256_mul_ps(x, _mm256_set1_ps(-1e-9f)));
            else
                y = _ZGVdN8v_logf(x);
            _mm256_store_ps(math_out + t, y);
        }
        __asm__ volatile("" ::"r"(math_out) : "memory");
    }
    return (sg_now_seconds() - start) * clock_hz /
           ((double)MATH_ROUNDS * (MATH_FLOATS / 8));
}

static int parse_passes(int argc, char **argv)
{
    if (argc == 1)
        return PASSES_DEFAULT;
    char *end = NULL;
    long passes = argc == 3 && strcmp(argv[1], "--passes") == 0
                      ? strtol(argv[2], &end, 10)
                      : 0;
    if (!end || *end != '\0' || passes < 1 || passes > PASSES_MAX) {
        fprintf(stderr, "simd_costs: usage: simd_costs [--passes 1..%d]\n",
                PASSES_MAX);
        return -1;
    }
    return (int)passes;
}

int main(int argc, char **argv)
{
    int passes = parse_passes(argc, argv);
    if (passes < 0)
        return 2;
    sg_bench_limits limits;
    sg_bench_machine(&limits);
    if (!(limits.clock_hz > 0)) {
        fprintf(stderr, "simd_costs: could not measure the clock\n");
        return 1;
    }
    for (int t = 0; t < MATH_FLOATS; t++) /* tokens, 1e9 to 1.1e10 */
        math_in[t] = 1e9f * (1.0f + 0.01f * (float)t);

    printf("Clock measured at %.2f GHz; core cycles, median of %d passes.\n\n",
           limits.clock_hz / 1e9, passes);
    printf("| independent vector operations (256-bit) | cycles per loop "
           "iteration |\n|---|---|\n");
    /* Pass after pass over all the cases rather than case after case, so
     * a slow spell of the machine (the first tenths of a second after the
     * clock measurement read 1.5-2x slow in some runs) costs each case at
     * most one of its passes. */
    double op_samples[OP_CASES][PASSES_MAX];
    for (int s = 0; s < passes; s++)
        for (size_t c = 0; c < OP_CASES; c++)
            op_samples[c][s] = op_cases[c].cycles(limits.clock_hz);
    for (size_t c = 0; c < OP_CASES; c++)
        printf("| %s | %.2f |\n", op_cases[c].what,
               median(op_samples[c], passes));
    static const char *const names[] = {"powf(x, -0.34)", "expf", "logf"};
    printf("\n| glibc libmvec, 8 lanes (AVX2) | cycles per 8 values |\n"
           "|---|---|\n");
    for (int k = POWF; k <= LOGF; k++) {
        double samples[PASSES_MAX];
        for (int s = 0; s < passes; s++)
            samples[s] = math_cycles((math_kind)k, limits.clock_hz);
        printf("| %s | %.1f |\n", names[k], median(samples, passes));
    }
    return 0;
}

#else /* no AVX2 and FMA in this build */

int main(void)
{
    printf("simd_costs: this build has no AVX2 and FMA (ARCH=%s); nothing "
           "to measure.\n",
#ifdef __x86_64__
           "x86-64 without -mavx2 -mfma"
#else
           "not x86-64"
#endif
    );
    return 0;
}

#endif
