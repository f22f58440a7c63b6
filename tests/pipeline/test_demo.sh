#!/bin/sh
# pipelines/demo.sh on a tiny slice (128 training, 64 test images, one
# epoch): it runs every stage and prints the table of probes; a second run
# (on one thread: the results do not depend on it) reuses every cached stage,
# rewrites none of them and prints the same table; a run on fewer test
# images reruns exactly the stages that read them; bad arguments are bad
# usage.
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
is "every row has three accuracies, and each encoder's a fine-tuning one" "$(table "$T/first.txt" |
	tail -n 4 | grep -cE '(\| +[0-9]+\.[0-9]{2} ){3}\| +([0-9]+\.[0-9]{2}|-) \|$')" 4
is "raw pixels are not fine-tuned" "$(table "$T/first.txt" | sed -n 2p | grep -cE '\| +- \|$')" 1
# ran FILE: the stages a run ran, by the description it printed
ran() { sed -n 's/^running: \(.*\) ([a-z]*-[0-9a-f]*)$/\1/p' "$1"; }
is "it ran its 23 stages" "$(ran "$T/first.txt" | wc -l)" 23
files() { ls -lR --time-style=full-iso "$T/demo/cache" "$T/demo/run"; }
files >"$T/files-before"
# shellcheck disable=SC2086
ok "a second run, on one thread" "$demo" $args --threads 1
is "it prints the same table" "$(table "$T/.stdout")" "$(table "$T/first.txt")"
is "it reuses streams, boxes, checkpoints, embeddings, probes and fine-tunings" \
	"$(grep -c '^cached: ' "$T/.stdout")" 23
is "it runs no stage" "$(ran "$T/.stdout")" ""
files >"$T/files-after"
is "and rewrites none of its files" "$(cat "$T/files-after")" "$(cat "$T/files-before")"

ok "a run on 32 test images" "$demo" --train 128 --test 32 --epochs 1 --dir "$T/demo"
is "it decodes them, embeds them with each encoder, reruns the probes and fine-tunings, nothing else" \
	"$(ran "$T/.stdout")" "the first 32 images of t10k
the t10k images, init encoder
the t10k images, objbox encoder
the t10k images, random encoder
pixels, linear probe
pixels, 20-NN
init, linear probe
init, 20-NN
objbox, linear probe
objbox, 20-NN
random, linear probe
random, 20-NN
the init encoder on 128 labelled images
the objbox encoder on 128 labelled images
the random encoder on 128 labelled images"
is "the results say so" "$(grep -c '^== Results: Fashion-MNIST, 128 training / 32 test images' "$T/.stdout")" 1
