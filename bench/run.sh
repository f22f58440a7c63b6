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

# the MAE training and embedding figures (issue 5)
"$root/bench/mae.sh" "$build"
