#!/bin/sh
# Builds the libFuzzer target for densevid-score's submission/reference
# parsers and PTB tokenizer with clang (ASan + UBSan) and runs it.
# usage: sh testdata/fuzz/run-score-fuzz.sh [SECONDS]   (default 120)
# Prints libFuzzer's final stats; the corpus grows in bin/fuzz/score-corpus.
set -eu
secs=${1:-120}
command -v clang >/dev/null || { echo "run-score-fuzz: clang not found (apt-get install clang)"; exit 77; }
out=bin/fuzz
mkdir -p "$out/score-corpus"
cp testdata/score/*.json testdata/score/*.jsonl "$out/score-corpus/" 2>/dev/null || true
src="common/base/util.c common/base/tmpfile.c common/score/ptb_tokenizer.c common/score/ptb_batch.c common/score/score_data.c
     common/score/score_eval.c common/score/score_metrics.c common/score/score_words.c"
# shellcheck disable=SC2086
clang -std=c11 -D_GNU_SOURCE -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -Icommon $(pkg-config --cflags libcjson) -o "$out/score_fuzz" testdata/fuzz/score_fuzz.c $src \
    $(pkg-config --libs libcjson) -lm
"$out/score_fuzz" -artifact_prefix="$out/" -max_total_time="$secs" -max_len=4096 -timeout=10 "$out/score-corpus" 2>&1 | tail -n 15
