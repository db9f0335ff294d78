#!/bin/sh
# Packs what `make gpu-check` needs on a device machine that has the NVIDIA
# driver and CUDA runtime but none of our Debian libraries (HDF5, OpenBLAS,
# cJSON): the CUDA build of every program and unit test, plus the shared
# libraries they load, minus glibc and the CUDA libraries (those come from
# the device's own CUDA install, matched to its driver).
#   sh pipelines/gpu-bundle.sh      -> bin/gpu-bundle.tar.xz (carry it)
set -eu
cd "$(dirname "$0")/.."
command -v /usr/local/cuda/bin/nvcc >/dev/null 2>&1 || command -v nvcc >/dev/null 2>&1 ||
    { echo "gpu-bundle: no nvcc here: the bundle must hold the CUDA build" >&2; exit 1; }
make -j"$(nproc)" CUDA=1 all test-bins >/dev/null  # all builds bin/obj/bench too
out=bin/gpu-bundle
rm -rf "$out" "$out.tar.xz"
mkdir -p "$out/bin" "$out/test" "$out/lib"
for p in bin/*; do [ -f "$p" ] && [ -x "$p" ] && cp "$p" "$out/bin/"; done
# the benchmark programs (pipelines/bench-*.sh read them from WSD_BENCH_BIN)
mkdir -p "$out/bench"
for p in bin/obj/bench/*; do [ -f "$p" ] && [ -x "$p" ] && cp "$p" "$out/bench/"; done
(cd bin/obj/test && find . -name '*_test' -type f) | while read -r t; do
    mkdir -p "$out/test/$(dirname "$t")"; cp "bin/obj/test/$t" "$out/test/$t"
done
# every shared library any of them loads, except the C library family and CUDA
find "$out/bin" "$out/test" "$out/bench" -type f -exec ldd {} \; 2>/dev/null | awk '$3 ~ /^\// {print $3}' | sort -u |
    grep -Ev '/(libc|libm|libdl|libpthread|librt|libresolv|ld-linux[^/]*|libstdc\+\+|libgcc_s|libcuda|libcudart|libcublas|libcublasLt)\.so' |
    while read -r l; do cp -L "$l" "$out/lib/"; done
tar -C bin -cJf "$out.tar.xz" gpu-bundle
rm -rf "$out"
echo "gpu-bundle: $out.tar.xz ($(du -h "$out.tar.xz" | cut -f1)); run on the device:"
echo "  make gpu-check   (carry bin/gpu-bundle.tar.xz)"
