/*
 * The host's side of the CUDA backend: whether a GPU can be used, and a
 * sweep's rows handed to kernels/sweep_cuda.cu. Built into every program;
 * without CUDA at build time (no nvcc, or CUDA=0) every answer is "not in
 * this build", so the rest of the host never needs an #ifdef.
 */
#include "internal.h"
#include "../kernels/sweep_kernels.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#ifdef SG_HAVE_CUDA
#include "../kernels/sweep_cuda.h"
#endif

/* Asking the driver costs tens of milliseconds: ask once per process. */
static pthread_once_t probe_once = PTHREAD_ONCE_INIT;
static int probe_devices;
static char probe_reason[256];
static char probe_name[256];

static void probe(void)
{
#ifdef SG_HAVE_CUDA
    probe_devices = sg_cuda_device_count(probe_reason, sizeof probe_reason);
    if (probe_devices > 0 &&
        sg_cuda_device_name(probe_name, sizeof probe_name) != 0) {
        snprintf(probe_reason, sizeof probe_reason, "%s", probe_name);
        probe_name[0] = '\0';
        probe_devices = 0;
    }
#else
    probe_devices = 0;
    snprintf(probe_reason, sizeof probe_reason,
             "this build has no CUDA backend (nvcc was not found, or CUDA=0; "
             "rebuild with the CUDA toolkit installed)");
#endif
}

int sg_cuda_built(void)
{
#ifdef SG_HAVE_CUDA
    return 1;
#else
    return 0;
#endif
}

int sg_cuda_available(char *reason, size_t size)
{
    pthread_once(&probe_once, probe);
    if (reason && size)
        snprintf(reason, size, "%s",
                 probe_devices > 0 ? probe_name : probe_reason);
    return probe_devices > 0;
}

sg_status sg_sweep_on_cuda(const sg_plan *plan, uint64_t row_begin,
                           uint64_t row_end, sg_bins *bins,
                           const volatile sig_atomic_t *cancel, sg_error *err)
{
#ifdef SG_HAVE_CUDA
    char message[384] = "";
    int rc = sg_sweep_cuda(plan, row_begin, row_end, bins, cancel, message,
                           sizeof message);
    if (rc == 1)
        return sg_fail(err, SG_ERR_CANCELLED, "sweep cancelled");
    if (rc != 0)
        return sg_fail(err, SG_ERR_RUNTIME, "CUDA backend failed: %s",
                       message);
    return SG_OK;
#else
    (void)plan, (void)row_begin, (void)row_end, (void)bins, (void)cancel;
    return sg_fail(err, SG_ERR_INPUT, "backend 'cuda' is unavailable: %s",
                   probe_reason[0] ? probe_reason : "no CUDA in this build");
#endif
}
