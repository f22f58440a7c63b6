/* the library beyond the stream itself: the in-memory record store and its id
 * index, contact sheets and their tiles, directory creation, rec-png's files, ImageFolder
 * listing, and string-array fields. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/atomic.h"
#include "common/clock.h"
#include "stream/rec_fields.h"
#include "common/grow.h"
#include "stream/rec_path.h"
#include "common/rng.h"
#include "check.h"
#include "common/err.h"
#include "stream/id_index.h"
#include "formats/imgdir.h"
#include "common/img.h"
#include "common/img_tiles.h"
#include "common/mkdirs.h"
#include "stream/rec_store.h"

static char *path_in_tmp(const char *name)
{
	static char buf[4][512];
	static int next;
	char *p = buf[next++ % 4];
	snprintf(p, sizeof buf[0], "%s/%s", check_tmpdir(), name);
	return p;
}

static void fill_store(recstore *s, int n, const char *dup_id)
{
	rec r;
	rec_init(&r);
	for (int i = 0; i < n; i++) {
		char id[32];
		snprintf(id, sizeof id, "x:%d", i);
		rec_clear(&r);
		rec_set_str(&r, "id", i == n - 1 && dup_id ? dup_id : id);
		rec_set_int(&r, "label", i % 10);
		recstore_add(s, &r);
	}
	rec_free(&r);
}

static void store_gives_back_each_record(void)
{
	recstore s;
	recstore_init(&s);
	fill_store(&s, 5000, NULL);
	CHECK_EQ(s.n, 5000);
	rec r;
	rec_init(&r);
	for (size_t i = 0; i < s.n; i += 977) {
		CHECK_EQ(recstore_get(&s, i, &r), 0);
		int64_t label;
		CHECK(rec_get_int(&r, "label", &label) == 0 && label == (int64_t)(i % 10));
		CHECK_EQ(r.index, i);
	}
	rec_free(&r);
	recstore_free(&s);
}

static void index_finds_every_id(void)
{
	recstore s;
	recstore_init(&s);
	fill_store(&s, 3000, NULL);
	idindex ix;
	CHECK_EQ(idindex_build(&ix, &s), 0);
	for (int i = 0; i < 3000; i += 7) {
		char id[32];
		int len = snprintf(id, sizeof id, "x:%d", i);
		CHECK_EQ(idindex_find(&ix, id, (size_t)len), i);
	}
	CHECK_EQ(idindex_find(&ix, "x:3000", 6), -1);
	CHECK_EQ(idindex_find(&ix, "x:1", 2), -1); /* a prefix is not a match */
	idindex_free(&ix);
	recstore_free(&s);
}

static void index_refuses_duplicates_and_missing_ids(void)
{
	recstore s;
	recstore_init(&s);
	fill_store(&s, 10, "x:3");
	idindex ix;
	CHECK_EQ(idindex_build(&ix, &s), -1);
	CHECK(strstr(err_msg(), "record 9") && strstr(err_msg(), "record 3"));
	recstore_free(&s);

	recstore_init(&s);
	rec r;
	rec_init(&r);
	rec_set_int(&r, "label", 1);
	recstore_add(&s, &r);
	CHECK_EQ(idindex_build(&ix, &s), -1);
	CHECK(strstr(err_msg(), "no 'id'") != NULL);
	rec_free(&r);
	recstore_free(&s);
}

static void sheet_tiles_in_a_grid(void)
{
	/* three 2x1 gray tiles and one 1x1 RGB tile, 2 columns, scale 2 */
	img tiles[4] = {{0}};
	for (int i = 0; i < 3; i++) {
		img_alloc(&tiles[i], 2, 1, 1);
		tiles[i].px[0] = (uint8_t)(10 * i), tiles[i].px[1] = (uint8_t)(10 * i + 1);
	}
	img_alloc(&tiles[3], 1, 1, 3);
	tiles[3].px[0] = 200, tiles[3].px[1] = 100, tiles[3].px[2] = 50;
	img sheet = {0};
	CHECK_EQ(img_sheet(&sheet, tiles, 4, 2, 2, 128), 0);
	/* cells of 4x2 px, 1 px gaps: 2*4+1 wide, 2*2+1 high, RGB */
	CHECK(sheet.w == 9 && sheet.h == 5 && sheet.c == 3);
	const uint8_t *px = sheet.px;
#define AT(x, y) (px + ((size_t)(y) * sheet.w + (x)) * 3)
	CHECK(AT(0, 0)[0] == 0 && AT(1, 1)[0] == 0 && AT(2, 0)[1] == 1); /* tile 0 scaled */
	CHECK(AT(4, 0)[0] == 128); /* the gap */
	CHECK(AT(5, 0)[0] == 10 && AT(8, 1)[2] == 11); /* tile 1 */
	CHECK(AT(0, 3)[0] == 20 && AT(3, 4)[0] == 21); /* tile 2, second row */
	CHECK(AT(5, 3)[0] == 200 && AT(6, 4)[1] == 100 && AT(6, 4)[2] == 50); /* RGB tile */
	CHECK(AT(7, 3)[0] == 128); /* beyond the smaller tile: background */
#undef AT
	CHECK_EQ(img_sheet(&sheet, tiles, 0, 0, 1, 0), -1);
	for (int i = 0; i < 4; i++)
		img_free(&tiles[i]);
	img_free(&sheet);
}

static void square_grid_by_default(void)
{
	img tiles[5] = {{0}};
	for (int i = 0; i < 5; i++) {
		img_alloc(&tiles[i], 1, 1, 1);
		tiles[i].px[0] = 1;
	}
	img sheet = {0};
	CHECK_EQ(img_sheet(&sheet, tiles, 5, 0, 1, 0), 0);
	CHECK(sheet.w == 5 && sheet.h == 3); /* 3 columns, 2 rows, gaps */
	for (int i = 0; i < 5; i++)
		img_free(&tiles[i]);
	img_free(&sheet);
}

static void mkdirs_makes_parents(void)
{
	const char *deep = path_in_tmp("a/b/c");
	CHECK_EQ(mkdirs(deep), 0);
	CHECK_EQ(mkdirs(deep), 0); /* existing is fine */
	struct stat st;
	CHECK(stat(deep, &st) == 0 && S_ISDIR(st.st_mode));
	const char *file = path_in_tmp("plain");
	atomic_write_file(file, "x", 1);
	CHECK_EQ(mkdirs(file), -1);
	CHECK(strstr(err_msg(), "not a directory") != NULL);
}

static void touch(const char *rel)
{
	char *path = path_in_tmp(rel);
	char dir[512];
	snprintf(dir, sizeof dir, "%s", path);
	*strrchr(dir, '/') = '\0';
	mkdirs(dir);
	atomic_write_file(path, "", 0);
}

static void imagefolder_listing(void)
{
	touch("tree/dog/b.png");
	touch("tree/dog/a.JPG");
	touch("tree/cat/deep/er/x.jpeg");
	touch("tree/cat/notes.txt");
	touch("tree/.hidden/y.png");
	touch("tree/zebra/.z.png");
	touch("tree/top.png");
	imgdir d;
	CHECK_EQ(imgdir_list(path_in_tmp("tree"), &d), 0);
	CHECK_EQ(d.n_classes, 3);
	CHECK_STR(d.classes[0], "cat");
	CHECK_STR(d.classes[1], "dog");
	CHECK_STR(d.classes[2], "zebra");
	CHECK_EQ(d.n_files, 4);
	if (d.n_files == 4) {
		CHECK_STR(d.files[0].rel_path, "cat/deep/er/x.jpeg");
		CHECK_EQ(d.files[0].label, 0);
		CHECK_STR(d.files[1].rel_path, "dog/a.JPG");
		CHECK_STR(d.files[2].rel_path, "dog/b.png");
		CHECK_EQ(d.files[2].label, 1);
		CHECK_STR(d.files[3].rel_path, "top.png");
		CHECK_EQ(d.files[3].label, -1);
	}
	imgdir_free(&d);
	CHECK_EQ(imgdir_list(path_in_tmp("no-such-tree"), &d), -1);
	CHECK(strstr(err_msg(), "no-such-tree") != NULL);
}

static void string_arrays(void)
{
	rec r;
	rec_init(&r);
	msgpack_packer *pk = rec_pack_begin(&r, "classes");
	msgpack_pack_array(pk, 2);
	msgpack_pack_str(pk, 3);
	msgpack_pack_str_body(pk, "cat", 3);
	msgpack_pack_str(pk, 0);
	rec_pack_end(&r);
	char **strs;
	size_t n;
	CHECK_EQ(rec_get_strs(&r, "classes", &strs, &n), 0);
	CHECK_EQ(n, 2);
	CHECK_STR(strs[0], "cat");
	CHECK_STR(strs[1], "");
	rec_free_strs(strs, n);
	CHECK_EQ(rec_get_strs(&r, "missing", &strs, &n), 1);
	rec_set_str(&r, "classes", "cat");
	CHECK_EQ(rec_get_strs(&r, "classes", &strs, &n), -1);
	/* an array whose count exceeds its bytes fails before allocating */
	static const uint8_t lying[] = {0xdd, 0x7f, 0xff, 0xff, 0xff, 0xa0};
	rec_set_raw(&r, "classes", lying, sizeof lying);
	CHECK_EQ(rec_get_strs(&r, "classes", &strs, &n), -1);
	rec_free(&r);
}

/* A pass writes each record once, in rng_permutation's order for
 * (seed, epoch), with the epoch field when asked. */
static void passes_follow_the_permutation(void)
{
	recstore s;
	recstore_init(&s);
	fill_store(&s, 50, NULL);
	const char *path = path_in_tmp("pass.rec");
	rec_writer *w = rec_writer_open(path);
	CHECK_EQ(recstore_write_pass(&s, w, 11, 3, 1, 1), 0);
	CHECK_EQ(recstore_write_pass(&s, w, 11, 4, 0, 0), 0);
	CHECK_EQ(rec_writer_close(w), 0);
	uint32_t order[50];
	rng_permutation(order, 50, 11, 3);
	rec_reader *rd = rec_reader_open(path);
	rec r;
	rec_init(&r);
	for (int i = 0; i < 100; i++) {
		CHECK_EQ(rec_reader_next(rd, &r), 1);
		char want[32];
		snprintf(want, sizeof want, "x:%u", i < 50 ? order[i] : (unsigned)(i - 50));
		const char *id;
		uint32_t id_len;
		int64_t epoch = -1;
		CHECK(rec_get_str(&r, "id", &id, &id_len) == 0 && id_len == strlen(want) &&
		      memcmp(id, want, id_len) == 0);
		CHECK_EQ(rec_get_int(&r, "epoch", &epoch), i < 50 ? 0 : 1);
		if (i < 50)
			CHECK_EQ(epoch, 3);
	}
	CHECK_EQ(rec_reader_next(rd, &r), 0);
	rec_free(&r);
	rec_reader_close(rd);
	recstore_free(&s);
}

static void descriptions_and_typed_fields(void)
{
	rec a, b;
	rec_init(&a);
	rec_init(&b);
	rec_set_str(&a, "id", "train:7");
	rec_set_bin(&a, "mask", "\x0f\xf0", 2);
	rec_set_bin(&b, "mask", "\x0f\xf0", 2);
	a.index = b.index = 7;
	char what[64];
	CHECK_STR(rec_describe(&a, what, sizeof what), "record 7 (id 'train:7')");
	CHECK_STR(rec_describe(&b, what, sizeof what), "record 7");
	const uint8_t *bits;
	uint32_t n_bytes;
	CHECK(rec_get_bin(&b, "mask", &bits, &n_bytes) == 0 && n_bytes == 2 && bits[1] == 0xf0);
	CHECK_EQ(rec_get_bin(&b, "none", &bits, &n_bytes), 1);
	CHECK_EQ(rec_get_bin(&a, "id", &bits, &n_bytes), -1);
	CHECK(strstr(err_msg(), "field 'id': expected bin, found str") != NULL);
	char *names[] = {"a", "bb"};
	CHECK_EQ(rec_set_strs(&a, "classes", names, 2), 0);
	char **back;
	size_t n_back;
	CHECK(rec_get_strs(&a, "classes", &back, &n_back) == 0 && n_back == 2);
	CHECK_STR(back[1], "bb");
	rec_free_strs(back, n_back);
	uint8_t px[6] = {1, 2, 3, 4, 5, 6};
	img im = {3, 2, 1, px};
	CHECK_EQ(rec_make_image(&a, "x", 4, -1, &im), 0);
	int64_t label;
	CHECK(rec_get_int(&a, "label", &label) == 0 && label == 4);
	CHECK(rec_get(&a, "label_coarse") == NULL && rec_get(&a, "mask") == NULL);
	rec_free(&a);
	rec_free(&b);
}

static void field_lists_select_and_merge(void)
{
	fieldlist fl;
	CHECK_EQ(fieldlist_parse(&fl, ",,"), -1);
	CHECK_EQ(fieldlist_parse(&fl, "id,,img"), 0);
	CHECK_EQ(fl.n_names, 2);
	CHECK(fieldlist_has(&fl, "img", 3) && !fieldlist_has(&fl, "im", 2));
	rec r, cache;
	rec_init(&r);
	rec_init(&cache);
	rec_set_str(&r, "id", "a");
	rec_set_int(&r, "label", 1);
	rec_set_int(&r, "img", 2);
	rec_select(&r, &fl, 0);
	CHECK(r.n_fields == 1 && rec_get(&r, "label"));
	rec_set_str(&r, "id", "a");
	rec_set_str(&cache, "id", "other");
	rec_set_int(&cache, "label", 9);
	rec_set_int(&cache, "boxes", 5);
	CHECK_EQ(rec_merge(&r, &cache, NULL, 0), 0); /* no replace: label stays */
	int64_t v;
	CHECK(rec_get_int(&r, "label", &v) == 0 && v == 1);
	CHECK(rec_get_int(&r, "boxes", &v) == 0 && v == 5);
	const char *id;
	uint32_t id_len;
	CHECK(rec_get_str(&r, "id", &id, &id_len) == 0 && id[0] == 'a'); /* never the cache's id */
	CHECK_EQ(rec_merge(&r, &cache, NULL, 1), 0);
	CHECK(rec_get_int(&r, "label", &v) == 0 && v == 9);
	CHECK(r.fields[0].key_len == 5 && memcmp(r.fields[0].key, "label", 5) == 0); /* in place */
	fieldlist_free(&fl);
	rec_free(&r);
	rec_free(&cache);
}

static void png_paths_are_safe(void)
{
	char buf[REC_PATH_PART_MAX + 1];
	size_t len = path_append_safe(buf, 0, "../a b/c", 8, REC_PATH_PART_MAX);
	buf[len] = 0;
	CHECK_STR(buf, ".._a_b_c");
	len = path_append_safe(buf, 0, "..", 2, REC_PATH_PART_MAX);
	buf[len] = 0;
	CHECK_STR(buf, "__");
	rec r;
	rec_init(&r);
	rec_set_str(&r, "id", "fashion-mnist:train:17");
	rec_set_int(&r, "label", 3);
	r.index = 17;
	char *classes[] = {"a", "b", "c", "../shirt"};
	CHECK_EQ(rec_class_dir(buf, &r, classes, 4), 8);
	CHECK_STR(buf, ".._shirt");
	CHECK_EQ(rec_class_dir(buf, &r, classes, 2), 4);
	CHECK_STR(buf, "0003");
	char *path = rec_png_path(&r, "out", "0003");
	CHECK_STR(path, "out/0003/000017_fashion-mnist_train_17.png");
	free(path);
	rec_clear(&r);
	r.index = 17;
	path = rec_png_path(&r, "out", NULL);
	CHECK_STR(path, "out/000017.png");
	free(path);
	rec_free(&r);
}

static void arrays_grow_and_writes_complete(void)
{
	int *items = NULL;
	size_t cap = 0;
	CHECK_EQ(grow_array(&items, &cap, 1000, sizeof *items), 0);
	CHECK(cap >= 1000);
	items[999] = 5;
	size_t cap_before = cap;
	CHECK_EQ(grow_array(&items, &cap, 10, sizeof *items), 0);
	CHECK_EQ(cap, cap_before);
	CHECK_EQ(grow_array(&items, &cap, SIZE_MAX / 2, sizeof *items), -1);
	free(items);
	int fds[2];
	CHECK_EQ(pipe(fds), 0);
	CHECK_EQ(write_all(fds[1], "abc", 3), 0);
	char got[4] = {0};
	CHECK(read(fds[0], got, 3) == 3 && strcmp(got, "abc") == 0);
	close(fds[0]);
	signal(SIGPIPE, SIG_IGN);
	CHECK_EQ(write_all(fds[1], "abc", 3), -1); /* the reader is gone */
	CHECK_EQ(errno, EPIPE);
	close(fds[1]);
}

/* The pixel limit: the default holds 8192x8192, MASKPIPE_MAX_PIXELS moves
 * it, and a malformed value is an error naming the variable. */
static void image_pixels_are_limited(void)
{
	CHECK_EQ(img_check_dims(8192, 8192, 3), 0);
	CHECK_EQ(img_check_dims(20000, 20000, 1), -1);
	CHECK(strstr(err_msg(), "400000000 pixels") && strstr(err_msg(), "MASKPIPE_MAX_PIXELS"));
	CHECK_EQ(img_check_dims(65537, 1, 1), -1);
	setenv("MASKPIPE_MAX_PIXELS", "100", 1);
	CHECK_EQ(img_check_dims(10, 10, 4), 0);
	CHECK_EQ(img_check_dims(10, 11, 1), -1);
	img im = {0};
	CHECK_EQ(img_alloc(&im, 11, 10, 1), -1);
	CHECK(im.px == NULL);
	setenv("MASKPIPE_MAX_PIXELS", "0", 1);
	CHECK_EQ(img_check_dims(1, 1, 1), -1);
	CHECK(strstr(err_msg(), "MASKPIPE_MAX_PIXELS=0") != NULL);
	unsetenv("MASKPIPE_MAX_PIXELS");
}

/* rec-png's file of a record, its class directory made under --by-label. */
static void png_paths_make_class_directories(void)
{
	char dir[512], expect[700];
	snprintf(dir, sizeof dir, "%s/bylabel", check_tmpdir());
	CHECK_EQ(mkdirs(dir), 0);
	rec r;
	rec_init(&r);
	rec_set_str(&r, "id", "x");
	rec_set_int(&r, "label", 1);
	r.index = 2;
	char *classes[] = {"boot", "shirt"};
	char *path = rec_png_path_made(&r, dir, 1, classes, 2);
	snprintf(expect, sizeof expect, "%s/shirt/000002_x.png", dir);
	CHECK_STR(path, expect);
	free(path);
	snprintf(expect, sizeof expect, "%s/shirt", dir);
	struct stat st;
	CHECK(stat(expect, &st) == 0 && S_ISDIR(st.st_mode));
	path = rec_png_path_made(&r, dir, 0, classes, 2);
	snprintf(expect, sizeof expect, "%s/000002_x.png", dir);
	CHECK_STR(path, expect);
	free(path);
	/* a directory that cannot be made */
	CHECK(rec_png_path_made(&r, "/proc/nonexistent", 1, classes, 2) == NULL);
	rec_free(&r);
}

/* Tiles are taken over, counted, and refused once past the pixel limit. */
static void tiles_stop_at_the_pixel_limit(void)
{
	setenv("MASKPIPE_MAX_PIXELS", "250", 1);
	img_tiles t = {0};
	for (int i = 0; i < 2; i++) {
		img picture = {0};
		CHECK_EQ(img_alloc(&picture, 10, 10, 1), 0);
		CHECK_EQ(img_tiles_add(&t, &picture), 0);
		CHECK(picture.px == NULL);
	}
	CHECK_EQ(t.n, 2);
	CHECK_EQ(t.pixels, 200);
	img third = {0};
	CHECK_EQ(img_alloc(&third, 10, 6, 1), 0);
	CHECK_EQ(img_tiles_add(&t, &third), -1);
	CHECK_STR(err_msg(), "a sheet of 3 images would have over 250 pixels, the limit "
			     "(MASKPIPE_MAX_PIXELS raises it)");
	img_free(&third);
	img_tiles_free(&t);
	CHECK(t.items == NULL && t.n == 0);
	unsetenv("MASKPIPE_MAX_PIXELS");
}

/* The clock counts seconds: a 20 ms sleep measures at least 20 ms (a sleep
 * never ends early), and it never goes back. */
static void clock_measures_a_sleep(void)
{
	double t0 = clock_seconds();
	nanosleep(&(struct timespec){0, 20000000}, NULL);
	double t1 = clock_seconds();
	CHECK(t1 - t0 >= 0.020 - 1e-9);
	CHECK(t1 - t0 < 60); /* seconds, not milli- or nanoseconds */
	CHECK(clock_seconds() >= t1);
}

int main(void)
{
	RUN(store_gives_back_each_record);
	RUN(image_pixels_are_limited);
	RUN(index_finds_every_id);
	RUN(index_refuses_duplicates_and_missing_ids);
	RUN(sheet_tiles_in_a_grid);
	RUN(square_grid_by_default);
	RUN(mkdirs_makes_parents);
	RUN(imagefolder_listing);
	RUN(string_arrays);
	RUN(passes_follow_the_permutation);
	RUN(descriptions_and_typed_fields);
	RUN(field_lists_select_and_merge);
	RUN(png_paths_are_safe);
	RUN(arrays_grow_and_writes_complete);
	RUN(png_paths_make_class_directories);
	RUN(tiles_stop_at_the_pixel_limit);
	RUN(clock_measures_a_sleep);
	return check_exit();
}
