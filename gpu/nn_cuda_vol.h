// The CUDA video kernels (gpu/nn_cuda_vol.cu): entries of the CUDA backend
// table, same contract as nn_backend.h's conv3d_forward / maxpool3d_forward.
#ifndef WSD_NN_CUDA_VOL_H
#define WSD_NN_CUDA_VOL_H

#ifdef __cplusplus
extern "C" {
#endif

void nn_cuda_conv3d_forward(int N, int C, int T, int H, int W, int K, const float *x,
                            const float *w, const float *b, int relu, float *y);
void nn_cuda_maxpool3d_forward(int N, int C, int T, int H, int W, const int *k, const int *s,
                               const int *p, int oT, int oH, int oW, const float *x, float *y);

#ifdef __cplusplus
}
#endif

#endif
