#!/bin/sh
# `make bench`'s model figures: the C side times the quick items
# (sgemm, localize) with the output format pipelines/bench-models.sh parses;
# the script itself runs end to end on the quickest item (its PyTorch side
# only in `make bench`: importing torch alone would double this test's time).
. "$(dirname "$0")/../cli-lib.sh"
ROOT=${WSD_ROOT:-.}
cd "$ROOT" || fail "no $ROOT"
# built by `make` (and `make test`) with the library; a SAN build puts its own elsewhere
mb=bin/obj/bench/models_bench
[ -x "$mb" ] || skip "bench-models: $mb not built (SAN build?)"
for item in sgemm localize gemm:64:96:32; do
    out=$("$mb" "$item" 1 1) || fail "models_bench $item failed"
    echo "$out" | grep -Eq '^[0-9]+\.[0-9]+ [0-9]+\.[0-9]+ [0-9]+\.[0-9]+ [0-9]+$' ||
        fail "models_bench $item printed '$out', expected 'wall_ms cpu_ms units syncs'"
done
# localize: the SL's outputs come to the host once per run (scores, refiner)
[ "$("$mb" localize 1 1 | cut -d' ' -f4)" -gt 0 ] || fail "models_bench localize counted no syncs"
[ "$("$mb" gemm:64:96:32 1 1 | cut -d' ' -f3)" = 0.0016 ] || fail "gemm:64:96:32 is 4 x 2*64*96*32 FLOP"
# videos of their own lengths: as many as the batch has videos, positive
WSD_BENCH_LENGTHS=5,9,2,7,3,8,1,4 "$mb" localize 1 1 >/dev/null || fail "models_bench with 8 lengths"
expect_exit 1 "a batch of more" env WSD_BENCH_LENGTHS=5,9 "$mb" localize 1 1
expect_exit 1 "a length of at least 1" env WSD_BENCH_LENGTHS=5,0,2 "$mb" localize 1 1
expect_exit 1 "a length of at least 3" env WSD_BENCH_CAPTION_LENGTHS=5,2 "$mb" localize 1 1
WSD_BENCH_CAPTION_LENGTHS=$(seq -s, 3 34) "$mb" localize 1 1 >/dev/null || fail "models_bench with 32 caption lengths"
expect_exit 1 "gemm:M:N:K" "$mb" gemm:1:2 1 1
expect_exit 1 "unknown" "$mb" nonsense 1 1
out=$(WSD_TORCH_PYTHON=/nonexistent WSD_THREADS=1 WSD_BENCH_REPS=1 WSD_BENCH_ROUNDS=1 \
    WSD_BENCH_ITEMS=localize sh pipelines/bench-models.sh) ||
    fail "bench-models.sh failed: $out"
echo "$out" | grep -q 'localize: ours wall .* videos/s' || fail "bench-models.sh: $out"
echo "$out" | grep -q 'sgemm (4320 x 512 x 1536): [0-9.]* GFLOP/s' || fail "bench-models.sh: $out"
echo "$out" | grep -q 'PyTorch: not importable' || fail "bench-models.sh without torch: $out"
out=$(WSD_TORCH_PYTHON=/nonexistent WSD_THREADS=1 WSD_BENCH_REPS=1 WSD_BENCH_ROUNDS=1 \
    WSD_BENCH_ITEMS=localize@anet WSD_ANET_TRAIN=/nonexistent sh pipelines/bench-models.sh) ||
    fail "bench-models.sh failed: $out"
echo "$out" | grep -q 'localize@anet: skipped (/nonexistent not readable' || fail "bench-models.sh @anet: $out"
# bench-gpu.sh: CPU figures, and without a GPU the GPU part says it was skipped
if ! "$mb" gemm:8:8:8 1 1 cuda >/dev/null 2>&1; then
    out=$(WSD_THREADS=1 WSD_BENCH_REPS=1 WSD_BENCH_ITEMS=localize sh pipelines/bench-gpu.sh) ||
        fail "bench-gpu.sh failed: $out"
    echo "$out" | grep -q '^  GPU part skipped: .*CUDA' || fail "bench-gpu.sh must say the GPU part was skipped: $out"
    echo "$out" | grep -Eq '^  localize: CPU [0-9.]+ videos/s \(syncs [0-9]+\)$' || fail "bench-gpu.sh: $out"
    echo "$out" | grep -Eq 'CPU sgemm 684x6000x512: [0-9.]+ GFLOP/s' || fail "bench-gpu.sh: $out"
fi
exit 0
