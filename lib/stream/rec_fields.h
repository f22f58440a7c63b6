/* Choosing fields by name: the comma lists of rec-cut and rec-join, and
 * the two things done with them, keeping some fields of a record and
 * copying fields from one record into another. */
#ifndef MASKPIPE_REC_FIELDS_H
#define MASKPIPE_REC_FIELDS_H

#include <stddef.h>

#include "stream/rec.h"

typedef struct fieldlist {
	char *text;   /* a copy of the list, cut at the commas */
	char **names;
	size_t n_names;
} fieldlist;

/* Parses "id,boxes"; an empty list (or only commas) is an error. */
int fieldlist_parse(fieldlist *fl, const char *comma_list);

/* 1 if the list names this key. */
int fieldlist_has(const fieldlist *fl, const char *key, size_t key_len);

void fieldlist_free(fieldlist *fl);

/* Keeps the fields the list names (keep = 1) or the others (keep = 0),
 * in their order in the record. */
void rec_select(rec *r, const fieldlist *fl, int keep);

/* Copies src's fields into dst, except `id`, and only those `only` names
 * when it is not NULL: a field dst has is replaced in place when `replace`
 * is set and kept otherwise; a new one is added at the end. */
int rec_merge(rec *dst, const rec *src, const fieldlist *only, int replace);

#endif
