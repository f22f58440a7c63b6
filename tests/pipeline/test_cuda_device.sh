#!/bin/sh
# --device on mae-train, mae-embed and mae-recon: cuda without a usable GPU
# fails with one clear line, auto falls back to the CPU (the same
# checkpoint as --device=cpu), a bad name is a usage error; and the nvcc
# build's fat binary holds SASS for every architecture the Makefile names
# plus PTX. The kernels themselves are checked by unit/test_cuda_parity.
. "$ROOT/tests/pipeline/lib.sh"

TINY="--img-size 8 --in-chans 1 --patch 4 --dim 8 --depth 1 --heads 2 --dec-dim 8 --dec-depth 1 --dec-heads 2"
mkrec -n 4 --img 8x8x1 | addmask --patch 4 --ratio 0.5 --seed 1 >"$T/four.rec"

ok "mae-train --device=cpu" mae-train $TINY -b 2 --steps 2 --device=cpu -o "$T/cpu.st" "$T/four.rec"
run mae-train $TINY -b 2 --steps 2 --device=cuda -o "$T/cuda.st" "$T/four.rec"
if [ "$rc" -eq 0 ]; then
	echo "PASS mae-train --device=cuda trains (a GPU is here)"
else
	fails "mae-train --device=cuda without a GPU: exit 1, one line" 1 \
		mae-train $TINY -b 2 --steps 2 --device=cuda -o "$T/cuda.st" "$T/four.rec"
	says "  naming the device and the reason" "mae-train: --device=cuda: no CUDA device"
	ok "mae-train --device=auto falls back to the CPU" \
		mae-train $TINY -b 2 --steps 2 --device=auto -o "$T/auto.st" "$T/four.rec"
	ok "  with the CPU's checkpoint, byte for byte" cmp "$T/cpu.st" "$T/auto.st"
	for tool in mae-embed mae-recon; do
		fails "$tool --device=cuda without a GPU: exit 1, one line" 1 \
			$tool --device=cuda "$T/cpu.st" "$T/four.rec"
		says "  naming the device" "$tool: --device=cuda: no CUDA device"
		ok "$tool --device=auto runs on the CPU" $tool --device=auto -o "$T/$tool.rec" \
			"$T/cpu.st" "$T/four.rec"
	done
fi
fails "mae-train --device=gpu: usage error" 2 mae-train --device=gpu -o "$T/x.st" "$T/four.rec"
says "  naming the choices" "cpu, cuda or auto"

# the nvcc object is shared by every build (Makefile: CUDA_OBJ)
obj="$ROOT/build/cuda/cuda_backend.o"
if [ -f "$obj" ]; then
	"$ROOT/scripts/fatbin-list" "$obj" >"$T/images" 2>"$T/.stderr"
	is "the fat binary: SASS for sm_80, 86, 89, 90 and PTX" "$(sort "$T/images" | tr '\n' ' ')" \
		"ELF sm_80 ELF sm_86 ELF sm_89 ELF sm_90 PTX sm_90 "
else
	echo "PASS no CUDA object: this machine has no nvcc (nothing to inspect)"
fi
