#!/bin/sh
# What an output path may name, for a stream (rec-head), a PNG (mask-viz)
# and mask-stats's files: a FIFO or a device is written in place and stays
# what it is; a symbolic link is followed and the file it names replaced;
# a dangling link or a socket is refused with one line; a file over
# `ulimit -f` (a write error, as on a full disk) is one line naming it
# once, and leaves the older file whole and no temporary file. Every
# device node and FIFO here is made in $T.
. "$ROOT/tests/pipeline/lib.sh"

mkrec -n 2000 --field id=str:r{i} --img 8x8x1 >"$T/in.rec"
mkrec -n 20 --field id=str:r{i} --img 128x128x1 | patchify -p 4 | rec-repeat -n 3 \
	| mask-gen -S random -r 0.5 >"$T/masks.rec"
mkdir "$T/out"
O=$T/out

# no_tmp NAME: passes when no temporary file is left in $O
no_tmp() {
	is "$1" "$(ls -A "$O" | grep '\.tmp\.')" ""
}

mkfifo "$O/fifo"
# the reader gives up after a while rather than hang the suite if the
# tool fails before it opens the FIFO
timeout 60 cat "$O/fifo" >"$T/from-fifo" &
reader=$!
ok "rec-head -o FIFO" rec-head -n 3 -o "$O/fifo" "$T/in.rec"
wait "$reader"
prints "  its reader gets the stream" 3 rec-count "$T/from-fifo"
ok "  the FIFO stays a FIFO" test -p "$O/fifo"
timeout 60 cat "$O/fifo" >"$T/from-fifo.png" &
reader=$!
ok "mask-viz -o FIFO" mask-viz -n 2 -o "$O/fifo" "$T/masks.rec"
wait "$reader"
prints "  its reader gets the PNG" "PNG" sh -c "head -c 4 '$T/from-fifo.png' | tail -c 3"
ok "  the FIFO stays a FIFO" test -p "$O/fifo"

# a device node needs root: without it, this case is not run
if mknod "$O/null" c 1 3 2>/dev/null; then
	ok "rec-head -o DEVICE" rec-head -n 3 -o "$O/null" "$T/in.rec"
	ok "  the device stays the device" test -c "$O/null"
	ok "mask-viz -o DEVICE" mask-viz -n 2 -o "$O/null" "$T/masks.rec"
	ok "  the device stays the device" test -c "$O/null"
	is "  and is still 1,3" "$(stat -c %t,%T "$O/null")" 1,3
fi

echo old >"$O/real.rec"
ln -s real.rec "$O/link.rec"
ok "rec-head -o LINK" rec-head -n 3 -o "$O/link.rec" "$T/in.rec"
ok "  the link stays a link" test -L "$O/link.rec"
prints "  and the file it names is replaced" 3 rec-count "$O/real.rec"

ln -s missing.rec "$O/dangling.rec"
fails "rec-head -o DANGLING-LINK: usage error" 2 rec-head -o "$O/dangling.rec" "$T/in.rec"
says "  naming it" "$O/dangling.rec" "symbolic link to a missing file"
ok "  nothing is made through it" test ! -e "$O/missing.rec"
ln -s missing.png "$O/dangling.png"
fails "mask-viz -o DANGLING-LINK: usage error" 2 mask-viz -o "$O/dangling.png" "$T/masks.rec"

python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$O/sock"
fails "rec-head -o SOCKET: usage error" 2 rec-head -o "$O/sock" "$T/in.rec"
says "  naming it" "$O/sock" "is a socket"
ok "  the socket stays" test -S "$O/sock"
no_tmp "no temporary file left"

# `ulimit -f` counts 512-byte blocks in sh; SIGXFSZ is ignored by the
# tools, so a write beyond it fails with EFBIG
rec-head -n 3 -o "$O/old.rec" "$T/in.rec"
cp "$O/old.rec" "$T/old.copy"
fails "rec-head over ulimit -f: one line" 1 \
	sh -c "ulimit -f 2 && exec rec-head -n 2000 -o '$O/old.rec' '$T/in.rec'"
says "  naming the file and the reason" "rec-head: $O/old.rec: write error: File too large"
is "  the file is named once" "$(grep -o "$O/old.rec" "$T/.stderr" | wc -l)" 1
ok "  the older file is untouched" cmp "$O/old.rec" "$T/old.copy"
fails "mask-viz over ulimit -f: one line" 1 \
	sh -c "ulimit -f 2 && exec mask-viz -s 8 -o '$O/v.png' '$T/masks.rec'"
says "  naming the file and the reason" "mask-viz: $O/v.png: write error: File too large"
is "  the file is named once" "$(grep -o "$O/v.png" "$T/.stderr" | wc -l)" 1
ok "  no file" test ! -e "$O/v.png"

# mask-stats: the heat map (under 1 KB at --scale 1) fits, the 32x32
# frequencies (7 KB) do not
ok "mask-stats -d" mask-stats -d "$O/stats" --scale 1 "$T/masks.rec"
cp "$O/stats/random.txt" "$T/random.txt"
fails "mask-stats over ulimit -f: one line" 1 \
	sh -c "ulimit -f 4 && exec mask-stats -d '$O/stats' --scale 1 '$T/masks.rec'"
# (the stream being summarised is named first, as in every mask-stats error)
says "  naming the file and the reason" "mask-stats: $T/masks.rec: $O/stats/random.txt: write error: File too large"
ok "  the older .txt is whole" cmp "$O/stats/random.txt" "$T/random.txt"
is "  and no temporary file" "$(ls -A "$O/stats")" "random.png
random.txt"
rm "$O/stats/random.png"
ln -s nowhere.png "$O/stats/random.png"
fails "mask-stats: a dangling link in DIR: one line" 1 \
	sh -c "mask-stats -d '$O/stats' '$T/masks.rec'"
says "  naming it" "$O/stats/random.png" "symbolic link to a missing file"
no_tmp "no temporary file left at all"
