#!/bin/sh
# mae-embed and mae-recon on a tiny model trained here: embeddings equal the
# PyTorch reference encoder's (cls and mean pooling, within 1e-4) and do
# not depend on threads or batch size, bit for bit, on any BLAS kernel (the
# products are issued per image: mae_linear_forward); reconstruction panels
# hold the image, the masked input and the reconstruction, the same for
# any batch; bad input gives one clear line.
. "$ROOT/tests/pipeline/lib.sh"

TORCH_PYTHON=/usr/bin/python3
TINY="--img-size 12 --in-chans 3 --patch 4 --dim 16 --depth 2 --heads 2 --dec-dim 12 --dec-depth 2 --dec-heads 3"
mkrec -n 12 --img 12x12x3 | addmask --patch 4 --ratio 0.6 --jitter 0.3 >"$T/in.rec"
ok "a tiny model" mae-train $TINY -b 4 --steps 3 --blr 0.5 -o "$T/m.st" "$T/in.rec"

for pool in cls mean; do
	ok "mae-embed --pool $pool" mae-embed --pool $pool -b 5 -o "$T/$pool.rec" "$T/m.st" "$T/in.rec"
	rec-cat --full "$T/$pool.rec" >"$T/$pool.jsonl"
	prints "$pool: 16 floats per record" "16" sh -c "rec-cat '$T/$pool.rec' | head -n 1 | \
		sed 's/.*\"f32\":\([0-9]*\).*/\1/'"
	run "$TORCH_PYTHON" "$ROOT/tests/pipeline/mae_reference.py" embed "$T/$pool.jsonl" \
		"$T/m.st" $pool
	is "$pool: the PyTorch encoder gives the same embeddings" "$(cut -d' ' -f 1-4 "$T/.stdout")" \
		"PASS parity embedding ($pool)"
done
# bf16: against the reference rounding the same operands (within a bf16
# step where a rounding went the other way: mae_reference.py's FLIP_TOL),
# and against torch.autocast within the bound it derives
ok "mae-embed --precision bf16" mae-embed --precision bf16 -b 5 -o "$T/bf16.rec" "$T/m.st" \
	"$T/in.rec"
rec-cat --full "$T/bf16.rec" >"$T/bf16.jsonl"
for ref in bf16 autocast; do
	run "$TORCH_PYTHON" "$ROOT/tests/pipeline/mae_reference.py" embed "$T/bf16.jsonl" \
		"$T/m.st" cls $ref
	is "bf16: the PyTorch encoder ($ref) gives the same embeddings" \
		"$(grep -c '^PASS' "$T/.stdout") $(grep -c '^FAIL' "$T/.stdout")" \
		"$([ $ref = bf16 ] && echo 2 || echo 1) 0"
done
run "$TORCH_PYTHON" "$ROOT/tests/pipeline/mae_reference.py" embed "$T/cls.jsonl" "$T/m.st" cls bf16
is "the fp32 embeddings are not bf16's" "$(grep -c '^FAIL' "$T/.stdout")" 1
ok "bf16 in batches of one" mae-embed --precision bf16 -b 1 -o "$T/bf16b1.rec" "$T/m.st" "$T/in.rec"
is "bf16 embeddings do not depend on the batch" "$(rec-cat --full "$T/bf16b1.rec")" \
	"$(cat "$T/bf16.jsonl")"
ok "two threads" mae-embed -j 2 -b 5 -o "$T/cls2.rec" "$T/m.st" "$T/in.rec"
is "embeddings do not depend on threads" "$(rec-cat --full "$T/cls2.rec")" \
	"$(cat "$T/cls.jsonl")"
ok "batches of one" mae-embed -b 1 -o "$T/cls1.rec" "$T/m.st" "$T/in.rec"
is "embeddings do not depend on the batch" "$(rec-cat --full "$T/cls1.rec")" \
	"$(cat "$T/cls.jsonl")"

ok "mae-recon" mae-recon -b 5 -o "$T/recon.rec" "$T/m.st" "$T/in.rec"
ok "mae-recon: batches of one, two threads" mae-recon -b 1 -j 2 -o "$T/recon1.rec" "$T/m.st" \
	"$T/in.rec"
is "reconstructions do not depend on the batch or the threads" \
	"$(rec-cat --full "$T/recon1.rec")" "$(rec-cat --full "$T/recon.rec")"
cat >"$T/panels.py" <<'PY'
import json, sys
bad = 0
for orig, rec in zip(open(sys.argv[1]), open(sys.argv[2])):
    o, r = json.loads(orig), json.loads(rec)
    w, c = o["img"]["w"], o["img"]["c"]
    if (r["img"]["w"], r["img"]["h"], r["img"]["c"]) != (3 * w, w, c):
        bad += 1
        continue
    for y in range(w):
        src = o["img"]["px"][y * w * c:(y + 1) * w * c]
        row = r["img"]["px"][y * 3 * w * c:(y + 1) * 3 * w * c]
        left, mid, right = row[:w * c], row[w * c:2 * w * c], row[2 * w * c:]
        for x in range(w):
            hidden = o["mask"][(y // 4) * (w // 4) + x // 4]
            px = slice(x * c, (x + 1) * c)
            bad += left[px] != src[px]
            bad += mid[px] != ([128] * c if hidden else src[px])
            bad += (not hidden) and right[px] != src[px]
print(bad)
PY
rec-cat --full "$T/in.rec" >"$T/in.jsonl"
rec-cat --full "$T/recon.rec" >"$T/recon.jsonl"
is "panels: image | masked input | reconstruction with the visible patches" \
	"$(python3 "$T/panels.py" "$T/in.jsonl" "$T/recon.jsonl")" 0
ok "rec-png draws them" rec-png --sheet "$T/recon.png" "$T/recon.rec"

mkrec -n 2 --img 12x12x3 >"$T/plain.rec"
fails "mae-recon: records without grid and mask" 1 mae-recon "$T/m.st" "$T/plain.rec"
says "mae-recon: the message" plain.rec "record 0" grid
quiet "mae-embed needs no mask" mae-embed -o "$T/x.rec" "$T/m.st" "$T/plain.rec"
mkrec -n 2 --img 8x8x3 >"$T/small.rec"
fails "mae-embed: an image of another size" 1 mae-embed "$T/m.st" "$T/small.rec"
says "mae-embed: the message" small.rec "record 0" 8x8x3 12x12x3
fails "mae-embed: a missing checkpoint" 1 mae-embed "$T/none.st" "$T/plain.rec"
says "mae-embed: the message names it" none.st
fails "mae-embed: no checkpoint" 2 mae-embed
fails "mae-embed: an unknown pool" 2 mae-embed --pool max "$T/m.st"
