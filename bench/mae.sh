#!/bin/sh
# The MAE figures of issues 5 and 14: training and embedding throughput of
# mae-train and mae-embed, --precision fp32 and bf16, against PyTorch 1.13
# (bench/mae_torch.py, the parity-checked reference model) in float32 and
# under torch.autocast's bf16, on the same config, batch and threads,
# measured in the same run; the achieved GFLOP/s (matmul FLOPs as the
# reference model counts them) beside the measured float32 and bf16 GEMM
# peaks; our training again with OPENBLAS_CORETYPE=Haswell; the peak memory
# of training.
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

# GFLOP/s of one GEMM of 1024^3 on one thread: float32 through OpenBLAS
# (numpy), bfloat16 through torch (oneDNN where the CPU has bf16
# instructions, its own fallback where not)
peak=$(OPENBLAS_NUM_THREADS=1 "$TORCH_PYTHON" -c '
import time, numpy as np
a = np.random.rand(1024, 1024).astype(np.float32); b = a.copy(); a @ b
t = time.perf_counter(); [a @ b for _ in range(10)]
print("%.1f" % (10 * 2 * 1024 ** 3 / (time.perf_counter() - t) / 1e9))')
peak_bf16=$(OMP_NUM_THREADS=1 "$TORCH_PYTHON" -c '
import time, torch
torch.set_num_threads(1)
a = torch.rand(1024, 1024).bfloat16(); b = a.clone(); a @ b
t = time.perf_counter(); [a @ b for _ in range(3)]
print("%.1f" % (3 * 2 * 1024 ** 3 / (time.perf_counter() - t) / 1e9))')
flags=$(grep -o -w -E 'avx512f|avx512_bf16|amx_bf16' /proc/cpuinfo | sort -u | tr '\n' ' ')
echo "$(grep -m 1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); bf16 flags: ${flags:-none}"
echo "OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-(unset)}"
echo "one-thread GEMM peaks, 1024^3: float32 (OpenBLAS) $peak GFLOP/s, bf16 (torch) $peak_bf16 GFLOP/s"
echo "images/s; ratios ours/torch in the same precision; GFLOP/s achieved by ours"
printf '%-20s %3s %9s %9s %9s %9s %7s %7s %8s %8s\n' "figure" "j" "fp32" "bf16" "torch32" \
	"torchbf" "r32" "rbf16" "GF/s32" "GF/s16"

# ours MODE MODEL BATCH STEPS THREADS PRECISION: our images per second
ours() {
	if [ "$1" = train ]; then
		mae-train $2 -b "$3" --steps $(($4 + 1)) -j "$5" --precision "$6" -q \
			--log "$work/log.tsv" -o "$work/m.st" "$work/in.rec"
		# from the end of the first step: startup and reading excluded
		awk -v b="$3" 'NR == 2 { t0 = $5 } END { printf "%.1f", (NR - 2) * b / ($5 - t0) }' \
			"$work/log.tsv"
	else
		mae-train $2 -b "$3" --steps 0 -o "$work/m.st" "$work/in.rec"
		start=$(date +%s%N)
		mae-embed -b "$3" -j "$5" --precision "$6" -q -o "$work/emb.rec" "$work/m.st" \
			"$work/in.rec"
		end=$(date +%s%N)
		awk -v n="$(($3 * ($4 + 1)))" -v ns=$((end - start)) 'BEGIN { printf "%.1f", n / (ns / 1e9) }'
	fi
}

# theirs MODE BATCH STEPS THREADS fp32|autocast MODEL-NUMBERS...
theirs() {
	mode=$1 batch=$2 steps=$3 threads=$4 prec=$5
	shift 5
	# torch.set_num_threads leaves Debian torch's OpenBLAS on every core:
	# its thread count is set too, or "1 thread" would use two
	OPENBLAS_NUM_THREADS=$threads OMP_NUM_THREADS=$threads "$TORCH_PYTHON" \
		"$root/bench/mae_torch.py" "$mode" "$@" "$batch" "$steps" "$threads" "$prec"
}

div() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

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
		o32=$(ours "$mode" "$model" "$batch" "$steps" "$threads" fp32)
		o16=$(ours "$mode" "$model" "$batch" "$steps" "$threads" bf16)
		t32=$(theirs "$mode" "$batch" "$steps" "$threads" fp32 "$@")
		t16=$(theirs "$mode" "$batch" "$steps" "$threads" autocast "$@")
		printf '%-20s %3s %9s %9s %9s %9s %7s %7s %8s %8s\n' "$name $mode b$batch" "$threads" \
			"$o32" "$o16" "$t32" "$t16" "$(div "$o32" "$t32")" "$(div "$o16" "$t16")" \
			"$(awk -v r="$o32" -v f="$f" 'BEGIN { printf "%.1f", r * f / 1e9 }')" \
			"$(awk -v r="$o16" -v f="$f" 'BEGIN { printf "%.1f", r * f / 1e9 }')"
		if [ "$mode" = train ] && [ "$threads" = 1 ]; then
			h32=$(OPENBLAS_CORETYPE=Haswell ours train "$model" "$batch" "$steps" 1 fp32)
			h16=$(OPENBLAS_CORETYPE=Haswell ours train "$model" "$batch" "$steps" 1 bf16)
			echo "  with OPENBLAS_CORETYPE=Haswell: fp32 $h32 ($(div "$h32" "$o32") of the above)," \
				"bf16 $h16 ($(div "$h16" "$o16"))"
		fi
	done
}

bench fmnist train 64 10 28 1 4 192 6 3 128 2 4
bench tiny64 train 64 4 64 3 8 192 12 3 128 4 4
bench stl96 train 16 3 96 3 6 192 12 12 192 8 16
bench fmnist embed 256 8 28 1 4 192 6 3 128 2 4
bench tiny64 embed 64 4 64 3 8 192 12 3 128 4 4

# peak memory of training fmnist at batch 256, one step after the first
mkrec -n 768 --img 28x28x1 | addmask --patch 4 --seed 1 >"$work/in.rec"
ours=$(/usr/bin/time -f %M mae-train -c fmnist -b 256 --steps 2 -q -o "$work/m.st" \
	"$work/in.rec" 2>&1 >/dev/null)
ours16=$(/usr/bin/time -f %M mae-train -c fmnist -b 256 --steps 2 --precision bf16 -q \
	-o "$work/m.st" "$work/in.rec" 2>&1 >/dev/null)
theirs=$(OPENBLAS_NUM_THREADS=1 /usr/bin/time -f %M "$TORCH_PYTHON" "$root/bench/mae_torch.py" train 28 1 4 192 6 3 \
	128 2 4 256 1 1 2>&1 >/dev/null)
echo "fmnist train b256, 1 thread, peak RSS: fp32 ${ours}K, bf16 ${ours16}K ($(div "$ours16" "$ours")" \
	"of fp32), torch fp32 ${theirs}K (ours fp32 $(div "$ours" "$theirs") of it)"
