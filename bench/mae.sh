#!/bin/sh
# The MAE figures of issue 5: training and embedding throughput of
# mae-train and mae-embed against PyTorch 1.13 (bench/mae_torch.py, the
# parity-checked reference model) on the same config, batch and threads,
# measured in the same run; the achieved GFLOP/s (matmul FLOPs as the
# reference model counts them) beside the measured GEMM peak; the peak
# memory of training.
# Usage: bench/mae.sh [BUILD_DIR]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
PATH="$root/$build/bin:$root/$build/test:$PATH"
TORCH_PYTHON=/usr/bin/python3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# flops MODE IMG CHANS PATCH DIM DEPTH HEADS DDIM DDEPTH DHEADS: matmul FLOPs
# per image of the reference model: a training step (3 times the forward)
# with 75% hidden, or the encoder on the whole image
flops() {
	awk -v mode="$1" -v img="$2" -v c="$3" -v p="$4" -v d="$5" -v depth="$6" -v e="$8" \
		-v ddepth="$9" 'BEGIN {
		L = (img / p) ^ 2; K = p * p * c
		keep = int(L * 0.25); t = 1 + keep; s = L + 1
		if (mode == "embed") { t = s }
		f = 2 * L * K * d + depth * (24 * t * d * d + 4 * t * t * d)
		if (mode == "train")
			f = 3 * (f + 2 * t * d * e + ddepth * (24 * s * e * e + 4 * s * s * e) + 2 * s * e * K)
		printf "%.0f", f }'
}

# GFLOP/s of one float32 GEMM of 1024^3 on one thread through OpenBLAS
peak=$(OPENBLAS_NUM_THREADS=1 "$TORCH_PYTHON" -c '
import time, numpy as np
a = np.random.rand(1024, 1024).astype(np.float32); b = a.copy(); a @ b
t = time.perf_counter(); [a @ b for _ in range(10)]
print("%.1f" % (10 * 2 * 1024 ** 3 / (time.perf_counter() - t) / 1e9))')
echo "one-thread float32 GEMM peak (OpenBLAS, 1024^3): $peak GFLOP/s"
printf '%-28s %7s %9s %9s %6s %9s\n' "figure" threads "ours/s" "torch/s" ratio "GFLOP/s"

# bench NAME MODE BATCH STEPS IMG CHANS PATCH DIM DEPTH HEADS DDIM DDEPTH DHEADS
bench() {
	name=$1 mode=$2 batch=$3 steps=$4
	shift 4
	img=$1 chans=$2 patch=$3
	model="--img-size $1 --in-chans $2 --patch $3 --dim $4 --depth $5 --heads $6 --dec-dim $7 --dec-depth $8 --dec-heads $9"
	n=$((batch * (steps + 1)))
	mkrec -n "$n" --img "${img}x${img}x${chans}" | addmask --patch "$patch" --seed 1 \
		>"$work/in.rec"
	f=$(flops "$mode" "$@")
	for threads in 1 2; do
		if [ "$mode" = train ]; then
			mae-train $model -b "$batch" --steps $((steps + 1)) -j "$threads" -q \
				--log "$work/log.tsv" -o "$work/m.st" "$work/in.rec"
			# from the end of the first step: startup and reading excluded
			ours=$(awk -v b="$batch" 'NR == 2 { t0 = $5 } END { printf "%.1f", (NR - 2) * b / ($5 - t0) }' "$work/log.tsv")
		else
			mae-train $model -b "$batch" --steps 0 -o "$work/m.st" "$work/in.rec"
			start=$(date +%s%N)
			mae-embed -b "$batch" -j "$threads" -q -o "$work/emb.rec" "$work/m.st" "$work/in.rec"
			end=$(date +%s%N)
			ours=$(awk -v n="$n" -v ns=$((end - start)) 'BEGIN { printf "%.1f", n / (ns / 1e9) }')
		fi
		# torch.set_num_threads leaves Debian torch's OpenBLAS on every core:
		# its thread count is set too, or "1 thread" would use two
		theirs=$(OPENBLAS_NUM_THREADS=$threads OMP_NUM_THREADS=$threads "$TORCH_PYTHON" \
			"$root/bench/mae_torch.py" "$mode" "$@" "$batch" "$steps" "$threads")
		printf '%-28s %7s %9s %9s %6s %9s\n' "$name $mode b$batch" "$threads" "$ours" "$theirs" \
			"$(awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "%.2f", a / b }')" \
			"$(awk -v r="$ours" -v f="$f" 'BEGIN { printf "%.1f", r * f / 1e9 }')"
	done
}

bench fmnist train 64 10 28 1 4 192 6 3 128 2 4
bench tiny64 train 64 4 64 3 8 192 12 3 128 4 4
bench stl96 train 16 3 96 3 6 192 12 12 192 8 16
bench fmnist embed 256 8 28 1 4 192 6 3 128 2 4

# peak memory of training fmnist at batch 256, one step after the first
mkrec -n 768 --img 28x28x1 | addmask --patch 4 --seed 1 >"$work/in.rec"
ours=$(/usr/bin/time -f %M mae-train -c fmnist -b 256 --steps 2 -q -o "$work/m.st" \
	"$work/in.rec" 2>&1 >/dev/null)
theirs=$(OPENBLAS_NUM_THREADS=1 /usr/bin/time -f %M "$TORCH_PYTHON" "$root/bench/mae_torch.py" train 28 1 4 192 6 3 \
	128 2 4 256 1 1 2>&1 >/dev/null)
printf '%-28s %7s %9s %9s %6s\n' "fmnist train b256 peak RSS" 1 "${ours}K" "${theirs}K" \
	"$(awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "%.2f", a / b }')"
