#include "stream/rec_fields.h"

#include <stdlib.h>
#include <string.h>

#include "common/err.h"

int fieldlist_parse(fieldlist *fl, const char *comma_list)
{
	memset(fl, 0, sizeof *fl);
	size_t max_names = 1;
	for (const char *p = comma_list; *p; p++)
		max_names += *p == ',';
	fl->text = strdup(comma_list);
	fl->names = calloc(max_names, sizeof *fl->names);
	if (!fl->text || !fl->names) {
		fieldlist_free(fl);
		return err_set("out of memory");
	}
	char *save = NULL;
	for (char *name = strtok_r(fl->text, ",", &save); name; name = strtok_r(NULL, ",", &save))
		fl->names[fl->n_names++] = name;
	if (fl->n_names == 0) {
		fieldlist_free(fl);
		return err_set("the field list '%s' names no field", comma_list);
	}
	return 0;
}

int fieldlist_has(const fieldlist *fl, const char *key, size_t key_len)
{
	for (size_t i = 0; i < fl->n_names; i++)
		if (strlen(fl->names[i]) == key_len && memcmp(fl->names[i], key, key_len) == 0)
			return 1;
	return 0;
}

void fieldlist_free(fieldlist *fl)
{
	free(fl->text);
	free(fl->names);
	memset(fl, 0, sizeof *fl);
}

void rec_select(rec *r, const fieldlist *fl, int keep)
{
	size_t kept = 0;
	for (size_t i = 0; i < r->n_fields; i++)
		if (fieldlist_has(fl, r->fields[i].key, r->fields[i].key_len) == keep)
			r->fields[kept++] = r->fields[i];
	r->n_fields = kept;
}

int rec_merge(rec *dst, const rec *src, const fieldlist *only, int replace)
{
	for (size_t i = 0; i < src->n_fields; i++) {
		const rec_field *f = &src->fields[i];
		if ((f->key_len == 2 && memcmp(f->key, "id", 2) == 0) ||
		    (only && !fieldlist_has(only, f->key, f->key_len)) ||
		    (!replace && rec_get_n(dst, f->key, f->key_len)))
			continue;
		if (rec_set_field(dst, f) < 0)
			return -1;
	}
	return 0;
}
