#!/bin/sh
# `make bench`'s model figures: the C side builds and times the quick items
# (sgemm, localize) with the output format pipelines/bench-models.sh parses;
# the script itself runs end to end on the quickest item (its PyTorch side
# only in `make bench`: importing torch alone would double this test's time).
. "$(dirname "$0")/../cli-lib.sh"
ROOT=${WSD_ROOT:-.}
[ -f "$ROOT/bin/obj/libwsdec.a" ] || skip "bench-models: bin/obj/libwsdec.a not built (SAN build?)"
cd "$ROOT" || fail "no $ROOT"
PKGS="hdf5 libcjson openblas zlib"
cuda_libs=
if ar t bin/obj/libwsdec.a | grep -q '^nn_cuda\.o$'; then
    nvcc=$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)
    cuda_libs="-L$(dirname "$(dirname "$nvcc")")/lib64 -lcudart -lcublas -lstdc++"
fi
${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -Icommon $(pkg-config --cflags $PKGS) \
    -o "$TMP/models_bench" testdata/bench/models_bench.c bin/obj/libwsdec.a \
    $(pkg-config --libs $PKGS) $cuda_libs -lm -lpthread || fail "models_bench.c does not build"
for item in sgemm localize; do
    out=$("$TMP/models_bench" "$item" 1 1) || fail "models_bench $item failed"
    echo "$out" | grep -Eq '^[0-9]+\.[0-9]+ [0-9]+\.[0-9]+ [0-9]+\.[0-9]+$' ||
        fail "models_bench $item printed '$out', expected 'wall_ms cpu_ms units'"
done
expect_exit 1 "unknown" "$TMP/models_bench" nonsense 1 1
out=$(WSD_TORCH_PYTHON=/nonexistent WSD_THREADS=1 WSD_BENCH_REPS=1 WSD_BENCH_ROUNDS=1 \
    WSD_BENCH_ITEMS=localize sh pipelines/bench-models.sh) ||
    fail "bench-models.sh failed: $out"
echo "$out" | grep -q 'localize: ours wall .* videos/s' || fail "bench-models.sh: $out"
echo "$out" | grep -q 'sgemm (4320 x 512 x 1536): [0-9.]* GFLOP/s' || fail "bench-models.sh: $out"
echo "$out" | grep -q 'PyTorch: not importable' || fail "bench-models.sh without torch: $out"
exit 0
