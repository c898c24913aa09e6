/* json.h - records from JSON Lines or JSON arrays, one small tree each */
#ifndef SM_JSON_H
#define SM_JSON_H

#include <stdint.h>
#include "util.h"

enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jnode {
	enum jtype type;
	int boolean;
	const char *key; /* member name inside an object, else NULL */
	size_t keylen;
	const char *str; /* string value, or a number's text; NUL-ended */
	size_t len;      /* string bytes, or number of children */
	struct jnode *child, *last, *next;
};

const char *jtype_name(enum jtype t);
const struct jnode *jget(const struct jnode *obj, const char *key);
/* Follows a dotted path ("question.problem") through objects. */
const struct jnode *jpath(const struct jnode *obj, const char *path);
int jint(const struct jnode *n, long long *out);   /* 0 ok, -1 not an int */
int jdouble(const struct jnode *n, double *out);  /* 0 ok, -1 not a number */
/* Parses one JSON value into a tree allocated in a; NULL if invalid, or
 * when it cannot be kept whole (a NUL, a key twice, invalid UTF-8, an
 * unpaired surrogate): jparse_why says which in why. */
const struct jnode *jparse(struct arena *a, const char *s, size_t n);
const struct jnode *jparse_why(struct arena *a, const char *s, size_t n, char *why,
			      size_t whylen);
/* Writes the node back as compact JSON. */
void jwrite(struct buf *b, const struct jnode *n);

/* What a reader hands to its consumer for each record. */
struct jrecord {
	const struct jnode *root;
	long line; /* line where the record starts, 1-based */
	/* the arena holding the tree: a consumer may take it over by
	 * swapping in an empty arena of its own */
	struct arena *arena;
	long long offset; /* bytes of the file read up to the record's end, about */
};

/* Return 0 to continue, 1 to stop reading without error. */
typedef int (*jrecord_fn)(void *ctx, const struct jrecord *rec);
/* Called for each unreadable record; return 0 to go on (JSON Lines only). */
typedef int (*jerror_fn)(void *ctx, long line, const char *msg);

struct jstats {
	int is_array;  /* the file is one JSON array */
	long records;  /* records handed over */
	long errors;   /* syntax errors seen */
	long lines;
};

/*
 * Streams the records of FILE: a JSON array (one record per element) or
 * a sequence of JSON values (JSON Lines, or pretty-printed objects one
 * after another). Memory is bounded by the largest record. A BOM and CRLF
 * line ends are accepted. Returns 0 when the stream was read to the end
 * or stopped by the consumer, -1 on a fatal error (reported through
 * on_error, or in errbuf for I/O problems).
 */
int jstream_file(const char *path, jrecord_fn on_record, jerror_fn on_error,
		 void *ctx, struct jstats *st, char *errbuf, size_t errlen);
/* The same, also hashing every byte read into h (when not NULL). */
int jstream_file_hashed(const char *path, jrecord_fn on_record,
			jerror_fn on_error, void *ctx, struct jstats *st,
			char *errbuf, size_t errlen, struct hasher *h);

#endif
