/*
 * Compile check: the shared per-point math (kernels/point_math.h) builds as
 * CUDA device code, as the CUDA backend will use it. `make test` compiles
 * this with nvcc whenever nvcc is installed; nothing here needs a GPU.
 */
#include "../../kernels/point_math.h"

__global__ void evaluate_points(sg_point_law law, const double *params,
                                const double *tokens, double loss_top,
                                double loss_inv_width, int64_t loss_count,
                                double *losses, int64_t *bands, int count)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= count)
        return;
    double row = sg_row_term(&law, params[i]);
    double col = sg_col_term(&law, tokens[i]);
    double loss = sg_combine_terms(&law, row, col);
    losses[i] = loss;
    bands[i] = sg_band_of(sg_loss_band_coord(&law, loss_top, loss_inv_width,
                                             row, col, loss),
                          loss_count);
    (void)sg_better(sg_point_flops(params[i], tokens[i]), (uint64_t)i,
                    INFINITY, UINT64_MAX);
}
