/*
 * The CUDA backend: the same bins as sg_sweep_reference, computed on an
 * NVIDIA GPU (compute capability 8.0 or newer) in double precision.
 *
 * C linkage, no CUDA types: the host code (C11) includes this header and
 * links kernels/sweep_cuda.o with the static CUDA runtime, so the program
 * starts on machines without a driver or GPU; sg_cuda_device_count then
 * says why there is nothing to use.
 *
 * Exactness. Everything that depends on one axis only (N_i and D_j from
 * sg_axis_point, the law's row and column terms, the cost's FLOPs per
 * token m(N_i) and cost tokens D_j + T/3, the compute-band parts) is
 * evaluated ONCE per row and column on the host, with point_math.h, exactly
 * as the reference evaluates it, and uploaded: O(rows + cols) doubles per
 * tile. What must be evaluated per point (the direct strategy's terms, the
 * Kaplan form's combine, Muennighoff's whole law) uses point_math.h's own
 * sg_exp/sg_log/sg_pow (kernels/sg_math.h), built from +, -, *, /, floor
 * and bit moves only, never CUDA's exp or pow: those and any libm's are
 * different approximations that disagree in the last bit, and a last-bit
 * change reorders the costs of grid points on one anti-diagonal (equal log
 * steps in N and D make 6 N_i D_j equal up to rounding). With nvcc
 * --fmad=false every operation rounds as on the host, so every path selects
 * the reference's points, bit for bit. The keys in the returned bins are
 * recomputed on the host from the selected indices.
 *
 * Thread safety: every call owns what it allocates (device memory, a
 * stream); nothing is shared between calls. A call makes device 0 current
 * for the calling thread while it runs and restores the previous device.
 */
#ifndef SG_SWEEP_CUDA_H
#define SG_SWEEP_CUDA_H

#include <math.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* sweep_kernels.h has no linkage block of its own: declared here, inside
 * ours, its functions (sg_bins_merge, sg_sweep_reference) keep C linkage
 * when C++ (the .cu files) includes it. The system headers it needs were
 * included above, outside the block. */
#include "sweep_kernels.h"

/* Number of usable CUDA devices (compute capability >= 8.0, device 0
 * among them); 0 when there is no driver, no device or the runtime fails,
 * with a one-line reason in `message` (which may be NULL). Never aborts. */
int sg_cuda_device_count(char *message, size_t message_size);

/* Name of device 0 and its compute capability, e.g.
 * "NVIDIA H100 80GB HBM3 (compute capability 9.0)". Returns 0, or -1 with
 * the reason in `name`. */
int sg_cuda_device_name(char *name, size_t name_size);

/*
 * Sweeps rows [row_begin, row_end) x all columns of `plan` on device 0 and
 * merges the result into `bins` exactly as sg_sweep_reference would (same
 * winners, same tie rule, same NaN/inf rule). Reads only the plan's scalars
 * (law, axes, levels, kernel); ignores its tile arrays, row_base, col_base
 * and col_end. `cancel` (may be NULL) is checked between kernel launches.
 *
 * Returns 0 on success; 1 if cancelled (bins untouched); -1 on a CUDA error
 * ("file:line: <cuda message>" in `message`) or on invalid arguments. After
 * an error everything the call allocated is freed and the device stays
 * usable unless the error itself was fatal to the CUDA context (an illegal
 * address, say), which no library can undo.
 */
int sg_sweep_cuda(const sg_plan *plan, uint64_t row_begin, uint64_t row_end,
                  sg_bins *bins, const volatile sig_atomic_t *cancel,
                  char *message, size_t message_size);

/* ----------------------------------------------------- tests and the lab */

/* Which kernel sweeps a tile. Every path selects the same points; they
 * differ in how much work they do per point. */
enum {
    SG_CUDA_PATH_AUTO = 0,
    /* Every point evaluated in full: the law (direct: the terms per point
     * with the device's pow; factored: the precomputed terms), its loss-
     * and compute-band coordinates. Any law. */
    SG_CUDA_PATH_POINTWISE = 1,
    /* Every point's loss-band coordinate (one subtraction), run starts
     * found from a 32-point bit mask; each compute band's least loss is the
     * last column of its range. Factored Chinchilla form whose column terms
     * never increase (checked on the host). Auto for factored. */
    SG_CUDA_PATH_DENSE = 2,
    /* Only where the bands change along a row (galloping search): work per
     * band crossing, not per point. Same condition as DENSE. Auto for the
     * exact strategy. */
    SG_CUDA_PATH_CROSSINGS = 3
};

/* Shape overrides; 0 everywhere (or a NULL pointer) is the default. Tests
 * use tiny tiles, launches and segments to cover every edge on grids the
 * reference sweeps quickly; the lab sweeps block sizes. */
typedef struct {
    int path;                 /* SG_CUDA_PATH_*; a path whose condition
                                 fails is an error, not a fallback */
    unsigned block_threads;   /* threads per block: multiple of 32, <= 1024;
                                 more than a kernel's registers allow runs
                                 as the largest block that does */
    uint64_t segment_cols;    /* columns a thread walks: multiple of 32 */
    uint64_t span_cols;       /* columns per tile (any >= 1) */
    uint64_t tile_rows;       /* rows per tile (any >= 1) */
    uint64_t launch_points;   /* grid points per kernel launch, about */
    int global_bins;          /* 1: bins in global memory even when the
                                 levels fit in shared memory */
    size_t debug_extra_bytes; /* tests: allocate this many more bytes of
                                 device memory up front (an impossible size
                                 exercises the error path) */
} sg_cuda_tuning;

/* sg_sweep_cuda with shape overrides (`tuning` may be NULL). */
int sg_sweep_cuda_tuned(const sg_plan *plan, uint64_t row_begin,
                        uint64_t row_end, sg_bins *bins,
                        const volatile sig_atomic_t *cancel,
                        const sg_cuda_tuning *tuning, char *message,
                        size_t message_size);

#ifdef __cplusplus
}
#endif

#endif /* SG_SWEEP_CUDA_H */
