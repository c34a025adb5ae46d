/*
 * The progress bar of long sweeps, on stderr when it is a terminal: percent,
 * points/s, elapsed and remaining time. Nothing for sweeps under a second,
 * on a pipe or with --quiet.
 */
#include "cli.h"

#include <stdio.h>
#include <unistd.h>

/* Sweeps shorter than this never show the bar. */
#define PROGRESS_AFTER_SECONDS 1.0
/* Redraw at most this often. */
#define PROGRESS_INTERVAL_SECONDS 0.1

static void format_duration(char *buf, size_t size, double seconds)
{
    if (seconds < 60)
        snprintf(buf, size, "%.1f s", seconds);
    else if (seconds < 3600)
        snprintf(buf, size, "%d min %02d s", (int)(seconds / 60),
                 (int)seconds % 60);
    else
        snprintf(buf, size, "%d h %02d min", (int)(seconds / 3600),
                 (int)(seconds / 60) % 60);
}

void cli_progress_init(cli_progress *p, int quiet)
{
    p->enabled = !quiet && isatty(STDERR_FILENO);
    p->shown = 0;
    p->last_draw = 0;
}

void cli_progress_update(void *context, uint64_t done, uint64_t total,
                         double seconds)
{
    cli_progress *p = context;
    if (!p->enabled || seconds < PROGRESS_AFTER_SECONDS || done == 0)
        return;
    if (p->shown && seconds - p->last_draw < PROGRESS_INTERVAL_SECONDS &&
        done < total)
        return;
    double rate = (double)done / seconds;
    char rate_text[32], elapsed[32], left[32];
    sg_format_sci(rate_text, sizeof rate_text, rate);
    format_duration(elapsed, sizeof elapsed, seconds);
    format_duration(left, sizeof left, (double)(total - done) / rate);
    int width = 30, filled = (int)((double)width * (double)done / (double)total);
    char bar[31];
    for (int i = 0; i < width; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[width] = '\0';
    fprintf(stderr, "\r  [%s] %5.1f%%  %s points/s  %s elapsed, %s left  ",
            bar, 100.0 * (double)done / (double)total, rate_text, elapsed,
            left);
    fflush(stderr);
    p->shown = 1;
    p->last_draw = seconds;
}

void cli_progress_finish(cli_progress *p)
{
    if (p->shown) {
        fputs("\r\033[K", stderr); /* erase the bar's line */
        fflush(stderr);
    }
    p->shown = 0;
}
