/* scalegrid: the command-line program. */
#include "cli.h"
#include "plot.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char main_help[] =
    "scalegrid " SG_VERSION ": LLM scaling-law planning by dense grid sweeps\n"
    "\n"
    "usage: scalegrid [SWEEP OPTIONS]      the default sweep (chinchilla,\n"
    "                                      16384 x 16384 points); options as\n"
    "                                      for scalegrid sweep\n"
    "       scalegrid laws [--json]        the built-in laws\n"
    "       scalegrid eval ...             loss and cost of one (N, D)\n"
    "       scalegrid optimal ...          compute-optimal point for a\n"
    "                                      budget or a target loss\n"
    "       scalegrid sweep ...            dense grid sweep and frontiers\n"
    "       scalegrid compare ...          optimal allocation under several\n"
    "                                      laws, table and compare.svg\n"
    "       scalegrid fit RUNS.csv ...     fit a law to your training runs\n"
    "       scalegrid bench ...            points/s against this machine's\n"
    "                                      limits and the reference\n"
    "       scalegrid COMMAND --help       a command's options\n"
    "       scalegrid --version\n";

typedef int (*command_fn)(int argc, char **argv);

static const struct {
    const char *name;
    command_fn run;
} commands[] = {
    {"laws", cli_laws},
    {"eval", cli_eval},
    {"optimal", cli_optimal},
    {"sweep", cli_sweep},
    {"compare", cli_compare},
    {"fit", cli_fit},
    {"bench", cli_bench},
};

/* A command's answer is on stdout: if it could not all be written (a full
 * disk, a closed pipe's reader), the run failed, whatever the command
 * returned. */
static int flush_stdout(int rc)
{
    errno = 0;
    if (fflush(stdout) == 0 && !ferror(stdout))
        return rc;
    fprintf(stderr, "scalegrid: cannot write to standard output%s%s\n",
            errno ? ": " : "", errno ? strerror(errno) : "");
    return rc ? rc : SG_ERR_RUNTIME;
}

static int run(int argc, char **argv);

int main(int argc, char **argv)
{
    return flush_stdout(run(argc, argv));
}

static int run(int argc, char **argv)
{
    /* Plots leave cairo's and fontconfig's font caches behind: free them at
     * exit so leak checkers see scalegrid's memory only. */
    atexit(sg_plot_release_caches);
    if (argc < 2)
        return cli_sweep(argc, argv);
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 ||
        strcmp(name, "help") == 0) {
        fputs(main_help, stdout);
        return 0;
    }
    if (strcmp(name, "--version") == 0) {
        printf("scalegrid %s\n", SG_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(name, commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    /* `scalegrid --out DIR` is the default sweep with that option. */
    if (name[0] == '-')
        return cli_sweep(argc, argv);
    fprintf(stderr, "scalegrid: unknown command '%s' (known: laws, eval, "
                    "optimal, sweep, compare, fit, bench)\n", name);
    return SG_ERR_INPUT;
}
