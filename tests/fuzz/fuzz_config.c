/*
 * Fuzz target: the JSON config parser (sg_config_parse), then validation of
 * whatever it accepted. Any input must give SG_OK or a one-line error,
 * never a crash, a hang or a leak. Small valid configs are also swept by the
 * reference and the OpenMP backend (both strategies), whose frontiers must
 * be identical: a differential test of the kernels on odd grids and laws.
 */
#include "scalegrid.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same_rows(const sg_frontier_row *a, const sg_frontier_row *b,
                     uint32_t count)
{
    for (uint32_t k = 0; k < count; k++)
        if (a[k].empty != b[k].empty ||
            (!a[k].empty && (a[k].row != b[k].row || a[k].col != b[k].col)))
            return 0;
    return 1;
}

/* Sweeps a small config with every backend and strategy; aborts if two
 * disagree. */
static void differential_sweep(sg_sweep_config config)
{
    if ((double)config.params.count * (double)config.tokens.count > 4096 ||
        config.loss_levels.count > 512 || config.flops_levels.count > 512)
        return;
    config.threads = 1;
    config.backend = SG_BACKEND_REFERENCE;
    config.strategy = SG_STRATEGY_AUTO;
    sg_sweep_result expected, got;
    sg_error err;
    if (sg_sweep_run(&config, &expected, &err) != SG_OK)
        return; /* e.g. a loss range that is not finite: refused alike */
    static const sg_strategy strategies[] = {
        SG_STRATEGY_FACTORED, SG_STRATEGY_DIRECT, SG_STRATEGY_EXACT};
    for (int i = 0; i < 3; i++) {
        config.backend = SG_BACKEND_OPENMP;
        config.strategy = strategies[i];
        if (sg_sweep_run(&config, &got, &err) != SG_OK) {
            if (strategies[i] == SG_STRATEGY_EXACT)
                continue; /* refused for laws it does not serve */
            abort(); /* the reference ran this config */
        }
        if (!same_rows(expected.iso_loss, got.iso_loss,
                       expected.loss_levels.count) ||
            !same_rows(expected.iso_loss_cumulative, got.iso_loss_cumulative,
                       expected.loss_levels.count) ||
            !same_rows(expected.iso_flops, got.iso_flops,
                       expected.flops_levels.count))
            abort();
        sg_sweep_result_free(&got);
    }
    sg_sweep_result_free(&expected);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    sg_sweep_config config;
    sg_sweep_config_default(&config);
    unsigned set = 0;
    char out_dir[256];
    sg_error err;
    if (sg_config_parse(text, "fuzz.json", &config, &set, out_dir,
                        sizeof out_dir, &err) == SG_OK) {
        sg_sweep_estimated_seconds(&config);
        if (sg_sweep_config_validate(&config, &err) == SG_OK)
            differential_sweep(config);
    } else if (!memchr(err.message, '\0', sizeof err.message) ||
               strchr(err.message, '\n')) {
        abort(); /* a message must be one terminated line */
    }
    free(text);
    return 0;
}
