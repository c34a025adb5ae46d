/*
 * log2 and exp2 in single precision for the f32 sweeps (--precision f32).
 *
 * Why our own, as for sg_math.h: the reference (scalar C), the OpenMP loops
 * (8 floats per AVX2 vector) and CUDA device code must compute the same bits
 * for the same point. These use only +, -, *, fmaf, integer adds and shifts
 * and int-to-float conversion, all exactly rounded (fmaf is a single
 * rounding of a*b+c on every IEEE machine: the AVX2 instruction, libm's
 * fmaf and CUDA's fmaf agree), so the results do not depend on the libm,
 * the vector width or the compiler, as long as no compiler contracts or
 * reassociates other operations (-ffp-contract=off, no -ffast-math).
 *
 * Why these shapes: the f32 direct sweep is bound by the FMA pipes, so both
 * functions avoid divisions, tables, branches and the libm calls GCC will
 * not vectorise, and keep their dependency chains short (Estrin's scheme)
 * so an out-of-order core overlaps neighbouring points.
 *
 * Accuracy (tests/test_math.c measures both against long double libm):
 *   sg_log2f: within 1e-6 absolute for normal positive x, plus the float
 *             rounding of the result (one ulp, 7.6e-6 at 2^100);
 *   sg_exp2f: within 2.5e-7 relative for y in [-120, 120].
 * pow(x, -a) = exp2(-a log2 x) then carries the rounding of its float
 * argument: about 1e-6 relative for the laws' N, D < 1e20, so an f32 sweep
 * places a point within ~1e-6 of a loss level in the neighbouring band
 * compared with f64; it is the precision of the selection, not of the
 * reported values (the host recomputes those in double).
 *
 * Domain: sg_log2f needs a positive normal float; sg_exp2f needs
 * |y| <= 120 (a result in the normal range). The host checks both for the
 * whole grid before an f32 sweep starts (host/sweep.c).
 */
#ifndef SG_MATH_F32_H
#define SG_MATH_F32_H

#include <math.h>
#include <stdint.h>

#ifndef SG_HD
#ifdef __CUDACC__
#define SG_HD static __host__ __device__ __forceinline__
#else
#define SG_HD static inline
#endif
#endif

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

/* Bits of sqrt(1/2) (0.70710677f): subtracting them from x's bits puts the
 * exponent of x / sqrt(1/2) in the top bits, so the mantissa lands in
 * [sqrt(1/2), sqrt(2)) without a compare. */
#define SG_F32_SQRT_HALF_BITS 0x3f3504f3u
/* 1.5 * 2^23: y + this rounds y to an integer kept in the low mantissa
 * bits (round to nearest, |y| < 2^22). */
#define SG_F32_ROUND_MAGIC 12582912.0f

/* log2 x = e + log2(1 + f), x = 2^e (1 + f), 1 + f in [sqrt(1/2), sqrt(2));
 * log2(1 + f) = f q(f), q of degree 6 fitted to relative error 1.3e-6 on
 * that interval (Chebyshev-weighted least squares). */
SG_HD float sg_log2f(float x)
{
    uint32_t bits = sg_bits_of_float(x);
    int32_t e = (int32_t)(bits - SG_F32_SQRT_HALF_BITS) >> 23;
    float f = sg_float_of_bits(bits - ((uint32_t)e << 23)) - 1.0f;
    float f2 = f * f, f4 = f2 * f2;
    float q01 = fmaf(-0.72135967f, f, 1.4426966f);
    float q23 = fmaf(-0.35954648f, f, 0.48061118f);
    float q45 = fmaf(-0.26776844f, f, 0.2961796f);
    float q03 = fmaf(q23, f2, q01);
    float q46 = fmaf(0.16769314f, f2, q45);
    float q = fmaf(q46, f4, q03);
    return fmaf(f, q, (float)e);
}

/* 2^y = 2^k 2^r, k = round(y), r in [-1/2, 1/2]; 2^r by a polynomial of
 * degree 5 (relative error 7.7e-8); 2^k added to the exponent bits. */
SG_HD float sg_exp2f(float y)
{
    float t = y + SG_F32_ROUND_MAGIC;
    float r = y - (t - SG_F32_ROUND_MAGIC);
    float r2 = r * r;
    float p01 = fmaf(0.69314694f, r, 1.0000001f);
    float p23 = fmaf(0.055507425f, r, 0.24022122f);
    float p45 = fmaf(0.0013266971f, r, 0.00967546f);
    float p25 = fmaf(p45, r2, p23);
    float p = fmaf(p25, r2, p01);
    /* t's bits are those of 1.5 * 2^23 plus k; shifted by 23 the constant
     * part leaves the word and k lands in the exponent field. */
    return sg_float_of_bits(sg_bits_of_float(p) + (sg_bits_of_float(t) << 23));
}

#endif /* SG_MATH_F32_H */
