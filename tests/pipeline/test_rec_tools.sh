#!/bin/sh
# rec-count, rec-head, rec-cut, rec-join, rec-shuffle and rec-repeat on real
# images (Fashion-MNIST through img-decode; mkrec only where a test needs
# values no data set has). Every stream a tool writes is decoded by a small
# msgpack reader of this file's own (mp.py below), not by the code under
# test, and checked record by record.
. "$ROOT/tests/pipeline/lib.sh"

FM=/usr/share/datasets/fashion-mnist
TEST_IMAGES=$FM/t10k-images-idx3-ubyte.gz
TRAIN_IMAGES=$FM/train-images-idx3-ubyte.gz
SAN=${MASKPIPE_SAN:-0}

# the interpreter itself, not a wrapper (a pyenv shim costs 0.1 s a call)
PYTHON=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null)
python3() {
	if [ -n "$PYTHON" ]; then "$PYTHON" "$@"; else command python3 "$@"; fi
}

# mp FILE [MODE]: prints the maps of a record stream (zstd or plain
# msgpack; mp.py reads it decompressed on stdin) as JSON lines, bins as
# {"bin": HEX}. MODE: all (default); header (the first header); prov (its provenance, one stage a line);
# records; sorted (records, keys sorted); keys (each record's key list);
# without=KEY (records less KEY); or a field name (its value in each
# record, "-" when absent).
cat >"$T/mp.py" <<'EOF'
import json, os, sys
sys.path.insert(0, os.path.join(os.environ['ROOT'], 'tests', 'pipeline'))
from msgpack_lite import unpack_all

def bin_as_hex(v):
    if isinstance(v, bytes):
        return {'bin': v.hex()}
    raise TypeError(type(v))

def show(v, **kw):
    print(json.dumps(v, separators=(',', ':'), default=bin_as_hex, **kw))

data = sys.stdin.buffer.read()
mode = sys.argv[1] if len(sys.argv) > 1 else 'all'
header = None
for m in unpack_all(data):
    if not isinstance(m, dict):
        raise ValueError('a map must start here, not %r' % (m,))
    if 'maskpipe_end' in m:  # the end marker: stream metadata, like a header
        if mode == 'all':
            show(m)
        continue
    if 'maskpipe' in m:
        if mode == 'all':
            show(m)
        if header is None:
            header = m
            if mode == 'header':
                show(m)
            elif mode == 'prov':
                for stage in m.get('provenance', []):
                    show(stage)
        continue
    if mode in ('all', 'records'):
        show(m)
    elif mode == 'sorted':
        show(m, sort_keys=True)
    elif mode == 'keys':
        show(list(m))
    elif mode.startswith('without='):
        m.pop(mode[8:], None)
        show(m)
    elif mode not in ('header', 'prov'):
        show(m.get(mode, '-'))
EOF

mp() {
	# zstd -f passes plain msgpack through unchanged
	zstd -dcqf <"$1" | python3 -I -B "$T/mp.py" ${2:+"$2"}
}

# differs NAME A B: passes when the two strings differ
differs() {
	if [ "$2" != "$3" ]; then
		echo "PASS $1"
	else
		echo "FAIL $1 (both are: $(printf '%s' "$2" | head -c 200))"
	fi
}

# closed_out CMD...: runs CMD with its standard output a pipe nobody reads
closed_out() {
	python3 -c 'import os, subprocess, sys
r, w = os.pipe()
os.close(r)
sys.exit(subprocess.call(sys.argv[1:], stdout=w))' "$@"
}

# nth_lines A B: lines A to B of stdin
nth_lines() {
	sed -n "$1,$2p"
}

ms() {
	echo $(($(date +%s%N) / 1000000))
}

# Every check prints one PASS or FAIL line; a FAIL also makes the script
# exit 1 at the end, so that tests/run.sh shows the details on stderr.
main() {
# The input streams: real Fashion-MNIST test images (ids
# fashion-mnist:t10k:I, a label and a 28x28x1 img). `big` spans two zstd
# frames (a frame ends after about 1 MiB, some 1250 such records).
N_BIG=1500
N=40
decode() {
	img-decode --quiet --limit "$1" "$TEST_IMAGES" >"$2" 2>"$T/decode.err"
}
if decode "$N_BIG" "$T/big.rec" && decode "$N" "$T/a.rec"; then
	echo "PASS img-decode makes the input streams"
else
	echo "FAIL img-decode makes the input streams (mkrec stands in: $(head -c 300 "$T/decode.err"))"
	for n in "$N_BIG" "$N"; do
		mkrec -n "$n" --field "id=str:fashion-mnist:t10k:{i}" --field "label=int:{i}" \
			--img 28x28x1 >"$T/in$n.rec"
	done
	mv "$T/in$N_BIG.rec" "$T/big.rec"
	mv "$T/in$N.rec" "$T/a.rec"
fi
img-decode --quiet --offset "$N" --limit 25 "$TEST_IMAGES" >"$T/b.rec" 2>/dev/null ||
	mkrec -n 25 --field "id=str:fashion-mnist:t10k:{i}" >"$T/b.rec"
A_RECORDS=$(mp "$T/a.rec" records)
A_IDS=$(mp "$T/a.rec" id)
BIG_RECORDS=$(mp "$T/big.rec" records)
is "the input has $N records" "$(printf '%s\n' "$A_RECORDS" | wc -l)" "$N"

### rec-count

is "rec-count counts a file" "$(rec-count "$T/a.rec")" "$N"
is "rec-count counts stdin" "$(rec-count <"$T/a.rec")" "$N"
is "rec-count counts a stream of two frames" "$(rec-count - <"$T/big.rec")" "$N_BIG"
is "rec-count of several files: a line per file and a total" \
	"$(cd "$T" && rec-count a.rec b.rec big.rec)" \
	"$(printf '%s\ta.rec\n25\tb.rec\n%s\tbig.rec\n%s\ttotal' "$N" "$N_BIG" $((N + 25 + N_BIG)))"
is "rec-count -t prints only the total" "$(rec-count -t "$T/a.rec" "$T/b.rec")" $((N + 25))
is "rec-count --total" "$(rec-count --total "$T/a.rec" "$T/b.rec" "$T/a.rec")" $((N + N + 25))
is "cat a.rec b.rec | rec-count is the sum" "$(cat "$T/a.rec" "$T/b.rec" | rec-count)" $((N + 25))
is "cat of three streams, two frames each in one" \
	"$(cat "$T/big.rec" "$T/a.rec" "$T/big.rec" | rec-count)" $((N_BIG + N + N_BIG))
MASKPIPE_PLAIN=1 rec-head -n 7 "$T/a.rec" >"$T/plain.rec"
is "MASKPIPE_PLAIN=1 writes plain msgpack (a map first, no zstd magic)" \
	"$(od -An -tx1 -N1 "$T/plain.rec" | tr -d ' ' | cut -c1)" 8
is "rec-count reads plain msgpack" "$(rec-count "$T/plain.rec")" 7
is "rec-count reads plain and compressed streams concatenated" \
	"$(cat "$T/plain.rec" "$T/a.rec" "$T/plain.rec" | rec-count)" $((7 + N + 7))

: >"$T/empty.rec"
fails "rec-count: empty input is an error" 1 rec-count "$T/empty.rec"
says "rec-count: the empty input is named" "empty.rec" "record"
printf 'id,label\nshirt/1.png,3\n' >"$T/garbage.rec"
fails "rec-count: a text file is an error" 1 rec-count "$T/garbage.rec"
says "rec-count: the text file is named" "garbage.rec" "record"
size=$(wc -c <"$T/big.rec")
head -c $((size - 100)) "$T/big.rec" >"$T/cut-end.rec"
fails "rec-count: a stream cut short is an error" 1 rec-count "$T/cut-end.rec"
says "rec-count: the cut stream and record are named" "cut-end.rec" "record" "trunc"
head -c $((size / 3)) "$T/big.rec" >"$T/cut-third.rec"
fails "rec-count: a stream cut in its first frame is an error" 1 rec-count "$T/cut-third.rec"
says "rec-count: ... named, with its record" "cut-third.rec" "record"
# a byte flipped inside the second frame: the content checksum catches it
python3 -c 'import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[len(b) - 2000] ^= 0x40
open(sys.argv[2], "wb").write(b)' "$T/big.rec" "$T/flipped.rec"
fails "rec-count: a damaged frame is an error" 1 rec-count "$T/flipped.rec"
says "rec-count: the damaged stream is named" "flipped.rec" "record"
fails "rec-count: a bad file among several is an error" 1 rec-count "$T/a.rec" "$T/garbage.rec" "$T/b.rec"
says "rec-count: ... and it is the one named" "garbage.rec"
# only a header may follow an end marker
mkrec -n 2 --field id=str:h{i} >"$T/ended.rec"
mkrec -n 1 --no-header --field id=str:after{i} >"$T/after.rec"
cat "$T/ended.rec" "$T/after.rec" >"$T/after-end.rec"
fails "rec-count: a record after the end marker is an error" 1 rec-count "$T/after-end.rec"
says "  names the stream and the record" after-end.rec "record 2" "end marker"
cat "$T/ended.rec" "$T/ended.rec" >"$T/twice.rec"
prints "rec-count: a header after it starts a new part" 4 rec-count "$T/twice.rec"
# a str a stage reads must be UTF-8
printf '\201\242id\242a\377' >"$T/badid.rec"
fails "rec-join: an id that is not UTF-8" 1 rec-join "$T/a.rec" "$T/badid.rec"
says "  names the stream, record and field" badid.rec "record 0" "'id'" "not valid UTF-8"
# the record limit, raised or lowered for a whole pipeline by one variable
mkrec -n 1 --img 1024x1024x3 >"$T/3mib.rec"
fails "a record over MASKPIPE_MAX_RECORD_MB" 1 env MASKPIPE_MAX_RECORD_MB=2 rec-count "$T/3mib.rec"
says "  names the stream, the record and the limit" 3mib.rec "record 0" "2 MiB" MASKPIPE_MAX_RECORD_MB
prints "  within it" 1 env MASKPIPE_MAX_RECORD_MB=4 rec-count "$T/3mib.rec"
fails "  rec-head fails on it" 1 env MASKPIPE_MAX_RECORD_MB=2 rec-head -o "$T/3mib-out.rec" "$T/3mib.rec"
ok "  writing nothing" test ! -e "$T/3mib-out.rec"
fails "rec-count: a missing file" 1 rec-count "$T/no-such.rec"
says "rec-count: the missing file is named" "no-such.rec"
fails "rec-count: an unknown option is bad usage" 2 rec-count --records=3 "$T/a.rec"

### rec-head

is "rec-head passes 10 records by default" "$(rec-head "$T/a.rec" | rec-count)" 10
rec-head -n 5 "$T/a.rec" >"$T/h5.rec"
is "rec-head -n 5: the first five records, byte for byte" \
	"$(mp "$T/h5.rec" records)" "$(printf '%s\n' "$A_RECORDS" | nth_lines 1 5)"
rec-head -s 3 -n 4 <"$T/a.rec" >"$T/s3n4.rec"
is "rec-head -s 3 -n 4: records 3 to 6" \
	"$(mp "$T/s3n4.rec" records)" "$(printf '%s\n' "$A_RECORDS" | nth_lines 4 7)"
rec-head --skip 1240 --records 20 "$T/big.rec" >"$T/across.rec"
is "rec-head across a frame boundary" \
	"$(mp "$T/across.rec" records)" "$(printf '%s\n' "$BIG_RECORDS" | nth_lines 1241 1260)"
is "rec-head -n more than there are: all of them" "$(rec-head -n 100000 "$T/a.rec" | rec-count)" "$N"
is "rec-head -s past the end: none" "$(rec-head -s 100000 "$T/a.rec" | rec-count)" 0
is "rec-head -s 1 -n INT64_MAX: all but one (no overflow)" \
	"$(rec-head -s 1 -n 9223372036854775807 "$T/a.rec" | rec-count)" "$((N - 1))"
quiet "rec-head -n 0 exits 0" rec-head -n 0 -o "$T/h0.rec" "$T/a.rec"
is "rec-head -n 0: a valid stream of 0 records" "$(rec-count "$T/h0.rec")" 0
is "rec-head -n 0: the header is there" "$(mp "$T/h0.rec" prov | tail -n 1)" \
	"[\"rec-head\",\"-n\",\"0\",\"-o\",\"$T/h0.rec\",\"$T/a.rec\"]"
is "rec-head keeps the header's earlier provenance" "$(mp "$T/h5.rec" prov | head -n 1)" \
	"$(mp "$T/a.rec" prov | head -n 1)"
fails "rec-head -n -1 is bad usage" 2 rec-head -n -1 "$T/a.rec"
fails "rec-head -n x is bad usage" 2 rec-head -n x "$T/a.rec"
fails "rec-head with two files is bad usage" 2 rec-head "$T/a.rec" "$T/b.rec"
ok "rec-head -n 5 does not read on to damage further on" rec-head -n 5 "$T/cut-end.rec"
fails "rec-head: a stream cut before the records wanted" 1 rec-head -n 5000 "$T/cut-end.rec"
says "rec-head: ... is named, with the record" "cut-end.rec" "record"

# a pipeline that stops early: img-decode ends quietly, long before it
# would have decoded the 60,000 training images
start=$(ms)
{
	img-decode "$TRAIN_IMAGES" 2>"$T/dec.err"
	echo $? >"$T/dec.rc"
} | rec-head -n 1 >"$T/first.rec" 2>"$T/head.err"
head_rc=$?
head_ms=$(($(ms) - start))
is "img-decode BIG | rec-head -n 1: rec-head exits 0" "$head_rc" 0
is "img-decode BIG | rec-head -n 1: img-decode exits 0" "$(cat "$T/dec.rc")" 0
is "img-decode BIG | rec-head -n 1: nothing on stderr" "$(cat "$T/dec.err" "$T/head.err")" ""
is "img-decode BIG | rec-head -n 1: the first training image" "$(mp "$T/first.rec" id)" \
	'"fashion-mnist:train:0"'
if [ "$SAN" = 1 ]; then
	echo "PASS img-decode BIG | rec-head -n 1 is fast (timing skipped under the sanitizers)"
else
	start=$(ms)
	img-decode --quiet "$TRAIN_IMAGES" >/dev/null 2>&1
	full_ms=$(($(ms) - start))
	# wall times on a shared machine: a busy moment slows one run, so the
	# early stop gets two more tries (a decoder that read everything
	# would fail all three)
	for try in 2 3; do
		[ $((head_ms * 4)) -ge "$full_ms" ] || break
		start=$(ms)
		img-decode "$TRAIN_IMAGES" 2>/dev/null | rec-head -n 1 >"$T/first.rec" 2>/dev/null
		head_ms=$(($(ms) - start))
	done
	if [ $((head_ms * 4)) -lt "$full_ms" ]; then
		echo "PASS img-decode BIG | rec-head -n 1 is fast (${head_ms} ms, whole decode ${full_ms} ms)"
	else
		echo "FAIL img-decode BIG | rec-head -n 1 is fast (${head_ms} ms, whole decode ${full_ms} ms)"
	fi
fi

# -o: the file appears whole or not at all, and nothing else is left
mkdir "$T/out"
ok "rec-head -o writes the file" rec-head -n 3 -o "$T/out/three.rec" "$T/a.rec"
is "rec-head -o: the file holds the records" "$(mp "$T/out/three.rec" records)" \
	"$(printf '%s\n' "$A_RECORDS" | nth_lines 1 3)"
is "rec-head -o: nothing else in the directory" "$(ls -A "$T/out")" "three.rec"
is "rec-head -o: nothing on stdout" "$(wc -c <"$T/.stdout")" 0
cp "$T/out/three.rec" "$T/three.copy"
fails "rec-head -o from a text file fails" 1 rec-head -n 3 -o "$T/out/three.rec" "$T/garbage.rec"
is "rec-head -o: a failure keeps the old file" "$(cmp "$T/out/three.rec" "$T/three.copy" && echo same)" same
fails "rec-head -o from a stream cut short fails" 1 rec-head -n 5000 -o "$T/out/long.rec" "$T/cut-end.rec"
is "rec-head -o: failures leave no file behind" "$(ls -A "$T/out")" "three.rec"
fails "rec-head -o into a missing directory fails" 1 rec-head -o "$T/none/x.rec" "$T/a.rec"

### rec-cut

rec-cut -k id,label "$T/a.rec" >"$T/k.rec"
is "rec-cut -k id,label: exactly those keys" "$(mp "$T/k.rec" keys | sort -u)" '["id","label"]'
is "rec-cut -k: the ids are unchanged" "$(mp "$T/k.rec" id)" "$A_IDS"
is "rec-cut -k: the labels are unchanged" "$(mp "$T/k.rec" label)" "$(mp "$T/a.rec" label)"
is "rec-cut -k: as many records" "$(rec-count "$T/k.rec")" "$N"
is "rec-cut -k keeps the record's order of fields, not the list's" \
	"$(rec-cut --keep img,id "$T/a.rec" | mp /dev/stdin keys | sort -u)" '["id","img"]'
is "rec-cut -k img: the pixels byte for byte" \
	"$(rec-cut -k img "$T/a.rec" | mp /dev/stdin img)" "$(mp "$T/a.rec" img)"
rec-cut -d img <"$T/a.rec" >"$T/d.rec"
is "rec-cut -d img: the other keys" "$(mp "$T/d.rec" keys | sort -u)" '["id","label"]'
is "rec-cut -d img: the same as -k id,label" "$(mp "$T/d.rec" records)" "$(mp "$T/k.rec" records)"
is "rec-cut --drop label,img: only id" \
	"$(rec-cut --drop label,img "$T/a.rec" | mp /dev/stdin keys | sort -u)" '["id"]'
is "rec-cut -d of a field no record has changes nothing" \
	"$(rec-cut -d boxes "$T/a.rec" | mp /dev/stdin records)" "$A_RECORDS"
is "rec-cut -k of a field no record has: empty records, all kept" \
	"$(rec-cut -k boxes "$T/a.rec" | mp /dev/stdin records | sort | uniq -c | tr -s ' ')" " $N {}"
is "rec-cut: names are exact (Label is not label)" \
	"$(rec-cut -d Label,ID "$T/a.rec" | mp /dev/stdin records)" "$A_RECORDS"
rec-repeat -n 2 "$T/a.rec" | rec-cut -d img >"$T/cut-rep.rec"
is "rec-cut leaves the header's fields alone" \
	"$(mp "$T/cut-rep.rec" header | python3 -c 'import json, sys
h = json.load(sys.stdin); print(h["epochs"], h["epoch_size"])')" "2 $N"
is "rec-cut keeps the records' other fields (epoch)" \
	"$(mp "$T/cut-rep.rec" keys | sort -u)" '["id","label","epoch"]'
rec-cut -k id,label -o "$T/cut-prov.rec" "$T/a.rec"
is "rec-cut: its LIST is whole in the provenance" "$(mp "$T/cut-prov.rec" prov | tail -n 1)" \
	"[\"rec-cut\",\"-k\",\"id,label\",\"-o\",\"$T/cut-prov.rec\",\"$T/a.rec\"]"
fails "rec-cut -k and -d together are bad usage" 2 rec-cut -k id -d img "$T/a.rec"
says "rec-cut -k and -d: the message says so" "keep" "drop"
fails "rec-cut -k twice is bad usage" 2 rec-cut -k id -k label "$T/a.rec"
fails "rec-cut without -k or -d is bad usage" 2 rec-cut "$T/a.rec"
fails "rec-cut -k '' is bad usage" 2 rec-cut -k '' "$T/a.rec"
fails "rec-cut -k , is bad usage" 2 rec-cut -k , "$T/a.rec"
fails "rec-cut on a text file" 1 rec-cut -k id "$T/garbage.rec"
says "rec-cut on a text file: named" "garbage.rec" "record"

### rec-join

# a cache of the labels, joined into the stream without them
rec-cut -k id,label "$T/big.rec" >"$T/labels.rec"
rec-cut -d label "$T/big.rec" >"$T/nolabel.rec"
rec-join "$T/labels.rec" "$T/nolabel.rec" >"$T/joined.rec"
is "rec-join restores the dropped labels (every record, same fields and values)" \
	"$(mp "$T/joined.rec" sorted)" "$(mp "$T/big.rec" sorted)"
is "rec-join keeps the order of the stream" "$(mp "$T/joined.rec" id)" "$(mp "$T/big.rec" id)"
is "rec-join adds new fields at the end" "$(mp "$T/joined.rec" keys | sort -u)" '["id","img","label"]'
# the last field, cut and joined back, restores the records byte for byte
rec-cut -k id,img "$T/a.rec" >"$T/imgs.rec"
rec-cut -d img "$T/a.rec" | rec-join "$T/imgs.rec" >"$T/rejoined.rec"
is "rec-join restores cut pixels byte for byte" "$(mp "$T/rejoined.rec" records)" "$A_RECORDS"
rec-shuffle -s 9 "$T/labels.rec" >"$T/labels-shuffled.rec"
is "rec-join: the cache's order does not matter" \
	"$(rec-join "$T/labels-shuffled.rec" "$T/nolabel.rec" | mp /dev/stdin records)" \
	"$(mp "$T/joined.rec" records)"
is "rec-join: the output header is the input's plus rec-join" \
	"$(mp "$T/joined.rec" prov | sed 's/",.*//')" \
	"$(printf '["img-decode\n["rec-cut\n["rec-join')"

# a cache that covers only the first 5 records of a.rec
rec-cut -k id,label "$T/a.rec" | rec-head -n 5 >"$T/labels5.rec"
rec-cut -d label "$T/a.rec" >"$T/a-nolabel.rec"
fails "rec-join: an id missing from the cache is an error" 1 rec-join "$T/labels5.rec" "$T/a-nolabel.rec"
says "rec-join: ... naming the record and the cache" "record 5" "labels5.rec" "$(echo "$A_IDS" | sed -n '6p' | tr -d '"')"
is "rec-join -m error is the default" "$(rec-join -m error "$T/labels5.rec" "$T/a-nolabel.rec" 2>/dev/null; echo $?)" 1
rec-join --missing drop "$T/labels5.rec" "$T/a-nolabel.rec" >"$T/drop.rec"
is "rec-join -m drop: only the records in the cache" "$(mp "$T/drop.rec" records)" \
	"$(printf '%s\n' "$A_RECORDS" | nth_lines 1 5 | python3 -c 'import json, sys
for line in sys.stdin:
    r = json.loads(line); label = r.pop("label"); r["label"] = label
    print(json.dumps(r, separators=(",", ":")))')"
rec-join -m keep "$T/labels5.rec" "$T/a-nolabel.rec" >"$T/keep.rec"
is "rec-join -m keep: every record" "$(rec-count "$T/keep.rec")" "$N"
is "rec-join -m keep: labels on the first 5 only" "$(mp "$T/keep.rec" label | nth_lines 5 6)" \
	"$(printf '%s\n"-"' "$(mp "$T/a.rec" label | sed -n 5p)")"
is "rec-join -m keep: the others unchanged" "$(mp "$T/keep.rec" records | nth_lines 6 "$N")" \
	"$(mp "$T/a-nolabel.rec" records | nth_lines 6 "$N")"
fails "rec-join -m with an unknown action is bad usage" 2 rec-join -m skip "$T/labels5.rec" "$T/a.rec"
fails "rec-join without a CACHE is bad usage" 2 rec-join
fails "rec-join with two input files is bad usage" 2 rec-join "$T/labels.rec" "$T/a.rec" "$T/b.rec"

# duplicate ids in the cache
cat "$T/labels5.rec" "$T/labels5.rec" >"$T/dup.rec"
fails "rec-join: duplicate ids in the cache are an error" 1 rec-join "$T/dup.rec" "$T/a-nolabel.rec"
says "rec-join: ... naming the cache, the record and the id" "dup.rec" "record 5" \
	"$(echo "$A_IDS" | sed -n '1p' | tr -d '"')"
rec-cut -d id "$T/labels5.rec" >"$T/noid.rec"
fails "rec-join: a cache record without id is an error" 1 rec-join "$T/noid.rec" "$T/a.rec"
says "rec-join: ... naming the cache" "noid.rec" "id"
fails "rec-join: an input record without id is an error" 1 rec-join -m keep "$T/labels5.rec" "$T/noid.rec"
says "rec-join: ... naming the input and the record" "noid.rec" "record 0" "id"
# ids are msgpack str, which may hold any byte, NUL included
mkrec -n 1 --field id=mpk:a3610062 --field x=int:1 >"$T/nul-cache.rec"
mkrec -n 1 --field id=mpk:a3610062 >"$T/nul-in.rec"
is "rec-join matches an id that holds a NUL byte" \
	"$(rec-join -m keep "$T/nul-cache.rec" "$T/nul-in.rec" | mp /dev/stdin x)" 1
cat "$T/nul-cache.rec" "$T/nul-cache.rec" >"$T/nul-dup.rec"
fails "rec-join: duplicate ids holding a NUL byte are an error" 1 \
	rec-join -m keep "$T/nul-dup.rec" "$T/nul-in.rec"
fails "rec-join: a cache that is not a stream" 1 rec-join "$T/garbage.rec" "$T/a.rec"
says "rec-join: ... is named" "garbage.rec"

# --fields and --no-replace: a cache for the ids of a.rec (the first N
# test images) whose labels disagree, with a field the stream lacks
mkrec -n "$N" --field "id=str:fashion-mnist:t10k:{i}" --field label=int:99 \
	--field "note=str:n{i}" >"$T/cache99.rec"
A_LABELS=$(mp "$T/a.rec" label)
rec-join "$T/cache99.rec" "$T/a.rec" >"$T/replaced.rec"
is "rec-join replaces a field the record has, in place" "$(mp "$T/replaced.rec" keys | sort -u)" \
	'["id","label","img","note"]'
is "rec-join: the cache's value replaces the record's" "$(mp "$T/replaced.rec" label | sort -u)" 99
is "rec-join: the other fields unchanged" "$(mp "$T/replaced.rec" img)" "$(mp "$T/a.rec" img)"
rec-join --no-replace "$T/cache99.rec" "$T/a.rec" >"$T/kept.rec"
is "rec-join --no-replace keeps the record's value" "$(mp "$T/kept.rec" label)" "$A_LABELS"
is "rec-join --no-replace still adds what the record lacks" "$(mp "$T/kept.rec" note | nth_lines 1 2)" \
	"$(printf '"n0"\n"n1"')"
rec-join -f note "$T/cache99.rec" "$T/a.rec" >"$T/note.rec"
is "rec-join -f note: only that field is taken" \
	"$(mp "$T/note.rec" keys | sort -u) $(mp "$T/note.rec" label | tr '\n' ' ')" \
	"[\"id\",\"label\",\"img\",\"note\"] $(printf '%s\n' "$A_LABELS" | tr '\n' ' ')"
is "rec-join --fields label,note takes both" \
	"$(rec-join --fields label,note "$T/cache99.rec" "$T/a.rec" | mp /dev/stdin records)" \
	"$(mp "$T/replaced.rec" records)"
is "rec-join -f id takes nothing (id is the key)" \
	"$(rec-join -f id "$T/cache99.rec" "$T/a.rec" | mp /dev/stdin records)" "$A_RECORDS"
is "rec-join -f of a field the cache lacks adds nothing" \
	"$(rec-join -f boxes "$T/cache99.rec" "$T/a.rec" | mp /dev/stdin records)" "$A_RECORDS"

### rec-shuffle

rec-shuffle -s 5 "$T/big.rec" >"$T/sh5a.rec"
rec-shuffle -s 5 "$T/big.rec" >"$T/sh5b.rec"
is "rec-shuffle: the same seed gives byte-identical output" \
	"$(cmp "$T/sh5a.rec" "$T/sh5b.rec" && echo same)" same
MASKPIPE_ZSTD_THREADS=1 rec-shuffle -s 5 "$T/big.rec" >"$T/sh5-1.rec"
MASKPIPE_ZSTD_THREADS=4 rec-shuffle -s 5 "$T/big.rec" >"$T/sh5-4.rec"
is "rec-shuffle: output bytes do not depend on MASKPIPE_ZSTD_THREADS" \
	"$(cmp "$T/sh5-1.rec" "$T/sh5-4.rec" && cmp "$T/sh5-1.rec" "$T/sh5a.rec" && echo same)" same
SH5=$(mp "$T/sh5a.rec" id)
differs "rec-shuffle changes the order" "$SH5" "$(mp "$T/big.rec" id)"
differs "rec-shuffle: another seed, another order" "$SH5" "$(rec-shuffle -s 6 "$T/big.rec" | mp /dev/stdin id)"
is "rec-shuffle: the same records, each byte for byte" \
	"$(mp "$T/sh5a.rec" records | sort)" "$(printf '%s\n' "$BIG_RECORDS" | sort)"
is "rec-shuffle: the same multiset of ids" "$(printf '%s\n' "$SH5" | sort)" "$(mp "$T/big.rec" id | sort)"
is "rec-shuffle: the provenance grows by one entry" \
	"$(mp "$T/sh5a.rec" prov)" "$(mp "$T/big.rec" prov; printf '["rec-shuffle","-s","5","%s"]' "$T/big.rec")"
# the order depends only on the seed and the count: two streams of N
# records get the same permutation of their positions
index_order() {
	mp "$1" id | sed 's/.*:\([0-9]*\)"$/\1/' | tr '\n' ' '
}
mkrec -n "$N" --field "id=str:x:{i}" | rec-shuffle -s 11 >"$T/other-sh.rec"
rec-shuffle -s 11 "$T/a.rec" >"$T/a-sh.rec"
is "rec-shuffle: the order depends only on the seed and the count" \
	"$(index_order "$T/other-sh.rec")" "$(index_order "$T/a-sh.rec")"
is "rec-shuffle -s S is rec-repeat's epoch 0 with seed S" \
	"$(rec-shuffle -s 4 "$T/a.rec" | mp /dev/stdin id)" "$(rec-repeat -s 4 "$T/a.rec" | mp /dev/stdin id)"
is "rec-shuffle of a header alone: a header alone" "$(rec-shuffle "$T/h0.rec" | rec-count)" 0
fails "rec-shuffle -s -1 is bad usage" 2 rec-shuffle -s -1 "$T/a.rec"
fails "rec-shuffle -s x is bad usage" 2 rec-shuffle -s x "$T/a.rec"
fails "rec-shuffle: a stream cut short" 1 rec-shuffle "$T/cut-end.rec"
says "rec-shuffle: ... is named" "cut-end.rec" "record"

### rec-repeat

rec-repeat -n 3 -s 2 "$T/a.rec" >"$T/rep.rec"
is "rec-repeat -n 3: three times the records" "$(rec-count "$T/rep.rec")" $((3 * N))
is "rec-repeat -n 3: epochs 0, 1, 2 in blocks of N" \
	"$(mp "$T/rep.rec" epoch | uniq -c | tr -s ' ')" "$(printf ' %s 0\n %s 1\n %s 2' "$N" "$N" "$N")"
is "rec-repeat: the header has epochs=3 and epoch_size=N" \
	"$(mp "$T/rep.rec" header | python3 -c 'import json, sys
h = json.load(sys.stdin); print(h.get("epochs"), h.get("epoch_size"))')" "3 $N"
REP=$(mp "$T/rep.rec" without=epoch)
SORTED_A=$(printf '%s\n' "$A_RECORDS" | sort)
for e in 0 1 2; do
	is "rec-repeat: epoch $e holds every record once, unchanged" \
		"$(printf '%s\n' "$REP" | nth_lines $((e * N + 1)) $((e * N + N)) | sort)" "$SORTED_A"
done
ids_of_epoch() {
	mp "$1" id | nth_lines $(($2 * N + 1)) $(($2 * N + N))
}
E0=$(ids_of_epoch "$T/rep.rec" 0)
E1=$(ids_of_epoch "$T/rep.rec" 1)
E2=$(ids_of_epoch "$T/rep.rec" 2)
differs "rec-repeat: epochs 0 and 1 in different orders" "$E0" "$E1"
differs "rec-repeat: epochs 1 and 2 in different orders" "$E1" "$E2"
differs "rec-repeat: epoch 0 is shuffled" "$E0" "$A_IDS"
is "rec-repeat: epoch 0 is rec-shuffle's order" "$E0" "$(rec-shuffle -s 2 "$T/a.rec" | mp /dev/stdin id)"
is "rec-repeat: the epoch field comes last" "$(mp "$T/rep.rec" keys | sort -u)" '["id","label","img","epoch"]'
rec-repeat -n 3 -s 2 "$T/a.rec" >"$T/rep-again.rec"
is "rec-repeat: the same command, byte-identical output" \
	"$(cmp "$T/rep.rec" "$T/rep-again.rec" && echo same)" same
differs "rec-repeat: another seed, another order" "$E0" \
	"$(rec-repeat -n 1 -s 3 "$T/a.rec" | mp /dev/stdin id)"
rec-repeat -n 2 --no-shuffle "$T/a.rec" >"$T/rep-ns.rec"
is "rec-repeat --no-shuffle keeps the input order in every epoch" "$(mp "$T/rep-ns.rec" id)" \
	"$(printf '%s\n%s' "$A_IDS" "$A_IDS")"
is "rec-repeat --no-shuffle: epochs 0 and 1" "$(mp "$T/rep-ns.rec" epoch | uniq -c | tr -s ' ')" \
	"$(printf ' %s 0\n %s 1' "$N" "$N")"
rec-repeat -n 2 --start 5 -s 2 "$T/a.rec" >"$T/rep-start.rec"
is "rec-repeat --start 5 -n 2: epochs 5 and 6" "$(mp "$T/rep-start.rec" epoch | uniq -c | tr -s ' ')" \
	"$(printf ' %s 5\n %s 6' "$N" "$N")"
is "rec-repeat --start 5: the header says epochs=2" \
	"$(mp "$T/rep-start.rec" header | python3 -c 'import json, sys
h = json.load(sys.stdin); print(h.get("epochs"), h.get("epoch_size"))')" "2 $N"
is "rec-repeat --start 5: epoch 5 in the order of a run from 0" \
	"$(ids_of_epoch "$T/rep-start.rec" 0)" "$(rec-repeat -n 6 -s 2 "$T/a.rec" >"$T/rep6.rec"; ids_of_epoch "$T/rep6.rec" 5)"
# repeating a repeated stream: epoch replaced, header counts replaced
rec-repeat -n 1 --start 9 "$T/rep-ns.rec" >"$T/rep-rep.rec"
is "rec-repeat of a repeated stream: one epoch field, the new value" \
	"$(mp "$T/rep-rep.rec" keys | sort -u) $(mp "$T/rep-rep.rec" epoch | sort -u)" '["id","label","img","epoch"] 9'
is "rec-repeat of a repeated stream: header counts replaced" \
	"$(mp "$T/rep-rep.rec" header | python3 -c 'import json, sys
h = json.load(sys.stdin); print(h.get("epochs"), h.get("epoch_size"), len(h["provenance"]))')" \
	"1 $((2 * N)) 3"
is "rec-repeat of a header alone: epoch_size 0, no records" \
	"$(rec-repeat -n 4 "$T/h0.rec" | mp /dev/stdin header | python3 -c 'import json, sys
h = json.load(sys.stdin); print(h.get("epochs"), h.get("epoch_size"))')" "4 0"
fails "rec-repeat -n 0 is bad usage" 2 rec-repeat -n 0 "$T/a.rec"
fails "rec-repeat --start -1 is bad usage" 2 rec-repeat --start -1 "$T/a.rec"
fails "rec-repeat: a stream cut short" 1 rec-repeat -n 2 "$T/cut-third.rec"
says "rec-repeat: ... is named" "cut-third.rec" "record"

### pipelines

# a masked-image-modeling style pipeline, every stage in the provenance
img-decode --quiet --limit 60 "$TEST_IMAGES" 2>/dev/null | rec-cut -d img,label |
	rec-join "$T/labels.rec" | rec-shuffle -s 1 | rec-repeat -n 2 | rec-head -n 100 >"$T/pipe.rec"
is "a pipeline gives what its last stage wants" "$(rec-count "$T/pipe.rec")" 100
is "the provenance names every stage, in order" "$(mp "$T/pipe.rec" prov | sed 's/^\["\([^"]*\)".*/\1/')" \
	"$(printf 'img-decode\nrec-cut\nrec-join\nrec-shuffle\nrec-repeat\nrec-head')"
is "the provenance holds every stage's command line" "$(mp "$T/pipe.rec" prov)" \
	"$(printf '%s\n' "[\"img-decode\",\"--quiet\",\"--limit\",\"60\",\"$TEST_IMAGES\"]" \
		'["rec-cut","-d","img,label"]' "[\"rec-join\",\"$T/labels.rec\"]" '["rec-shuffle","-s","1"]' \
		'["rec-repeat","-n","2"]' '["rec-head","-n","100"]')"
is "the pipeline's records: the 60 images' ids with their labels joined back" \
	"$(mp "$T/pipe.rec" without=epoch | sort -u)" "$(mp "$T/labels.rec" records | nth_lines 1 60 | sort)"
is "the pipeline's records: all of epoch 0, then 40 of epoch 1" \
	"$(mp "$T/pipe.rec" epoch | uniq -c | tr -s ' ')" "$(printf ' 60 0\n 40 1')"
is "the pipeline's header keeps rec-repeat's counts" \
	"$(mp "$T/pipe.rec" header | python3 -c 'import json, sys
h = json.load(sys.stdin); print(h.get("epochs"), h.get("epoch_size"))')" "2 60"

# every tool ends quietly when the reader of its output goes away
quiet "closed output: rec-count" closed_out rec-count "$T/big.rec"
quiet "closed output: rec-head" closed_out rec-head -n 1000 "$T/big.rec"
quiet "closed output: rec-cut" closed_out rec-cut -k id "$T/big.rec"
quiet "closed output: rec-join" closed_out rec-join "$T/labels.rec" "$T/nolabel.rec"
quiet "closed output: rec-shuffle" closed_out rec-shuffle "$T/big.rec"
quiet "closed output: rec-repeat" closed_out rec-repeat -n 2 "$T/big.rec"
quiet "closed output: img-decode" closed_out img-decode --quiet "$TEST_IMAGES"
}

main | tee "$T/.results"
! grep -q '^FAIL' "$T/.results"
