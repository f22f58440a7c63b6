#!/bin/sh
# Pixels in [0, 1] as they are against pixels normalised per channel with
# the training images' own mean and standard deviation (rec-stats), as the
# reference normalises ImageNet's (issue 15): the same pretraining, seeds
# and masks otherwise, each beside the initialised encoder it starts from.
# Judge it on held-out training images (--val N), never the test set, when
# choosing the setting.
name=inputnorm
about() { echo "Input normalisation: pixels in [0, 1] vs the data set's mean and std, $(percent "$ratio") random masking"; }
epochs=3
ratio=0.75
. "$(dirname "$0")/exp_lib.sh"
exp_setup "$@"
# the training images' own figures ($train names them within the stage cache)
norm=$(rec-stats -q -n "$stage_dir/$train")
train_opts="--input-norm none"
variant "[0, 1], no pretraining" --no-pretraining
variant "[0, 1]" --strategy=random --ratio="$ratio"
train_opts="--input-norm $norm"
variant "normalised ($norm), no pretraining" --no-pretraining
variant "normalised ($norm)" --strategy=random --ratio="$ratio"
exp_report
