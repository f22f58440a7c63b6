#!/bin/sh
# mae-train: parity with a PyTorch MAE written from the reference
# (mae_reference.py: loss, every gradient and one AdamW step within 1e-4),
# the loss falling on real Fashion-MNIST images, exact resume, the same
# checkpoint whatever the thread count, a NaN stop that keeps the last
# checkpoint, and one clear error line for bad records and checkpoints.
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

# parity LOSS_OPTION: the initial model, one step from it, and PyTorch on
# the same batch
parity() {
	ok "mae-train --steps 0 writes the initialised model $1" \
		mae-train $TINY $1 -b 4 --steps 0 -o "$T/init.st" "$T/four.rec"
	ok "mae-train takes one step from it $1" mae-train --resume "$T/init.st" -b 4 --steps 1 \
		--warmup 0 --blr 0.64 --log "$T/step.tsv" -o "$T/step.st" "$T/four.rec"
	"$TORCH_PYTHON" "$ROOT/tests/pipeline/mae_reference.py" train "$T/four.jsonl" \
		"$T/init.st" "$T/step.st" "$(tail -n 1 "$T/step.tsv" | cut -f 2)" \
		"$(tail -n 1 "$T/step.tsv" | cut -f 3)" >"$T/parity.out" 2>&1
	is "the PyTorch reference ran $1" "$?" 0
	failed=$(grep -c '^FAIL' "$T/parity.out")
	passed=$(grep -c '^PASS' "$T/parity.out")
	# 2 position embeddings, the loss, 60 gradients and 60 steps
	is "parity ${1:-(pixel targets)}: loss, every gradient and the AdamW step agree within 1e-4" \
		"$passed $failed" "123 0"
	[ "$failed" -eq 0 ] || grep -v '^PASS' "$T/parity.out" | head -n 20 >&2
}
rec-cat --full "$T/four.rec" >"$T/four.jsonl"
parity ""
parity --norm-pix-loss

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
ok "a run whose input ends after 3 steps" mae-train $TINY -b 4 --steps 6 --log "$T/res.tsv" \
	-o "$T/res.st" "$T/half.rec"
ok "the run resumed" mae-train --resume "$T/res.st" -b 4 --steps 6 --log "$T/res.tsv" \
	-o "$T/res.st" "$T/rgb.rec"
is "resume: the same loss curve" "$(cut -f 1-4 "$T/res.tsv")" "$(cut -f 1-4 "$T/full.tsv")"
ok "resume: the same checkpoint" cmp "$T/res.st" "$T/full.st"

ok "two threads" mae-train $TINY -b 4 --steps 6 -j 2 -o "$T/two.st" "$T/rgb.rec"
ok "threads: the same checkpoint" cmp "$T/two.st" "$T/full.st"

# a loss that overflows stops the run; the last checkpoint stays
fails "a NaN loss stops the run" 1 mae-train $TINY -b 4 --steps 6 --blr 1e35 --save-every 1 \
	-o "$T/nan.st" "$T/rgb.rec"
says "the NaN message" "loss is" "at step 1" "checkpoint"
ok "the last good checkpoint is kept" mae-train --resume "$T/nan.st" -b 4 --steps 0 \
	-o "$T/nan2.st" "$T/rgb.rec"

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
