#!/bin/sh
# ssearch-boxes: boxes around the flat rectangles of a synthetic PNG,
# every other field passed through, the same bytes for any --threads and
# for a record wherever it stands in the stream, --max-boxes, --emit-segments,
# the modes and knobs, and one clear line for bad usage and bad records,
# leaving no output file behind.
. "$ROOT/tests/pipeline/lib.sh"

# A 60x40 RGB PNG: a background and three flat rectangles, written with
# Python's zlib so the decoder under test is the only one of ours involved.
cat >"$T/rects.py" <<'EOF_PY'
import struct, sys, zlib
W, H = 60, 40
rects = [((3, 4, 18, 12), (220, 30, 30)), ((30, 6, 26, 28), (30, 200, 40)),
         ((8, 22, 14, 15), (40, 50, 230))]
rows = []
for y in range(H):
    row = bytearray()
    for x in range(W):
        colour = (120, 110, 100)
        for (rx, ry, rw, rh), c in rects:
            if rx <= x < rx + rw and ry <= y < ry + rh:
                colour = c
        row += bytes(colour)
    rows.append(b"\0" + bytes(row))
def chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", W, H, 8, 2, 0, 0, 0))
png += chunk(b"IDAT", zlib.compress(b"".join(rows))) + chunk(b"IEND", b"")
open(sys.argv[1], "wb").write(png)
EOF_PY
python3 "$T/rects.py" "$T/rects.png"

# best_iou BOXES_JSON_LINE X Y W H: the best IoU of a box of the line with the rectangle
cat >"$T/iou.py" <<'EOF_PY'
import json, sys
rec = json.loads(open(sys.argv[1]).readline())
x, y, w, h = map(int, sys.argv[2:6])
def iou(a, b):
    ix = max(0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = ix * iy
    return inter / (a[2] * a[3] + b[2] * b[3] - inter)
print("%.2f" % max(iou(b, (x, y, w, h)) for b in rec["boxes"]))
EOF_PY

for mode in single fast quality; do
	img-decode "$T/rects.png" | ssearch-boxes --mode $mode --min-size 20 | rec-cat >"$T/rects.$mode.json"
	for r in "3 4 18 12" "30 6 26 28" "8 22 14 15"; do
		# shellcheck disable=SC2086
		iou=$(python3 "$T/iou.py" "$T/rects.$mode.json" $r)
		ok "--mode $mode finds the rectangle at $r (IoU $iou)" python3 -c "assert $iou >= 0.9"
	done
done

FM=/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz
img-decode "$FM" | rec-head -n 300 >"$T/fm.rec"

ok "300 Fashion-MNIST images" ssearch-boxes -o "$T/fm1.rec" "$T/fm.rec"
ok "--threads 3" ssearch-boxes --threads 3 -o "$T/fm3.rec" "$T/fm.rec"
# the headers differ by the command line they record: compare every record byte
is "same records for 1 and 3 threads" "$(rec-cat --full "$T/fm3.rec" | md5sum)" \
	"$(rec-cat --full "$T/fm1.rec" | md5sum)"
is "every record has boxes" "$(rec-cat "$T/fm1.rec" | grep -c '"boxes":\[\[')" 300
is "other fields pass through untouched" "$(rec-cut -d boxes "$T/fm1.rec" | rec-cat)" \
	"$(rec-cat "$T/fm.rec")"
ok "every box lies inside its 28x28 image" python3 -c "
import json, sys
for line in sys.stdin:
    for x, y, w, h in json.loads(line)['boxes']:
        assert x >= 0 and y >= 0 and w >= 1 and h >= 1 and x + w <= 28 and y + h <= 28, line
" <<EOF_IN
$(rec-cat "$T/fm1.rec")
EOF_IN

# the ranking follows the id, not the position: shuffled, the same boxes
rec-shuffle --seed 4 "$T/fm.rec" | ssearch-boxes | rec-cut -k id,boxes | rec-cat | sort >"$T/shuf.json"
rec-cut -k id,boxes "$T/fm1.rec" | rec-cat | sort >"$T/plain.json"
ok "a record gets the same boxes wherever it stands" cmp "$T/plain.json" "$T/shuf.json"
ssearch-boxes --seed 9 "$T/fm.rec" | rec-cut -k id,boxes | rec-cat | sort >"$T/seed9.json"
ok "another --seed ranks otherwise" sh -c "! cmp -s '$T/plain.json' '$T/seed9.json'"

ok "--max-boxes 2" ssearch-boxes -n 2 -o "$T/two.rec" "$T/fm.rec"
is "--max-boxes 2 keeps two at most" \
	"$(rec-cat "$T/two.rec" | python3 -c '
import json, sys
print(max(len(json.loads(l)["boxes"]) for l in sys.stdin))')" "2"
is "--max-boxes keeps the best first" "$(rec-cut -k boxes "$T/two.rec" | rec-cat | head -n 1)" \
	"$(rec-cut -k boxes "$T/fm1.rec" | rec-cat | head -n 1 | python3 -c '
import json, sys
print(json.dumps({"boxes": json.loads(sys.stdin.read())["boxes"][:2]}, separators=(",", ":")))')"

ok "--emit-segments" ssearch-boxes --emit-segments -o "$T/seg.rec" "$T/fm.rec"
is "segments: a u32 label below n per pixel" "$(rec-cat --full "$T/seg.rec" | head -n 1 | python3 -c '
import base64, json, struct, sys
s = json.loads(sys.stdin.read())["segments"]
labels = struct.unpack("<784I", base64.b64decode(s["px"]))
print(s["w"], s["h"], s["n"] >= 1, max(labels) == s["n"] - 1)')" "28 28 True True"
ok "rec-png --boxes shows them" rec-png --boxes 3 --scale 4 --sheet "$T/boxes.png" -n 9 "$T/seg.rec"

ok "the knobs" ssearch-boxes --color-spaces=lab,i --ks=80,160 --sims=cs,f --sigma=0.5 \
	--min-size=10 --connectivity=4 -o "$T/knobs.rec" "$T/fm.rec"
ok "gray, thin and one-pixel images" sh -c "mkrec -n 3 --img 1x1x1 | ssearch-boxes >'$T/tiny.rec' &&
	mkrec -n 2 --img 1x40x3 | ssearch-boxes --mode quality | rec-count &&
	mkrec -n 2 --img 33x1x1 | ssearch-boxes --mode fast | rec-count"
is "a 1x1 image has the one box" "$(rec-cut -k boxes "$T/tiny.rec" | rec-cat | head -n 1)" \
	'{"boxes":[[0,0,1,1]]}'
quiet "| rec-head ends quietly" sh -c "ssearch-boxes '$T/fm.rec' | rec-head -n 1 >/dev/null"

# The boxes byte for byte as they were before the speed work of issue 14,
# which was to change none (md5 of rec-cat of id and boxes), in each mode
# and with OpenCV's single-strategy knobs, for the first 100 Fashion-MNIST
# images and a textured colour picture (stripes, two blobs, noise from an
# LCG): a later change of any box must be one that is meant, with the sums
# updated.
cat >"$T/texture.py" <<'EOF_PY'
import struct, sys, zlib
W, H = 96, 64
seed = 12345
def noise():
    global seed
    seed = (seed * 1103515245 + 12345) % 2**31
    return seed % 41 - 20
rows = []
for y in range(H):
    row = bytearray()
    for x in range(W):
        blob = 1 if (x - 30) ** 2 + (y - 28) ** 2 < 300 else 2 if abs(x - 70) + abs(y - 40) < 18 else 0
        base = [(90, 140, 60), (200, 60, 50), (40, 70, 190)][blob]
        stripe = 40 if (x // 6 + y // 9) % 2 and blob == 0 else 0
        row += bytes(max(0, min(255, c + stripe + noise())) for c in base)
    rows.append(b"\0" + bytes(row))
def chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", W, H, 8, 2, 0, 0, 0))
png += chunk(b"IDAT", zlib.compress(b"".join(rows))) + chunk(b"IEND", b"")
open(sys.argv[1], "wb").write(png)
EOF_PY
mkdir "$T/colour"
python3 "$T/texture.py" "$T/colour/texture.png"
img-decode "$T/colour" >"$T/texture.rec" # id: texture.png, wherever $T is
rec-head -n 100 "$T/fm.rec" >"$T/fm100.rec"
boxes_md5() { ssearch-boxes "$@" | rec-cut -k id,boxes | rec-cat | md5sum | cut -d' ' -f1; }
cv_single="--color-spaces=hsv --ks=100 --sims=ctsf --sigma=0.8 --min-size=100 --connectivity=4"
while read -r what sum_fm sum_texture; do
	case $what in cv-single) opts=$cv_single ;; *) opts="--mode $what" ;; esac
	# shellcheck disable=SC2086
	is "$what: the boxes of 100 Fashion-MNIST images as before" "$(boxes_md5 $opts "$T/fm100.rec")" "$sum_fm"
	# shellcheck disable=SC2086
	is "$what: the boxes of a colour picture as before" "$(boxes_md5 $opts "$T/texture.rec")" "$sum_texture"
done <<'EOF_SUMS'
single a591ac6d754f6b99337366e2b94eb4af 076fc1d33336fda929a2c088f5da3a14
fast 3c2204e9aa7e3018e0e635924eddafa9 21bfcd410f831627b2e191373e30a4d0
quality cdfdc943dede0a02531a384664d81a25 a962e809de9803945533bb5d7e15b4c4
cv-single 6a1a416acd733baf6e19164aae896a8c a419362906bdfbe1d1f9d840bf4bca1b
EOF_SUMS

fails "unknown mode" 2 ssearch-boxes --mode slow "$T/fm.rec"
says "unknown mode: named" "slow"
fails "bad colour space" 2 ssearch-boxes --color-spaces hsv,cmyk "$T/fm.rec"
fails "bad k" 2 ssearch-boxes --ks 0 "$T/fm.rec"
fails "bad similarity" 2 ssearch-boxes --sims ctx "$T/fm.rec"
fails "bad connectivity" 2 ssearch-boxes --connectivity 6 "$T/fm.rec"
fails "bad threads" 2 ssearch-boxes --threads 0 "$T/fm.rec"
fails "bad sigma" 2 ssearch-boxes --sigma -1 "$T/fm.rec"

mkrec -n 3 --field id=str:x:{i} >"$T/noimg.rec"
for c in 2 4; do
	mkrec -n 1 --img 8x8x$c >"$T/c$c.rec"
	fails "an image of $c channels" 1 ssearch-boxes -o "$T/out.rec" "$T/c$c.rec"
	says "  names the stream, record and field" "c$c.rec" "record 0" "img.c"
done
fails "a record without img" 1 ssearch-boxes -o "$T/out.rec" "$T/noimg.rec"
says "names the stream, the record and the problem" "noimg.rec" "record 0" "x:0" "no 'img'"
ok "no output file left behind" test ! -e "$T/out.rec"
mkrec --field id=str:empty --field 'img=mpk:84a17700a16801a16301a27078c400' >"$T/empty.rec"
fails "a zero-sized image" 1 ssearch-boxes -o "$T/out.rec" "$T/empty.rec"
says "a zero-sized image: named" "empty" "record 0"
(cat "$T/fm.rec" "$T/noimg.rec") | ssearch-boxes --threads 2 >"$T/partial.rec" 2>"$T/.stderr"
says "the bad record after good ones is named by its index" "record 300"
head -c 20000 "$T/fm.rec" >"$T/cut.rec"
fails "a truncated stream" 1 ssearch-boxes -o "$T/out.rec" "$T/cut.rec"
ok "still no output file" test ! -e "$T/out.rec"
