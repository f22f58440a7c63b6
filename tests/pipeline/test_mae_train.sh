#!/bin/sh
# mae-train: parity with a PyTorch MAE written from the reference
# (mae_reference.py: loss, every gradient and one AdamW step within 1e-4),
# the loss falling on real Fashion-MNIST images, exact resume, the same
# checkpoint whatever the thread count, a stop at the first non-finite
# loss, gradient or weight that keeps the last finite checkpoint, input that
# ends early, counts past 64 bits, a --log that survives SIGKILL, and one
# clear error line for bad records and checkpoints.
# Records get their grid and random ragged masks from the test helper
# addmask until patchify and mask-gen exist.
. "$ROOT/tests/pipeline/lib.sh"

FM=/usr/share/datasets/fashion-mnist
# the interpreter with torch (Debian's python3-torch), not a pyenv one
TORCH_PYTHON=/usr/bin/python3
# a tiny model of 12x12 RGB images in 3x3 patches of 4 px
TINY="--img-size 12 --in-chans 3 --patch 4 --dim 16 --depth 2 --heads 2 --dec-dim 12 --dec-depth 2 --dec-heads 3"

mkrec -n 24 --img 12x12x3 | addmask --patch 4 --ratio 0.6 --jitter 0.3 --seed 3 >"$T/rgb.rec"
rec-head -n 4 "$T/rgb.rec" >"$T/four.rec"

# parity PRECISION [LOSS_OPTION]: the initial model, one step from it, and
# PyTorch on the same batch
parity() {
	prec=$1
	shift
	ok "mae-train --steps 0 writes the initialised model $*" \
		mae-train $TINY "$@" -b 4 --steps 0 -o "$T/init.st" "$T/four.rec"
	ok "mae-train --precision $prec takes one step from it $*" mae-train --resume "$T/init.st" \
		--precision "$prec" -b 4 --steps 1 --warmup 0 --blr 0.64 --log "$T/step.tsv" \
		-o "$T/step.st" "$T/four.rec"
	# fp32 within 1e-4; bf16 within a bf16 step where a rounding went the
	# other way, most values within 1e-4 (mae_reference.py's FLIP_TOL)
	reference "$prec" "${*:-(pixel targets)}: loss, every gradient and the AdamW step agree" \
		"$([ "$prec" = bf16 ] && echo 124 || echo 123)"
	# bf16 beside torch.autocast too, whose products keep bf16 outputs:
	# loss and gradients within the bound mae_reference.py derives
	[ "$prec" = bf16 ] &&
		reference autocast "bf16 ${*:-(pixel targets)} beside torch.autocast: loss and every gradient within the derived bound" 63
}
# reference MODE WHAT N_CHECKS: mae_reference.py on the step, all N passing
reference() {
	"$TORCH_PYTHON" "$ROOT/tests/pipeline/mae_reference.py" train "$T/four.jsonl" \
		"$T/init.st" "$T/step.st" "$(tail -n 1 "$T/step.tsv" | cut -f 2)" \
		"$(tail -n 1 "$T/step.tsv" | cut -f 3)" "$1" >"$T/parity.out" 2>&1
	is "the PyTorch reference ran ($1)" "$?" 0
	failed=$(grep -c '^FAIL' "$T/parity.out")
	passed=$(grep -c '^PASS' "$T/parity.out")
	# 2 position embeddings, the loss, 60 gradients (and 60 steps; bf16:
	# and the share of gradient values beyond 1e-4)
	is "parity $1 $2" "$passed $failed" "$3 0"
	[ "$failed" -eq 0 ] || grep -v '^PASS' "$T/parity.out" | head -n 20 >&2
}
rec-cat --full "$T/four.rec" >"$T/four.jsonl"
parity fp32
parity fp32 --norm-pix-loss
parity bf16
parity bf16 --norm-pix-loss
# the two precisions differ: bf16 is not fp32 under another name
mae-train --resume "$T/init.st" -b 4 --steps 1 --warmup 0 --blr 0.64 --log "$T/step32.tsv" \
	-o "$T/step32.st" "$T/four.rec"
is "fp32 and bf16 losses differ" \
	"$([ "$(tail -n 1 "$T/step32.tsv" | cut -f 2)" != "$(tail -n 1 "$T/step.tsv" | cut -f 2)" ] && echo 1)" 1
# and the bf16 check tells them apart: an fp32 step fails it
"$TORCH_PYTHON" "$ROOT/tests/pipeline/mae_reference.py" train "$T/four.jsonl" "$T/init.st" \
	"$T/step32.st" "$(tail -n 1 "$T/step32.tsv" | cut -f 2)" \
	"$(tail -n 1 "$T/step32.tsv" | cut -f 3)" bf16 >"$T/parity32.out" 2>&1
is "an fp32 step fails the bf16 parity" "$?" 1
fails "--precision takes fp32 or bf16 only" 2 mae-train --precision fp16 --steps 0 -o "$T/x.st" \
	"$T/four.rec"
says "--precision's error names the option and the value" --precision fp16

# inputs normalised per channel, as the reference's transforms.Normalize
parity fp32 --input-norm imagenet
is "the checkpoint keeps the normalisation, for PyTorch users too" "$("$TORCH_PYTHON" -c '
import json, struct, sys
f = open(sys.argv[1], "rb")
(n,) = struct.unpack("<Q", f.read(8))
m = json.loads(f.read(n))["__metadata__"]
print(m["input_mean"], m["input_std"])' "$T/step.st")" \
	"0.485000014,0.456,0.405999988 0.229000002,0.224000007,0.224999994"
fails "--input-norm of one channel for three" 2 mae-train $TINY --input-norm 0.286:0.353 \
	--steps 0 -o "$T/x.st" "$T/four.rec"
says "its message" "input normalisation has 1 channel, the images 3"
fails "--input-norm: a bad list" 2 mae-train $TINY --input-norm 0.5,0.5,0.5:1,0,1 --steps 0 \
	-o "$T/x.st" "$T/four.rec"
says "its message" --input-norm "positive"
fails "--resume under another normalisation" 1 mae-train $TINY --input-norm none \
	--resume "$T/step.st" -b 4 --steps 2 -o "$T/x.st" "$T/four.rec"
says "its message" "input normalisation 0.485" "expected none"

# the loss falls on real images
img-decode "$FM/t10k-images-idx3-ubyte.gz" | rec-head -n 320 | addmask --patch 7 --jitter 0.1 \
	>"$T/fm.rec"
ok "mae-train trains on Fashion-MNIST" mae-train --img-size 28 --patch 7 --dim 32 --depth 1 \
	--heads 2 --dec-dim 32 --dec-depth 1 --dec-heads 2 -b 32 --steps 10 --blr 0.02 \
	--log "$T/fm.tsv" -o "$T/fm.st" "$T/fm.rec"
first=$(sed -n 2,3p "$T/fm.tsv" | awk '{ s += $2 } END { print s / NR }')
last=$(tail -n 2 "$T/fm.tsv" | awk '{ s += $2 } END { print s / NR }')
is "the loss falls ($first to $last)" "$(awk "BEGIN { print ($last < 0.7 * $first) }")" 1

# resume: 3 steps of a 6-step run, then the rest, equal an uninterrupted run
ok "an uninterrupted run" mae-train $TINY -b 4 --steps 6 --log "$T/full.tsv" -o "$T/full.st" \
	"$T/rgb.rec"
rec-head -n 12 "$T/rgb.rec" >"$T/half.rec"
fails "a run whose input ends after 3 steps" 1 mae-train $TINY -b 4 --steps 6 --save-every 3 \
	--log "$T/res.tsv" -o "$T/res.st" "$T/half.rec"
says "the input ended: the message" half.rec "after 3 of the 6 steps" "res.st holds step 3"
cp "$T/res.st" "$T/res3.st"
ok "the run resumed" mae-train --resume "$T/res.st" -b 4 --steps 6 --log "$T/res.tsv" \
	-o "$T/res.st" "$T/rgb.rec"
is "resume: the same loss curve" "$(cut -f 1-4 "$T/res.tsv")" "$(cut -f 1-4 "$T/full.tsv")"
ok "resume: the same checkpoint" cmp "$T/res.st" "$T/full.st"

ok "two threads" mae-train $TINY -b 4 --steps 6 -j 2 -o "$T/two.st" "$T/rgb.rec"
ok "threads: the same checkpoint" cmp "$T/two.st" "$T/full.st"

# A step whose loss, gradient or update is not finite stops the run; the
# last --save-every stays, every tensor of it finite (counted in Python,
# apart from the loader, which refuses non-finite values).
ST_EDIT="python3 $ROOT/tests/pipeline/st_edit.py"
for how in "--blr 1e35" "--blr 1e10" "--blr 1e5" "--blr 1e10 --clip 1"; do
	rm -f "$T/nan.st"
	fails "$how: a non-finite step stops the run" 1 mae-train $TINY -b 4 --steps 6 $how \
		--save-every 1 -o "$T/nan.st" "$T/rgb.rec"
	says "$how: the message" rgb.rec "at step" "nan.st holds step"
	is "$how: the checkpoint kept is finite" "$($ST_EDIT nonfinite "$T/nan.st")" 0
done
# a learning rate past float's range: a finite loss and gradient, and
# weights that overflow in the update
fails "a step that makes the weights non-finite stops the run" 1 mae-train $TINY -b 4 --steps 6 \
	--warmup 0 --blr 1e300 --save-every 1 -o "$T/inf.st" "$T/rgb.rec"
says "non-finite weights: the message" "became non-finite at step 0" "inf.st not written"
ok "non-finite weights: no checkpoint" test ! -e "$T/inf.st"

# bad input: one line naming the stream, the record and the problem
mkrec -n 4 --img 12x12x3 >"$T/nomask.rec"
fails "records without grid" 1 mae-train $TINY -b 2 --steps 1 -o "$T/x.st" "$T/nomask.rec"
says "no grid: the message" nomask.rec "record 0" grid
# grid {p: 4, gh: 3, gw: 3} without a mask
mkrec -n 4 --img 12x12x3 --field grid=mpk:83a17004a2676803a2677703 >"$T/nomask2.rec"
fails "records without mask" 1 mae-train $TINY -b 2 --steps 1 -o "$T/x.st" "$T/nomask2.rec"
says "no mask: the message" nomask2.rec "record 0" "'mask'"
mkrec -n 4 --img 12x12x3 | addmask --patch 3 >"$T/grid3.rec"
fails "a grid of another patch size" 1 mae-train $TINY -b 2 --steps 1 -o "$T/x.st" "$T/grid3.rec"
says "grid mismatch: the message" grid3.rec "record 0" "4x4 patches of 3 px" "3x3 of 4 px"
mkrec -n 4 --img 12x12x1 | addmask --patch 4 >"$T/gray.rec"
fails "an image of other channels" 1 mae-train $TINY -b 2 --steps 1 -o "$T/x.st" "$T/gray.rec"
says "channels: the message" "12x12x1" "12x12x3"
cp "$T/full.st" "$T/keep.st"
fails "resuming a checkpoint of another config" 1 mae-train $TINY --dim 20 --resume "$T/full.st" \
	-b 4 --steps 6 -o "$T/keep.st" "$T/rgb.rec"
says "another config: the message" full.st "another config" "embed_dim 16, expected 20"
head -c 3000 "$T/full.st" >"$T/cut.st"
fails "resuming a truncated checkpoint" 1 mae-train --resume "$T/cut.st" -b 4 --steps 6 \
	-o "$T/keep.st" "$T/rgb.rec"
says "truncated: the message" cut.st truncated
ok "a failed run leaves the output as it was" cmp "$T/keep.st" "$T/full.st"
fails "resuming with another batch size" 2 mae-train --resume "$T/full.st" -b 2 --steps 6 \
	-o "$T/keep.st" "$T/rgb.rec"
says "another batch: the message" "--batch 4"
fails "no -o" 2 mae-train $TINY --steps 1 "$T/rgb.rec"
fails "no step count" 2 mae-train $TINY -o "$T/x.st" "$T/rgb.rec"
says "no step count: the message" "--steps" rec-repeat
fails "heads that do not divide the width" 2 mae-train $TINY --heads 3 --steps 1 -o "$T/x.st"

# a checkpoint with a non-finite value: one line naming it and the tensor
# from every tool that loads one
$ST_EDIT nan "$T/full.st" "$T/poison.st" mask_token
fails "mae-train --resume refuses a NaN weight" 1 mae-train --resume "$T/poison.st" -b 4 \
	--steps 6 -o "$T/x.st" "$T/rgb.rec"
says "resume NaN: the message" poison.st "'mask_token'" non-finite
fails "mae-embed refuses a NaN weight" 1 mae-embed -o "$T/x.rec" "$T/poison.st" "$T/rgb.rec"
says "mae-embed NaN: the message" poison.st "'mask_token'" non-finite
fails "mae-recon refuses a NaN weight" 1 mae-recon -o "$T/x.rec" "$T/poison.st" "$T/rgb.rec"
says "mae-recon NaN: the message" poison.st "'mask_token'" non-finite
fails "mae-finetune refuses a NaN weight" 1 mae-finetune --train "$T/rgb.rec" "$T/poison.st" \
	"$T/rgb.rec"
says "mae-finetune NaN: the message" poison.st "'mask_token'" non-finite

# input that ends before the steps asked: exit 1, and no checkpoint of a
# cut-short run in place of the run asked for
mkrec -n 8 --img 12x12x3 | addmask --patch 4 --seed 3 >"$T/eight.rec"
fails "input for fewer steps than asked" 1 mae-train $TINY -b 4 --steps 3 -o "$T/short.st" \
	"$T/eight.rec"
says "too few steps: the message" eight.rec "after 2 of the 3 steps" "short.st not written"
ok "too few steps: no checkpoint" test ! -e "$T/short.st"
cp "$T/res3.st" "$T/keep3.st"
fails "a resumed run whose input ends while skipping" 1 mae-train --resume "$T/res3.st" -b 4 \
	--steps 6 -o "$T/res3.st" "$T/eight.rec"
says "ends while skipping: the message" eight.rec "the 3 steps the resumed run has taken"
fails "a resumed run whose input ends after the skip" 1 mae-train --resume "$T/res3.st" -b 4 \
	--steps 6 -o "$T/res3.st" "$T/half.rec"
says "ends after the skip: the message" half.rec "after 3 of the 6 steps" "res3.st not written"
ok "the resumed run's checkpoint is left as it was" cmp "$T/res3.st" "$T/keep3.st"
fails "resuming a run past the steps asked" 1 mae-train --resume "$T/res.st" -b 4 --steps 2 \
	-o "$T/x.st" "$T/rgb.rec"
says "past the steps: the message" res.st "at step 6, past the 2 steps"

# step counts past 64 bits: a saved step of 2^62 with one image per step
# skips to the end of the input and stops there (it looped on past it)
$ST_EDIT meta "$T/res.st" "$T/big.st" optimizer.step 4611686018427387904
$ST_EDIT meta "$T/big.st" "$T/big.st" train.batch 1
fails "a saved step of 2^62 ends with the input" 1 timeout 60 mae-train --resume "$T/big.st" \
	-b 1 --steps 4611686018427387905 -o "$T/x.st" "$T/rgb.rec"
says "step 2^62: the message" rgb.rec "4611686018427387904 steps the resumed run has taken"
$ST_EDIT meta "$T/res.st" "$T/big.st" optimizer.step 99999999999999999999
fails "a saved step past 64 bits" 1 timeout 60 mae-train --resume "$T/big.st" -b 4 --steps 6 \
	-o "$T/x.st" "$T/rgb.rec"
says "step past 64 bits: the message" big.st "optimizer.step"
fails "--steps times --batch past 64 bits" 2 mae-train $TINY -b 4 \
	--steps 4611686018427387904 -o "$T/x.st" "$T/rgb.rec"
# a header of 2^33 epochs of 2^31 records (plain msgpack, with its end
# marker) before the records
python3 -c 'import struct, sys
def s(t): return bytes([0xa0 | len(t)]) + t.encode()
def u(v): return b"\xcf" + struct.pack(">Q", v)
sys.stdout.buffer.write(b"\x84" + s("maskpipe") + b"\x01" + s("provenance") + b"\x90"
    + s("epochs") + u(2 ** 33) + s("epoch_size") + u(2 ** 31)
    + b"\x81" + s("maskpipe_end") + b"\x00")' >"$T/huge.rec"
cat "$T/rgb.rec" >>"$T/huge.rec"
fails "epochs times epoch_size past 64 bits" 1 mae-train $TINY -b 4 -o "$T/x.st" "$T/huge.rec"
says "header overflow: the message" huge.rec epochs "64-bit"

# The --log of a run killed mid-way holds the lines of the steps it took.
# The input (6 batches) does not end while the writer holds the fifo open:
# steps 1 to 5 run, the 6th waits for the batch read ahead of it.
mkfifo "$T/log.fifo"
{ cat "$T/rgb.rec"; exec sleep 60; } >"$T/log.fifo" &
feeder=$!
mae-train $TINY -b 4 --steps 100 --log "$T/kill.tsv" -o "$T/x.st" "$T/log.fifo" 2>/dev/null &
tool=$!
for _ in $(seq 200); do
	[ "$(cat "$T/kill.tsv" 2>/dev/null | wc -l)" -ge 6 ] && break
	sleep 0.05
done
kill -KILL "$tool"
wait "$tool"
kill "$feeder"
is "a killed run's log holds every step taken" "$(cut -f 1 "$T/kill.tsv" | tr '\n' ' ')" \
	"step 1 2 3 4 5 "
