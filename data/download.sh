#!/bin/sh
# Downloads the ActivityNet Captions annotations and the official C3D features
# into DIR (default: data/anet). Needs internet access, curl and unzip; the
# C3D file is about 100 GB uncompressed in parts: check your disk first.
#
#   sh data/download.sh c3d [DIR]   (default DIR: data/c3d)
# instead fetches what `feat-extract --video` needs to make those features
# from raw video: the C3D v1.0 Sports-1M Caffe model, its mean cube and the
# ActivityNet PCA. The model and mean are Facebook's, released under CC BY-NC
# 3.0 (non-commercial): accepting that licence is yours to do, wsdec does not
# redistribute them. Their official links (the C3D page,
# http://vlg.cs.dartmouth.edu/c3d/, and facebookarchive/C3D on GitHub) have
# moved before: WSD_C3D_MODEL_URL, WSD_C3D_MEAN_URL and WSD_C3D_PCA_URL
# override each one with a mirror.
#
# `download.sh meteor [DIR]` (default data/meteor-1.5, which densevid-score
# and wsdec-train find by themselves from the repository root) fetches
# METEOR 1.5's data as coco-caption ships it: meteor-1.5.jar (function words,
# prefixes, WordNet export inside) and data/paraphrase-en.gz. Skip it if you
# have pycocoevalcap or coco-caption installed: they already hold both files.
set -eu
if [ "${1:-}" = c3d ]; then
    dir=${2:-data/c3d}
    mkdir -p "$dir"
    cd "$dir"
    model_url=${WSD_C3D_MODEL_URL:-https://www.dropbox.com/s/vr8ckp0pxgbldhs/conv3d_deepnetA_sport1m_iter_1900000?dl=1}
    mean_url=${WSD_C3D_MEAN_URL:-https://github.com/facebookarchive/C3D/raw/master/C3D-v1.0/examples/c3d_feature_extraction/sport1m_train16_128_mean.binaryproto}
    pca_url=${WSD_C3D_PCA_URL:-http://activity-net.org/challenges/2016/data/PCA_activitynet_v1-3.hdf5}
    echo "download.sh: the C3D model and mean are licensed CC BY-NC 3.0 by Facebook; by downloading them you accept it" >&2
    [ -s conv3d_deepnetA_sport1m_iter_1900000 ] || curl -fL -o conv3d_deepnetA_sport1m_iter_1900000 "$model_url"
    [ -s sport1m_train16_128_mean.binaryproto ] || curl -fL -o sport1m_train16_128_mean.binaryproto "$mean_url"
    [ -s PCA_activitynet_v1-3.hdf5 ] || curl -fL -o PCA_activitynet_v1-3.hdf5 "$pca_url"
    # git-lfs pointers or HTML error pages are not the files
    for f in conv3d_deepnetA_sport1m_iter_1900000:100000000 sport1m_train16_128_mean.binaryproto:4000000 \
        PCA_activitynet_v1-3.hdf5:1000000; do
        [ "$(wc -c <"${f%:*}")" -gt "${f#*:}" ] || { echo "download.sh: $dir/${f%:*} is too small to be the real file; removed (try a mirror)" >&2; rm -f "${f%:*}"; exit 1; }
    done
    echo "C3D files ready in $dir: conv3d_deepnetA_sport1m_iter_1900000 (about 320 MB), sport1m_train16_128_mean.binaryproto (4 MB), PCA_activitynet_v1-3.hdf5"
    echo "next: feat-extract --weights $dir/conv3d_deepnetA_sport1m_iter_1900000 --mean $dir/sport1m_train16_128_mean.binaryproto --pca $dir/PCA_activitynet_v1-3.hdf5 --video VIDEO.mp4"
    exit 0
fi
if [ "${1:-}" = meteor ]; then
    dir=${2:-data/meteor-1.5}
    base=${WSD_METEOR_URL:-https://github.com/tylin/coco-caption/raw/master/pycocoevalcap/meteor}
    mkdir -p "$dir/data"
    [ -f "$dir/meteor-1.5.jar" ] || curl -fL -o "$dir/meteor-1.5.jar" "$base/meteor-1.5.jar"
    [ -f "$dir/data/paraphrase-en.gz" ] || curl -fL -o "$dir/data/paraphrase-en.gz" "$base/data/paraphrase-en.gz"
    # git-lfs pointers or HTML error pages are not the files
    for f in "$dir/meteor-1.5.jar" "$dir/data/paraphrase-en.gz"; do
        [ "$(wc -c <"$f")" -gt 1000000 ] || { echo "download.sh: $f is too small to be Meteor's file; removed" >&2; rm -f "$f"; exit 1; }
    done
    echo "Meteor 1.5 data ready in $dir (densevid-score --meteor-dir $dir)"
    exit 0
fi
dir=${1:-data/anet}
mkdir -p "$dir"
cd "$dir"
captions_url=${WSD_CAPTIONS_URL:-https://cs.stanford.edu/people/ranjaykrishna/densevid/captions.zip}
# The C3D features are distributed by the ActivityNet challenge (2016 release,
# "C3D features", six parts); set WSD_C3D_BASE to the folder URL that page gives.
c3d_base=${WSD_C3D_BASE:-}
[ -f captions.zip ] || curl -fL -o captions.zip "$captions_url"
unzip -o captions.zip
if [ -z "$c3d_base" ]; then
    echo "download.sh: captions done; set WSD_C3D_BASE to the ActivityNet C3D feature folder URL to fetch the features" >&2
    exit 1
fi
for part in 00 01 02 03 04 05; do
    f=activitynet_v1-3.part-$part
    [ -f "$f" ] || curl -fL -o "$f" "$c3d_base/$f"
done
[ -f sub_activitynet_v1-3.c3d.hdf5 ] || { cat activitynet_v1-3.part-0* > c3d.zip && unzip -o c3d.zip; }
echo "data ready in $dir: train.json val_1.json val_2.json sub_activitynet_v1-3.c3d.hdf5"
