#!/bin/sh
# patchify: grid and boxcount on real records, boxes flipped with the
# image, segments cropped with it, reproducible draws per seed, id and
# epoch, and one clear line for bad input and bad usage.
. "$ROOT/tests/pipeline/lib.sh"

# 8x8 gray images with two boxes: [0,0,4,4] and [2,2,2,2]
mkrec -n 4 --field id=str:r{i} --field epoch=int:0 --img 8x8x1 \
	--field boxes=mpk:9294000004049402020202 >"$T/boxes.rec"
ok "patchify" patchify -p 4 -o "$T/p.rec" "$T/boxes.rec"
is "grid and boxcount" \
	"$(rec-cat --full "$T/p.rec" | head -n 1 | each '[r["grid"], r["boxes"][0], r["boxcount"]]')" \
	'[{"p":4,"gh":2,"gw":2},[0,0,4,4],[2,0,0,0]]'

# flipped: pixel x of a row becomes 7 - x, boxes mirror
patchify -p 4 --flip -s 1 "$T/boxes.rec" | rec-cat --full >"$T/flips.json"
prints "flips mirror boxes" "ok" python3 -c '
import json, sys
seen = set()
for line in open(sys.argv[1]):
    r = json.loads(line)
    flipped = r["boxes"] == [[4, 0, 4, 4], [4, 2, 2, 2]]
    seen.add(flipped)
    assert flipped or r["boxes"] == [[0, 0, 4, 4], [2, 2, 2, 2]], r["boxes"]
    i = int(r["id"][1:])
    rows = [[(i + 8 * y + x) % 256 for x in range(8)] for y in range(8)]
    want = [v for row in rows for v in (row[::-1] if flipped else row)]
    assert r["img"]["px"] == want
print("ok" if seen == {True, False} else "no flip or all flipped")' "$T/flips.json"

patchify -p 4 --crop rrc --size 4 --flip -s 7 "$T/boxes.rec" | rec-cut -k img,boxes >"$T/a.rec"
patchify -p 4 --crop rrc --size 4 --flip -s 7 "$T/boxes.rec" | rec-cut -k img,boxes >"$T/b.rec"
patchify -p 4 --crop rrc --size 4 --flip -s 8 "$T/boxes.rec" | rec-cut -k img,boxes >"$T/c.rec"
is "same seed, same bytes" "$(rec-cat --full "$T/a.rec")" "$(rec-cat --full "$T/b.rec")"
ok "other seed, other crops" sh -c "[ \"\$(rec-cat --full '$T/a.rec')\" != \"\$(rec-cat --full '$T/c.rec')\" ]"
mkrec -n 4 --field id=str:r{i} --field epoch=int:1 --img 8x8x1 \
	--field boxes=mpk:9294000004049402020202 >"$T/epoch1.rec"
patchify -p 4 --crop rrc --size 4 -s 7 "$T/epoch1.rec" | rec-cut -k img >"$T/e1.rec"
patchify -p 4 --crop rrc --size 4 -s 7 "$T/boxes.rec" | rec-cut -k img >"$T/e0.rec"
ok "other epoch, other crops" sh -c "[ \"\$(rec-cat --full '$T/e0.rec')\" != \"\$(rec-cat --full '$T/e1.rec')\" ]"

# segments: 4x2 labels 0..7
python3 -c '
import struct
px = b"".join(struct.pack("<I", i) for i in range(8))
body = b"\x84\xa1w\x04\xa1h\x02\xa1n\x08\xa2px\xc4" + bytes([len(px)]) + px
print(body.hex())' >"$T/seg.hex"
mkrec --field id=str:s --img 4x2x1 --field "segments=mpk:$(cat "$T/seg.hex")" >"$T/seg.rec"
# resized to 2x2, nearest neighbour: labels 1 3 / 5 7
is "segments follow the image" \
	"$(patchify -p 1 --resize 2 "$T/seg.rec" | rec-cat --full | each 'r["segments"]')" \
	'{"w":2,"h":2,"n":8,"px":"AQAAAAMAAAAFAAAABwAAAA=="}'

mkrec -n 2 --field id=str:noimg{i} >"$T/noimg.rec"
fails "record without img" 1 patchify -p 4 "$T/noimg.rec"
says "record without img: named" "$T/noimg.rec" "record 0" "noimg0" "img"
mkrec --field id=str:odd --img 6x6x1 >"$T/odd.rec"
# a header whose provenance is not an array of command lines
printf '\202\250maskpipe\001\252provenance\005\201\242id\241a\201\254maskpipe_end\001' >"$T/badprov.rec"
fails "a malformed provenance" 1 patchify -p 4 "$T/badprov.rec"
says "  names the stream and the header" badprov.rec header provenance
printf '\202\250maskpipe\001\252provenance\221\221\001\201\242id\241a\201\254maskpipe_end\001' >"$T/badarg.rec"
fails "a provenance holding a number" 1 patchify -p 4 "$T/badarg.rec"
says "  names the stream and the item" badarg.rec header "provenance' item 0.0"
for c in 2 4; do
	mkrec -n 1 --img 8x8x$c >"$T/c$c.rec"
	fails "an image of $c channels" 1 patchify -p 4 "$T/c$c.rec"
	says "  names the stream, record and field" "c$c.rec" "record 0" "img.c"
done
fails "not whole patches" 1 patchify -p 4 "$T/odd.rec"
says "not whole patches: named" "record 0" "6x6" "4x4 patches"
mkrec --img 8x8x1 >"$T/noid.rec"
fails "random draws need an id" 1 patchify -p 4 --flip "$T/noid.rec"
says "random draws need an id: named" "record 0" "id"
ok "no id without randomness" patchify -p 4 "$T/noid.rec"
fails "crop larger than the image" 1 patchify -p 4 --crop random --size 12 "$T/boxes.rec"
says "crop larger: named" "record 0" "smaller"

fails "--size not a multiple" 2 patchify -p 4 --size 10 "$T/boxes.rec"
fails "--crop random without --size" 2 patchify --crop random "$T/boxes.rec"
fails "bad --crop" 2 patchify --crop diagonal "$T/boxes.rec"
fails "bad --rrc-scale" 2 patchify --rrc-scale 0.5,0.2 "$T/boxes.rec"
fails "bad --min-box-keep" 2 patchify --min-box-keep 2 "$T/boxes.rec"
fails "two inputs" 2 patchify "$T/boxes.rec" "$T/boxes.rec"
ok "--help" patchify --help
ok "--version" patchify --version
