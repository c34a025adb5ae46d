/* Frontier bins: clearing and merging (shared by every backend). */
#include "sweep_kernels.h"

static void clear_range(sg_best *best, int64_t count)
{
    for (int64_t k = 0; k < count; k++) {
        best[k].key = INFINITY;
        best[k].index = SG_NO_POINT;
    }
}

static void merge_range(sg_best *into, const sg_best *from, int64_t count)
{
    for (int64_t k = 0; k < count; k++)
        if (from[k].index != SG_NO_POINT &&
            sg_better(from[k].key, from[k].index, into[k].key, into[k].index))
            into[k] = from[k];
}

void sg_bins_clear(sg_bins *bins)
{
    clear_range(bins->iso_loss, bins->loss_count + 1);
    clear_range(bins->iso_flops, bins->flops_count);
}

void sg_bins_merge(sg_bins *into, const sg_bins *from)
{
    merge_range(into->iso_loss, from->iso_loss, into->loss_count + 1);
    merge_range(into->iso_flops, from->iso_flops, into->flops_count);
}
