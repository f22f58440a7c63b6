#!/bin/sh
# mask-gen: every strategy end to end on patchified records (exact hidden
# counts, same seed same bytes, the strategy in the header), schedules by
# epoch, and one clear line for bad input and bad usage.
. "$ROOT/tests/pipeline/lib.sh"

# 16x16 images, 4x4 patches of 4 px, two boxes; epochs 0 and 1
mkrec -n 6 --field id=str:r{i} --field epoch=int:0 --img 16x16x1 \
	--field boxes=mpk:9294000008089404040808 >"$T/e0.rec"
mkrec -n 6 --field id=str:r{i} --field epoch=int:1 --img 16x16x1 \
	--field boxes=mpk:9294000008089404040808 >"$T/e1.rec"
patchify -p 4 "$T/e0.rec" >"$T/p0.rec"
patchify -p 4 "$T/e1.rec" >"$T/p1.rec"

# hidden NAME EXPECTED FILE: every mask of FILE hides EXPECTED patches
hidden() {
	is "$1" "$(rec-cat "$3" | each 'r["mask"]["ones"]' | sort -u)" "$2"
}

for s in random block objbox semantic noise:white noise:red noise:green noise:blue noise:purple; do
	ok "$s" sh -c "mask-gen -S '$s' -r 0.75 -s 5 '$T/p0.rec' >'$T/$s.a'"
	hidden "$s: 12 of 16 hidden" 12 "$T/$s.a"
	mask-gen -S "$s" -r 0.75 -s 5 "$T/p0.rec" >"$T/$s.b"
	ok "$s: same seed, same bytes" cmp "$T/$s.a" "$T/$s.b"
done
mask-gen -S random -s 5 "$T/p1.rec" | rec-cut -k mask | rec-cat --full >"$T/r1.json"
rec-cut -k mask "$T/random.a" | rec-cat --full >"$T/r0.json"
ok "random: other epoch, other masks" sh -c "! cmp -s '$T/r0.json' '$T/r1.json'"
is "strategy in the header" \
	"$(rec-cat -H "$T/noise:green.a" | head -n 1 | each 'r["mask_strategy"]')" "noise:green"

ok "grid" mask-gen -S grid -o "$T/grid.rec" "$T/p0.rec"
is "grid: one of 2x2 visible" "$(rec-cat --full "$T/grid.rec" | each 'r["mask"]' | sort -u)" \
	'[0,1,0,1,1,1,1,1,0,1,0,1,1,1,1,1]'
ok "symmetric" mask-gen -S symmetric -o "$T/sym.rec" "$T/p0.rec"
is "symmetric: a checkerboard" "$(rec-cat --full "$T/sym.rec" | each '(r["mask"] in
	([0,1,0,1,1,0,1,0,0,1,0,1,1,0,1,0], [1,0,1,0,0,1,0,1,1,0,1,0,0,1,0,1]))' | sort -u)" true
ok "grid with its own ratio" mask-gen -S grid -r 0.75 -o "$T/grid75.rec" "$T/p0.rec"

cat "$T/p0.rec" "$T/p1.rec" >"$T/both.rec"
ok "--schedule" mask-gen -S random --schedule 0:0.25,1:0.5 -o "$T/sched.rec" "$T/both.rec"
is "--schedule: ratio by epoch" \
	"$(rec-cat "$T/sched.rec" | each '"%d %d" % (r["epoch"], r["mask"]["ones"])' | sort -u)" "0 4
1 8"
ok "--schedule-interp linear" mask-gen -S block --schedule 0:0.25,2:0.75 --schedule-interp linear \
	-o "$T/lin.rec" "$T/both.rec"
is "--schedule-interp linear: halfway at epoch 1" \
	"$(rec-cat "$T/lin.rec" | each '"%d %d" % (r["epoch"], r["mask"]["ones"])' | sort -u)" "0 4
1 8"

# semantic from segments: an 8x8 image, left half segment 0, right half 1;
# 2x2 patches, half hidden: exactly one whole column stays visible
python3 -c '
import struct
px = b"".join(struct.pack("<I", x // 4) for y in range(8) for x in range(8))
print((b"\x84\xa1w\x08\xa1h\x08\xa1n\x02\xa2px\xc5" + struct.pack(">H", len(px)) + px).hex())' >"$T/halves.hex"
mkrec -n 8 --field id=str:s{i} --img 8x8x1 --field "segments=mpk:$(cat "$T/halves.hex")" |
	patchify -p 4 | mask-gen -S semantic -r 0.5 >"$T/halves.rec"
is "semantic keeps whole segments" \
	"$(rec-cat --full "$T/halves.rec" | each 'r["mask"][:4] in ([0,1,0,1], [1,0,1,0])' | sort -u)" true
is "semantic: both segments get their turn" \
	"$(rec-cat --full "$T/halves.rec" | each 'r["mask"]' | sort -u | wc -l)" 2

mkrec -n 2 --field id=str:nogrid{i} --img 4x4x1 >"$T/nogrid.rec"
fails "record without grid" 1 mask-gen -S random "$T/nogrid.rec"
says "record without grid: named" "$T/nogrid.rec" "record 0" "nogrid0" "grid" "patchify"
# 3x3 patches of 4 px, on an 8x8 image
mkrec -n 2 --field id=str:big{i} --img 8x8x1 --field grid=mpk:83a17004a2676803a2677703 >"$T/bigrid.rec"
fails "a grid that does not fit its image" 1 mask-gen -S random -o "$T/bigrid-out.rec" "$T/bigrid.rec"
says "  named" bigrid.rec "record 0" big0 grid 8x8
mkrec -n 2 --field id=str:fits{i} --img 13x12x1 --field grid=mpk:83a17004a2676803a2677703 >"$T/fits.rec"
prints "a grid within its image" 2 sh -c 'mask-gen -S random "$1" | rec-count' sh "$T/fits.rec"
mkrec --field id=str:short --field grid=mpk:83a17004a2676802a2677702 --field boxcount=u16le:1,2,3 >"$T/short.rec"
fails "boxcount of the wrong length" 1 mask-gen -S objbox "$T/short.rec"
says "boxcount of the wrong length: named" "record 0" "short" "boxcount" "4 patches"
mkrec --field id=str:nobox --field grid=mpk:83a17004a2676802a2677702 >"$T/nobox.rec"
fails "objbox without boxcount" 1 mask-gen -S objbox "$T/nobox.rec"
says "objbox without boxcount: named" "record 0" "boxcount"
fails "semantic without boxes" 1 mask-gen -S semantic "$T/nobox.rec"
says "semantic without boxes: named" "record 0" "boxes"
mkrec --field grid=mpk:83a17004a2676802a2677702 >"$T/noid.rec"
fails "random without id" 1 mask-gen -S random "$T/noid.rec"
ok "grid without id" mask-gen -S grid -o "$T/noid-grid.rec" "$T/noid.rec"

fails "no --strategy" 2 mask-gen "$T/p0.rec"
fails "unknown strategy" 2 mask-gen -S noise:pink "$T/p0.rec"
says "unknown strategy: named" "noise:pink"
fails "ratio 1" 2 mask-gen -S random -r 1 "$T/p0.rec"
fails "ratio below 0" 2 mask-gen -S random -r -0.1 "$T/p0.rec"
fails "grid with another ratio" 2 mask-gen -S grid -r 0.5 "$T/p0.rec"
fails "symmetric with a schedule" 2 mask-gen -S symmetric --schedule 0:0.5 "$T/p0.rec"
fails "malformed schedule" 2 mask-gen -S random --schedule 0:0.2,x "$T/p0.rec"
says "malformed schedule: named" "0:0.2,x"
fails "schedule going back" 2 mask-gen -S random --schedule 10:0.2,5:0.3 "$T/p0.rec"
fails "--ratio with --schedule" 2 mask-gen -S random -r 0.5 --schedule 0:0.2 "$T/p0.rec"
fails "bad --schedule-interp" 2 mask-gen -S random --schedule 0:0.2 --schedule-interp cubic "$T/p0.rec"
fails "green with sigma1 >= sigma2" 2 mask-gen -S noise:green --sigma1 3 --sigma2 2 "$T/p0.rec"
ok "--help" mask-gen --help
ok "--version" mask-gen --version
