# Sourced by the experiment scripts (pipelines/exp_*.sh): options, the
# data (decoded streams, boxes computed once), one pretraining + embedding +
# probe run per (variant, seed), and the Markdown table (mean ± std over
# seeds) and gnuplot plots of the results. Every costly stage is cached in
# DIR/cache by pipelines/stage.sh, keyed by its full command line and the
# keys of its inputs: changing an option recomputes what it changes and
# nothing else.
#
# An experiment script sets `name`, `epochs`, `ratio` (empty when it has no
# single masking ratio, and then no --ratio option) and an `about` function
# (the title, from the actual options), sources this file, calls
# exp_setup "$@", then `variant LABEL MASK-GEN-ARGS...` for each variant,
# then exp_report.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$root/build/bin}
PATH="$BIN:$PATH"
. "$root/pipelines/stage.sh"
# an experiment that judges by fine-tuning sets finetune=yes; one with
# options of its own describes them in extra_usage
finetune=${finetune:-no}
ft_blr=${ft_blr:-1e-2}
extra_usage=${extra_usage:-}
ratio=${ratio:-}
data=/usr/share/datasets/fashion-mnist

# percent R: the ratio R as a percentage (0.8 -> 80%)
percent() { awk -v r="$1" 'BEGIN { printf "%g%%", 100 * r }'; }

exp_usage() {
	ratio_usage=""
	[ -z "$ratio" ] || ratio_usage="  --ratio R      the masking ratio compared, in (0, 1) (default $ratio)
"
	ft_usage=""
	[ "$finetune" = no ] || ft_usage="  --labelled N   fine-tuning: labelled training images (default 500)
  --ft-epochs N  fine-tuning epochs (default 15)
"
	cat <<USAGE
Usage: pipelines/exp_$name.sh [OPTION]...
$(about)

  --dir DIR      cache and results (default build/exp)
  --train N      first N Fashion-MNIST training images (default 10000)
  --test N       first N test images (default 10000)
  --val N        judge on the last N training images instead of the test
                 set (held out: disjoint from the --train images), as
                 settings must be chosen
  --epochs N     pretraining epochs (default $epochs)
  --batch N      pretraining batch (default 64)
  --blr X        pretraining base learning rate (default 1.5e-3)
  --input-norm W data (default: standardise the inputs by the training
                 images' own mean and std, rec-stats) or none (pixels in
                 [0, 1])
  --precision P  pretraining's matrix products: bf16 (default) or fp32;
                 the embeddings are float32
  --seeds LIST   seeds, comma-separated (default 1,2,3)
$ratio_usage  --threads N    threads (default 2; the results do not depend on it)
$ft_usage$extra_usage  -h, --help     show this help and exit

Every costly stage (decoding, boxes, pretraining, embedding, probes,
fine-tuning, mask-stats) is cached in DIR/cache under a key made from its
command line, the keys of its inputs and the hashes of the tools it runs;
a stage runs when its key's output is missing, so a run with other
options recomputes exactly what they change. Each stage prints
"running: ..." or "cached: ...". DIR/$name-nN-eE/ gets the table
(results.md), the plots, and links to the files of each variant and seed.

The recipe's defaults (batch 64, blr 1.5e-3, standardised inputs, bf16)
are the demo's, chosen on held-out training images (pipelines/RESULTS.md);
the tables made before them used --batch 256 --blr 6e-4 --input-norm none
--precision fp32.

The papers' settings need their data sets (CIFAR-10, STL-10, Tiny ImageNet),
which cannot be downloaded here: point img-decode at them in exp_setup.
USAGE
}
exp_bad_usage() {
	echo "exp_$name.sh: $* (see exp_$name.sh --help)" >&2
	exit 2
}
exp_count() {
	case $2 in '' | *[!0-9]*) exp_bad_usage "$1 takes a positive whole number, not '$2'" ;; esac
	[ "$2" -gt 0 ] || exp_bad_usage "$1 takes a positive whole number, not '$2'"
}
exp_ratio() {
	case $2 in
	'' | *[!0-9.]* | *.*.* | .) exp_bad_usage "$1 takes a number in (0, 1), not '$2'" ;;
	esac
	awk -v r="$2" 'BEGIN { exit !(r > 0 && r < 1) }' ||
		exp_bad_usage "$1 takes a number in (0, 1), not '$2'"
}

# parses the options, makes the data streams and boxes (cached)
exp_setup() {
	out=$root/build/exp
	n_train=10000
	n_test=10000
	n_val=0
	seeds="1 2 3"
	threads=2
	labelled=500
	ft_epochs=15
	batch_max=64
	blr=1.5e-3
	input_norm=data
	precision=bf16
	while [ $# -gt 0 ]; do
		case $1 in
		-h | --help) exp_usage; exit 0 ;;
		--dir | --train | --test | --val | --epochs | --seeds | --ratio | --threads | --labelled | \
			--ft-epochs | --batch | --blr | --input-norm | --precision)
			[ $# -ge 2 ] || exp_bad_usage "$1 needs a value"
			case $1 in
			--dir) out=$2 ;;
			--train) exp_count "$1" "$2"; n_train=$2 ;;
			--test) exp_count "$1" "$2"; n_test=$2 ;;
			--val) exp_count "$1" "$2"; n_val=$2 ;;
			--epochs) exp_count "$1" "$2"; epochs=$2 ;;
			--seeds) seeds=$(echo "$2" | tr ',' ' ')
				for s in $seeds; do exp_count "$1" "$s"; done ;;
			--ratio) [ -n "$ratio" ] || exp_bad_usage "unknown argument '$1'"
				exp_ratio "$1" "$2"; ratio=$2 ;;
			--threads) exp_count "$1" "$2"; threads=$2 ;;
			--batch) exp_count "$1" "$2"; batch_max=$2 ;;
			--blr) awk -v x="$2" 'BEGIN { exit !(x + 0 > 0 && x ~ /^[0-9.eE+-]+$/) }' ||
				exp_bad_usage "$1 takes a positive number, not '$2'"
				blr=$2 ;;
			--input-norm) case $2 in data | none) input_norm=$2 ;;
				*) exp_bad_usage "$1: data or none, not '$2'" ;; esac ;;
			--precision) case $2 in fp32 | bf16) precision=$2 ;;
				*) exp_bad_usage "$1: fp32 or bf16, not '$2'" ;; esac ;;
			--labelled | --ft-epochs) [ "$finetune" = yes ] || exp_bad_usage "unknown argument '$1'" ;;
			esac
			case $1 in
			--labelled) exp_count "$1" "$2"; labelled=$2 ;;
			--ft-epochs) exp_count "$1" "$2"; ft_epochs=$2 ;;
			esac
			shift 2 ;;
		*) exp_bad_usage "unknown argument '$1'" ;;
		esac
	done
	"$root/scripts/deps.sh" --experiments
	export MASKPIPE_ZSTD_LEVEL=1
	# one cache for every experiment: the data and boxes are shared
	stage_init "$out/cache"
	stage decode "the first $n_train training images" "img-decode -q --limit $n_train \
		$data/train-images-idx3-ubyte.gz -o \$out/images.rec"
	train=$it/images.rec
	if [ "$n_val" -gt 0 ]; then
		[ $((n_train + n_val)) -le 60000 ] ||
			exp_bad_usage "--train $n_train and --val $n_val overlap: Fashion-MNIST has 60000"
		stage decode "the last $n_val training images (held out)" "img-decode -q \
			$data/train-images-idx3-ubyte.gz | rec-head -s $((60000 - n_val)) -n $n_val \
			-o \$out/images.rec"
		judged="$n_val held-out training images (the last; not the test set)"
	else
		stage decode "the first $n_test test images" "img-decode -q --limit $n_test \
			$data/t10k-images-idx3-ubyte.gz -o \$out/images.rec"
		judged="$n_test test images"
	fi
	test=$it/images.rec
	stage boxes "the boxes of the $n_train training images" "ssearch-boxes --threads \$threads \
		$train | rec-cut -k id,boxes -o \$out/boxes.rec"
	boxes=$it/boxes.rec
	runs=$out/$name-n$n_train-e$epochs$([ "$n_val" -eq 0 ] || echo "-val$n_val")
	mkdir -p "$runs"
	: >"$runs/variants"
	batch=$((n_train < batch_max ? n_train : batch_max))
	# the input standardisation of every model, initialised or trained
	# (a variant's $train_opts come after it, and win)
	norm_opt=""
	[ "$input_norm" = none ] || norm_opt="--input-norm $(rec-stats -q -n "$stage_dir/$train")"
}

# exp_link DIR FILE...: links $at/FILE from DIR, the files of a variant and
# seed that the report reads (no link where the stage made no such file)
exp_link() {
	dir=$1; shift
	for f in "$@"; do
		rm -f "$dir/$f"
		[ ! -e "$at/$f" ] || ln -s "$at/$f" "$dir/$f"
	done
}

# variant LABEL MASK-GEN-ARGS...: pretrains, embeds and probes once per
# seed (each stage cached), the masks drawn by mask-gen with these args,
# mae-train and mae-embed given $model_opts too (e.g. --precision bf16),
# mae-train alone $train_opts (e.g. --input-norm ...);
# `variant LABEL --no-pretraining` evaluates the initialised encoder of
# each seed instead: the baseline that says what pretraining added
variant() {
	label=$1; shift
	slug=$(echo "$label" | tr -c 'A-Za-z0-9.\n' '_')
	printf '%s\t%s\n' "$slug" "$label" >>"$runs/variants"
	for seed in $seeds; do
		d=$runs/$slug/seed$seed
		mkdir -p "$d"
		if [ "$*" = --no-pretraining ]; then
			stage init "$label, seed $seed: the initialised encoder" "rec-head -n 1 $train |
				patchify -p 4 | mae-train --config fmnist --steps 0 -s $seed -q $norm_opt \
				${model_opts:-} ${train_opts:-} -o \$out/model.safetensors"
		else
			stage pretrain "$label, seed $seed: pretraining $epochs epochs" "rec-join $boxes $train |
				rec-repeat -n $epochs --seed $seed | patchify -p 4 --seed $seed |
				mask-gen --seed $seed $* |
				mae-train --config fmnist -b $batch --blr $blr --precision $precision \
					$norm_opt -s $seed -j \$threads ${model_opts:-} ${train_opts:-} \
					--log \$out/train.log \
					-o \$out/model.safetensors"
		fi
		exp_link "$d" model.safetensors train.log
		model=$it/model.safetensors
		stage embed "$label, seed $seed: embedding the training images" \
			"mae-embed -q -j \$threads -b 256 ${model_opts:-} $model $train -o \$out/train.emb"
		train_emb=$it/train.emb
		stage embed "$label, seed $seed: embedding the test images" \
			"mae-embed -q -j \$threads -b 256 ${model_opts:-} $model $test -o \$out/test.emb"
		test_emb=$it/test.emb
		stage probe "$label, seed $seed: linear probe" "linprobe -q -j \$threads -s $seed \
			-t $train_emb $test_emb -o \$out/linear.json"
		exp_link "$d" linear.json
		stage probe "$label, seed $seed: 20-NN" "linprobe -q -j \$threads --knn 20 \
			-t $train_emb $test_emb -o \$out/knn.json"
		exp_link "$d" knn.json
		if [ "$finetune" = yes ]; then
			stage finetune "$label, seed $seed: fine-tuning on $labelled labelled images, $ft_epochs epochs" \
				"mae-finetune -q -j \$threads -s $seed --labelled $labelled --epochs $ft_epochs \
				--eval-every $ft_epochs --blr $ft_blr -t $train $model $test -o \$out/finetune.json"
			exp_link "$d" finetune.json
		fi
	done
}

# mask_diversity LABEL MASK-GEN-ARGS...: mask-stats of 1000 images' masks
# over 2 epochs (cached): mean ratio, position entropy, diversity across
# epochs, a row of mask-stats.tsv
mask_diversity() {
	label=$1; shift
	stage maskstats "$label: mask-stats of 1000 images' masks" "rec-head -n 1000 $train |
		rec-join $boxes | rec-repeat -n 2 --seed 1 | patchify -p 4 |
		mask-gen --seed 1 $* -o \$out/masks.rec
		mask-stats \$out/masks.rec >\$out/masks.txt
		rm \$out/masks.rec"
	[ -s "$runs/mask-stats.tsv" ] || printf 'variant\t%s\n' "$(head -n 1 "$at/masks.txt")" \
		>"$runs/mask-stats.tsv"
	printf '%s\t%s\n' "$label" "$(tail -n 1 "$at/masks.txt")" >>"$runs/mask-stats.tsv"
}

# mean ± std (sample) of the numbers on stdin, as percentages when pct
mean_std() {
	awk -v pct="$1" '{ x[NR] = $1; s += $1 } END {
		if (NR == 0) { print "-"; exit }
		m = s / NR; v = 0
		for (i = 1; i <= NR; i++) v += (x[i] - m) ^ 2
		sd = NR > 1 ? sqrt(v / (NR - 1)) : 0
		k = pct ? 100 : 1
		printf pct ? "%.2f ± %.2f" : "%.4f ± %.4f", k * m, k * sd }'
}
json_num() { sed -n "s/.*\"$2\":\([0-9.e-]*\).*/\1/p" "$1"; }

# the Markdown table, the data of the plots, and the plots
exp_report() {
	md=$runs/results.md
	{
		echo "### $(about)"
		echo
		echo "Fashion-MNIST, $n_train training images, judged on $judged; fmnist config," \
			"$epochs epochs, batch $batch, blr $blr, $precision products, inputs" \
			"$([ "$input_norm" = none ] && echo "in [0, 1]" || echo "standardised");" \
			"seeds: $seeds."
		echo
		if [ "$finetune" = yes ]; then
			echo "Fine-tuning: mae-finetune on $labelled labelled training images" \
				"(class-balanced), $ft_epochs epochs, blr $ft_blr, layer decay 0.75," \
				"label smoothing 0.1; test top-1 after the last epoch."
			echo
			echo "| variant | fine-tune top-1 (%) | linear probe top-1 (%) | 20-NN top-1 (%) | final loss |"
			echo "|---|---|---|---|---|"
		else
			echo "| variant | linear probe top-1 (%) | 20-NN top-1 (%) | final loss |"
			echo "|---|---|---|---|"
		fi
	} >"$md"
	: >"$runs/bars.dat"
	i=0
	while IFS="$(printf '\t')" read -r slug label; do
		lin=$(for s in $seeds; do json_num "$runs/$slug/seed$s/linear.json" top1; done | mean_std 1)
		knn=$(for s in $seeds; do json_num "$runs/$slug/seed$s/knn.json" top1; done | mean_std 1)
		loss=-
		[ -s "$runs/$slug/seed$(echo "$seeds" | cut -d ' ' -f 1)/train.log" ] &&
			loss=$(for s in $seeds; do tail -n 1 "$runs/$slug/seed$s/train.log" | cut -f 2; done |
				mean_std 0)
		if [ "$finetune" = yes ]; then
			ft=$(for s in $seeds; do json_num "$runs/$slug/seed$s/finetune.json" top1; done | mean_std 1)
			echo "| $label | $ft | $lin | $knn | $loss |" >>"$md"
		else
			echo "| $label | $lin | $knn | $loss |" >>"$md"
		fi
		echo "$i \"$label\" $(echo "$lin" | sed 's/ ± / /') $(echo "$knn" | sed 's/ ± / /')" \
			>>"$runs/bars.dat"
		i=$((i + 1))
	done <"$runs/variants"
	if [ -s "$runs/mask-stats.tsv" ]; then
		{
			echo
			echo "mask-stats of each variant's masks (the first 1,000 training images or" \
				"fewer, 2 epochs; diversity: mean fraction of patches whose state differs" \
				"between an image's two masks):"
			echo
			echo '```'
			cat "$runs/mask-stats.tsv"
			echo '```'
		} >>"$md"
	fi
	first=$(echo "$seeds" | cut -d ' ' -f 1)
	plots="$runs/loss.png $runs/accuracy.png"
	{
		echo "set terminal pngcairo size 900,500 noenhanced"
		echo "set output '$runs/loss.png'"
		echo "set title 'pretraining loss (seed $first)'; set xlabel 'step'; set ylabel 'loss'"
		printf 'plot '
		sep=""
		while IFS="$(printf '\t')" read -r slug label; do
			[ -s "$runs/$slug/seed$first/train.log" ] || continue
			printf "%s'%s' using 1:2 every ::1 with lines title '%s'" "$sep" \
				"$runs/$slug/seed$first/train.log" "$label"
			sep=", "
		done <"$runs/variants"
		echo
		echo "set output '$runs/accuracy.png'"
		echo "set title 'top-1 (%), mean and std over seeds'; unset xlabel; set ylabel '%'"
		echo "set style data histograms; set style histogram errorbars gap 2 lw 1"
		echo "set style fill solid 0.6; set xtics rotate by -30"
		echo "plot '$runs/bars.dat' using 3:4:xtic(2) title 'linear probe'," \
			"'' using 5:6 title '20-NN'"
	} >"$runs/plots.gp"
	if gnuplot "$runs/plots.gp" 2>"$runs/gnuplot.err"; then
		echo >>"$md"
		echo "Plots: $plots" >>"$md"
	else
		# pngcairo is in gnuplot-qt/x11; gnuplot-nox has the png terminal
		sed -i 's/pngcairo size 900,500 noenhanced/png size 900,500 noenhanced/' "$runs/plots.gp"
		gnuplot "$runs/plots.gp" && { echo >>"$md"; echo "Plots: $plots" >>"$md"; }
	fi
	cat "$md"
}
