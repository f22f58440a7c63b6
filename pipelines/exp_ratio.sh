#!/bin/sh
# Static vs dynamic masking ratio (Hata et al.): the same final ratio from
# the start, or reached by steps every fifth of the run as in their
# schedule 20 -> 40 -> 50 -> 60 -> 70%, for final ratios 70 to 95%.
# Judged here by the linear probe and 20-NN: mae-finetune, their measure,
# is not built yet.
name=ratio
about="Static vs dynamic (stepped) masking ratio, final ratios 70-95%"
epochs=5
ratio=0.75
. "$(dirname "$0")/exp_lib.sh"
exp_setup "$@"
# the schedule's keys: each fifth of the run (epochs must be a multiple of
# 5 for equal fifths; otherwise they are rounded down)
key() { echo $((epochs * $1 / 5)); }
for final in 0.7 0.8 0.9 0.95; do
	variant "static $final" --strategy=random --ratio="$final"
	sched=$(awk -v f="$final" -v k1="$(key 1)" -v k2="$(key 2)" -v k3="$(key 3)" -v k4="$(key 4)" \
		'BEGIN { printf "0:0.2,%d:%.2f,%d:%.2f,%d:%.2f,%d:%.2f", k1, f - 0.3, k2, f - 0.2, k3, f - 0.1, k4, f }')
	variant "dynamic $sched" --strategy=random --schedule "$sched"
done
exp_report
