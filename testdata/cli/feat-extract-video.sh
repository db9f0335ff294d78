# Raw video end to end on ffmpeg testsrc clips with a narrow synthetic C3D
# model (testdata/video/make_caffe.py, widths / 16) and a synthetic PCA:
# ffmpeg -> feat-extract -> tensor stream and HDF5 -> feat-extract --hdf5
# round trip; clip counts (every 8 frames, whole clips only); the PCA
# projection; YUV4MPEG2 on stdin; --videos lists; same input, same bytes.
. "$WSD_ROOT/testdata/cli-lib.sh"
command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null || skip "ffmpeg not installed (make deps)"
PY=/usr/bin/python3
"$PY" -c 'import numpy, h5py' 2>/dev/null || skip "needs Debian's python3-numpy and python3-h5py"
V="$WSD_ROOT/testdata/video"
"$PY" "$V/make_caffe.py" "$TMP" 16 >/dev/null || fail "make_caffe.py"
"$PY" "$V/make_pca.py" "$TMP/pca.hdf5" 256 || fail "make_pca.py"
src() { ffmpeg -v error -f lavfi -i "testsrc=size=$1:rate=25" -frames:v "$2" -c:v ffv1 -y "$3" || fail "ffmpeg $3"; }
src 160x120 40 "$TMP/a.mkv"
src 96x64 16 "$TMP/b.mkv"
src 342x256 23 "$TMP/c d.mkv"
C3D="--weights $TMP/model.caffemodel --mean $TMP/mean.binaryproto"
FE="$WSD_BIN/feat-extract"
# 40 frames: clips at 0, 8, 16, 24 (24 + 16 = 40)
$FE $C3D --no-pca --video "$TMP/a.mkv" -o "$TMP/a.raw.tsr" -q || fail "--video --no-pca"
"$PY" "$V/tsr_vs_h5.py" rows "$TMP/a.raw.tsr" a=4 >/dev/null || fail "40 frames should give 4 clips"
$FE $C3D --pca "$TMP/pca.hdf5" --pca-dims 64 --video "$TMP/a.mkv" -o "$TMP/a.tsr" -q || fail "--video --pca"
"$PY" "$V/tsr_vs_h5.py" pca "$TMP/a.raw.tsr" "$TMP/a.tsr" "$TMP/pca.hdf5" 64 >/dev/null || fail "PCA projection"
grep -a -q '"rows_per_second":3.125' "$TMP/a.tsr" || fail "rows_per_second = 25 / 8 missing"
# same input, same bytes
$FE $C3D --pca "$TMP/pca.hdf5" --pca-dims 64 --video "$TMP/a.mkv" -o "$TMP/a2.tsr" -q
cmp -s "$TMP/a.tsr" "$TMP/a2.tsr" || fail "two runs differ"
# a list: ids given (the path may hold spaces) or taken from the file name; 16 -> 1 clip, 23 -> 1 clip
printf '%s\n# a comment\n\nc_d %s\nvid_b %s\n' "$TMP/a.mkv" "$TMP/c d.mkv" "$TMP/b.mkv" >"$TMP/list"
$FE $C3D --pca "$TMP/pca.hdf5" --pca-dims 64 --videos "$TMP/list" -o "$TMP/all.tsr" -q || fail "--videos"
"$PY" "$V/tsr_vs_h5.py" rows "$TMP/all.tsr" a=4 c_d=1 vid_b=1 >/dev/null || fail "--videos records"
# official HDF5 layout, and back
$FE $C3D --pca "$TMP/pca.hdf5" --pca-dims 64 --videos "$TMP/list" --format hdf5 -o "$TMP/all.hdf5" -q ||
    fail "--format hdf5"
"$PY" "$V/tsr_vs_h5.py" same "$TMP/all.tsr" "$TMP/all.hdf5" >/dev/null || fail "HDF5 differs from the stream"
$FE --hdf5 "$TMP/all.hdf5" -o "$TMP/back.tsr" -q || fail "--hdf5 import"
"$PY" "$V/tsr_vs_h5.py" same "$TMP/back.tsr" "$TMP/all.hdf5" >/dev/null || fail "round trip"
# --ids keeps a subset (and skips the others' decoding)
printf 'vid_b\n' >"$TMP/ids"
$FE $C3D --no-pca --videos "$TMP/list" --ids "$TMP/ids" -o "$TMP/sub.tsr" -q || fail "--ids"
"$PY" "$V/tsr_vs_h5.py" rows "$TMP/sub.tsr" vid_b=1 >/dev/null || fail "--ids subset"
# YUV4MPEG2 on stdin
ffmpeg -v error -i "$TMP/a.mkv" -pix_fmt yuv444p -f yuv4mpegpipe - |
    $FE $C3D --no-pca --id piped - -o "$TMP/y.tsr" -q || fail "y4m on stdin"
"$PY" "$V/tsr_vs_h5.py" rows "$TMP/y.tsr" piped=4 >/dev/null || fail "y4m clips"
exit 0
