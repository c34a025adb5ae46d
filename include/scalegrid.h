/*
 * scalegrid: dense evaluation of LLM scaling laws L(N, D) over huge grids and
 * the efficient frontiers they imply.
 *
 * Public C API. Units: N = parameters, D = training tokens, C = training FLOPs
 * (C = 6 N D), L = loss in nats/token, 1 PF-day = 8.64e19 FLOPs.
 *
 * Conventions (cJSON-style):
 *  - every public name starts with sg_ / SG_;
 *  - functions that can fail return sg_status and, on failure, write a one-line
 *    message into the caller's sg_error (never global state, safe from threads);
 *  - every pointer a function hands out says who frees it; plain structs
 *    (sg_law, sg_sweep_config) own no heap memory and may be copied freely.
 */
#ifndef SCALEGRID_H
#define SCALEGRID_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SG_VERSION "0.1.0"

/* 1 PF-day = 1e15 FLOP/s for 86400 s. */
#define SG_FLOPS_PER_PF_DAY 8.64e19
/* Training cost convention C = 6 N D (forward + backward). */
#define SG_FLOPS_PER_PARAM_TOKEN 6.0

/* Status values double as the CLI's exit codes. */
typedef enum {
    SG_OK = 0,
    SG_ERR_RUNTIME = 1,  /* out of memory, disk full, I/O failure */
    SG_ERR_INPUT = 2,    /* malformed or impossible input */
    SG_ERR_CANCELLED = 3 /* stopped through sg_control.cancel */
} sg_status;

typedef struct {
    sg_status status;
    char message[512]; /* one line, no trailing newline */
} sg_error;

/* ------------------------------------------------------------------ laws */

typedef enum {
    /* L = E + A / N^alpha + B / D^beta (Hoffmann et al. 2022, Approach 3) */
    SG_FORM_CHINCHILLA = 0,
    /* L = [ (Nc/N)^(aN/aD) + Dc/D ]^aD (Kaplan et al. 2020, eq. 1.5) */
    SG_FORM_KAPLAN = 1
} sg_form;

/* Which parameters and FLOPs a law counts; never mix two on one grid. */
typedef enum {
    SG_COUNT_ALL_PARAMS = 0,     /* Chinchilla: embeddings included */
    SG_COUNT_NON_EMBEDDING = 1   /* Kaplan: non-embedding N and compute */
} sg_convention;

typedef struct {
    char name[64];
    char source[192];
    sg_form form;
    sg_convention convention;
    /* SG_FORM_CHINCHILLA constants */
    double E, A, B, alpha, beta;
    /* SG_FORM_KAPLAN constants (N, D in parameters and tokens) */
    double Nc, Dc, aN, aD;
} sg_law;

/* The built-in presets, in catalogue order. Pointers are to static storage. */
size_t sg_law_preset_count(void);
const sg_law *sg_law_preset_at(size_t index);
/* Copies the preset called `name` into *out; SG_ERR_INPUT if unknown. */
sg_status sg_law_preset(const char *name, sg_law *out, sg_error *err);

/* Names of a form ("chinchilla", "kaplan") and its constants, in order. */
const char *sg_form_name(sg_form form);
sg_status sg_form_from_name(const char *name, sg_form *out, sg_error *err);
const char *sg_convention_name(sg_convention convention);
size_t sg_law_constant_count(const sg_law *law);
const char *sg_law_constant_name(const sg_law *law, size_t index);
double sg_law_constant_value(const sg_law *law, size_t index);
/* Human-readable formula of the law's form, e.g. "E + A/N^alpha + B/D^beta". */
const char *sg_law_formula(const sg_law *law);

/* Sets one named constant (e.g. "alpha"); SG_ERR_INPUT for a name the law's
 * form does not have. Does not validate the value: call sg_law_validate. */
sg_status sg_law_set_constant(sg_law *law, const char *key, double value,
                              sg_error *err);
/* Applies "k=v,k=v" (values use sg_parse_number); marks the name modified. */
sg_status sg_law_apply_settings(sg_law *law, const char *settings,
                                sg_error *err);
/* Every constant finite and positive (E may be 0). */
sg_status sg_law_validate(const sg_law *law, sg_error *err);

/* L(N, D) in double precision, the scalar reference every backend matches. */
double sg_law_loss(const sg_law *law, double params, double tokens);
/* Loss as N, D -> infinity: E for the Chinchilla form, 0 for Kaplan's. */
double sg_law_floor(const sg_law *law);

/* Kaplan's single-variable laws and the overfitting rule. */
double sg_kaplan_loss_params(const sg_law *law, double params); /* (1.1) */
double sg_kaplan_loss_tokens(const sg_law *law, double tokens); /* (1.2) */
/* (1.3) with Table 5's aC_min = 0.050, Cc_min = 3.1e8 PF-days. */
double sg_kaplan_loss_compute(double pf_days);
/* Eq. 4.4: overfitting stays under ~2% while D >= 5e3 N^0.74. */
double sg_overfit_threshold_tokens(double params);

double sg_flops(double params, double tokens); /* 6 N D */

/* --------------------------------------------------- compute-optimal points */

typedef enum {
    SG_METHOD_AUTO = 0,        /* closed form where the law has one */
    SG_METHOD_CLOSED_FORM = 1, /* Chinchilla eq. 4 / Kaplan's y = (aN/aD) x */
    SG_METHOD_NUMERIC = 2      /* 1-D root finding in log N, 1e-12 relative */
} sg_method;

typedef struct {
    double params, tokens, flops, loss;
    sg_method method; /* the method actually used */
} sg_optimum;

const char *sg_method_name(sg_method method);

/* Least loss for a compute budget C = 6 N D. */
sg_status sg_optimal_for_flops(const sg_law *law, double flops,
                               sg_method method, sg_optimum *out,
                               sg_error *err);
/* Least compute reaching `loss`; SG_ERR_INPUT at or below the law's floor. */
sg_status sg_optimal_for_loss(const sg_law *law, double loss, sg_method method,
                              sg_optimum *out, sg_error *err);
/* Chinchilla eq. 4: G = (alpha A/(beta B))^(1/(alpha+beta)), a, b. */
sg_status sg_chinchilla_allocation(const sg_law *law, double *G, double *a,
                                   double *b, sg_error *err);

/* -------------------------------------------------------- grids and levels */

/* A log-spaced axis, endpoints included: value_i = lo (hi/lo)^(i/(count-1)). */
typedef struct {
    double lo, hi;
    uint64_t count;
} sg_axis;

/* Levels of a frontier. Loss levels are linear in loss, compute levels are
 * log-spaced; both include their endpoints. With span_grid set, lo and hi
 * are taken from the grid's own range when the sweep is planned. */
typedef struct {
    double lo, hi;
    uint32_t count;
    int span_grid;
} sg_levels;

/* Value of axis point i, exactly as every backend computes it. */
double sg_axis_value(const sg_axis *axis, uint64_t index);
/* Checks lo, hi, count; `what` names the axis in the message. */
sg_status sg_axis_validate(const sg_axis *axis, const char *what,
                           sg_error *err);

/* Checks count >= 2, and lo < hi, positive and finite unless span_grid. */
sg_status sg_levels_validate(const sg_levels *levels, const char *what,
                             sg_error *err);

/* Numbers: "1e9", "7B", "1.4T", "350M", "20K" (K, M, B, T and lower case). */
sg_status sg_parse_number(const char *text, double *out, sg_error *err);
/* "LO:HI:COUNT" */
sg_status sg_parse_axis(const char *text, sg_axis *out, sg_error *err);
/* "LO:HI:COUNT", or "COUNT" alone to span the grid's range. */
sg_status sg_parse_levels(const char *text, sg_levels *out, sg_error *err);

/* ------------------------------------------------------------------ sweeps */

typedef enum {
    SG_BACKEND_AUTO = 0,      /* the fastest available */
    SG_BACKEND_REFERENCE = 1, /* scalar double precision: the oracle */
    SG_BACKEND_OPENMP = 2     /* threads + SIMD, double precision */
} sg_backend;

typedef enum {
    SG_STRATEGY_AUTO = 0,     /* factored where the law separates */
    SG_STRATEGY_DIRECT = 1,   /* full law with transcendentals per point */
    SG_STRATEGY_FACTORED = 2, /* per-row and per-column terms, combined */
    /* Only where the bands change along a row, for laws whose loss falls
     * monotonically in D (the Chinchilla form): O(rows x levels) work, the
     * same frontier as the dense strategies. */
    SG_STRATEGY_EXACT = 3
} sg_strategy;

const char *sg_backend_name(sg_backend backend);
sg_status sg_backend_from_name(const char *name, sg_backend *out,
                               sg_error *err);
const char *sg_strategy_name(sg_strategy strategy);
sg_status sg_strategy_from_name(const char *name, sg_strategy *out,
                                sg_error *err);
/* Whether this build has OpenMP threads (the openmp backend runs on one
 * thread without them). */
int sg_openmp_threads_available(void);

/* Sweeps estimated to take longer than this are refused up front unless
 * sg_sweep_config.max_seconds allows more. */
#define SG_DEFAULT_MAX_SECONDS 3600.0

typedef struct {
    sg_law law;
    sg_axis params, tokens;
    sg_levels loss_levels, flops_levels;
    sg_backend backend;
    sg_strategy strategy;
    int threads;        /* 0: all the machine offers */
    double max_seconds; /* 0: SG_DEFAULT_MAX_SECONDS */
} sg_sweep_config;

/* Hooks for long operations; every member may be NULL. */
typedef struct {
    /* Nonzero (set it from a signal handler) stops a sweep between blocks
     * of rows, or an output writer between files: it frees what it holds,
     * leaves no output file and returns SG_ERR_CANCELLED. */
    const volatile sig_atomic_t *cancel;
    /* Called between blocks of rows with the points done so far. */
    void (*progress)(void *context, uint64_t points_done,
                     uint64_t points_total, double seconds);
    void *progress_context;
} sg_control;

/* The built-in default: chinchilla, N 1e7..1e13 x D 1e8..1e14 at
 * 16384 x 16384 points, 1024 loss levels and 256 compute levels spanning
 * the grid, auto backend and strategy. */
void sg_sweep_config_default(sg_sweep_config *config);
sg_status sg_sweep_config_validate(const sg_sweep_config *config,
                                   sg_error *err);

/* One frontier row: the selected grid point of one level's band. */
typedef struct {
    double level;   /* loss level, or FLOPs level */
    int empty;      /* no grid point fell into this band */
    uint64_t row;   /* index on the params axis */
    uint64_t col;   /* index on the tokens axis */
    double params, tokens, flops, loss;
} sg_frontier_row;

typedef struct {
    sg_backend backend;   /* the backend that ran (auto resolved) */
    sg_strategy strategy; /* the strategy that ran (auto resolved) */
    int threads;
    uint64_t points;
    double seconds;       /* wall time of planning, kernels and merging */
    sg_levels loss_levels, flops_levels; /* resolved, span_grid cleared */
    /* Arrays owned by the result; free with sg_sweep_result_free.
     * iso_loss[k]: least FLOPs with loss in (l_k - w, l_k].
     * iso_loss_cumulative[k]: least FLOPs with loss <= l_k.
     * iso_flops[k]: least loss with FLOPs in (c_k / r, c_k]. */
    sg_frontier_row *iso_loss;
    sg_frontier_row *iso_loss_cumulative;
    sg_frontier_row *iso_flops;
} sg_sweep_result;

/* Runs the sweep. On success the caller owns *out. */
sg_status sg_sweep_run(const sg_sweep_config *config, sg_sweep_result *out,
                       sg_error *err);
/* The same with cancellation and progress (control may be NULL). */
sg_status sg_sweep_run_controlled(const sg_sweep_config *config,
                                  const sg_control *control,
                                  sg_sweep_result *out, sg_error *err);
/* Seconds the sweep is expected to take at most on this machine (a
 * conservative rate per backend, strategy and thread); used to refuse
 * sweeps beyond max_seconds before they start. */
double sg_sweep_estimated_seconds(const sg_sweep_config *config);
void sg_sweep_result_free(sg_sweep_result *result);

/* Levels as a sweep resolves them: value of level k. */
double sg_loss_level_value(const sg_levels *levels, uint32_t k);
double sg_flops_level_value(const sg_levels *levels, uint32_t k);

/* ------------------------------------------------------ configs and output */

/* Which fields a config file set (so command-line options can override). */
enum {
    SG_CONFIG_HAS_LAW = 1u << 0,
    SG_CONFIG_HAS_PARAMS = 1u << 1,
    SG_CONFIG_HAS_TOKENS = 1u << 2,
    SG_CONFIG_HAS_LOSS_LEVELS = 1u << 3,
    SG_CONFIG_HAS_FLOPS_LEVELS = 1u << 4,
    SG_CONFIG_HAS_BACKEND = 1u << 5,
    SG_CONFIG_HAS_STRATEGY = 1u << 6,
    SG_CONFIG_HAS_THREADS = 1u << 7,
    SG_CONFIG_HAS_OUT = 1u << 8,
    SG_CONFIG_HAS_MAX_SECONDS = 1u << 9
};

/* Parses a JSON config into *config (fields not present keep their values).
 * `out_dir` (may be NULL) receives "out" if present, NUL-terminated.
 * `origin` names the source in messages (a path). */
sg_status sg_config_parse(const char *json_text, const char *origin,
                          sg_sweep_config *config, unsigned *fields_set,
                          char *out_dir, size_t out_dir_size, sg_error *err);
sg_status sg_config_load(const char *path, sg_sweep_config *config,
                         unsigned *fields_set, char *out_dir,
                         size_t out_dir_size, sg_error *err);

typedef struct {
    /* Leave out what depends on how the sweep ran rather than on what it
     * computed (backend, strategy, threads, seconds, points/s), so that the
     * same inputs give byte-identical files on any thread count and any
     * double-precision backend. */
    int reproducible;
    const sg_control *control; /* cancellation between files; may be NULL */
} sg_output_options;

/* The sweep document (sweep.json) as a NUL-terminated string; the caller
 * frees it with free(). NULL and *err set on failure. options may be NULL. */
char *sg_sweep_json(const sg_sweep_config *config,
                    const sg_sweep_result *result,
                    const sg_output_options *options, sg_error *err);

/* Writes frontier.csv, cumulative.csv, isoflop.csv and sweep.json into dir
 * (created if missing). Each file is written to a temporary name and renamed
 * only after all were written, so a failed or cancelled run leaves no file
 * that looks complete. options may be NULL. */
sg_status sg_write_outputs(const char *dir, const sg_sweep_config *config,
                           const sg_sweep_result *result,
                           const sg_output_options *options, sg_error *err);
/* Checks up front that dir exists or can be created and is writable. */
sg_status sg_check_output_dir(const char *dir, sg_error *err);

#ifdef __cplusplus
}
#endif

#endif /* SCALEGRID_H */
