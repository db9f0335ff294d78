/* The CPU/CUDA neural-network engine in one include. */
#ifndef WSD_NN_H
#define WSD_NN_H

#include "nn_attention.h"
#include "nn_batchnorm.h"
#include "nn_ckpt.h"
#include "nn_gru.h"
#include "nn_linear.h"
#include "nn_loss.h"
#include "nn_lstm.h"
#include "nn_ops.h"
#include "nn_optim.h"
#include "nn_param.h"
#include "nn_rng.h"
#include "nn_tensor.h"

/* Threads for CPU matrix products (OpenBLAS); 0 = library default. */
void nn_set_threads(int n);

#endif
