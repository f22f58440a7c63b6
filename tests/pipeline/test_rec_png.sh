#!/bin/sh
# rec-png: PNG files of the right size and pixel values (read back by an
# independent decoder in Python's zlib), names from index and id, --scale,
# --sheet layout, -n, and one clear error line for records without img and
# bad input. Input streams are made by mkrec: pixel byte k of record i is
# (i + k) % 256.
. "$ROOT/tests/pipeline/lib.sh"

# pixels NAME FILE EXPECTED: passes when the PNG FILE decodes to EXPECTED,
# "W H C: v v v ..." (samples in row-major HWC order).
cat >"$T/png_pixels.py" <<'EOF'
import struct, sys, zlib

def read_png(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        size, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + size]
        (crc,) = struct.unpack(">I", data[pos + 8 + size:pos + 12 + size])
        assert zlib.crc32(kind + body) == crc, "CRC error in " + kind.decode()
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
        pos += 12 + size
    w, h, depth, colour, _, _, interlace = ihdr
    assert depth == 8 and interlace == 0, "unexpected PNG layout"
    c = {0: 1, 4: 2, 2: 3, 6: 4}[colour]
    raw, stride = zlib.decompress(idat), w * c
    px, prev = bytearray(), bytearray(stride)
    for y in range(h):  # undo the per-row filters of PNG spec section 9
        kind = raw[y * (stride + 1)]
        row = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = row[i - c] if i >= c else 0
            b, up_left = prev[i], prev[i - c] if i >= c else 0
            if kind == 1:
                row[i] = (row[i] + a) & 255
            elif kind == 2:
                row[i] = (row[i] + b) & 255
            elif kind == 3:
                row[i] = (row[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - up_left
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - up_left)
                row[i] = (row[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else up_left)) & 255
        px += row
        prev = row
    return w, h, c, px

w, h, c, px = read_png(sys.argv[1])
print("%d %d %d: %s" % (w, h, c, " ".join(map(str, px))))
EOF
pixels() {
	name=$1; file=$2; expected=$3
	got=$(python3 "$T/png_pixels.py" "$file" 2>&1)
	if [ "$got" = "$expected" ]; then
		echo "PASS $name"
	else
		echo "FAIL $name"
		echo "  expected: $expected" >&2
		echo "  got:      $got" >&2
	fi
}

# the files in a directory, one line
files_in() {
	ls -A "$1" | tr '\n' ' ' | sed 's/ $//'
}

# exists NAME FILE
exists() {
	if [ -f "$2" ]; then echo "PASS $1"; else echo "FAIL $1 ($2 is missing)"; fi
}

# has_files DIR "A B": DIR holds exactly those files (and no temporary ones)
has_files() {
	[ "$(files_in "$1")" = "$2" ]
}

# silent CMD...: CMD succeeds and prints nothing at all
silent() {
	out=$("$@" 2>&1) && [ -z "$out" ]
}

mkrec -n 18 --field id=str:fashion-mnist:train:{i} --img 3x2x1 >"$T/gray.rec"
ok "one PNG per record" rec-png -o "$T/gray/new" "$T/gray.rec"
exists "index and id in the name" "$T/gray/new/000017_fashion-mnist_train_17.png"
pixels "gray pixels" "$T/gray/new/000017_fashion-mnist_train_17.png" "3 2 1: 17 18 19 20 21 22"
pixels "first record" "$T/gray/new/000000_fashion-mnist_train_0.png" "3 2 1: 0 1 2 3 4 5"
if [ "$(ls -A "$T/gray/new" | wc -l)" -eq 18 ]; then
	echo "PASS eighteen files, no temporary ones"
else
	echo "FAIL eighteen files, no temporary ones: $(files_in "$T/gray/new")"
fi

mkrec --field id=str:rgb --img 2x1x3 >"$T/rgb.rec"
ok "RGB record" rec-png -o "$T/rgb" "$T/rgb.rec"
pixels "RGB pixels" "$T/rgb/000000_rgb.png" "2 1 3: 0 1 2 3 4 5"

mkrec --field "id=str:a/b c:$(printf '\303\274')..x" --img 1x1x1 >"$T/odd-id.rec"
ok "odd id" rec-png -o "$T/odd" "$T/odd-id.rec"
ok "odd id sanitised" has_files "$T/odd" "000000_a_b_c___..x.png"
mkrec --img 1x1x1 >"$T/no-id.rec"
ok "no id" rec-png -o "$T/no-id" "$T/no-id.rec"
ok "no id: index only" has_files "$T/no-id" "000000.png"

ok "--scale" rec-png --scale 2 -o "$T/scaled" -n 1 "$T/rgb.rec"
pixels "--scale 2 repeats pixels" "$T/scaled/000000_rgb.png" \
	"4 2 3: 0 1 2 0 1 2 3 4 5 3 4 5 0 1 2 0 1 2 3 4 5 3 4 5"

ok "-n" rec-png -n 2 -o "$T/two" "$T/gray.rec"
ok "-n 2 writes two" has_files "$T/two" "000000_fashion-mnist_train_0.png 000001_fashion-mnist_train_1.png"
ok "-v" rec-png -v -n 2 -o "$T/verbose" "$T/gray.rec"
if [ "$(cat "$T/.stdout")" = "$T/verbose/000000_fashion-mnist_train_0.png
$T/verbose/000001_fashion-mnist_train_1.png" ]; then
	echo "PASS -v names the files"
else
	echo "FAIL -v names the files: $(cat "$T/.stdout")"
fi
(cd "$T" && mkdir here && cd here && rec-png -n 1 ../rgb.rec)
exists "default directory is ." "$T/here/000000_rgb.png"
ok "quiet without -v" silent rec-png -o "$T/quiet" "$T/rgb.rec"

# three 2x2 images in two columns: 1 px mid-gray (128) gaps, an empty cell
mkrec -n 3 --img 2x2x1 >"$T/three.rec"
ok "--sheet" rec-png --sheet "$T/sheet.png" --cols 2 "$T/three.rec"
pixels "--sheet layout" "$T/sheet.png" "5 5 1: \
0 1 128 1 2 \
2 3 128 3 4 \
128 128 128 128 128 \
2 3 128 128 128 \
4 5 128 128 128"
ok "--sheet --scale" rec-png --sheet "$T/sheet2.png" --cols 3 --scale 2 -n 2 "$T/three.rec"
pixels "--sheet --scale layout" "$T/sheet2.png" "9 4 1: \
0 0 1 1 128 1 1 2 2 \
0 0 1 1 128 1 1 2 2 \
2 2 3 3 128 3 3 4 4 \
2 2 3 3 128 3 3 4 4"
# --boxes: a gray 4x3 image becomes RGB; box 0 ([1,0,3,3]) outlined in
# red (238 102 119), box 1 ([0,0,1,1]) in blue (68 119 170) under it
mkrec --img 4x3x1 --field boxes=mpk:9294010003039400000101 >"$T/boxes.rec"
ok "--boxes" rec-png --boxes 0 -o "$T/boxes" "$T/boxes.rec"
pixels "--boxes draws every box, the best on top" "$T/boxes/000000.png" "4 3 3: \
68 119 170 238 102 119 238 102 119 238 102 119 \
4 4 4 238 102 119 6 6 6 238 102 119 \
8 8 8 238 102 119 238 102 119 238 102 119"
ok "--boxes 1" rec-png --boxes 1 --scale 2 --sheet "$T/box1.png" "$T/boxes.rec"
pixels "--boxes 1 draws the first, scaled" "$T/box1.png" "$(python3 -c 'import sys
red = (238, 102, 119)
px = []
for y in range(6):
    for x in range(8):
        edge = 2 <= x <= 7 and (x in (2, 7) or y in (0, 5))
        v = (4 * (y // 2) + x // 2) % 256
        px += red if edge else (v, v, v)
print("8 6 3: " + " ".join(map(str, px)))')"
mkrec --img 2x2x1 --field boxes=str:x >"$T/badboxes.rec"
fails "--boxes: a bad boxes field" 1 rec-png --boxes 0 -o "$T/bad" "$T/badboxes.rec"
says "--boxes: the error names the field and record" "boxes" "record 0"

mkrec -n 64 --img 3x3x1 >"$T/64.rec"
ok "--sheet of 64" rec-png --sheet "$T/sheet64.png" "$T/64.rec"
pixels "--sheet of 64 is a square grid" "$T/sheet64.png" \
	"31 31 1: $(python3 -c 'import sys
cell = lambda i, x, y: (i + 3 * y + x) % 256
rows = [[cell(8 * (Y // 4) + X // 4, X % 4, Y % 4) if X % 4 < 3 and Y % 4 < 3 else 128
         for X in range(31)] for Y in range(31)]
print(" ".join(str(v) for row in rows for v in row))')"

# the sheet would pass the pixel limit: the gathering stops at the image
# that passes it (the 12th of 9 pixels each, 108 > 100), not at the end
fails "--sheet over the pixel limit" 1 env MASKPIPE_MAX_PIXELS=100 \
	rec-png --sheet "$T/over.png" "$T/64.rec"
says "  stops at the image that passes it, naming the stream" "64.rec" \
	"a sheet of 12 images" "MASKPIPE_MAX_PIXELS"
is "  and writes nothing" "$([ -e "$T/over.png" ] && echo yes || echo no)" no

# a 2x2 gray image and a 3x1 RGB one: cells 3x2, gray promoted to RGB
mkrec --img 2x2x1 >"$T/mixed.rec"
mkrec --img 3x1x3 >>"$T/mixed.rec"
ok "--sheet of mixed images" rec-png --sheet "$T/mixed.png" "$T/mixed.rec"
pixels "--sheet of mixed images: layout" "$T/mixed.png" "7 2 3: \
0 0 0 1 1 1 128 128 128 128 128 128 0 1 2 3 4 5 6 7 8 \
2 2 2 3 3 3 128 128 128 128 128 128 128 128 128 128 128 128 128 128 128"

mkrec -n 2 --field id=str:noimg:{i} >"$T/noimg.rec"
fails "record without img" 1 rec-png -o "$T/noimg" "$T/noimg.rec"
says "record without img: named" "$T/noimg.rec" "record 0" "noimg:0" "img" "--skip-missing"
cat "$T/noimg.rec" "$T/gray.rec" >"$T/some-img.rec"
ok "--skip-missing" rec-png --skip-missing -n 1 -o "$T/skip" "$T/some-img.rec"
ok "--skip-missing: the first image" has_files "$T/skip" "000002_fashion-mnist_train_0.png"
fails "--sheet without images" 1 rec-png --sheet "$T/none.png" --skip-missing "$T/noimg.rec"
says "--sheet without images: named" "$T/none.png"
mkrec --field id=str:bad --field img=mpk:83a17701a16801a16301 >"$T/bad-img.rec"
fails "img without px" 1 rec-png -o "$T/bad" "$T/bad-img.rec"
says "img without px: named" "record 0 (id 'bad')" "px"

echo "hello" >"$T/hello.txt"
fails "not a stream" 1 rec-png -o "$T/x" "$T/hello.txt"
says "not a stream: named" "$T/hello.txt"
head -c $(($(wc -c <"$T/64.rec") - 10)) "$T/64.rec" >"$T/cut.rec"
fails "truncated stream" 1 rec-png -o "$T/x" "$T/cut.rec"
says "truncated stream: named" "$T/cut.rec" "truncated"
fails "-o names a file" 1 rec-png -o "$T/hello.txt" "$T/rgb.rec"
says "-o names a file: named" "$T/hello.txt"

fails "--scale 0" 2 rec-png --scale 0 "$T/rgb.rec"
fails "--cols without --sheet" 2 rec-png --cols 2 "$T/rgb.rec"
fails "-o with --sheet" 2 rec-png -o "$T/x" --sheet "$T/s.png" "$T/rgb.rec"
fails "two inputs" 2 rec-png "$T/rgb.rec" "$T/rgb.rec"
fails "unknown option" 2 rec-png --bogus
ok "--help" rec-png --help
ok "--version" rec-png --version
