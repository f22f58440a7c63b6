# Sourced by every pipeline test: $BIN holds the tools, $TESTBIN the test
# helper programs, $MASKPIPE_TEST_TMP a scratch directory, $ROOT the checkout.
# ok NAME CMD...        passes when CMD exits 0
# quiet NAME CMD...     passes when CMD exits 0 with nothing on stderr
# fails NAME CODE CMD   passes when CMD exits CODE and prints exactly one line on stderr
# says NAME WORD...     the stderr of the last command mentions every WORD
# prints NAME TEXT CMD  passes when CMD exits 0 and its stdout is exactly TEXT
# is NAME GOT EXPECTED  passes when the two strings are equal
set -u
PATH="$BIN:$TESTBIN:$PATH"
export PATH
T=$MASKPIPE_TEST_TMP

# run CMD...: runs CMD with its output in $T/.stdout and $T/.stderr, its
# exit status in $rc
run() {
	"$@" >"$T/.stdout" 2>"$T/.stderr"
	rc=$?
}

# verdict NAME PASSED WHY CMD...: prints the PASS or FAIL line of a run;
# on FAIL, why, the command and its stderr
verdict() {
	name=$1; passed=$2; why=$3; shift 3
	if [ "$passed" = 1 ]; then
		echo "PASS $name"
		return
	fi
	echo "FAIL $name${why:+ ($why)}"
	echo "  command: $*" >&2
	sed 's/^/  stderr: /' "$T/.stderr" | head -n 20 >&2
}

ok() {
	name=$1; shift
	run "$@"
	verdict "$name" "$([ "$rc" -eq 0 ] && echo 1)" "exit $rc" "$@"
}

quiet() {
	name=$1; shift
	run "$@"
	verdict "$name" "$([ "$rc" -eq 0 ] && [ ! -s "$T/.stderr" ] && echo 1)" "exit $rc" "$@"
}

fails() {
	name=$1; code=$2; shift 2
	run "$@"
	lines=$(wc -l <"$T/.stderr")
	verdict "$name" "$([ "$rc" -eq "$code" ] && [ "$lines" -eq 1 ] && echo 1)" \
		"exit $rc, expected $code; $lines stderr lines, expected 1" "$@"
}

# the one error line of the last `fails` must mention each word given
says() {
	name=$1; shift
	for word in "$@"; do
		if ! grep -qF -- "$word" "$T/.stderr"; then
			echo "FAIL $name (stderr lacks \"$word\": $(cat "$T/.stderr"))"
			return
		fi
	done
	echo "PASS $name"
}

prints() {
	name=$1; expected=$2; shift 2
	run "$@"
	if [ "$rc" -eq 0 ] && [ "$(cat "$T/.stdout")" = "$expected" ]; then
		echo "PASS $name"
	else
		verdict "$name" 0 "exit $rc" "$@"
		echo "  expected: $expected" >&2
		sed 's/^/  got: /' "$T/.stdout" | head -n 20 >&2
	fi
}

is() {
	if [ "$2" = "$3" ]; then
		echo "PASS $1"
	else
		echo "FAIL $1"
		printf '%s\n' "$2" | head -n 8 | sed 's/^/  got:      /' >&2
		printf '%s\n' "$3" | head -n 8 | sed 's/^/  expected: /' >&2
	fi
}

# each EXPR: for each JSON line on stdin (rec-cat's output), the Python
# expression EXPR of the record r, printed as compact JSON (strings bare)
each() {
	python3 -c 'import json, sys
for line in sys.stdin:
    r = json.loads(line)
    v = eval(sys.argv[1])
    print(v if isinstance(v, str) else json.dumps(v, separators=(",", ":")))' "$1"
}
