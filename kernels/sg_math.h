/*
 * exp, log and pow for the per-point math, in plain IEEE double arithmetic.
 *
 * Why not libm: every backend must compute the same bits for the same
 * point, and the C library's exp/pow (glibc's, and a different glibc's),
 * the vector library's and CUDA's are different approximations that
 * disagree in the last bit. With equal log steps in N and D the costs
 * 6 N_i D_j along an anti-diagonal are equal up to rounding, so one such
 * bit can change which point a band keeps. These functions use only +, -,
 * *, /, floor, comparisons and bit moves, all exactly rounded by IEEE 754,
 * so the reference, the OpenMP loops (which the compiler vectorises: no
 * branches, no integer-to-double conversions AVX2 lacks) and CUDA device
 * code (nvcc --fmad=false) agree bit for bit, on any machine and any libm.
 *
 * Accuracy: the algorithms and their minimax coefficients are those
 * published with fdlibm (Sun Microsystems, 1993; e_exp.c, e_log.c), written
 * here anew without its special-case branches: exp and log within 1 ulp; pow(x, y) = exp(y log x) within about
 * |y log x| ulp (2e-15 relative for the laws' exponents and N, D < 1e20),
 * far below the uncertainty of any law's constants.
 *
 * Domain: sg_log is correct for every double (NaN, negative -> NaN, 0 ->
 * -inf, subnormals, +inf); sg_exp for every double (overflow -> +inf,
 * underflow -> 0, NaN -> NaN); sg_pow for x >= 0 (x = 0 or +inf follow
 * from log and exp: pow(0, y < 0) = +inf, pow(inf, y < 0) = 0).
 */
#ifndef SG_MATH_H
#define SG_MATH_H

#include <math.h>
#include <stdint.h>

#ifndef SG_HD
#ifdef __CUDACC__
#define SG_HD static __host__ __device__ __forceinline__
#else
#define SG_HD static inline
#endif
#endif

/* Bit moves between a double and its IEEE representation: CUDA's
 * intrinsics on the device, a union on the host (defined in C, and a
 * documented GCC extension in C++), which unlike memcpy keeps the value in
 * a register where the vectoriser can see it. */
typedef union {
    double d;
    uint64_t u;
} sg_double_bits;

SG_HD uint64_t sg_bits_of(double x)
{
#ifdef __CUDA_ARCH__
    return (uint64_t)__double_as_longlong(x);
#else
    sg_double_bits b;
    b.d = x;
    return b.u;
#endif
}

SG_HD double sg_double_of(uint64_t u)
{
#ifdef __CUDA_ARCH__
    return __longlong_as_double((long long)u);
#else
    sg_double_bits b;
    b.u = u;
    return b.d;
#endif
}

/* The same for a float (the f32 powers, sg_math_f32.h). */
typedef union {
    float f;
    uint32_t u;
} sg_float_bits;

SG_HD uint32_t sg_bits_of_float(float x)
{
#ifdef __CUDA_ARCH__
    return (uint32_t)__float_as_uint(x);
#else
    sg_float_bits b;
    b.f = x;
    return b.u;
#endif
}

SG_HD float sg_float_of_bits(uint32_t u)
{
#ifdef __CUDA_ARCH__
    return __uint_as_float(u);
#else
    sg_float_bits b;
    b.u = u;
    return b.f;
#endif
}

#define SG_LN2_HI 6.93147180369123816490e-01 /* ln 2 to 33 bits */
#define SG_LN2_LO 1.90821492927058770002e-10 /* ln 2 - SG_LN2_HI */
#define SG_INV_LN2 1.44269504088896338700e+00
/* 2^52 + 1023: an integer k added to it lands in the low mantissa bits. */
#define SG_EXP_MAGIC 4503599627371519.0

/* 2^k for an integer-valued k in [-1022, 1023], without an int conversion:
 * k + 2^52 + 1023 holds k + 1023 in its low bits; shifted into place it is
 * the exponent field of 2^k. */
SG_HD double sg_pow2i(double k)
{
    return sg_double_of(sg_bits_of(k + SG_EXP_MAGIC) << 52);
}

/* e^x. fdlibm's: x = k ln2 + r with |r| <= ln2/2, e^r by a rational
 * approximation, scaled by 2^k in two halves so that subnormal and
 * overflowing results come out right. */
SG_HD double sg_exp(double x)
{
    const double P1 = 1.66666666666666019037e-01;
    const double P2 = -2.77777777770155933842e-03;
    const double P3 = 6.61375632143793436117e-05;
    const double P4 = -1.65339022054652515390e-06;
    const double P5 = 4.13813679705723846039e-08;
    /* Beyond +-1100 the result is 0 or +inf either way; clamping keeps k
     * in the range the two half-scalings handle. NaN fails both tests. */
    double xc = x < -1100.0 ? -1100.0 : x > 1100.0 ? 1100.0 : x;
    double k = floor(xc * SG_INV_LN2 + 0.5);
    double hi = xc - k * SG_LN2_HI;
    double lo = k * SG_LN2_LO;
    double r = hi - lo;
    double t = r * r;
    double c = r - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
    double y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
    double k1 = floor(k * 0.5);
    double result = y * sg_pow2i(k1) * sg_pow2i(k - k1);
    return x == x ? result : x; /* NaN in, NaN out */
}

/* ln x. fdlibm's: x = 2^k m with m in [sqrt(2)/2, sqrt(2)), f = m - 1,
 * s = f / (2 + f), ln(1 + f) = 2 atanh(s) by a polynomial in s^2. */
SG_HD double sg_log(double x)
{
    const double Lg1 = 6.666666666666735130e-01;
    const double Lg2 = 3.999999999940941908e-01;
    const double Lg3 = 2.857142874366239149e-01;
    const double Lg4 = 2.222219843214978396e-01;
    const double Lg5 = 1.818357216161805012e-01;
    const double Lg6 = 1.531383769920937332e-01;
    const double Lg7 = 1.479819860511658591e-01;
    int subnormal = x < 2.2250738585072014e-308; /* scale those by 2^54 */
    double xs = subnormal ? x * 18014398509481984.0 : x;
    uint64_t bits = sg_bits_of(xs);
    /* The biased exponent as a double, exactly: placed in the low bits of
     * 2^52's mantissa. */
    double k = sg_double_of((bits >> 52) | UINT64_C(0x4330000000000000)) -
               4503599627370496.0 - 1023.0 - (subnormal ? 54.0 : 0.0);
    double m = sg_double_of((bits & UINT64_C(0x000FFFFFFFFFFFFF)) |
                            UINT64_C(0x3FF0000000000000));
    int big = m > 1.4142135623730951;
    m = big ? m * 0.5 : m;
    k = big ? k + 1.0 : k;
    double f = m - 1.0;
    double s = f / (2.0 + f);
    double z = s * s;
    double w = z * z;
    double t1 = w * (Lg2 + w * (Lg4 + w * Lg6));
    double t2 = z * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7)));
    double R = t2 + t1;
    double hfsq = 0.5 * f * f;
    double result = k * SG_LN2_HI - ((hfsq - (s * (hfsq + R) + k * SG_LN2_LO)) - f);
    result = x == INFINITY ? INFINITY : result;
    result = x == 0.0 ? -INFINITY : result;
    return x >= 0.0 ? result : NAN; /* negative or NaN */
}

/* x^y for x >= 0, as e^(y ln x). */
SG_HD double sg_pow(double x, double y)
{
    return sg_exp(y * sg_log(x));
}

#endif /* SG_MATH_H */
