/* A program outside the tree on maskpipe's public API alone, built by
 * tests/pipeline/test_install.sh against the installed library:
 *   use_api IN.rec OUT.rec IMAGE.png MODEL.st EMB.rec
 * copies IN.rec (img-decode's stream of IMAGE.png) to OUT.rec with its
 * header and provenance and a field `copied` = 1 on each record, checks
 * that decoding IMAGE.png gives the pixels img-decode stored, and that
 * the model's embedding of them equals mae-embed's in EMB.rec bit for
 * bit (mp_model_embed's contract). Prints one line per check. */
#include <maskpipe/maskpipe.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(const char *what)
{
	fprintf(stderr, "use_api: %s: %s\n", what, mp_last_error());
	return 1;
}

/* the first record of the stream at path into r */
static int first_record(const char *path, mp_record *r)
{
	mp_reader *rd = mp_reader_open(path);
	int rc = rd ? mp_reader_next(rd, r) : -1;
	mp_reader_close(rd);
	return rc == 1 ? 0 : -1;
}

static int copy_stream(const char *in, const char *out, int argc, char **argv)
{
	mp_reader *rd = mp_reader_open(in);
	if (!rd)
		return fail(in);
	const mp_record *header = mp_reader_header(rd);
	mp_writer *w = mp_writer_open(out);
	mp_record *r = mp_record_new();
	if (!header || !w || !r || mp_writer_header(w, header, argc, (const char *const *)argv) < 0)
		return fail(out);
	int got, n = 0;
	while ((got = mp_reader_next(rd, r)) == 1) {
		if (mp_record_set_int(r, "copied", 1) < 0 || mp_writer_put(w, r) < 0)
			return fail(out);
		n++;
	}
	if (got < 0)
		return fail(in);
	if (mp_writer_close(w) != 0)
		return fail(out);
	mp_record_free(r);
	mp_reader_close(rd);
	printf("records copied: %d\n", n);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 6) {
		fprintf(stderr, "usage: use_api IN.rec OUT.rec IMAGE.png MODEL.st EMB.rec\n");
		return 2;
	}
	if (copy_stream(argv[1], argv[2], argc, argv))
		return 1;

	mp_image decoded, stored;
	mp_record *r = mp_record_new();
	if (!r || mp_image_read_file(argv[3], 0, &decoded) < 0)
		return fail(argv[3]);
	if (first_record(argv[1], r) < 0 || mp_record_get_image(r, &stored) != 0)
		return fail(argv[1]);
	size_t n_bytes = (size_t)decoded.width * decoded.height * decoded.channels;
	int same = decoded.width == stored.width && decoded.height == stored.height &&
		   decoded.channels == stored.channels &&
		   memcmp(decoded.pixels, stored.pixels, n_bytes) == 0;
	printf("decoded %ux%ux%u: %s\n", decoded.width, decoded.height, decoded.channels,
	       same ? "as img-decode" : "differs from img-decode");

	mp_model *model = mp_model_load(argv[4], 1);
	if (!model)
		return fail(argv[4]);
	int dim = mp_model_embed_dim(model);
	float *emb = malloc((size_t)dim * sizeof *emb);
	if (!emb || mp_model_embed(model, &decoded, 1, MP_POOL_CLS, emb) < 0)
		return fail("embedding");
	const uint8_t *want;
	size_t want_len;
	mp_record_clear(r);
	if (first_record(argv[5], r) < 0 || mp_record_get_bin(r, "emb", &want, &want_len) != 0)
		return fail(argv[5]);
	int equal = want_len == (size_t)dim * sizeof *emb && memcmp(want, emb, want_len) == 0;
	printf("embedding of %d floats: %s\n", dim, equal ? "as mae-embed" : "differs from mae-embed");

	free(emb);
	mp_model_free(model);
	mp_record_free(r);
	mp_image_free(&decoded);
	mp_image_free(&stored);
	return !(same && equal);
}
