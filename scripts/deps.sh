#!/bin/sh
# Makes sure the Debian packages the build, the tests and the demo need are
# installed: installs the missing ones when run as root (and says so), and
# otherwise stops with the exact apt-get line to run.
set -eu

# header or file that proves each package is present
PKGS="
libpng-dev:/usr/include/png.h
libjpeg-dev:/usr/include/jpeglib.h
zlib1g-dev:/usr/include/zlib.h
libzstd-dev:/usr/include/zstd.h
libmsgpack-dev:/usr/include/msgpack.h
libopenblas-dev:/usr/include/x86_64-linux-gnu/cblas.h
libcjson-dev:/usr/include/cjson/cJSON.h
pkg-config:/usr/bin/pkg-config
g++:/usr/bin/g++
dataset-fashion-mnist:/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz
"
# (g++ compiles the CUDA backend's emulation build, kernels/cuda/cuda_emu.h)
# the test scripts inspect outputs with python3, zstd and groff, and the MAE
# parity test runs the PyTorch reference (python3-torch), which `make
# bench` also times (and GNU time its memory), as it times OpenCV's
# Selective Search on scikit-image's sample photos; the fuzzing toolchain is
# wanted by `make fuzz` only, gnuplot by the experiments in pipelines/
case "${1:-}" in
--test) PKGS="$PKGS python3:/usr/bin/python3 zstd:/usr/bin/zstd groff-base:/usr/bin/groff procps:/usr/bin/pkill python3-torch:/usr/lib/python3/dist-packages/torch/__init__.py" ;;
--bench) PKGS="$PKGS python3-torch:/usr/lib/python3/dist-packages/torch/__init__.py time:/usr/bin/time zstd:/usr/bin/zstd python3-opencv:/usr/lib/python3/dist-packages/cv2.cpython-311-x86_64-linux-gnu.so python3-skimage:/usr/lib/python3/dist-packages/skimage/__init__.py" ;;
--experiments) PKGS="$PKGS gnuplot-nox:/usr/bin/gnuplot" ;;
--fuzz) PKGS="$PKGS clang:/usr/bin/clang libclang-rt-14-dev:/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a" ;;
esac

missing=""
for entry in $PKGS; do
	pkg=${entry%%:*}
	file=${entry#*:}
	[ -e "$file" ] || missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0

line="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "maskpipe: missing Debian packages:$missing" >&2
	echo "maskpipe: run as root:  $line" >&2
	exit 1
fi
echo "maskpipe: installing missing Debian packages:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# a fresh machine has empty package lists; update once before installing
if ! apt-get install -y --no-install-recommends $missing >&2; then
	apt-get update >&2
	apt-get install -y --no-install-recommends $missing >&2
fi
