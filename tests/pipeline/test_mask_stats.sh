#!/bin/sh
# mask-stats: one line per stream named by its strategy, the grid strategy's
# fixed heat map (PNG and numbers), diversity across epochs, and one clear
# line for bad input and bad usage.
. "$ROOT/tests/pipeline/lib.sh"

mkrec -n 20 --field id=str:r{i} --img 8x8x1 | patchify -p 4 | rec-repeat -n 3 >"$T/p.rec"
mask-gen -S grid "$T/p.rec" >"$T/grid.rec"
mask-gen -S random -r 0.5 "$T/p.rec" >"$T/random.rec"
ok "mask-stats" mask-stats -d "$T/out" --scale 2 "$T/grid.rec" "$T/random.rec"
prints "grid line" "grid 60 0.7500 0.0000 1.0000 0.79248 0.00000 60" \
	sh -c "mask-stats '$T/grid.rec' | sed -n 2p | tr -s ' '"
prints "random: half hidden, diverse" "random 60 0.5000 yes 60" \
	sh -c "mask-stats '$T/random.rec' | sed -n 2p | awk '{ print \$1, \$2, \$3, (\$7 > 0.3 ? \"yes\" : \"no\"), \$8 }'"
prints "grid frequencies" "0.0000 1.0000
1.0000 1.0000" cat "$T/out/grid.txt"
ok "heat map written" test -s "$T/out/grid.png"
ok "random heat map" test -s "$T/out/random.png"
# the pixels are checked by the unit test; here the PNG header: 4x4 gray
prints "heat map size" "4 4 0" python3 -c '
import struct, sys
data = open(sys.argv[1], "rb").read()
w, h, depth, colour = struct.unpack(">IIBB", data[16:26])
print(w, h, colour)' "$T/out/grid.png"
ok "same strategy twice" mask-stats -d "$T/twice" "$T/grid.rec" "$T/grid.rec"
ok "same strategy twice: two files" test -s "$T/twice/grid_2.png"

fails "no mask" 1 mask-stats "$T/p.rec"
says "no mask: named" "$T/p.rec" "record 0" "mask"
printf '\203\250maskpipe\001\252provenance\220\255mask_strategy\243\377/.\201\254maskpipe_end\000' >"$T/strat.rec"
fails "a mask_strategy that is not UTF-8" 1 mask-stats "$T/strat.rec"
says "  names the stream and the field" strat.rec header mask_strategy "not valid UTF-8"
fails "no input" 2 mask-stats
fails "bad --scale" 2 mask-stats --scale 0 "$T/grid.rec"
ok "--help" mask-stats --help
ok "--version" mask-stats --version
