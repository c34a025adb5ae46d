/*
 * Declarations shared by host/ and kernels/ but not part of the public API.
 */
#ifndef SG_INTERNAL_H
#define SG_INTERNAL_H

#include "scalegrid.h"
#include "../kernels/sweep_kernels.h"

#include <limits.h>
#include <stdio.h>

#include <stdarg.h>

#if defined(__GNUC__)
#define SG_PRINTF(fmt_index, first_arg) \
    __attribute__((format(printf, fmt_index, first_arg)))
#else
#define SG_PRINTF(fmt_index, first_arg)
#endif

/* Records a one-line message in *err (if err is not NULL). Arguments may
 * point into err->message itself. */
void sg_set_error(sg_error *err, sg_status status, const char *fmt, ...)
    SG_PRINTF(3, 4);
/* Puts a formatted prefix before the message already in *err. */
void sg_prefix_error(sg_error *err, sg_status status, const char *fmt, ...)
    SG_PRINTF(3, 4);

/* Both evaluate to `status`, visibly to the compiler, so that it knows an
 * error path returns non-zero: `return sg_fail(err, SG_ERR_INPUT, ...)`. */
#define sg_fail(err, status, ...) \
    (sg_set_error((err), (status), __VA_ARGS__), (status))
#define sg_prefix(err, status, ...) \
    (sg_prefix_error((err), (status), __VA_ARGS__), (status))

/* Returns from the calling function when `expr` is not SG_OK. */
#define SG_TRY(expr)                   \
    do {                               \
        sg_status sg_try_status_ = (expr); \
        if (sg_try_status_ != SG_OK)   \
            return sg_try_status_;     \
    } while (0)

/* The law reduced to the numbers the per-point math needs. */
sg_point_law sg_point_law_of(const sg_law *law);
/* The Chinchilla-form constants rounded to float once (point_math.h's f32
 * contract), so every f32 backend and test uses the same bits. */
sg_point_law_f32 sg_point_law_f32_of(const sg_law *law);
/* sg_law_validate without the unique-token check (a config's "law" comes
 * before its "unique_tokens"). */
sg_status sg_law_validate_constants(const sg_law *law, sg_error *err);
/* Sweeps rows [row_begin, row_end) of a plan on the GPU into `bins`
 * (host/cuda_backend.c); SG_ERR_CANCELLED, or SG_ERR_RUNTIME with CUDA's
 * file:line message. */
sg_status sg_sweep_on_cuda(const sg_plan *plan, uint64_t row_begin,
                           uint64_t row_end, sg_bins *bins,
                           const volatile sig_atomic_t *cancel, sg_error *err);

/* Staged output files (host/staged.c): written under a temporary name,
 * renamed into place only when a whole set was written. */
typedef struct {
    char final_path[PATH_MAX];
    char temp_path[PATH_MAX];
    int staged;
} sg_staged_file;
sg_status sg_stage_open(sg_staged_file *s, const char *dir, const char *name,
                        FILE **out, sg_error *err);
/* Flushes and closes; any write error anywhere in the file shows here. */
sg_status sg_stage_close(sg_staged_file *s, FILE *f, sg_error *err);
void sg_staged_discard(sg_staged_file *files, size_t count);
/* Renames every file into place; on a failure discards the rest. */
sg_status sg_staged_commit(sg_staged_file *files, size_t count,
                           sg_error *err);

/* A FLOP count reduced to the per-point math's terms (host/cost.c). */
sg_point_cost sg_point_cost_of_count(const sg_flop_count *count);

/* Knobs for tests and benchmarks, beyond the public sg_sweep_run. */
typedef struct {
    int scalar_only;   /* 1: the OpenMP kernel's portable loops, no SIMD */
    uint64_t row_begin; /* sweep only rows [row_begin, row_end) of the grid */
    uint64_t row_end;   /* (0, 0): every row */
    const sg_control *control; /* may be NULL */
    /* Tile shape overrides, 0 for the defaults: tests use tiny tiles to
     * cover tile edges on grids small enough for the reference. */
    uint64_t span_cols, block_points;
} sg_run_options;

/* Whether the caller asked to stop (control and its flag may be NULL). */
int sg_cancelled(const sg_control *control);

/* Seconds on the monotonic clock (timings: differences only). */
double sg_now_seconds(void);

sg_status sg_sweep_run_with(const sg_sweep_config *config,
                            const sg_run_options *options,
                            sg_sweep_result *out, sg_error *err);

/* Appends " (modified)" to a preset's name once its constants changed. */
void sg_law_mark_modified(sg_law *law);

/* Fixed-point text of a double that reads back to the same value (the
 * shortest of %.15g, %.16g, %.17g that round-trips). buf >= 32 bytes. */
void sg_format_double(char *buf, size_t size, double value);

/* Human units: "7.0B", "1.4T", "350M" (counts); "1.2e21" (scientific). */
void sg_format_count(char *buf, size_t size, double value);
void sg_format_sci(char *buf, size_t size, double value);

#endif /* SG_INTERNAL_H */
