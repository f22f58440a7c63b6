# An interrupted tool leaves neither its output nor a temporary file.
. "$ROOT/tests/pipeline/lib.sh"
mkrec -n 5000 --img 8x8x1 --field id=str:s{i} >"$T/in.rec"
for sig in INT TERM HUP; do
	dir="$T/$sig"
	mkdir -p "$dir"
	mkfifo "$dir/fifo"
	# the input never ends while the writer below holds the fifo open
	{ cat "$T/in.rec"; sleep 30; } >"$dir/fifo" &
	feeder=$!
	rec-cut -k id -o "$dir/out.rec" <"$dir/fifo" &
	tool=$!
	# wait until the tool has begun its temporary output
	for _ in $(seq 100); do
		[ -n "$(ls -A "$dir" | grep '\.tmp\.')" ] && break
		sleep 0.05
	done
	ok "SIG$sig: the temporary output existed" test -n "$(ls -A "$dir" | grep '\.tmp\.')"
	kill -"$sig" "$tool"
	wait "$tool"
	status=$?
	pkill -P "$feeder" 2>/dev/null
	kill "$feeder" 2>/dev/null
	ok "SIG$sig: the tool died of the signal" test "$status" -gt 128
	ok "SIG$sig: no output and no temporary file" test -z "$(ls -A "$dir" | grep -v '^fifo$')"
done
