/* The scalegrid program: commands and the helpers they share. */
#ifndef SG_CLI_H
#define SG_CLI_H

#include "internal.h"

#include <getopt.h>

struct cJSON;

/* Every command returns its exit code: 0, 1 (runtime), 2 (bad input). */
int cli_laws(int argc, char **argv);
int cli_eval(int argc, char **argv);
int cli_optimal(int argc, char **argv);
int cli_sweep(int argc, char **argv);
int cli_compare(int argc, char **argv);
int cli_fit(int argc, char **argv);
int cli_bench(int argc, char **argv);

/* Next long option's val, -1 at the end, or -2 after printing a usage
 * error (unknown option, missing value). */
int cli_next_option(int argc, char **argv, const struct option *options,
                    const char *command);

/* A comma list of an option: no empty item and no item given twice
 * (compared whole, or by the key before '=' when `keyed`). Prints and
 * returns 2 when it is not. */
int cli_check_list(const char *command, const char *option, const char *text,
                   int keyed);

/* Prints "scalegrid: <message>" and returns the error's exit code. */
int cli_report(const sg_error *err);
/* Prints "scalegrid <command>: <formatted message>" and returns 2. */
int cli_usage_error(const char *command, const char *fmt, ...) SG_PRINTF(2, 3);

/* Parses a number option ("--params 7B"); prints and returns 2 on error. */
int cli_number(const char *command, const char *option, const char *text,
               double *out);

/* The law a command uses: the config file's, replaced by --law, then
 * changed by each --set. `settings` holds `n_settings` k=v lists. */
typedef struct {
    const char *config_path; /* NULL: none */
    const char *law_name;    /* NULL: none */
    const char *settings[32];
    int n_settings;
    const char *unique_tokens; /* --unique-tokens U; NULL: none */
} cli_law_options;

#define CLI_UNIQUE_TOKENS_HELP                                               \
    "  --unique-tokens U the unique-token budget of a data-constrained law\n" \
    "                    (muennighoff): D tokens repeat them D/U times\n"

/* Gives U to a Muennighoff-form law; prints and returns 2 otherwise. */
int cli_apply_unique_tokens(const char *command, const char *text,
                            sg_law *law);

/* Adds a --set list; prints and returns 2 when there are too many. */
int cli_add_setting(cli_law_options *o, const char *command, const char *text);
/* Resolves the law of --law and --set (over a config's, if any) without
 * validating it: a sweep validates its whole config, U included, once
 * every option is applied. Returns an exit code (0 on success). */
int cli_resolve_law_unvalidated(const cli_law_options *o, const char *command,
                                sg_law *law);

/* --gpu-flops F --mfu U --price P, shared by eval, optimal and sweep. */
typedef struct {
    const char *gpu_flops, *mfu, *price;
} cli_cost_options;

#define CLI_COST_HELP                                                        \
    "  --gpu-flops F     peak FLOP/s of one accelerator (e.g. 989T for an\n" \
    "                    H100's dense BF16); with --mfu, FLOPs become\n"     \
    "                    accelerator-hours\n"                               \
    "  --mfu U           model FLOPs utilisation, in (0, 1]\n"              \
    "  --price P         currency per accelerator-hour: hours become cost\n"

/* --flops-per-token 6N|deepseek --seq-len S --aspect-ratio R
 * --inference-tokens T, shared by optimal and sweep (eval adds a fixed
 * shape). */
typedef struct {
    const char *per_token, *seq_len, *aspect_ratio, *inference_tokens;
} cli_count_options;

#define CLI_COUNT_HELP                                                       \
    "  --flops-per-token C  training FLOPs per token: 6N (default) or\n"     \
    "                    deepseek, M = 72 n_layer d^2 + 12 n_layer d l_seq\n" \
    "                    (DeepSeek LLM 2024; attention included)\n"          \
    "  --seq-len S       deepseek: tokens per training sequence\n"          \
    "  --aspect-ratio R  deepseek: d_model / n_layer of every model; with\n" \
    "                    N = 12 n_layer d^2 it fixes each N's shape\n"       \
    "  --inference-tokens T  lifetime inference tokens: the cost becomes\n" \
    "                    training + inference FLOPs, m(N) D + m(N)/3 T\n"   \
    "                    (6 N D + 2 N T under 6N; Sardana et al. 2024)\n"

/* Applies the options given over *count (a config's, or zeros); prints
 * and returns 2 on bad input. A shape option alone implies deepseek. */
int cli_flop_count(const char *command, const cli_count_options *o,
                   sg_flop_count *count);

/* The planning options eval, optimal and sweep share (the law, its
 * settings, the FLOP count and the cost), as entries of a getopt_long
 * table, and their handler: 1 when `c` was one of them and its value was
 * taken, 0 otherwise (a bad --set was reported as `command`'s). */
#define CLI_PLAN_OPTIONS                                              \
    {"law", required_argument, NULL, 'l'},                           \
        {"set", required_argument, NULL, 's'},                       \
        {"unique-tokens", required_argument, NULL, 'u'},             \
        {"inference-tokens", required_argument, NULL, 'I'},          \
        {"flops-per-token", required_argument, NULL, 'M'},           \
        {"seq-len", required_argument, NULL, 'Q'},                   \
        {"aspect-ratio", required_argument, NULL, 'R'},              \
        {"gpu-flops", required_argument, NULL, 'G'},                 \
        {"mfu", required_argument, NULL, 'U'},                       \
        {"price", required_argument, NULL, '$'}
int cli_plan_option(const char *command, int c, const char *value,
                    cli_law_options *law, cli_count_options *count,
                    cli_cost_options *cost);

/* A command's own options, for cli_parse_planning: CLI_OPTION_TAKEN when
 * `c` was one of them and its value was taken, CLI_OPTION_NOT_MINE when it
 * is not, or 2 after printing a usage error. */
#define CLI_OPTION_TAKEN 0
#define CLI_OPTION_NOT_MINE (-1)
typedef int (*cli_own_option)(int c, const char *value, void *command_options);

/* The end of an options table for cli_parse_planning: the planning
 * options, --help and the terminating entry. */
#define CLI_PLANNING_OPTIONS_END                                      \
    CLI_PLAN_OPTIONS, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}

/* The arguments of eval, optimal and sweep: each option of `options`
 * (ending in CLI_PLANNING_OPTIONS_END) goes to `own`, or is a planning
 * option (into law, count, cost), or --help (prints `help`); then at most
 * one argument, the config path. Returns 0, -1 after --help, or 2 after
 * printing a usage error. */
int cli_parse_planning(const char *command, int argc, char **argv,
                       const struct option *options, const char *help,
                       cli_law_options *law, cli_count_options *count,
                       cli_cost_options *cost, cli_own_option own,
                       void *command_options);

/* Applies the cost options given over *cost (a config's, or zeros), each
 * replacing its own field; prints and returns 2 on bad input. */
int cli_cost_model(const char *command, const cli_cost_options *o,
                   sg_cost_model *cost);
/* The law, FLOP count and cost model of eval, optimal and compare, with
 * one read of the config: the options given over the config's ("law",
 * "unique_tokens", "flop_count", "cost_model"; defaults without a config),
 * the count and cost as cli_costs_over does over any base. A law is
 * required and validated. Prints and returns 2 on bad input. */
int cli_resolve_plan(const char *command, const cli_law_options *law_options,
                     const cli_count_options *count_options,
                     const cli_cost_options *cost_options, sg_law *law,
                     sg_flop_count *count, sg_cost_model *cost);
int cli_costs_over(const char *command, const cli_count_options *count_options,
                   const cli_cost_options *cost_options, sg_flop_count *count,
                   sg_cost_model *cost);
/* Adds gpu_hours (and cost) to a JSON object when the model is given. */
void cli_add_cost(struct cJSON *object, const sg_cost_model *cost,
                  double flops);
/* " = 1.2e5 accelerator-hours, 2.4e5 in cost", or "" without a model. */
void cli_cost_text(char *buf, size_t size, const sg_cost_model *cost,
                   double flops);

/* The progress bar of long sweeps (host/progress.c). */
typedef struct {
    int enabled, shown;
    double last_draw;
} cli_progress;

void cli_progress_init(cli_progress *p, int quiet);
/* An sg_control progress callback; context is a cli_progress. */
void cli_progress_update(void *context, uint64_t points_done,
                         uint64_t points_total, double seconds);
void cli_progress_finish(cli_progress *p);

/* Prints a cJSON-built document on stdout; frees it. Returns an exit code. */
/* A JSON number that reads back as the same double (null if not finite);
 * cJSON's own printing can drop the last bit. */
struct cJSON *cli_json_number(double value);
void cli_add_number(struct cJSON *object, const char *key, double value);
int cli_print_json(struct cJSON *doc);

#endif /* SG_CLI_H */
