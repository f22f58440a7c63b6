#!/bin/sh
# ColorMAE's noise masks (Hinojosa et al. 2024: white, red, green, blue and
# purple noise, filtered and thresholded) against random masking, at the
# same ratio.
name=colormae
about() { echo "ColorMAE noise colours vs random masking at $(percent "$ratio")"; }
epochs=4
ratio=0.75
. "$(dirname "$0")/exp_lib.sh"
exp_setup "$@"
variant "random init (no pretraining)" --no-pretraining
variant "random" --strategy=random --ratio="$ratio"
for colour in white red green blue purple; do
	variant "noise:$colour" --strategy="noise:$colour" --ratio="$ratio"
done
exp_report
