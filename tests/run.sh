#!/bin/sh
# Runs every unit test binary and pipeline test script of each build given
# (e.g. `tests/run.sh build build/san`), prints a PASS/FAIL line per case and
# ends with "N passed, N failed"; exits 1 if anything failed.
# MASKPIPE_TEST_FILTER=word limits the run to tests whose file name has it.
set -u
# Tests import helper modules (msgpack_lite.py) from the source tree; Python
# would cache their bytecode there, and a test writes only in its temp dir.
export PYTHONDONTWRITEBYTECODE=1
root=$(cd "$(dirname "$0")/.." && pwd)
passed=0
failed=0
results=$(mktemp)
trap 'rm -f "$results"' EXIT

# run_one LABEL CMD...: runs a test program, prefixes its PASS/FAIL lines,
# and counts a crash or a non-zero exit without a FAIL line as a failure.
run_one() {
	label=$1; shift
	tmp=$(mktemp -d)
	out="$tmp/.out"
	MASKPIPE_TEST_TMP="$tmp" "$@" >"$out" 2>"$tmp/.err"
	rc=$?
	grep -E '^(PASS|FAIL) ' "$out" | sed "s|^\([A-Z]*\) |\1 $label: |" | tee -a "$results"
	if [ $rc -ne 0 ] && ! grep -q '^FAIL ' "$out"; then
		echo "FAIL $label: exited with status $rc" | tee -a "$results"
	fi
	if [ $rc -ne 0 ]; then
		sed 's/^/    /' "$tmp/.err" | tail -n 30
	fi
	rm -rf "$tmp"
}

for build in "$@"; do
	case $build in
	*san*) san=1 tag="[san] " ;;
	*) san=0 tag="" ;;
	esac
	for t in "$build"/test/test_*; do
		[ -x "$t" ] || continue
		name=$(basename "$t")
		case $name in *"${MASKPIPE_TEST_FILTER:-}"*) ;; *) continue ;; esac
		run_one "${tag}unit/$name" "$t"
		# the GEMMs without oneDNN (OpenBLAS, and rounded operands in
		# float32 for bf16), which a CPU with AVX-512 does not take
		# otherwise
		[ "$name" != test_kernels ] ||
			run_one "${tag}unit/$name(MASKPIPE_DNNL=0)" env MASKPIPE_DNNL=0 "$t"
	done
	for t in "$root"/tests/pipeline/test_*.sh; do
		[ -f "$t" ] || continue
		name=$(basename "$t" .sh)
		case $name in *"${MASKPIPE_TEST_FILTER:-}"*) ;; *) continue ;; esac
		run_one "${tag}pipeline/$name" env BIN="$root/$build/bin" \
			TESTBIN="$root/$build/test" MASKPIPE_SAN=$san ROOT="$root" sh "$t"
	done
done
passed=$(grep -c '^PASS ' "$results")
failed=$(grep -c '^FAIL ' "$results")
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
