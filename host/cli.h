/* The scalegrid program: commands and the helpers they share. */
#ifndef SG_CLI_H
#define SG_CLI_H

#include "internal.h"

#include <getopt.h>

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
} cli_law_options;

/* Adds a --set list; prints and returns 2 when there are too many. */
int cli_add_setting(cli_law_options *o, const char *command, const char *text);
/* Resolves the law; with `required`, no config law and no --law is an
 * error. Returns an exit code (0 on success). */
int cli_resolve_law(const cli_law_options *o, const char *command,
                    int required, sg_law *law);

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
struct cJSON;
/* A JSON number that reads back as the same double (null if not finite);
 * cJSON's own printing can drop the last bit. */
struct cJSON *cli_json_number(double value);
void cli_add_number(struct cJSON *object, const char *key, double value);
int cli_print_json(struct cJSON *doc);

#endif /* SG_CLI_H */
