#!/bin/sh
# linprobe on a slice of Fashion-MNIST: accuracy well above chance for the
# probe and k-NN, the JSON report, a saved head that gives the reported
# accuracy in NumPy, .npy exports, both --split forms, the same output on
# any thread count; labels that are not contiguous; bad input and usage.
. "$ROOT/tests/pipeline/lib.sh"

PY=/usr/bin/python3
D=/usr/share/datasets/fashion-mnist
img-decode --limit 2000 "$D/train-images-idx3-ubyte.gz" -o "$T/train.rec"
img-decode --limit 500 "$D/t10k-images-idx3-ubyte.gz" -o "$T/test.rec"

ok "probe on pixels" linprobe --pixels --wd 1e-2,1e-3 --max-iter 40 --save-head "$T/head.st" \
	--export-npy "$T/fm" -t "$T/train.rec" "$T/test.rec"
cp "$T/.stdout" "$T/probe.json"
says "the text report on stderr" "top-1" "top-5" "class 9" "(chosen)"
is "one JSON line: top-1 above 70%, top-5, 10 classes, the sweep" "$($PY -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
r = json.loads(lines[0])
print(len(lines), r["top1"] > 0.7, r["top5"] > r["top1"], len(r["per_class"]), len(r["wd_sweep"]),
      r["n_train"], r["n_test"], r["dim"])' "$T/probe.json")" "1 True True 10 2 2000 500 784"
is "the saved head and the exported test set give the reported accuracy" "$($PY -c '
import json, struct, sys
import numpy as np
raw = open(sys.argv[1], "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
head = json.loads(raw[8:8 + n])
t = {k: np.frombuffer(raw[8 + n + v["data_offsets"][0]:8 + n + v["data_offsets"][1]],
     dtype="<f4").reshape(v["shape"]) for k, v in head.items() if k != "__metadata__"}
x, y = np.load(sys.argv[2] + "_test_x.npy"), np.load(sys.argv[2] + "_test_y.npy")
logits = ((x - t["mean"]) / t["sd"]) @ t["weight"].T + t["bias"]
pred = t["classes"][logits.argmax(1)]
print(x.shape, y.dtype, np.load(sys.argv[2] + "_train_x.npy").shape,
      round(float((pred == y).mean()), 4) == json.load(open(sys.argv[3]))["top1"])' \
	"$T/head.st" "$T/fm" "$T/probe.json")" "(500, 784) int64 (2000, 784) True"

ok "two threads" linprobe -q -j 2 --pixels --wd 1e-2,1e-3 --max-iter 40 -t "$T/train.rec" "$T/test.rec"
is "the result does not depend on threads" "$(cat "$T/.stdout")" "$(cat "$T/probe.json")"
ok "the training stream on stdin" sh -c "linprobe -q --pixels --wd 1e-2,1e-3 --max-iter 40 \
	-t - '$T/test.rec' < '$T/train.rec' > '$T/stdin.json'"
is "reads the same" "$(cat "$T/stdin.json")" "$(cat "$T/probe.json")"
quiet "-o writes the JSON" linprobe -q --pixels --wd 1e-3 --max-iter 20 -o "$T/o.json" \
	-t "$T/train.rec" "$T/test.rec"
is "-o: one line, nothing on stdout" "$(wc -l <"$T/o.json") $(wc -c <"$T/.stdout")" "1 0"

ok "k-NN" linprobe -q --knn 10 --pixels -t "$T/train.rec" "$T/test.rec"
is "k-NN: top-1 above 70%, its k and T" "$($PY -c '
import json, sys
r = json.loads(sys.stdin.read())
print(r["probe"], r["top1"] > 0.7, r["k"], r["temperature"])' <"$T/.stdout")" "knn True 10 0.07"

# few labels: a class-balanced subset (the function mae-finetune
# --labelled uses, unit-tested there), the same whatever the record order
ok "--labelled 100" linprobe -q --pixels --wd 1e-3 --max-iter 40 --labelled 100 \
	-t "$T/train.rec" "$T/test.rec"
cp "$T/.stdout" "$T/l100.json"
ok "--labelled 10%" linprobe -q --pixels --wd 1e-3 --max-iter 40 --labelled 10% \
	-t "$T/train.rec" "$T/test.rec"
is "100 and 200 examples fitted, above chance, below all 2000" "$($PY -c '
import json, sys
a, b, c = (json.load(open(f)) for f in sys.argv[1:4])
print(a["n_train"], b["n_train"], a["top1"] > 0.5, a["top1"] < c["top1"])' "$T/l100.json" \
	"$T/.stdout" "$T/o.json")" "100 200 True True"
ok "--labelled 100 on the records shuffled" sh -c "rec-shuffle --seed 5 '$T/train.rec' |
	linprobe -q --pixels --wd 1e-3 --max-iter 40 --labelled 100 -t - '$T/test.rec'"
# the same 100 examples, fitted in another order (L-BFGS sums in stream
# order, so the last digits move; a different subset of 100 moves top-1
# by points)
is "the same subset: top-1 within half a point" "$($PY -c '
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
print(a["n_train"] == b["n_train"], abs(a["top1"] - b["top1"]) <= 0.005)' "$T/l100.json" \
	"$T/.stdout")" "True True"
ok "k-NN on 100 labels" linprobe -q --knn 10 --pixels --labelled 100 -t "$T/train.rec" \
	"$T/test.rec"
fails "--labelled 0%" 2 linprobe --pixels --labelled 0% -t "$T/train.rec" "$T/test.rec"
fails "--labelled 150%" 2 linprobe --pixels --labelled 150% -t "$T/train.rec" "$T/test.rec"
fails "fewer labels than classes" 1 linprobe --pixels --labelled 5 -t "$T/train.rec" "$T/test.rec"
says "its message" train.rec "5 labelled examples for 10 classes"
fails "more labels than examples" 1 linprobe --pixels --labelled 5000 -t "$T/train.rec" \
	"$T/test.rec"

cat "$T/train.rec" "$T/test.rec" >"$T/both.rec"
ok "--split by id prefix" linprobe -q --pixels --wd 1e-3 --max-iter 20 --split fashion-mnist:t10k: \
	"$T/both.rec"
is "--split prefix: the test set is t10k" "$($PY -c '
import json, sys; r = json.loads(sys.stdin.read()); print(r["n_train"], r["n_test"])' <"$T/.stdout")" \
	"2000 500"
ok "--split by fraction" linprobe -q --pixels --wd 1e-3 --max-iter 20 --split 0.25 "$T/train.rec"
is "--split 0.25: about a quarter held out" "$($PY -c '
import json, sys; r = json.loads(sys.stdin.read()); print(400 < r["n_test"] < 600, r["n_train"] + r["n_test"])' \
	<"$T/.stdout")" "True 2000"

# embeddings with labels 5 and 9 along two axes, label 7 only in the test set
mkrec -n 20 --field 'id=str:a{i}' --field emb=f32le:1,0.1 --field label=int:5 >"$T/a.rec"
mkrec -n 20 --field 'id=str:b{i}' --field emb=f32le:0.2,1 --field label=int:9 >"$T/b.rec"
mkrec -n 1 --field 'id=str:c{i}' --field emb=f32le:1,1 --field label=int:7 >"$T/c.rec"
cat "$T/a.rec" "$T/b.rec" >"$T/emb.rec"
cat "$T/a.rec" "$T/b.rec" "$T/c.rec" >"$T/emb_test.rec"
ok "labels 5 and 9, an unknown 7" linprobe --wd 1e-3 -t "$T/emb.rec" "$T/emb_test.rec"
says "the unknown label is reported" "1 test examples have a label no training example has"
is "every known label right, the unknown one wrong, no top-5 for 2 classes" "$($PY -c '
import json, sys; r = json.loads(sys.stdin.read())
print(r["per_class"], r["unknown_label_examples"], r["top1"], "top5" in r)' <"$T/.stdout")" \
	"{'5': 1, '9': 1} 1 0.97561 False"

mkrec -n 3 --field 'id=str:x{i}' --field emb=f32le:1,0 >"$T/nolabel.rec"
fails "a record without a label" 1 linprobe -t "$T/emb.rec" "$T/nolabel.rec"
says "its message" nolabel.rec "record 0" "no label"
fails "no emb" 1 linprobe -t "$T/train.rec" "$T/test.rec"
says "its message" train.rec "record 0" "no emb" "--pixels"
mkrec -n 3 --field emb=f32le:1,0,3 --field label=int:1 >"$T/wide.rec"
cat "$T/emb.rec" "$T/wide.rec" >"$T/mixed.rec"
fails "features of another length" 1 linprobe -t "$T/emb.rec" "$T/mixed.rec"
says "its message" mixed.rec "record 40" "3 features"
fails "training and test of other widths" 1 linprobe -t "$T/emb.rec" "$T/wide.rec"
says "its message" emb.rec wide.rec "2 features" "3"

fails "--pixels on records without img" 1 linprobe -t "$T/emb.rec" "$T/c.rec" --pixels
says "its message" emb.rec "record 0" "no img"
mkrec -n 4 --field emb=f32le:1,0 --field label=int:1 >"$T/one.rec"
fails "one class" 1 linprobe -t "$T/one.rec" "$T/emb.rec"
says "its message" one.rec "one class"
# labels are class indices: a negative one, or one past the most classes
# taken, would become a class of its own
for label in -1 1099511627776; do
	mkrec -n 3 --field emb=f32le:1,0 --field label=int:$label >"$T/badlabel.rec"
	fails "label $label" 1 linprobe -t "$T/emb.rec" "$T/badlabel.rec"
	says "label $label: the message" badlabel.rec "record 0" "label $label" "not a class index"
done
fails "a --split that leaves no training example" 1 linprobe --split a "$T/a.rec"
says "its message" a.rec "no training examples"
rec-head -n 0 "$T/a.rec" >"$T/empty.rec"
fails "an empty test stream" 1 linprobe -t "$T/emb.rec" "$T/empty.rec"
says "its message" empty.rec "no test examples"
fails "neither --train nor --split" 2 linprobe "$T/emb.rec"
fails "both --train and --split" 2 linprobe -t "$T/emb.rec" --split 0.5 "$T/emb.rec"
fails "both streams on stdin" 2 linprobe -t - -
fails "a bad weight decay" 2 linprobe --wd 1e-3,x -t "$T/emb.rec" "$T/emb.rec"
fails "a split fraction of 1.5" 2 linprobe --split 1.5 "$T/emb.rec"
fails "--save-head with --knn" 2 linprobe --knn 3 --save-head "$T/h.st" -t "$T/emb.rec" "$T/emb.rec"
