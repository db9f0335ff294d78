/* The devices the engine runs on and their names (defined in nn_device.c; the
 * backend table behind them is nn_backend.h). */
#ifndef WSD_NN_DEVICE_H
#define WSD_NN_DEVICE_H

typedef enum { NN_CPU = 0, NN_CUDA = 1 } nn_device;

/* "cpu", "cuda", "auto" (cuda when this build has it and a GPU answers, else
 * cpu). "cuda" in a build without the CUDA backend fails with a message that
 * says so. */
int nn_device_parse(const char *name, nn_device *out);
/* After nn_device_parse("auto") chose the CPU: why (e.g. "no CUDA GPU
 * answered (cudaGetDeviceCount: ...)"); NULL when the last parse did not fall
 * back. Programs print it as one line on stderr:
 *   PROG: --device auto: no CUDA GPU answered (...); running on the CPU */
const char *nn_device_fallback_reason(void);
/* The program side of nn_device_parse (like base/opt.h, it exits): --device
 * `name`, or wsd_die "--device NAME: REASON"; when "auto" fell back to the
 * CPU, the line above is warned first. */
nn_device nn_opt_device(const char *name);
const char *nn_device_name(nn_device dev);
int nn_device_available(nn_device dev);
/* Host<->device traffic since the start of the process, counted by every
 * backend (the CPU's too) at the points where the CUDA backend makes the host
 * wait: syncs (downloads, explicit syncs, reductions and argmax whose results
 * come back to the host) and uploads (host arrays, index arrays included,
 * copied to the device asynchronously). Tests on the CPU measure with it what
 * a GPU run of the same code would wait for (common/nn/nn_sync.c). */
typedef struct {
    unsigned long syncs, uploads;
} nn_device_counts;
nn_device_counts nn_device_counters(void);
/* Waits for queued device work (no-op on the CPU). */
void nn_device_sync(nn_device dev);

#endif
