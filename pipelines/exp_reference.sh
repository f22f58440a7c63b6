#!/bin/sh
# Issue 15's reproduction of the PyTorch reference at its recipe: the
# fmnist model on all 60,000 Fashion-MNIST training images, 9 epochs, batch
# 256, blr 1.5e-4, 1 warm-up epoch, 75% random masking, inputs normalised
# with the training images' own mean and std, no augmentation; the linear
# probe of the cls token and of the mean of the patch tokens on the test
# set, beside the untrained encoder and raw pixels. With --torch, the same
# recipe run by PyTorch fp32 (pipelines/reference_torch.py) from the same
# initial weights, in the same run, judged by the same tools, and both
# runs' CPU seconds (torch.set_num_threads leaves Debian torch's OpenBLAS
# on every core: its thread count is set too). The reference's figure
# (issue 15): 84.79% (cls).
# --precision bf16 trains with bf16 matrix products (mae-train(1)); the
# embeddings stay float32.
# Usage: pipelines/exp_reference.sh [--dir DIR] [--train N] [--epochs E]
#        [--threads N] [--seed S] [--precision fp32|bf16] [--torch]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$root/build/bin}
PATH="$BIN:$PATH"
. "$root/pipelines/stage.sh"
data=/usr/share/datasets/fashion-mnist
out=$root/build/exp n_train=60000 epochs=9 threads=2 seed=0 torch=no precision=fp32
bad() { echo "exp_reference.sh: $* (see its first lines)" >&2; exit 2; }
while [ $# -gt 0 ]; do
	case $1 in
	--dir | --train | --epochs | --threads | --seed)
		[ $# -ge 2 ] || bad "$1 needs a value"
		[ "$1" = --dir ] || case $2 in '' | *[!0-9]*) bad "$1 takes a whole number, not '$2'" ;; esac
		case $1 in
		--dir) out=$2 ;; --train) n_train=$2 ;; --epochs) epochs=$2 ;;
		--threads) threads=$2 ;; --seed) seed=$2 ;;
		esac
		shift 2 ;;
	--precision)
		[ $# -ge 2 ] || bad "$1 needs a value"
		case $2 in fp32 | bf16) precision=$2 ;; *) bad "--precision: fp32 or bf16, not '$2'" ;; esac
		shift 2 ;;
	--torch) torch=yes; shift ;;
	-h | --help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) bad "unknown argument '$1'" ;;
	esac
done
[ "$epochs" -ge 2 ] || bad "--epochs: at least 2 (one warms up)"
export MASKPIPE_ZSTD_LEVEL=1
stage_init "$out/cache"
stage decode "the first $n_train training images" "img-decode -q --limit $n_train \
	$data/train-images-idx3-ubyte.gz -o \$out/images.rec"
train=$it/images.rec
stage decode "the test images" "img-decode -q $data/t10k-images-idx3-ubyte.gz -o \$out/images.rec"
test=$it/images.rec
norm=$(rec-stats -q -n "$stage_dir/$train")
batch=256
warmup=$((n_train / batch))
stage init "the initialised model, seed $seed, inputs normalised by $norm" "rec-head -n 1 $train |
	patchify -p 4 | mae-train --config fmnist --input-norm $norm -s $seed -b $batch --steps 0 -q \
	-o \$out/model.safetensors"
init=$it/model.safetensors
runs=$out/reference-n$n_train-e$epochs-s$seed-$precision
mkdir -p "$runs"
stage pretrain "maskpipe, $precision: $epochs epochs, batch $batch, blr 1.5e-4, warm-up $warmup steps" \
	"/usr/bin/time -f '%U %S' -o \$out/cpu.t sh -euc 'rec-repeat -n $epochs --seed $seed $train |
	patchify -p 4 | mask-gen --strategy=random --ratio=0.75 --seed $seed |
	mae-train --resume $init -b $batch --blr 1.5e-4 --warmup $warmup --precision $precision \
		-j \$threads -q \
		--log \$out/train.log -o \$out/model.safetensors'"
ours=$it
models="init:$init ours:$ours/model.safetensors"
if [ "$torch" = yes ]; then
	stage torch "PyTorch fp32: the same recipe from the same weights" \
		"OPENBLAS_NUM_THREADS=\$threads OMP_NUM_THREADS=\$threads \
		/usr/bin/time -f '%U %S' -o \$out/cpu.t /usr/bin/python3 -I -B \
		$root/pipelines/reference_torch.py $init \$out/model.safetensors \
		$data/train-images-idx3-ubyte.gz $n_train $epochs $batch 1.5e-4 1 $seed \$threads \
		>\$out/train.txt"
	models="$models torch:$it/model.safetensors"
	theirs=$it
fi
printf '| encoder | probe, cls (%%) | probe, mean (%%) |\n|---|---|---|\n' >"$runs/results.md"
for m in $models; do
	name=${m%%:*} model=${m#*:}
	row="| $name"
	for pool in cls mean; do
		for split in train test; do
			src=$train
			[ $split = train ] || src=$test
			stage embed "$name encoder, $pool, the $split images" "mae-embed -q -j \$threads \
				-b 256 --pool $pool $model $src -o \$out/emb.rec"
			eval "emb_$split=\$it/emb.rec"
		done
		stage probe "$name encoder, $pool: linear probe" "linprobe -q -j \$threads \
			-t $emb_train $emb_test -o \$out/probe.json"
		row="$row | $(sed -n 's/.*"top1":\([0-9.]*\).*/\1/p' "$at/probe.json" |
			awk '{ printf "%.2f", 100 * $1 }')"
	done
	echo "$row |" >>"$runs/results.md"
done
stage probe "raw pixels: linear probe" "linprobe -q -j \$threads --pixels -t $train $test \
	-o \$out/probe.json"
echo "| raw pixels | $(sed -n 's/.*"top1":\([0-9.]*\).*/\1/p' "$at/probe.json" |
	awk '{ printf "%.2f", 100 * $1 }') | |" >>"$runs/results.md"
{
	echo
	echo "maskpipe: $(tail -n 1 "$stage_dir/$ours/train.log" | cut -f 2) final loss," \
		"$(tail -n 1 "$stage_dir/$ours/train.log" | cut -f 5) s wall" \
		"(user+sys: $(awk '{ print $1 + $2 }' "$stage_dir/$ours/cpu.t") s)"
	[ "$torch" = no ] || echo "PyTorch fp32: $(tail -n 2 "$stage_dir/$theirs/train.txt" | tr '\n' ' ')" \
		"(user+sys: $(awk '{ print $1 + $2 }' "$stage_dir/$theirs/cpu.t") s)"
} >>"$runs/results.md"
cat "$runs/results.md"
