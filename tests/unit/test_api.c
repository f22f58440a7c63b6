/* The public API (include/maskpipe/, lib/api/): records, streams written
 * and read back, images through PNG, and embeddings that equal the
 * model's own, in any batch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "maskpipe/maskpipe.h"
#include "mae/mae_batch.h"
#include "mae/mae_checkpoint.h"

/* an image of w x h x c whose bytes follow from seed */
static mp_image pattern_image(uint32_t w, uint32_t h, uint32_t c, unsigned seed)
{
	mp_image im = {w, h, c, malloc((size_t)w * h * c)};
	for (size_t i = 0; i < (size_t)w * h * c; i++)
		im.pixels[i] = (uint8_t)(i * 37 + seed * 101);
	return im;
}

static int same_image(const mp_image *a, const mp_image *b)
{
	return a->width == b->width && a->height == b->height && a->channels == b->channels &&
	       memcmp(a->pixels, b->pixels, (size_t)a->width * a->height * a->channels) == 0;
}

static void record_fields_round_trip(void)
{
	mp_record *r = mp_record_new();
	mp_image im = pattern_image(3, 2, 3, 1), got = {0};
	CHECK_EQ(mp_record_set_str(r, "id", "a:1"), 0);
	CHECK_EQ(mp_record_set_int(r, "label", -7), 0);
	CHECK_EQ(mp_record_set_bin(r, "emb", "\1\2\3", 3), 0);
	CHECK_EQ(mp_record_set_image(r, &im), 0);
	CHECK_EQ(mp_record_set_int(r, "label", 9), 0); /* replaces */
	CHECK_EQ(mp_record_field_count(r), 4);
	const char *keys[] = {"id", "label", "emb", "img"};
	for (size_t i = 0; i < 4; i++) {
		size_t len;
		const char *key = mp_record_field_key(r, i, &len);
		CHECK(key && len == strlen(keys[i]) && memcmp(key, keys[i], len) == 0);
	}
	size_t len;
	CHECK(mp_record_field_key(r, 4, &len) == NULL);

	int64_t label;
	const char *id;
	const uint8_t *emb;
	CHECK_EQ(mp_record_get_int(r, "label", &label), 0);
	CHECK_EQ(label, 9);
	CHECK_EQ(mp_record_get_str(r, "id", &id, &len), 0);
	CHECK(len == 3 && memcmp(id, "a:1", 3) == 0);
	CHECK_EQ(mp_record_get_bin(r, "emb", &emb, &len), 0);
	CHECK(len == 3 && memcmp(emb, "\1\2\3", 3) == 0);
	CHECK_EQ(mp_record_get_image(r, &got), 0);
	CHECK(same_image(&got, &im));
	CHECK(got.pixels != im.pixels); /* a copy */

	CHECK_EQ(mp_record_get_int(r, "none", &label), 1);
	CHECK_EQ(mp_record_get_int(r, "id", &label), -1);
	CHECK(strstr(mp_last_error(), "id") != NULL);
	mp_image five = {1, 1, 5, im.pixels};
	CHECK_EQ(mp_record_set_image(r, &five), -1);
	CHECK_STR(mp_last_error(), "an image has 1 to 4 channels, not 5");
	CHECK_EQ(mp_record_set_str(r, "id", "\xff"), -1);

	mp_record_clear(r);
	CHECK_EQ(mp_record_field_count(r), 0);
	mp_image_free(&got);
	mp_image_free(&got); /* freed twice: left alone */
	mp_image_free(&im);
	mp_record_free(r);
}

static void stream_round_trip(void)
{
	const char *path = check_tmp_path("s.rec");
	mp_writer *w = mp_writer_open(path);
	const char *argv[] = {"prog", "--flag"};
	CHECK(w != NULL);
	CHECK_EQ(mp_writer_header(w, NULL, 2, argv), 0);
	mp_record *r = mp_record_new();
	for (int i = 0; i < 3; i++) {
		CHECK_EQ(mp_record_set_int(r, "label", i * 10), 0);
		CHECK_EQ(mp_writer_put(w, r), 0);
	}
	CHECK_EQ(mp_writer_close(w), 0);

	mp_reader *rd = mp_reader_open(path);
	CHECK(rd != NULL);
	const mp_record *header = mp_reader_header(rd);
	CHECK(header != NULL);
	int64_t version;
	CHECK_EQ(mp_record_get_int(header, "maskpipe", &version), 0);
	CHECK_EQ(version, 1);
	int n = 0, got;
	while ((got = mp_reader_next(rd, r)) == 1) {
		int64_t label;
		CHECK_EQ(mp_record_index(r), n);
		CHECK_EQ(mp_record_get_int(r, "label", &label), 0);
		CHECK_EQ(label, n * 10);
		n++;
	}
	CHECK_EQ(got, 0);
	CHECK_EQ(n, 3);

	/* a second stream carries the first's provenance on, as a tool does */
	const char *path2 = check_tmp_path("t.rec");
	mp_writer *w2 = mp_writer_open(path2);
	const char *argv2[] = {"next"};
	CHECK_EQ(mp_writer_header(w2, header, 1, argv2), 0);
	CHECK_EQ(mp_writer_close(w2), 0);
	mp_reader_close(rd);
	mp_reader *rd2 = mp_reader_open(path2);
	const uint8_t *prov;
	size_t prov_len;
	/* provenance is an array of arrays of strings: not a bin */
	CHECK_EQ(mp_record_get_bin(mp_reader_header(rd2), "provenance", &prov, &prov_len), -1);
	CHECK_EQ(mp_reader_next(rd2, r), 0);
	mp_reader_close(rd2);

	/* an aborted writer leaves nothing */
	const char *path3 = check_tmp_path("u.rec");
	mp_writer *w3 = mp_writer_open(path3);
	CHECK_EQ(mp_writer_put(w3, r), 0);
	mp_writer_abort(w3);
	CHECK(mp_reader_open(path3) == NULL);
	CHECK(strstr(mp_last_error(), "u.rec") != NULL);
	mp_record_free(r);
}

static void images_through_png(void)
{
	const char *path = check_tmp_path("a.png");
	mp_image rgb = pattern_image(5, 4, 3, 2), got = {0};
	CHECK_EQ(mp_image_write_png(path, &rgb), 0);
	CHECK_EQ(mp_image_read_file(path, 0, &got), 0);
	CHECK(same_image(&got, &rgb));
	mp_image_free(&got);
	CHECK_EQ(mp_image_read_file(path, 1, &got), 0);
	CHECK(got.width == 5 && got.height == 4 && got.channels == 1);
	/* ITU-R 601 luma with PIL's rounding: (19595 R + 38470 G + 7471 B + 2^15) >> 16 */
	const uint8_t *px = rgb.pixels;
	CHECK_EQ(got.pixels[0], (px[0] * 19595u + px[1] * 38470u + px[2] * 7471u + 0x8000u) >> 16);
	mp_image_free(&got);

	/* alpha is dropped */
	mp_image rgba = pattern_image(2, 2, 4, 3);
	CHECK_EQ(mp_image_write_png(path, &rgba), 0);
	CHECK_EQ(mp_image_read_file(path, 0, &got), 0);
	CHECK(got.channels == 3 && got.pixels[3] == rgba.pixels[4]);
	mp_image_free(&got);

	CHECK_EQ(mp_image_decode("GIF89a", 6, 0, &got), -1);
	CHECK(got.pixels == NULL);
	CHECK_EQ(mp_image_read_file(path, 2, &got), -1);
	CHECK(strstr(mp_last_error(), "a.png: channels is 0 (as stored), 1 or 3, not 2") != NULL);
	CHECK_EQ(mp_image_read_file(check_tmp_path("none.png"), 0, &got), -1);
	CHECK(strstr(mp_last_error(), "none.png: cannot open") != NULL);
	mp_image_free(&rgb);
	mp_image_free(&rgba);
}

static const mae_config tiny = {8, 2, 2, 8, 2, 2, 12, 1, 3, 4, 1, 0, {0}, {0}};
enum { N_IMAGES = 70 }; /* more than one of mp_model_embed's batches */

static void embeddings_as_the_model_computes(void)
{
	const char *path = check_tmp_path("m.st");
	mae_model ref;
	CHECK_EQ(mae_model_init(&ref, &tiny, backend_cpu()), 0);
	CHECK_EQ(mae_model_init_weights(&ref, 3), 0);
	CHECK_EQ(mae_checkpoint_save(path, &ref, NULL, NULL, 0), 0);

	mp_model *m = mp_model_load(path, 1);
	CHECK(m != NULL);
	CHECK_EQ(mp_model_image_size(m), 8);
	CHECK_EQ(mp_model_channels(m), 2);
	int dim = mp_model_embed_dim(m);
	CHECK_EQ(dim, 8);
	mp_image images[N_IMAGES];
	const uint8_t *pixels[N_IMAGES];
	for (int i = 0; i < N_IMAGES; i++) {
		images[i] = pattern_image(8, 8, 2, (unsigned)i);
		pixels[i] = images[i].pixels;
	}
	float all[N_IMAGES * 8], one[8], want[N_IMAGES * 8];
	for (int pool = MP_POOL_CLS; pool <= MP_POOL_MEAN; pool++) {
		/* the model itself on one batch of all the images */
		mae_batch b;
		mae_batch_init(&b);
		CHECK_EQ(mae_batch_build(&b, &tiny, pixels, NULL, N_IMAGES, 0), 0);
		CHECK_EQ(mae_model_embed(&ref, &b, pool, want), 0);
		mae_batch_free(&b);

		CHECK_EQ(mp_model_embed(m, images, N_IMAGES, pool, all), 0);
		CHECK(memcmp(all, want, sizeof all) == 0);
		CHECK_EQ(mp_model_embed(m, &images[N_IMAGES - 1], 1, pool, one), 0);
		CHECK(memcmp(one, &want[(N_IMAGES - 1) * 8], sizeof one) == 0);
	}
	CHECK_EQ(mp_model_embed(m, images, 0, MP_POOL_CLS, all), 0);
	CHECK_EQ(mp_model_embed(m, images, 1, 7, all), -1);
	mp_image small = pattern_image(4, 4, 2, 0);
	CHECK_EQ(mp_model_embed(m, &small, 1, MP_POOL_CLS, all), -1);
	CHECK_STR(mp_last_error(), "image 0 is 4x4x2, the model takes 8x8x2");
	mp_image_free(&small);
	for (int i = 0; i < N_IMAGES; i++)
		mp_image_free(&images[i]);
	mp_model_free(m);
	mae_model_free(&ref);

	CHECK(mp_model_load(check_tmp_path("none.st"), 1) == NULL);
	CHECK(strstr(mp_last_error(), "none.st") != NULL);
	CHECK(mp_model_load(path, 0) == NULL);
}

static void version_and_errors(void)
{
	CHECK_STR(mp_version(), MASKPIPE_VERSION);
	CHECK(mp_reader_open(check_tmp_path("missing.rec")) == NULL);
	CHECK(strstr(mp_last_error(), "missing.rec") != NULL);
}

int main(void)
{
	RUN(record_fields_round_trip);
	RUN(stream_round_trip);
	RUN(images_through_png);
	RUN(embeddings_as_the_model_computes);
	RUN(version_and_errors);
	return check_exit();
}
