#!/bin/sh
# rec-stats: the per-channel figures against numpy on the same pixels (read
# back by the test's own msgpack reader, not the code under test), the
# same figures in any record order, --norm as mae-train takes it, and one
# clear line for streams without images, with mixed channel counts, or
# with a record without img.
. "$ROOT/tests/pipeline/lib.sh"

FM=/usr/share/datasets/fashion-mnist
PY=/usr/bin/python3

img-decode --limit 500 "$FM/t10k-images-idx3-ubyte.gz" -o "$T/gray.rec"
mkrec -n 7 --img 9x5x3 >"$T/rgb.rec"
for f in gray rgb; do
	ok "rec-stats on $f images" rec-stats "$T/$f.rec"
	cp "$T/.stdout" "$T/$f.json"
	# numpy from the pixels as msgpack_lite reads them: mean and the
	# population std, to 6 decimals (rec-stats's counts are exact; the two
	# sums differ by float rounding far below the last decimal)
	is "$f: the figures numpy gives" "$(zstd -dcqf <"$T/$f.rec" | ROOT=$ROOT "$PY" -I -B -c '
import json, os, sys
import numpy as np
sys.path.insert(0, os.path.join(os.environ["ROOT"], "tests", "pipeline"))
from msgpack_lite import unpack_all
px = [np.frombuffer(r["img"]["px"], np.uint8).reshape(-1, r["img"]["c"])
      for r in unpack_all(sys.stdin.buffer.read()) if "img" in r]
a = np.concatenate(px).astype(np.float64) / 255
got = json.load(open(sys.argv[1]))
want = {"images": len(px), "channels": a.shape[1],
        "mean": [round(float(m), 6) for m in a.mean(0)],
        "std": [round(float(s), 6) for s in a.std(0)]}
print(all(abs(got[k][i] - want[k][i]) <= 1.5e-6 for k in ("mean", "std") for i in range(a.shape[1])),
      got["images"] == want["images"], got["channels"] == want["channels"])' "$T/$f.json")" \
		"True True True"
done
ok "in another order" sh -c "rec-shuffle --seed 3 '$T/gray.rec' | rec-stats"
is "the same figures" "$(cat "$T/.stdout")" "$(cat "$T/gray.json")"
ok "--norm" rec-stats -n "$T/rgb.rec"
is "--norm is the JSON's input_norm" "$(cat "$T/.stdout")" \
	"$(sed 's/.*"input_norm":"\([^"]*\)".*/\1/' "$T/rgb.json")"
ok "mae-train takes it" mae-train --img-size 9 --in-chans 3 --patch 3 --dim 8 --depth 1 \
	--heads 2 --dec-dim 8 --dec-depth 1 --dec-heads 2 --input-norm "$(cat "$T/.stdout")" \
	--steps 0 -o "$T/m.st" "$T/rgb.rec"

rec-head -n 0 "$T/gray.rec" >"$T/none.rec"
fails "a stream without records" 1 rec-stats "$T/none.rec"
says "its message" "none.rec" "no images"
cat "$T/gray.rec" "$T/rgb.rec" >"$T/mixed.rec"
fails "gray then colour images" 1 rec-stats "$T/mixed.rec"
says "its message names the stream, the record and the channels" mixed.rec "3 channels after images of 1"
rec-cut -d img "$T/gray.rec" >"$T/noimg.rec"
fails "a record without img" 1 rec-stats "$T/noimg.rec"
says "its message" noimg.rec "no field 'img'"
fails "two inputs" 2 rec-stats "$T/gray.rec" "$T/rgb.rec"
