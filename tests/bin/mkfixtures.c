/* mkfixtures DIR: writes the fixtures of the format readers into DIR, with
 * libpng, libjpeg and zlib directly, never with the code under test, so a
 * decoder is checked against an independent writer. Every sample value is
 * a function of its position, channel and image index, defined here, so a
 * test knows what each decoded pixel must be and a transposition, a
 * swapped channel or a skipped record shows.
 *
 * tests/unit/test_formats.c includes this file with MKFIXTURES_NO_MAIN to
 * write the fixtures and to share those functions. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jpeglib.h>
#include <png.h>
#include <zlib.h>

static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("mkfixtures: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

/* dir/name into path[PATH_CAP]. */
enum { PATH_CAP = 4096 };

static void join_path(char *path, const char *dir, const char *name)
{
	if (snprintf(path, PATH_CAP, "%s/%s", dir, name) >= PATH_CAP)
		die("path too long: %s/%s", dir, name);
}

static void make_dir(const char *dir, const char *sub)
{
	char path[PATH_CAP];
	join_path(path, dir, sub);
	if (mkdir(path, 0777) < 0 && errno != EEXIST)
		die("cannot create %s: %s", path, strerror(errno));
}

static void write_bytes(const char *dir, const char *name, const void *data, size_t len)
{
	char path[PATH_CAP];
	join_path(path, dir, name);
	FILE *fp = fopen(path, "wb");
	if (!fp || fwrite(data, 1, len, fp) != len || fclose(fp) != 0)
		die("cannot write %s", path);
}

static void write_gzip(const char *dir, const char *name, const void *data, size_t len)
{
	char path[PATH_CAP];
	join_path(path, dir, name);
	gzFile gz = gzopen(path, "wb");
	if (!gz || gzwrite(gz, data, (unsigned)len) != (int)len || gzclose(gz) != Z_OK)
		die("cannot write %s", path);
}

/* Reads back a fixture just written, to make a damaged copy of it. */
static uint8_t *read_bytes(const char *dir, const char *name, size_t *len)
{
	char path[PATH_CAP];
	join_path(path, dir, name);
	FILE *fp = fopen(path, "rb");
	if (!fp || fseek(fp, 0, SEEK_END) != 0)
		die("cannot read %s", path);
	*len = (size_t)ftell(fp);
	uint8_t *data = malloc(*len);
	rewind(fp);
	if (!data || fread(data, 1, *len, fp) != *len)
		die("cannot read %s", path);
	fclose(fp);
	return data;
}

/* ---- PNG: every colour type at every bit depth it allows ---- */

struct png_fixture {
	int colour_type, bit_depth;
	uint32_t w, h;
	int interlaced;
	int trns;       /* a tRNS chunk: palette alphas, or one transparent colour */
	int all_values; /* 16-bit gray holding each of the 65536 values once */
};

enum { PNG_FIXTURES_MAX = 128 };

static const char *png_type_name(int colour_type)
{
	switch (colour_type) {
	case PNG_COLOR_TYPE_GRAY: return "gray";
	case PNG_COLOR_TYPE_GRAY_ALPHA: return "ga";
	case PNG_COLOR_TYPE_RGB: return "rgb";
	case PNG_COLOR_TYPE_RGB_ALPHA: return "rgba";
	default: return "palette";
	}
}

static void png_fixture_name(const struct png_fixture *fx, char *buf, size_t cap)
{
	snprintf(buf, cap, "png/%s-%d-%ux%u%s%s%s.png", png_type_name(fx->colour_type),
		 fx->bit_depth, fx->w, fx->h, fx->interlaced ? "-adam7" : "",
		 fx->trns ? "-trns" : "", fx->all_values ? "-all" : "");
}

/* The samples per pixel stored in the file (a palette index is one). */
static unsigned png_file_channels(int colour_type)
{
	switch (colour_type) {
	case PNG_COLOR_TYPE_GRAY_ALPHA: return 2;
	case PNG_COLOR_TYPE_RGB: return 3;
	case PNG_COLOR_TYPE_RGB_ALPHA: return 4;
	default: return 1;
	}
}

/* The sample stored at (x, y), channel ch: a palette index for palettes. */
static unsigned png_stored_sample(const struct png_fixture *fx, uint32_t x, uint32_t y, unsigned ch)
{
	if (fx->all_values)
		return y * 256 + x;
	if (fx->bit_depth == 16)
		return (x * 4099u + y * 25717u + ch * 21001u + 12345u) & 0xffffu;
	return (x * 37u + y * 101u + ch * 59u + 3u) % (1u << fx->bit_depth);
}

static uint8_t png_palette_rgb(unsigned index, unsigned ch)
{
	static const unsigned mult[3] = { 53, 97, 151 };
	return (uint8_t)(index * mult[ch] + 7 * ch + 7);
}

/* Palettes have an alpha for their first half (at least one entry);
 * the rest are opaque, as a short tRNS chunk means. */
static unsigned png_palette_n_alpha(int bit_depth)
{
	return ((1u << bit_depth) + 1) / 2;
}

static uint8_t png_palette_alpha(unsigned index, int bit_depth)
{
	return index < png_palette_n_alpha(bit_depth) ? (uint8_t)(index * 71 + 5) : 255;
}

static size_t png_fixture_list(struct png_fixture *list)
{
	static const struct { int colour_type, bit_depth; } types[] = {
		{ PNG_COLOR_TYPE_GRAY, 1 },	  { PNG_COLOR_TYPE_GRAY, 2 },
		{ PNG_COLOR_TYPE_GRAY, 4 },	  { PNG_COLOR_TYPE_GRAY, 8 },
		{ PNG_COLOR_TYPE_GRAY, 16 },	  { PNG_COLOR_TYPE_GRAY_ALPHA, 8 },
		{ PNG_COLOR_TYPE_GRAY_ALPHA, 16 }, { PNG_COLOR_TYPE_RGB, 8 },
		{ PNG_COLOR_TYPE_RGB, 16 },	  { PNG_COLOR_TYPE_RGB_ALPHA, 8 },
		{ PNG_COLOR_TYPE_RGB_ALPHA, 16 },  { PNG_COLOR_TYPE_PALETTE, 1 },
		{ PNG_COLOR_TYPE_PALETTE, 2 },	  { PNG_COLOR_TYPE_PALETTE, 4 },
		{ PNG_COLOR_TYPE_PALETTE, 8 },
	};
	/* odd widths leave partial bytes at the end of packed rows */
	static const uint32_t sizes[][2] = { { 1, 1 }, { 7, 5 }, { 33, 17 } };
	/* a single transparent colour, on gray and RGB */
	static const struct { int colour_type, bit_depth; } trns_types[] = {
		{ PNG_COLOR_TYPE_GRAY, 2 }, { PNG_COLOR_TYPE_GRAY, 16 },
		{ PNG_COLOR_TYPE_RGB, 8 },  { PNG_COLOR_TYPE_RGB, 16 },
	};
	static const struct { int colour_type, bit_depth, trns; } adam7_types[] = {
		{ PNG_COLOR_TYPE_GRAY, 1, 0 },	     { PNG_COLOR_TYPE_GRAY, 8, 0 },
		{ PNG_COLOR_TYPE_GRAY, 16, 0 },	     { PNG_COLOR_TYPE_GRAY_ALPHA, 8, 0 },
		{ PNG_COLOR_TYPE_RGB, 8, 0 },	     { PNG_COLOR_TYPE_RGB_ALPHA, 16, 0 },
		{ PNG_COLOR_TYPE_PALETTE, 2, 1 },
	};
	size_t n = 0;
	for (size_t s = 0; s < 3; s++) {
		struct png_fixture base = { .w = sizes[s][0], .h = sizes[s][1] };
		for (size_t t = 0; t < sizeof types / sizeof *types; t++) {
			struct png_fixture fx = base;
			fx.colour_type = types[t].colour_type;
			fx.bit_depth = types[t].bit_depth;
			list[n++] = fx;
			if (fx.colour_type == PNG_COLOR_TYPE_PALETTE) {
				fx.trns = 1;
				list[n++] = fx;
			}
		}
		for (size_t t = 0; t < sizeof trns_types / sizeof *trns_types; t++) {
			struct png_fixture fx = base;
			fx.colour_type = trns_types[t].colour_type;
			fx.bit_depth = trns_types[t].bit_depth;
			fx.trns = 1;
			list[n++] = fx;
		}
		for (size_t t = 0; t < sizeof adam7_types / sizeof *adam7_types; t++) {
			struct png_fixture fx = base;
			fx.colour_type = adam7_types[t].colour_type;
			fx.bit_depth = adam7_types[t].bit_depth;
			fx.trns = adam7_types[t].trns;
			fx.interlaced = 1;
			list[n++] = fx;
		}
	}
	list[n++] = (struct png_fixture){ PNG_COLOR_TYPE_GRAY, 16, 256, 256, 0, 0, 1 };
	if (n > PNG_FIXTURES_MAX)
		die("PNG_FIXTURES_MAX is too small for %zu fixtures", n);
	return n;
}

static void png_pack_row(const struct png_fixture *fx, uint32_t y, uint8_t *row, size_t row_bytes)
{
	unsigned channels = png_file_channels(fx->colour_type);
	memset(row, 0, row_bytes);
	for (uint32_t x = 0; x < fx->w; x++) {
		for (unsigned ch = 0; ch < channels; ch++) {
			unsigned v = png_stored_sample(fx, x, y, ch);
			size_t i = (size_t)x * channels + ch;
			if (fx->bit_depth == 16) {
				row[2 * i] = (uint8_t)(v >> 8);
				row[2 * i + 1] = (uint8_t)v;
			} else { /* packed from the most significant bit */
				size_t bit = i * (size_t)fx->bit_depth;
				row[bit / 8] |= (uint8_t)(v << (8 - fx->bit_depth - bit % 8));
			}
		}
	}
}

static void on_libpng_error(png_structp png, png_const_charp msg)
{
	(void)png;
	die("libpng: %s", msg);
}

static void png_set_fixture_trns(png_structp png, png_infop info, const struct png_fixture *fx)
{
	if (fx->colour_type == PNG_COLOR_TYPE_PALETTE) {
		png_byte alpha[256];
		unsigned n_alpha = png_palette_n_alpha(fx->bit_depth);
		for (unsigned i = 0; i < n_alpha; i++)
			alpha[i] = png_palette_alpha(i, fx->bit_depth);
		png_set_tRNS(png, info, alpha, (int)n_alpha, NULL);
		return;
	}
	/* the colour of pixel (0, 0) is the transparent one */
	png_color_16 colour = { 0 };
	colour.gray = colour.red = (png_uint_16)png_stored_sample(fx, 0, 0, 0);
	if (fx->colour_type == PNG_COLOR_TYPE_RGB) {
		colour.green = (png_uint_16)png_stored_sample(fx, 0, 0, 1);
		colour.blue = (png_uint_16)png_stored_sample(fx, 0, 0, 2);
	}
	png_set_tRNS(png, info, NULL, 0, &colour);
}

static void write_png_fixture(const char *dir, const struct png_fixture *fx)
{
	char name[256], path[PATH_CAP];
	png_fixture_name(fx, name, sizeof name);
	join_path(path, dir, name);
	FILE *fp = fopen(path, "wb");
	if (!fp)
		die("cannot write %s", path);
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, on_libpng_error, NULL);
	png_infop info = png_create_info_struct(png);
	png_init_io(png, fp);
	png_set_IHDR(png, info, fx->w, fx->h, fx->bit_depth, fx->colour_type,
		     fx->interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	if (fx->colour_type == PNG_COLOR_TYPE_PALETTE) {
		png_color palette[256];
		for (unsigned i = 0; i < 1u << fx->bit_depth; i++) {
			palette[i].red = png_palette_rgb(i, 0);
			palette[i].green = png_palette_rgb(i, 1);
			palette[i].blue = png_palette_rgb(i, 2);
		}
		png_set_PLTE(png, info, palette, 1 << fx->bit_depth);
	}
	if (fx->trns)
		png_set_fixture_trns(png, info, fx);
	png_write_info(png, info);
	size_t row_bytes = png_get_rowbytes(png, info);
	uint8_t *pixels = malloc(row_bytes * fx->h);
	png_bytep *rows = malloc(fx->h * sizeof *rows);
	if (!pixels || !rows)
		die("out of memory");
	for (uint32_t y = 0; y < fx->h; y++) {
		rows[y] = pixels + y * row_bytes;
		png_pack_row(fx, y, rows[y], row_bytes);
	}
	png_write_image(png, rows);
	png_write_end(png, NULL);
	png_destroy_write_struct(&png, &info);
	if (fclose(fp) != 0)
		die("cannot write %s", path);
	free(rows);
	free(pixels);
}

/* A PNG chunk with its length and CRC, appended at out. */
static size_t put_png_chunk(uint8_t *out, const char *type, const uint8_t *data, uint32_t len)
{
	uint8_t *p = out;
	*p++ = (uint8_t)(len >> 24), *p++ = (uint8_t)(len >> 16), *p++ = (uint8_t)(len >> 8), *p++ = (uint8_t)len;
	memcpy(p, type, 4);
	memcpy(p + 4, data, len);
	uLong crc = crc32(crc32(0, NULL, 0), p, 4 + len);
	p += 4 + len;
	*p++ = (uint8_t)(crc >> 24), *p++ = (uint8_t)(crc >> 16), *p++ = (uint8_t)(crc >> 8), *p++ = (uint8_t)crc;
	return (size_t)(p - out);
}

/* The damaged PNGs: cut short, a flipped bit in a CRC or under it, a header claiming
 * 100000 x 100000 pixels in a 75-byte file, a text file named .png. */
static void write_bad_pngs(const char *dir)
{
	const struct png_fixture good = { PNG_COLOR_TYPE_RGB, 8, 33, 17, 0, 0, 0 };
	char name[256];
	size_t len;
	png_fixture_name(&good, name, sizeof name);
	uint8_t *bytes = read_bytes(dir, name, &len);
	write_bytes(dir, "png/bad-truncated.png", bytes, len / 2);
	uint8_t *idat = memmem(bytes, len, "IDAT", 4);
	if (!idat)
		die("no IDAT in %s", name);
	uint32_t idat_len = (uint32_t)idat[-4] << 24 | (uint32_t)idat[-3] << 16 | (uint32_t)idat[-2] << 8 | idat[-1];
	idat[4 + idat_len] ^= 0x10; /* the CRC: the data inflates fine */
	write_bytes(dir, "png/bad-crc.png", bytes, len);
	idat[4 + idat_len] ^= 0x10;
	idat[6] ^= 0x10; /* the data, under the CRC: inflating it fails first */
	write_bytes(dir, "png/bad-data.png", bytes, len);
	free(bytes);

	uint8_t huge[128], idat_data[32];
	const uint8_t ihdr[13] = { 0, 1, 0x86, 0xa0, 0, 1, 0x86, 0xa0, 8, 0, 0, 0, 0 };
	uLongf idat_data_len = sizeof idat_data;
	if (compress(idat_data, &idat_data_len, (const Bytef *)"\0\0\0\0", 4) != Z_OK)
		die("zlib compress failed");
	memcpy(huge, "\x89PNG\r\n\x1a\n", 8);
	size_t huge_len = 8 + put_png_chunk(huge + 8, "IHDR", ihdr, sizeof ihdr);
	huge_len += put_png_chunk(huge + huge_len, "IDAT", idat_data, (uint32_t)idat_data_len);
	huge_len += put_png_chunk(huge + huge_len, "IEND", (const uint8_t *)"", 0);
	write_bytes(dir, "png/bad-huge.png", huge, huge_len);

	const char text[] = "this is not a PNG file\n";
	write_bytes(dir, "png/x.png", text, sizeof text - 1);
	write_bytes(dir, "png/empty.png", "", 0);
}

/* ---- JPEG: smooth images (so quality 100 is near-lossless) ---- */

struct jpeg_fixture {
	const char *name;
	J_COLOR_SPACE in_space, file_space;
	int components;
	uint32_t w, h;
	int progressive;
};

static const struct jpeg_fixture jpeg_fixtures[] = {
	{ "jpeg/gray.jpg", JCS_GRAYSCALE, JCS_GRAYSCALE, 1, 16, 16, 0 },
	{ "jpeg/rgb.jpg", JCS_RGB, JCS_YCbCr, 3, 24, 16, 0 },
	{ "jpeg/rgb-progressive.jpg", JCS_RGB, JCS_YCbCr, 3, 24, 16, 1 },
	{ "jpeg/cmyk-adobe.jpg", JCS_CMYK, JCS_CMYK, 4, 16, 16, 0 },
	{ "jpeg/ycck-adobe.jpg", JCS_CMYK, JCS_YCCK, 4, 16, 16, 0 },
};
enum { N_JPEG_FIXTURES = sizeof jpeg_fixtures / sizeof *jpeg_fixtures };

/* The sample written at (x, y), channel ch. CMYK samples are stored as
 * Adobe's writers store them, 255 - ink. */
static uint8_t jpeg_written_sample(const struct jpeg_fixture *fx, uint32_t x, uint32_t y, unsigned ch)
{
	if (fx->components == 1)
		return (uint8_t)(40 + 8 * x + 4 * y);
	if (fx->components == 3) {
		const unsigned rgb[3] = { 30 + 6 * x, 40 + 8 * y, 200 - 4 * x - 3 * y };
		return (uint8_t)rgb[ch];
	}
	const unsigned ink[4] = { 10 + 5 * x, 20 + 4 * y, 60 + 2 * x + 2 * y, 30 + 3 * x };
	return (uint8_t)(255 - ink[ch]);
}

static void write_jpeg_fixture(const char *dir, const struct jpeg_fixture *fx)
{
	char path[PATH_CAP];
	join_path(path, dir, fx->name);
	FILE *fp = fopen(path, "wb");
	if (!fp)
		die("cannot write %s", path);
	struct jpeg_compress_struct cinfo;
	struct jpeg_error_mgr jerr; /* the default error_exit prints and exits */
	cinfo.err = jpeg_std_error(&jerr);
	jpeg_create_compress(&cinfo);
	jpeg_stdio_dest(&cinfo, fp);
	cinfo.image_width = fx->w;
	cinfo.image_height = fx->h;
	cinfo.input_components = fx->components;
	cinfo.in_color_space = fx->in_space;
	jpeg_set_defaults(&cinfo);
	jpeg_set_colorspace(&cinfo, fx->file_space); /* CMYK and YCCK get an Adobe marker */
	jpeg_set_quality(&cinfo, 100, TRUE);
	for (int i = 0; i < cinfo.num_components; i++) /* no chroma subsampling */
		cinfo.comp_info[i].h_samp_factor = cinfo.comp_info[i].v_samp_factor = 1;
	if (fx->progressive)
		jpeg_simple_progression(&cinfo);
	jpeg_start_compress(&cinfo, TRUE);
	uint8_t row[64 * 4];
	while (cinfo.next_scanline < fx->h) {
		for (uint32_t x = 0; x < fx->w; x++)
			for (int ch = 0; ch < fx->components; ch++)
				row[x * fx->components + ch] =
					jpeg_written_sample(fx, x, cinfo.next_scanline, ch);
		JSAMPROW rows[1] = { row };
		jpeg_write_scanlines(&cinfo, rows, 1);
	}
	jpeg_finish_compress(&cinfo);
	jpeg_destroy_compress(&cinfo);
	if (fclose(fp) != 0)
		die("cannot write %s", path);
}

static void write_bad_jpegs(const char *dir)
{
	size_t len;
	uint8_t *bytes = read_bytes(dir, "jpeg/rgb.jpg", &len);
	write_bytes(dir, "jpeg/bad-truncated-header.jpg", bytes, 30);
	write_bytes(dir, "jpeg/bad-truncated-scan.jpg", bytes, len * 3 / 4);
	free(bytes);
}

/* ---- IDX (MNIST layout): 5 images of 3 rows x 4 columns ---- */

enum { IDX_FIX_N = 5, IDX_FIX_ROWS = 3, IDX_FIX_COLS = 4 };

static uint8_t idx_fixture_pixel(uint32_t i, uint32_t y, uint32_t x)
{
	return (uint8_t)(i * 61 + y * 13 + x * 3 + 1);
}

static uint8_t idx_fixture_label(uint32_t i)
{
	return (uint8_t)(i * 3 % 10);
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

/* An IDX images file of IDX_FIX_N images whose header claims n_claimed,
 * of element type `type`; returns its length. */
static size_t make_idx_images(uint8_t *out, uint32_t n_claimed, uint8_t type)
{
	put_be32(out, 0x00000003u | (uint32_t)type << 8);
	put_be32(out + 4, n_claimed);
	put_be32(out + 8, IDX_FIX_ROWS);
	put_be32(out + 12, IDX_FIX_COLS);
	uint8_t *px = out + 16;
	for (uint32_t i = 0; i < IDX_FIX_N; i++)
		for (uint32_t y = 0; y < IDX_FIX_ROWS; y++)
			for (uint32_t x = 0; x < IDX_FIX_COLS; x++)
				*px++ = idx_fixture_pixel(i, y, x);
	return (size_t)(px - out);
}

static size_t make_idx_labels(uint8_t *out, uint32_t n_claimed)
{
	put_be32(out, 0x00000801u);
	put_be32(out + 4, n_claimed);
	for (uint32_t i = 0; i < IDX_FIX_N; i++)
		out[8 + i] = idx_fixture_label(i);
	return 8 + IDX_FIX_N;
}

static void write_idx_fixtures(const char *dir)
{
	uint8_t images[16 + IDX_FIX_N * IDX_FIX_ROWS * IDX_FIX_COLS + 8], labels[8 + IDX_FIX_N];
	size_t images_len = make_idx_images(images, IDX_FIX_N, 0x08);
	size_t labels_len = make_idx_labels(labels, IDX_FIX_N);
	const char *subdirs[] = { "idx", "idxgz", "idxmix", "idxsolo", "idxbad" };
	for (size_t i = 0; i < sizeof subdirs / sizeof *subdirs; i++)
		make_dir(dir, subdirs[i]);
	write_bytes(dir, "idx/mini-images-idx3-ubyte", images, images_len);
	write_bytes(dir, "idx/mini-labels-idx1-ubyte", labels, labels_len);
	write_gzip(dir, "idxgz/mini-images-idx3-ubyte.gz", images, images_len);
	write_gzip(dir, "idxgz/mini-labels-idx1-ubyte.gz", labels, labels_len);
	write_gzip(dir, "idxmix/mini-images-idx3-ubyte.gz", images, images_len);
	write_bytes(dir, "idxmix/mini-labels-idx1-ubyte", labels, labels_len);
	write_bytes(dir, "idxsolo/solo-images-idx3-ubyte", images, images_len);

	write_bytes(dir, "idxbad/trunc-images-idx3-ubyte", images, images_len - 10);
	write_gzip(dir, "idxbad/truncgz-images-idx3-ubyte.gz", images, images_len - 10);
	memset(images + images_len, 0xee, 3);
	write_bytes(dir, "idxbad/trailing-images-idx3-ubyte", images, images_len + 3);
	write_gzip(dir, "idxbad/trailinggz-images-idx3-ubyte.gz", images, images_len + 3);
	size_t cut_len;
	uint8_t *gz = read_bytes(dir, "idxgz/mini-images-idx3-ubyte.gz", &cut_len);
	write_bytes(dir, "idxbad/cutgz-images-idx3-ubyte.gz", gz, cut_len - 12);
	free(gz);
	write_bytes(dir, "idxbad/labels-short", labels, labels_len - 1);
	make_idx_labels(labels, IDX_FIX_N - 1);
	write_bytes(dir, "idxbad/labels-4", labels, labels_len - 1);

	make_idx_images(images, 1u << 31, 0x08);
	write_bytes(dir, "idxbad/huge-images-idx3-ubyte", images, images_len);
	write_gzip(dir, "idxbad/hugegz-images-idx3-ubyte.gz", images, images_len);
	make_idx_images(images, IDX_FIX_N, 0x0D);
	write_bytes(dir, "idxbad/float-images-idx3-ubyte", images, images_len);
	make_idx_images(images, IDX_FIX_N, 0x08);
	images[0] = 0x42;
	write_bytes(dir, "idxbad/magic-images-idx3-ubyte", images, images_len);
	make_idx_images(images, IDX_FIX_N, 0x08);
	put_be32(images + 8, 70000);
	write_bytes(dir, "idxbad/tall-images-idx3-ubyte", images, images_len);
}

/* ---- CIFAR and STL-10: planar RGB in their exact layouts ---- */

/* The sample of image i, channel ch, at (x, y): distinct for x and y
 * swapped (x + 3y), for each channel and each image. */
static uint8_t planar_fixture_sample(uint32_t i, unsigned ch, uint32_t y, uint32_t x)
{
	return (uint8_t)(x + 3 * y + 101 * ch + 17 * i);
}

enum { CIFAR10_FIX_N = 3, CIFAR100_FIX_N = 4, CIFAR_RECORD_PIXELS = 3072 };

static uint8_t cifar10_fixture_label(uint32_t i)
{
	return (uint8_t)(i * 7 % 10);
}

static uint8_t cifar100_fixture_coarse(uint32_t i)
{
	return (uint8_t)(i * 5 % 20);
}

static uint8_t cifar100_fixture_fine(uint32_t i)
{
	return (uint8_t)((i * 37 + 1) % 100);
}

/* n records with label_bytes labels each, the planes row-major. */
static uint8_t *make_cifar(uint32_t n, int label_bytes, size_t *len)
{
	size_t record = (size_t)label_bytes + CIFAR_RECORD_PIXELS;
	uint8_t *data = malloc(n * record + 16);
	if (!data)
		die("out of memory");
	for (uint32_t i = 0; i < n; i++) {
		uint8_t *p = data + i * record;
		if (label_bytes == 1) {
			*p++ = cifar10_fixture_label(i);
		} else {
			*p++ = cifar100_fixture_coarse(i);
			*p++ = cifar100_fixture_fine(i);
		}
		for (unsigned ch = 0; ch < 3; ch++)
			for (uint32_t y = 0; y < 32; y++)
				for (uint32_t x = 0; x < 32; x++)
					*p++ = planar_fixture_sample(i, ch, y, x);
	}
	*len = n * record;
	return data;
}

static void write_cifar_fixtures(const char *dir)
{
	size_t len;
	const char *subdirs[] = { "cifar10", "cifar100", "cifarbad" };
	for (size_t i = 0; i < sizeof subdirs / sizeof *subdirs; i++)
		make_dir(dir, subdirs[i]);
	uint8_t *c10 = make_cifar(CIFAR10_FIX_N, 1, &len);
	write_bytes(dir, "cifar10/data_batch_1.bin", c10, len);
	write_bytes(dir, "cifarbad/data_batch_2.bin", c10, 2 * 3073 + 5);
	c10[3073] = 10; /* the label of image 1 */
	write_bytes(dir, "cifarbad/label10.bin", c10, len);
	free(c10);

	uint8_t *c100 = make_cifar(CIFAR100_FIX_N, 2, &len);
	write_bytes(dir, "cifar100/train.bin", c100, len);
	c100[2 * 3074 + 1] = 100; /* the fine label of image 2 */
	write_bytes(dir, "cifarbad/fine100.bin", c100, len);
	c100[2 * 3074 + 1] = 0;
	c100[3 * 3074] = 20; /* the coarse label of image 3 */
	write_bytes(dir, "cifarbad/coarse20.bin", c100, len);
	free(c100);
}

enum { STL10_FIX_N = 2, STL10_SIDE_FIX = 96 };

static uint8_t stl10_fixture_label(uint32_t i) /* as stored: 1..10 */
{
	return i == 0 ? 1 : 10;
}

/* n images, each channel plane column-major, as STL-10 stores them. */
static uint8_t *make_stl10(uint32_t n, size_t *len)
{
	const size_t plane = STL10_SIDE_FIX * STL10_SIDE_FIX;
	uint8_t *data = malloc(n * 3 * plane + 1);
	if (!data)
		die("out of memory");
	for (uint32_t i = 0; i < n; i++)
		for (unsigned ch = 0; ch < 3; ch++)
			for (uint32_t x = 0; x < STL10_SIDE_FIX; x++)
				for (uint32_t y = 0; y < STL10_SIDE_FIX; y++)
					data[(i * 3 + ch) * plane + x * STL10_SIDE_FIX + y] =
						planar_fixture_sample(i, ch, y, x);
	*len = n * 3 * plane;
	return data;
}

static void write_stl10_fixtures(const char *dir)
{
	size_t len;
	make_dir(dir, "stl10");
	make_dir(dir, "stlbad");
	uint8_t *images = make_stl10(STL10_FIX_N, &len);
	uint8_t labels[STL10_FIX_N];
	for (uint32_t i = 0; i < STL10_FIX_N; i++)
		labels[i] = stl10_fixture_label(i);
	write_bytes(dir, "stl10/train_X.bin", images, len);
	write_bytes(dir, "stl10/train_y.bin", labels, STL10_FIX_N);
	write_bytes(dir, "stl10/unlabeled_X.bin", images, len / STL10_FIX_N);
	write_gzip(dir, "stlbad/gz_X.bin.gz", images, len);
	write_bytes(dir, "stlbad/gz_y.bin", labels, 1);
	write_bytes(dir, "stlbad/odd_X.bin", images, len + 1);
	write_bytes(dir, "stlbad/short_X.bin", images, len);
	write_bytes(dir, "stlbad/short_y.bin", labels, 1);
	labels[1] = 0;
	write_bytes(dir, "stlbad/zero_X.bin", images, len);
	write_bytes(dir, "stlbad/zero_y.bin", labels, STL10_FIX_N);
	free(images);
}

/* Writes every fixture into dir (which must exist). */
static void mkfixtures_write_all(const char *dir)
{
	struct png_fixture pngs[PNG_FIXTURES_MAX];
	make_dir(dir, "png");
	make_dir(dir, "jpeg");
	size_t n_pngs = png_fixture_list(pngs);
	for (size_t i = 0; i < n_pngs; i++)
		write_png_fixture(dir, &pngs[i]);
	write_bad_pngs(dir);
	for (size_t i = 0; i < N_JPEG_FIXTURES; i++)
		write_jpeg_fixture(dir, &jpeg_fixtures[i]);
	write_bad_jpegs(dir);
	write_idx_fixtures(dir);
	write_cifar_fixtures(dir);
	write_stl10_fixtures(dir);
}

#ifndef MKFIXTURES_NO_MAIN
int main(int argc, char **argv)
{
	/* an option is not a directory: `mkfixtures --help` once wrote a tree
	 * of fixtures named "--help" that then got committed */
	int help = argc == 2 && strcmp(argv[1], "--help") == 0;
	if (argc != 2 || argv[1][0] == '-') {
		fprintf(help ? stdout : stderr, "usage: mkfixtures DIR\n");
		return help ? 0 : 2;
	}
	if (mkdir(argv[1], 0777) < 0 && errno != EEXIST)
		die("cannot create %s: %s", argv[1], strerror(errno));
	mkfixtures_write_all(argv[1]);
	return 0;
}
#endif
