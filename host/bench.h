/* Benchmarks (scalegrid bench): the machine's limits and timed sweeps. */
#ifndef SG_BENCH_H
#define SG_BENCH_H

#include "scalegrid.h"

typedef struct {
    int threads;          /* threads OpenMP offers */
    double clock_hz;      /* one core's cycles per second, measured */
    double fma_flops_one; /* FP64 FLOP/s of one thread, measured */
    double fma_flops_all; /* FP64 FLOP/s of all threads, measured */
    int vector_fma;       /* measured with AVX FMA (else scalar) */
} sg_bench_limits;

/* Measures this machine's clock and FMA peak (about half a second). */
void sg_bench_machine(sg_bench_limits *out);

/* Nominal FP operations per grid point (0 where not per point). */
double sg_bench_ops_per_point(sg_backend backend, sg_strategy strategy,
                              sg_precision precision);

typedef struct {
    sg_backend backend;
    sg_strategy strategy;
    sg_precision precision;
    int threads;
    uint64_t rows, cols;
    uint32_t levels;
    double points, seconds, best_seconds, points_per_second;
} sg_bench_row;

/* The configuration's frontier equals the reference backend's on a small
 * grid of the same law and levels (else SG_ERR_RUNTIME). */
sg_status sg_bench_validate(const sg_sweep_config *config, sg_error *err);
/* Times n configurations of one grid (thread counts, say) in rounds, each
 * round running every configuration once, after a warm-up round; row i
 * gets configuration i's median and best of `repeats` runs. Interleaved so
 * that a machine whose speed drifts from minute to minute (shared virtual
 * machines do, by 10-25%) slows them alike and their ratios stay fair. */
#define SG_BENCH_REPEATS_MAX 64
#define SG_BENCH_INTERLEAVED_MAX 16 /* the thread counts bench accepts */
sg_status sg_bench_time(const sg_sweep_config *configs, int n, int repeats,
                        sg_bench_row *rows, sg_error *err);

#endif /* SG_BENCH_H */
