#include "formats/jpeg.h"

#include <setjmp.h>
#include <stdio.h> /* jpeglib.h needs FILE */
#include <stdlib.h>

#include <jpeglib.h>
#include <jerror.h>

#include "common/err.h"

/* libjpeg's error manager, extended with the place error_exit jumps to. */
struct jpeg_failure {
	struct jpeg_error_mgr mgr;
	jmp_buf jump;
};

static void on_jpeg_error(j_common_ptr cinfo)
{
	char msg[JMSG_LENGTH_MAX];
	cinfo->err->format_message(cinfo, msg);
	err_set("JPEG: %s", msg);
	longjmp(((struct jpeg_failure *)cinfo->err)->jump, 1);
}

/* A file that ends before its image does decodes to a gray remainder
 * with only a warning; that would be a silently wrong image, so it fails
 * (as PIL does). So does a scan whose data ends (at a marker: the next
 * scan, or EOI) before its blocks do, as in a file whose frame header
 * claims a larger image than its data holds. Other warnings, about stray
 * bytes many real files carry, are ignored. */
static void on_jpeg_message(j_common_ptr cinfo, int level)
{
	if (level < 0 && (cinfo->err->msg_code == JWRN_JPEG_EOF ||
			  cinfo->err->msg_code == JWRN_HIT_MARKER))
		on_jpeg_error(cinfo);
}

/* The decoder and everything allocated while decoding: it lives in
 * image_jpeg_decode's frame so that a longjmp cannot lose it. */
struct jpeg_source {
	struct jpeg_decompress_struct cinfo;
	struct jpeg_failure failure;
	img im;
	uint8_t *cmyk_row;
};

static uint8_t div255(uint32_t x)
{
	return (uint8_t)((x + 127) / 255);
}

/* Subtractive CMYK to RGB: R = (1 - C)(1 - K), the conversion PIL uses.
 * Adobe's writers store 255 - ink, so their samples are already 1 - C. */
static void cmyk_to_rgb(const uint8_t *cmyk, uint8_t *rgb, uint32_t w, int inverted)
{
	for (uint32_t x = 0; x < w; x++, cmyk += 4, rgb += 3) {
		uint32_t k = inverted ? cmyk[3] : 255u - cmyk[3];
		for (int ch = 0; ch < 3; ch++)
			rgb[ch] = div255((inverted ? cmyk[ch] : 255u - cmyk[ch]) * k);
	}
}

static int read_jpeg(struct jpeg_source *src, const uint8_t *data, size_t len)
{
	struct jpeg_decompress_struct *cinfo = &src->cinfo;
	if (setjmp(src->failure.jump))
		return -1;
	jpeg_create_decompress(cinfo);
	jpeg_mem_src(cinfo, data, (unsigned long)len);
	jpeg_read_header(cinfo, TRUE);

	int cmyk = cinfo->jpeg_color_space == JCS_CMYK || cinfo->jpeg_color_space == JCS_YCCK;
	uint32_t channels = cinfo->jpeg_color_space == JCS_GRAYSCALE ? 1 : 3;
	cinfo->out_color_space = cmyk ? JCS_CMYK : channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
	/* before jpeg_start_decompress, which allocates for the claimed size
	 * (a progressive file: all its coefficients, 2 bytes per sample) */
	if (img_check_dims(cinfo->image_width, cinfo->image_height, channels) < 0)
		return err_prefix("JPEG: ");
	/* Huffman coding spends at least one bit on each block's DC value, so
	 * the file must hold a bit per block of each component; a progressive
	 * file's coefficients (2 bytes a sample) are allocated by
	 * jpeg_start_decompress, before any scan is read, so a claim the data
	 * cannot hold is refused here (arithmetic coding may spend less) */
	if (!cinfo->arith_code)
		for (int c = 0; c < cinfo->num_components; c++) {
			const jpeg_component_info *ci = &cinfo->comp_info[c];
			if ((uint64_t)ci->width_in_blocks * ci->height_in_blocks > (uint64_t)len * 8)
				return err_set("JPEG: a %ux%u image in a file of %zu bytes: not enough "
					       "data for its blocks", cinfo->image_width,
					       cinfo->image_height, len);
		}
	jpeg_start_decompress(cinfo);
	uint32_t w = cinfo->output_width;
	if ((uint32_t)cinfo->output_components != (cmyk ? 4 : channels))
		return err_set("JPEG: %d components after colour conversion",
			       cinfo->output_components);
	/* no scaling is asked for: the output is the image checked above */
	uint32_t h = cinfo->output_height;
	if (cmyk && !(src->cmyk_row = malloc((size_t)w * 4)))
		return err_set("out of memory for a JPEG row");
	/* rows are allocated as the decoder delivers them, doubling up to the
	 * height: a small file claiming a large image fails (its data ends)
	 * long before the claim would be allocated */
	size_t row_bytes = (size_t)w * channels;
	uint32_t cap_rows = 0;
	while (cinfo->output_scanline < h) {
		if (cinfo->output_scanline == cap_rows) {
			cap_rows = cap_rows ? 2 * cap_rows : 16; /* h <= IMG_MAX_DIM: no overflow */
			if (cap_rows > h)
				cap_rows = h;
			uint8_t *px = realloc(src->im.px, (size_t)cap_rows * row_bytes);
			if (!px)
				return err_set("out of memory for a %ux%ux%u image", w, h, channels);
			src->im.px = px;
		}
		uint8_t *row = src->im.px + (size_t)cinfo->output_scanline * row_bytes;
		JSAMPROW dst = cmyk ? src->cmyk_row : row;
		if (jpeg_read_scanlines(cinfo, &dst, 1) != 1)
			return err_set("JPEG: decoder stopped at row %u", cinfo->output_scanline);
		if (cmyk)
			cmyk_to_rgb(src->cmyk_row, row, w, cinfo->saw_Adobe_marker);
	}
	jpeg_finish_decompress(cinfo);
	src->im.w = w;
	src->im.h = h;
	src->im.c = channels;
	return 0;
}

int image_jpeg_decode(const uint8_t *data, size_t len, img *out)
{
	struct jpeg_source src = { 0 };
	src.cinfo.err = jpeg_std_error(&src.failure.mgr);
	src.failure.mgr.error_exit = on_jpeg_error;
	src.failure.mgr.emit_message = on_jpeg_message;
	int ret = read_jpeg(&src, data, len);
	jpeg_destroy_decompress(&src.cinfo);
	free(src.cmyk_row);
	if (ret < 0) {
		img_free(&src.im);
		return -1;
	}
	img_free(out);
	*out = src.im;
	return 0;
}
