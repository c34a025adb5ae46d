/*
 * Powers in single precision for the f32 sweeps (--precision f32):
 * A x^-a = 2^y, y = log2 A - a log2 x, in two steps,
 * sg_power_exponent_f32 (x to y) and sg_exp2_f32 (y to 2^y; the row term's
 * E + 2^y is sg_exp2_plus_f32).
 *
 * Why our own, as for sg_math.h: the reference (scalar C) and the OpenMP
 * loops (8 floats per AVX2 vector) must compute the same bits for the same
 * point. These use only +, -, *, fmaf, integer adds, shifts and masks,
 * int-to-float conversion and lookups in 4-entry tables, all exact or
 * exactly rounded (fmaf is one rounding of a*b+c on every IEEE machine),
 * so the results do not depend on the libm, the vector width or the
 * compiler, as long as no compiler contracts or reassociates other
 * operations (-ffp-contract=off, no -ffast-math).
 *
 * Why these shapes: the f32 direct sweep evaluates two powers per point,
 * so each is built from few vector operations, and from cheap ones. A
 * 4-entry table is one in-lane permutation on AVX2 (vpermilps: one
 * multiply-add-pipe cycle on Zen 3, where an 8-entry vpermps takes two;
 * bench/simd_costs.c measures both), and it makes the logarithm's interval
 * small enough for a degree-4 polynomial; the interval centres are spaced
 * evenly in log2 (a quarter octave apart), so what the table's entry adds
 * to the logarithm is the interval's share of k below and needs no second
 * table; the exponential needs no table at all (a degree-5 polynomial over
 * half an octave either side of the nearest integer). The law's log2 A
 * and a are folded into the table and coefficients by the host
 * (sg_power_f32, host/law.c). A power costs 11 fused multiply-adds, one
 * multiply and one 4-entry lookup, 13 multiply-add-pipe slots on Zen 3
 * (the multiply shortens the exponential's last steps; see
 * sg_exp2_plus_f32. Before it: 12 slots; before that two lookups, 13; the
 * 8-entry form: three 8-entry lookups, 15 slots, and a mask).
 *
 * Accuracy (tests/test_f32.c measures both against long double libm):
 *   sg_power_exponent_f32: y within 3.9e-7 a of log2 A - a log2 x (the
 *     polynomial, and 6e-9 a from the centres' float rounding), plus the
 *     float rounding of the offset and of y (a few 1e-7 for the laws'
 *     terms);
 *   sg_exp2_f32: within 2e-7 relative for y in [-120, 120].
 * So A x^-a is within about 1e-6 relative of the exact power, and an f32
 * sweep places a point within ~1e-6 of a loss level in the neighbouring
 * band compared with f64; it is the precision of the selection, not of the
 * reported values (the host recomputes those in double).
 *
 * Domain: x a positive normal float; y within [-120, 120] (a result in
 * the normal range). The host checks both for the whole grid before an f32
 * sweep starts (host/sweep.c).
 */
#ifndef SG_MATH_F32_H
#define SG_MATH_F32_H

#include "sg_math.h" /* SG_HD, sg_bits_of_float, sg_float_of_bits */

/* Mantissa intervals per octave in the logarithm's table. */
#define SG_F32_LOG2_INTERVALS 4

/* Interval i's centre is c_i = SCALE 2^(i/4), a quarter octave above the
 * one before; this SCALE keeps m / c_i - 1 within +-0.115573 on every
 * interval (the least for such centres) and rounds the four 1 / c_i to
 * floats whose log2 + i/4 agree to 1e-8. */
#define SG_F32_LOG2_CENTRE_SCALE 1.1306701

/* log2(1 + z) = z (Q0 + Q1 z + Q2 z^2 + Q3 z^3) for |z| <= 0.115573, the
 * range z = m / c_i - 1 spans (below), to 3.9e-7 absolute (fitted to the
 * least maximum error). */
#define SG_F32_LOG2_Q0 1.4426792390416721
#define SG_F32_LOG2_Q1 -0.7213191552046413
#define SG_F32_LOG2_Q2 0.4857200425217347
#define SG_F32_LOG2_Q3 -0.3660416004915888

/* 2^r = 1 + r (P0 + P1 r + P2 r^2 + P3 r^3 + P4 r^4) for r in [-1/2, 1/2],
 * to 1.1e-7 relative with these float coefficients (fitted to the least
 * maximum relative error). */
#define SG_F32_EXP2_P0 0.693147f
#define SG_F32_EXP2_P1 0.24022242f
#define SG_F32_EXP2_P2 0.055507336f
#define SG_F32_EXP2_P3 0.009671513f
#define SG_F32_EXP2_P4 0.0013264727f

/* 1.5 * 2^23 + 127: y + this rounds y to an integer n and keeps n + 127,
 * 2^n's biased exponent, in the low mantissa bits (round to nearest,
 * |y| < 2^22). */
#define SG_F32_ROUND_MAGIC 12583039.0f

/*
 * One power term A x^-a, prepared by the host (sg_power_f32_of). x =
 * 2^e m with m in [1, 2); the top 2 bits of m's fraction pick interval i,
 * m in [1 + i/4, 1 + (i+1)/4), whose centre c_i is stored as the float
 * inv_centre[i] ~ 1 / c_i; then m = (1 + z) / inv_centre[i] with
 * |z| <= 0.115573, and
 *   y = log2 A - a log2 x
 *     = offset + per_interval k + z (poly[0] + ... + poly[3] z^3),
 * k = 4 e + i the interval's number counted from x = 1 (the float's bits
 * shifted right by 21, less 127 * 4: one integer subtraction gives both the
 * exponent and the table index), per_interval = -a / 4, poly[j] = -a Q_j,
 * offset = log2 A + a (log2 inv_centre[i] + i / 4), the same for every i
 * because c_i = SCALE 2^(i/4) (the host takes the mean of the four, which
 * differ by the centres' float rounding, 1e-8).
 */
typedef struct {
    float inv_centre[SG_F32_LOG2_INTERVALS];
    float offset;
    float per_interval;
    float poly[4];
} sg_power_f32;

/* A float's bits shifted right by this: 4 (biased exponent) + the top 2
 * bits of its fraction, the table index of x. */
#define SG_F32_TABLE_SHIFT 21
/* 127 * 4: the shifted bits of 1.0f, so k = 0 at x = 1. */
#define SG_F32_INTERVAL_BIAS 508
#define SG_F32_FRACTION_MASK 0x007fffffu
#define SG_F32_ONE_BITS 0x3f800000u

SG_HD float sg_power_exponent_f32(const sg_power_f32 *pw, float x)
{
    uint32_t bits = sg_bits_of_float(x);
    int32_t k = (int32_t)(bits >> SG_F32_TABLE_SHIFT) - SG_F32_INTERVAL_BIAS;
    uint32_t i = (uint32_t)k & (SG_F32_LOG2_INTERVALS - 1);
    float m =
        sg_float_of_bits((bits & SG_F32_FRACTION_MASK) | SG_F32_ONE_BITS);
    float z = fmaf(m, pw->inv_centre[i], -1.0f);
    float base = fmaf((float)k, pw->per_interval, pw->offset);
    float q = fmaf(fmaf(fmaf(pw->poly[3], z, pw->poly[2]), z, pw->poly[1]),
                   z, pw->poly[0]);
    return fmaf(z, q, base);
}

/* Shifted left by this, the biased exponent n + 127 in the low bits of
 * y + SG_F32_ROUND_MAGIC lands in a float's exponent field: the bits of
 * 2^n (the magic constant's bits leave the word). */
#define SG_F32_OCTAVE_SHIFT 23

/*
 * 2^y + add = 2^n (1 + r p(r)) + add, n = round(y), r = y - n in
 * [-1/2, 1/2] (exact), as fmaf(r 2^n, p(r), 2^n + add): r 2^n is exact (r
 * times a power of two; only for n near -120 may it fall below the normal
 * range, and its rounding there moves the result by about 1e-9 relative
 * at most), so 2^y itself is rounded once, and add (the law's E for the
 * row term, 0 for the column term) once beforehand.
 *
 * Why this shape: the product r 2^n and the sum 2^n + add wait only for
 * the reduction, beside the polynomial, so one multiply-add follows the
 * polynomial's last step. The shape before it (the mantissa 1 + r p(r),
 * scaled by an integer add into its exponent field, then add added) put
 * two more dependent steps there and made the f32 direct sweep 3% slower,
 * though it took one multiply fewer.
 */
SG_HD float sg_exp2_plus_f32(float y, float add)
{
    float t = y + SG_F32_ROUND_MAGIC;
    float r = y - (t - SG_F32_ROUND_MAGIC);
    float octave = sg_float_of_bits(sg_bits_of_float(t)
                                    << SG_F32_OCTAVE_SHIFT); /* 2^n */
    float p = fmaf(fmaf(fmaf(fmaf(SG_F32_EXP2_P4, r, SG_F32_EXP2_P3), r,
                             SG_F32_EXP2_P2),
                        r, SG_F32_EXP2_P1),
                   r, SG_F32_EXP2_P0);
    return fmaf(r * octave, p, octave + add);
}

/* 2^y: octave + 0.0f is octave exactly. */
SG_HD float sg_exp2_f32(float y)
{
    return sg_exp2_plus_f32(y, 0.0f);
}

#endif /* SG_MATH_F32_H */
