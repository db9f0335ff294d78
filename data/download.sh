#!/bin/sh
# Downloads the ActivityNet Captions annotations and the official C3D features
# into DIR (default: data/anet). Needs internet access, curl and unzip; the
# C3D file is about 100 GB uncompressed in parts: check your disk first.
set -eu
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
