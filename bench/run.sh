#!/bin/sh
# The figures the issues name, measured here, each beside a reference
# command timed in the same run (shared machines are noisy: read the ratios).
# Usage: bench/run.sh [BUILD_DIR]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
PATH="$root/$build/bin:$PATH"
data=/usr/share/datasets/fashion-mnist
train=$data/train-images-idx3-ubyte.gz
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# secs CMD...: wall time of the fastest of 3 runs, in seconds
secs() {
	best=""
	for _ in 1 2 3; do
		start=$(date +%s%N)
		"$@" >/dev/null
		end=$(date +%s%N)
		t=$(( (end - start) / 1000 ))
		[ -z "$best" ] || [ "$t" -lt "$best" ] && best=$t
	done
	awk -v us="$best" 'BEGIN { printf "%.3f", us / 1e6 }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
row() { printf '%-58s %10s %10s %8s\n' "$@"; }

decode_to_file() { img-decode -q "$train" -o "$work/train.rec"; }
first_record() { img-decode -q "$train" | rec-head -n 1; }
tree_to_json() { img-decode -q "$work/tree" | rec-cut -k id,label | rec-cat; }
read_tree() { find "$work/tree" -name '*.png' -exec cat {} +; }

echo "maskpipe bench, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores"
row "figure" "seconds" "reference" "ratio"
t_ref=$(secs gzip -dc "$train")
t_dec=$(secs decode_to_file)
row "img-decode 60,000 Fashion-MNIST -> file (ref: gzip -dc)" "$t_dec" "$t_ref" "$(ratio "$t_dec" "$t_ref")"
t_zref=$(secs zstd -dc "$work/train.rec")
t_cnt=$(secs rec-count "$work/train.rec")
row "rec-count of that file (ref: zstd -dc)" "$t_cnt" "$t_zref" "$(ratio "$t_cnt" "$t_zref")"
t_head=$(secs first_record)
row "img-decode ... | rec-head -n 1 (ref: the whole decode)" "$t_head" "$t_dec" "$(ratio "$t_head" "$t_dec")"
size_rec=$(wc -c <"$work/train.rec")
size_gz=$(wc -c <"$train")
row "stream bytes (ref: the .gz IDX file)" "$size_rec" "$size_gz" "$(ratio "$size_rec" "$size_gz")"

img-decode -q --limit 1000 "$data/t10k-images-idx3-ubyte.gz" | rec-png --by-label -o "$work/tree"
n_json=$(tree_to_json | wc -l)
t_tree=$(secs tree_to_json)
t_tree_ref=$(secs read_tree)
row "1,000-PNG tree | rec-cut | rec-cat ($n_json lines) (ref: find|cat)" "$t_tree" "$t_tree_ref" "$(ratio "$t_tree" "$t_tree_ref")"

# patchify | mask-gen on the 60,000 training records, each stage timed on
# its own as a filter over a file, beside rec-cut over the same file (the
# same reading and writing, no work). Their inputs and outputs are plain
# msgpack (MASKPIPE_PLAIN=1): zstd at the default level 10 alone costs
# ~0.9 s per 60,000 images and would hide the stages. patchify reads the
# compressed decoded file. A stage at 200,000 records/s takes 0.300 s.
MASKPIPE_PLAIN=1
export MASKPIPE_PLAIN
rate() { awk -v s="$1" 'BEGIN { printf "%.0fk rec/s", 60 / s }'; }
# the real boxes, for objbox and semantic
ssearch-boxes -q --threads 2 "$work/train.rec" | rec-cut -k id,boxes >"$work/boxes.rec"
rec-join "$work/boxes.rec" "$work/train.rec" | MASKPIPE_PLAIN=0 rec-cut -d label >"$work/train-boxes.rec"
t_cut=$(secs rec-cut -d label "$work/train-boxes.rec")
t_patch=$(secs patchify -p 4 "$work/train-boxes.rec")
row "patchify -p 4, $(rate "$t_patch") (ref: rec-cut)" "$t_patch" "$t_cut" "$(ratio "$t_patch" "$t_cut")"
t_rrc=$(secs patchify -p 4 --crop rrc --size 28 --flip "$work/train-boxes.rec")
row "patchify -p 4 --crop rrc --flip, $(rate "$t_rrc") (ref: rec-cut)" "$t_rrc" "$t_cut" "$(ratio "$t_rrc" "$t_cut")"
patchify -p 4 --crop rrc --size 28 --flip "$work/train-boxes.rec" >"$work/patches.rec"
t_cut=$(secs rec-cut -d label "$work/patches.rec")
for s in random block grid symmetric objbox semantic noise:white noise:red noise:green \
	noise:blue noise:purple; do
	t_mask=$(secs mask-gen -S "$s" "$work/patches.rec")
	row "mask-gen -S $s, $(rate "$t_mask") (ref: rec-cut)" "$t_mask" "$t_cut" "$(ratio "$t_mask" "$t_cut")"
done

# the Selective Search figures against OpenCV, with compressed streams again
echo
MASKPIPE_PLAIN=0 "$root/bench/ssearch.sh" "$build"

# the MAE training and embedding figures (issue 5)
"$root/bench/mae.sh" "$build"

# the linear probe figure (issue 6)
echo
"$root/bench/linprobe.sh" "$build"
