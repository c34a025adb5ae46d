/*
 * The CUDA backend: the reference's bins, bit for bit, from an NVIDIA GPU.
 *
 * Nothing here has run on a GPU yet: the machine it was written on has none
 * (nvcc compiles and links it). Every statement below about what the
 * hardware does is design intent, to be checked with tests/test_cuda.c and
 * bench/cuda/sweep_lab.cu on a device.
 *
 * Shapes. The grid is rows (N_i) x cols (D_j), flat index i * cols + j
 * (64-bit everywhere). It is swept in tiles of at most tile_rows x span_cols
 * points; a tile's per-row and per-column terms are computed on the host
 * (below: why) into arrays of tile_rows and span_cols doubles and uploaded.
 * Inside a tile, a work item is 32 consecutive rows x one segment of
 * segment_cols columns; a warp takes an item, lane l walks row 32 g + l
 * along the segment. All lanes of a warp read the same column at the same
 * step, so column loads are warp-uniform (one L1 transaction for 32
 * points) and each lane's row values are loaded once per item.
 *
 * Exactness. Per point the kernels use only +, -, *, comparisons, floor and
 * conversions of the uploaded doubles (nvcc --fmad=false: no fused
 * multiply-add), so they round exactly as the reference does. N_i, D_j,
 * the law's terms and the cost's parts (FLOPs per token m(N), cost tokens
 * D + T/3, the compute-band parts) come from the host through
 * point_math.h, like the reference's. The direct strategy, the Kaplan
 * combine and the joint (Muennighoff) loss evaluate exp/pow per point on
 * the device, as their definition requires, with point_math.h's own
 * sg_exp/sg_pow (kernels/sg_math.h: the same bits as on the host), never
 * CUDA's (see sweep_cuda.h).
 *
 * Reduction (never stores the grid; CUB-style transform-reduce):
 *  - iso-loss: along a row the cost m(N_i) (D_j + T/3) never decreases
 *    (6 N_i D_j by default; point_math.h); in a run of consecutive points
 *    with the same floor(s) the first has the least (cost, index). A
 *    thread offers only run starts
 *    (the first point of its segment always counts as one: offering more
 *    points than needed never changes a winner).
 *  - iso-FLOP: a thread keeps the least (loss, index) per compute band over
 *    its segment and offers it when the band changes.
 *  - offers go to the block's bins in shared memory (one slot per band:
 *    key, index and a lock; a slot is updated under its lock with
 *    sg_better, so the (key, index) order is exact; a key larger than the
 *    slot's is rejected without the lock, since slots only improve). At the
 *    end of a launch each block writes its bins to its own slice of global
 *    memory and a small kernel merges the slices into the sweep's bins.
 *    When the bands do not fit in 48 KiB of shared memory (more than 2457
 *    slots), the same locked update goes straight to the sweep's bins in
 *    global memory.
 *  - the bins' keys are recomputed on the host from the winning indices
 *    (same expressions as the reference), then merged into the caller's
 *    bins with sg_bins_merge.
 *
 * Paths (SG_CUDA_PATH_*; all select the same points):
 *  POINTWISE  every point in full; any law, direct or factored; the only
 *             path for a law that does not separate (Muennighoff's), whose
 *             whole loss is evaluated per point on the device.
 *  DENSE      factored Chinchilla with column terms that never increase:
 *             one subtraction and a rounding per point for the loss band;
 *             run starts collected as a 32-bit mask per 32 columns; compute
 *             bands found by galloping search, each band's least loss is
 *             the last column of its range (the loss never increases).
 *  CROSSINGS  same condition; the loss-band runs found by galloping search
 *             too: work per band crossing, not per point (strategy exact).
 */
#include <cuda_runtime.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <thread>
#include <vector>

#include "sweep_cuda.h"

namespace {

constexpr unsigned WARP = 32;
/* Shared memory a block's bins may use without opting in to more: 48 KiB,
 * 20 bytes a slot (key, index, lock). */
constexpr size_t SHARED_BINS_BYTES = 48 * 1024;
constexpr size_t SLOT_BYTES = sizeof(double) + sizeof(uint64_t) + sizeof(int);

constexpr unsigned DEFAULT_BLOCK_THREADS = 256;
constexpr uint64_t DEFAULT_SPAN_COLS = UINT64_C(1) << 18;
constexpr uint64_t DEFAULT_TILE_ROWS = UINT64_C(1) << 18;
/* About 1 ms of the dense path on an H100 (estimated): cancellation is
 * checked between launches. */
constexpr uint64_t DEFAULT_LAUNCH_POINTS = UINT64_C(1) << 32;
/* Host threads for the per-axis terms (exp and pow per row and column). */
constexpr unsigned MAX_HOST_THREADS = 16;
constexpr uint64_t MIN_POINTS_PER_HOST_THREAD = 8192;

/* Kernels as launched: the public paths, POINTWISE split by how it gets a
 * point's loss. */
enum kernel_path {
    KP_POINTWISE_FACTORED,
    KP_POINTWISE_DIRECT,
    KP_POINTWISE_JOINT, /* a law that does not separate */
    KP_DENSE,
    KP_CROSSINGS
};

/* Columns a thread walks per work item, by path: the pointwise paths spend
 * up to a few hundred instructions a point (pow), the dense path a few, the
 * crossings path a few per band crossing. */
uint64_t default_segment_cols(kernel_path path)
{
    switch (path) {
    case KP_POINTWISE_FACTORED:
    case KP_POINTWISE_DIRECT:
    case KP_POINTWISE_JOINT:
        return 256;
    case KP_DENSE:
        return 1024;
    case KP_CROSSINGS:
        return 4096;
    }
    return 256;
}

/* ------------------------------------------------------------- device */

/* Bins on the device as parallel arrays of `slots` entries: slot b <=
 * loss_count is iso-loss band b (b = loss_count: below the lowest band),
 * slot loss_count + 1 + k is iso-FLOP band k. */
struct bin_view {
    double *key;
    uint64_t *index;
    int *lock; /* 0 free, 1 held */
};

/* Everything a sweep kernel reads: one tile and a range of its items. */
struct sweep_args {
    sg_point_law law;
    uint64_t cols;            /* grid columns: flat index = row * cols + col */
    uint64_t row0, tile_rows; /* the tile: rows [row0, row0 + tile_rows) */
    uint64_t col0, tile_cols; /*   x columns [col0, col0 + tile_cols) */
    uint64_t segment_cols;    /* multiple of 32 */
    uint64_t segs_per_row;    /* ceil(tile_cols / segment_cols) */
    /* items [item_begin, item_end): item = group * segs_per_row + segment,
     * rows 32 group .. 32 group + 31 of the tile */
    uint64_t item_begin, item_end;

    /* Per tile row (index i - row0): N, the FLOPs per token m(N), the
     * law's row term, the row parts of both band coordinates. */
    const double *params, *per_token, *row_term, *loss_row, *flops_row;
    /* Per tile column (index j - col0): D, the cost tokens D + T/3, the
     * law's column term, the column parts of both band coordinates. A
     * point costs per_token[i] * cost_tokens[j]. */
    const double *tokens, *cost_tokens, *col_term, *loss_col, *flops_col;

    double loss_top, loss_inv_width;
    int64_t loss_count, flops_count;
    int64_t slots; /* loss_count + 1 + flops_count */

    bin_view global; /* the sweep's bins (global-memory bins) */
    /* Per-block results, [block][slot] (shared-memory bins). */
    double *slice_key;
    uint64_t *slice_index;
};

template <bool Shared>
__device__ __forceinline__ void bin_fence()
{
    if (Shared)
        __threadfence_block();
    else
        __threadfence();
}

/*
 * Keeps (key, index) in the slot if it is better by sg_better. The update
 * runs under the slot's lock, written in the form that cannot deadlock
 * within a warp (the lane that takes the lock finishes in the same pass of
 * the loop). Slots only ever improve, so a strictly larger key can be
 * rejected from a plain read, which is what most offers get.
 */
template <bool Shared>
__device__ void offer(const bin_view &bins, int64_t slot, double key,
                      uint64_t index)
{
    volatile double *bin_key = bins.key + slot;
    volatile uint64_t *bin_index = bins.index + slot;
    if (key > *bin_key)
        return;
    bool done = false;
    while (!done) {
        if (atomicCAS(bins.lock + slot, 0, 1) == 0) {
            bin_fence<Shared>();
            if (sg_better(key, index, *bin_key, *bin_index)) {
                *bin_key = key;
                *bin_index = index;
            }
            bin_fence<Shared>();
            atomicExch(bins.lock + slot, 0);
            done = true;
        }
    }
}

/*
 * Run class of a loss-band coordinate: floor(s) + 2^52, exactly, for
 * 0 <= s < 2^52 (s + 2^52 rounded toward minus infinity; the doubles in
 * [2^52, 2^53) are the integers). Negative s maps below 2^52, NaN to NaN.
 * Two neighbours are in one run iff their classes compare equal; where the
 * map merges or splits classes outside [0, count) (NONE, or the band below
 * the lowest), at most extra points are offered, which changes no winner.
 * One FP64 add instead of a floor.
 */
__device__ __forceinline__ double run_class(double s)
{
    return __dadd_rd(s, 0x1p52);
}

/*
 * The first x in [lo, hi) at which pred(x) is false, or hi; pred must be
 * true on a prefix of [lo, hi) and false after it. Galloping: probes lo,
 * lo + 1, lo + 3, lo + 7, ..., then bisects, so an answer d columns away
 * costs O(log d) probes (dense band edges cost one or two).
 */
template <class Pred>
__device__ uint64_t first_fail(uint64_t lo, uint64_t hi, Pred pred)
{
    uint64_t step = 1;
    while (lo < hi) {
        uint64_t probe = hi - lo > step - 1 ? lo + step - 1 : hi - 1;
        if (!pred(probe)) {
            hi = probe;
            break;
        }
        lo = probe + 1;
        step *= 2;
    }
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (pred(mid))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/*
 * Iso-FLOP bands of one row over tile columns [tj0, tj1), for the factored
 * Chinchilla form whose column terms never increase (DENSE, CROSSINGS).
 * The compute-band coordinate a - e[j] never increases (e never decreases;
 * both checked on the host), so each band is one column range, found by
 * galloping; the loss r + c[j] never increases, so the range's least
 * (loss, index) is its last column, moved back over equal losses.
 */
template <bool Shared>
__device__ void iso_flops_ranges(const sweep_args &A, const sg_point_law *law,
                                 const bin_view &bins, uint64_t base,
                                 double a, double r, uint64_t tj0,
                                 uint64_t tj1)
{
    const double *e = A.flops_col, *c = A.col_term;
    const double top = (double)A.flops_count;
    uint64_t j = tj0;
    while (j < tj1) {
        double fs = sg_flops_band_coord(a, e[j]);
        if (!(fs >= 0.0))
            return; /* above the top level (or NaN) to the segment's end */
        /* The class of column j is [edge, edge + 1), or [top, inf). */
        double edge = fs >= top ? top : floor(fs);
        uint64_t end = first_fail(j + 1, tj1, [&](uint64_t x) {
            return sg_flops_band_coord(a, e[x]) >= edge;
        });
        if (fs < top) {
            int64_t band = sg_band_of(fs, A.flops_count);
            uint64_t k = end - 1;
            double loss = sg_combine_terms(law, r, c[k]);
            while (k > j && sg_combine_terms(law, r, c[k - 1]) == loss)
                k--;
            if (loss < INFINITY) /* NaN and +inf are never selected */
                offer<Shared>(bins, A.loss_count + 1 + band, loss, base + k);
        }
        j = end;
    }
}

/*
 * Iso-loss bands of one row over [tj0, tj1), every point (DENSE). The
 * coordinate is s = u - v[j], u and v the row and column parts of the
 * factored form (exactly sg_loss_band_coord's Chinchilla expression). A
 * 32-column chunk is one pass that builds a bit mask of run starts (run
 * class differs from the left neighbour's) without branching, then the set
 * bits are offered. v loads are warp-uniform, two columns per load.
 */
template <bool Shared>
__device__ void iso_loss_dense(const sweep_args &A, const bin_view &bins,
                               uint64_t base, double u, double per_token,
                               uint64_t tj0, uint64_t tj1)
{
    const double *v = A.loss_col, *cost_tokens = A.cost_tokens;
    double prev = __longlong_as_double(0x7ff8000000000000LL); /* NaN */
    for (uint64_t j = tj0; j < tj1; j += WARP) {
        unsigned starts = 0;
        if (tj1 - j >= WARP) {
            /* j is a multiple of 32 (segments are), so v + j is 16-byte
             * aligned for the double2 loads */
#pragma unroll
            for (unsigned k = 0; k < WARP; k += 2) {
                double2 w = __ldg(reinterpret_cast<const double2 *>(v + j + k));
                double q0 = run_class(u - w.x), q1 = run_class(u - w.y);
                starts |= (unsigned)(q0 != prev) << k;
                starts |= (unsigned)(q1 != q0) << (k + 1);
                prev = q1;
            }
        } else {
            for (unsigned k = 0; j + k < tj1; k++) {
                double q = run_class(u - __ldg(v + j + k));
                starts |= (unsigned)(q != prev) << k;
                prev = q;
            }
        }
        while (starts) {
            uint64_t t = j + (uint64_t)(__ffs((int)starts) - 1);
            starts &= starts - 1;
            int64_t band = sg_band_of(u - v[t], A.loss_count);
            if (band != SG_BAND_NONE)
                offer<Shared>(bins, band,
                              sg_point_cost_of(per_token, cost_tokens[t]),
                              base + t);
        }
    }
}

/*
 * Iso-loss bands of one row over [tj0, tj1), only where the class changes
 * (CROSSINGS). v never increases (checked on the host), so s = u - v[j]
 * never decreases and the first column reaching the next integer is found
 * by galloping. Each band's first column in the segment is offered; once s
 * reaches the band below the lowest level, the rest of the segment has
 * more FLOPs in the same bin and is skipped.
 */
template <bool Shared>
__device__ void iso_loss_crossings(const sweep_args &A, const bin_view &bins,
                                   uint64_t base, double u, double per_token,
                                   uint64_t tj0, uint64_t tj1)
{
    const double *v = A.loss_col, *cost_tokens = A.cost_tokens;
    uint64_t j = tj0;
    double s = u - v[j];
    for (;;) {
        double next; /* s of the next run starts at this integer */
        if (s >= 0.0) {
            int64_t band = sg_band_of(s, A.loss_count);
            offer<Shared>(bins, band,
                          sg_point_cost_of(per_token, cost_tokens[j]),
                          base + j);
            if (band == A.loss_count)
                return;
            next = floor(s) + 1.0;
        } else if (s < 0.0) {
            next = 0.0;
        } else {
            return; /* NaN: u is NaN (v is finite), so is the whole row */
        }
        j = first_fail(j + 1, tj1,
                       [&](uint64_t x) { return !(u - v[x] >= next); });
        if (j == tj1)
            return;
        s = u - v[j];
    }
}

/* How the pointwise path gets a point's loss. */
enum law_eval {
    EVAL_FACTORED, /* the uploaded row and column terms, combined */
    EVAL_DIRECT,   /* the terms per point, sg_pow on the device */
    EVAL_JOINT     /* a law that does not separate, whole per point */
};

/*
 * Every point of one row over [tj0, tj1), in full (POINTWISE): the loss
 * (as the reference's reference_loss: terms and combine, or the joint law
 * with row = col = 0), the loss-band coordinate and its run starts, the
 * compute band and the least loss per run of one band. Any law, no
 * monotonicity assumed.
 */
template <bool Shared, int Eval>
__device__ void pointwise(const sweep_args &A, const sg_point_law *law,
                          const bin_view &bins, uint64_t ti, uint64_t base,
                          uint64_t tj0, uint64_t tj1)
{
    const double params = A.params[ti], per_token = A.per_token[ti];
    const double row_term = A.row_term[ti], a = A.flops_row[ti];
    const int64_t flops_slot0 = A.loss_count + 1;
    double prev = __longlong_as_double(0x7ff8000000000000LL); /* NaN */
    int64_t fband = INT64_MIN; /* no band yet */
    double best = INFINITY;
    uint64_t best_j = tj0;
    for (uint64_t j = tj0; j < tj1; j++) {
        double r = 0.0, c = 0.0, loss;
        if (Eval == EVAL_JOINT) {
            loss = sg_joint_loss(law, params, A.tokens[j]);
        } else {
            r = Eval == EVAL_DIRECT ? sg_row_term(law, params) : row_term;
            c = Eval == EVAL_DIRECT ? sg_col_term(law, A.tokens[j])
                                    : A.col_term[j];
            loss = sg_combine_terms(law, r, c);
        }
        double s = sg_loss_band_coord(law, A.loss_top, A.loss_inv_width, r,
                                      c, loss);
        double q = run_class(s);
        if (q != prev) {
            int64_t band = sg_band_of(s, A.loss_count);
            if (band != SG_BAND_NONE)
                offer<Shared>(bins, band,
                              sg_point_cost_of(per_token, A.cost_tokens[j]),
                              base + j);
        }
        prev = q;
        if (!(loss < INFINITY))
            continue; /* NaN and +inf are never selected */
        int64_t fb = sg_band_of(sg_flops_band_coord(a, A.flops_col[j]),
                                A.flops_count);
        if (fb != fband) {
            if (fband >= 0 && fband < A.flops_count)
                offer<Shared>(bins, flops_slot0 + fband, best, base + best_j);
            fband = fb;
            best = loss;
            best_j = j;
        } else if (loss < best) {
            best = loss;
            best_j = j;
        }
    }
    if (fband >= 0 && fband < A.flops_count)
        offer<Shared>(bins, flops_slot0 + fband, best, base + best_j);
}

/* Dynamic shared memory of a block's bins: keys, then indices, then locks
 * (slots x 20 bytes). */
extern __shared__ double shared_bins[];

template <int Path, bool Shared>
__global__ void sweep_kernel(const sweep_args A)
{
    sg_point_law law = A.law;
    if (Path == KP_DENSE || Path == KP_CROSSINGS)
        law.form = SG_PM_FORM_CHINCHILLA; /* the host picks these paths for
                                             it only; a constant form drops
                                             the Kaplan branch (a pow) */
    bin_view bins = A.global;
    if (Shared) {
        bins.key = shared_bins;
        bins.index = reinterpret_cast<uint64_t *>(shared_bins + A.slots);
        bins.lock = reinterpret_cast<int *>(shared_bins + 2 * A.slots);
        for (int64_t k = threadIdx.x; k < A.slots; k += blockDim.x) {
            bins.key[k] = INFINITY;
            bins.index[k] = SG_NO_POINT;
            bins.lock[k] = 0;
        }
        __syncthreads();
    }

    const uint64_t warps = blockDim.x / WARP;
    const uint64_t lane = threadIdx.x % WARP;
    for (uint64_t item = A.item_begin + blockIdx.x * warps + threadIdx.x / WARP;
         item < A.item_end; item += gridDim.x * warps) {
        const uint64_t group = item / A.segs_per_row;
        const uint64_t segment = item % A.segs_per_row;
        const uint64_t ti = group * WARP + lane;
        if (ti >= A.tile_rows)
            continue; /* the tile's last group of rows is partial */
        const uint64_t tj0 = segment * A.segment_cols;
        const uint64_t tj1 = A.tile_cols - tj0 < A.segment_cols
                                 ? A.tile_cols
                                 : tj0 + A.segment_cols;
        /* flat index of tile column 0 of this row */
        const uint64_t base = (A.row0 + ti) * A.cols + A.col0;
        if constexpr (Path == KP_POINTWISE_FACTORED) {
            pointwise<Shared, EVAL_FACTORED>(A, &law, bins, ti, base, tj0, tj1);
        } else if constexpr (Path == KP_POINTWISE_DIRECT) {
            pointwise<Shared, EVAL_DIRECT>(A, &law, bins, ti, base, tj0, tj1);
        } else if constexpr (Path == KP_POINTWISE_JOINT) {
            pointwise<Shared, EVAL_JOINT>(A, &law, bins, ti, base, tj0, tj1);
        } else {
            iso_flops_ranges<Shared>(A, &law, bins, base, A.flops_row[ti],
                                     A.row_term[ti], tj0, tj1);
            if constexpr (Path == KP_DENSE)
                iso_loss_dense<Shared>(A, bins, base, A.loss_row[ti],
                                       A.per_token[ti], tj0, tj1);
            else
                iso_loss_crossings<Shared>(A, bins, base, A.loss_row[ti],
                                           A.per_token[ti], tj0, tj1);
        }
    }

    if (Shared) {
        __syncthreads();
        double *key_out = A.slice_key + (uint64_t)blockIdx.x * A.slots;
        uint64_t *index_out = A.slice_index + (uint64_t)blockIdx.x * A.slots;
        for (int64_t k = threadIdx.x; k < A.slots; k += blockDim.x) {
            key_out[k] = bins.key[k];
            index_out[k] = bins.index[k];
        }
    }
}

/* Empties `slots` bins (and frees their locks). */
__global__ void clear_bins(bin_view bins, int64_t slots)
{
    for (int64_t k = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; k < slots;
         k += (int64_t)gridDim.x * blockDim.x) {
        bins.key[k] = INFINITY;
        bins.index[k] = SG_NO_POINT;
        bins.lock[k] = 0;
    }
}

/* Slices one merge thread reduces before it offers the result. */
constexpr unsigned MERGE_CHUNK = 32;

/* Merges `blocks` per-block slices ([block][slot]) into the sweep's bins.
 * Thread (k, c) reduces slot k over blocks [32 c, 32 c + 32) and offers
 * the result to the slot under its lock; neighbouring threads take
 * neighbouring slots, so the loads are coalesced, and a slot sees
 * ceil(blocks / 32) offers rather than one thread walking every block. */
__global__ void merge_slices(const double *slice_key,
                             const uint64_t *slice_index, unsigned blocks,
                             int64_t slots, bin_view bins)
{
    const uint64_t chunks = (blocks + MERGE_CHUNK - 1) / MERGE_CHUNK;
    const uint64_t work = (uint64_t)slots * chunks;
    for (uint64_t t = blockIdx.x * (uint64_t)blockDim.x + threadIdx.x;
         t < work; t += (uint64_t)gridDim.x * blockDim.x) {
        const int64_t k = (int64_t)(t % (uint64_t)slots);
        const unsigned b0 = (unsigned)(t / (uint64_t)slots) * MERGE_CHUNK;
        const unsigned b1 = blocks - b0 < MERGE_CHUNK ? blocks : b0 + MERGE_CHUNK;
        double key = INFINITY;
        uint64_t index = SG_NO_POINT;
        for (unsigned b = b0; b < b1; b++) {
            double bk = slice_key[(uint64_t)b * slots + k];
            uint64_t bi = slice_index[(uint64_t)b * slots + k];
            if (bi != SG_NO_POINT && sg_better(bk, bi, key, index)) {
                key = bk;
                index = bi;
            }
        }
        if (index != SG_NO_POINT)
            offer<false>(bins, k, key, index);
    }
}

/* --------------------------------------------------------------- host */

/* Tile arrays, as the plan's tile arrays (sweep_kernels.h). */
enum { ROW_PARAMS, ROW_PER_TOKEN, ROW_TERM, ROW_LOSS_PART, ROW_FLOPS_PART,
       ROW_ARRAYS };
enum { COL_TOKENS, COL_COST_TOKENS, COL_TERM, COL_LOSS_PART, COL_FLOPS_PART,
       COL_ARRAYS };

/* Facts about a tile's columns that the monotone paths rely on, checked on
 * the very doubles that are uploaded. */
struct span_facts {
    bool cost_tokens_nondecreasing; /* the cost never decreases along a row */
    bool col_term_monotone;         /* finite and never increasing */
    bool flops_col_nondecreasing;   /* compute bands are column ranges */
};

/* Runs f(begin, end) over [0, n) on up to MAX_HOST_THREADS threads (the
 * calling thread included); if a thread cannot be started, the calling
 * thread does its share. f must only write its own range. */
template <class F>
void parallel_for(uint64_t n, const F &f)
{
    unsigned threads = std::thread::hardware_concurrency();
    if (threads > MAX_HOST_THREADS)
        threads = MAX_HOST_THREADS;
    if (threads > n / MIN_POINTS_PER_HOST_THREAD)
        threads = (unsigned)(n / MIN_POINTS_PER_HOST_THREAD);
    if (threads < 2) {
        f(0, n);
        return;
    }
    uint64_t chunk = (n + threads - 1) / threads;
    std::vector<std::thread> pool;
    uint64_t next = chunk; /* [0, chunk) is the calling thread's */
    try {
        pool.reserve(threads);
        while (next < n) {
            uint64_t end = n - next < chunk ? n : next + chunk;
            pool.emplace_back([&f, next, end] { f(next, end); });
            next = end;
        }
    } catch (...) {
        /* no more threads: [next, n) stays with the calling thread */
    }
    f(0, chunk < n ? chunk : n);
    if (next < n)
        f(next, n);
    for (std::thread &t : pool)
        t.join();
}

/* One sweep call: what it owns and where it reports. */
struct sweep {
    const sg_plan *p = nullptr;
    char *message = nullptr;
    size_t message_size = 0;
    const volatile sig_atomic_t *cancel = nullptr;
    sg_cuda_tuning t{};

    int previous_device = -1; /* restored when the call ends */
    cudaStream_t stream = nullptr;
    int sms = 0;
    unsigned launched_block = 0; /* threads per block of the last launch */
    int64_t slots = 0;
    bool shared = false; /* bins in shared memory (else global) */
    unsigned slices = 0; /* per-block slices allocated (shared bins) */

    uint64_t tile_rows_max = 0, span_cols_max = 0;
    /* distance between a tile's arrays: the column one is a multiple of 32
     * doubles, so each column array is 256-byte aligned like the
     * allocation (the dense path loads two columns at a time) */
    uint64_t row_stride = 0, col_stride = 0;
    double *rows_host = nullptr, *cols_host = nullptr; /* staging */
    double *rows_dev = nullptr, *cols_dev = nullptr;
    bin_view bins{};     /* the sweep's bins, device */
    double *slice_key = nullptr;
    uint64_t *slice_index = nullptr;
    void *extra = nullptr;

    /* the current tile */
    uint64_t row0 = 0, rows = 0, col0 = 0, cols = 0;
    span_facts facts{};
};

void put_message(sweep *s, const char *fmt, const char *detail)
{
    if (s->message && s->message_size)
        snprintf(s->message, s->message_size, fmt, detail);
}

/* Records "file:line: <cuda message> (<error name>)" and clears the error
 * if it is not sticky, so the next call starts clean. */
void record_cuda_error(sweep *s, const char *file, int line, cudaError_t e)
{
    if (s->message && s->message_size)
        snprintf(s->message, s->message_size, "%s:%d: %s (%s)", file, line,
                 cudaGetErrorString(e), cudaGetErrorName(e));
    (void)cudaGetLastError();
}

/* Returns -1 from the enclosing function (which has a `sweep *s`) when a
 * CUDA call fails, with the failing call's file and line in s->message. */
#define CHECK_CUDA(call)                                              \
    do {                                                              \
        cudaError_t check_cuda_error_ = (call);                       \
        if (check_cuda_error_ != cudaSuccess) {                       \
            record_cuda_error(s, __FILE__, __LINE__, check_cuda_error_); \
            return -1;                                                \
        }                                                             \
    } while (0)

int fail(sweep *s, const char *what)
{
    put_message(s, "%s", what);
    return -1;
}

bool cancelled(const sweep *s)
{
    return s->cancel && *s->cancel;
}

/* Rows [r0, r0 + n): N, the FLOPs per token, the law's row term and the
 * row parts of both band coordinates, with the reference's expressions
 * (the loss-band row part is what the Chinchilla form's coordinate
 * subtracts from; other forms do not read it). */
void fill_rows(const sg_plan *p, uint64_t r0, uint64_t n, uint64_t stride,
               double *out)
{
    parallel_for(n, [=](uint64_t begin, uint64_t end) {
        for (uint64_t k = begin; k < end; k++) {
            uint64_t i = r0 + k;
            double params = sg_axis_point(p->params_lo, p->params_hi, p->rows,
                                          p->params_ln_lo, p->params_step, i);
            double per_token = sg_point_flops_per_token(&p->cost, params);
            double row = sg_row_term(&p->law, params);
            out[ROW_PARAMS * stride + k] = params;
            out[ROW_PER_TOKEN * stride + k] = per_token;
            out[ROW_TERM * stride + k] = row;
            out[ROW_LOSS_PART * stride + k] =
                sg_loss_band_row(p->loss_top, p->loss_inv_width, row);
            out[ROW_FLOPS_PART * stride + k] = sg_cost_band_row(
                &p->cost, p->ln_flops_top, p->flops_inv_width,
                sg_axis_log(p->params_ln_lo, p->params_step, i), per_token);
        }
    });
}

/* Columns [c0, c0 + n): D, the cost tokens, the law's column term and the
 * column parts of both band coordinates. */
void fill_cols(const sg_plan *p, uint64_t c0, uint64_t n, uint64_t stride,
               double *out)
{
    parallel_for(n, [=](uint64_t begin, uint64_t end) {
        for (uint64_t k = begin; k < end; k++) {
            uint64_t j = c0 + k;
            double tokens = sg_axis_point(p->tokens_lo, p->tokens_hi, p->cols,
                                          p->tokens_ln_lo, p->tokens_step, j);
            double cost_tokens = sg_cost_tokens(&p->cost, tokens);
            double col = sg_col_term(&p->law, tokens);
            out[COL_TOKENS * stride + k] = tokens;
            out[COL_COST_TOKENS * stride + k] = cost_tokens;
            out[COL_TERM * stride + k] = col;
            out[COL_LOSS_PART * stride + k] =
                sg_loss_band_col(p->loss_inv_width, col);
            out[COL_FLOPS_PART * stride + k] = sg_cost_band_col(
                &p->cost, p->flops_inv_width,
                sg_axis_log(p->tokens_ln_lo, p->tokens_step, j), cost_tokens);
        }
    });
}

span_facts facts_of(const double *cols, uint64_t n, uint64_t stride)
{
    span_facts f = {true, true, true};
    const double *cost_tokens = cols + COL_COST_TOKENS * stride;
    const double *term = cols + COL_TERM * stride;
    const double *flops = cols + COL_FLOPS_PART * stride;
    for (uint64_t k = 0; k < n; k++) {
        f.col_term_monotone &= isfinite(term[k]) != 0;
        if (k == 0)
            continue;
        f.cost_tokens_nondecreasing &= cost_tokens[k] >= cost_tokens[k - 1];
        f.col_term_monotone &= term[k] <= term[k - 1];
        f.flops_col_nondecreasing &= flops[k] >= flops[k - 1];
    }
    return f;
}

/* Allocates what every tile needs: staging and device term arrays, the
 * sweep's bins (cleared), the per-block slices. */
int sweep_open(sweep *s, uint64_t row_begin, uint64_t row_end)
{
    const sg_plan *p = s->p;
    CHECK_CUDA(cudaGetDevice(&s->previous_device));
    CHECK_CUDA(cudaSetDevice(0));
    int major = 0, minor = 0;
    CHECK_CUDA(cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, 0));
    CHECK_CUDA(cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, 0));
    if (major < 8) {
        char cc[32];
        snprintf(cc, sizeof cc, "%d.%d", major, minor);
        put_message(s, "CUDA device 0 has compute capability %s; this build "
                       "needs 8.0 or newer", cc);
        return -1;
    }
    CHECK_CUDA(cudaDeviceGetAttribute(&s->sms, cudaDevAttrMultiProcessorCount, 0));
    int max_threads_sm = 0, max_blocks_sm = 0;
    CHECK_CUDA(cudaDeviceGetAttribute(&max_threads_sm,
                                      cudaDevAttrMaxThreadsPerMultiProcessor, 0));
    CHECK_CUDA(cudaDeviceGetAttribute(&max_blocks_sm,
                                      cudaDevAttrMaxBlocksPerMultiprocessor, 0));
    CHECK_CUDA(cudaStreamCreateWithFlags(&s->stream, cudaStreamNonBlocking));

    if (s->t.debug_extra_bytes)
        CHECK_CUDA(cudaMalloc(&s->extra, s->t.debug_extra_bytes));

    uint64_t window = row_end - row_begin;
    s->tile_rows_max = window < s->t.tile_rows ? window : s->t.tile_rows;
    s->span_cols_max = p->cols < s->t.span_cols ? p->cols : s->t.span_cols;
    s->row_stride = s->tile_rows_max;
    s->col_stride = (s->span_cols_max + WARP - 1) / WARP * WARP;
    /* calloc: the tails of a partial tile are uploaded too, initialised */
    s->rows_host = (double *)calloc(ROW_ARRAYS * s->row_stride, sizeof(double));
    s->cols_host = (double *)calloc(COL_ARRAYS * s->col_stride, sizeof(double));
    if (!s->rows_host || !s->cols_host)
        return fail(s, "out of host memory for the CUDA backend's tile terms");
    CHECK_CUDA(cudaMalloc(&s->rows_dev, ROW_ARRAYS * s->row_stride * sizeof(double)));
    CHECK_CUDA(cudaMalloc(&s->cols_dev, COL_ARRAYS * s->col_stride * sizeof(double)));

    s->slots = p->loss_count + 1 + p->flops_count;
    size_t slots = (size_t)s->slots;
    CHECK_CUDA(cudaMalloc(&s->bins.key, slots * sizeof(double)));
    CHECK_CUDA(cudaMalloc(&s->bins.index, slots * sizeof(uint64_t)));
    CHECK_CUDA(cudaMalloc(&s->bins.lock, slots * sizeof(int)));
    const unsigned clear_grid =
        (unsigned)((slots + 255) / 256 < 65535 ? (slots + 255) / 256 : 65535);
    clear_bins<<<clear_grid, 256, 0, s->stream>>>(s->bins, s->slots);
    CHECK_CUDA(cudaGetLastError());

    s->shared = !s->t.global_bins && slots * SLOT_BYTES <= SHARED_BINS_BYTES;
    if (s->shared) {
        /* as many slices as blocks can be resident at once */
        unsigned per_sm = (unsigned)max_threads_sm / s->t.block_threads;
        if (per_sm > (unsigned)max_blocks_sm)
            per_sm = (unsigned)max_blocks_sm;
        s->slices = per_sm * (unsigned)s->sms;
        CHECK_CUDA(cudaMalloc(&s->slice_key, s->slices * slots * sizeof(double)));
        CHECK_CUDA(cudaMalloc(&s->slice_index, s->slices * slots * sizeof(uint64_t)));
    }
    return 0;
}

void sweep_close(sweep *s)
{
    if (s->stream) {
        (void)cudaStreamSynchronize(s->stream);
        (void)cudaStreamDestroy(s->stream);
    }
    (void)cudaFree(s->extra);
    (void)cudaFree(s->rows_dev);
    (void)cudaFree(s->cols_dev);
    (void)cudaFree(s->bins.key);
    (void)cudaFree(s->bins.index);
    (void)cudaFree(s->bins.lock);
    (void)cudaFree(s->slice_key);
    (void)cudaFree(s->slice_index);
    free(s->rows_host);
    free(s->cols_host);
    if (s->previous_device >= 0)
        (void)cudaSetDevice(s->previous_device);
    /* the frees above report earlier errors again; this call starts none */
    (void)cudaGetLastError();
}

/* Makes columns [c0, c1) the current span: host terms, facts, upload. */
int span_upload(sweep *s, uint64_t c0, uint64_t c1)
{
    uint64_t n = c1 - c0, stride = s->col_stride;
    fill_cols(s->p, c0, n, stride, s->cols_host);
    s->facts = facts_of(s->cols_host, n, stride);
    /* Offering run starts only is exact while the cost never decreases
     * along a row: m(N) > 0 and D + T/3 never decreasing. */
    if (!s->facts.cost_tokens_nondecreasing)
        return fail(s, "the cost tokens D + T/3 decrease along the tokens "
                       "axis in double precision");
    CHECK_CUDA(cudaMemcpyAsync(s->cols_dev, s->cols_host,
                               COL_ARRAYS * stride * sizeof(double),
                               cudaMemcpyHostToDevice, s->stream));
    CHECK_CUDA(cudaStreamSynchronize(s->stream)); /* staging is reused */
    s->col0 = c0;
    s->cols = n;
    return 0;
}

/* Makes rows [r0, r1) the current block of rows. */
int rows_upload(sweep *s, uint64_t r0, uint64_t r1)
{
    uint64_t n = r1 - r0, stride = s->row_stride;
    fill_rows(s->p, r0, n, stride, s->rows_host);
    CHECK_CUDA(cudaMemcpyAsync(s->rows_dev, s->rows_host,
                               ROW_ARRAYS * stride * sizeof(double),
                               cudaMemcpyHostToDevice, s->stream));
    CHECK_CUDA(cudaStreamSynchronize(s->stream));
    s->row0 = r0;
    s->rows = n;
    return 0;
}

/* The path for the current tile: the forced one if its condition holds
 * (else an error), otherwise the fastest that applies. */
int choose_path(sweep *s, kernel_path *out)
{
    const sg_plan *p = s->p;
    bool direct = p->kernel == SG_KERNEL_DIRECT;
    bool monotone = !direct && p->law.form == SG_PM_FORM_CHINCHILLA &&
                    s->facts.col_term_monotone &&
                    s->facts.flops_col_nondecreasing;
    kernel_path pointwise = !sg_law_separable(&p->law) ? KP_POINTWISE_JOINT
                            : direct                   ? KP_POINTWISE_DIRECT
                                                       : KP_POINTWISE_FACTORED;
    switch (s->t.path) {
    case SG_CUDA_PATH_AUTO:
        *out = !monotone ? pointwise
               : p->kernel == SG_KERNEL_EXACT ? KP_CROSSINGS
                                              : KP_DENSE;
        return 0;
    case SG_CUDA_PATH_POINTWISE:
        *out = pointwise;
        return 0;
    case SG_CUDA_PATH_DENSE:
    case SG_CUDA_PATH_CROSSINGS:
        if (!monotone)
            return fail(s, "the dense and crossings paths need the factored "
                           "or exact strategy, the Chinchilla form and column "
                           "terms that never increase");
        *out = s->t.path == SG_CUDA_PATH_DENSE ? KP_DENSE : KP_CROSSINGS;
        return 0;
    }
    return fail(s, "unknown CUDA path");
}

sweep_args args_of(const sweep *s, uint64_t segment_cols)
{
    const sg_plan *p = s->p;
    sweep_args A;
    memset(&A, 0, sizeof A);
    A.law = p->law;
    A.cols = p->cols;
    A.row0 = s->row0;
    A.tile_rows = s->rows;
    A.col0 = s->col0;
    A.tile_cols = s->cols;
    A.segment_cols = segment_cols;
    A.segs_per_row = (s->cols + segment_cols - 1) / segment_cols;
    const uint64_t rs = s->row_stride, cs = s->col_stride;
    A.params = s->rows_dev + ROW_PARAMS * rs;
    A.per_token = s->rows_dev + ROW_PER_TOKEN * rs;
    A.row_term = s->rows_dev + ROW_TERM * rs;
    A.loss_row = s->rows_dev + ROW_LOSS_PART * rs;
    A.flops_row = s->rows_dev + ROW_FLOPS_PART * rs;
    A.tokens = s->cols_dev + COL_TOKENS * cs;
    A.cost_tokens = s->cols_dev + COL_COST_TOKENS * cs;
    A.col_term = s->cols_dev + COL_TERM * cs;
    A.loss_col = s->cols_dev + COL_LOSS_PART * cs;
    A.flops_col = s->cols_dev + COL_FLOPS_PART * cs;
    A.loss_top = p->loss_top;
    A.loss_inv_width = p->loss_inv_width;
    A.loss_count = p->loss_count;
    A.flops_count = p->flops_count;
    A.slots = s->slots;
    A.global = s->bins;
    A.slice_key = s->slice_key;
    A.slice_index = s->slice_index;
    return A;
}

/* Sweeps the current tile with one kernel, in launches of about
 * launch_points points; checks cancellation before each. 0, 1 (cancelled)
 * or -1. */
template <int Path, bool Shared>
int run_tile_with(sweep *s, uint64_t segment_cols)
{
    auto kernel = sweep_kernel<Path, Shared>;
    /* A block size the kernel's registers do not allow (the pointwise
     * kernels use up to ~80 a thread: 1024 x 80 > 64K) falls back to the
     * largest that runs; the block size never changes the result. */
    cudaFuncAttributes attr;
    CHECK_CUDA(cudaFuncGetAttributes(&attr, kernel));
    const unsigned max_block = (unsigned)attr.maxThreadsPerBlock / WARP * WARP;
    const unsigned block = s->t.block_threads < max_block ? s->t.block_threads
                                                          : max_block;
    s->launched_block = block;
    const size_t shared_bytes = Shared ? (size_t)s->slots * SLOT_BYTES : 0;
    int per_sm = 0;
    CHECK_CUDA(cudaOccupancyMaxActiveBlocksPerMultiprocessor(
        &per_sm, kernel, (int)block, shared_bytes));
    if (per_sm < 1)
        return fail(s, "the sweep kernel cannot run with this block size "
                       "(too many registers or too much shared memory)");
    uint64_t resident = (uint64_t)per_sm * (uint64_t)s->sms;
    if (Shared && resident > s->slices)
        resident = s->slices;

    sweep_args A = args_of(s, segment_cols);
    const uint64_t items = (s->rows + WARP - 1) / WARP * A.segs_per_row;
    uint64_t per_launch = s->t.launch_points / (WARP * segment_cols);
    if (per_launch == 0)
        per_launch = 1;
    const uint64_t warps = block / WARP;
    for (uint64_t begin = 0; begin < items; begin += per_launch) {
        if (cancelled(s))
            return 1;
        A.item_begin = begin;
        A.item_end = items - begin < per_launch ? items : begin + per_launch;
        uint64_t blocks = (A.item_end - A.item_begin + warps - 1) / warps;
        unsigned grid = (unsigned)(blocks < resident ? blocks : resident);
        kernel<<<grid, block, shared_bytes, s->stream>>>(A);
        CHECK_CUDA(cudaGetLastError());
        if (Shared) {
            uint64_t merge_threads =
                (uint64_t)s->slots * ((grid + MERGE_CHUNK - 1) / MERGE_CHUNK);
            unsigned merge_grid = (unsigned)((merge_threads + 255) / 256);
            if (merge_grid > 65535)
                merge_grid = 65535;
            merge_slices<<<merge_grid, 256, 0, s->stream>>>(
                s->slice_key, s->slice_index, grid, s->slots, s->bins);
            CHECK_CUDA(cudaGetLastError());
        }
        CHECK_CUDA(cudaStreamSynchronize(s->stream));
    }
    return 0;
}

int run_tile(sweep *s, kernel_path path)
{
    uint64_t seg = s->t.segment_cols ? s->t.segment_cols
                                     : default_segment_cols(path);
    switch (path) {
    case KP_POINTWISE_FACTORED:
        return s->shared ? run_tile_with<KP_POINTWISE_FACTORED, true>(s, seg)
                         : run_tile_with<KP_POINTWISE_FACTORED, false>(s, seg);
    case KP_POINTWISE_DIRECT:
        return s->shared ? run_tile_with<KP_POINTWISE_DIRECT, true>(s, seg)
                         : run_tile_with<KP_POINTWISE_DIRECT, false>(s, seg);
    case KP_POINTWISE_JOINT:
        return s->shared ? run_tile_with<KP_POINTWISE_JOINT, true>(s, seg)
                         : run_tile_with<KP_POINTWISE_JOINT, false>(s, seg);
    case KP_DENSE:
        return s->shared ? run_tile_with<KP_DENSE, true>(s, seg)
                         : run_tile_with<KP_DENSE, false>(s, seg);
    case KP_CROSSINGS:
        return s->shared ? run_tile_with<KP_CROSSINGS, true>(s, seg)
                         : run_tile_with<KP_CROSSINGS, false>(s, seg);
    }
    return fail(s, "unknown CUDA path");
}

/* Copies the sweep's bins back, recomputes each winner's key with the
 * reference's expressions and merges them into `out`. */
int sweep_finish(sweep *s, sg_bins *out)
{
    const sg_plan *p = s->p;
    size_t slots = (size_t)s->slots;
    sg_best *best = (sg_best *)malloc(slots * sizeof(sg_best));
    uint64_t *index = (uint64_t *)malloc(slots * sizeof(uint64_t));
    if (!best || !index) {
        free(best);
        free(index);
        return fail(s, "out of host memory for the CUDA backend's bins");
    }
    cudaError_t e = cudaMemcpyAsync(index, s->bins.index,
                                    slots * sizeof(uint64_t),
                                    cudaMemcpyDeviceToHost, s->stream);
    if (e == cudaSuccess)
        e = cudaStreamSynchronize(s->stream);
    if (e != cudaSuccess) {
        free(best);
        free(index);
        record_cuda_error(s, __FILE__, __LINE__, e);
        return -1;
    }
    for (size_t k = 0; k < slots; k++) {
        best[k].index = index[k];
        best[k].key = INFINITY;
        if (index[k] == SG_NO_POINT)
            continue;
        uint64_t i = index[k] / p->cols, j = index[k] % p->cols;
        double params = sg_axis_point(p->params_lo, p->params_hi, p->rows,
                                      p->params_ln_lo, p->params_step, i);
        double tokens = sg_axis_point(p->tokens_lo, p->tokens_hi, p->cols,
                                      p->tokens_ln_lo, p->tokens_step, j);
        /* the reference's cost and loss of the point */
        best[k].key = (int64_t)k <= p->loss_count
                          ? sg_point_cost_of(sg_point_flops_per_token(&p->cost, params),
                                             sg_cost_tokens(&p->cost, tokens))
                          : sg_point_loss(&p->law, params, tokens);
    }
    sg_bins found = {best, best + p->loss_count + 1, p->loss_count,
                     p->flops_count};
    sg_bins_merge(out, &found);
    free(best);
    free(index);
    return 0;
}

/* Fills in the defaults and checks the overrides. */
int resolve_tuning(sweep *s, const sg_cuda_tuning *t)
{
    if (t)
        s->t = *t;
    if (!s->t.block_threads)
        s->t.block_threads = DEFAULT_BLOCK_THREADS;
    if (!s->t.span_cols)
        s->t.span_cols = DEFAULT_SPAN_COLS;
    if (!s->t.tile_rows)
        s->t.tile_rows = DEFAULT_TILE_ROWS;
    if (!s->t.launch_points)
        s->t.launch_points = DEFAULT_LAUNCH_POINTS;
    if (s->t.block_threads % WARP || s->t.block_threads > 1024)
        return fail(s, "block_threads must be a multiple of 32, at most 1024");
    if (s->t.segment_cols % WARP)
        return fail(s, "segment_cols must be a multiple of 32");
    return 0;
}

int sweep_run(sweep *s, uint64_t row_begin, uint64_t row_end, sg_bins *bins)
{
    int rc = sweep_open(s, row_begin, row_end);
    const sg_plan *p = s->p;
    for (uint64_t c0 = 0; rc == 0 && c0 < p->cols; c0 += s->span_cols_max) {
        uint64_t c1 = p->cols - c0 < s->span_cols_max ? p->cols
                                                       : c0 + s->span_cols_max;
        rc = span_upload(s, c0, c1);
        for (uint64_t r0 = row_begin; rc == 0 && r0 < row_end;
             r0 += s->tile_rows_max) {
            uint64_t r1 = row_end - r0 < s->tile_rows_max ? row_end
                                                           : r0 + s->tile_rows_max;
            kernel_path path = KP_POINTWISE_FACTORED;
            rc = rows_upload(s, r0, r1);
            if (rc == 0)
                rc = choose_path(s, &path);
            if (rc == 0)
                rc = run_tile(s, path);
        }
    }
    if (rc == 0)
        rc = sweep_finish(s, bins);
    return rc;
}

} /* namespace */

/* ----------------------------------------------------------- public API */

extern "C" int sg_cuda_device_count(char *message, size_t message_size)
{
    int count = 0;
    cudaError_t e = cudaGetDeviceCount(&count);
    if (e != cudaSuccess) {
        int driver = 0;
        (void)cudaDriverGetVersion(&driver);
        if (message && message_size) {
            if (driver == 0)
                snprintf(message, message_size,
                         "no CUDA driver is installed (%s)",
                         cudaGetErrorString(e));
            else
                snprintf(message, message_size, "CUDA is not usable: %s",
                         cudaGetErrorString(e));
        }
        (void)cudaGetLastError();
        return 0;
    }
    if (count == 0) {
        if (message && message_size)
            snprintf(message, message_size, "no CUDA device");
        return 0;
    }
    int usable = 0, major0 = 0, minor0 = 0;
    for (int d = 0; d < count; d++) {
        int major = 0, minor = 0;
        if (cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor,
                                   d) != cudaSuccess ||
            cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor,
                                   d) != cudaSuccess) {
            (void)cudaGetLastError();
            continue;
        }
        if (d == 0) {
            major0 = major;
            minor0 = minor;
        }
        usable += major >= 8;
    }
    if (major0 < 8) {
        if (message && message_size)
            snprintf(message, message_size,
                     "CUDA device 0 has compute capability %d.%d; this build "
                     "needs 8.0 or newer",
                     major0, minor0);
        return 0;
    }
    if (message && message_size)
        snprintf(message, message_size, "%d usable CUDA device%s", usable,
                 usable == 1 ? "" : "s");
    return usable;
}

extern "C" int sg_cuda_device_name(char *name, size_t name_size)
{
    cudaDeviceProp prop;
    cudaError_t e = cudaGetDeviceProperties(&prop, 0);
    if (e != cudaSuccess) {
        if (name && name_size)
            snprintf(name, name_size, "no CUDA device: %s",
                     cudaGetErrorString(e));
        (void)cudaGetLastError();
        return -1;
    }
    if (name && name_size)
        snprintf(name, name_size, "%s (compute capability %d.%d)", prop.name,
                 prop.major, prop.minor);
    return 0;
}

extern "C" int sg_sweep_cuda_tuned(const sg_plan *plan, uint64_t row_begin,
                                   uint64_t row_end, sg_bins *bins,
                                   const volatile sig_atomic_t *cancel,
                                   const sg_cuda_tuning *tuning,
                                   char *message, size_t message_size)
{
    sweep s;
    s.p = plan;
    s.message = message;
    s.message_size = message_size;
    s.cancel = cancel;
    if (message && message_size)
        message[0] = '\0';
    if (resolve_tuning(&s, tuning) != 0)
        return -1;
    if (!plan || !bins || bins->loss_count != plan->loss_count ||
        bins->flops_count != plan->flops_count)
        return fail(&s, "bins do not match the plan's level counts");
    if (plan->kernel != SG_KERNEL_FACTORED && plan->kernel != SG_KERNEL_DIRECT &&
        plan->kernel != SG_KERNEL_EXACT)
        return fail(&s, "unknown kernel strategy in the plan");
    if (row_end > plan->rows)
        return fail(&s, "row range is outside the grid");
    if (row_begin >= row_end || plan->cols == 0)
        return 0; /* nothing to sweep */
    if (cancelled(&s))
        return 1;
    int rc = sweep_run(&s, row_begin, row_end, bins);
    sweep_close(&s);
    return rc;
}

extern "C" int sg_sweep_cuda(const sg_plan *plan, uint64_t row_begin,
                             uint64_t row_end, sg_bins *bins,
                             const volatile sig_atomic_t *cancel,
                             char *message, size_t message_size)
{
    return sg_sweep_cuda_tuned(plan, row_begin, row_end, bins, cancel, NULL,
                               message, message_size);
}
