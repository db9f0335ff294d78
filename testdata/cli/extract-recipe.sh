# pipelines/extract.mk on three testsrc videos with the narrow synthetic C3D
# model: two shards under make -j2, the concatenated stream holds every video
# once; a second run extracts nothing; a video added to the list is the only
# one extracted; the HDF5 target matches the stream.
. "$WSD_ROOT/testdata/cli-lib.sh"
command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null || skip "ffmpeg not installed (make deps)"
PY=/usr/bin/python3
"$PY" -c 'import numpy, h5py' 2>/dev/null || skip "needs Debian's python3-numpy and python3-h5py"
V="$WSD_ROOT/testdata/video"
"$PY" "$V/make_caffe.py" "$TMP" 16 >/dev/null || fail "make_caffe.py"
for v in a:20 b:16 c:24 d:17; do
    ffmpeg -v error -f lavfi -i testsrc=size=80x60:rate=25 -frames:v "${v#*:}" -c:v ffv1 -y "$TMP/${v%:*}.mkv" || fail ffmpeg
done
# a counting wrapper around feat-extract
mkdir "$TMP/bin"
printf '#!/bin/sh\necho x >>"%s/calls"\nexec "%s/feat-extract" "$@"\n' "$TMP" "$WSD_BIN" >"$TMP/bin/feat-extract"
chmod +x "$TMP/bin/feat-extract"
printf 'vid_a %s\n%s\nvid_c %s\n' "$TMP/a.mkv" "$TMP/b.mkv" "$TMP/c.mkv" >"$TMP/list"
run() {
    make --no-print-directory -C "$WSD_ROOT" -f pipelines/extract.mk LIST="$TMP/list" OUT="$TMP/out" SHARDS=2 \
        BIN="$TMP/bin" WEIGHTS="$TMP/model.caffemodel" MEAN="$TMP/mean.binaryproto" NO_PCA=1 "$@" >"$TMP/make.log" 2>&1 ||
        { cat "$TMP/make.log"; fail "make -f pipelines/extract.mk $*"; }
}
run -j2
[ "$(wc -l <"$TMP/calls")" = 3 ] || fail "expected 3 extractions, got $(wc -l <"$TMP/calls")"
"$PY" "$V/tsr_vs_h5.py" rows "$TMP/out/features.tsr" vid_a=1 b=1 vid_c=2 >/dev/null || fail "features.tsr records"
run -j2
[ "$(wc -l <"$TMP/calls")" = 3 ] || fail "a second run extracted again"
printf 'vid_d %s\n' "$TMP/d.mkv" >>"$TMP/list"
run -j2
[ "$(wc -l <"$TMP/calls")" = 4 ] || fail "adding one video should extract one, calls: $(wc -l <"$TMP/calls")"
"$PY" "$V/tsr_vs_h5.py" rows "$TMP/out/features.tsr" vid_a=1 b=1 vid_c=2 vid_d=1 >/dev/null || fail "records after adding"
run hdf5
"$PY" "$V/tsr_vs_h5.py" same "$TMP/out/features.tsr" "$TMP/out/features.hdf5" >/dev/null || fail "features.hdf5"
# a failing video fails its shard, names it, keeps the others
printf 'bad %s\n' "$TMP/list" >>"$TMP/list"
if make --no-print-directory -C "$WSD_ROOT" -f pipelines/extract.mk LIST="$TMP/list" OUT="$TMP/out" SHARDS=2 \
    BIN="$TMP/bin" WEIGHTS="$TMP/model.caffemodel" MEAN="$TMP/mean.binaryproto" NO_PCA=1 >"$TMP/make.log" 2>&1; then
    fail "a bad video should fail the recipe"
fi
grep -q "bad failed" "$TMP/make.log" || { cat "$TMP/make.log"; fail "the failed video is not named"; }
[ -s "$TMP/out/failed/bad.txt" ] || fail "no failure record"
exit 0
