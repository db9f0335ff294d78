# Sourced by CLI tests (after cli-lib.sh): render_check HTML PNG renders a page
# in headless Chromium, as a person would open it, and fails when the page
# logs anything to the console (an error in its script) or the screenshot is
# blank. Returns 77 with a message when Chromium or python3 is absent.
render_check() {
    html=$1 png=$2
    browser=$(command -v chromium || command -v chromium-browser || true)
    [ -n "$browser" ] || { echo "chromium absent (Debian: apt-get install chromium): render check skipped"; return 77; }
    command -v python3 >/dev/null || { echo "python3 absent: render check skipped"; return 77; }
    case $html in /*) url="file://$html" ;; *) url="file://$(pwd)/$html" ;; esac
    HOME=$TMP timeout 120 "$browser" --headless=new --no-sandbox --disable-gpu --hide-scrollbars \
        --enable-logging=stderr --v=0 --window-size=1200,1600 --screenshot="$png" "$url" >"$TMP/chromium.log" 2>&1
    [ -s "$png" ] || { tail -n 20 "$TMP/chromium.log"; fail "chromium wrote no screenshot of $html"; }
    if grep -E ':CONSOLE[:(]' "$TMP/chromium.log"; then fail "the page logged to the console (above)"; fi
    # the screenshot: enough non-white pixels, and more than one colour (PNG decoded with the standard library)
    python3 - "$png" <<'PY' || fail "the screenshot of $html is blank"
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n"
pos, idat, w = 8, b"", 0
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
        bpp = {2: 3, 6: 4}[ctype]
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
raw, stride = zlib.decompress(idat), w * bpp
prev, ink, colours = bytearray(stride), 0, set()
for y in range(h):
    f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b, c = prev[i], prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    prev = line
    if y % 4 == 0:
        for x in range(0, w, 4):
            px = tuple(line[x * bpp:x * bpp + 3])
            if px != (255, 255, 255): ink += 1
            colours.add(px)
total = (w // 4) * (h // 4)
print("screenshot %dx%d: %.1f%% non-white, %d colours" % (w, h, 100.0 * ink / total, len(colours)))
sys.exit(0 if ink > total // 100 and len(colours) > 8 else 1)
PY
}
