#!/bin/sh
# The dependency rule of the code's layers, checked over every quoted
# #include of lib/, tools/ and include/ (tests may include anything):
#
#   common <- stream <- image <- {ssearch, mask} <- mae <- eval <- cli <- tools
#   formats/ and kernels/ use common/ only; image/ and above may use
#   formats/, mae/ and above kernels/
#   maskpipe/ (include/maskpipe/, the public headers) includes only itself,
#   so that the installed headers are whole; api/ (lib/api/, which
#   implements them) may include it and every layer of lib/, and nothing
#   includes api/ or maskpipe/ but api/
#
# A file may include its own layer and the layers its line below names.
# formats/ sits on common/ alone, so any layer may use it without a cycle;
# image/ is the lowest that does, because from there up records have
# pictures to write as files (a record's picture, a mask heat map), while
# stream/ stays the record stream alone, with no image codec under it.
# Every quoted include names its folder ("mae/mae_model.h"), so the layer
# of each is plain; one without a folder is an error too.
# Usage: scripts/check-layers.sh [ROOT]   (default: the tree it sits in)
# Prints one line per broken include and exits 1 if there is any.
set -eu
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root"

# allowed LAYER: the layers a file of LAYER may include, besides its own
allowed() {
	case $1 in
	common) echo "" ;;
	formats | kernels | stream) echo "common" ;;
	image) echo "common stream formats" ;;
	ssearch | mask) echo "common stream image formats" ;;
	mae) echo "common stream image formats kernels" ;;
	eval) echo "common stream image formats kernels mae" ;;
	api) echo "common stream image ssearch mask formats kernels mae eval maskpipe" ;;
	maskpipe) echo "" ;;
	cli) echo "common stream image ssearch mask formats kernels mae eval" ;;
	tools) echo "common stream image ssearch mask formats kernels mae eval cli" ;;
	*) return 1 ;;
	esac
}

bad=0
for f in $(find lib tools include -type f \( -name '*.c' -o -name '*.h' -o -name '*.cu' -o -name '*.cuh' \) | sort); do
	case $f in
	lib/*/*) layer=${f#lib/}; layer=${layer%%/*} ;;
	include/maskpipe/*) layer=maskpipe ;;
	tools/cli/*) layer=cli ;;
	tools/*) layer=tools ;;
	*) echo "$f: not in a layer's folder"; bad=1; continue ;;
	esac
	if ! ok=$(allowed "$layer"); then
		echo "$f: '$layer' is not a layer the rule knows (add it to scripts/check-layers.sh)"
		bad=1
		continue
	fi
	# "N:target" for every quoted include
	for hit in $(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" |
		sed 's/^\([0-9]*\):[^"]*"\([^"]*\)".*/\1:\2/'); do
		line=${hit%%:*} target=${hit#*:}
		case $target in
		*/*) to=${target%%/*} ;;
		*) echo "$f:$line: \"$target\" does not name its folder"; bad=1; continue ;;
		esac
		case " $layer $ok " in
		*" $to "*) ;;
		*) echo "$f:$line: $layer/ may not include $to/ (\"$target\")"; bad=1 ;;
		esac
	done
done
[ $bad -eq 0 ] && echo "layers: every include follows the rule"
exit $bad
