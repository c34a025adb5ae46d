/*
 * Fit benchmark: the grid stage of sg_fit_chinchilla (every cell's exact
 * 3x3 NNLS, cross terms by the tiled matrix product) at 1e8 cells,
 * resolution 1.5e-4 over [0, 1.5]^2, on the 240 Chinchilla runs (the five
 * highest-loss points dropped, as Besiroglu et al. do). For scale: the
 * reference vpnls implementation reports about 1e8 cells in 16 s on 10
 * processes.
 *
 *   fit_bench [--threads N] [--repeat R] [--resolution R] [CSV]
 *
 * Without --threads it times one thread, then one per online core.
 * CSV defaults to ../shared/data/chinchilla_fig4_svg_extracted.csv (run
 * from the repository root). Every repeat's best cell is checked identical
 * to the first's; prints one line per thread count: cells, median seconds,
 * cells per second, and the best cell. Then one whole fit at the default
 * resolution (1e-3), for its total time.
 */
#include "fit.h"
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_CSV "../shared/data/chinchilla_fig4_svg_extracted.csv"
#define KEEP 16

static int by_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

typedef struct {
    const char *csv;
    int threads; /* 0: 1 and all */
    int repeat;
    double resolution;
} bench_args;

static int parse_args(int argc, char **argv, bench_args *a)
{
    *a = (bench_args){DEFAULT_CSV, 0, 3, 1.5e-4};
    for (int i = 1; i < argc; i++) {
        int has_value = i + 1 < argc;
        if (!strcmp(argv[i], "--threads") && has_value)
            a->threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--repeat") && has_value)
            a->repeat = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--resolution") && has_value)
            a->resolution = atof(argv[++i]);
        else if (argv[i][0] != '-')
            a->csv = argv[i];
        else
            return 0;
    }
    return a->repeat >= 1 && a->threads >= 0 && a->resolution > 0;
}

static int load_runs(const char *csv, sg_runs *runs)
{
    sg_runs_csv_options o;
    sg_runs_csv_options_default(&o);
    o.params_column = "Model Size";
    o.flops_column = "Training FLOP";
    sg_error err;
    if (sg_runs_read_csv(csv, &o, runs, &err) != SG_OK ||
        sg_runs_drop_highest_loss(runs, 5, &err) != SG_OK) {
        fprintf(stderr, "fit_bench: %s\n", err.message);
        return 0;
    }
    return 1;
}

/* Median seconds of `repeat` grid stages; 0 on failure. */
static double time_grid(const sg_runs *runs, const bench_args *a,
                        int threads, sg_fit_cell *best, uint64_t *cells)
{
    sg_fit_options o;
    sg_fit_options_default(&o);
    o.resolution = a->resolution;
    o.threads = threads;
    double seconds[64];
    int repeat = a->repeat < 64 ? a->repeat : 64;
    for (int r = 0; r < repeat; r++) {
        sg_fit_cell cells_now[KEEP];
        size_t found = 0;
        sg_error err;
        double t0 = sg_now_seconds();
        if (sg_fit_grid(runs, &o, KEEP, cells_now, &found, cells, &err) !=
            SG_OK) {
            fprintf(stderr, "fit_bench: %s\n", err.message);
            return 0;
        }
        seconds[r] = sg_now_seconds() - t0;
        if (r == 0)
            memcpy(best, cells_now, sizeof cells_now);
        else if (cells_now[0].index != best[0].index ||
                 cells_now[0].objective != best[0].objective) {
            fprintf(stderr, "fit_bench: repeat %d found another best cell\n",
                    r);
            return 0;
        }
    }
    qsort(seconds, (size_t)repeat, sizeof seconds[0], by_double);
    return seconds[repeat / 2];
}

static int bench_threads(const sg_runs *runs, const bench_args *a,
                         int threads)
{
    sg_fit_cell best[KEEP];
    memset(best, 0, sizeof best);
    uint64_t cells = 0;
    double s = time_grid(runs, a, threads, best, &cells);
    if (s <= 0)
        return 0;
    printf("grid stage: %d thread%s, %llu runs, %llu cells, %.3f s "
           "(median of %d), %.3g cells/s; best cell alpha %.5f beta %.5f\n",
           threads, threads == 1 ? "" : "s", (unsigned long long)runs->count,
           (unsigned long long)cells, s, a->repeat, (double)cells / s,
           best[0].alpha, best[0].beta);
    return 1;
}

static int bench_whole_fit(const sg_runs *runs)
{
    sg_fit_result r;
    sg_error err;
    if (sg_fit_chinchilla(runs, NULL, &r, &err) != SG_OK) {
        fprintf(stderr, "fit_bench: %s\n", err.message);
        return 0;
    }
    printf("whole fit at resolution 1e-3: %llu cells, grid %.3f s, total "
           "%.3f s; E %.4f A %.2f B %.2f alpha %.4f beta %.4f, objective "
           "%.8g\n",
           (unsigned long long)r.cells, r.grid_seconds, r.seconds, r.E, r.A,
           r.B, r.alpha, r.beta, r.objective);
    return 1;
}

int main(int argc, char **argv)
{
    bench_args a;
    if (!parse_args(argc, argv, &a)) {
        fprintf(stderr, "usage: fit_bench [--threads N] [--repeat R] "
                        "[--resolution R] [CSV]\n");
        return 2;
    }
    sg_runs runs;
    if (!load_runs(a.csv, &runs))
        return 1;
    /* Without OpenMP every thread count runs on one thread. */
    int cores = (int)sysconf(_SC_NPROCESSORS_ONLN);
    int all = sg_openmp_threads_available() && cores > 1 ? cores : 1;
    int ok = 1;
    if (a.threads > 0) {
        ok = bench_threads(&runs, &a, a.threads > all ? all : a.threads);
    } else {
        ok = bench_threads(&runs, &a, 1);
        if (ok && all > 1)
            ok = bench_threads(&runs, &a, all);
    }
    if (ok)
        ok = bench_whole_fit(&runs);
    sg_runs_free(&runs);
    return ok ? 0 : 1;
}
