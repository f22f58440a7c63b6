#!/bin/sh
# Every masking strategy on Fashion-MNIST, side by side: the 60,000
# training images over 4 epochs (RandomResizedCrop and flips as MAE
# pretrains), masked by each strategy at ratio 0.75, then mask-stats'
# figures (mean ratio, least and most hidden position, entropy of the
# per-position frequencies, diversity across epochs), its heat maps
# (white = always hidden) and a mask-viz sheet of 8 images per strategy.
# objbox and semantic need the boxes and segments of ssearch-boxes: they
# are skipped, with a message, when $BIN has no ssearch-boxes.
# Output in $MASKPIPE_MASKS_DIR (default build/masks); tools from $BIN.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$root/build/bin}
PATH="$BIN:$PATH"
data=/usr/share/datasets/fashion-mnist
out=${MASKPIPE_MASKS_DIR:-$root/build/masks}
epochs=${MASKPIPE_MASKS_EPOCHS:-4}
mkdir -p "$out/heat"
# the streams here are scratch: fast compression
MASKPIPE_ZSTD_LEVEL=${MASKPIPE_ZSTD_LEVEL:-1}
export MASKPIPE_ZSTD_LEVEL

step() { printf '\n== %s\n' "$*"; }

step "1. Fashion-MNIST train, $epochs epochs, patchified to 7x7 patches of 4 px"
boxes=""
if [ -x "$BIN/ssearch-boxes" ]; then
	boxes=yes
	echo "ssearch-boxes found: objbox and semantic are included"
else
	echo "no ssearch-boxes in $BIN: objbox and semantic are skipped (they need boxes)"
fi
img-decode -q "$data/train-images-idx3-ubyte.gz" |
	if [ -n "$boxes" ]; then ssearch-boxes -q --threads 2 --emit-segments; else cat; fi |
	rec-repeat -n "$epochs" --seed 1 |
	patchify -p 4 --crop rrc --size 28 --flip --seed 1 -o "$out/patches.rec"
echo "$out/patches.rec: $(rec-count "$out/patches.rec") records"

strategies="random block grid symmetric noise:white noise:red noise:green noise:blue noise:purple"
[ -z "$boxes" ] || strategies="$strategies objbox semantic"

step "2. Masks of every strategy, ratio 0.75 (grid 0.75 and symmetric 0.5 by construction)"
streams=""
for s in $strategies; do
	name=$(echo "$s" | tr ':' '_')
	case $s in grid|symmetric) ratio="" ;; *) ratio="--ratio 0.75" ;; esac
	# shellcheck disable=SC2086 # $ratio is empty or two words
	mask-gen --strategy "$s" $ratio --seed 1 "$out/patches.rec" >"$out/$name.rec"
	rec-head -n 8 "$out/$name.rec" | mask-viz -s 4 -o "$out/viz-$name.png"
	streams="$streams $out/$name.rec"
done

step "3. mask-stats (heat maps in $out/heat, sheets in $out/viz-*.png)"
# shellcheck disable=SC2086 # one file per strategy
mask-stats -d "$out/heat" $streams | tee "$out/stats.txt"
rm -f $streams
