/*
 * Powers in single precision for the f32 sweeps (--precision f32):
 * A x^-a = 2^(y / 8), y = 8 (log2 A - a log2 x), in two steps,
 * sg_power_exponent_f32 (x to y) and sg_exp2_eighths_f32 (y to 2^(y/8)).
 *
 * Why our own, as for sg_math.h: the reference (scalar C) and the OpenMP
 * loops (8 floats per AVX2 vector) must compute the same bits for the same
 * point. These use only +, -, *, fmaf, integer adds, shifts and masks,
 * int-to-float conversion and lookups in 8-entry tables, all exact or
 * exactly rounded (fmaf is one rounding of a*b+c on every IEEE machine),
 * so the results do not depend on the libm, the vector width or the
 * compiler, as long as no compiler contracts or reassociates other
 * operations (-ffp-contract=off, no -ffast-math).
 *
 * Why these shapes: the f32 direct sweep evaluates two powers per point.
 * An 8-entry table is one in-register permutation on AVX2 (vpermps, no
 * gather), and it shrinks each polynomial's interval eightfold: the
 * logarithm needs degree 3 instead of 7, the exponential degree 3 instead
 * of 5. The factor 8 and the law's log2 A and a are folded into the tables
 * and coefficients by the host (sg_power_f32, host/law.c), so a power
 * costs 8 fused multiply-adds, one multiply and three adds (16 multiply-
 * adds before). On the Zen 3 machine CI runs on, both forms measured the
 * same speed (about 3.1 cycles per point per core for the two powers: the
 * multiply-add units are not what limits that loop there); this one stays
 * for its exponential, twice as accurate, and for cores where the
 * multiply-adds are the limit.
 *
 * Accuracy (tests/test_f32.c measures both against long double libm):
 *   sg_power_exponent_f32: y / 8 within 7.5e-7 a of log2 A - a log2 x (the
 *     polynomial), plus the float rounding of the table offset and of y
 *     (a few 1e-7 for the laws' terms);
 *   sg_exp2_eighths_f32: within 1.5e-7 relative for y / 8 in [-120, 120].
 * So A x^-a is within about 1e-6 relative of the exact power, and an f32
 * sweep places a point within ~1e-6 of a loss level in the neighbouring
 * band compared with f64; it is the precision of the selection, not of the
 * reported values (the host recomputes those in double).
 *
 * Domain: x a positive normal float; y / 8 within [-120, 120] (a result in
 * the normal range). The host checks both for the whole grid before an f32
 * sweep starts (host/sweep.c).
 */
#ifndef SG_MATH_F32_H
#define SG_MATH_F32_H

#include "sg_math.h" /* SG_HD, sg_bits_of_float, sg_float_of_bits */

/* y is in eighths of a binary order of magnitude: 2^(y / 8). */
#define SG_F32_POWER_STEPS 8.0

/* log2(1 + z) = z (Q0 + Q1 z + Q2 z^2) for |z| <= 1/17, the range
 * z = m / c_i - 1 spans (below), to 7.5e-7 absolute (fitted to the least
 * maximum error). */
#define SG_F32_LOG2_Q0 1.4426936
#define SG_F32_LOG2_Q1 -0.7223834
#define SG_F32_LOG2_Q2 0.48231444

/* 2^(r / 8) = 1 + r (P0 + P1 r + P2 r^2) for r in [-1/2, 1/2], to 2.5e-8
 * relative (least maximum relative error). */
#define SG_F32_EXP2_P0 0.086643405f
#define SG_F32_EXP2_P1 0.0037540253f
#define SG_F32_EXP2_P2 0.000108391054f

/* 1.5 * 2^23: y + this rounds y to an integer kept in the low mantissa
 * bits (round to nearest, |y| < 2^22). */
#define SG_F32_ROUND_MAGIC 12582912.0f

/*
 * One power term A x^-a, prepared by the host (sg_power_f32_of). x =
 * 2^e m with m in [1, 2); the top 3 bits of m's fraction pick interval i,
 * m in [1 + i/8, 1 + (i+1)/8), whose centre c_i is stored as the float
 * inv_centre[i] ~ 1 / c_i; then m = (1 + z) / inv_centre[i] with
 * |z| <= 1/17, and
 *   y = 8 (log2 A - a log2 x)
 *     = offset[i] + per_interval k + z (poly[0] + poly[1] z + poly[2] z^2),
 * k = 8 e + i the interval's number counted from x = 1 (the float's bits
 * shifted right by 20, less 127 * 8: one integer subtraction gives both the
 * exponent and the table index), per_interval = -a,
 * offset[i] = 8 (log2 A + a log2 inv_centre[i]) + a i, poly[j] = -8 a Q_j.
 */
typedef struct {
    float inv_centre[8];
    float offset[8];
    float per_interval;
    float poly[3];
} sg_power_f32;

/* A float's bits shifted right by this: 8 (biased exponent) + the top 3
 * bits of its fraction, the table index of x. */
#define SG_F32_TABLE_SHIFT 20
/* 127 * 8: the shifted bits of 1.0f, so k = 0 at x = 1. */
#define SG_F32_INTERVAL_BIAS 1016
#define SG_F32_FRACTION_MASK 0x007fffffu
#define SG_F32_ONE_BITS 0x3f800000u

SG_HD float sg_power_exponent_f32(const sg_power_f32 *pw, float x)
{
    uint32_t bits = sg_bits_of_float(x);
    int32_t k = (int32_t)(bits >> SG_F32_TABLE_SHIFT) - SG_F32_INTERVAL_BIAS;
    uint32_t i = (uint32_t)k & 7u;
    float m =
        sg_float_of_bits((bits & SG_F32_FRACTION_MASK) | SG_F32_ONE_BITS);
    float z = fmaf(m, pw->inv_centre[i], -1.0f);
    float base = fmaf((float)k, pw->per_interval, pw->offset[i]);
    float q = fmaf(fmaf(pw->poly[2], z, pw->poly[1]), z, pw->poly[0]);
    return fmaf(z, q, base);
}

/* The bits of 2^k in a float's exponent field for k = floor(n / 8), n the
 * integer in the low bits of y + SG_F32_ROUND_MAGIC: shifted by 20, n's
 * bits from the fourth up land in the exponent field (the magic constant
 * and n's top bits leave the word) and the mask drops n's low three. */
#define SG_F32_OCTAVE_SHIFT 20
#define SG_F32_EXPONENT_MASK 0xff800000u

/* 2^(y / 8) = 2^k 2^(j/8) 2^(r/8), round(y) = 8 k + j, r = y - round(y) in
 * [-1/2, 1/2]; eighths[j] = 2^(j/8) rounded to float. */
SG_HD float sg_exp2_eighths_f32(const float eighths[8], float y)
{
    float t = y + SG_F32_ROUND_MAGIC;
    float r = y - (t - SG_F32_ROUND_MAGIC);
    uint32_t n_bits = sg_bits_of_float(t);
    float step = eighths[n_bits & 7u];
    float p = fmaf(fmaf(SG_F32_EXP2_P2, r, SG_F32_EXP2_P1), r, SG_F32_EXP2_P0);
    /* 2^(j/8) 2^(r/8), in [0.95, 2) */
    float mantissa = fmaf(step * r, p, step);
    return sg_float_of_bits(sg_bits_of_float(mantissa) +
                            ((n_bits << SG_F32_OCTAVE_SHIFT) &
                             SG_F32_EXPONENT_MASK));
}

#endif /* SG_MATH_F32_H */
