/* The format readers against fixtures written by libpng, libjpeg and zlib
 * directly (tests/bin/mkfixtures.c): every decoded pixel is compared with
 * the value the fixture stored, and every damaged file must fail with a
 * message naming the file, the image and the problem. */
#define MKFIXTURES_NO_MAIN
#include "../bin/mkfixtures.c"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "formats/cifar.h"
#include "common/err.h"
#include "formats/fileio.h"
#include "formats/idx.h"
#include "common/img.h"
#include "formats/img_inputs.h"
#include "formats/imgsrc.h"
#include "formats/jpeg.h"
#include "formats/png_codec.h"
#include "formats/stl10.h"

static char fixture_dir[PATH_CAP];

/* The path of a fixture, valid until the fourth call after. */
static const char *fixture(const char *name)
{
	static char paths[4][PATH_CAP];
	static int next;
	char *path = paths[next++ % 4];
	join_path(path, fixture_dir, name);
	return path;
}

/* The call failed (`failed` is true) and err_msg() contains needle. */
#define CHECK_ERROR(failed, needle) check_error((failed), (needle), __FILE__, __LINE__)

static void check_error(int failed, const char *needle, const char *file, int line)
{
	if (!failed) {
		fprintf(stderr, "%s:%d: succeeded, expected an error with \"%s\"\n", file, line, needle);
		check_case_failed = 1;
	} else if (!strstr(err_msg(), needle)) {
		fprintf(stderr, "%s:%d: message \"%s\" lacks \"%s\"\n", file, line, err_msg(), needle);
		check_case_failed = 1;
	}
}

/* Decodes a whole file with image_png_decode or image_jpeg_decode. */
static int decode_file(const char *path, int (*decode)(const uint8_t *, size_t, img *), img *out)
{
	uint8_t *data;
	size_t len;
	if (datafile_read_all(path, 1 << 26, &data, &len) < 0)
		return -1;
	int ret = decode(data, len, out);
	free(data);
	return ret;
}

/* Opens path and reads every image; returns the images read, or -1 (with
 * the count so far in *n_read). */
static int64_t read_all_images(const char *path, const imgsrc_opts *opts, int64_t *n_read)
{
	imgsrc *src = imgsrc_open(path, opts);
	img im = { 0 };
	int64_t label, coarse;
	char id[256];
	int got = -1;
	*n_read = 0;
	if (src)
		while ((got = imgsrc_next(src, &im, &label, &coarse, id, sizeof id)) == 1)
			++*n_read;
	img_free(&im);
	imgsrc_close(src);
	return got < 0 ? -1 : *n_read;
}

/* ---- PNG ---- */

static unsigned png_expected_channels(const struct png_fixture *fx)
{
	unsigned colour = fx->colour_type & PNG_COLOR_MASK_COLOR ? 3 : 1;
	int alpha = (fx->colour_type & PNG_COLOR_MASK_ALPHA) || fx->trns;
	return colour + (alpha ? 1 : 0);
}

/* 16-bit samples round to the nearest 8-bit value (v / 257), as PIL does,
 * not truncate (v >> 8); 1/2/4-bit ones stretch to 0..255. */
static uint8_t png_expected_8bit(unsigned v, int bit_depth)
{
	if (bit_depth == 16)
		return (uint8_t)((v * 255u + 32767u) / 65535u);
	return (uint8_t)(v * 255u / ((1u << bit_depth) - 1));
}

static void png_expected_pixel(const struct png_fixture *fx, uint32_t x, uint32_t y, uint8_t *px)
{
	if (fx->colour_type == PNG_COLOR_TYPE_PALETTE) {
		unsigned index = png_stored_sample(fx, x, y, 0);
		for (unsigned ch = 0; ch < 3; ch++)
			px[ch] = png_palette_rgb(index, ch);
		if (fx->trns)
			px[3] = png_palette_alpha(index, fx->bit_depth);
		return;
	}
	unsigned channels = png_file_channels(fx->colour_type);
	int transparent = 1;
	for (unsigned ch = 0; ch < channels; ch++) {
		unsigned v = png_stored_sample(fx, x, y, ch);
		px[ch] = png_expected_8bit(v, fx->bit_depth);
		transparent &= v == png_stored_sample(fx, 0, 0, ch);
	}
	if (fx->trns)
		px[channels] = transparent ? 0 : 255;
}

static void test_png_every_type_and_depth(void)
{
	struct png_fixture fixtures[PNG_FIXTURES_MAX];
	size_t n = png_fixture_list(fixtures);
	img im = { 0 };
	for (size_t i = 0; i < n; i++) {
		const struct png_fixture *fx = &fixtures[i];
		char name[256];
		png_fixture_name(fx, name, sizeof name);
		if (decode_file(fixture(name), image_png_decode, &im) < 0) {
			fprintf(stderr, "%s: %s\n", name, err_msg());
			check_case_failed = 1;
			continue;
		}
		unsigned c = png_expected_channels(fx);
		CHECK(im.w == fx->w && im.h == fx->h && im.c == c);
		if (im.w != fx->w || im.h != fx->h || im.c != c)
			continue;
		size_t n_wrong = 0;
		for (uint32_t y = 0; y < fx->h; y++) {
			for (uint32_t x = 0; x < fx->w; x++) {
				uint8_t want[4];
				png_expected_pixel(fx, x, y, want);
				const uint8_t *got = im.px + ((size_t)y * fx->w + x) * c;
				if (memcmp(got, want, c) != 0 && n_wrong++ == 0)
					fprintf(stderr, "%s: pixel (%u, %u) channel 0 is %u, expected %u\n",
						name, x, y, got[0], want[0]);
			}
		}
		CHECK_EQ(n_wrong, 0);
	}
	img_free(&im);
}

static void test_png_damaged(void)
{
	img im = { 0 };
	CHECK_ERROR(decode_file(fixture("png/bad-truncated.png"), image_png_decode, &im) < 0,
		    "PNG: truncated");
	CHECK_ERROR(decode_file(fixture("png/bad-crc.png"), image_png_decode, &im) < 0,
		    "PNG: IDAT: CRC error");
	CHECK_ERROR(decode_file(fixture("png/bad-data.png"), image_png_decode, &im) < 0, "PNG: ");
	CHECK_ERROR(decode_file(fixture("png/bad-huge.png"), image_png_decode, &im) < 0,
		    "PNG: image of 100000x100000x1 exceeds the limit");
	CHECK_ERROR(decode_file(fixture("png/x.png"), image_png_decode, &im) < 0, "not a PNG file");
	CHECK_ERROR(image_png_decode((const uint8_t *)"", 0, &im) < 0, "not a PNG file");
	CHECK(im.px == NULL); /* untouched on error */
}

static void test_png_damaged_through_imgsrc(void)
{
	int64_t n;
	imgsrc_opts as_png = { .format = "png" };
	CHECK_ERROR(read_all_images(fixture("png/bad-crc.png"), NULL, &n) < 0,
		    "png/bad-crc.png: PNG: IDAT: CRC error");
	CHECK_ERROR(read_all_images(fixture("png/x.png"), NULL, &n) < 0,
		    "png/x.png: unrecognised format");
	CHECK_ERROR(read_all_images(fixture("png/x.png"), &as_png, &n) < 0,
		    "png/x.png: not a PNG file");
	CHECK_ERROR(read_all_images(fixture("png/empty.png"), NULL, &n) < 0,
		    "png/empty.png: empty file");
	CHECK_ERROR(read_all_images(fixture("png/missing.png"), NULL, &n) < 0,
		    "png/missing.png: cannot open: No such file");
	CHECK_ERROR(read_all_images(fixture("png"), NULL, &n) < 0, "png: is a directory");
}

/* A w x h image whose samples all differ from their neighbours. */
static void fill_pattern(img *im, uint32_t w, uint32_t h, uint32_t c)
{
	CHECK_EQ(img_alloc(im, w, h, c), 0);
	for (size_t i = 0; i < img_bytes(im); i++)
		im->px[i] = (uint8_t)(i * 37 + 11);
}

static void test_png_encode_round_trip(void)
{
	img original = { 0 }, decoded = { 0 };
	for (uint32_t c = 1; c <= 4; c++) {
		fill_pattern(&original, 13, 7, c);
		uint8_t *bytes;
		size_t len;
		CHECK_EQ(image_png_encode(&original, &bytes, &len), 0);
		CHECK_EQ(image_png_decode(bytes, len, &decoded), 0);
		CHECK(decoded.w == 13 && decoded.h == 7 && decoded.c == c);
		CHECK(memcmp(decoded.px, original.px, img_bytes(&original)) == 0);
		free(bytes);
	}
	img no_channels = { .w = 2, .h = 2, .c = 0 };
	uint8_t *bytes;
	size_t len;
	CHECK_ERROR(image_png_encode(&no_channels, &bytes, &len) < 0, "0 channels");
	img_free(&original);
	img_free(&decoded);
}

static void test_png_write_file(void)
{
	char dir[PATH_CAP], path[PATH_CAP];
	join_path(dir, check_tmpdir(), "written");
	mkdir(dir, 0777);
	join_path(path, dir, "out.png");
	img original = { 0 }, decoded = { 0 };
	fill_pattern(&original, 5, 3, 3);
	CHECK_EQ(image_png_write_file(path, &original), 0);
	CHECK_EQ(image_png_write_file(path, &original), 0); /* replaces */
	CHECK_EQ(decode_file(path, image_png_decode, &decoded), 0);
	CHECK(decoded.c == 3 && memcmp(decoded.px, original.px, img_bytes(&original)) == 0);
	CHECK_EQ(check_count_entries(dir), 1); /* no temporary file left behind */
	struct stat st;
	mode_t mask = umask(0);
	umask(mask);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == (0666 & ~mask));

	join_path(path, dir, "no-such-dir/out.png");
	CHECK_ERROR(image_png_write_file(path, &original) < 0, "cannot create a temporary file");
	CHECK_EQ(check_count_entries(dir), 1);
	img_free(&original);
	img_free(&decoded);
}

/* ---- JPEG ---- */

/* What a JPEG fixture decodes to, before the loss: RGB from CMYK by
 * R = (1 - C)(1 - K) on Adobe's inverted samples. */
static void jpeg_expected_pixel(const struct jpeg_fixture *fx, uint32_t x, uint32_t y, uint8_t *px)
{
	if (fx->components < 4) {
		for (int ch = 0; ch < fx->components; ch++)
			px[ch] = jpeg_written_sample(fx, x, y, (unsigned)ch);
		return;
	}
	unsigned k = jpeg_written_sample(fx, x, y, 3);
	for (unsigned ch = 0; ch < 3; ch++)
		px[ch] = (uint8_t)((jpeg_written_sample(fx, x, y, ch) * k + 127) / 255);
}

static void test_jpeg_colour_spaces(void)
{
	/* quality 100 without subsampling: off by rounding only (YCbCr, YCCK) */
	const int tolerance = 3;
	img im = { 0 };
	for (size_t i = 0; i < N_JPEG_FIXTURES; i++) {
		const struct jpeg_fixture *fx = &jpeg_fixtures[i];
		if (decode_file(fixture(fx->name), image_jpeg_decode, &im) < 0) {
			fprintf(stderr, "%s: %s\n", fx->name, err_msg());
			check_case_failed = 1;
			continue;
		}
		uint32_t c = fx->components == 1 ? 1 : 3;
		CHECK(im.w == fx->w && im.h == fx->h && im.c == c);
		if (im.w != fx->w || im.h != fx->h || im.c != c)
			continue;
		int worst = 0;
		for (uint32_t y = 0; y < fx->h; y++) {
			for (uint32_t x = 0; x < fx->w; x++) {
				uint8_t want[3];
				jpeg_expected_pixel(fx, x, y, want);
				for (uint32_t ch = 0; ch < c; ch++) {
					int diff = abs(im.px[(y * fx->w + x) * c + ch] - want[ch]);
					worst = diff > worst ? diff : worst;
				}
			}
		}
		if (worst > tolerance)
			fprintf(stderr, "%s: off by up to %d\n", fx->name, worst);
		CHECK(worst <= tolerance);
	}
	img_free(&im);
}

static void test_jpeg_damaged(void)
{
	img im = { 0 };
	CHECK_ERROR(decode_file(fixture("jpeg/bad-truncated-header.jpg"), image_jpeg_decode, &im) < 0,
		    "JPEG: ");
	CHECK_ERROR(image_jpeg_decode((const uint8_t *)"hello", 5, &im) < 0,
		    "JPEG: Not a JPEG file: starts with 0x68 0x65");
	CHECK_ERROR(image_jpeg_decode((const uint8_t *)"", 0, &im) < 0, "JPEG: ");
	CHECK(im.px == NULL);
	/* libjpeg only warns of a scan cut short; we fail rather than return
	 * an image whose rest is gray */
	CHECK_ERROR(decode_file(fixture("jpeg/bad-truncated-scan.jpg"), image_jpeg_decode, &im) < 0,
		    "JPEG: Premature end of JPEG file");
	CHECK(im.px == NULL);

	/* a frame header claiming more rows than the scan holds: the scan's
	 * data ends at EOI before its blocks do (libjpeg warns, and would
	 * return gray rows) */
	uint8_t *data;
	size_t len;
	if (datafile_read_all(fixture("jpeg/rgb.jpg"), 1 << 20, &data, &len) < 0) {
		CHECK(!"the JPEG fixture reads");
		return;
	}
	for (size_t i = 2; i + 9 < len; i += 2 + ((size_t)data[i + 2] << 8 | data[i + 3]))
		if (data[i + 1] == 0xC0) { /* SOF0: length, precision, height */
			data[i + 5] = 0x07;
			data[i + 6] = 0xD0; /* 2000 rows */
			break;
		}
	CHECK_ERROR(image_jpeg_decode(data, len, &im) < 0, "premature end of data segment");
	CHECK(im.px == NULL);
	free(data);
}

/* ---- single images through imgsrc ---- */

static void test_imgsrc_single_files(void)
{
	const char *paths[] = { fixture("png/rgba-8-7x5.png"), fixture("jpeg/gray.jpg") };
	const char *formats[] = { "png", "jpeg" };
	const uint32_t channels[] = { 4, 1 };
	for (int i = 0; i < 2; i++) {
		imgsrc *src = imgsrc_open(paths[i], NULL);
		CHECK(src != NULL);
		if (!src)
			continue;
		img im = { 0 };
		int64_t label, coarse;
		char id[4200];
		CHECK_STR(imgsrc_format(src), formats[i]);
		CHECK_EQ(imgsrc_count(src), 1);
		CHECK_EQ(imgsrc_next(src, &im, &label, &coarse, id, sizeof id), 1);
		CHECK_STR(id, paths[i]);
		CHECK(label == -1 && coarse == -1 && im.c == channels[i]);
		CHECK_EQ(imgsrc_next(src, &im, &label, &coarse, id, sizeof id), 0);
		img_free(&im);
		imgsrc_close(src);
	}
	imgsrc_opts labelled = { .labels = fixture("idx/mini-labels-idx1-ubyte") };
	CHECK_ERROR(imgsrc_open(fixture("jpeg/gray.jpg"), &labelled) == NULL,
		    "a labels file goes only with IDX and STL-10 images");
	imgsrc_opts bad_format = { .format = "gif" };
	CHECK_ERROR(imgsrc_open(fixture("jpeg/gray.jpg"), &bad_format) == NULL,
		    "unknown format 'gif'");
}

/* ---- IDX ---- */

/* Reads an IDX fixture of IDX_FIX_N images through imgsrc and checks every
 * pixel, label and id. */
static void check_idx_fixture(const char *path, const imgsrc_opts *opts, int labelled,
			      const char *id_prefix)
{
	imgsrc *src = imgsrc_open(path, opts);
	if (!src) {
		fprintf(stderr, "%s\n", err_msg());
		check_case_failed = 1;
		return;
	}
	CHECK_STR(imgsrc_format(src), "idx");
	CHECK_EQ(imgsrc_count(src), IDX_FIX_N);
	img im = { 0 };
	int64_t label, coarse;
	char id[256], want_id[256];
	uint32_t i = 0;
	int got;
	while ((got = imgsrc_next(src, &im, &label, &coarse, id, sizeof id)) == 1) {
		CHECK(im.w == IDX_FIX_COLS && im.h == IDX_FIX_ROWS && im.c == 1);
		for (uint32_t y = 0; y < IDX_FIX_ROWS; y++)
			for (uint32_t x = 0; x < IDX_FIX_COLS; x++)
				CHECK_EQ(im.px[y * IDX_FIX_COLS + x], idx_fixture_pixel(i, y, x));
		CHECK_EQ(label, labelled ? idx_fixture_label(i) : -1);
		CHECK_EQ(coarse, -1);
		snprintf(want_id, sizeof want_id, "%s:%u", id_prefix, i);
		CHECK_STR(id, want_id);
		i++;
	}
	CHECK_EQ(got, 0);
	CHECK_EQ(i, IDX_FIX_N);
	img_free(&im);
	imgsrc_close(src);
}

static void test_idx_plain_gzip_and_labels(void)
{
	char labels[PATH_CAP];
	join_path(labels, fixture_dir, "idx/mini-labels-idx1-ubyte");
	imgsrc_opts named = { .name = "mnist" }, explicit_labels = { .labels = labels };
	check_idx_fixture(fixture("idx/mini-images-idx3-ubyte"), NULL, 1, "idx:mini");
	check_idx_fixture(fixture("idxgz/mini-images-idx3-ubyte.gz"), &named, 1, "mnist:mini");
	check_idx_fixture(fixture("idxmix/mini-images-idx3-ubyte.gz"), NULL, 1, "idxmix:mini");
	check_idx_fixture(fixture("idxsolo/solo-images-idx3-ubyte"), NULL, 0, "idxsolo:solo");
	check_idx_fixture(fixture("idxsolo/solo-images-idx3-ubyte"), &explicit_labels, 1,
			  "idxsolo:solo");

	idx_reader *r = idx_open(fixture("idxgz/mini-images-idx3-ubyte.gz"), NULL);
	CHECK(r && strstr(idx_labels_path(r), "idxgz/mini-labels-idx1-ubyte.gz"));
	idx_close(r);
}

static void test_idx_damaged(void)
{
	int64_t n;
	char labels_short[PATH_CAP], labels_4[PATH_CAP];
	join_path(labels_short, fixture_dir, "idxbad/labels-short");
	join_path(labels_4, fixture_dir, "idxbad/labels-4");
	imgsrc_opts as_idx = { .format = "idx" }, short_labels = { .labels = labels_short },
		    four_labels = { .labels = labels_4 };
	CHECK_ERROR(read_all_images(fixture("idxbad/trunc-images-idx3-ubyte"), NULL, &n) < 0,
		    "trunc-images-idx3-ubyte: truncated: room for 4 of the 5 images (50 of 60 bytes)");
	CHECK_ERROR(read_all_images(fixture("idxbad/truncgz-images-idx3-ubyte.gz"), NULL, &n) < 0,
		    "truncgz-images-idx3-ubyte.gz: image 4: truncated: 2 of 12 bytes");
	CHECK_EQ(n, 4);
	CHECK_ERROR(read_all_images(fixture("idxbad/trailing-images-idx3-ubyte"), NULL, &n) < 0,
		    "trailing-images-idx3-ubyte: 3 bytes of trailing data after the 5 images");
	CHECK_ERROR(read_all_images(fixture("idxbad/trailinggz-images-idx3-ubyte.gz"), NULL, &n) < 0,
		    "trailinggz-images-idx3-ubyte.gz: 3 bytes of trailing data after the 5 images");
	CHECK_EQ(n, 5);
	CHECK_ERROR(read_all_images(fixture("idxbad/cutgz-images-idx3-ubyte.gz"), NULL, &n) < 0,
		    "truncated gzip data");
	CHECK(strstr(err_msg(), "cutgz-images-idx3-ubyte.gz: image "));
	CHECK_ERROR(read_all_images(fixture("idxbad/huge-images-idx3-ubyte"), NULL, &n) < 0,
		    "huge-images-idx3-ubyte: truncated: room for 5 of the 2147483648 images");
	CHECK_ERROR(read_all_images(fixture("idxbad/hugegz-images-idx3-ubyte.gz"), NULL, &n) < 0,
		    "hugegz-images-idx3-ubyte.gz: image 5: truncated: the file ends after 5 of "
		    "2147483648 images");
	CHECK_ERROR(read_all_images(fixture("idxbad/float-images-idx3-ubyte"), NULL, &n) < 0,
		    "float-images-idx3-ubyte: IDX elements of type 0x0d (float) are not supported");
	CHECK_ERROR(read_all_images(fixture("idxbad/tall-images-idx3-ubyte"), NULL, &n) < 0,
		    "tall-images-idx3-ubyte: image of 4x70000x1 exceeds the limit");
	CHECK_ERROR(read_all_images(fixture("idxbad/magic-images-idx3-ubyte"), &as_idx, &n) < 0,
		    "magic-images-idx3-ubyte: not an IDX file (it starts with 42 00 08 03)");
	CHECK_ERROR(read_all_images(fixture("idxbad/magic-images-idx3-ubyte"), NULL, &n) < 0,
		    "unrecognised format");
	CHECK_ERROR(read_all_images(fixture("idx/mini-images-idx3-ubyte"), &short_labels, &n) < 0,
		    "labels-short: truncated: room for 4 of the 5 labels (4 of 5 bytes)");
	CHECK_ERROR(read_all_images(fixture("idx/mini-images-idx3-ubyte"), &four_labels, &n) < 0,
		    "labels-4: 4 labels for the 5 images of ");
	CHECK_ERROR(read_all_images(fixture("idx/mini-labels-idx1-ubyte"), &as_idx, &n) < 0,
		    "an IDX array of 1 dimensions, expected 3");
}

/* ---- CIFAR and STL-10 ---- */

/* Checks that im is image i of the planar fixtures, in HWC order. */
static void check_planar_image(const img *im, uint32_t i, uint32_t side)
{
	CHECK(im->w == side && im->h == side && im->c == 3);
	size_t n_wrong = 0;
	for (uint32_t y = 0; y < side; y++)
		for (uint32_t x = 0; x < side; x++)
			for (unsigned ch = 0; ch < 3; ch++)
				n_wrong += im->px[(y * side + x) * 3 + ch] !=
					   planar_fixture_sample(i, ch, y, x);
	CHECK_EQ(n_wrong, 0);
}

static void test_cifar(void)
{
	imgsrc *src = imgsrc_open(fixture("cifar10/data_batch_1.bin"), NULL);
	img im = { 0 };
	int64_t label, coarse;
	char id[256], want_id[256];
	CHECK(src && strcmp(imgsrc_format(src), "cifar10") == 0);
	CHECK_EQ(imgsrc_count(src), CIFAR10_FIX_N);
	for (uint32_t i = 0; i < CIFAR10_FIX_N; i++) {
		CHECK_EQ(imgsrc_next(src, &im, &label, &coarse, id, sizeof id), 1);
		check_planar_image(&im, i, 32);
		CHECK(label == cifar10_fixture_label(i) && coarse == -1);
		snprintf(want_id, sizeof want_id, "cifar10:data_batch_1:%u", i);
		CHECK_STR(id, want_id);
	}
	CHECK_EQ(imgsrc_next(src, &im, &label, &coarse, id, sizeof id), 0);
	imgsrc_close(src);

	src = imgsrc_open(fixture("cifar100/train.bin"), NULL);
	CHECK(src && strcmp(imgsrc_format(src), "cifar100") == 0);
	for (uint32_t i = 0; i < CIFAR100_FIX_N; i++) {
		CHECK_EQ(imgsrc_next(src, &im, &label, &coarse, id, sizeof id), 1);
		check_planar_image(&im, i, 32);
		CHECK(label == cifar100_fixture_fine(i) && coarse == cifar100_fixture_coarse(i));
		snprintf(want_id, sizeof want_id, "cifar100:train:%u", i);
		CHECK_STR(id, want_id);
	}
	CHECK_EQ(imgsrc_next(src, &im, &label, &coarse, id, sizeof id), 0);
	imgsrc_close(src);
	img_free(&im);
}

static void test_cifar_damaged(void)
{
	int64_t n;
	imgsrc_opts c10 = { .format = "cifar10" }, c100 = { .format = "cifar100" };
	CHECK_ERROR(read_all_images(fixture("cifarbad/data_batch_2.bin"), NULL, &n) < 0,
		    "data_batch_2.bin: size 6151 is not a whole number of 3073-byte records");
	CHECK_ERROR(read_all_images(fixture("cifarbad/label10.bin"), &c10, &n) < 0,
		    "label10.bin: image 1: label 10 is out of range 0..9");
	CHECK_ERROR(read_all_images(fixture("cifarbad/fine100.bin"), &c100, &n) < 0,
		    "fine100.bin: image 2: fine label 100 is out of range 0..99");
	CHECK_ERROR(read_all_images(fixture("cifarbad/coarse20.bin"), &c100, &n) < 0,
		    "coarse20.bin: image 3: coarse label 20 is out of range 0..19");
	/* CIFAR-100 read as CIFAR-10: 3074-byte records do not divide the size */
	CHECK_ERROR(read_all_images(fixture("cifar100/train.bin"), &c10, &n) < 0,
		    "is not a whole number of 3073-byte records");
	CHECK_ERROR(cifar_open(fixture("cifarbad/label10.bin"), 0) == NULL,
		    "label10.bin: cannot tell CIFAR-10 from CIFAR-100 by the file name");
	CHECK_EQ(cifar_variant_from_name("/x/test_batch.bin"), 10);
	CHECK_EQ(cifar_variant_from_name("data_batch_5.bin"), 10);
	CHECK_EQ(cifar_variant_from_name("a/test.bin"), 100);
	CHECK_EQ(cifar_variant_from_name("a/val.bin"), 0);
}

static void test_stl10(void)
{
	img im = { 0 };
	int64_t label, coarse;
	char id[256];
	imgsrc *src = imgsrc_open(fixture("stl10/train_X.bin"), NULL);
	CHECK(src && strcmp(imgsrc_format(src), "stl10") == 0);
	CHECK_EQ(imgsrc_count(src), STL10_FIX_N);
	for (uint32_t i = 0; i < STL10_FIX_N; i++) {
		CHECK_EQ(imgsrc_next(src, &im, &label, &coarse, id, sizeof id), 1);
		check_planar_image(&im, i, 96);
		CHECK_EQ(label, stl10_fixture_label(i) - 1);
	}
	CHECK_STR(id, "stl10:train:1");
	CHECK_EQ(imgsrc_next(src, &im, &label, &coarse, id, sizeof id), 0);
	imgsrc_close(src);

	src = imgsrc_open(fixture("stl10/unlabeled_X.bin"), NULL);
	CHECK_EQ(imgsrc_count(src), 1);
	CHECK_EQ(imgsrc_next(src, &im, &label, &coarse, id, sizeof id), 1);
	check_planar_image(&im, 0, 96);
	CHECK_EQ(label, -1);
	CHECK_STR(id, "stl10:unlabeled:0");
	imgsrc_close(src);
	img_free(&im);
}

static void test_stl10_damaged(void)
{
	int64_t n;
	CHECK_ERROR(read_all_images(fixture("stlbad/odd_X.bin"), NULL, &n) < 0,
		    "odd_X.bin: size 55297 is not a whole number of 27648-byte records");
	CHECK_ERROR(read_all_images(fixture("stlbad/short_X.bin"), NULL, &n) < 0,
		    "short_y.bin: truncated: room for 1 of the 2 labels");
	CHECK_ERROR(read_all_images(fixture("stlbad/zero_X.bin"), NULL, &n) < 0,
		    "zero_y.bin: image 1: label 0 is out of range 1..10");
	/* compressed: the count is unknown until the end */
	imgsrc *src = imgsrc_open(fixture("stlbad/gz_X.bin.gz"), NULL);
	CHECK_EQ(imgsrc_count(src), -1);
	imgsrc_close(src);
	CHECK_ERROR(read_all_images(fixture("stlbad/gz_X.bin.gz"), NULL, &n) < 0,
		    "gz_y.bin: image 1: no label: the file ends before it");
	CHECK_EQ(n, 1);
}

/* ---- the shared pieces ---- */

static void test_datafile_limits(void)
{
	uint8_t *data;
	size_t len;
	CHECK_ERROR(datafile_read_all(fixture("idx/mini-images-idx3-ubyte"), 10, &data, &len) < 0,
		    "file of 76 bytes is over the 10-byte limit");
	CHECK_ERROR(datafile_read_all(fixture("idxgz/mini-images-idx3-ubyte.gz"), 10, &data, &len) < 0,
		    "file is over the 10-byte limit");
	CHECK_EQ(datafile_read_all(fixture("idxgz/mini-images-idx3-ubyte.gz"), 76, &data, &len), 0);
	CHECK_EQ(len, 76);
	free(data);
	imgsrc *src = imgsrc_open(fixture("idx/mini-images-idx3-ubyte"), NULL);
	img im = { 0 };
	int64_t label, coarse;
	char id[8];
	CHECK_ERROR(imgsrc_next(src, &im, &label, &coarse, id, sizeof id) < 0,
		    "image 0: its id is longer than 7 bytes");
	img_free(&im);
	imgsrc_close(src);
}

static void test_img_convert(void)
{
	/* PIL's convert("L") of red, green, blue, white, gray, and a mix */
	const uint8_t rgb[] = { 255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 128, 128, 128, 10, 200, 30 };
	const uint8_t luma[] = { 76, 150, 29, 255, 128, 124 };
	img im = { 0 };
	CHECK_EQ(img_alloc(&im, 6, 1, 3), 0);
	memcpy(im.px, rgb, sizeof rgb);
	CHECK_EQ(img_convert(&im, 1), 0);
	CHECK(im.c == 1 && memcmp(im.px, luma, sizeof luma) == 0);

	CHECK_EQ(img_convert(&im, 3), 0); /* gray to RGB replicates */
	CHECK_EQ(im.c, 3);
	for (int i = 0; i < 6; i++)
		CHECK(im.px[3 * i] == luma[i] && im.px[3 * i + 1] == luma[i] && im.px[3 * i + 2] == luma[i]);

	const uint8_t rgba[] = { 1, 2, 3, 40, 5, 6, 7, 80 };
	CHECK_EQ(img_alloc(&im, 2, 1, 4), 0);
	memcpy(im.px, rgba, sizeof rgba);
	CHECK_EQ(img_convert(&im, 0), 0); /* only drops alpha */
	CHECK(im.c == 3 && memcmp(im.px, "\1\2\3\5\6\7", 6) == 0);

	const uint8_t ga[] = { 9, 200, 99, 0 };
	CHECK_EQ(img_alloc(&im, 2, 1, 2), 0);
	memcpy(im.px, ga, sizeof ga);
	CHECK_EQ(img_convert(&im, 3), 0); /* drops alpha, then replicates */
	CHECK(im.c == 3 && memcmp(im.px, "\11\11\11\143\143\143", 6) == 0);

	CHECK_EQ(img_alloc(&im, 1, 1, 4), 0);
	memcpy(im.px, "\377\0\0\7", 4);
	CHECK_EQ(img_convert(&im, 1), 0); /* RGBA to gray: alpha ignored */
	CHECK(im.c == 1 && im.px[0] == 76);

	CHECK_ERROR(img_convert(&im, 2) < 0, "cannot convert to 2 channels");
	img_free(&im);
}

/* The real data set, when installed: counts, classes and ids. */
static void test_fashion_mnist(void)
{
	const char *path = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";
	if (access(path, R_OK) != 0)
		return;
	imgsrc *src = imgsrc_open(path, NULL);
	CHECK(src != NULL);
	if (!src)
		return;
	CHECK_EQ(imgsrc_count(src), 10000);
	img im = { 0 };
	int64_t label, coarse, per_class[10] = { 0 }, n = 0;
	char id[256];
	int got;
	while ((got = imgsrc_next(src, &im, &label, &coarse, id, sizeof id)) == 1) {
		CHECK(im.w == 28 && im.h == 28 && im.c == 1 && label >= 0 && label < 10);
		per_class[label]++;
		n++;
	}
	CHECK_EQ(got, 0);
	CHECK_EQ(n, 10000);
	for (int c = 0; c < 10; c++)
		CHECK_EQ(per_class[c], 1000);
	CHECK_STR(id, "fashion-mnist:t10k:9999");
	img_free(&im);
	imgsrc_close(src);
}

/* What img_inputs_decode gave: ids, labels and channels, and skips. */
typedef struct collected {
	char ids[8][128];
	int64_t labels[8];
	uint32_t channels[8];
	int n, skipped;
} collected;

static int collect(void *ctx, const char *id, int64_t label, int64_t label_coarse, const img *im)
{
	collected *c = ctx;
	(void)label_coarse;
	if (c->n == 8)
		return err_set("too many");
	snprintf(c->ids[c->n], sizeof c->ids[c->n], "%s", id);
	c->labels[c->n] = label;
	c->channels[c->n++] = im->c;
	return 0;
}

static void count_skip(void *ctx)
{
	((collected *)ctx)->skipped++;
}

/* A tree (one class file, one damaged file, one at the top) and a data
 * set, with an offset and a limit over both, the damaged file skipped or
 * fatal. */
static void test_img_inputs_trees_files_offset_limit(void)
{
	char tree[PATH_CAP];
	join_path(tree, check_tmpdir(), "imgtree");
	make_dir(check_tmpdir(), "imgtree");
	make_dir(tree, "a_cls");
	make_dir(tree, "b_cls");
	size_t len;
	uint8_t *good = read_bytes(fixture_dir, "png/rgb-8-7x5.png", &len);
	write_bytes(tree, "a_cls/x.png", good, len);
	write_bytes(tree, "top.png", good, len);
	free(good);
	uint8_t *bad = read_bytes(fixture_dir, "png/bad-crc.png", &len);
	write_bytes(tree, "b_cls/y.png", bad, len);
	free(bad);

	char *paths[2] = {tree, (char *)fixture("idx/mini-images-idx3-ubyte")};
	img_inputs in;
	CHECK_EQ(img_inputs_open(&in, paths, 2), 0);
	CHECK_EQ(in.n_trees, 1);
	CHECK(in.first_tree && in.first_tree->n_classes == 2);
	img_inputs_opts o = {.channels = 3, .offset = 1, .limit = 4, .skip_bad = 1};
	/* 3 tree files and 5 images, less the offset */
	CHECK_EQ(img_inputs_count(&in, &o), 4);
	collected c = {0};
	img_sink sink = {collect, count_skip, &c};
	CHECK_EQ(img_inputs_decode(&in, &o, &sink), 0);
	CHECK_EQ(c.skipped, 1);
	CHECK_EQ(c.n, 4);
	CHECK_STR(c.ids[0], "top.png");
	CHECK_EQ(c.labels[0], -1);
	CHECK(strstr(c.ids[1], ":0") != NULL && strstr(c.ids[3], ":2") != NULL);
	for (int i = 0; i < c.n; i++)
		CHECK_EQ(c.channels[i], 3);
	o.skip_bad = 0;
	o.offset = 0;
	c = (collected){0};
	CHECK_ERROR(img_inputs_decode(&in, &o, &sink) < 0, "y.png");
	CHECK_EQ(c.n, 1);
	CHECK_STR(c.ids[0], "a_cls/x.png");
	CHECK_EQ(c.labels[0], 0);
	img_inputs_free(&in);

	/* a tree whose classes differ from the first's */
	char other[PATH_CAP];
	join_path(other, check_tmpdir(), "imgtree2");
	make_dir(check_tmpdir(), "imgtree2");
	make_dir(other, "z_cls");
	char *two[2] = {tree, other};
	CHECK_ERROR(img_inputs_open(&in, two, 2) < 0, "class directories differ");
	img_inputs_free(&in);
}

int main(void)
{
	join_path(fixture_dir, check_tmpdir(), "fixtures");
	if (mkdir(fixture_dir, 0777) < 0 && errno != EEXIST)
		die("cannot create %s: %s", fixture_dir, strerror(errno));
	mkfixtures_write_all(fixture_dir);

	RUN(test_png_every_type_and_depth);
	RUN(test_png_damaged);
	RUN(test_png_damaged_through_imgsrc);
	RUN(test_png_encode_round_trip);
	RUN(test_png_write_file);
	RUN(test_jpeg_colour_spaces);
	RUN(test_jpeg_damaged);
	RUN(test_imgsrc_single_files);
	RUN(test_idx_plain_gzip_and_labels);
	RUN(test_idx_damaged);
	RUN(test_cifar);
	RUN(test_cifar_damaged);
	RUN(test_stl10);
	RUN(test_stl10_damaged);
	RUN(test_datafile_limits);
	RUN(test_img_convert);
	RUN(test_fashion_mnist);
	RUN(test_img_inputs_trees_files_offset_limit);
	return check_exit();
}
