/* `make bench` engine figure: one forward + backward of a 2-layer GRU
 * (500 → 512, batch 32, 100 steps, inter-layer dropout 0.3, training mode)
 * through the sequence API, as the encoders use it. Prints the median of
 * `reps` timed runs in milliseconds. Usage: gru_bench [threads] [reps] [cpu|cuda] */
#include <stdio.h>
#include <stdlib.h>

#include "nn/nn.h"
#include "base/util.h"

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 0, reps = argc > 2 ? atoi(argv[2]) : 10;
    enum { B = 32, T = 100, IN = 500, H = 512, L = 2 };
    nn_device dev = NN_CPU;
    if (argc > 3 && nn_device_parse(argv[3], &dev)) wsd_die("%s", wsd_error());
    nn_set_threads(threads);
    wsd_rng rng;
    wsd_rng_seed(&rng, 233);
    nn_params ps;
    nn_params_init(&ps, "bench");
    nn_gru g;
    if (nn_gru_init(&g, &ps, "rnn", IN, H, L, 0.3f, &rng, dev)) wsd_die("%s", wsd_error());
    nn_tensor x = nn_zeros3(dev, B, T, IN), out = nn_zeros3(dev, B, T, H);
    nn_tensor dout = nn_zeros3(dev, B, T, H), dx = nn_zeros3(dev, B, T, IN);
    nn_init_uniform(&x, &rng, -1, 1);
    nn_init_uniform(&dout, &rng, -1, 1);
    nn_gru_seq_cache cache = {0};
    double *times = wsd_calloc((size_t)reps + 2, sizeof(double));
    for (int r = -1; r < reps; r++) {
        double t0 = wsd_now();
        nn_params_zero_grad(&ps);
        nn_tensor_zero(&dx);
        if (nn_gru_seq_forward(&g, &x, NULL, &out, NULL, 1, &rng, &cache) ||
            nn_gru_seq_backward(&g, &cache, &dout, NULL, &dx, NULL))
            wsd_die("%s", wsd_error());
        nn_device_sync(dev);
        if (r >= 0) times[r] = (wsd_now() - t0) * 1e3;
    }
    for (int i = 1; i < reps; i++) /* insertion sort for the median */
        for (int j = i; j > 0 && times[j] < times[j - 1]; j--) {
            double t = times[j];
            times[j] = times[j - 1];
            times[j - 1] = t;
        }
    printf("%.2f\n", times[reps / 2]);
    free(times);
    nn_gru_seq_cache_free(&cache);
    nn_tensor_free(&x);
    nn_tensor_free(&out);
    nn_tensor_free(&dout);
    nn_tensor_free(&dx);
    nn_params_free(&ps);
    return 0;
}
