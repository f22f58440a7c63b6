# An interrupted tool leaves neither its output nor a temporary file, also
# when killed by SIGKILL, which no handler sees.
. "$ROOT/tests/pipeline/lib.sh"
mkrec -n 5000 --img 8x8x1 --field id=str:s{i} >"$T/in.rec"

# the files in directory $2 that process $1 has open, its input fifo aside
open_in() {
	ls -l "/proc/$1/fd" 2>/dev/null | grep -F -- "-> $2/" | grep -v '/fifo$'
}

# SIGKILL leaves nothing only where the file system has unnamed files
# (O_TMPFILE; overlayfs before Linux 6.6 has none): elsewhere, not run
if python3 -c 'import os, sys; os.open(sys.argv[1], os.O_TMPFILE | os.O_WRONLY)' "$T" 2>/dev/null; then
	signals="INT TERM HUP KILL"
else
	signals="INT TERM HUP"
fi

for sig in $signals; do
	dir="$T/$sig"
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd -P) # as /proc names it
	mkfifo "$dir/fifo"
	# the input never ends while the writer below holds the fifo open
	{ cat "$T/in.rec"; sleep 30; } >"$dir/fifo" &
	feeder=$!
	rec-cut -k id -o "$dir/out.rec" <"$dir/fifo" &
	tool=$!
	# wait until the tool has begun its output, which is nowhere to be
	# seen in the directory where the file system allows it (O_TMPFILE)
	for _ in $(seq 100); do
		[ -n "$(open_in "$tool" "$dir")" ] && break
		sleep 0.05
	done
	ok "SIG$sig: the output was open" test -n "$(open_in "$tool" "$dir")"
	kill -"$sig" "$tool"
	wait "$tool"
	status=$?
	pkill -P "$feeder" 2>/dev/null
	kill "$feeder" 2>/dev/null
	ok "SIG$sig: the tool died of the signal" test "$status" -gt 128
	ok "SIG$sig: no output and no temporary file" test -z "$(ls -A "$dir" | grep -v '^fifo$')"
done
