# Make-like caching of the costly stages of demo.sh and the experiment
# scripts (sourced by both). `stage_init DIR` once, then per stage:
#
#   stage KIND DESCRIPTION RECIPE
#
# RECIPE is a shell command that writes the stage's files into the directory
# "$out" and reads its inputs from other stages' directories. It is written
# with every value expanded except $out and $threads, which stay literal
# (\$out, \$threads) and are set when it runs: the recipe's text, with the
# tool names and every argument that changes the output, is its identity,
# and the thread count is not part of it because the tools promise the same
# output for any thread count.
#
# The stage's key is the SHA-256 (first 16 hex digits) of
#   - the recipe's text: its tools, arguments, and the names of its input
#     directories, which are the outputs of other stages and end in their
#     keys, so the key of every input is part of it (change an argument and
#     everything downstream of it recomputes, nothing else);
#   - the SHA-256 of each tool of $BIN that the recipe names: a tool rebuilt
#     with different code recomputes what it made. The version string would
#     miss every change made between two versions; the binary's bytes do not
#     (and a build from unchanged sources gives the same bytes). The shared
#     libraries (OpenBLAS) are not hashed: a cache belongs to one machine.
# The files go to DIR/KIND-KEY/; the stage runs when that directory is
# missing, and prints "running: DESCRIPTION (KIND-KEY)", or "cached: ..."
# when it is there. The recipe runs in DIR (so the key does not depend on
# where DIR is) under `sh -eu`, writing into a temporary directory that is
# renamed to KIND-KEY only when the recipe succeeds: a failed or killed run
# leaves no directory a later run would trust. `stage` sets $it to KIND-KEY
# (the name recipes use) and $at to its full path (for the script).

# stage_init DIR: the cache directory, and the hashes of the tools
stage_init() {
	stage_dir=$(mkdir -p "$1" && cd "$1" && pwd)
	stage_tools=$(cd "$BIN" && sha256sum -- *)
	stage_tmp=""
	trap 'rm -rf "$stage_tmp"' EXIT
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

# stage_key RECIPE: the key, from the recipe and the hashes of the tools it
# names (a word of the recipe that is the name of a file in $BIN); the
# recipe's layout (indentation, continued lines) is not part of it
stage_key() {
	{
		printf '%s\n' "$1" | awk '{ line = line $0 }
			/\\$/ { sub(/\\$/, " ", line); next }
			{ gsub(/[ \t]+/, " ", line); sub(/^ /, "", line); sub(/ $/, "", line); print line; line = "" }'
		printf '%s\n' "$stage_tools" | recipe="$1" awk '
			BEGIN { n = split(ENVIRON["recipe"], w, /[ \t\n|;&()<>]+/); for (i = 1; i <= n; i++) named[w[i]] = 1 }
			$2 in named'
	} | sha256sum | cut -c 1-16
}

stage() {
	kind=$1 desc=$2 recipe=$3
	it=$kind-$(stage_key "$recipe")
	at=$stage_dir/$it
	if [ -d "$at" ]; then
		echo "cached: $desc ($it)"
		return
	fi
	echo "running: $desc ($it)"
	stage_tmp=$stage_dir/.tmp-$it-$$
	rm -rf "$stage_tmp"
	mkdir "$stage_tmp"
	(cd "$stage_dir" && out=.tmp-$it-$$ threads=$threads sh -euc "$recipe") ||
		{ echo "stage failed, nothing cached: $desc" >&2; exit 1; }
	# -T: if another run made KIND-KEY meanwhile, fail instead of moving
	# this one inside it
	mv -T "$stage_tmp" "$at" 2>/dev/null || [ -d "$at" ]
	rm -rf "$stage_tmp"
	stage_tmp=""
}
