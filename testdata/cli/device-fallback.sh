# --device on a machine where no CUDA GPU answers: auto runs on the CPU after
# exactly one stderr line saying why (the CUDA error string), cuda exits 1
# naming the reason, in every program that takes --device. Skipped where a
# GPU answers (pipelines/gpu-check.sh covers that side).
. "$WSD_ROOT/testdata/cli-lib.sh"
B="$WSD_BIN"
"$B/feat-synth" --make-captions 8 --seed 3 -o "$TMP/tr.json" 2>/dev/null || fail "feat-synth captions"
"$B/feat-synth" --dim 8 --rows-per-second 0.5 "$TMP/tr.json" -o "$TMP/tr.tsr" || fail "feat-synth"
"$B/vocab-build" -q "$TMP/tr.json" -o "$TMP/vocab.json" || fail "vocab-build"
PRE="$B/cg-pretrain -q --feats $TMP/tr.tsr --captions $TMP/tr.json --vocab $TMP/vocab.json --hidden 8 --embed 8 --batch 4 --sample-rate 1 --epochs 1"
$PRE --device cpu --out "$TMP/cg.h5" 2>"$TMP/err" || { cat "$TMP/err"; fail "cg-pretrain --device cpu"; }
[ -s "$TMP/err" ] && { cat "$TMP/err"; fail "--device cpu -q must be silent"; }
if $PRE --device cuda --out "$TMP/probe.h5" 2>"$TMP/err"; then
    skip "a CUDA GPU answered: the no-GPU paths are not testable here"
fi
grep -q "this build has no CUDA backend" "$TMP/err" && nobuild=1 || nobuild=0
# auto: the run completes, stderr is exactly the one fallback line
auto_ok() { # NAME FILE
    [ "$(wc -l <"$2")" = 1 ] || { cat "$2"; fail "$1 --device auto: expected exactly one stderr line"; }
    if [ $nobuild = 1 ]; then
        grep -q "^$1: --device auto: this build has no CUDA backend.*; running on the CPU$" "$2"
    else
        grep -q "^$1: --device auto: no CUDA GPU answered (cudaGetDeviceCount: [^)]*); running on the CPU$" "$2"
    fi || { cat "$2"; fail "$1 --device auto: fallback line lacks the reason"; }
}
# cuda: exit 1 and the reason (the CUDA error string, or the missing backend)
cuda_fails() { # NAME CMD...
    name=$1; shift
    expect_exit 1 "^$name: --device cuda: " "$@" --device cuda
    if [ $nobuild = 0 ]; then
        grep -q "no CUDA GPU answered (cudaGetDeviceCount: [^)]*)" "$TMP/err" || { cat "$TMP/err"; fail "$name: no CUDA error string"; }
    fi
}
$PRE --device auto --out "$TMP/cg2.h5" 2>"$TMP/err" || { cat "$TMP/err"; fail "cg-pretrain --device auto"; }
auto_ok cg-pretrain "$TMP/err"
cmp -s "$TMP/cg.h5" "$TMP/cg2.h5" || fail "cg-pretrain: auto fell back but differs from cpu"
cuda_fails cg-pretrain $PRE --out "$TMP/x.h5"
[ -e "$TMP/x.h5" ] && fail "cg-pretrain --device cuda left an output"
TR="$B/wsdec-train -q --feats $TMP/tr.tsr --captions $TMP/tr.json --cg $TMP/cg.h5 --batch 4 --sl-batch 4 --epochs 1 --pseudo-label-metric unigram-f"
$TR --device auto --out "$TMP/m.h5" 2>"$TMP/err" || { cat "$TMP/err"; fail "wsdec-train --device auto"; }
auto_ok wsdec-train "$TMP/err"
cuda_fails wsdec-train $TR --out "$TMP/y.h5"
CAP="$B/caption -q --model $TMP/m.h5 --feats $TMP/tr.tsr --videos $TMP/tr.json --greedy"
$CAP --device auto >"$TMP/c.jsonl" 2>"$TMP/err" || { cat "$TMP/err"; fail "caption --device auto"; }
auto_ok caption "$TMP/err"
[ "$(wc -l <"$TMP/c.jsonl")" = 8 ] || fail "caption --device auto: one line per video expected"
cuda_fails caption $CAP
LOC="$B/localize -q --model $TMP/m.h5 --feats $TMP/tr.tsr --no-filter"
$LOC --device auto "$TMP/c.jsonl" >"$TMP/l.jsonl" 2>"$TMP/err" || { cat "$TMP/err"; fail "localize --device auto"; }
auto_ok localize "$TMP/err"
[ "$(wc -l <"$TMP/l.jsonl")" = 8 ] || fail "localize --device auto: one line per video expected"
cuda_fails localize $LOC "$TMP/c.jsonl"
# feat-extract takes --device for raw video (C3D): needs ffmpeg and the synthetic Caffe model
PY=/usr/bin/python3
if command -v ffmpeg >/dev/null && "$PY" -c 'import numpy, h5py' 2>/dev/null; then
    "$PY" "$WSD_ROOT/testdata/video/make_caffe.py" "$TMP" 16 >/dev/null || fail "make_caffe.py"
    ffmpeg -v error -f lavfi -i "testsrc=size=96x64:rate=25" -frames:v 16 -c:v ffv1 -y "$TMP/a.mkv" || fail "ffmpeg"
    FE="$B/feat-extract -q --weights $TMP/model.caffemodel --mean $TMP/mean.binaryproto --no-pca --video $TMP/a.mkv"
    $FE --device auto -o "$TMP/a.tsr" 2>"$TMP/err" || { cat "$TMP/err"; fail "feat-extract --device auto"; }
    auto_ok feat-extract "$TMP/err"
    cuda_fails feat-extract $FE -o "$TMP/b.tsr"
else
    echo "feat-extract: not checked (needs ffmpeg, python3-numpy, python3-h5py)"
fi
exit 0
