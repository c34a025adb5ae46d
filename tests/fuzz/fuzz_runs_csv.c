/*
 * Fuzz target: the runs CSV reader (sg_runs_read_csv), with and without
 * skip_bad_rows and a flops column, then a coarse fit of whatever it read.
 * Any input must give SG_OK or a one-line error, never a crash or a leak.
 */
#include "fit.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_message(const sg_error *err)
{
    if (!memchr(err->message, '\0', sizeof err->message) ||
        strchr(err->message, '\n'))
        abort(); /* a message must be one terminated line */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    char path[64];
    snprintf(path, sizeof path, "/tmp/scalegrid-fuzz-runs-%d.csv",
             (int)getpid());
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    /* The first byte picks the reader's options, the rest is the file. */
    fwrite(data + 1, 1, size - 1, f);
    fclose(f);
    sg_runs_csv_options o;
    sg_runs_csv_options_default(&o);
    o.skip_bad_rows = data[0] & 1;
    if (data[0] & 2)
        o.flops_column = "flops";
    sg_runs runs;
    sg_error err;
    if (sg_runs_read_csv(path, &o, &runs, &err) == SG_OK) {
        sg_fit_options fo;
        sg_fit_options_default(&fo);
        fo.resolution = 0.05; /* 31 x 31 cells: the path, not the accuracy */
        fo.threads = 1;
        sg_fit_result fit;
        if (runs.count < 64 &&
            sg_fit_chinchilla(&runs, &fo, &fit, &err) != SG_OK)
            check_message(&err);
        sg_runs_free(&runs);
    } else {
        check_message(&err);
    }
    unlink(path);
    return 0;
}
