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
pc="$dest/opt/mp/lib/pkgconfig/maskpipe.pc"
ok "pkg-config file names the prefix" grep -qx 'prefix=/opt/mp' "$pc"

# the sanitized library needs the sanitizer runtime in every program
[ "$MASKPIPE_SAN" = 1 ] && exit 0

# build a reader-writer against the installed copy (the .pc names the
# final prefix, so point the flags at the staging root)
cat >"$T/use.c" <<'C'
#include <stream/rec_io.h>
#include <stdio.h>
int main(void)
{
	rec r;
	rec_init(&r);
	rec_set_int(&r, "label", 3);
	int64_t v = 0;
	int ok = rec_get_int(&r, "label", &v) == 0 && v == 3;
	rec_free(&r);
	puts(ok ? "ok" : "bad");
	return !ok;
}
C
libs=$(PKG_CONFIG_SYSROOT_DIR="$dest" PKG_CONFIG_PATH="$dest/opt/mp/lib/pkgconfig" \
	pkg-config --cflags --libs --static maskpipe)
ok "a program builds with pkg-config --static" cc -o "$T/use" "$T/use.c" $libs
prints "  and runs" ok env LD_LIBRARY_PATH="$dest/opt/mp/lib" "$T/use"
