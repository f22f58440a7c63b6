#!/bin/sh
# mae-finetune on a slice of Fashion-MNIST with a tiny encoder: it learns
# (test accuracy far above chance, training loss falling), the JSON report
# and the per-epoch log, a class-balanced --labelled subset, the same result
# on any thread count; bad input and usage.
. "$ROOT/tests/pipeline/lib.sh"

PY=/usr/bin/python3
D=/usr/share/datasets/fashion-mnist
TINY="--patch 7 --dim 32 --depth 2 --heads 2 --dec-dim 16 --dec-depth 1 --dec-heads 2"
img-decode --limit 600 "$D/train-images-idx3-ubyte.gz" -o "$T/train.rec"
img-decode --limit 300 "$D/t10k-images-idx3-ubyte.gz" -o "$T/test.rec"
mkrec -n 1 --img 28x28x1 | rec-repeat -n 1 >"$T/one.rec"
ok "a tiny encoder (initialised)" mae-train $TINY --steps 0 -o "$T/m.st" "$T/one.rec"

ok "fine-tune" mae-finetune -e 4 --eval-every 2 -b 32 --blr 2e-2 --log "$T/log.tsv" \
	-t "$T/train.rec" "$T/m.st" "$T/test.rec"
cp "$T/.stdout" "$T/ft.json"
says "the text report on stderr" "fine-tuning on 600 of 600" "epoch 2/4" "test top-1" "class 9"
is "one JSON line: well above chance, epochs tested every 2, losses falling" "$($PY -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
r = json.loads(lines[0])
e = r["epochs"]
print(len(lines), r["top1"] > 0.5, r["top5"] > r["top1"], len(r["per_class"]), len(e),
      ["top1" in x for x in e], e[-1]["loss"] < e[0]["loss"], e[-1]["top1"] == r["top1"],
      r["n_train"], r["n_labelled"], r["n_test"], r["eval"])' "$T/ft.json")" \
	"1 True True 10 4 [False, True, False, True] True True 600 600 300 finetune"
is "the log: a header and one line per epoch" "$(cut -f 1 "$T/log.tsv" | tr '\n' ' ')" \
	"epoch 1 2 3 4 "

ok "two threads" mae-finetune -q -j 2 -e 4 --eval-every 2 -b 32 --blr 2e-2 \
	-t "$T/train.rec" "$T/m.st" "$T/test.rec"
is "the result does not depend on threads" "$(cat "$T/.stdout")" "$(cat "$T/ft.json")"

# bf16: its own numbers, as well above chance, the same for any thread
# count; top-1 within 5 points of fp32's, about twice the spread of seeds
# 0-2 here (66.0-68.7%, both precisions; the two agreed within 0.3 points
# on each seed)
ok "bf16" mae-finetune -q --precision bf16 -e 4 --eval-every 2 -b 32 --blr 2e-2 \
	-t "$T/train.rec" "$T/m.st" "$T/test.rec"
cp "$T/.stdout" "$T/bf16.json"
is "bf16 learns as fp32 does, by other numbers" "$($PY -c '
import json, sys
a, b = (json.loads(open(f).read()) for f in sys.argv[1:3])
print(b["top1"] > 0.5, abs(a["top1"] - b["top1"]) < 0.05,
      a["epochs"][0]["loss"] != b["epochs"][0]["loss"])' "$T/ft.json" "$T/bf16.json")" "True True True"
ok "bf16 on two threads" mae-finetune -q --precision bf16 -j 2 -e 4 --eval-every 2 -b 32 \
	--blr 2e-2 -t "$T/train.rec" "$T/m.st" "$T/test.rec"
is "bf16 does not depend on threads" "$(cat "$T/.stdout")" "$(cat "$T/bf16.json")"
fails "--precision is fp32 or bf16" 2 mae-finetune --precision half -t "$T/train.rec" "$T/m.st" \
	"$T/test.rec"

ok "--tune-blocks 1" mae-finetune -q --tune-blocks 1 -e 1 --labelled 100 \
	-t "$T/train.rec" "$T/m.st" "$T/test.rec"
is "the JSON says the layers frozen: the embeddings and the first of 2 blocks" \
	"$($PY -c 'import json, sys; print(json.load(sys.stdin)["frozen_layers"])' <"$T/.stdout")" 2
fails "--tune-blocks past the encoder's depth" 2 mae-finetune --tune-blocks 3 \
	-t "$T/train.rec" "$T/m.st" "$T/test.rec"
says "its message" "--tune-blocks 3" "2 blocks"

ok "--labelled 100, mean pooling, the test set on stdin" sh -c "mae-finetune -q -e 1 \
	--labelled 100 -p mean -s 3 -t '$T/train.rec' '$T/m.st' <'$T/test.rec'"
is "100 images, pooled by mean" "$($PY -c '
import json, sys
r = json.loads(sys.stdin.read())
print(r["n_labelled"], r["pool"], r["seed"], len(r["epochs"]))' <"$T/.stdout")" "100 mean 3 1"
ok "--labelled 13" \
	mae-finetune -e 1 --labelled 13 -t "$T/train.rec" "$T/m.st" "$T/test.rec"
says "13 images" "fine-tuning on 13 of 600"

rec-head -n 50 "$T/train.rec" | rec-cut -d label >"$T/nolabel.rec"
fails "a record without a label" 1 mae-finetune -t "$T/nolabel.rec" "$T/m.st" "$T/test.rec"
says "the message names the stream and the record" nolabel.rec "record 0" "no label"
mkrec -n 3 --img 14x14x1 --field label=int:1 >"$T/small.rec"
fails "an image of another size" 1 mae-finetune -t "$T/small.rec" "$T/m.st" "$T/test.rec"
says "the message" small.rec "record 0" 14x14x1 28x28x1
mkrec -n 3 --img 28x28x1 --field label=int:4 >"$T/oneclass.rec"
fails "one class" 1 mae-finetune -t "$T/oneclass.rec" "$T/m.st" "$T/test.rec"
says "nothing to learn" oneclass.rec "one class" "label 4"
# labels are class indices: a negative one, or one past the most classes
# taken, would become a class of its own
for label in -1 1099511627776; do
	mkrec -n 3 --img 28x28x1 --field label=int:$label >"$T/badlabel.rec"
	fails "label $label" 1 mae-finetune -t "$T/badlabel.rec" "$T/m.st" "$T/test.rec"
	says "label $label: the message" badlabel.rec "record 0" "label $label" "not a class index"
done
# one step at a learning rate past float's range: a finite loss, weights
# that overflow, NaN scores on the test images (which ranked every class
# first: 100% right)
rec-head -n 32 "$T/train.rec" >"$T/32.rec"
fails "a model that diverged" 1 mae-finetune -q -e 1 -b 32 --warmup-epochs 0 --blr 1e300 \
	-t "$T/32.rec" "$T/m.st" "$T/32.rec"
says "diverged: the message" 32.rec "epoch 1" "test example 0" "not finite"
rec-head -n 0 "$T/train.rec" >"$T/empty.rec"
fails "no training images" 1 mae-finetune -t "$T/empty.rec" "$T/m.st" "$T/test.rec"
says "no training images: the message" empty.rec "no training images"
fails "no test images" 1 mae-finetune -t "$T/train.rec" "$T/m.st" "$T/empty.rec"
says "no test images: the message" empty.rec "no test images"
fails "more labelled than there are" 1 mae-finetune --labelled 601 -t "$T/train.rec" \
	"$T/m.st" "$T/test.rec"
says "the message" "--labelled 601" "600 images"
fails "a missing checkpoint" 1 mae-finetune -t "$T/train.rec" "$T/none.st" "$T/test.rec"
says "the message names it" none.st
fails "no --train" 2 mae-finetune "$T/m.st" "$T/test.rec"
fails "no checkpoint" 2 mae-finetune -t "$T/train.rec"
fails "both streams on stdin" 2 mae-finetune -t - "$T/m.st"
fails "a bad pool" 2 mae-finetune -p max -t "$T/train.rec" "$T/m.st" "$T/test.rec"
fails "layer decay above 1" 2 mae-finetune --layer-decay 1.5 -t "$T/train.rec" "$T/m.st" \
	"$T/test.rec"
fails "smoothing 1" 2 mae-finetune --smoothing 1 -t "$T/train.rec" "$T/m.st" "$T/test.rec"
ok "-o writes the JSON atomically" mae-finetune -q -e 1 --labelled 20 -o "$T/out.json" \
	-t "$T/train.rec" "$T/m.st" "$T/test.rec"
is "nothing on stdout, the file one line" "$(cat "$T/.stdout"; wc -l <"$T/out.json")" 1
