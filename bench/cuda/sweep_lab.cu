/*
 * Kernel lab for the sweep's transform-reduce (llm.c dev/cuda style): every
 * version of the kernel in one file, each validated against the CPU
 * reference on the same grid, bin for bin, before it is timed.
 *
 * NEVER RUN: written on a machine without a GPU (nvcc compiles and links
 * it). The numbers it prints are the first measurements there will be.
 *
 * Versions (2..6 are the product's kernels, kernels/sweep_cuda.cu, included
 * below; 1 lives only here):
 *  1  naive: one thread per point, factored terms, two passes of global
 *     64-bit atomicMin: the key's order-preserving bits per band, then the
 *     index among the points holding the band's least key. Exact; every
 *     point is an atomic, so hot bands serialise.
 *  2  pointwise: a warp takes 32 rows x a segment of columns, each lane
 *     walks its row; only run starts of floor(s) and, per compute band, the
 *     least loss are offered, to bins in shared memory (a lock per slot,
 *     sg_better under it; a plain read rejects most offers). Blocks write
 *     their bins to global slices, a second kernel merges them.
 *     (product: SG_CUDA_PATH_POINTWISE, factored)
 *  3  dense: 2, plus run starts found as a 32-bit mask per 32 columns with
 *     one FP64 add rounding down (floor(s) + 2^52) instead of a floor and a
 *     branch per point, column loads two at a time; compute bands by
 *     galloping, each band's least loss at its range's end (the loss never
 *     increases along a row). (product: SG_CUDA_PATH_DENSE, the factored
 *     strategy's default)
 *  4  crossings: 3 with the loss bands also found by galloping: work per
 *     band crossing, not per point. (product: SG_CUDA_PATH_CROSSINGS, the
 *     exact strategy)
 *  5  direct: 2 with the law's terms evaluated per point with the device's
 *     pow (product: SG_CUDA_PATH_POINTWISE, direct strategy).
 *  6  dense with the bins in global memory: what shared memory buys
 *     (product: 3 with sg_cuda_tuning.global_bins).
 *
 * Build, from the repository root (libscalegrid.a from `make`; only the
 * reference and the bins are taken from it):
 *   nvcc -std=c++17 --fmad=false -O3 -Xcompiler -ffp-contract=off \
 *        -gencode arch=compute_90,code=sm_90 -Iinclude -Ihost -Ikernels \
 *        bench/cuda/sweep_lab.cu build/libscalegrid.a -lgomp -o sweep_lab
 * (arch=compute_80,code=sm_80 for an A100.) Run:
 *   ./sweep_lab VERSION [BLOCK_SIZE [ROWS [COLS]]]
 * BLOCK_SIZE 0 or absent sweeps 64, 128, 256, 512 and 1024 threads. The
 * grid defaults to the target: chinchilla, 65536 x 65536, 1024 loss levels
 * and 256 compute levels spanning it; the CPU reference of that grid takes
 * about half a minute on 16 cores (give ROWS COLS to shrink it).
 *
 * Printed per block size: median device time of the kernels (CUDA events;
 * the host's per-axis terms and the upload are timed separately), points/s,
 * and the fraction of the FP64 peak implied by an estimate of the FP64
 * instructions per point counted from the source (no profiler involved).
 * Before the versions run, the lab also counts how many of the grid's axis
 * values and law terms the device's exp/pow would round differently from
 * the host's libm: the reason the backend computes those on the host.
 */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>

#include "../../kernels/sweep_cuda.cu"

extern "C" {
#include "internal.h"
}

#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

namespace {

double now_seconds_lab()
{
    return std::chrono::duration<double>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

constexpr int VERSIONS = 6;

const char *const version_names[VERSIONS + 1] = {
    "", "naive (global atomics per point)", "pointwise (shared-memory bins)",
    "dense (run-start masks, range ends)", "crossings (galloping)",
    "direct (pow per point)", "dense, global-memory bins"};

/* FP64 instructions per point, counted from the source (an estimate: the
 * compiler may hoist or fuse some; pow is taken as ~70 FP64 instructions,
 * libdevice's double-double log and exp). 0: work is not per point. */
const double fp64_per_point[VERSIONS + 1] = {0, 20, 10, 3, 0, 80, 3};

#define LAB_CHECK(call)                                                   \
    do {                                                                  \
        cudaError_t lab_err_ = (call);                                    \
        if (lab_err_ != cudaSuccess) {                                    \
            fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__,            \
                    cudaGetErrorString(lab_err_));                        \
            exit(1);                                                      \
        }                                                                 \
    } while (0)

/* ------------------------------------------------------ version 1 (naive) */

/* Order-preserving bits of a non-NaN double (-0 counted as +0, as == does). */
__device__ __forceinline__ unsigned long long ordered_bits(double x)
{
    if (x == 0.0)
        x = 0.0;
    unsigned long long u = (unsigned long long)__double_as_longlong(x);
    return u >> 63 ? ~u : u | (1ULL << 63);
}

/* Visits every point of the tile with its (slot, key) pairs: the
 * reference's expressions on the uploaded factored terms. */
template <class Visit>
__device__ void naive_points(const sweep_args &A, Visit visit)
{
    const sg_point_law law = A.law;
    const uint64_t points = A.tile_rows * A.tile_cols;
    for (uint64_t t = blockIdx.x * (uint64_t)blockDim.x + threadIdx.x;
         t < points; t += (uint64_t)gridDim.x * blockDim.x) {
        uint64_t ti = t / A.tile_cols, tj = t % A.tile_cols;
        uint64_t index = (A.row0 + ti) * A.cols + A.col0 + tj;
        double r = A.row_term[ti], c = A.col_term[tj];
        double loss = sg_combine_terms(&law, r, c);
        double s = sg_loss_band_coord(&law, A.loss_top, A.loss_inv_width, r,
                                      c, loss);
        int64_t band = sg_band_of(s, A.loss_count);
        if (band != SG_BAND_NONE)
            visit(band, sg_point_cost_of(A.per_token[ti], A.cost_tokens[tj]),
                  index);
        if (!(loss < INFINITY))
            continue;
        int64_t fb = sg_band_of(
            sg_flops_band_coord(A.flops_row[ti], A.flops_col[tj]),
            A.flops_count);
        if (fb != SG_BAND_NONE && fb < A.flops_count)
            visit(A.loss_count + 1 + fb, loss, index);
    }
}

__global__ void naive_least_keys(const sweep_args A, unsigned long long *keys)
{
    naive_points(A, [&](int64_t slot, double key, uint64_t) {
        atomicMin(keys + slot, ordered_bits(key));
    });
}

__global__ void naive_least_indices(const sweep_args A,
                                    const unsigned long long *keys,
                                    unsigned long long *indices)
{
    naive_points(A, [&](int64_t slot, double key, uint64_t index) {
        if (ordered_bits(key) == keys[slot])
            atomicMin(indices + slot, (unsigned long long)index);
    });
}

/* ------------------------------------------------------------ lab driver */

struct lab {
    sg_plan plan;
    sg_bins want;  /* the CPU reference's bins */
    sweep s;       /* the product's sweep state, one tile = the whole grid */
    char message[512];
    int sms = 0;
    double fp64_peak = 0; /* FP64 instructions/s over the whole device */
};

sg_bins bins_new(const sg_plan *p)
{
    sg_bins b;
    b.loss_count = p->loss_count;
    b.flops_count = p->flops_count;
    b.iso_loss = (sg_best *)malloc((size_t)(p->loss_count + 1) * sizeof(sg_best));
    b.iso_flops = (sg_best *)malloc((size_t)p->flops_count * sizeof(sg_best));
    if (!b.iso_loss || !b.iso_flops) {
        fprintf(stderr, "out of memory for bins\n");
        exit(1);
    }
    sg_bins_clear(&b);
    return b;
}

/* The plan of the default sweep at rows x cols, as host/sweep.c plans it
 * (levels spanning the grid: its loss range from the extreme terms, its
 * compute range from the corners). */
sg_plan plan_default(uint64_t rows, uint64_t cols)
{
    sg_sweep_config c;
    sg_sweep_config_default(&c);
    c.params.count = rows;
    c.tokens.count = cols;
    sg_error err;
    if (sg_sweep_config_validate(&c, &err) != SG_OK) {
        fprintf(stderr, "config: %s\n", err.message);
        exit(2);
    }
    sg_plan p;
    memset(&p, 0, sizeof p);
    p.law = sg_point_law_of(&c.law);
    p.cost = sg_point_cost_of_count(&c.flop_count);
    p.rows = rows;
    p.cols = cols;
    p.params_lo = c.params.lo;
    p.params_hi = c.params.hi;
    p.params_ln_lo = log(c.params.lo);
    p.params_step = (log(c.params.hi) - p.params_ln_lo) / (double)(rows - 1);
    p.tokens_lo = c.tokens.lo;
    p.tokens_hi = c.tokens.hi;
    p.tokens_ln_lo = log(c.tokens.lo);
    p.tokens_step = (log(c.tokens.hi) - p.tokens_ln_lo) / (double)(cols - 1);
    /* the Chinchilla terms fall with N and D: extremes at the axis ends */
    double row_min = sg_row_term(&p.law, p.params_hi);
    double row_max = sg_row_term(&p.law, p.params_lo);
    double col_min = sg_col_term(&p.law, p.tokens_hi);
    double col_max = sg_col_term(&p.law, p.tokens_lo);
    double lo = sg_combine_terms(&p.law, row_min, col_min);
    double hi = sg_combine_terms(&p.law, row_max, col_max);
    double w = (hi - lo) / (double)(c.loss_levels.count - 1);
    p.loss_top = hi + 1e-6 * w;
    p.loss_inv_width = 1.0 / w;
    p.loss_count = c.loss_levels.count;
    double flo = sg_point_cost_of(sg_point_flops_per_token(&p.cost, p.params_lo),
                                  sg_cost_tokens(&p.cost, p.tokens_lo));
    double fhi = sg_point_cost_of(sg_point_flops_per_token(&p.cost, p.params_hi),
                                  sg_cost_tokens(&p.cost, p.tokens_hi));
    double fw = (log(fhi) - log(flo)) / (double)(c.flops_levels.count - 1);
    p.ln_flops_top = log(fhi) + 1e-6 * fw;
    p.flops_inv_width = 1.0 / fw;
    p.flops_count = c.flops_levels.count;
    p.col_base = 0;
    p.col_end = cols;
    p.kernel = SG_KERNEL_FACTORED;
    p.threads = 1;
    return p;
}

/* The reference over row chunks on every core; bins merge in any order. */
void reference_bins(const sg_plan *p, sg_bins *out)
{
    unsigned threads = std::max(1u, std::thread::hardware_concurrency());
    std::vector<sg_bins> part(threads);
    std::vector<std::thread> pool;
    uint64_t chunk = (p->rows + threads - 1) / threads;
    for (unsigned t = 0; t < threads; t++) {
        part[t] = bins_new(p);
        uint64_t r0 = std::min<uint64_t>(p->rows, t * chunk);
        uint64_t r1 = std::min<uint64_t>(p->rows, r0 + chunk);
        pool.emplace_back([p, r0, r1, &part, t] {
            sg_sweep_reference(p, r0, r1, &part[t]);
        });
    }
    for (unsigned t = 0; t < threads; t++) {
        pool[t].join();
        sg_bins_merge(out, &part[t]);
        free(part[t].iso_loss);
        free(part[t].iso_flops);
    }
}

/* Per-axis values and terms on the device, with the device's exp and pow,
 * for comparison with the host's. */
__global__ void device_axis_terms(const sg_plan p, double *params,
                                  double *row, double *tokens, double *col)
{
    const sg_point_law law = p.law;
    uint64_t n = p.rows > p.cols ? p.rows : p.cols;
    for (uint64_t k = blockIdx.x * (uint64_t)blockDim.x + threadIdx.x; k < n;
         k += (uint64_t)gridDim.x * blockDim.x) {
        if (k < p.rows) {
            params[k] = sg_axis_point(p.params_lo, p.params_hi, p.rows,
                                      p.params_ln_lo, p.params_step, k);
            row[k] = sg_row_term(&law, params[k]);
        }
        if (k < p.cols) {
            tokens[k] = sg_axis_point(p.tokens_lo, p.tokens_hi, p.cols,
                                      p.tokens_ln_lo, p.tokens_step, k);
            col[k] = sg_col_term(&law, tokens[k]);
        }
    }
}

/* How many axis values and terms the device's libm rounds differently
 * from the host's (on this grid). */
void report_math_agreement(const sg_plan *p)
{
    uint64_t n = std::max(p->rows, p->cols);
    double *dev = nullptr;
    LAB_CHECK(cudaMalloc(&dev, 4 * n * sizeof(double)));
    device_axis_terms<<<1024, 256>>>(*p, dev, dev + n, dev + 2 * n, dev + 3 * n);
    LAB_CHECK(cudaGetLastError());
    std::vector<double> got(4 * n);
    LAB_CHECK(cudaMemcpy(got.data(), dev, 4 * n * sizeof(double),
                         cudaMemcpyDeviceToHost));
    LAB_CHECK(cudaFree(dev));
    uint64_t differ[4] = {0, 0, 0, 0};
    for (uint64_t k = 0; k < n; k++) {
        if (k < p->rows) {
            double params = sg_axis_point(p->params_lo, p->params_hi, p->rows,
                                          p->params_ln_lo, p->params_step, k);
            differ[0] += memcmp(&params, &got[k], 8) != 0;
            double row = sg_row_term(&p->law, params);
            differ[1] += memcmp(&row, &got[n + k], 8) != 0;
        }
        if (k < p->cols) {
            double tokens = sg_axis_point(p->tokens_lo, p->tokens_hi, p->cols,
                                          p->tokens_ln_lo, p->tokens_step, k);
            differ[2] += memcmp(&tokens, &got[2 * n + k], 8) != 0;
            double col = sg_col_term(&p->law, tokens);
            differ[3] += memcmp(&col, &got[3 * n + k], 8) != 0;
        }
    }
    printf("device exp/pow vs the host's libm on this grid: N_i differ in "
           "%llu of %llu rows, row terms (from the device's own N_i) in %llu; "
           "D_j in %llu of %llu columns, column terms in %llu\n",
           (unsigned long long)differ[0], (unsigned long long)p->rows,
           (unsigned long long)differ[1], (unsigned long long)differ[2],
           (unsigned long long)p->cols, (unsigned long long)differ[3]);
}

/* FP64 instructions per second of the whole device: SMs x FP64 lanes per
 * SM x clock. Lanes: 32 on compute capability 8.0 (A100), 64 on 9.0
 * (H100), 2 on the consumer parts (8.6, 8.9, 12.x). */
double fp64_peak(int *sms_out)
{
    int major = 0, minor = 0, sms = 0, khz = 0;
    LAB_CHECK(cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, 0));
    LAB_CHECK(cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, 0));
    LAB_CHECK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, 0));
    LAB_CHECK(cudaDeviceGetAttribute(&khz, cudaDevAttrClockRate, 0));
    int lanes = (major == 8 && minor == 0) || major == 9 ? (major == 9 ? 64 : 32)
                                                         : 2;
    *sms_out = sms;
    return (double)sms * lanes * khz * 1e3;
}

/* Counts the bins that differ from the reference's; prints the first few. */
int compare_bins(const sg_plan *p, const sg_bins *want, const sg_bins *got)
{
    int bad = 0;
    for (int64_t k = 0; k <= p->loss_count + p->flops_count; k++) {
        const sg_best *w = k <= p->loss_count ? &want->iso_loss[k]
                                              : &want->iso_flops[k - p->loss_count - 1];
        const sg_best *g = k <= p->loss_count ? &got->iso_loss[k]
                                              : &got->iso_flops[k - p->loss_count - 1];
        if (w->index == g->index && memcmp(&w->key, &g->key, 8) == 0)
            continue;
        if (bad++ < 5)
            printf("  slot %lld: reference index %llu key %.17g, device "
                   "index %llu key %.17g\n",
                   (long long)k, (unsigned long long)w->index, w->key,
                   (unsigned long long)g->index, g->key);
    }
    return bad;
}

/* One run of a version on the tile already uploaded; returns the device
 * time in ms (events around the kernels only). */
float run_version(lab *L, int version)
{
    sweep *s = &L->s;
    clear_bins<<<256, 256, 0, s->stream>>>(s->bins, s->slots);
    LAB_CHECK(cudaGetLastError());
    LAB_CHECK(cudaStreamSynchronize(s->stream));
    cudaEvent_t start, stop;
    LAB_CHECK(cudaEventCreate(&start));
    LAB_CHECK(cudaEventCreate(&stop));
    LAB_CHECK(cudaEventRecord(start, s->stream));
    if (version == 1) {
        size_t slots = (size_t)s->slots;
        unsigned long long *keys = nullptr, *indices = nullptr;
        LAB_CHECK(cudaMalloc(&keys, slots * sizeof *keys));
        LAB_CHECK(cudaMalloc(&indices, slots * sizeof *indices));
        LAB_CHECK(cudaMemsetAsync(keys, 0xff, slots * sizeof *keys, s->stream));
        LAB_CHECK(cudaMemsetAsync(indices, 0xff, slots * sizeof *indices, s->stream));
        sweep_args A = args_of(s, 32);
        unsigned grid = (unsigned)L->sms * 16;
        naive_least_keys<<<grid, s->t.block_threads, 0, s->stream>>>(A, keys);
        LAB_CHECK(cudaGetLastError());
        naive_least_indices<<<grid, s->t.block_threads, 0, s->stream>>>(A, keys,
                                                                         indices);
        LAB_CHECK(cudaGetLastError());
        /* the product's finish reads only the indices */
        LAB_CHECK(cudaMemcpyAsync(s->bins.index, indices, slots * sizeof *indices,
                                  cudaMemcpyDeviceToDevice, s->stream));
        LAB_CHECK(cudaEventRecord(stop, s->stream));
        LAB_CHECK(cudaStreamSynchronize(s->stream));
        LAB_CHECK(cudaFree(keys));
        LAB_CHECK(cudaFree(indices));
    } else {
        static const kernel_path paths[VERSIONS + 1] = {
            KP_DENSE, KP_DENSE, KP_POINTWISE_FACTORED, KP_DENSE,
            KP_CROSSINGS, KP_POINTWISE_DIRECT, KP_DENSE};
        s->shared = version != 6 && (size_t)s->slots * SLOT_BYTES <= SHARED_BINS_BYTES;
        if (run_tile(s, paths[version]) != 0) {
            printf("  version %d, block %u: %s\n", version, s->t.block_threads,
                   L->message);
            return -1;
        }
        LAB_CHECK(cudaEventRecord(stop, s->stream));
        LAB_CHECK(cudaStreamSynchronize(s->stream));
    }
    float ms = 0;
    LAB_CHECK(cudaEventElapsedTime(&ms, start, stop));
    LAB_CHECK(cudaEventDestroy(start));
    LAB_CHECK(cudaEventDestroy(stop));
    return ms;
}

} /* namespace */

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s VERSION [BLOCK_SIZE [ROWS [COLS]]]\n", argv[0]);
        for (int v = 1; v <= VERSIONS; v++)
            fprintf(stderr, "  %d  %s\n", v, version_names[v]);
        return 2;
    }
    int version = atoi(argv[1]);
    unsigned block = argc > 2 ? (unsigned)atoi(argv[2]) : 0;
    uint64_t rows = argc > 3 ? strtoull(argv[3], NULL, 10) : 65536;
    uint64_t cols = argc > 4 ? strtoull(argv[4], NULL, 10) : rows;
    if (version < 1 || version > VERSIONS || rows < 2 || cols < 2 ||
        (block && (block % 32 || block > 1024))) {
        fprintf(stderr, "bad arguments\n");
        return 2;
    }
    char why[256];
    if (sg_cuda_device_count(why, sizeof why) == 0) {
        printf("skipped: %s\n", why);
        return 0;
    }
    char name[256];
    sg_cuda_device_name(name, sizeof name);

    static lab L; /* large; zero-initialised */
    L.plan = plan_default(rows, cols);
    if (version == 5)
        L.plan.kernel = SG_KERNEL_DIRECT;
    const double points = (double)rows * (double)cols;
    L.fp64_peak = fp64_peak(&L.sms);
    printf("%s; %d SMs; FP64 peak %.3g instructions/s (estimated from the "
           "clock)\n", name, L.sms, L.fp64_peak);
    printf("grid %llu x %llu (%.3g points), %lld loss + %lld compute levels; "
           "version %d: %s\n",
           (unsigned long long)rows, (unsigned long long)cols, points,
           (long long)L.plan.loss_count, (long long)L.plan.flops_count,
           version, version_names[version]);
    report_math_agreement(&L.plan);

    double t0 = now_seconds_lab();
    L.want = bins_new(&L.plan);
    reference_bins(&L.plan, &L.want);
    printf("CPU reference: %.1f s\n", now_seconds_lab() - t0);

    /* The product's sweep state with one tile = the whole grid; slices
     * sized for the smallest block (the most resident blocks). */
    sweep *s = &L.s;
    s->p = &L.plan;
    s->message = L.message;
    s->message_size = sizeof L.message;
    sg_cuda_tuning t;
    memset(&t, 0, sizeof t);
    t.block_threads = 32;
    t.span_cols = cols;
    t.tile_rows = rows;
    t.launch_points = UINT64_MAX / 2; /* one launch */
    if (resolve_tuning(s, &t) != 0 || sweep_open(s, 0, rows) != 0) {
        fprintf(stderr, "%s\n", L.message);
        return 1;
    }
    t0 = now_seconds_lab();
    if (span_upload(s, 0, cols) != 0 || rows_upload(s, 0, rows) != 0) {
        fprintf(stderr, "%s\n", L.message);
        return 1;
    }
    printf("host terms and upload: %.1f ms\n", 1e3 * (now_seconds_lab() - t0));

    std::vector<unsigned> blocks;
    if (block)
        blocks.push_back(block);
    else
        blocks = {64, 128, 256, 512, 1024};
    printf("| block | ms (median) | points/s | est. FP64/point | of FP64 peak |\n"
           "|---|---|---|---|---|\n");
    for (unsigned b : blocks) {
        s->t.block_threads = b;
        /* validate first */
        if (run_version(&L, version) < 0)
            continue;
        sg_bins got = bins_new(&L.plan);
        if (sweep_finish(s, &got) != 0) {
            fprintf(stderr, "%s\n", L.message);
            return 1;
        }
        int bad = compare_bins(&L.plan, &L.want, &got);
        free(got.iso_loss);
        free(got.iso_flops);
        if (bad) {
            printf("version %d, block %u: %d bins differ from the reference: "
                   "not timed\n", version, b, bad);
            return 1;
        }
        std::vector<float> ms;
        for (int rep = 0; rep < 5; rep++) {
            float m = run_version(&L, version);
            ms.push_back(m);
            if (m > 2000)
                break; /* slow versions: one or two runs are enough */
        }
        std::sort(ms.begin(), ms.end());
        double median = ms[ms.size() / 2];
        double rate = points / (median * 1e-3);
        char shown[32];
        if (version != 1 && s->launched_block != b)
            snprintf(shown, sizeof shown, "%u (ran %u)", b, s->launched_block);
        else
            snprintf(shown, sizeof shown, "%u", b);
        if (fp64_per_point[version] > 0)
            printf("| %s | %.3f | %.3g | %.0f | %.1f%% |\n", shown, median,
                   rate, fp64_per_point[version],
                   100.0 * rate * fp64_per_point[version] / L.fp64_peak);
        else
            printf("| %s | %.3f | %.3g | (per crossing) | - |\n", shown,
                   median, rate);
    }
    sweep_close(s);
    return 0;
}
