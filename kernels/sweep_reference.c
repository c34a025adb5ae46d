/*
 * The reference backend: the oracle every other backend is tested against.
 *
 * Scalar, double precision (or the f32 contract of point_math.h when the
 * plan asks for single precision), one thread, no shortcuts: every grid
 * point's axis values, loss, FLOPs and band coordinates are computed from first
 * principles with the shared per-point math, and every point is offered to
 * its bins. It reads nothing the host precomputed except the scalar
 * definitions of the axes and levels, so it also checks the host's planning.
 *
 * Selection rules (the contract all backends follow):
 *  - iso-loss band k keeps the least (cost in FLOPs, flat index);
 *  - iso-FLOP band k keeps the least (loss, flat index);
 *  - a point whose loss is NaN or +inf is never selected;
 *  - ties go to the lowest flat index row * cols + col.
 */
#include "sweep_kernels.h"

static void offer(sg_best *bin, double key, uint64_t index)
{
    if (sg_better(key, index, bin->key, bin->index)) {
        bin->key = key;
        bin->index = index;
    }
}

/* The law at one point: through its row and column terms when it
 * separates (the order every factored backend follows), whole otherwise. */
static double reference_loss(const sg_point_law *law, double params,
                             double tokens, double *row, double *col)
{
    if (!sg_law_separable(law)) {
        *row = *col = 0.0; /* unused: such laws band by the loss itself */
        return sg_joint_loss(law, params, tokens);
    }
    *row = sg_row_term(law, params);
    *col = sg_col_term(law, tokens);
    return sg_combine_terms(law, *row, *col);
}

/* A point's loss and loss-band coordinate: in double, or under the f32
 * contract (point_math.h) in float, widened exactly. */
static double reference_loss_coord(const sg_plan *p, double params,
                                   double tokens, double *loss)
{
    if (p->single) {
        float row = sg_row_term_f32(&p->law32, (float)params);
        float col = sg_col_term_f32(&p->law32, (float)tokens);
        *loss = (double)(row + col);
        return (double)(sg_loss_band_row_f32(p->loss_top32,
                                             p->loss_inv_width32, row) -
                        sg_loss_band_col_f32(p->loss_inv_width32, col));
    }
    double row, col;
    *loss = reference_loss(&p->law, params, tokens, &row, &col);
    return sg_loss_band_coord(&p->law, p->loss_top, p->loss_inv_width, row,
                              col, *loss);
}

static void reference_point(const sg_plan *p, double params, double tokens,
                            double per_token, double flops_row,
                            double ln_tokens, uint64_t index, sg_bins *bins)
{
    double loss;
    double coord = reference_loss_coord(p, params, tokens, &loss);
    double cost_tokens = sg_cost_tokens(&p->cost, tokens);
    double cost = sg_point_cost_of(per_token, cost_tokens);

    int64_t band = sg_band_of(coord, p->loss_count);
    if (band != SG_BAND_NONE)
        offer(&bins->iso_loss[band], cost, index);

    if (!(loss < INFINITY))
        return;
    int64_t cband = sg_band_of(
        sg_flops_band_coord(flops_row,
                            sg_cost_band_col(&p->cost, p->flops_inv_width,
                                             ln_tokens, cost_tokens)),
        p->flops_count);
    if (cband != SG_BAND_NONE && cband < p->flops_count)
        offer(&bins->iso_flops[cband], loss, index);
}

void sg_sweep_reference(const sg_plan *p, uint64_t row_begin,
                        uint64_t row_end, sg_bins *bins)
{
    for (uint64_t i = row_begin; i < row_end; i++) {
        double params = sg_axis_point(p->params_lo, p->params_hi, p->rows,
                                      p->params_ln_lo, p->params_step, i);
        double per_token = sg_point_flops_per_token(&p->cost, params);
        double flops_row = sg_cost_band_row(
            &p->cost, p->ln_flops_top, p->flops_inv_width,
            sg_axis_log(p->params_ln_lo, p->params_step, i), per_token);
        for (uint64_t j = p->col_base; j < p->col_end; j++) {
            double tokens = sg_axis_point(p->tokens_lo, p->tokens_hi, p->cols,
                                          p->tokens_ln_lo, p->tokens_step, j);
            double ln_tokens = sg_axis_log(p->tokens_ln_lo, p->tokens_step, j);
            reference_point(p, params, tokens, per_token, flops_row,
                            ln_tokens, i * p->cols + j, bins);
        }
    }
}
