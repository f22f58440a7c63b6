#!/bin/sh
# The experiment scripts of pipelines/: their options (bad ones are bad
# usage); the stage cache of pipelines/stage.sh on its own (a stage reruns
# when its command or a tool changes, a failed or killed stage caches
# nothing); and one end to end on a tiny slice (64 training, 32 test images,
# one epoch, one seed; the normal build only, it is slow under ASan): every
# variant gets a row, the mask-stats figures and both plots are written;
# then --ratio changed reruns exactly the stages the ratio reaches (mask
# generation, training and what is computed from the models) and the title
# says the new ratio, and unchanged runs rerun nothing.
. "$ROOT/tests/pipeline/lib.sh"

export BIN
for e in objbox ratio colormae precision inputnorm; do
	script=$ROOT/pipelines/exp_$e.sh
	is "exp_$e --help" "$("$script" --help | head -n 1)" "Usage: pipelines/exp_$e.sh [OPTION]..."
	fails "exp_$e: an unknown argument" 2 "$script" --bogus
	says "exp_$e: its message" "exp_$e.sh" "'--bogus'"
	fails "exp_$e: a bad seed list" 2 "$script" --seeds 1,x
done
prints "exp_reference --help" "Issue 15's reproduction of the PyTorch reference at its recipe: the" \
	sh -c "'$ROOT/pipelines/exp_reference.sh' --help | head -n 1"
fails "exp_reference: an unknown argument" 2 "$ROOT/pipelines/exp_reference.sh" --bogus
fails "exp_reference: one epoch (it warms up for one)" 2 "$ROOT/pipelines/exp_reference.sh" --epochs 1
fails "exp_reference: a precision it does not know" 2 "$ROOT/pipelines/exp_reference.sh" --precision fp16
says "its message" "--precision" "'fp16'"
fails "exp_objbox: a ratio out of range" 2 "$ROOT/pipelines/exp_objbox.sh" --ratio 1
says "its message" "--ratio" "'1'"
fails "exp_ratio has no --ratio (its ratios are --finals)" 2 "$ROOT/pipelines/exp_ratio.sh" --ratio 0.5
fails "exp_colormae does not fine-tune: no --labelled" 2 "$ROOT/pipelines/exp_colormae.sh" --labelled 5
fails "exp_objbox: an input normalisation it does not know" 2 "$ROOT/pipelines/exp_objbox.sh" \
	--input-norm imagenet
says "its message" "--input-norm" "'imagenet'"
fails "exp_objbox: a precision it does not know" 2 "$ROOT/pipelines/exp_objbox.sh" --precision fp16
fails "exp_objbox: a learning rate that is not a number" 2 "$ROOT/pipelines/exp_objbox.sh" --blr fast
fails "exp_objbox: a batch of 0" 2 "$ROOT/pipelines/exp_objbox.sh" --batch 0

# ran FILE: the stages a script ran, by the description it printed
ran() { sed -n 's/^running: \(.*\) ([a-z]*-[0-9a-f]*)$/\1/p' "$1"; }

# stage.sh with a tool of its own: `say` prints its arguments
mkdir "$T/bin"
printf '#!/bin/sh\necho "$@"\n' >"$T/bin/say"
chmod +x "$T/bin/say"
cache=$T/cache
# stage_run RECIPE: runs the stage "s" of RECIPE in $cache
stage_run() {
	PATH="$T/bin:$PATH" BIN=$T/bin threads=1 sh -c '. "$1"; stage_init "$2"; stage s "s" "$3"' \
		sh "$ROOT/pipelines/stage.sh" "$cache" "$1"
}
entries() { ls -A "$cache" | tr '\n' ' '; }
ok "stage: a recipe runs" stage_run 'say a >$out/f'
is "its output" "$(cat "$cache"/s-*/f)" a
is "it said so" "$(ran "$T/.stdout")" s
ok "stage: the same recipe again" stage_run '  say   a >$out/f'
is "it is cached (the layout of the recipe does not count)" "$(cat "$T/.stdout")" \
	"cached: s ($(ls "$cache"))"
ok "stage: another argument" stage_run 'say b >$out/f'
is "it runs" "$(ran "$T/.stdout")" s
echo "# rebuilt" >>"$T/bin/say"
ok "stage: the first recipe, its tool changed" stage_run 'say a >$out/f'
is "it runs" "$(ran "$T/.stdout")" s
before=$(entries)
fails "stage: a recipe that fails after writing" 1 stage_run 'say a >$out/f; false'
says "its message" "stage failed, nothing cached"
is "it leaves nothing in the cache" "$(entries)" "$before"
run stage_run 'say a >$out/f; kill -TERM $PPID; sleep 1'
is "stage: a run killed in a stage exits 143" "$rc" 143
is "it leaves nothing in the cache" "$(entries)" "$before"

[ "$MASKPIPE_SAN" = 1 ] && exit 0
ok "exp_objbox on 64 images" "$ROOT/pipelines/exp_objbox.sh" --train 64 --test 32 --epochs 1 \
	--seeds 1 --dir "$T/exp"
md=$T/exp/objbox-n64-e1/results.md
is "a row per variant, each with three numbers" "$(grep -cE '^\| [^|]+ \| [0-9.]+ ± [0-9.]+ \| [0-9.]+ ± [0-9.]+ \| [0-9.]+ ± [0-9.]+ \|$' "$md")" 5
is "the baseline row: the initialised encoder, no loss" \
	"$(grep -cE '^\| random init \(no pretraining\) \| [0-9.]+ ± [0-9.]+ \| [0-9.]+ ± [0-9.]+ \| - \|$' "$md")" 1
is "the mask-stats of each variant" "$(grep -c "^objbox lambda=\|^random" "$md")" 5
ok "the plots" test -s "$T/exp/objbox-n64-e1/loss.png" -a -s "$T/exp/objbox-n64-e1/accuracy.png"
is "the title says the ratio" "$(head -n 1 "$md")" \
	"### Object-box vs random masking at 80%, objbox's lambda swept"
cp "$md" "$T/at80.md"

# mask_ratios: the mean ratio of each variant's masks, by mask-stats
mask_ratios() { grep -E '^(random|objbox lambda=[0-9.]+)	' "$md" | cut -f 2 | awk '{ print $3 }' | sort -u; }
is "the masks hide 39 of 49 patches" "$(mask_ratios)" 0.7959
ok "exp_objbox at ratio 0.75" "$ROOT/pipelines/exp_objbox.sh" --train 64 --test 32 --epochs 1 \
	--seeds 1 --dir "$T/exp" --ratio 0.75
for v in random "objbox lambda=0.25" "objbox lambda=0.5" "objbox lambda=0.75" "objbox lambda=1"; do
	for stage in "pretraining 1 epochs" "embedding the training images" \
		"embedding the test images" "linear probe" "20-NN"; do
		echo "$v, seed 1: $stage"
	done
	echo "$v: mask-stats of 1000 images' masks"
done >"$T/expected"
is "it reruns the masks, pretraining, embeddings and probes of the masked variants, nothing else" \
	"$(ran "$T/.stdout")" "$(cat "$T/expected")"
is "the title says 75%" "$(head -n 1 "$md")" \
	"### Object-box vs random masking at 75%, objbox's lambda swept"
is "the masks hide 37 of 49 patches" "$(mask_ratios)" 0.7551
cp "$md" "$T/at75.md"
# loss_of FILE: the final loss of the random variant, in a table
loss_of() { grep '^| random |' "$1" | cut -d '|' -f 5; }
ok "random masking's final loss is that of a new pretraining, not the 80% one" \
	test "$(loss_of "$T/at75.md")" != "$(loss_of "$T/at80.md")"
ok "exp_objbox at ratio 0.75 again, on one thread" "$ROOT/pipelines/exp_objbox.sh" --train 64 \
	--test 32 --epochs 1 --seeds 1 --dir "$T/exp" --ratio 0.75 --threads 1
is "it reruns nothing" "$(ran "$T/.stdout")" ""
is "the same table" "$(cat "$md")" "$(cat "$T/at75.md")"
ok "exp_objbox at its default ratio again" "$ROOT/pipelines/exp_objbox.sh" --train 64 --test 32 \
	--epochs 1 --seeds 1 --dir "$T/exp"
is "it reruns nothing" "$(ran "$T/.stdout")" ""
is "the table of the first run" "$(cat "$md")" "$(cat "$T/at80.md")"

fails "exp_ratio: a final ratio out of range" 2 "$ROOT/pipelines/exp_ratio.sh" --finals 0.75,1.2
ok "exp_ratio on 64 images, fine-tuned on 20" "$ROOT/pipelines/exp_ratio.sh" --train 64 --test 32 \
	--epochs 5 --seeds 1 --finals 0.75 --labelled 20 --ft-epochs 1 --dir "$T/exp"
md=$T/exp/ratio-n64-e5/results.md
is "static and dynamic rows, each with fine-tune, probe, k-NN and loss" \
	"$(grep -cE '^\| (static|dynamic) [^|]+ \| [0-9.]+ ± [0-9.]+ \| [0-9.]+ ± [0-9.]+ \| [0-9.]+ ± [0-9.]+ \| [0-9.]+ ± [0-9.]+ \|$' "$md")" 2
is "the baseline fine-tuned too" \
	"$(grep -cE '^\| random init \(no pretraining\) \| [0-9.]+ ± [0-9.]+ \| [0-9.]+ ± [0-9.]+ \| [0-9.]+ ± [0-9.]+ \| - \|$' "$md")" 1
is "the schedule of Hata et al. shifted to the final ratio" \
	"$(grep -c '^| dynamic 0:0.2,1:0.45,2:0.55,3:0.65,4:0.75 |' "$md")" 1
