# scripts/check-layers.sh: the tree follows the layer rule, and the script
# finds each kind of break in a copy of lib/, tools/ and include/ made to
# break it.
. "$ROOT/tests/pipeline/lib.sh"
# the sanitized build changes nothing here
[ "$MASKPIPE_SAN" = 1 ] && exit 0
check="$ROOT/scripts/check-layers.sh"
prints "the tree follows the layer rule" "layers: every include follows the rule" "$check"

# breaks FILE LINE EXPECTED: a copy of the tree with LINE added to FILE
# fails the check with the one line EXPECTED
breaks() {
	rm -rf "$T/tree" && mkdir "$T/tree" && cp -R "$ROOT/lib" "$ROOT/tools" "$ROOT/include" "$T/tree/"
	printf '%s\n' "$2" >>"$T/tree/$1"
	n=$(wc -l <"$T/tree/$1")
	run "$check" "$T/tree"
	is "caught: $2 in $1" "$rc:$(cat "$T/.stdout")" "1:$1:$n: $3"
}
breaks lib/common/err.c '#include "stream/rec.h"' 'common/ may not include stream/ ("stream/rec.h")'
breaks lib/formats/npy.c '#include "mae/mae_model.h"' 'formats/ may not include mae/ ("mae/mae_model.h")'
breaks lib/stream/rec_path.c '#include "formats/png_codec.h"' 'stream/ may not include formats/ ("formats/png_codec.h")'
breaks lib/image/rec_picture.c '#include "kernels/backend.h"' 'image/ may not include kernels/ ("kernels/backend.h")'
breaks lib/kernels/cpu/cpu_gemm.c '#include "stream/rec.h"' 'kernels/ may not include stream/ ("stream/rec.h")'
breaks lib/mask/mask_gen.c '#include "ssearch/segment.h"' 'mask/ may not include ssearch/ ("ssearch/segment.h")'
breaks lib/mae/mae_infer.c '#include "cli/cli.h"' 'mae/ may not include cli/ ("cli/cli.h")'
breaks lib/eval/knn.c '#  include "cli/cli.h"' 'eval/ may not include cli/ ("cli/cli.h")'
breaks lib/stream/rec.c '#include "err.h"' '"err.h" does not name its folder'
breaks tools/cli/cli.c '#include "tools/x.h"' 'cli/ may not include tools/ ("tools/x.h")'
breaks lib/stream/rec.c '#include "api/api_record.h"' 'stream/ may not include api/ ("api/api_record.h")'
breaks lib/eval/knn.c '#include "maskpipe/stream.h"' 'eval/ may not include maskpipe/ ("maskpipe/stream.h")'
breaks tools/rec-cat.c '#include "maskpipe/maskpipe.h"' 'tools/ may not include maskpipe/ ("maskpipe/maskpipe.h")'
breaks include/maskpipe/stream.h '#include "stream/rec.h"' 'maskpipe/ may not include stream/ ("stream/rec.h")'
