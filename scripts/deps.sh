#!/bin/sh
# Makes sure the Debian packages the build, the tests and the demo need are
# installed: installs the missing ones when run as root (and says so), and
# otherwise stops with the exact apt-get line to run.
#
# A package counts as present when dpkg says it is installed, never because
# some file exists: /usr/include/x86_64-linux-gnu/cblas.h, say, is an
# alternatives link that the reference BLAS (libblas-dev) provides as well as
# OpenBLAS, and the build needs OpenBLAS itself.
set -eu

PKGS="libpng-dev libjpeg-dev zlib1g-dev libzstd-dev libmsgpack-dev libopenblas-dev
libdnnl-dev libcjson-dev pkg-config g++ dataset-fashion-mnist"
# (oneDNN runs the bf16 GEMMs on CPUs with bf16 instructions: AVX512_BF16, AMX)
# (g++ compiles the CUDA backend's emulation build, lib/kernels/cuda/cuda_emu.h)
# the test scripts inspect outputs with python3, zstd and groff, and the MAE
# parity test runs the PyTorch reference (python3-torch), which `make
# bench` also times (and GNU time its memory), as it times OpenCV's
# Selective Search on scikit-image's sample photos; the fuzzing toolchain is
# wanted by `make fuzz` only, gnuplot by the experiments in pipelines/
case "${1:-}" in
--test) PKGS="$PKGS python3 zstd groff-base procps python3-torch gnuplot-nox" ;;
--bench) PKGS="$PKGS python3-torch time zstd python3-opencv python3-skimage" ;;
--experiments) PKGS="$PKGS gnuplot-nox" ;;
--fuzz) PKGS="$PKGS clang libclang-rt-14-dev" ;;
"") ;;
*)
	echo "usage: scripts/deps.sh [--test|--bench|--experiments|--fuzz]" >&2
	exit 2
	;;
esac

# installed PKG: dpkg's status of PKG is "install ok installed" (a package
# that was removed but not purged says "deinstall ok config-files")
installed() {
	[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

missing=""
for pkg in $PKGS; do
	installed "$pkg" || missing="$missing $pkg"
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
