/*
 * Benchmarks: this machine's own limits (clock, FP64 FMA peak) and the
 * sweep's points per second, each configuration first checked against the
 * reference backend.
 */
#include "internal.h"
#include "bench.h"
#include "../kernels/sweep_kernels.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#if defined(__FMA__) && defined(__AVX__)
#include <immintrin.h>
#define SG_HAVE_FMA 1
#else
#define SG_HAVE_FMA 0
#endif

#ifdef _OPENMP
#include <omp.h>
#endif

/* Seconds each measurement of the machine's limits runs. */
#define PROBE_SECONDS 0.2

/* Cycles per second of one core: chains of eight dependent integer
 * additions, one cycle each on every x86-64 core of this century; the best
 * of a few passes (the first lets the clock ramp up). Elsewhere: 0, not
 * measured. */
static double measure_clock(void)
{
#if defined(__x86_64__)
    uint64_t x = 1, rounds = 20000000;
    double best = 0;
    for (int pass = 0; pass < 4; pass++) {
        double t0 = sg_now_seconds();
        for (uint64_t i = 0; i < rounds; i++)
            __asm__ volatile("add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\t"
                             "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\t"
                             "add $1, %0\n\tadd $1, %0"
                             : "+r"(x));
        double rate = 8.0 * (double)rounds / (sg_now_seconds() - t0);
        best = rate > best ? rate : best;
    }
    return best;
#else
    return 0;
#endif
}

/* FP64 FLOP/s of one thread: independent fused multiply-adds, enough of
 * them in flight to fill every FMA pipe (2 FLOPs each). */
static double fma_flops_one_thread(double seconds)
{
#if SG_HAVE_FMA
    __m256d acc[12];
    for (int k = 0; k < 12; k++)
        acc[k] = _mm256_set1_pd(1.0 + k * 1e-3);
    const __m256d mul = _mm256_set1_pd(0.999999), add = _mm256_set1_pd(1e-7);
    uint64_t rounds = 0;
    double t0 = sg_now_seconds(), elapsed;
    do {
        for (int r = 0; r < 4096; r++)
            for (int k = 0; k < 12; k++)
                acc[k] = _mm256_fmadd_pd(acc[k], mul, add);
        rounds += 4096;
        elapsed = sg_now_seconds() - t0;
    } while (elapsed < seconds);
    double sink = 0;
    for (int k = 0; k < 12; k++)
        sink += _mm256_cvtsd_f64(acc[k]);
    volatile double keep = sink;
    (void)keep;
    return (double)rounds * 12 * 4 * 2 / elapsed;
#else
    double acc[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    uint64_t rounds = 0;
    double t0 = sg_now_seconds(), elapsed;
    do {
        for (int r = 0; r < 4096; r++)
            for (int k = 0; k < 8; k++)
                acc[k] = acc[k] * 0.999999 + 1e-7;
        rounds += 4096;
        elapsed = sg_now_seconds() - t0;
    } while (elapsed < seconds);
    volatile double keep = acc[0] + acc[7];
    (void)keep;
    return (double)rounds * 8 * 2 / elapsed;
#endif
}

void sg_bench_machine(sg_bench_limits *out)
{
    memset(out, 0, sizeof *out);
    out->threads = sg_openmp_max_threads();
    out->clock_hz = measure_clock();
    out->fma_flops_one = fma_flops_one_thread(PROBE_SECONDS);
    double total = 0;
#ifdef _OPENMP
#pragma omp parallel num_threads(out->threads) reduction(+ : total)
#endif
    total += fma_flops_one_thread(PROBE_SECONDS);
    out->fma_flops_all = total;
    out->vector_fma = SG_HAVE_FMA;
}

/* Nominal floating-point operations per grid point of each strategy, to
 * express a rate as a fraction of the FMA peak: the band coordinate, its
 * floor and the compare (factored); for the Chinchilla form's direct
 * strategy, two powers per point and 11 operations for the law and the
 * band in f64 (kernels/sg_math.h: 34 operations for the log, 31 for the
 * exp, 1 for the product, two of them divisions), 7 in f32
 * (kernels/sg_math_f32.h: 7 for a power, 1 for the row term's + E, 6 for
 * the loss and its band floor, each fused multiply-add counted as one).
 * The reference and exact strategies do not have a per-point count (0:
 * not reported). */
double sg_bench_ops_per_point(sg_backend backend, sg_strategy strategy,
                              sg_precision precision)
{
    if (backend == SG_BACKEND_REFERENCE || strategy == SG_STRATEGY_EXACT)
        return 0;
    if (strategy != SG_STRATEGY_DIRECT)
        return 3.0;
    return precision == SG_PRECISION_F32 ? 2 * 7.0 + 7.0 : 2 * 66.0 + 11.0;
}

static int same_selection(const sg_sweep_result *a, const sg_sweep_result *b)
{
    for (uint32_t k = 0; k < a->loss_levels.count; k++)
        if (a->iso_loss[k].empty != b->iso_loss[k].empty ||
            a->iso_loss[k].row != b->iso_loss[k].row ||
            a->iso_loss[k].col != b->iso_loss[k].col)
            return 0;
    for (uint32_t k = 0; k < a->flops_levels.count; k++)
        if (a->iso_flops[k].empty != b->iso_flops[k].empty ||
            a->iso_flops[k].row != b->iso_flops[k].row ||
            a->iso_flops[k].col != b->iso_flops[k].col)
            return 0;
    return 1;
}

sg_status sg_bench_validate(const sg_sweep_config *config, sg_error *err)
{
    sg_sweep_config small = *config, ref;
    small.params.count = small.tokens.count = 384;
    ref = small;
    ref.backend = SG_BACKEND_REFERENCE;
    ref.strategy = SG_STRATEGY_AUTO;
    ref.threads = 1;
    sg_sweep_result a, b;
    SG_TRY(sg_sweep_run(&small, &a, err));
    sg_status st = sg_sweep_run(&ref, &b, err);
    if (st == SG_OK) {
        if (!same_selection(&a, &b))
            st = sg_fail(err, SG_ERR_RUNTIME,
                         "the %s backend's %s %s frontier differs from the "
                         "reference's on a 384 x 384 grid",
                         sg_backend_name(config->backend),
                         sg_strategy_name(config->strategy),
                         sg_precision_name(config->precision));
        sg_sweep_result_free(&b);
    }
    sg_sweep_result_free(&a);
    return st;
}

/* One timed sweep of a configuration; the row takes its description. */
static sg_status time_once(const sg_sweep_config *config, sg_bench_row *row,
                           double *seconds, sg_error *err)
{
    sg_sweep_result r;
    SG_TRY(sg_sweep_run(config, &r, err));
    *seconds = r.seconds;
    row->threads = r.threads;
    row->backend = r.backend;
    row->strategy = r.strategy;
    row->precision = config->precision;
    sg_sweep_result_free(&r);
    return SG_OK;
}

/* The row's median and best of its runs' seconds (sorted in place). */
static void summarise(const sg_sweep_config *config, double *seconds,
                      int repeats, sg_bench_row *row)
{
    for (int i = 1; i < repeats; i++)
        for (int j = i; j > 0 && seconds[j - 1] > seconds[j]; j--) {
            double t = seconds[j];
            seconds[j] = seconds[j - 1];
            seconds[j - 1] = t;
        }
    row->rows = config->params.count;
    row->cols = config->tokens.count;
    row->levels = config->loss_levels.count;
    row->points = (double)row->rows * (double)row->cols;
    row->seconds = seconds[repeats / 2];
    row->best_seconds = seconds[0];
    row->points_per_second = row->points / row->seconds;
}

sg_status sg_bench_time(const sg_sweep_config *configs, int n, int repeats,
                        sg_bench_row *rows, sg_error *err)
{
    double seconds[SG_BENCH_INTERLEAVED_MAX][SG_BENCH_REPEATS_MAX];
    if (repeats < 1 || repeats > SG_BENCH_REPEATS_MAX)
        return sg_fail(err, SG_ERR_INPUT, "repeats must be 1 to %d",
                       SG_BENCH_REPEATS_MAX);
    if (n < 1 || n > SG_BENCH_INTERLEAVED_MAX)
        return sg_fail(err, SG_ERR_INPUT,
                       "1 to %d configurations are timed together",
                       SG_BENCH_INTERLEAVED_MAX);
    for (int round = -1; round < repeats; round++) /* a warm-up round */
        for (int i = 0; i < n; i++) {
            double t;
            SG_TRY(time_once(&configs[i], &rows[i], &t, err));
            if (round >= 0)
                seconds[i][round] = t;
        }
    for (int i = 0; i < n; i++)
        summarise(&configs[i], seconds[i], repeats, &rows[i]);
    return SG_OK;
}
