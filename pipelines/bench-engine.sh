#!/bin/sh
# Engine speed: 2-layer GRU (500 -> 512, batch 32, 100 steps, dropout 0.3,
# training) forward + backward, ours (OpenBLAS) against PyTorch CPU with the
# same thread count. WSD_THREADS (default: all cores) and WSD_BENCH_REPS
# (default 5) adjust it; the median run is reported.
set -e
cd "$(dirname "$0")/.."
threads=${WSD_THREADS:-$(nproc 2>/dev/null || echo 1)}
reps=${WSD_BENCH_REPS:-5}
# gru_bench is built by `make` (bench: all) with the library
bin=${WSD_BENCH_BIN:-bin/obj/bench}
[ -x "$bin/gru_bench" ] || { echo "bench-engine: $bin/gru_bench missing; run make first"; exit 1; }
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
if gpu=$("$bin/gru_bench" "$threads" "$reps" cuda 2>"${TMPDIR:-/tmp}/gru_bench.$$"); then
    echo "  wsdec (CUDA): $gpu ms"
else
    echo "  wsdec (CUDA): skipped ($(head -n 1 "${TMPDIR:-/tmp}/gru_bench.$$"))"
fi
rm -f "${TMPDIR:-/tmp}/gru_bench.$$"
