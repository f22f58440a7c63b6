#!/bin/sh
# ssearch-boxes against OpenCV 4.x Selective Search (Debian python3-opencv,
# /usr/bin/python3): speed on the same images in its single, fast and quality
# settings, every command on one processor; agreement of the boxes;
# throughput. Each figure beside a reference timed in the same run (shared
# machines are noisy: read the ratios).
# Usage: bench/ssearch.sh [BUILD_DIR]
# With SSEARCH_BENCH_COUNTS=FILE, FILE gets the boxes per image of every
# method of the agreement part.
# shellcheck disable=SC2086,SC2046 # option lists and "single MS fast MS quality MS" split on purpose
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
case $build in /*) ;; *) build=$root/$build ;; esac
py=/usr/bin/python3
compare=$root/bench/ssearch_compare.py
train=/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz
n_speed=300
work=$(mktemp -d "${TMPDIR:-/tmp}/ssearch-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
# the tools copied, so that a rebuild during the run cannot mix two versions
mkdir "$work/bin"
for tool in img-decode ssearch-boxes rec-cat rec-count; do
	cp "$build/bin/$tool" "$work/bin/"
done
PATH="$work/bin:$PATH"

# OpenCV's switchToSingleStrategy(100, 0.8) (ssearch_compare.py's) and
# switchToSelectiveSearchFast/Quality as ssearch-boxes options
cv_single="--color-spaces=hsv --ks=100 --sims=ctsf --sigma=0.8 --min-size=100 --connectivity=4"
cv_fast="--color-spaces=hsv,lab --ks=150,300,450 --sims=ctsf,tsf --min-size=100 --connectivity=4"
cv_quality="--color-spaces=hsv,lab,i,h,rgi --ks=150,300,450,600,750 --sims=ctsf,tsf,f,s --min-size=100 --connectivity=4"

# secs N CMD...: wall time of the fastest of N runs, in seconds
secs() {
	runs=$1
	shift
	best=""
	i=0
	while [ "$i" -lt "$runs" ]; do
		start=$(date +%s%N)
		"$@" >/dev/null
		end=$(date +%s%N)
		t=$(( (end - start) / 1000 ))
		[ -z "$best" ] || [ "$t" -lt "$best" ] && best=$t
		i=$((i + 1))
	done
	awk -v us="$best" 'BEGIN { printf "%.3f", us / 1e6 }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
per_image_ms() { awk -v s="$1" -v n="$2" 'BEGIN { printf "%.3f", s * 1000 / n }'; }
per_sec() { awk -v s="$1" -v n="$2" 'BEGIN { printf "%.0f", n / s }'; }
row() { printf '%-66s %10s %10s %11s\n' "$@"; }

# The speed part runs every command on one processor, the last this shell
# may use: img-decode and ssearch-boxes share it as OpenCV's one thread has
# it alone; $pin is empty for the throughput part, which takes two.
cpu=$($py -c 'import os; print(max(os.sched_getaffinity(0)))')
pin="taskset -c $cpu"

# ss DIR OPTIONS...: our tool over every PNG of DIR, the output dropped
ss() {
	dir=$1
	shift
	$pin img-decode -q "$dir" | $pin ssearch-boxes -q "$@" >/dev/null
}
decode_only() { $pin img-decode -q "$1" | $pin rec-count; }
# boxes DIR NAME OPTIONS...: our boxes of DIR's PNGs as JSON lines, DIR/NAME.jsonl
boxes() {
	dir=$1 name=$2
	shift 2
	img-decode -q "$dir" | ssearch-boxes -q "$@" | rec-cat >"$work/$name.tmp"
	mv "$work/$name.tmp" "$dir/$name.jsonl"
}

cv_version=$($py -c 'import cv2; print(cv2.__version__)')
rev=$(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown)
echo "maskpipe ssearch bench, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores (load $(cut -d" " -f1 /proc/loadavg)), tree $rev, OpenCV $cv_version"
$py "$compare" prep "$work" 1 "$n_speed"
speed=$work/speed
n=$(find "$speed" -name '*.png' | wc -l)

echo
echo "## Speed: $n 64x64 colour images (skimage photos + seeded crops), all on cpu $cpu"
echo "## ours: img-decode DIR | ssearch-boxes -j1, whole processes (start-up, PNG"
echo "## decoding, the output stream), best of 3; OpenCV: setBaseImage + switch +"
echo "## process in Python (images in memory), best of 2, and for single also the"
echo "## whole python3 process (start-up, import cv2, imread), best of 3"
row "figure (ms/image)" "ours" "OpenCV" "OpenCV/ours"
set -- $($pin $py "$compare" time "$speed" 2)
cv_single_ms=$2 cv_fast_ms=$4 cv_quality_ms=$6
t=$(secs 3 ss "$speed" --threads 1 $cv_single)
ours_single_ms=$(per_image_ms "$t" "$n")
row "OpenCV single settings (ref: switchToSingleStrategy(100, 0.8))" "$ours_single_ms" "$cv_single_ms" "$(ratio "$cv_single_ms" "$ours_single_ms")"
t=$(secs 3 $pin $py "$compare" single "$speed")
cv_whole_ms=$(per_image_ms "$t" "$n")
row "the same, whole processes (ref: python3 $(basename "$compare") single)" "$ours_single_ms" "$cv_whole_ms" "$(ratio "$cv_whole_ms" "$ours_single_ms")"
t=$(secs 3 ss "$speed" --threads 1 $cv_fast)
ours_fast_ms=$(per_image_ms "$t" "$n")
row "OpenCV fast settings (ref: switchToSelectiveSearchFast)" "$ours_fast_ms" "$cv_fast_ms" "$(ratio "$cv_fast_ms" "$ours_fast_ms")"
t=$(secs 3 ss "$speed" --threads 1 $cv_quality)
ours_quality_ms=$(per_image_ms "$t" "$n")
row "OpenCV quality settings (ref: switchToSelectiveSearchQuality)" "$ours_quality_ms" "$cv_quality_ms" "$(ratio "$cv_quality_ms" "$ours_quality_ms")"
t=$(secs 3 decode_only "$speed")
dec_ms=$(per_image_ms "$t" "$n")
row "img-decode DIR | rec-count, no tool (ref: ours, OpenCV single settings)" "$dec_ms" "$ours_single_ms" "$(ratio "$ours_single_ms" "$dec_ms")"

echo
echo "## Agreement: whole photos, longer side 64, 96, 160 px; all boxes; share of"
echo "## A's boxes with a box of B at IoU >= 0.5, and the reverse; boxes per image"
echo "## ours-cvsingle/-cvfast/-cvquality: ours with OpenCV's settings; ours-fast/-quality: --mode"
row "A by B | B by A" "A by B" "B by A" "boxes A/B"
for dir in "$work"/agree*; do
	boxes "$dir" ours-cvsingle $cv_single
	boxes "$dir" ours-cvfast $cv_fast
	boxes "$dir" ours-cvquality $cv_quality
	boxes "$dir" ours-fast --mode=fast
	boxes "$dir" ours-quality --mode=quality
done
tab=$(printf '\t')
$py "$compare" agree "$work" ours-cvsingle ours-cvfast ours-cvquality ours-fast ours-quality |
	while IFS=$tab read -r what ab ba counts; do
		row "$what" "$ab" "$ba" "$counts"
	done
if [ -n "${SSEARCH_BENCH_COUNTS:-}" ]; then
	cp "$work/counts.txt" "$SSEARCH_BENCH_COUNTS"
fi

echo
echo "## Throughput: ssearch-boxes --mode=single, best of 2, on any processors"
pin=""
row "figure" "value" "reference" "ratio"
t_dec=$(secs 2 decode_only "$train")
t_j1=$(secs 2 ss "$train" --mode=single --threads 1)
t_j2=$(secs 2 ss "$train" --mode=single --threads 2)
row "60,000 Fashion-MNIST, images/s, -j2 (ref: -j1)" "$(per_sec "$t_j2" 60000)" "$(per_sec "$t_j1" 60000)" "$(ratio "$t_j1" "$t_j2")"
row "img-decode ... | rec-count, images/s (ref: ours -j2)" "$(per_sec "$t_dec" 60000)" "$(per_sec "$t_j2" 60000)" "$(ratio "$t_j2" "$t_dec")"
s_j1=$(secs 2 ss "$speed" --mode=single --threads 1)
s_j2=$(secs 2 ss "$speed" --mode=single --threads 2)
x_j1=$(awk -v s="$s_j1" -v n="$n" 'BEGIN { printf "%.1f", s * 100000 / n }')
x_j2=$(awk -v s="$s_j2" -v n="$n" 'BEGIN { printf "%.1f", s * 100000 / n }')
row "100,000 64x64 colour, seconds, from ${n} -j2 (ref: -j1)" "$x_j2" "$x_j1" "$(ratio "$x_j1" "$x_j2")"
echo "## -j2/-j1 needs a free core: load $(cut -d" " -f1 /proc/loadavg) at the end"
echo "## ratios: OpenCV/ours, reference/figure time (>1: the figure is faster)"
