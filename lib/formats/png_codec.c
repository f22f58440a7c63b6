#include "formats/png_codec.h"

#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

/* libpng's own header, named by its directory: -Iformats makes <png.h>
 * this module's header. */
#include <png.h>

#include "common/atomic.h"
#include "common/err.h"
#include "formats/fileio.h"

/* libpng reports errors by calling this and expects it not to return:
 * keep the message, then unwind to the setjmp of the current call. */
static void on_png_error(png_structp png, png_const_charp msg)
{
	err_set("PNG: %s", msg);
	png_longjmp(png, 1);
}

/* Warnings (a bad ancillary chunk, an odd profile) do not stop decoding. */
static void on_png_warning(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

/* The in-memory source and everything allocated while decoding: it lives
 * in image_png_decode's frame so that a longjmp cannot lose it. */
struct png_source {
	const uint8_t *data;
	size_t len, pos;
	png_bytep *rows;
	img im;
};

static void read_from_memory(png_structp png, png_bytep dst, size_t n)
{
	struct png_source *src = png_get_io_ptr(png);
	if (n > src->len - src->pos)
		png_error(png, "truncated");
	memcpy(dst, src->data + src->pos, n);
	src->pos += n;
}

/* The channels image_png_decode yields for a colour type: what libpng produces
 * after the transforms set in read_png, known before it allocates rows. */
static uint32_t decoded_channels(png_structp png, png_infop info)
{
	int colour_type = png_get_color_type(png, info);
	uint32_t colour = colour_type & PNG_COLOR_MASK_COLOR ? 3 : 1;
	int alpha = (colour_type & PNG_COLOR_MASK_ALPHA) ||
		    png_get_valid(png, info, PNG_INFO_tRNS);
	return colour + (alpha ? 1 : 0);
}

static int read_png(png_structp png, png_infop info, struct png_source *src)
{
	if (setjmp(png_jmpbuf(png)))
		return -1;
	png_set_read_fn(png, src, read_from_memory);
	png_read_info(png, info);
	uint32_t w = png_get_image_width(png, info), h = png_get_image_height(png, info);
	uint32_t channels = decoded_channels(png, info);
	/* before png_read_update_info, which allocates rows of the claimed width */
	if (img_check_dims(w, h, channels) < 0)
		return err_prefix("PNG: ");

	png_set_expand(png); /* palette to RGB, 1/2/4-bit gray to 8 bits, tRNS to alpha */
	png_set_scale_16(png);
	png_set_interlace_handling(png);
	png_read_update_info(png, info);
	if (png_get_channels(png, info) != channels || png_get_rowbytes(png, info) != (size_t)w * channels)
		return err_set("PNG: unexpected layout after expansion");

	if (img_alloc(&src->im, w, h, channels) < 0)
		return -1;
	src->rows = malloc(h * sizeof *src->rows);
	if (!src->rows)
		return err_set("out of memory for %u PNG rows", h);
	for (uint32_t y = 0; y < h; y++)
		src->rows[y] = src->im.px + (size_t)y * w * channels;
	png_read_image(png, src->rows);
	png_read_end(png, NULL); /* to IEND: a file cut after the pixels is still cut */
	return 0;
}

int image_png_decode(const uint8_t *data, size_t len, img *out)
{
	if (len < 8 || png_sig_cmp(data, 0, 8) != 0)
		return err_set("not a PNG file");
	png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, on_png_error,
						 on_png_warning);
	png_infop info = png ? png_create_info_struct(png) : NULL;
	if (!info) {
		png_destroy_read_struct(&png, NULL, NULL);
		return err_set("out of memory starting a PNG decoder");
	}
	struct png_source src = { .data = data, .len = len };
	int ret = read_png(png, info, &src);
	png_destroy_read_struct(&png, &info, NULL);
	free(src.rows);
	if (ret < 0) {
		img_free(&src.im);
		return -1;
	}
	img_free(out);
	*out = src.im;
	return 0;
}

/* The growing output buffer of image_png_encode. */
struct png_sink {
	uint8_t *data;
	size_t len, cap;
};

static void write_to_memory(png_structp png, png_bytep bytes, size_t n)
{
	struct png_sink *sink = png_get_io_ptr(png);
	if (n > sink->cap - sink->len) {
		size_t cap = sink->cap ? sink->cap * 2 : 4096;
		while (cap - sink->len < n)
			cap *= 2;
		uint8_t *grown = realloc(sink->data, cap);
		if (!grown)
			png_error(png, "out of memory");
		sink->data = grown;
		sink->cap = cap;
	}
	memcpy(sink->data + sink->len, bytes, n);
	sink->len += n;
}

static void flush_nothing(png_structp png)
{
	(void)png;
}

static int write_png(png_structp png, png_infop info, const img *im, struct png_sink *sink)
{
	static const int colour_types[] = { PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA,
					    PNG_COLOR_TYPE_RGB, PNG_COLOR_TYPE_RGB_ALPHA };
	if (setjmp(png_jmpbuf(png)))
		return -1;
	png_set_write_fn(png, sink, write_to_memory, flush_nothing);
	png_set_IHDR(png, info, im->w, im->h, 8, colour_types[im->c - 1], PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	size_t row_bytes = (size_t)im->w * im->c;
	for (uint32_t y = 0; y < im->h; y++)
		png_write_row(png, im->px + y * row_bytes);
	png_write_end(png, NULL);
	return 0;
}

int image_png_encode(const img *im, uint8_t **out, size_t *out_len)
{
	if (img_check_dims(im->w, im->h, im->c) < 0)
		return err_prefix("PNG: ");
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, on_png_error,
						  on_png_warning);
	png_infop info = png ? png_create_info_struct(png) : NULL;
	if (!info) {
		png_destroy_write_struct(&png, NULL);
		return err_set("out of memory starting a PNG encoder");
	}
	struct png_sink sink = { 0 };
	int ret = write_png(png, info, im, &sink);
	png_destroy_write_struct(&png, &info);
	if (ret < 0) {
		free(sink.data);
		return -1;
	}
	*out = sink.data;
	*out_len = sink.len;
	return 0;
}

int image_png_write_file(const char *path, const img *im)
{
	uint8_t *bytes;
	size_t len;
	if (image_png_encode(im, &bytes, &len) < 0)
		return err_prefix("%s: ", path);
	int ret = atomic_write_file(path, bytes, len);
	free(bytes);
	return ret;
}
