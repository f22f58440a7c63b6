/* mp_record: a rec behind the public API. */
#include "api/api_record.h"

#include <stdlib.h>
#include <string.h>

#include "common/err.h"

mp_record *mp_record_new(void)
{
	mp_record *r = malloc(sizeof *r);
	if (!r) {
		err_set("out of memory for a record");
		return NULL;
	}
	rec_init(&r->rec);
	return r;
}

void mp_record_free(mp_record *r)
{
	if (!r)
		return;
	rec_free(&r->rec);
	free(r);
}

void mp_record_clear(mp_record *r)
{
	rec_clear(&r->rec);
}

uint64_t mp_record_index(const mp_record *r)
{
	return r->rec.index;
}

size_t mp_record_field_count(const mp_record *r)
{
	return r->rec.n_fields;
}

const char *mp_record_field_key(const mp_record *r, size_t i, size_t *len)
{
	if (i >= r->rec.n_fields)
		return NULL;
	*len = r->rec.fields[i].key_len;
	return r->rec.fields[i].key;
}

int mp_record_get_int(const mp_record *r, const char *key, int64_t *v)
{
	return rec_get_int(&r->rec, key, v);
}

int mp_record_get_str(const mp_record *r, const char *key, const char **s, size_t *len)
{
	uint32_t n;
	int rc = rec_get_str(&r->rec, key, s, &n);
	if (rc == 0)
		*len = n;
	return rc;
}

int mp_record_get_bin(const mp_record *r, const char *key, const uint8_t **data, size_t *len)
{
	uint32_t n;
	int rc = rec_get_bin(&r->rec, key, data, &n);
	if (rc == 0)
		*len = n;
	return rc;
}

int mp_record_get_image(const mp_record *r, mp_image *out)
{
	img_view v;
	int rc = rec_get_img(&r->rec, &v);
	if (rc != 0)
		return rc;
	img copy = {0};
	if (img_alloc(&copy, v.w, v.h, v.c) < 0)
		return -1;
	memcpy(copy.px, v.px, img_bytes(&copy));
	*out = (mp_image){copy.w, copy.h, copy.c, copy.px};
	return 0;
}

int mp_record_set_int(mp_record *r, const char *key, int64_t v)
{
	return rec_set_int(&r->rec, key, v);
}

int mp_record_set_str(mp_record *r, const char *key, const char *s)
{
	return rec_set_str(&r->rec, key, s);
}

int mp_record_set_bin(mp_record *r, const char *key, const void *data, size_t len)
{
	return rec_set_bin(&r->rec, key, data, len);
}

int mp_record_set_image(mp_record *r, const mp_image *im)
{
	/* what rec_get_img accepts back: a stream image of 1 to 4 channels */
	if (im->channels < 1 || im->channels > 4)
		return err_set("an image has 1 to 4 channels, not %u", im->channels);
	if (img_check_dims(im->width, im->height, im->channels) < 0)
		return -1;
	img view = {im->width, im->height, im->channels, im->pixels};
	return rec_set_img(&r->rec, &view);
}
