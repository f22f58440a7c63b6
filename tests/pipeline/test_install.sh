# make install: tools, man pages, library, headers and a pkg-config file
# that a program outside the tree builds against.
. "$ROOT/tests/pipeline/lib.sh"
build=${BIN%/bin}
dest="$T/root"
ok "make install DESTDIR=... PREFIX=/opt/mp" make -s -C "$ROOT" install BUILD="$build" \
	DESTDIR="$dest" PREFIX=/opt/mp
for tool in "$BIN"/*; do
	name=$(basename "$tool")
	ok "installed: $name and its man page" test -x "$dest/opt/mp/bin/$name" -a \
		-f "$dest/opt/mp/share/man/man1/$name.1"
done
ok "installed: maskpipe-rec(5)" test -f "$dest/opt/mp/share/man/man5/maskpipe-rec.5"
ok "installed: maskpipe(7)" test -f "$dest/opt/mp/share/man/man7/maskpipe.7"
pc="$dest/opt/mp/lib/pkgconfig/maskpipe.pc"
ok "pkg-config file names the prefix" grep -qx 'prefix=/opt/mp' "$pc"

# The installed headers are the public ones alone, and the installed
# library exports mp_ symbols alone: the dynamic symbols of the .so, the
# global symbols the archive defines.
inc="$dest/opt/mp/include/maskpipe"
is "installed headers: the public API" "$(cd "$inc" && ls | tr '\n' ' ')" \
	"common.h image.h maskpipe.h model.h stream.h "
so_syms=$(nm -D --defined-only "$dest/opt/mp/lib/libmaskpipe.so" | awk '{print $NF}')
a_syms=$(nm --defined-only -g "$dest/opt/mp/lib/libmaskpipe.a" | awk 'NF == 3 {print $3}')
is "the .so exports the API" "$(printf '%s\n' "$so_syms" | grep -cx 'mp_reader_open\|mp_model_embed')" 2
is "the .so exports mp_ symbols only" "$(printf '%s\n' "$so_syms" | grep -v '^mp_')" ""
is "the archive's globals are mp_ symbols only" "$(printf '%s\n' "$a_syms" | grep -v '^mp_')" ""
is "the .so and the archive define the same API" "$(printf '%s\n' "$so_syms" | sort)" \
	"$(printf '%s\n' "$a_syms" | sort)"
ok "installed: libmaskpipe(3)" test -f "$dest/opt/mp/share/man/man3/libmaskpipe.3"

# the sanitized library needs the sanitizer runtime in every program
[ "$MASKPIPE_SAN" = 1 ] && exit 0

# tests/install/use_api.c, on the public API alone, against the installed
# copy (the .pc names the final prefix, so point pkg-config at the staging
# root): it copies a stream img-decode made of a PNG, decodes that PNG
# and embeds it with a tiny model, which must give mae-embed's embedding
# bit for bit (an image's embedding does not depend on its batch or the
# thread count on the CPU: mp_model_embed, mae_model_embed).
TINY="--img-size 12 --in-chans 3 --patch 4 --dim 16 --depth 1 --heads 2 --dec-dim 8 --dec-depth 1 --dec-heads 2"
mkrec -n 4 --img 12x12x3 | addmask --patch 4 --ratio 0.5 >"$T/train.rec"
ok "a tiny model" mae-train $TINY -q -b 4 --steps 1 -o "$T/m.st" "$T/train.rec"
mkrec -n 1 --img 12x12x3 | rec-png -o "$T/png" >/dev/null
png=$(ls "$T/png"/*.png)
ok "img-decode of a PNG" img-decode -o "$T/in.rec" "$png"
ok "mae-embed of it" mae-embed -q -o "$T/emb.rec" "$T/m.st" "$T/in.rec"
api_says="records copied: 1
decoded 12x12x3: as img-decode
embedding of 16 floats: as mae-embed"

pcflags() {
	PKG_CONFIG_SYSROOT_DIR="$dest" PKG_CONFIG_PATH="$dest/opt/mp/lib/pkgconfig" \
		pkg-config "$@" maskpipe
}
libs=$(pcflags --cflags --libs)
ok "a program builds with pkg-config maskpipe" \
	cc -std=c11 -Wall -Werror -o "$T/use" "$ROOT/tests/install/use_api.c" $libs
ok "  against the shared library" sh -c "readelf -d '$T/use' | grep -q 'NEEDED.*libmaskpipe.so.0'"
prints "  and runs" "$api_says" env LD_LIBRARY_PATH="$dest/opt/mp/lib" \
	"$T/use" "$T/in.rec" "$T/out.rec" "$png" "$T/m.st" "$T/emb.rec"
is "  its stream: the record, copied" "$(rec-cat "$T/out.rec" | each 'r["copied"]')" 1
is "  its header: img-decode's provenance, then the program's" \
	"$(rec-cat -H "$T/out.rec" | head -n 1 | each '[p[0].split("/")[-1] for p in r["provenance"]]')" \
	'["img-decode","use"]'

# the archive: -lmaskpipe made to name it, as a program wanting no .so does
slibs=$(pcflags --cflags --libs --static | sed 's/-lmaskpipe/-l:libmaskpipe.a/')
ok "a program builds with pkg-config --static maskpipe" \
	cc -std=c11 -Wall -Werror -o "$T/use_static" "$ROOT/tests/install/use_api.c" $slibs
ok "  against the archive" sh -c "! readelf -d '$T/use_static' | grep -q 'libmaskpipe'"
prints "  and runs" "$api_says" \
	"$T/use_static" "$T/in.rec" "$T/out2.rec" "$png" "$T/m.st" "$T/emb.rec"
