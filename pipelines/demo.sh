#!/bin/sh
# The demo: Fashion-MNIST from the Debian package through the record stream.
# Decoded streams are cached in $MASKPIPE_DEMO_DIR (default build/demo) and
# reused on the next run. Tools come from $BIN (default build/bin).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$root/build/bin}
PATH="$BIN:$PATH"
data=/usr/share/datasets/fashion-mnist
out=${MASKPIPE_DEMO_DIR:-$root/build/demo}
mkdir -p "$out"

step() { printf '\n== %s\n' "$*"; }
now() { date +%s%N; }
since() { awk -v t0="$1" -v t1="$(now)" 'BEGIN { printf "%.2f s", (t1 - t0) / 1e9 }'; }

step "1. Decode Fashion-MNIST (60,000 train + 10,000 test images) into record streams"
for split in train t10k; do
	stream="$out/$split.rec"
	if [ -s "$stream" ]; then
		echo "$stream: cached, $(rec-count "$stream") records"
		continue
	fi
	t0=$(now)
	img-decode "$data/$split-images-idx3-ubyte.gz" -o "$stream"
	echo "$stream: $(rec-count "$stream") records in $(since "$t0"), $(wc -c <"$stream") bytes" \
		"(the .gz it came from: $(wc -c <"$data/$split-images-idx3-ubyte.gz"))"
done

step "2. Look at two records as JSON (pixels summarised; rec-cat --full shows them)"
rec-cat --header -n 2 "$out/t10k.rec"

step "3. Images per class in the training set"
rec-cut -k label "$out/train.rec" | rec-cat | sort | uniq -c |
	sed 's/{"label":\([0-9]*\)}/class \1/'

step "4. A contact sheet of 64 random training images: $out/sheet.png"
rec-shuffle --seed 1 "$out/train.rec" | rec-head -n 64 | rec-png --scale 2 --cols 8 --sheet "$out/sheet.png"
echo "written: $out/sheet.png"

step "5. Three shuffled epochs, streamed: each pass in its own seeded order"
t0=$(now)
rec-repeat -n 3 --seed 7 "$out/train.rec" | rec-cut -k id,epoch | rec-cat >"$out/epochs.jsonl"
echo "$(wc -l <"$out/epochs.jsonl") records in $(since "$t0"); the first of each epoch:"
awk 'NR % 60000 == 1' "$out/epochs.jsonl"

step "6. Export 1,000 test images as an ImageFolder tree and read it back"
rm -rf "$out/tree"
img-decode --limit 1000 "$data/t10k-images-idx3-ubyte.gz" | rec-png --by-label -o "$out/tree"
echo "$(find "$out/tree" -name '*.png' | wc -l) PNG files in $(ls "$out/tree" | wc -l) class directories;" \
	"img-decode reads back $(img-decode -q "$out/tree" | rec-count) records"

step "7. Selective Search boxes for the 60,000 training images, computed once: $out/boxes.rec"
if [ -s "$out/boxes.rec" ]; then
	echo "$out/boxes.rec: cached, $(rec-count "$out/boxes.rec") records"
else
	t0=$(now)
	ssearch-boxes --threads 2 "$out/train.rec" | rec-cut -k id,boxes -o "$out/boxes.rec"
	echo "$out/boxes.rec: $(rec-count "$out/boxes.rec") records in $(since "$t0")," \
		"$(wc -c <"$out/boxes.rec") bytes"
fi
rec-cat "$out/boxes.rec" | awk -F'\\],\\[' '{ n += NF } END { printf "%.2f boxes per image\n", n / NR }'
rec-head -n 64 "$out/train.rec" | rec-join "$out/boxes.rec" |
	rec-png --boxes 5 --scale 4 --cols 8 --sheet "$out/boxes.png"
echo "the 5 best boxes of 64 images: $out/boxes.png"

step "Done"
echo "The streams in $out are the input of the next stages (patchify, mask-gen, mae-train)."
