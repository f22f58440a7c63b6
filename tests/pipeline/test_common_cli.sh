#!/bin/sh
# What every tool in $BIN does the same way: --help (exit 0, the usage on
# stdout), --version ("NAME (maskpipe) VERSION"), an unknown option (exit 2,
# one line on stderr naming the tool), and a man page man/man1/NAME.1 that
# groff formats without a warning, with the sections every page has, that
# documents every long option --help lists. (FILES is there only where
# a tool has files to name.)
. "$ROOT/tests/pipeline/lib.sh"

VERSION=$(sed -n 's/^VERSION *:= *//p' "$ROOT/Makefile")

first_line() {
	head -n 1 "$1"
}

# The man page as plain text on one long line per paragraph, so that an
# option name is never broken across lines.
man_text() {
	groff -man -Tascii -rLL=2000n -P-cbou "$1" 2>/dev/null
}

main() {
	n_tools=0
	for path in "$BIN"/*; do
		[ -f "$path" ] && [ -x "$path" ] || continue
		tool=$(basename "$path")
		n_tools=$((n_tools + 1))

		# --help
		"$tool" --help >"$T/help" 2>"$T/help.err"
		rc=$?
		is "$tool --help exits 0" "$rc" 0
		case $(first_line "$T/help") in
		"Usage: $tool"*) echo "PASS $tool --help prints the usage on stdout" ;;
		*) echo "FAIL $tool --help prints the usage on stdout (first line: $(first_line "$T/help"))" ;;
		esac
		is "$tool --help: nothing on stderr" "$(cat "$T/help.err")" ""

		# --version, called by its full path: the name is still the bare one
		out=$("$path" --version 2>"$T/version.err")
		rc=$?
		is "$tool --version exits 0" "$rc" 0
		is "$tool --version prints \"$tool (maskpipe) $VERSION\"" "$out" "$tool (maskpipe) $VERSION"
		is "$tool --version: nothing on stderr" "$(cat "$T/version.err")" ""

		# an unknown option
		fails "$tool --no-such-option exits 2 with one line" 2 "$tool" --no-such-option
		case $(first_line "$T/.stderr") in
		"$tool: "*) echo "PASS $tool --no-such-option: the line starts with \"$tool: \"" ;;
		*) echo "FAIL $tool --no-such-option: the line starts with \"$tool: \" ($(first_line "$T/.stderr"))" ;;
		esac
		is "$tool --no-such-option: nothing on stdout" "$(wc -c <"$T/.stdout")" 0

		# the man page
		page=$ROOT/man/man1/$tool.1
		if [ ! -f "$page" ]; then
			echo "FAIL $tool has a man page man/man1/$tool.1"
			continue
		fi
		echo "PASS $tool has a man page man/man1/$tool.1"
		groff -man -Tutf8 -ww -z "$page" >"$T/groff.out" 2>"$T/groff.err"
		rc=$?
		if [ "$rc" -eq 0 ] && [ ! -s "$T/groff.err" ] && [ ! -s "$T/groff.out" ]; then
			echo "PASS $tool.1: groff -ww gives no warnings"
		else
			echo "FAIL $tool.1: groff -ww gives no warnings (exit $rc: $(head -n 3 "$T/groff.err"))"
		fi
		title=$(sed -n 's/^\.TH  *"\{0,1\}\([^ "]*\)"\{0,1\}  *"\{0,1\}\([0-9]\).*/\1 \2/p' "$page")
		is "$tool.1: .TH names the page and section 1" "$title" \
			"$(echo "$tool" | tr '[:lower:]' '[:upper:]') 1"
		man_text "$page" >"$T/man.txt"
		name_line=$(sed -n '/^NAME$/{n;p;}' "$T/man.txt" | sed 's/^ *//')
		case $name_line in
		"$tool - "?*) echo "PASS $tool.1: NAME is \"$tool - what it does\"" ;;
		*) echo "FAIL $tool.1: NAME is \"$tool - what it does\" ($name_line)" ;;
		esac
		missing=$(printf '%s\n' NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" ENVIRONMENT \
			EXAMPLES "SEE ALSO" | while read -r section; do
			grep -qx "$section" "$T/man.txt" || printf ' [%s]' "$section"
		done)
		is "$tool.1: has the sections every page has" "$missing" ""
		missing=""
		for option in $(grep -o -- '--[a-z][a-z0-9-]*' "$T/help" | sort -u); do
			grep -qF -- "$option" "$T/man.txt" || missing="$missing $option"
		done
		is "$tool.1: documents every long option of --help" "$missing" ""
	done
	if [ "$n_tools" -gt 0 ]; then
		echo "PASS there are tools in \$BIN ($n_tools)"
	else
		echo "FAIL there are tools in \$BIN ($BIN)"
	fi
}

main | tee "$T/.results"
! grep -q '^FAIL' "$T/.results"
