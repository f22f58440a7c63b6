#!/bin/sh
# The experiment scripts of pipelines/: their options (bad ones are bad
# usage), and one end to end on a tiny slice (64 training, 32 test images,
# one epoch, one seed; the normal build only, it is slow under ASan): every
# variant gets a row, the mask-stats figures and both plots are written.
. "$ROOT/tests/pipeline/lib.sh"

export BIN
for e in objbox ratio colormae; do
	script=$ROOT/pipelines/exp_$e.sh
	is "exp_$e --help" "$("$script" --help | head -n 1)" "Usage: pipelines/exp_$e.sh [OPTION]..."
	fails "exp_$e: an unknown argument" 2 "$script" --bogus
	says "exp_$e: its message" "exp_$e.sh" "'--bogus'"
	fails "exp_$e: a bad seed list" 2 "$script" --seeds 1,x
done

[ "$MASKPIPE_SAN" = 1 ] && exit 0
ok "exp_objbox on 64 images" "$ROOT/pipelines/exp_objbox.sh" --train 64 --test 32 --epochs 1 \
	--seeds 1 --dir "$T/exp"
md=$T/exp/objbox-n64-e1/results.md
is "a row per variant, each with three numbers" "$(grep -cE '^\| [^|]+ \| [0-9.]+ ± [0-9.]+ \| [0-9.]+ ± [0-9.]+ \| [0-9.]+ ± [0-9.]+ \|$' "$md")" 5
is "the baseline row: the initialised encoder, no loss" \
	"$(grep -cE '^\| random init \(no pretraining\) \| [0-9.]+ ± [0-9.]+ \| [0-9.]+ ± [0-9.]+ \| - \|$' "$md")" 1
is "the mask-stats of each variant" "$(grep -c "^objbox lambda=\|^random" "$md")" 5
ok "the plots" test -s "$T/exp/objbox-n64-e1/loss.png" -a -s "$T/exp/objbox-n64-e1/accuracy.png"

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
