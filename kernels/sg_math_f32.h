/*
 * Powers in single precision for the f32 sweeps (--precision f32):
 * K x^-a + add in one step, sg_power_plus_f32 (the row term E + A N^-alpha
 * with add = E, the column term B D^-beta with add = 0).
 *
 * Why our own, as for sg_math.h: the reference (scalar C) and the OpenMP
 * loops (8 floats per AVX2 vector) must compute the same bits for the same
 * point. These use only +, *, fmaf, shifts and masks and table reads, all
 * exact or exactly rounded (fmaf is one rounding of a*b+c on every IEEE
 * machine), so the results do not depend on the libm, the vector width or
 * the compiler, as long as no compiler contracts or reassociates other
 * operations (-ffp-contract=off, no -ffast-math).
 *
 * How: write x = 2^e m, m in [1, 2), and split m's octave into four
 * intervals (the top 2 bits of its fraction, i) with centres c_i. Then
 *   K x^-a = K (2^e c_i)^-a (m / c_i)^-a = scale[k] (1 + z)^-a,
 * k = 4 (e + 127) + i, the float's bits shifted right by 21 (one shift
 * gives both the octave and the interval), z = m inv_centre[i] - 1 with
 * |z| <= 0.1156, and (1 + z)^-a = 1 + z q(z), q a degree-4 polynomial.
 * The host computes the table scale[k] = K (2^e / inv_centre[i])^-a in
 * double for every k, so nothing per point needs an exponential: the
 * exponent a is fixed for a law, and a float has only 1024 (octave,
 * interval) pairs. x^-a is still evaluated at every point from that
 * point's x; only the power of its octave is read, not computed.
 *
 * Why this shape: the f32 direct sweep evaluates two powers per point.
 * This one costs 7 multiply-add-pipe operations and one 4-entry lookup
 * (vpermilps, one in-lane permutation on AVX2). The shape before it,
 * 2^(log2 K - a log2 x) with a polynomial logarithm and a polynomial
 * exponential, cost 13, and made the f32 direct sweep 1.2x slower
 * (1 thread, 2^30 points, paired rounds). On AVX2 the table read is one
 * broadcast when the 8 lanes share k (neighbouring points of a sorted
 * axis do, but for one vector in a few hundred), a gather otherwise.
 *
 * Accuracy (tests/test_f32.c measures it against long double libm): q is
 * the Chebyshev interpolant of ((1 + z)^-a - 1) / z on |z| <= 0.1156,
 * within 4e-8 relative for a <= 0.5 (the published laws' exponents),
 * 1.5e-7 at a = 1 and 1.2e-6 at a = SG_F32_MAX_EXPONENT (the host refuses
 * larger ones); with the float rounding of the table entry, of z and of
 * the last steps, K x^-a is within about 3e-7 relative for a <= 1. It is
 * the precision of the selection, not of the reported values (the host
 * recomputes those in double).
 *
 * Domain: x a positive normal float, and K x^-a inside float's normal
 * range for every x of the grid; the host checks both before an f32
 * sweep starts (host/sweep.c). Table entries whose powers leave float's
 * range are NaN, so a violation shows as NaN rather than as a number.
 */
#ifndef SG_MATH_F32_H
#define SG_MATH_F32_H

#include "sg_math.h" /* SG_HD, sg_bits_of_float, sg_float_of_bits */

/* Mantissa intervals per octave. */
#define SG_F32_POWER_INTERVALS 4
/* A float's bits shifted right by this: 4 (biased exponent) + the top 2
 * bits of its fraction, k. */
#define SG_F32_POWER_SHIFT 21
/* One table entry per k of a non-negative float (the sign bit masked off,
 * so any float reads inside the table). */
#define SG_F32_POWER_TABLE 1024
#define SG_F32_POWER_INDEX_MASK (SG_F32_POWER_TABLE - 1)
/* Coefficients of q(z), (1 + z)^-a = 1 + z q(z). */
#define SG_F32_POWER_COEFFS 5
/* The largest exponent a an f32 power accepts (q's error grows with a). */
#define SG_F32_MAX_EXPONENT 2.0

/* Interval i's centre is c_i = SCALE 2^(i/4), a quarter octave above the
 * one before; this SCALE keeps m / c_i - 1 within +-0.115573 on every
 * interval (the least for such centres). */
#define SG_F32_CENTRE_SCALE 1.1306701
/* |z| bound q is fitted on: 0.115573 and the rounding of inv_centre and z */
#define SG_F32_POWER_Z_MAX 0.1156

#define SG_F32_FRACTION_MASK 0x007fffffu
#define SG_F32_ONE_BITS 0x3f800000u

/*
 * One power term K x^-a, prepared by the host (sg_power_f32_of,
 * host/law.c): inv_centre[i] ~ 1 / c_i as floats, q's coefficients
 * (lowest degree first), and the table scale[k] described above.
 */
typedef struct {
    float inv_centre[SG_F32_POWER_INTERVALS];
    float poly[SG_F32_POWER_COEFFS];
    float scale[SG_F32_POWER_TABLE];
} sg_power_f32;

/* The table index k of x: its biased exponent and the top 2 bits of its
 * fraction. */
SG_HD uint32_t sg_power_index_f32(float x)
{
    return (sg_bits_of_float(x) >> SG_F32_POWER_SHIFT) &
           SG_F32_POWER_INDEX_MASK;
}

/* q(z) by Horner's rule, as the vector loops compute it. */
SG_HD float sg_power_poly_f32(const sg_power_f32 *pw, float z)
{
    float q = fmaf(pw->poly[4], z, pw->poly[3]);
    q = fmaf(q, z, pw->poly[2]);
    q = fmaf(q, z, pw->poly[1]);
    return fmaf(q, z, pw->poly[0]);
}

/*
 * K x^-a + add = s (1 + z q(z)) + add, computed as fmaf(s z, q(z), s + add)
 * with s = scale[k]: s z and s + add wait only for the table, beside the
 * polynomial, so one multiply-add follows its last step; the power is
 * rounded once, and add (the law's E for the row term, 0 for the column
 * term) once beforehand.
 */
SG_HD float sg_power_plus_f32(const sg_power_f32 *pw, float x, float add)
{
    uint32_t k = sg_power_index_f32(x);
    float m = sg_float_of_bits((sg_bits_of_float(x) & SG_F32_FRACTION_MASK) |
                               SG_F32_ONE_BITS);
    float z = fmaf(m, pw->inv_centre[k % SG_F32_POWER_INTERVALS], -1.0f);
    float s = pw->scale[k];
    return fmaf(s * z, sg_power_poly_f32(pw, z), s + add);
}

#endif /* SG_MATH_F32_H */
