#!/bin/sh
# Builds the libFuzzer targets (needs clang) and runs each for SECONDS
# (default 60) from the seeds in seeds/TARGET/:
#   sh testdata/fuzz/run.sh [SECONDS]
# Not part of `make test`; the deterministic mutation tests
# (common/io/tsr_fuzz_test.c, common/io/captions_fuzz_test.c,
# common/video/caffe_fuzz_test.c) are.
set -eu
cd "$(dirname "$0")/../.."
secs=${1:-60}
command -v clang >/dev/null || { echo "clang not installed (apt-get install clang)"; exit 77; }
out=bin/fuzz
mkdir -p "$out"
flags="-std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined -Icommon $(pkg-config --cflags libcjson zlib)"
libs="$(pkg-config --libs libcjson zlib) -lm"
src="common/base/util.c common/base/tmpfile.c common/base/text.c common/io/idmap.c common/io/tsr.c common/io/jsonl.c common/io/captions.c common/io/vocab.c common/io/npy.c common/video/pbwire.c common/video/caffe.c"
for t in tsr captions npy caffe; do
    clang $flags -o "$out/fuzz_$t" "testdata/fuzz/fuzz_$t.c" $src $libs
    mkdir -p "$out/corpus_$t"
    "$out/fuzz_$t" -max_total_time="$secs" -max_len=4096 -print_final_stats=1 \
        "$out/corpus_$t" "testdata/fuzz/seeds/$t" 2>&1 | grep -E '^(stat::number_of_executed_units|stat::peak_rss|==.*ERROR|SUMMARY)' | sed "s/^/$t: /"
done
