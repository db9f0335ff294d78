/* Device names and backend dispatch. */
#include <stdio.h>
#include <string.h>

#include "nn/nn_device.h"

#include "nn/nn_backend.h"
#include "nn/nn_tensor.h"
#include "base/util.h"

#ifndef WSD_HAVE_CUDA
const nn_backend *nn_cuda_backend(void) {
    wsd_fail("this build has no CUDA backend (rebuild with nvcc present or `make CUDA=1`)");
    return NULL;
}
#endif

const nn_backend *nn_backend_for(int device) {
    if (device == NN_CUDA) {
        const nn_backend *be = nn_cuda_backend();
        if (be) return nn_backend_counted(NN_CUDA, be);
        /* tensors are only created on devices that were available, so this
         * cannot happen for a correct program; fail loudly rather than
         * hand CPU code a device pointer */
        wsd_die_internal("%s", wsd_error());
    }
    return nn_backend_counted(NN_CPU, &nn_cpu_backend);
}

int nn_device_available(nn_device dev) {
    if (dev == NN_CPU) return 1;
    return nn_cuda_backend() != NULL;
}

static char fallback[320]; /* why the last "auto" chose the CPU; "" when it did not */

const char *nn_device_fallback_reason(void) { return fallback[0] ? fallback : NULL; }

int nn_device_parse(const char *name, nn_device *out) {
    fallback[0] = 0;
    if (!strcmp(name, "cpu")) {
        *out = NN_CPU;
        return 0;
    }
    if (!strcmp(name, "cuda")) {
        if (!nn_cuda_backend()) return -1;
        *out = NN_CUDA;
        return 0;
    }
    if (!strcmp(name, "auto")) {
        *out = nn_cuda_backend() ? NN_CUDA : NN_CPU;
        if (*out == NN_CPU) snprintf(fallback, sizeof fallback, "%s", wsd_error());
        wsd_clear_error();
        return 0;
    }
    return wsd_fail("unknown device '%s' (expected auto, cpu or cuda)", name);
}

const char *nn_device_name(nn_device dev) { return dev == NN_CUDA ? "cuda" : "cpu"; }

void nn_device_sync(nn_device dev) { nn_backend_for(dev)->sync(); }

nn_device nn_opt_device(const char *name) {
    nn_device dev;
    if (nn_device_parse(name, &dev) != 0) wsd_die("--device %s: %s", name, wsd_error());
    if (nn_device_fallback_reason())
        wsd_warn("--device auto: %s; running on the CPU", nn_device_fallback_reason());
    return dev;
}
