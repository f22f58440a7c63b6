#!/bin/sh
# mask-viz: one PNG of image | greyed | boxes per record, its size from
# --scale, --cols and -n, and one clear line for bad input and usage.
. "$ROOT/tests/pipeline/lib.sh"

mkrec -n 5 --field id=str:r{i} --img 8x8x1 --field boxes=mpk:919400000404 \
	| patchify -p 4 | mask-gen -S random -r 0.5 >"$T/m.rec"
# png_size FILE: "W H COLOUR" from the PNG header
png_size() {
	python3 -c '
import struct, sys
data = open(sys.argv[1], "rb").read()
w, h, depth, colour = struct.unpack(">IIBB", data[16:26])
print(w, h, colour)' "$1"
}
ok "mask-viz" mask-viz -o "$T/v.png" "$T/m.rec"
prints "one row of three per record, scale 4" "98 164 2" png_size "$T/v.png"
ok "--scale --cols -n" mask-viz -s 2 -c 2 -n 3 -o "$T/v2.png" "$T/m.rec"
prints "--scale --cols -n: size" "101 33 2" png_size "$T/v2.png"
ok "from stdin" sh -c "mask-viz -o '$T/v3.png' <'$T/m.rec'"

patchify -p 4 <"$T/m.rec" | rec-cut -d mask >"$T/nomask.rec"
fails "no mask" 1 mask-viz -o "$T/x.png" "$T/nomask.rec"
says "no mask: named" "$T/nomask.rec" "record 0" "r0" "mask"
fails "no -o" 2 mask-viz "$T/m.rec"
fails "bad --scale" 2 mask-viz -s 0 -o "$T/x.png" "$T/m.rec"
ok "--help" mask-viz --help
ok "--version" mask-viz --version
