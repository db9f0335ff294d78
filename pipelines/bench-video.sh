#!/bin/sh
# Raw video to C3D features: where feat-extract's wall time goes. A 30 s
# 320x240 25 fps ffmpeg testsrc video (H.264 when libx264 is there, else
# MPEG-4 part 2) is decoded through the pipe and turned into clips (OpenCV-
# exact resize, mean, crop); the full-width C3D runs WSD_C3D_CLIPS clips
# (default 4) on the CPU and, when a GPU answers, 64 on CUDA. feat-extract
# does these one after the other, so the share of frame decoding +
# preprocessing in wall time is decode+prep / (decode+prep+C3D) per clip.
set -e
cd "$(dirname "$0")/.."
command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null || { echo "bench-video: ffmpeg not installed (make deps)"; exit 0; }
threads=${WSD_THREADS:-$(nproc 2>/dev/null || echo 1)}
# video_bench is built by `make` (bench: all) with the library
[ -x bin/obj/bench/video_bench ] || { echo "bench-video: bin/obj/bench/video_bench missing; run make first"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
codec=mpeg4
ffmpeg -hide_banner -encoders 2>/dev/null | grep -q libx264 && codec=libx264
ffmpeg -v error -f lavfi -i testsrc=size=320x240:rate=25 -t 30 -c:v $codec -pix_fmt yuv420p -y "$tmp/v.mp4"
report() {  # clips decode prep c3d
    awk -v dev="$1" -v n="$2" -v d="$3" -v p="$4" -v c="$5" 'BEGIN {
        printf "  %s: %d clips; per clip: decode %.1f ms, resize+mean+crop %.1f ms, C3D %.1f ms;", dev, n, d, p, c
        printf " decode+preprocessing = %.1f%% of wall time\n", 100 * (d + p) / (d + p + c) }'
}
echo "Video to C3D clips, 320x240 $codec testsrc, 30 s at 25 fps, $threads thread(s):"
report "CPU " $(OPENBLAS_NUM_THREADS=$threads bin/obj/bench/video_bench "$tmp/v.mp4" "${WSD_C3D_CLIPS:-4}" 2 cpu)
if [ -n "$cuda_libs" ]; then
    if gpu=$(bin/obj/bench/video_bench "$tmp/v.mp4" 64 16 cuda 2>/dev/null); then report "CUDA" $gpu
    else echo "  CUDA: no GPU answered"; fi
fi
