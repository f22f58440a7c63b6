#!/bin/sh
# What every tool in $BIN does the same way: --help (exit 0, the usage on
# stdout), --version ("NAME (maskpipe) VERSION"), an unknown option (exit 2,
# one line on stderr naming the tool), and a man page man/man1/NAME.1 that
# groff formats without a warning, with the sections every page has, that
# documents every long option --help lists. (FILES is there only where
# a tool has files to name.) And the overview page maskpipe(7), which groff
# formats without a warning and man-db indexes, names every tool of tools/
# (its stage, its row of fields, its page), every field and header key the
# registry of maskpipe-rec(5) lists, and every MASKPIPE_* variable the code
# reads: a tool, field or variable added without it fails here.
. "$ROOT/tests/pipeline/lib.sh"

VERSION=$(sed -n 's/^VERSION *:= *//p' "$ROOT/Makefile")

first_line() {
	head -n 1 "$1"
}

# The man page as plain text on one long line per paragraph, so that an
# option name is never broken across lines; tables through tbl (-t).
man_text() {
	groff -t -man -Tascii -rLL=2000n -P-cbou "$1" 2>/dev/null
}

# The text of section $1 of the rendered page $2 (headings at column 0).
section_text() {
	awk -v want="$1" '/^[^ ]/ { inside = ($0 == want); next } inside' "$2"
}

# The keys listed as ".TP" / ".B KEY" under the subsection ".SS $1" of the
# man source $2: the field registry of maskpipe-rec(5).
registry_keys() {
	awk -v want=".SS $1" '
		/^\.S[SH] / { inside = ($0 == want); prev = ""; next }
		inside && prev == ".TP" && /^\.B [a-z_]+$/ { print $2 }
		{ prev = $0 }' "$2"
}

# Prints each word of stdin that the text file $1 does not hold as a whole
# word; a word's neighbours may not be letters, digits, "_" or "-", so that
# img is not found in img-decode, nor epoch in epoch_size.
words_missing_from() {
	while read -r word; do
		grep -qE "(^|[^[:alnum:]_-])$word([^[:alnum:]_-]|\$)" "$1" || printf ' %s' "$word"
	done
}

check_overview_page() {
	page=$ROOT/man/man7/maskpipe.7
	if [ ! -f "$page" ]; then
		echo "FAIL maskpipe(7) exists: man/man7/maskpipe.7"
		return
	fi
	echo "PASS maskpipe(7) exists: man/man7/maskpipe.7"
	# -t: its table of fields goes through tbl, as its first line asks man to
	groff -t -man -Tutf8 -ww -z "$page" >"$T/groff.out" 2>"$T/groff.err"
	rc=$?
	if [ "$rc" -eq 0 ] && [ ! -s "$T/groff.err" ] && [ ! -s "$T/groff.out" ]; then
		echo "PASS maskpipe.7: groff -t -ww gives no warnings"
	else
		echo "FAIL maskpipe.7: groff -t -ww gives no warnings (exit $rc: $(head -n 3 "$T/groff.err"))"
	fi
	is "maskpipe.7: its first line asks for tbl" "$(first_line "$page")" "'\\\" t"
	title=$(sed -n 's/^\.TH  *"\{0,1\}\([^ "]*\)"\{0,1\}  *"\{0,1\}\([0-9]\).*/\1 \2/p' "$page")
	is "maskpipe.7: .TH names the page and section 7" "$title" "MASKPIPE 7"
	man_text "$page" >"$T/man7.txt"
	name_line=$(sed -n '/^NAME$/{n;p;}' "$T/man7.txt" | sed 's/^ *//')
	case $name_line in
	"maskpipe - "?*) echo "PASS maskpipe.7: NAME is \"maskpipe - what it is\"" ;;
	*) echo "FAIL maskpipe.7: NAME is \"maskpipe - what it is\" ($name_line)" ;;
	esac
	# what mandb indexes and apropos and whatis show
	if command -v lexgrog >/dev/null 2>&1; then
		run lexgrog "$page"
		case $(cat "$T/.stdout") in
		*": \"maskpipe - "?*) echo "PASS maskpipe.7: lexgrog parses its NAME" ;;
		*) echo "FAIL maskpipe.7: lexgrog parses its NAME (exit $rc: $(cat "$T/.stdout" "$T/.stderr"))" ;;
		esac
	else
		# lexgrog's rule, on the source: the line after .SH NAME is "name \- what"
		line=$(sed -n '/^\.SH NAME$/{n;p;}' "$page")
		case $line in
		"maskpipe \\- "?*) echo "PASS maskpipe.7: its NAME line is what lexgrog parses (no lexgrog here: checked on the source)" ;;
		*) echo "FAIL maskpipe.7: its NAME line is what lexgrog parses ($line)" ;;
		esac
	fi
	missing=$(printf '%s\n' NAME DESCRIPTION "THE PIPELINE" FIELDS EXAMPLES "THE CODE" \
		ENVIRONMENT "SEE ALSO" | while read -r section; do
		grep -qx "$section" "$T/man7.txt" || printf ' [%s]' "$section"
	done)
	is "maskpipe.7: has its sections" "$missing" ""

	section_text "THE PIPELINE" "$T/man7.txt" >"$T/pipeline.txt"
	section_text FIELDS "$T/man7.txt" >"$T/fields.txt"
	section_text "SEE ALSO" "$T/man7.txt" >"$T/seealso.txt"
	section_text ENVIRONMENT "$T/man7.txt" >"$T/environment.txt"
	ls "$ROOT"/tools/*.c | sed 's|.*/||; s|\.c$||' >"$T/tools"
	is "maskpipe.7: tools/*.c has tools to name" "$(test -s "$T/tools" && echo yes)" yes
	is "maskpipe.7: THE PIPELINE names every tool of tools/" \
		"$(words_missing_from "$T/pipeline.txt" <"$T/tools")" ""
	missing=$(while read -r tool; do
		grep -qE "^ +$tool[[:space:]]" "$T/fields.txt" || printf ' %s' "$tool"
	done <"$T/tools")
	is "maskpipe.7: FIELDS has a row for every tool of tools/" "$missing" ""
	missing=$(while read -r tool; do
		grep -qF "$tool(1)" "$T/seealso.txt" || printf ' %s' "$tool"
	done <"$T/tools")
	is "maskpipe.7: SEE ALSO names every tool's page" "$missing" ""
	is "maskpipe.7: SEE ALSO names maskpipe-rec(5)" \
		"$(grep -qF 'maskpipe-rec(5)' "$T/seealso.txt" && echo yes)" yes

	registry_keys Records "$ROOT/man/man5/maskpipe-rec.5" >"$T/fields"
	registry_keys Header "$ROOT/man/man5/maskpipe-rec.5" >"$T/header_keys"
	is "maskpipe-rec.5: its field registry lists id and img" \
		"$(grep -cxE 'id|img' "$T/fields")" 2
	is "maskpipe-rec.5: its header keys list maskpipe and provenance" \
		"$(grep -cxE 'maskpipe|provenance' "$T/header_keys")" 2
	is "maskpipe.7: FIELDS names every field of maskpipe-rec(5)'s registry" \
		"$(words_missing_from "$T/fields.txt" <"$T/fields")" ""
	is "maskpipe.7: FIELDS names every header key of maskpipe-rec(5)" \
		"$(words_missing_from "$T/fields.txt" <"$T/header_keys")" ""

	# the variables the code reads, by env_int (lib/common/env.h) or getenv
	grep -rhoE '(env_int|getenv)\("MASKPIPE_[A-Z0-9_]+"' "$ROOT/lib" "$ROOT/tools" |
		sed 's/.*"\(MASKPIPE_[A-Z0-9_]*\)"/\1/' | sort -u >"$T/variables"
	is "maskpipe.7: the code reads MASKPIPE_* variables to name" \
		"$(test -s "$T/variables" && echo yes)" yes
	is "maskpipe.7: ENVIRONMENT names every MASKPIPE_* variable the code reads" \
		"$(words_missing_from "$T/environment.txt" <"$T/variables")" ""
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
	check_overview_page
}

main | tee "$T/.results"
! grep -q '^FAIL' "$T/.results"
