/*
 * Sweep benchmark: points per second of each backend and strategy on the
 * default grid and its smaller siblings, with the reference backend as the
 * peer measured in the same run. Every timed configuration's frontier is
 * first checked identical to the reference's on a grid small enough for the
 * reference to finish quickly.
 *
 *   build/bench/sweep_bench [--quick]
 *
 * Prints a Markdown table on stdout (bench/run.sh adds the machine
 * description and writes bench/results/<machine>.md).
 */
#include "scalegrid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REPEATS 5

typedef struct {
    const char *law;
    sg_backend backend;
    sg_strategy strategy;
    int threads; /* 0: all */
    uint64_t side;
} bench_case;

static sg_sweep_config config_of(const bench_case *b, uint64_t side)
{
    sg_sweep_config c;
    sg_sweep_config_default(&c);
    sg_law_preset(b->law, &c.law, NULL);
    c.params.count = side;
    c.tokens.count = side;
    c.backend = b->backend;
    c.strategy = b->strategy;
    c.threads = b->threads;
    return c;
}

static int same_frontiers(const sg_sweep_result *a, const sg_sweep_result *b)
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

/* The case's frontier equals the reference's on a 512 x 512 grid. */
static int validate(const bench_case *b)
{
    bench_case ref = *b;
    ref.backend = SG_BACKEND_REFERENCE;
    ref.strategy = SG_STRATEGY_AUTO;
    sg_sweep_config c1 = config_of(b, 512), c2 = config_of(&ref, 512);
    sg_sweep_result r1, r2;
    sg_error err;
    if (sg_sweep_run(&c1, &r1, &err) != SG_OK ||
        sg_sweep_run(&c2, &r2, &err) != SG_OK) {
        fprintf(stderr, "sweep_bench: %s\n", err.message);
        exit(1);
    }
    int same = same_frontiers(&r1, &r2);
    sg_sweep_result_free(&r1);
    sg_sweep_result_free(&r2);
    return same;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median and best wall time of REPEATS sweeps (after one warm-up). */
static double time_case(const bench_case *b, sg_sweep_result *last,
                        double *best)
{
    sg_sweep_config c = config_of(b, b->side);
    double seconds[REPEATS];
    sg_error err;
    for (int i = -1; i < REPEATS; i++) {
        sg_sweep_result r;
        if (sg_sweep_run(&c, &r, &err) != SG_OK) {
            fprintf(stderr, "sweep_bench: %s\n", err.message);
            exit(1);
        }
        if (i >= 0)
            seconds[i] = r.seconds;
        if (i == REPEATS - 1)
            *last = r;
        else
            sg_sweep_result_free(&r);
    }
    qsort(seconds, REPEATS, sizeof seconds[0], compare_doubles);
    *best = seconds[0];
    return seconds[REPEATS / 2];
}

int main(int argc, char **argv)
{
    int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
    uint64_t big = quick ? 4096 : 16384;
    const bench_case cases[] = {
        {"chinchilla", SG_BACKEND_REFERENCE, SG_STRATEGY_AUTO, 1, 1024},
        {"chinchilla", SG_BACKEND_OPENMP, SG_STRATEGY_FACTORED, 0, big},
        {"chinchilla", SG_BACKEND_OPENMP, SG_STRATEGY_FACTORED, 1, big},
        {"chinchilla", SG_BACKEND_OPENMP, SG_STRATEGY_DIRECT, 0, 4096},
        {"chinchilla", SG_BACKEND_OPENMP, SG_STRATEGY_DIRECT, 1, 4096},
        {"kaplan", SG_BACKEND_REFERENCE, SG_STRATEGY_AUTO, 1, 1024},
        {"kaplan", SG_BACKEND_OPENMP, SG_STRATEGY_FACTORED, 0, 4096},
    };
    printf("| law | backend | strategy | threads | grid | points | seconds "
           "(median of %d) | points/s (median) | points/s (best) | vs "
           "reference (median) |\n",
           REPEATS);
    printf("|---|---|---|---|---|---|---|---|---|---|\n");
    double reference_rate = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const bench_case *b = &cases[i];
        if (b->backend != SG_BACKEND_REFERENCE && !validate(b)) {
            fprintf(stderr, "sweep_bench: %s %s frontier differs from the "
                    "reference\n", sg_backend_name(b->backend),
                    sg_strategy_name(b->strategy));
            return 1;
        }
        sg_sweep_result r;
        double best;
        double s = time_case(b, &r, &best);
        double rate = (double)r.points / s;
        if (b->backend == SG_BACKEND_REFERENCE)
            reference_rate = rate;
        printf("| %s | %s | %s | %d | %llu x %llu | %.3g | %.4f | %.3g | "
               "%.3g | %.0fx |\n",
               b->law, sg_backend_name(r.backend), sg_strategy_name(r.strategy),
               r.threads, (unsigned long long)b->side,
               (unsigned long long)b->side, (double)r.points, s, rate,
               (double)r.points / best,
               reference_rate > 0 ? rate / reference_rate : 0);
        sg_sweep_result_free(&r);
    }
    return 0;
}
