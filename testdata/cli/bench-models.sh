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
for item in sgemm localize; do
    out=$("$mb" "$item" 1 1) || fail "models_bench $item failed"
    echo "$out" | grep -Eq '^[0-9]+\.[0-9]+ [0-9]+\.[0-9]+ [0-9]+\.[0-9]+$' ||
        fail "models_bench $item printed '$out', expected 'wall_ms cpu_ms units'"
done
expect_exit 1 "unknown" "$mb" nonsense 1 1
out=$(WSD_TORCH_PYTHON=/nonexistent WSD_THREADS=1 WSD_BENCH_REPS=1 WSD_BENCH_ROUNDS=1 \
    WSD_BENCH_ITEMS=localize sh pipelines/bench-models.sh) ||
    fail "bench-models.sh failed: $out"
echo "$out" | grep -q 'localize: ours wall .* videos/s' || fail "bench-models.sh: $out"
echo "$out" | grep -q 'sgemm (4320 x 512 x 1536): [0-9.]* GFLOP/s' || fail "bench-models.sh: $out"
echo "$out" | grep -q 'PyTorch: not importable' || fail "bench-models.sh without torch: $out"
exit 0
