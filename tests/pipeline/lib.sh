# Sourced by every pipeline test: $BIN holds the tools, $TESTBIN the test
# helper programs, $MASKPIPE_TEST_TMP a scratch directory, $ROOT the checkout.
# ok NAME CMD...       passes when CMD exits 0
# fails NAME CODE CMD  passes when CMD exits CODE and prints exactly one line on stderr
# prints NAME TEXT CMD  passes when CMD exits 0 and its stdout is exactly TEXT
set -u
PATH="$BIN:$TESTBIN:$PATH"
export PATH
T=$MASKPIPE_TEST_TMP

ok() {
	name=$1; shift
	if "$@" >"$T/.stdout" 2>"$T/.stderr"; then
		echo "PASS $name"
	else
		echo "FAIL $name"
		echo "  command: $*" >&2
		sed 's/^/  stderr: /' "$T/.stderr" | head -n 20 >&2
	fi
}

fails() {
	name=$1; code=$2; shift 2
	"$@" >"$T/.stdout" 2>"$T/.stderr"
	rc=$?
	lines=$(wc -l <"$T/.stderr")
	if [ "$rc" -eq "$code" ] && [ "$lines" -eq 1 ]; then
		echo "PASS $name"
	else
		echo "FAIL $name (exit $rc, expected $code; $lines stderr lines, expected 1)"
		echo "  command: $*" >&2
		sed 's/^/  stderr: /' "$T/.stderr" | head -n 20 >&2
	fi
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
	if "$@" >"$T/.stdout" 2>"$T/.stderr" && [ "$(cat "$T/.stdout")" = "$expected" ]; then
		echo "PASS $name"
	else
		echo "FAIL $name"
		echo "  command: $*" >&2
		echo "  expected: $expected" >&2
		sed 's/^/  got: /' "$T/.stdout" "$T/.stderr" | head -n 20 >&2
	fi
}
