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

/* exp, log and pow in plain IEEE arithmetic: the same bits on every
 * backend and every libm (sg_math.h says why). */
#include "sg_math.h"

/* Law forms; the values match sg_form in scalegrid.h. */
#define SG_PM_FORM_CHINCHILLA 0
#define SG_PM_FORM_KAPLAN 1
#define SG_PM_FORM_MUENNIGHOFF 2

/* A law reduced to what the per-point math needs (no strings: device-safe). */
typedef struct {
    int form;
    double E, A, B, alpha, beta; /* Chinchilla and Muennighoff forms */
    double Nc, Dc, aD, p;        /* Kaplan form; p = aN / aD */
    /* Muennighoff form: the unique-token budget U, the decay constants
     * R_D* and R_N*, and D_to_N(x) = (x G)^(beta/alpha) G precomputed as
     * G and beta/alpha (the host computes them once, so every backend uses
     * the same bits). */
    double unique_tokens, rd_star, rn_star, G, d_to_n_exponent;
} sg_point_law;

/*
 * Single precision (--precision f32), for the Chinchilla form only:
 *   row = E + A N^-alpha,  col = B D^-beta,  each power by
 *   sg_power_plus_f32 (sg_math_f32.h; the row's E is added inside the
 *   power's last multiply-add),
 *   loss = row + col, loss-band parts u = (top - row) w', v = col w',
 * all in float, N and D the double axis values rounded to float, and the
 * power tables, E, top and w' rounded once by the host (host/law.c). Every
 * f32 backend evaluates exactly these operations, so the f32 reference and
 * the f32 OpenMP loops pick the same points. Costs and compute bands stay
 * in double (they do not involve the law).
 */
#include "sg_math_f32.h"

typedef struct {
    float E;
    sg_power_f32 row, col; /* A N^-alpha and B D^-beta */
} sg_point_law_f32;

SG_HD float sg_row_term_f32(const sg_point_law_f32 *law, float params)
{
    return sg_power_plus_f32(&law->row, params, law->E);
}

SG_HD float sg_col_term_f32(const sg_point_law_f32 *law, float tokens)
{
    return sg_power_plus_f32(&law->col, tokens, 0.0f);
}

SG_HD float sg_loss_band_row_f32(float loss_top, float inv_width, float row)
{
    return (loss_top - row) * inv_width;
}

SG_HD float sg_loss_band_col_f32(float inv_width, float col)
{
    return col * inv_width;
}

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
        return sg_pow(law->Nc / params, law->p);
    return law->E + law->A * sg_pow(params, -law->alpha);
}

SG_HD double sg_col_term(const sg_point_law *law, double tokens)
{
    if (law->form == SG_PM_FORM_KAPLAN)
        return law->Dc / tokens;
    return law->B * sg_pow(tokens, -law->beta);
}

SG_HD double sg_combine_terms(const sg_point_law *law, double row, double col)
{
    if (law->form == SG_PM_FORM_KAPLAN)
        return sg_pow(row + col, law->aD);
    return row + col;
}

/* Whether the law splits into row and column terms (all forms but
 * Muennighoff's, whose effective parameters depend on the unique tokens
 * seen, min(U, D)). */
SG_HD int sg_law_separable(const sg_point_law *law)
{
    return law->form != SG_PM_FORM_MUENNIGHOFF;
}

/*
 * Muennighoff et al. 2023 (laws.md): of D tokens, U_D = min(U, D) are
 * unique and R_D = D / U_D - 1 are repetitions (epochs - 1); repeated tokens
 * are worth less, D' = U_D + U_D R_D* (1 - exp(-R_D / R_D*)). Parameters
 * beyond U_N = min(N, D_to_N(U_D)), the compute-optimal size for the unique
 * data, decay alike: N' = U_N + U_N R_N* (1 - exp(-R_N / R_N*)) with
 * R_N = N / U_N - 1. For D <= U and N <= D_to_N(D), N' = N and D' = D.
 */
SG_HD void sg_muennighoff_effective(const sg_point_law *law, double params,
                                    double tokens, double *eff_params,
                                    double *eff_tokens)
{
    /* a < b ? a : b rather than fmin: the same for the positive, finite
     * values here, and a loop the compiler vectorises */
    double unique = law->unique_tokens < tokens ? law->unique_tokens : tokens;
    double repeats = tokens / unique - 1.0;
    *eff_tokens =
        unique + unique * law->rd_star * (1.0 - sg_exp(-repeats / law->rd_star));
    double cap = sg_pow(unique * law->G, law->d_to_n_exponent) * law->G;
    double base = params < cap ? params : cap;
    double excess = params / base - 1.0;
    *eff_params =
        base + base * law->rn_star * (1.0 - sg_exp(-excess / law->rn_star));
}

SG_HD double sg_joint_loss(const sg_point_law *law, double params,
                           double tokens)
{
    double eff_params, eff_tokens;
    sg_muennighoff_effective(law, params, tokens, &eff_params, &eff_tokens);
    return law->E + law->A * sg_pow(eff_params, -law->alpha) +
           law->B * sg_pow(eff_tokens, -law->beta);
}

SG_HD double sg_point_loss(const sg_point_law *law, double params,
                           double tokens)
{
    if (!sg_law_separable(law))
        return sg_joint_loss(law, params, tokens);
    return sg_combine_terms(law, sg_row_term(law, params),
                            sg_col_term(law, tokens));
}

/*
 * What a point costs: the key of the iso-loss reduction and the axis of the
 * compute levels. C = m(N) (D + T/3), where m(N) is the training FLOPs per
 * token and T/3 the lifetime inference tokens T expressed in training
 * tokens (a forward pass costs a third of forward + backward: 2N of 6N).
 *   6N convention:       m = 6 N (Kaplan, Chinchilla; T = 0 gives 6 N D).
 *   DeepSeek convention: m = M = 72 n_layer d^2 + 12 n_layer d l_seq
 *     (non-embedding FLOPs per token). A sweep derives the shape of each N
 *     from the aspect ratio r = d / n_layer: N = 12 n_layer d^2 = 12 d^3/r,
 *     so d = cbrt(r N / 12) and M = 6 N + N l_seq / d.
 * Evaluated as m * (D + T/3) so rows precompute m and columns D + T/3; the
 * cost is non-decreasing along every row and column, which the kernels'
 * run-start and band-walk shortcuts rely on.
 */
#define SG_PM_FLOPS_6N 0
#define SG_PM_FLOPS_DEEPSEEK 1

typedef struct {
    int kind;            /* SG_PM_FLOPS_* */
    double seq_len;      /* DeepSeek: tokens per sequence */
    double aspect_ratio; /* DeepSeek: d_model / n_layer */
    double extra_tokens; /* T / 3 */
    /* 6 N D exactly (6N convention, no inference): the compute-band parts
     * come from the axes' log coordinates, no log per point. */
    int plain;
} sg_point_cost;

SG_HD double sg_point_flops_per_token(const sg_point_cost *cost,
                                      double params)
{
    if (cost->kind == SG_PM_FLOPS_DEEPSEEK)
        return params *
               (6.0 + cost->seq_len /
                          sg_pow(cost->aspect_ratio * params / 12.0, 1.0 / 3.0));
    return 6.0 * params;
}

SG_HD double sg_cost_tokens(const sg_point_cost *cost, double tokens)
{
    return tokens + cost->extra_tokens;
}

/* The cost from a row's FLOPs per token and a column's cost tokens. */
SG_HD double sg_point_cost_of(double per_token, double cost_tokens)
{
    return per_token * cost_tokens;
}

/* Training FLOPs under the 6N convention, evaluated as (6 N) D. */
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
    return sg_exp(sg_axis_log(ln_lo, step, index));
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

/* The same parts for any cost (point_cost above): a = (ln c_top - ln m) w',
 * e = ln(D + T/3) w'; for a plain cost, exactly the two functions above on
 * the axes' log coordinates. */
SG_HD double sg_cost_band_row(const sg_point_cost *cost, double ln_flops_top,
                              double inv_width, double ln_params,
                              double per_token)
{
    if (cost->plain)
        return sg_flops_band_row(ln_flops_top, inv_width, ln_params);
    return (ln_flops_top - sg_log(per_token)) * inv_width;
}

SG_HD double sg_cost_band_col(const sg_point_cost *cost, double inv_width,
                              double ln_tokens, double cost_tokens)
{
    if (cost->plain)
        return sg_flops_band_col(inv_width, ln_tokens);
    return sg_log(cost_tokens) * inv_width;
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
