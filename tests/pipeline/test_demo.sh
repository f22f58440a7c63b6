#!/bin/sh
# pipelines/demo.sh on a tiny slice (128 training, 64 test images, one
# epoch): it runs every stage and prints the table of probes; a second run
# reuses every cached stage and prints the same table; bad arguments are
# bad usage.
. "$ROOT/tests/pipeline/lib.sh"

demo=$ROOT/pipelines/demo.sh
export BIN
prints_usage=$("$demo" --help | head -n 1)
is "--help prints the usage" "$prints_usage" "Usage: pipelines/demo.sh [OPTION]..."
fails "an unknown argument" 2 "$demo" --bogus
says "its message" "unknown argument '--bogus'"
fails "--epochs takes a number" 2 "$demo" --epochs two
says "its message" "--epochs" "'two'"
fails "--epochs needs a value" 2 "$demo" --epochs
fails "more training images than Fashion-MNIST has" 2 "$demo" --train 60001
fails "MASKPIPE_DEMO_EPOCHS is checked too" 2 env MASKPIPE_DEMO_EPOCHS=0 "$demo" --dir "$T/x"

args="--train 128 --test 64 --epochs 1 --dir $T/demo"
# shellcheck disable=SC2086
ok "a run on 128 + 64 images" "$demo" $args
cp "$T/.stdout" "$T/first.txt"
table() { grep '^| ' "$1"; }
is "the table: a header and four rows" "$(table "$T/first.txt" | cut -d '|' -f 2 | sed 's/ *$//')" \
	" features
 raw pixels
 random-init encoder
 MAE, objbox masking
 MAE, random masking"
is "every row has three accuracies" "$(table "$T/first.txt" | tail -n 4 |
	grep -cE '\| +[0-9]+\.[0-9]{2} \| +[0-9]+\.[0-9]{2} \| +[0-9]+\.[0-9]{2} \|$')" 4
run_dir=$T/demo/run-128-64-e1
ls -l --time-style=full-iso "$run_dir" >"$T/files-before"
# shellcheck disable=SC2086
ok "a second run" "$demo" $args
is "it prints the same table" "$(table "$T/.stdout")" "$(table "$T/first.txt")"
is "it reuses streams, boxes, checkpoints and embeddings" \
	"$(grep -c ': cached' "$T/.stdout")" 11
ls -l --time-style=full-iso "$run_dir" >"$T/files-after"
is "and rewrites none of its files" "$(cat "$T/files-after")" "$(cat "$T/files-before")"
