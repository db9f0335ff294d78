/* The devices the engine runs on and their names (defined in nn_device.c; the
 * backend table behind them is nn_backend.h). */
#ifndef WSD_NN_DEVICE_H
#define WSD_NN_DEVICE_H

typedef enum { NN_CPU = 0, NN_CUDA = 1 } nn_device;

/* "cpu", "cuda", "auto" (cuda when this build has it and a GPU answers, else
 * cpu). "cuda" in a build without the CUDA backend fails with a message that
 * says so. */
int nn_device_parse(const char *name, nn_device *out);
const char *nn_device_name(nn_device dev);
int nn_device_available(nn_device dev);
/* Waits for queued device work (no-op on the CPU). */
void nn_device_sync(nn_device dev);

#endif
