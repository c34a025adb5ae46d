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
    SG_FORM_KAPLAN = 1,
    /* L = E + A/N'^alpha + B/D'^beta with effective parameters N' and
     * tokens D' under a budget of U unique tokens (Muennighoff et al.
     * 2023): repeated tokens and excess parameters are worth less. Does
     * not separate into N and D terms. */
    SG_FORM_MUENNIGHOFF = 2
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
    /* SG_FORM_MUENNIGHOFF: E, A, B, alpha, beta above, and the decay
     * constants of repeated tokens and excess parameters */
    double rd_star, rn_star;
    /* SG_FORM_MUENNIGHOFF: the unique-token budget U in tokens, a scenario
     * rather than a fitted constant; 0 until given (required) */
    double unique_tokens;
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
/* Every constant finite and positive (E may be 0); U given exactly when
 * the law is of the Muennighoff form. */
sg_status sg_law_validate(const sg_law *law, sg_error *err);
/* Sets U for a Muennighoff-form law; SG_ERR_INPUT for other forms or a
 * value that is not a positive finite number of tokens. */
sg_status sg_law_set_unique_tokens(sg_law *law, double unique_tokens,
                                   sg_error *err);

/* The Muennighoff form's pieces at (N, D): unique tokens seen min(U, D),
 * epochs D / U (below 1 when not all the data is seen), effective
 * parameters N' and tokens D'. */
typedef struct {
    double unique_tokens, epochs, effective_params, effective_tokens;
} sg_data_constrained;
sg_data_constrained sg_law_data_constrained(const sg_law *law, double params,
                                            double tokens);

/* L(N, D) in double precision, the scalar reference every backend matches. */
double sg_law_loss(const sg_law *law, double params, double tokens);
/* Loss as N, D -> infinity: E for the Chinchilla form, 0 for Kaplan's;
 * for Muennighoff's with U unique tokens, where N' and D' saturate (E if U
 * is not given). */
double sg_law_floor(const sg_law *law);

/* Kaplan's single-variable laws and the overfitting rule. */
double sg_kaplan_loss_params(const sg_law *law, double params); /* (1.1) */
double sg_kaplan_loss_tokens(const sg_law *law, double tokens); /* (1.2) */
/* (1.3) with Table 5's aC_min = 0.050, Cc_min = 3.1e8 PF-days. */
double sg_kaplan_loss_compute(double pf_days);
/* Eq. 4.4: overfitting stays under ~2% while D >= 5e3 N^0.74. */
double sg_overfit_threshold_tokens(double params);

double sg_flops(double params, double tokens); /* 6 N D */

/* ------------------------------------------------------------- FLOP counts */

/* Training FLOPs per token (laws.md, "Compute" and DeepSeek LLM 2024). */
typedef enum {
    SG_FLOPS_6N = 0,      /* 6 N: forward + backward, the laws' own count */
    /* M = 72 n_layer d^2 + 12 n_layer d l_seq: non-embedding FLOPs per
     * token, attention included. Over a grid of N every model has the
     * same aspect ratio r = d / n_layer, so N = 12 n_layer d^2 fixes
     * d = cbrt(r N / 12) and M = 6 N + N l_seq / d. */
    SG_FLOPS_DEEPSEEK = 1
} sg_flops_convention;

/* What a configuration costs, C = m(N) (D + T/3): training FLOPs m(N) D
 * plus the lifetime inference FLOPs (m(N)/3) T of T tokens served (a
 * forward pass is a third of forward + backward: 2 N T under 6N, as in
 * Sardana et al. 2024). The zero value is plain C = 6 N D. */
typedef struct {
    sg_flops_convention convention;
    double seq_len;          /* DEEPSEEK: l_seq, tokens per sequence */
    double aspect_ratio;     /* DEEPSEEK: d_model / n_layer */
    double inference_tokens; /* T; 0: training only */
} sg_flop_count;

sg_status sg_flop_count_validate(const sg_flop_count *count, sg_error *err);
/* C = 6 N D exactly: the closed forms and the exact strategy apply. */
int sg_flop_count_plain(const sg_flop_count *count);
const char *sg_flops_convention_name(sg_flops_convention convention);
sg_status sg_flops_convention_from_name(const char *name,
                                        sg_flops_convention *out,
                                        sg_error *err);
/* The convention in words for every output, e.g. "6N" or "deepseek M = 72
 * n_layer d^2 + 12 n_layer d l_seq (l_seq 4096, d/n_layer 128)". */
void sg_flop_count_describe(const sg_flop_count *count, char *buf,
                            size_t size);
/* Training FLOPs per token m(N). */
double sg_flops_per_token(const sg_flop_count *count, double params);
/* DeepSeek's M for an explicit shape (FLOPs per token). */
double sg_deepseek_flops_per_token(double layers, double d_model,
                                   double seq_len);

typedef struct {
    double training, inference, total; /* FLOPs */
} sg_cost;
sg_cost sg_cost_at(const sg_flop_count *count, double params, double tokens);

/* Turning FLOPs into accelerator time and money: hours = FLOPs /
 * (gpu_flops x mfu x 3600 s), cost = hours x price. */
typedef struct {
    double gpu_flops; /* peak FLOP/s of one accelerator; 0: not given */
    double mfu;       /* model FLOPs utilisation in (0, 1] */
    double price;     /* currency per accelerator-hour; 0: not given */
} sg_cost_model;

/* Whether hours (and cost) can be given; checks what was set. */
int sg_cost_model_given(const sg_cost_model *cost);
sg_status sg_cost_model_validate(const sg_cost_model *cost, sg_error *err);
double sg_gpu_hours(const sg_cost_model *cost, double flops);

/* --------------------------------------------------- compute-optimal points */

typedef enum {
    SG_METHOD_AUTO = 0,        /* closed form where the law has one */
    SG_METHOD_CLOSED_FORM = 1, /* Chinchilla eq. 4 / Kaplan's y = (aN/aD) x */
    SG_METHOD_NUMERIC = 2      /* 1-D root finding in log N, 1e-12 relative */
} sg_method;

typedef struct {
    double params, tokens;
    double flops;           /* training FLOPs (6 N D, or m(N) D) */
    double inference_flops; /* (m(N)/3) T; 0 without inference */
    double total_flops;     /* flops + inference_flops: what is minimised */
    double loss;
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
/*
 * The same under any FLOP count (count may be NULL: 6 N D): the least loss
 * whose total cost is `total_flops`, and the least total cost reaching
 * `loss`. Closed forms where the law has one and the count is plain (and
 * method allows); otherwise a fine 1-D search in ln N: a 4096-point scan,
 * then golden-section refinement of the best bracket to 1e-10 in ln N.
 * The Muennighoff form always takes the search.
 */
sg_status sg_optimal_for_flops_counted(const sg_law *law,
                                       const sg_flop_count *count,
                                       double total_flops, sg_method method,
                                       sg_optimum *out, sg_error *err);
sg_status sg_optimal_for_loss_counted(const sg_law *law,
                                      const sg_flop_count *count, double loss,
                                      sg_method method, sg_optimum *out,
                                      sg_error *err);

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
    SG_BACKEND_OPENMP = 2,    /* threads + SIMD, double precision */
    SG_BACKEND_CUDA = 3       /* an NVIDIA GPU, double precision */
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

/*
 * Precision of the per-point law (the selection; reported values are always
 * recomputed in double). f64: every backend picks bit-identical points.
 * f32: the law and the loss bands in single precision by scalegrid's own
 * powers (kernels/sg_math_f32.h), for the Chinchilla form on the
 * reference and OpenMP backends; bit-identical between those two, and
 * within about 1e-6 relative of the f64 loss, so a point lying that close to
 * a level may fall in the neighbouring band. About twice the factored and
 * ten times the direct f64 throughput on AVX2.
 */
typedef enum {
    SG_PRECISION_F64 = 0,
    SG_PRECISION_F32 = 1
} sg_precision;

const char *sg_backend_name(sg_backend backend);
sg_status sg_backend_from_name(const char *name, sg_backend *out,
                               sg_error *err);
const char *sg_strategy_name(sg_strategy strategy);
sg_status sg_strategy_from_name(const char *name, sg_strategy *out,
                                sg_error *err);
const char *sg_precision_name(sg_precision precision);
sg_status sg_precision_from_name(const char *name, sg_precision *out,
                                 sg_error *err);
/* Whether this build has OpenMP threads (the openmp backend runs on one
 * thread without them). */
int sg_openmp_threads_available(void);
/* Whether this build has the CUDA backend (nvcc was found at build time). */
int sg_cuda_built(void);
/* Whether a CUDA device can sweep now (compute capability 8.0 or newer);
 * `reason` (may be NULL) receives the device's name, or why not (no
 * CUDA in this build, no driver, no device). Asks the driver once. */
int sg_cuda_available(char *reason, size_t size);
/* Grids smaller than this go to OpenMP under backend auto even with a GPU:
 * starting a CUDA context takes longer than sweeping them on the CPU. */
#define SG_AUTO_CUDA_MIN_POINTS 67108864.0 /* 2^26 */

/* Sweeps estimated to take longer than this are refused up front unless
 * sg_sweep_config.max_seconds allows more. */
#define SG_DEFAULT_MAX_SECONDS 3600.0

typedef struct {
    sg_law law;
    sg_axis params, tokens;
    sg_levels loss_levels, flops_levels;
    sg_backend backend;
    sg_strategy strategy;
    sg_precision precision; /* of the selection (default f64) */
    int threads;        /* 0: all the machine offers */
    double max_seconds; /* 0: SG_DEFAULT_MAX_SECONDS */
    /* What a point costs: the key of the iso-loss reduction and the axis
     * of the compute levels (default 6 N D). */
    sg_flop_count flop_count;
    sg_cost_model cost_model; /* for the tables' hours and cost columns */
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
    double level;   /* loss level, or FLOPs level (of the total cost) */
    int empty;      /* no grid point fell into this band */
    uint64_t row;   /* index on the params axis */
    uint64_t col;   /* index on the tokens axis */
    double params, tokens;
    double flops;           /* training FLOPs */
    double inference_flops; /* 0 without inference tokens */
    double total_flops;     /* the cost the reductions rank by */
    double loss;
} sg_frontier_row;

typedef struct {
    sg_backend backend;   /* the backend that ran (auto resolved) */
    /* Why auto chose it, e.g. "auto: no CUDA device (...)"; "" otherwise.
     * For cuda, the device: "NVIDIA H100 ... (compute capability 9.0)". */
    char backend_note[256];
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
/* SG_ERR_INPUT when the loss levels or the compute levels lie wholly
 * outside what the grid's points reach (every frontier row would be
 * empty): the target was unreachable. A sweep run anyway reports the rows
 * as empty; the program refuses it up front. */
sg_status sg_sweep_check_levels_reachable(const sg_sweep_config *config,
                                          sg_error *err);
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
    SG_CONFIG_HAS_MAX_SECONDS = 1u << 9,
    SG_CONFIG_HAS_FLOP_COUNT = 1u << 10,
    SG_CONFIG_HAS_COST_MODEL = 1u << 11,
    SG_CONFIG_HAS_UNIQUE_TOKENS = 1u << 12,
    SG_CONFIG_HAS_PRECISION = 1u << 13
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

/* ------------------------------------------ Kaplan batch size and steps */

/* Kaplan et al. 2020, section 5. B = batch size in tokens per optimizer
 * step, S = optimizer steps. Kaplan counts non-embedding N and compute. The
 * four double functions are the bare formulas, for positive, finite
 * arguments; the two sg_status functions check their inputs. */

/* (1.4) Bcrit(L) = B* / L^(1/aB), tokens; Table 5: B* = 2.1e8, aB = 0.21.
 * loss in nats/token. */
double sg_kaplan_critical_batch(double loss);
/* (5.4) Smin = S / (1 + Bcrit/B): the steps at B >> Bcrit that reach the
 * loss S steps reach at batch B (batches in tokens). */
double sg_kaplan_min_steps(double steps, double batch, double critical_batch);
/* (5.5) Cmin = C / (1 + B/Bcrit): the FLOPs at B << Bcrit that reach the
 * loss C FLOPs reach at batch B (FLOPs in, FLOPs out). */
double sg_kaplan_min_compute(double flops, double batch, double critical_batch);
/* (1.6) L(N, Smin) = (Nc/N)^aN + (Sc/Smin)^aS, nats/token, with Table 3's
 * fit: aN 0.077, aS 0.76, Nc 6.5e13 params, Sc 2.1e3 steps. */
double sg_kaplan_loss_params_steps(double params, double min_steps);

/* Table 6's compute-efficient allocation for a minimum compute Cmin (the
 * compute to reach a loss at B << Bcrit, eq. 5.5), with what follows from
 * it. Training at Table 6's batch B ~ Bcrit costs C = 6 N D ~ 1.8 Cmin. */
typedef struct {
    double min_flops;         /* Cmin in FLOPs (the input) */
    double min_pf_days;       /* Cmin in PF-days (/ SG_FLOPS_PER_PF_DAY) */
    double params;            /* N = 1.3e9 Cmin^0.73, non-embedding */
    double batch;             /* B = 2.0e6 Cmin^0.24, tokens per step */
    double min_steps;         /* Smin = 5.4e3 Cmin^0.03, steps */
    double tokens;            /* D = 2e10 Cmin^0.27, tokens */
    double loss;              /* L(Cmin) by (1.3), Table 5; nats/token */
    double critical_batch;    /* Bcrit(loss) by (1.4), tokens (~ batch) */
    double steps;             /* S = D / B, steps at batch B */
    double flops;             /* C = 6 N D, FLOPs of training at batch B */
    double implied_min_steps; /* (5.4) of S, B, Bcrit (Table 6: min_steps) */
    double implied_min_flops; /* (5.5) of C, B, Bcrit (the input: min_flops) */
    double loss_params_steps; /* L(N, Smin) by (1.6), Table 3; nats/token */
} sg_kaplan_allocation;

/* Table 6 at min_flops FLOPs (converted to PF-days). SG_ERR_INPUT when
 * min_flops is not positive and finite, or a result leaves double range. */
sg_status sg_kaplan_allocation_for_flops(double min_flops,
                                         sg_kaplan_allocation *out,
                                         sg_error *err);

/* A run of N params on D tokens at batch B tokens per step, under a
 * Kaplan-form law's loss L(N, D) (1.5). */
typedef struct {
    double params, tokens, batch; /* the inputs: params, tokens, tokens/step */
    double loss;              /* L(N, D) of the law, nats/token */
    double critical_batch;    /* Bcrit(loss) by (1.4), tokens */
    double steps;             /* S = D / B */
    double min_steps;         /* Smin by (5.4), steps */
    double flops;             /* C = 6 N D, FLOPs */
    double min_flops;         /* Cmin by (5.5), FLOPs */
    double loss_params_steps; /* L(N, Smin) by (1.6), Table 3; nats/token */
} sg_kaplan_steps;

/* SG_ERR_INPUT for a law not of the Kaplan form, or params, tokens or
 * batch not positive and finite. */
sg_status sg_kaplan_steps_at_batch(const sg_law *law, double params,
                                   double tokens, double batch,
                                   sg_kaplan_steps *out, sg_error *err);

#ifdef __cplusplus
}
#endif

#endif /* SCALEGRID_H */
