/* rec-png's outputs: a record's picture in its own file, named and placed
 * as rec_png_path_made says, or the pictures as one contact sheet; read
 * back and decoded to check what was written. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "common/err.h"
#include "common/mkdirs.h"
#include "formats/fileio.h"
#include "formats/png_codec.h"
#include "image/rec_png_out.h"

/* The PNG file at path decoded into *im: 0, or -1. */
static int read_png(const char *path, img *im)
{
	uint8_t *data = NULL;
	size_t len = 0;
	int rc = datafile_read_all(path, 1 << 20, &data, &len);
	if (rc == 0)
		rc = image_png_decode(data, len, im);
	free(data);
	return rc;
}

static void gray(img *im, uint32_t w, const uint8_t *px)
{
	CHECK_EQ(img_alloc(im, w, 1, 1), 0);
	memcpy(im->px, px, w);
}

/* A record's file is its picture, under its class with by_label; each
 * name written is printed. */
static void a_file_per_record(void)
{
	char dir[512], expect[1200];
	snprintf(dir, sizeof dir, "%s/files", check_tmpdir());
	CHECK_EQ(mkdirs(dir), 0);
	char *names = NULL;
	size_t names_len = 0;
	rec_png_out out = {.dir = dir, .names = open_memstream(&names, &names_len)};
	rec r;
	rec_init(&r);
	rec_set_str(&r, "id", "x");
	rec_set_int(&r, "label", 1);
	r.index = 2;
	img picture = {0}, back = {0};
	gray(&picture, 3, (const uint8_t[]){10, 20, 30});
	CHECK_EQ(rec_png_out_add(&out, &r, &picture), 0);
	CHECK(picture.px != NULL); /* a file leaves the picture to the caller */
	char path[700];
	snprintf(path, sizeof path, "%s/000002_x.png", dir);
	CHECK_EQ(read_png(path, &back), 0);
	CHECK(back.w == 3 && back.h == 1 && back.c == 1 && memcmp(back.px, picture.px, 3) == 0);
	img_free(&back);

	out.by_label = 1;
	out.classes = malloc(2 * sizeof *out.classes);
	out.classes[0] = strdup("boot"), out.classes[1] = strdup("shirt");
	out.n_classes = 2;
	picture.px[1] = 99;
	CHECK_EQ(rec_png_out_add(&out, &r, &picture), 0);
	snprintf(path, sizeof path, "%s/shirt/000002_x.png", dir);
	CHECK_EQ(read_png(path, &back), 0);
	CHECK(back.w == 3 && back.px[1] == 99);
	img_free(&back);
	CHECK_EQ(rec_png_out_finish(&out), 0); /* no sheet: nothing more */
	fclose(out.names);
	snprintf(expect, sizeof expect, "%s/000002_x.png\n%s/shirt/000002_x.png\n", dir, dir);
	CHECK_STR(names, expect);
	free(names);
	/* a directory that cannot be made */
	out.dir = "/proc/nonexistent";
	out.names = NULL;
	CHECK_EQ(rec_png_out_add(&out, &r, &picture), -1);
	rec_png_out_free(&out);
	CHECK(out.classes == NULL);
	img_free(&picture);
	rec_free(&r);
}

/* The sheet takes the pictures over and is written at the end, in its
 * columns with the mid-gray gap between the cells; a sheet of none is an
 * error naming it. */
static void one_sheet_of_all(void)
{
	char path[512];
	snprintf(path, sizeof path, "%s/sheet.png", check_tmpdir());
	char *names = NULL;
	size_t names_len = 0;
	rec_png_out out = {.sheet_path = path, .cols = 2,
			   .names = open_memstream(&names, &names_len)};
	rec r;
	rec_init(&r);
	img picture = {0}, back = {0};
	for (int i = 0; i < 3; i++) {
		gray(&picture, 1, (const uint8_t[]){(uint8_t)(7 + i)});
		r.index = (uint64_t)i;
		CHECK_EQ(rec_png_out_add(&out, &r, &picture), 0);
		CHECK(picture.px == NULL); /* taken over */
	}
	CHECK_EQ(out.tiles.n, 3);
	CHECK_EQ(rec_png_out_finish(&out), 0);
	fclose(out.names);
	char expect[600];
	snprintf(expect, sizeof expect, "%s\n", path);
	CHECK_STR(names, expect);
	free(names);
	/* 2 columns of 1 px and a 1 px gap; 2 rows */
	CHECK_EQ(read_png(path, &back), 0);
	CHECK(back.w == 3 && back.h == 3);
	const uint8_t *px = back.px;
	uint32_t c = back.c;
	CHECK(px[0] == 7 && px[1 * c] == 128 && px[2 * c] == 8);
	CHECK(px[3 * c] == 128 && px[6 * c] == 9 && px[8 * c] == 128);
	img_free(&back);
	rec_png_out_free(&out);

	rec_png_out none = {.sheet_path = path};
	CHECK_EQ(rec_png_out_finish(&none), -1);
	CHECK(strncmp(err_msg(), path, strlen(path)) == 0);
	rec_png_out_free(&none);
	rec_free(&r);
}

int main(void)
{
	RUN(a_file_per_record);
	RUN(one_sheet_of_all);
	return check_exit();
}
