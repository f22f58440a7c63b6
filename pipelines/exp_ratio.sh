#!/bin/sh
# Static vs dynamic masking ratio (Hata et al.): the same final ratio from
# the start, or reached by steps every fifth of the run as in their
# schedule 20 -> 40 -> 50 -> 60 -> 70%, for final ratios 70 to 95%. Judged
# as they did by fine-tuning on a small labelled subset (mae-finetune),
# and by the linear probe and 20-NN.
name=ratio
about() { echo "Static vs dynamic (stepped) masking ratio, judged by fine-tuning"; }
epochs=5
# the ratios are --finals: no --ratio
ratio=""
finetune=yes
extra_usage="  --finals LIST  final ratios, comma-separated (default 0.75,0.9; the paper's
                 range: 0.7,0.75,0.8,0.85,0.9,0.95)
"
finals="0.75 0.9"
# --finals is this script's own; the rest go to exp_setup
n=$#
while [ "$n" -gt 0 ]; do
	if [ "$1" = --finals ] && [ "$n" -ge 2 ]; then
		finals=$(echo "$2" | tr ',' ' ')
		shift 2
		n=$((n - 2))
	else
		set -- "$@" "$1"
		shift
		n=$((n - 1))
	fi
done
. "$(dirname "$0")/exp_lib.sh"
for f in $finals; do
	awk -v f="$f" 'BEGIN { exit !(f >= 0.3 && f < 1) }' ||
		exp_bad_usage "--finals: each ratio is in [0.3, 1), not '$f'"
done
exp_setup "$@"
variant "random init (no pretraining)" --no-pretraining
# the schedule's keys: each fifth of the run (epochs must be a multiple of
# 5 for equal fifths; otherwise they are rounded down)
key() { echo $((epochs * $1 / 5)); }
for final in $finals; do
	variant "static $final" --strategy=random --ratio="$final"
	sched=$(awk -v f="$final" -v k1="$(key 1)" -v k2="$(key 2)" -v k3="$(key 3)" -v k4="$(key 4)" \
		'BEGIN { printf "0:0.2,%d:%.2f,%d:%.2f,%d:%.2f,%d:%.2f", k1, f - 0.3, k2, f - 0.2, k3, f - 0.1, k4, f }')
	variant "dynamic $sched" --strategy=random --schedule "$sched"
done
exp_report
