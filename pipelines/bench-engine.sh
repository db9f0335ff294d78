#!/bin/sh
# Engine speed: 2-layer GRU (500 -> 512, batch 32, 100 steps, dropout 0.3,
# training) forward + backward, ours (OpenBLAS) against PyTorch CPU with the
# same thread count. WSD_THREADS (default: all cores) and WSD_BENCH_REPS
# (default 5) adjust it; the median run is reported.
set -e
cd "$(dirname "$0")/.."
threads=${WSD_THREADS:-$(nproc 2>/dev/null || echo 1)}
reps=${WSD_BENCH_REPS:-5}
lib=bin/obj/libwsdec.a
[ -f "$lib" ] || { echo "bench-engine: $lib missing; run make first"; exit 1; }
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
PKGS="hdf5 libcjson openblas zlib"
# a library built with the CUDA backend needs its runtime libraries too
cuda_libs=
if ar t "$lib" | grep -q '^nn_cuda\.o$'; then
    nvcc=$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)
    cuda_libs="-L$(dirname "$(dirname "$nvcc")")/lib64 -lcudart -lcublas -lstdc++"
fi
${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -Icommon $(pkg-config --cflags $PKGS) \
    -o "$bin/gru_bench" testdata/bench/gru_bench.c "$lib" $(pkg-config --libs $PKGS) $cuda_libs -lm -lpthread
# OpenBLAS would otherwise also spawn its own pool size
ours=$(OPENBLAS_NUM_THREADS=$threads "$bin/gru_bench" "$threads" "$reps")
echo "GRU 500->512 x2, batch 32, 100 steps, fwd+bwd, $threads thread(s):"
echo "  wsdec (C, OpenBLAS): $ours ms"
PY=${WSD_TORCH_PYTHON:-/usr/bin/python3}
if "$PY" -c 'import torch' 2>/dev/null; then
    theirs=$(OMP_NUM_THREADS=$threads MKL_NUM_THREADS=$threads "$PY" testdata/bench/gru_bench.py "$threads" "$reps")
    echo "  PyTorch $("$PY" -c 'import torch; print(torch.__version__)') CPU: $theirs ms"
    awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "  speed-up (PyTorch / wsdec): %.2fx\n", b / a }'
else
    echo "  PyTorch: not importable with $PY (install python3-torch to compare)"
fi
if [ -n "$cuda_libs" ]; then
    if gpu=$("$bin/gru_bench" "$threads" "$reps" cuda 2>/dev/null); then
        echo "  wsdec (CUDA): $gpu ms"
    else
        echo "  wsdec (CUDA): no GPU answered"
    fi
fi
