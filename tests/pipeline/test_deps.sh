# scripts/deps.sh decides what is missing from dpkg's installed status, never
# from files another package may own. Every command it runs that could look
# at or change the system (dpkg-query, id, apt-get) is a fake on PATH here,
# so the real machine's packages do not matter and nothing is installed.
. "$ROOT/tests/pipeline/lib.sh"

fake="$T/fakebin"
mkdir -p "$fake"
# dpkg-query -W -f='${Status}' PKG: the status listed for PKG in $T/status
# (lines "PKG STATUS..."), or dpkg's "no packages found" and exit 1
cat >"$fake/dpkg-query" <<'EOF'
#!/bin/sh
for pkg; do :; done
line=$(grep "^$pkg " "$FAKE_STATUS") || {
	echo "dpkg-query: no packages found matching $pkg" >&2
	exit 1
}
printf '%s' "${line#* }"
EOF
cat >"$fake/id" <<'EOF'
#!/bin/sh
echo "$FAKE_UID"
EOF
# apt-get records its arguments and succeeds
cat >"$fake/apt-get" <<'EOF'
#!/bin/sh
echo "$*" >>"$FAKE_APT_LOG"
EOF
chmod +x "$fake/dpkg-query" "$fake/id" "$fake/apt-get"

# a machine with every package the build needs except OpenBLAS, but with the
# reference BLAS, whose libblas-dev provides cblas.h through alternatives
base_pkgs="libpng-dev libjpeg-dev zlib1g-dev libzstd-dev libmsgpack-dev libdnnl-dev libcjson-dev
pkg-config g++ dataset-fashion-mnist libblas-dev"
: >"$T/status"
for pkg in $base_pkgs; do
	echo "$pkg install ok installed" >>"$T/status"
done

# deps ARGS...: runs deps.sh with the fakes, as user $FAKE_UID
deps() {
	FAKE_STATUS="$T/status" FAKE_APT_LOG="$T/apt.log" PATH="$fake:$PATH" \
		sh "$ROOT/scripts/deps.sh" "$@"
}

rm -f "$T/apt.log"
FAKE_UID=1000 run deps
is "as a user, a missing OpenBLAS beside the reference BLAS fails" "$rc" 1
says "the user is told the package is missing" "missing Debian packages: libopenblas-dev"
says "and the line to run" "apt-get install -y --no-install-recommends libopenblas-dev"
is "nothing else is named" "$(grep -c 'libblas-dev\|libpng' "$T/.stderr")" 0
is "a user's run installs nothing" "$([ -e "$T/apt.log" ] && echo yes || echo no)" no

FAKE_UID=0 run deps
is "as root, the missing package is installed" "$rc" 0
is "with exactly that package" "$(cat "$T/apt.log")" \
	"install -y --no-install-recommends libopenblas-dev"
says "and says so" "installing missing Debian packages: libopenblas-dev"

# removed but not purged: its files may linger, dpkg says it is not installed
echo "libopenblas-dev deinstall ok config-files" >>"$T/status"
rm -f "$T/apt.log"
FAKE_UID=1000 run deps
is "a removed package's leftover configuration does not count" "$rc" 1
says "it is named as missing" "libopenblas-dev"

sed -i '/^libopenblas-dev /d' "$T/status"
echo "libopenblas-dev install ok installed" >>"$T/status"
FAKE_UID=1000 run deps
is "with everything installed, nothing to do" "$rc:$(cat "$T/.stderr")" "0:"

FAKE_UID=1000 run deps --test
is "--test needs the test tools too" "$rc" 1
says "they are named" "python3 zstd groff-base procps python3-torch"

FAKE_UID=1000 run deps --bogus
is "an unknown option is bad usage" "$rc" 2
