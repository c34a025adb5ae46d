/*
 * Per-point math of a sweep, written once for every backend.
 *
 * These static inline functions compile as C (reference and OpenMP kernels)
 * and as CUDA device code, so the CPU tests exercise the same arithmetic the
 * GPU runs. The evaluation order of every expression here is part of the
 * contract: a double-precision backend that follows it produces bit-identical
 * losses, FLOPs and band indices to the reference, hence identical frontiers.
 * Build with -ffp-contract=off (and nvcc --fmad=false) so no compiler fuses
 * a multiply and an add behind our back.
 *
 * Units: N parameters, D tokens, C FLOPs, L nats/token.
 */
#ifndef SG_POINT_MATH_H
#define SG_POINT_MATH_H

#include <math.h>
#include <stdint.h>

#ifdef __CUDACC__
#define SG_HD static __host__ __device__ __forceinline__
#else
#define SG_HD static inline
#endif

/* Law forms; the values match sg_form in scalegrid.h. */
#define SG_PM_FORM_CHINCHILLA 0
#define SG_PM_FORM_KAPLAN 1

/* A law reduced to what the per-point math needs (no strings: device-safe). */
typedef struct {
    int form;
    double E, A, B, alpha, beta; /* Chinchilla form */
    double Nc, Dc, aD, p;        /* Kaplan form; p = aN / aD */
} sg_point_law;

/*
 * Separable structure: L(N, D) = combine(row_term(N), col_term(D)).
 *   Chinchilla: row = E + A N^-alpha, col = B D^-beta, combine = row + col.
 *   Kaplan:     row = (Nc/N)^p,       col = Dc / D,    combine = (row+col)^aD.
 * The reference evaluates exactly these three steps at every point, so a
 * backend that precomputes the terms per row and per column gets the same
 * bits. A*pow(N,-alpha) rather than A/pow(N,alpha): the form vector math
 * libraries turn into one call.
 */
SG_HD double sg_row_term(const sg_point_law *law, double params)
{
    if (law->form == SG_PM_FORM_KAPLAN)
        return pow(law->Nc / params, law->p);
    return law->E + law->A * pow(params, -law->alpha);
}

SG_HD double sg_col_term(const sg_point_law *law, double tokens)
{
    if (law->form == SG_PM_FORM_KAPLAN)
        return law->Dc / tokens;
    return law->B * pow(tokens, -law->beta);
}

SG_HD double sg_combine_terms(const sg_point_law *law, double row, double col)
{
    if (law->form == SG_PM_FORM_KAPLAN)
        return pow(row + col, law->aD);
    return row + col;
}

SG_HD double sg_point_loss(const sg_point_law *law, double params,
                           double tokens)
{
    return sg_combine_terms(law, sg_row_term(law, params),
                            sg_col_term(law, tokens));
}

/* Training FLOPs, evaluated as (6 N) D so a row can precompute 6 N. */
SG_HD double sg_point_flops(double params, double tokens)
{
    return (6.0 * params) * tokens;
}

/*
 * Log-spaced axes. Point i sits at log coordinate ln_lo + i * step with
 * step = (ln hi - ln lo) / (count - 1); its value is exp of that, except the
 * two endpoints, which are exactly lo and hi.
 */
SG_HD double sg_axis_log(double ln_lo, double step, uint64_t index)
{
    return ln_lo + (double)index * step;
}

SG_HD double sg_axis_point(double lo, double hi, uint64_t count, double ln_lo,
                           double step, uint64_t index)
{
    if (index == 0)
        return lo;
    if (index + 1 == count)
        return hi;
    return exp(sg_axis_log(ln_lo, step, index));
}

/*
 * Bands. Levels l_0 < ... < l_{K-1}; level k owns the half-open band
 * (l_k - w, l_k]: the points that reach level k but not level k - 1. The
 * band coordinate measures down from the top level in units of the level
 * spacing, s = (l_top - x) / w, so band k = K - 1 - floor(s) for s in [0, K).
 *
 * Loss levels are linear in loss. For the additive (Chinchilla) form the
 * coordinate splits like the loss itself, s = u(N) - v(D) with
 *   u = (l_top - row_term) * inv_w,  v = col_term * inv_w,
 * so a factored kernel spends one subtraction per point on it; other forms
 * use s = (l_top - L) * inv_w. The two agree with (l_top - L) / w up to
 * rounding in the last bits (~1e-13 of a band), far inside the band-edge
 * slack the host adds (sweep.c), and every backend uses the same one.
 *
 * Compute levels are linear in log C: s = a_row - e_col with
 *   a_row = (ln c_top - ln 6 - ln N) * inv_w, e_col = ln D * inv_w,
 * where ln N and ln D are the axis log coordinates (no log per point).
 */
SG_HD double sg_loss_band_row(double loss_top, double inv_width, double row)
{
    return (loss_top - row) * inv_width;
}

SG_HD double sg_loss_band_col(double inv_width, double col)
{
    return col * inv_width;
}

SG_HD double sg_loss_band_coord(const sg_point_law *law, double loss_top,
                                double inv_width, double row, double col,
                                double loss)
{
    if (law->form == SG_PM_FORM_CHINCHILLA)
        return sg_loss_band_row(loss_top, inv_width, row) -
               sg_loss_band_col(inv_width, col);
    return (loss_top - loss) * inv_width;
}

SG_HD double sg_flops_band_row(double ln_flops_top, double inv_width,
                               double ln_params)
{
    return (ln_flops_top - 1.791759469228055 /* ln 6 */ - ln_params) *
           inv_width;
}

SG_HD double sg_flops_band_col(double inv_width, double ln_tokens)
{
    return ln_tokens * inv_width;
}

SG_HD double sg_flops_band_coord(double row_part, double col_part)
{
    return row_part - col_part;
}

/* Classes of a band coordinate among `count` bands. */
#define SG_BAND_NONE (-1) /* above the top level, or NaN */

/*
 * Band index (0 = lowest level) of coordinate s, SG_BAND_NONE when s < 0 or
 * s is NaN, and `count` when the value lies below the lowest band (s >= K:
 * the iso-loss reduction keeps those for its cumulative frontier).
 */
SG_HD int64_t sg_band_of(double s, int64_t count)
{
    if (!(s >= 0.0))
        return SG_BAND_NONE;
    if (s >= (double)count)
        return count;
    return count - 1 - (int64_t)s;
}

/*
 * Selection order: smaller key first, ties to the lower flat index
 * row * cols + col. A total order, so any partition of the grid over threads,
 * blocks or tiles merges to the same winner.
 */
SG_HD int sg_better(double key, uint64_t index, double best_key,
                    uint64_t best_index)
{
    return key < best_key || (key == best_key && index < best_index);
}

#endif /* SG_POINT_MATH_H */
