# img-decode: every input kind through the tool, ids, labels, classes,
# slicing, channels, streaming, determinism and bad input.
. "$ROOT/tests/pipeline/lib.sh"
DATA=/usr/share/datasets/fashion-mnist
mkfixtures "$T/fx" >/dev/null 2>&1
# the fixture writer takes no option for its directory (it once made "--help/")
(cd "$T" && fails "mkfixtures: an option is not a directory" 2 mkfixtures -x)
is "  and makes nothing" "$(ls -d "$T/-x" 2>/dev/null)" ""
(cd "$T" && prints "mkfixtures --help: usage on stdout" "usage: mkfixtures DIR" mkfixtures --help)

# json FILE PYEXPR: evaluates PYEXPR over the list `recs` of JSON records
json() { python3 -c "import json,sys; recs=[json.loads(l) for l in open('$1')]; print($2)"; }

img-decode --limit 100 "$DATA/t10k-images-idx3-ubyte.gz" >"$T/t10k.rec"
ok "idx: 100 records" test "$(rec-count "$T/t10k.rec")" = 100
rec-cat "$T/t10k.rec" >"$T/t10k.json"
ok "idx: ids are dataset:split:index" test "$(json "$T/t10k.json" 'recs[99]["id"]')" = "fashion-mnist:t10k:99"
ok "idx: labels from the file beside" test "$(json "$T/t10k.json" '[r["label"] for r in recs[:5]]')" = "[9, 2, 1, 1, 6]"
ok "idx: 28x28 gray" test "$(json "$T/t10k.json" '{(r["img"]["w"],r["img"]["h"],r["img"]["c"]) for r in recs}')" = "{(28, 28, 1)}"

img-decode --offset 95 --limit 3 "$DATA/t10k-images-idx3-ubyte.gz" | rec-cat >"$T/slice.json"
ok "--offset/--limit take a slice" test "$(json "$T/slice.json" '[r["id"] for r in recs]')" = \
	"['fashion-mnist:t10k:95', 'fashion-mnist:t10k:96', 'fashion-mnist:t10k:97']"
img-decode -c 3 --limit 1 "$DATA/t10k-images-idx3-ubyte.gz" | rec-cat --full >"$T/rgb.json"
ok "--channels 3 replicates gray" test "$(json "$T/rgb.json" '(recs[0]["img"]["c"], recs[0]["img"]["px"][0::3] == recs[0]["img"]["px"][1::3] == recs[0]["img"]["px"][2::3], len(recs[0]["img"]["px"]))')" = "(3, True, 2352)"

# an ImageFolder tree: classes in sorted order, files at any depth, others ignored
tree="$T/tree"
mkdir -p "$tree/b_shirt/deep" "$tree/a_boot" "$tree/c_empty"
cp "$T/fx/png/rgb-8-7x5.png" "$tree/b_shirt/x.png"
cp "$T/fx/png/gray-8-7x5.png" "$tree/b_shirt/deep/y.PNG"
cp "$T/fx/jpeg/rgb.jpg" "$tree/a_boot/z.jpg"
cp "$T/fx/png/rgba-8-7x5.png" "$tree/top.png"
echo "not an image" >"$tree/a_boot/notes.txt"
img-decode "$tree" >"$T/tree.rec"
rec-cat -H "$T/tree.rec" >"$T/tree.json"
ok "tree: header lists the classes" test "$(json "$T/tree.json" 'recs[0]["classes"]')" = "['a_boot', 'b_shirt', 'c_empty']"
ok "tree: sorted ids with class labels" test "$(json "$T/tree.json" '[(r["id"], r.get("label")) for r in recs[1:]]')" = \
	"[('a_boot/z.jpg', 0), ('b_shirt/deep/y.PNG', 1), ('b_shirt/x.png', 1), ('top.png', None)]"
ok "tree: alpha dropped" test "$(json "$T/tree.json" 'recs[4]["img"]["c"]')" = 3
img-decode -c 1 "$tree" | rec-cat >"$T/tree1.json"
ok "tree: --channels 1" test "$(json "$T/tree1.json" '{r["img"]["c"] for r in recs}')" = "{1}"

mkdir -p "$T/tree2/a_boot" "$T/tree2/b_shirt" "$T/tree2/c_empty"
cp "$T/fx/jpeg/rgb.jpg" "$T/tree2/a_boot/z.jpg"
img-decode "$tree" "$T/tree2" | rec-cat >"$T/trees.json"
ok "two trees: ids keep the directory, so they stay unique" test \
	"$(json "$T/trees.json" 'len(set(r["id"] for r in recs)) == len(recs) == 5 and recs[4]["id"].endswith("tree2/a_boot/z.jpg")')" = True
mkdir -p "$T/tree3/other"
cp "$T/fx/jpeg/rgb.jpg" "$T/tree3/other/z.jpg"
fails "two trees with other classes" 1 img-decode "$tree" "$T/tree3"
says "  names the tree" tree3 class

# a file in a tree is read as its name says: an IDX file named .png is a bad PNG
mkdir -p "$T/tree4/a"
cp "$T/fx/idx/mini-images-idx3-ubyte" "$T/tree4/a/evil.png"
fails "tree: an IDX named .png is not many records" 1 img-decode "$T/tree4"
says "  names the file" evil.png PNG

# a pipe can be read once only: with --format it works, without it is refused
ok "pipe with --format" sh -c "cat '$DATA/t10k-images-idx3-ubyte.gz' |
	img-decode -q -f idx --name fm --labels '$DATA/t10k-labels-idx1-ubyte.gz' /dev/stdin |
	rec-count | grep -qx 10000"
fails "pipe without --format" 1 sh -c "cat '$DATA/t10k-images-idx3-ubyte.gz' | img-decode -q /dev/stdin"
says "  asks for --format" --format
fails "-o a directory" 2 img-decode -o "$T" "$tree"

# data-set layouts written by the fixture generator
ok "cifar-10 batch" test "$(img-decode "$T/fx/cifar10/data_batch_1.bin" | rec-count)" -gt 0
img-decode "$T/fx/cifar100/train.bin" | rec-cat >"$T/c100.json"
ok "cifar-100 has coarse labels" test "$(json "$T/c100.json" 'all("label_coarse" in r for r in recs)')" = True
img-decode "$T/fx/stl10/train_X.bin" | rec-cat >"$T/stl.json"
ok "stl-10: 96x96 RGB with labels" test "$(json "$T/stl.json" '{(r["img"]["w"], r["img"]["c"], "label" in r) for r in recs}')" = "{(96, 3, True)}"
ok "stdin: one PNG" test "$(img-decode <"$T/fx/png/rgb-8-33x17.png" | rec-cat | json /dev/stdin 'recs[0]["img"]["w"]')" = 33

# the same input gives the same bytes, whatever the compression threads
MASKPIPE_ZSTD_THREADS=1 img-decode --limit 3000 "$DATA/t10k-images-idx3-ubyte.gz" >"$T/a.rec"
MASKPIPE_ZSTD_THREADS=4 img-decode --limit 3000 "$DATA/t10k-images-idx3-ubyte.gz" >"$T/b.rec"
ok "byte-identical output for 1 and 4 threads" cmp "$T/a.rec" "$T/b.rec"

# streaming: the first record arrives before the decode ends, quietly
{ img-decode "$DATA/t10k-images-idx3-ubyte.gz" 2>"$T/head.err"; echo $? >"$T/head.rc"; } |
	rec-head -n 1 >"$T/one.rec" 2>>"$T/head.err"
head_rc=$?
ok "img-decode | rec-head -n 1: both exit 0" test "$(cat "$T/head.rc") $head_rc" = "0 0"
ok "  with nothing on stderr" test ! -s "$T/head.err"
ok "  one record" test "$(rec-count "$T/one.rec")" = 1

# bad input: one line naming the file (and image), exit 1, no output file left
cp "$T/fx/png/bad-crc.png" "$tree/b_shirt/broken.png"
fails "corrupt PNG in a tree" 1 img-decode "$tree" -o "$T/out.rec"
says "  names the file" broken.png CRC
ok "  leaves no output file" test ! -e "$T/out.rec"
ok "  nor a temporary one" test -z "$(ls -A "$T" | grep '\.tmp\.')"
ok "--skip-bad goes on" sh -c "img-decode --skip-bad '$tree' 2>/dev/null | rec-count | grep -qx 4"
rm "$tree/b_shirt/broken.png"
fails "not an image" 1 img-decode /etc/passwd
says "  says what it is not" /etc/passwd unrecognised
fails "truncated gzip IDX" 1 img-decode "$T/fx/idxbad/"*trunc*gz*
says "  names the image" image truncated
fails "missing file" 1 img-decode "$T/nonexistent.png"
fails "empty stdin" 1 img-decode </dev/null
fails "huge PNG header" 1 img-decode "$T/fx/png/bad-huge.png"
says "  refuses the size" bad-huge.png

# a data-set file without images is a mistake, not an empty data set
mkdir -p "$T/empty"
: >"$T/empty/data_batch_1.bin"
: >"$T/empty/train_X.bin"
printf '\0\0\10\3\0\0\0\0\0\0\0\34\0\0\0\34' >"$T/empty/e-images-idx3-ubyte"
gzip -c <"$T/empty/data_batch_1.bin" >"$T/empty/data_batch_2.bin.gz"
for f in data_batch_1.bin train_X.bin e-images-idx3-ubyte data_batch_2.bin.gz; do
	fails "an empty data-set file: $f" 1 img-decode -o "$T/empty.rec" "$T/empty/$f"
	says "  names it" "$f" "no images"
done
ok "  no output" test ! -e "$T/empty.rec"

# ids are UTF-8 text: a file or class directory whose name is not is refused
bad=$(printf 'b\377d')
mkdir -p "$T/latin/ok" "$T/latin1/$bad"
cp "$T/fx/png/gray-8-7x5.png" "$T/latin/ok/a.png"
cp "$T/fx/png/gray-8-7x5.png" "$T/latin/ok/$bad.png"
cp "$T/fx/png/gray-8-7x5.png" "$T/latin1/$bad/a.png"
fails "a file name that is not UTF-8" 1 img-decode -o "$T/latin.rec" "$T/latin"
says "  names it" "ok/$bad.png" "not valid UTF-8"
ok "  --skip-bad skips it" sh -c 'img-decode --skip-bad "$1" 2>/dev/null | rec-count | grep -qx 1' sh "$T/latin"
fails "a class directory name that is not UTF-8" 1 img-decode -o "$T/latin.rec" "$T/latin1"
says "  names the tree" latin1 "class directory" "not valid UTF-8"
ok "  no output" test ! -e "$T/latin.rec"
# a command line in the provenance: bytes that are not UTF-8 become U+FFFD
MASKPIPE_PLAIN=1 img-decode -o "$T/$bad.rec" "$T/latin/ok/a.png"
ok "  in the provenance, U+FFFD" python3 -c 'import sys
data = open(sys.argv[1], "rb").read()
sys.exit(not (b"\xff" not in data and b"b\xef\xbf\xbdd.rec" in data))' "$T/$bad.rec"

# gray_png FILE W H [ZEROS]: a gray PNG of W x H, its pixels deflated from
# zeros when ZEROS is given, else a header with a token of data
gray_png() {
	python3 -c 'import struct, sys, zlib
w, h, whole = int(sys.argv[2]), int(sys.argv[3]), len(sys.argv) > 4
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
z = zlib.compressobj(1)
data = b"".join(z.compress(bytes(w + 1)) for _ in range(h if whole else 1)) + z.flush()
open(sys.argv[1], "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
    + chunk(b"IDAT", data) + chunk(b"IEND", b""))' "$@"
}
# within 65536 a side, but 400 megapixels: refused before anything is allocated
gray_png "$T/claims.png" 20000 20000
fails "a PNG claiming 20000x20000" 1 img-decode "$T/claims.png" -o "$T/claims.rec"
says "  names the limit and its variable" claims.png 20000x20000 MASKPIPE_MAX_PIXELS
fails "  MASKPIPE_MAX_PIXELS raises it (the data is then too short)" 1 \
	env MASKPIPE_MAX_PIXELS=400000000 img-decode "$T/claims.png" -o "$T/claims.rec"
says "  past the limit" claims.png PNG
fails "  a malformed MASKPIPE_MAX_PIXELS" 1 env MASKPIPE_MAX_PIXELS=lots img-decode "$T/claims.png"
says "  names it" MASKPIPE_MAX_PIXELS=lots
ok "  no output" test ! -e "$T/claims.rec"

# Memory running out while the record is packed is an error, not a record
# missing its pixels with exit 0. 144 MB of pixels in a 300 MB address
# space: decoding fits, the packed copy does not (it fails from 250 to
# 400 MB here). ASan reserves terabytes of address space: not under it.
if [ "$MASKPIPE_SAN" != 1 ]; then
	gray_png "$T/g12k.png" 12000 12000 zeros
	fails "out of memory packing the image" 1 sh -c 'ulimit -v 300000 &&
		MASKPIPE_ZSTD_THREADS=1 MASKPIPE_MAX_PIXELS=200000000 exec img-decode "$1" -o "$2"' \
		sh "$T/g12k.png" "$T/g12k.rec"
	says "  says so" g12k.png "out of memory"
	ok "  and writes nothing" test ! -e "$T/g12k.rec"
	rm -f "$T/g12k.png"
fi
fails "--channels 2" 2 img-decode -c 2 "$tree"
fails "unknown --format" 2 img-decode --format tiff "$tree/top.png"
