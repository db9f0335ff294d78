# Raw-video bad input: exit 1, a message naming the file, no output file:
# not a video, a truncated video, zero frames, fewer than 16 frames, the
# weights of another network, a truncated model, a mean or PCA of the wrong
# shape, missing options.
. "$WSD_ROOT/testdata/cli-lib.sh"
command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null || skip "ffmpeg not installed (make deps)"
PY=/usr/bin/python3
"$PY" -c 'import numpy, h5py' 2>/dev/null || skip "needs Debian's python3-numpy and python3-h5py"
V="$WSD_ROOT/testdata/video"
FE="$WSD_BIN/feat-extract"
"$PY" "$V/make_caffe.py" "$TMP" 16 >/dev/null || fail "make_caffe.py"
mkdir "$TMP/o" && "$PY" "$V/make_caffe.py" "$TMP/o" 16 7 other >/dev/null || fail "make_caffe.py other"
"$PY" "$V/make_pca.py" "$TMP/pca.hdf5" 256 || fail "make_pca.py"
ffmpeg -v error -f lavfi -i testsrc=size=64x48:rate=25 -frames:v 40 -c:v mpeg4 -y "$TMP/ok.avi" || fail ffmpeg
ffmpeg -v error -f lavfi -i testsrc=size=64x48:rate=25 -frames:v 10 -c:v ffv1 -y "$TMP/short.mkv" || fail ffmpeg
C3D="--weights $TMP/model.caffemodel --mean $TMP/mean.binaryproto --no-pca"
no_output() { [ ! -e "$TMP/out.tsr" ] || fail "output file left behind after: $1"; }
# not a video
echo "hello" >"$TMP/notes.txt"
expect_exit 1 "notes.txt: not a readable video" $FE $C3D --video "$TMP/notes.txt" -o "$TMP/out.tsr"
no_output "not a video"
expect_exit 1 "nosuch.mp4" $FE $C3D --video "$TMP/nosuch.mp4" -o "$TMP/out.tsr"
# truncated video (ffmpeg -xerror stops on the corrupt packet)
head -c 9000 "$TMP/ok.avi" >"$TMP/cut.avi"
expect_exit 1 "cut.avi: ffmpeg failed" $FE $C3D --video "$TMP/cut.avi" -o "$TMP/out.tsr"
no_output "truncated video"
# zero frames: a YUV4MPEG2 header and nothing else
printf 'YUV4MPEG2 W64 H48 F25:1 C420jpeg\n' >"$TMP/empty.y4m"
expect_exit 1 "empty.y4m: no frames" $FE $C3D "$TMP/empty.y4m" -o "$TMP/out.tsr"
no_output "zero frames"
# fewer than 16 frames
expect_exit 1 "short.mkv: 10 frames, fewer than the 16" $FE $C3D --video "$TMP/short.mkv" -o "$TMP/out.tsr"
no_output "10 frames"
# in a list, the failing video is named
printf 'a %s\nb %s\n' "$TMP/ok.avi" "$TMP/short.mkv" >"$TMP/list"
expect_exit 1 "short.mkv: 10 frames" $FE $C3D --videos "$TMP/list" -o "$TMP/out.tsr"
no_output "a list with a short video"
# weights of another network; a truncated model; not a model at all
expect_exit 1 "o/model.caffemodel: no layer conv1a" $FE --weights "$TMP/o/model.caffemodel" \
    --mean "$TMP/mean.binaryproto" --no-pca --video "$TMP/ok.avi" -o "$TMP/out.tsr"
head -c 100000 "$TMP/model.caffemodel" >"$TMP/cut.caffemodel"
expect_exit 1 "cut.caffemodel" $FE --weights "$TMP/cut.caffemodel" --mean "$TMP/mean.binaryproto" --no-pca \
    --video "$TMP/ok.avi" -o "$TMP/out.tsr"
expect_exit 1 "ok.avi" $FE --weights "$TMP/ok.avi" --mean "$TMP/mean.binaryproto" --no-pca \
    --video "$TMP/ok.avi" -o "$TMP/out.tsr"
no_output "bad weights"
# the model where the mean goes (a blob of another shape / not a blob)
expect_exit 1 "model.caffemodel" $FE --weights "$TMP/model.caffemodel" --mean "$TMP/model.caffemodel" --no-pca \
    --video "$TMP/ok.avi" -o "$TMP/out.tsr"
# PCA of the wrong shapes: a 256-d fc7 against a 4096-d PCA, a short x_mean, S increasing, U missing
"$PY" "$V/make_pca.py" "$TMP/pca4096.hdf5" 512 || fail make_pca
expect_exit 1 "pca4096.hdf5: data/U is 512x512, expected 256" $FE --weights "$TMP/model.caffemodel" \
    --mean "$TMP/mean.binaryproto" --pca "$TMP/pca4096.hdf5" --video "$TMP/ok.avi" -o "$TMP/out.tsr"
for layout in short-mean increasing no-U; do
    "$PY" "$V/make_pca.py" "$TMP/$layout.hdf5" 256 3 "$layout" || fail make_pca
    expect_exit 1 "$layout.hdf5" $FE --weights "$TMP/model.caffemodel" --mean "$TMP/mean.binaryproto" \
        --pca "$TMP/$layout.hdf5" --pca-dims 64 --video "$TMP/ok.avi" -o "$TMP/out.tsr"
done
no_output "bad PCA"
# missing options, a video with another input
expect_exit 1 "needs --weights" $FE --video "$TMP/ok.avi" -o "$TMP/out.tsr"
expect_exit 1 "--pca FILE" $FE --weights "$TMP/model.caffemodel" --mean "$TMP/mean.binaryproto" \
    --video "$TMP/ok.avi" -o "$TMP/out.tsr"
expect_exit 1 "exactly one input" $FE $C3D --video "$TMP/ok.avi" "$TMP/ok.avi"
expect_exit 1 "named output file" $FE $C3D --video "$TMP/ok.avi" --format hdf5
no_output "usage errors"
exit 0
