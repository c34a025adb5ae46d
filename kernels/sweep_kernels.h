/*
 * The interface between the host (planning, dispatch, merge) and the sweep
 * kernels (reference, OpenMP; CUDA plugs in beside them).
 *
 * The host plans a sweep once (resolved axes and levels) and hands the
 * kernels one tile at a time: a span of columns [col_base, col_end) and a
 * block of rows, with the law's terms for just those rows and columns, so
 * memory is bounded by the tile, never O(points). A kernel reduces the
 * tile's rows [row_begin, row_end) into bins: for each loss band the
 * least-FLOPs point, for each compute band the least-loss point, each as
 * (key, flat index). Bins merge by sg_better (a total order), so tiles,
 * threads and devices can be combined in any order with the same result.
 */
#ifndef SG_SWEEP_KERNELS_H
#define SG_SWEEP_KERNELS_H

#include "point_math.h"

#include <stdint.h>

/* An OpenMP directive, or nothing in a build without OpenMP (NO_OMP=1). */
#ifdef _OPENMP
#define SG_OMP(directive) _Pragma(#directive)
#else
#define SG_OMP(directive)
#endif

/* Flat index of an empty bin. */
#define SG_NO_POINT UINT64_MAX

typedef struct {
    double key;     /* cost in FLOPs (iso-loss bins) or loss (iso-FLOP) */
    uint64_t index; /* row * cols + col, SG_NO_POINT when empty */
} sg_best;

typedef struct {
    /* loss_count + 1 entries: bands 0..K-1, then entry K collects the points
     * below the lowest band (needed for the cumulative frontier). */
    sg_best *iso_loss;
    sg_best *iso_flops; /* flops_count entries */
    int64_t loss_count;
    int64_t flops_count;
} sg_bins;

/* Which per-point path a kernel takes. */
enum {
    SG_KERNEL_FACTORED = 0, /* combine precomputed row and column terms */
    SG_KERNEL_DIRECT = 1,   /* the full law, transcendentals at every point */
    /* Only where the bands change along a row (the additive form with
     * column terms that never increase): O(rows x levels) work. */
    SG_KERNEL_EXACT = 2
};

typedef struct {
    sg_point_law law;
    sg_point_cost cost; /* what a point costs (point_math.h) */
    uint64_t rows, cols;

    /* Axes as sg_axis_point / sg_axis_log define them. */
    double params_lo, params_hi, params_ln_lo, params_step;
    double tokens_lo, tokens_hi, tokens_ln_lo, tokens_step;

    /* Loss bands: s = (loss_top - L) * loss_inv_width. */
    double loss_top, loss_inv_width;
    int64_t loss_count;
    /* Compute bands (levels of the cost): s = flops_row[i] - flops_col[j]. */
    double ln_flops_top, flops_inv_width;
    int64_t flops_count;

    /* The current tile: rows from row_base (the block), columns
     * [col_base, col_end) (the span). */
    uint64_t row_base, col_base, col_end;
    /* Per row of the block, index i - row_base: N, the training FLOPs per
     * token m(N) (6 N by default), the law's row term, the row parts of the
     * loss-band (Chinchilla form) and compute-band coordinates. */
    const double *params, *per_token, *row_term, *loss_row, *flops_row;
    /* Per column of the span, index j - col_base: D, the cost tokens
     * D + T/3 (D without inference), the law's column term, the column
     * parts of the loss-band and compute-band coordinates. A point costs
     * per_token[i] * cost_tokens[j]. */
    const double *tokens, *cost_tokens, *col_term, *loss_col, *flops_col;
    /* col_term never increases along the whole tokens axis, so a row's loss
     * never increases (checked by the host before the sweep). */
    int col_term_nonincreasing;

    /* Single precision (--precision f32; point_math.h says what is
     * float): the law and the loss-band top and inverse width rounded to
     * float, and float arrays beside the double ones. Per row: N, the row
     * term, the loss-band row part; per column: D, the column term, the
     * loss-band column part. With `single`, col_term_nonincreasing is about
     * the float column terms. */
    int single;
    sg_point_law_f32 law32;
    float loss_top32, loss_inv_width32;
    const float *params32, *row_term32, *loss_row32;
    const float *tokens32, *col_term32, *loss_col32;

    int kernel;   /* SG_KERNEL_* */
    int threads;  /* OpenMP threads to use (>= 1) */
    int use_simd; /* 0 forces the portable scalar loops (tests use this) */
} sg_plan;

void sg_bins_clear(sg_bins *bins);
/* Keeps in `into` the better of each pair of entries. */
void sg_bins_merge(sg_bins *into, const sg_bins *from);

/* The oracle: scalar double precision, every point from first principles
 * (axis values, law, FLOPs and band coordinates computed per point); it
 * reads none of the tile's arrays, only its bounds. */
void sg_sweep_reference(const sg_plan *plan, uint64_t row_begin,
                        uint64_t row_end, sg_bins *bins);

/* Threads + SIMD, double precision, identical results to the reference.
 * Returns 0, or -1 when scratch memory could not be allocated. */
int sg_sweep_openmp(const sg_plan *plan, uint64_t row_begin, uint64_t row_end,
                    sg_bins *bins);

/* The exact strategy (SG_KERNEL_EXACT): the same bins as the dense scan of
 * rows [row_begin, row_end) x the plan's span, for the Chinchilla form with
 * column terms that never increase. Reads the span's column arrays only.
 * Updates `bins` in place (it prunes against what they already hold).
 * Returns 0. */
int sg_sweep_exact(const sg_plan *plan, uint64_t row_begin, uint64_t row_end,
                   sg_bins *bins);

/* Number of threads OpenMP offers (1 without OpenMP). */
int sg_openmp_max_threads(void);

#endif /* SG_SWEEP_KERNELS_H */
