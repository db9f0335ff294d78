#!/bin/sh
# C3D v1.0 feature extraction speed (common/video/c3d.h): full-width network,
# random weights, WSD_C3D_CLIPS clips (default 4; ~77 GFLOP each) in batches
# of 2, ours (Winograd F(4,3) or im2col + OpenBLAS, nn_vol_cpu.c) against PyTorch CPU with the same weights,
# clips and thread count (OMP_WAIT_POLICY=PASSIVE so idle OpenMP threads do
# not spin against ours), the achieved GFLOP/s against OpenBLAS SGEMM 2048³ in
# the same run, and the load average (the figures are only as quiet as the
# machine). WSD_THREADS: threads (default: all cores).
set -e
cd "$(dirname "$0")/.."
threads=${WSD_THREADS:-$(nproc 2>/dev/null || echo 1)}
clips=${WSD_C3D_CLIPS:-4}
# c3d_bench is built by `make` (bench: all) with the library
bench=${WSD_BENCH_BIN:-bin/obj/bench}
[ -x "$bench/c3d_bench" ] || { echo "bench-c3d: $bench/c3d_bench missing; run make first"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
PY=${WSD_TORCH_PYTHON:-/usr/bin/python3}
dump=
"$PY" -c 'import torch, numpy' 2>/dev/null && dump="$tmp"
echo "C3D v1.0 fc7, 16x112x112 clips, $clips clip(s) in batches of 2, $threads thread(s), load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
set -- $(OPENBLAS_NUM_THREADS=$threads "$bench/c3d_bench" "$threads" "$clips" cpu $dump)
ours=$1 ours_cpu=$4
echo "  wsdec (C, Winograd F(4,3) / im2col + OpenBLAS): $1 clips/s, $2 GFLOP/s effective, $4 CPU-s per clip"
echo "    (77.1 GFLOP per clip counted as direct convolution; Winograd layers do about half the multiply-adds)"
echo "  OpenBLAS sgemm 2048^3 in this run: $3 GFLOP/s; effective rate / sgemm: $(awk -v a="$2" -v b="$3" 'BEGIN { printf "%.0f", 100 * a / b }')%"
if [ -n "$dump" ]; then
    set -- $(OMP_NUM_THREADS=$threads OMP_WAIT_POLICY=PASSIVE MKL_NUM_THREADS=$threads \
        "$PY" testdata/bench/c3d_bench.py "$threads" "$clips" "$dump")
    echo "  PyTorch $("$PY" -c 'import torch; print(torch.__version__)') CPU: $1 clips/s, $3 CPU-s per clip (fc7 max difference from ours: $2 of its range)"
    awk -v a="$ours" -v b="$1" -v ac="$ours_cpu" -v bc="$3" 'BEGIN {
        printf "  ratio wsdec / PyTorch: %.2f in clips/s (goal >= 1.0), %.2f in CPU time per clip (PyTorch / wsdec)\n", a / b, bc / ac }'
else
    echo "  PyTorch: torch or numpy not importable with $PY (install python3-torch to compare)"
fi
echo "  load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -n "$cuda_libs" ]; then
    if gpu=$("$bench/c3d_bench" "$threads" 32 cuda 2>/dev/null); then
        echo "  wsdec (CUDA, batches of 16): $(echo "$gpu" | cut -d' ' -f1) clips/s, $(echo "$gpu" | cut -d' ' -f2) GFLOP/s"
    else
        echo "  wsdec (CUDA): no GPU answered"
    fi
fi
