/* The file handling the format readers share: a sequential reader that
 * sees through gzip (MNIST ships as .gz; zlib passes plain files through
 * unchanged), a whole-file read for single encoded images, the data-set
 * file of fixed-size items on top of it, and an atomic write.
 * The datafile_ and file_ functions leave naming the file to their caller,
 * who prefixes the path once; an itemfile names its file itself, because
 * it also knows which item failed. */
#ifndef MASKPIPE_FILEIO_H
#define MASKPIPE_FILEIO_H

#include <stddef.h>
#include <stdint.h>

typedef struct datafile datafile;

/* Opens path for sequential reading, plain or gzip. NULL on error. */
datafile *datafile_open(const char *path);

/* The number of bytes a read will yield in all, known without reading only
 * when the file is stored uncompressed; -1 for gzip files and pipes. */
int64_t datafile_plain_size(const datafile *f);

/* Reads exactly n bytes into buf. Returns 1, or 0 when the file ended
 * before the first byte, or -1: an I/O or gzip error, or "truncated" when
 * it ended part-way (the message says how many of the n bytes there were). */
int datafile_read(datafile *f, void *buf, size_t n);

/* Reads to the end and counts what was left, for "trailing data" checks. */
int datafile_count_rest(datafile *f, uint64_t *n_left);

void datafile_close(datafile *f);

/* Reads a whole file (through gzip too) into a new malloc'd buffer, failing
 * with a clear message if it holds more than max_bytes. */
int datafile_read_all(const char *path, size_t max_bytes, uint8_t **data, size_t *len);

/* A data-set file (IDX, CIFAR, STL-10): a header, then fixed-size items
 * (an image, a label, a record of both). It checks the file holds exactly
 * the items it should, by its size before the first read when the file is
 * uncompressed, else as it goes, and its messages name the file and the
 * item: "train-images-idx3-ubyte.gz: image 17: truncated: ...". */
#define ITEMS_UNKNOWN UINT64_MAX

typedef struct itemfile {
	datafile *f;
	char *path;
	const char *noun; /* what an item is called in messages: "image" */
	uint64_t header_bytes, item_bytes;
	uint64_t count; /* items the file holds, ITEMS_UNKNOWN until known */
	uint64_t index; /* of the next item */
} itemfile;

/* Opens path. noun must outlive it. */
int itemfile_open(itemfile *it, const char *path, const char *noun);

/* Reads the next n bytes of the header (the format reader parses it);
 * call it before itemfile_expect. */
int itemfile_header(itemfile *it, void *buf, size_t n);

/* Declares the item size and how many items follow the header
 * (ITEMS_UNKNOWN: as many as the file holds). An uncompressed file's size
 * is checked now: it must hold exactly count items, or a whole number of
 * them, which then becomes the count. No items at all is an error, here
 * or, for a compressed file, at its end in itemfile_next. */
int itemfile_expect(itemfile *it, size_t item_bytes, uint64_t count);

/* Reads the next item into buf: 1, or 0 after the last one (having checked
 * that nothing follows it), or -1. */
int itemfile_next(itemfile *it, void *buf);

void itemfile_close(itemfile *it);


/* The labels file of a data-set file: `given` when not NULL, else the
 * file beside path that data sets keep them in, path with the last
 * `suffix` of its file name replaced by `replacement` and whatever followed
 * dropped, tried with ".gz" and then without ("train-images-idx3-ubyte.gz"
 * -> "train-labels-idx1-ubyte.gz"). *found is a new string, or NULL when
 * none was given and there is no such file. */
int file_labels_path(const char *given, const char *path, const char *suffix,
		     const char *replacement, char **found);

/* The file name without its directories and without a trailing ".gz",
 * into buf: the name the data-set readers match (train-images-idx3-ubyte). */
int file_base_name(const char *path, char *buf, size_t cap);

#endif
