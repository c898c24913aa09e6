/* util.h - small shared helpers: memory, growable buffers, hashing */
#ifndef SM_UTIL_H
#define SM_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdarg.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Runs fn before a fatal exit (out of memory): the workbench gives the
 * terminal back there. */
void util_on_fatal(void (*fn)(void));
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* A growable byte buffer; data is always NUL-terminated. */
struct buf {
	char *data;
	size_t len;
	size_t cap;
};

void buf_grow(struct buf *b, size_t extra);
void buf_add(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* v in decimal, as %lld writes it, without printf. */
void buf_putll(struct buf *b, long long v);
/* v in decimal at o (room for 21 bytes), no NUL: past its last digit */
char *put_decimal(char *o, long long v);
void buf_reset(struct buf *b);
void buf_free(struct buf *b);
/* Append s as a JSON string literal (quoted, escaped). */
void buf_json_str(struct buf *b, const char *s, size_t n);
/* Its characters alone (no quotes). Where s[k - 1] is ASCII, s's
 * characters are those of its first k bytes, then those of the rest. */
void buf_json_chars(struct buf *b, const char *s, size_t n);
/* How many of s's first n bytes need no escape in a JSON string
 * (printable ASCII but " and \\). */
size_t json_plain_run(const char *s, size_t n);

/* Bump allocator for short-lived trees (one record at a time). */
struct arena_block;
struct arena {
	struct arena_block *head; /* blocks in use, newest first */
	struct arena_block *spare; /* emptied blocks kept for reuse */
	size_t used_total;
};
void *arena_alloc(struct arena *a, size_t n);
char *arena_strndup(struct arena *a, const char *s, size_t n);
void arena_reset(struct arena *a);
void arena_free(struct arena *a);

/* Names (annotators, sources, data sets) in the order they were added;
 * what points into them compares names as pointers. */
struct names {
	char **v;
	size_t n;
};
int names_index(const struct names *ns, const char *s); /* -1 absent */
void names_add(struct names *ns, const char *s);        /* once */
void names_free(struct names *ns);

/* 64-bit content hash: fast, not cryptographic. */
uint64_t hash64(const void *p, size_t n, uint64_t seed);

/* Incremental 128-bit content hash of a stream, printed as 32 hex digits. */
struct hasher {
	uint64_t a, b;
	uint64_t total;
	unsigned char tail[8];
	size_t ntail;
};
void hasher_init(struct hasher *h);
void hasher_add(struct hasher *h, const void *p, size_t n);
void hasher_hex(const struct hasher *h, char out[33]);

/* A monotonic clock in milliseconds, for waits and timings. */
double mono_ms(void);
/* This thread's CPU time in milliseconds: the work done, however loaded
 * the machine (the wall clock counts the other programs' turns too). */
double cpu_ms(void);

/* Current UTC time as ISO 8601 with milliseconds and a Z. */
void now_iso(char out[32]);

/* Text from data made safe for a terminal: control characters (C0, DEL,
 * C1) and invalid UTF-8 bytes become visible escapes such as \x1b, format
 * characters (bidi controls such as U+202E, zero-width ones) \u202e. The
 * result lives until the next call with the same slot (0..3). */
const char *inert(const char *s, int slot);
/* The same, appended to b: for threads, which must not share the slots. */
void inert_into(struct buf *b, const char *s);
/* n bytes of s made inert, appended to b; lines: newlines and tabs stay
 * (for whole files shown on a terminal). */
void inert_text_into(struct buf *b, const char *s, size_t n, int lines);

/* Words of the config language: 0 and the value, or -1 when s is not a
 * number in [lo, hi] (or not yes/no, on/off, true/false, 1/0). */
int parse_long(const char *s, long lo, long hi, long *out);
int parse_double(const char *s, double lo, double hi, double *out);
int parse_bool(const char *s, int *out);

/* A message on stderr, every byte through the inert renderer (newlines
 * and tabs kept): names and texts from data never drive the terminal. */
void errf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Returns 1 when s[0..n) is valid UTF-8. */
int utf8_valid(const char *s, size_t n);
/* The length (1-4) of the valid UTF-8 character at s[0..n), its code
 * point in *cp (when cp is not NULL); 0 when it is not one. */
size_t utf8_char(const char *s, size_t n, unsigned *cp);
/* 1 for a format character: bidi controls and marks, zero-width and
 * invisible ones (never shown raw: they reorder or hide text). */
int unicode_is_format(unsigned cp);

/* A CSV field into b: as it is, or quoted (quotes doubled) when it holds
 * a comma, a quote or a line end; nothing for NULL. */
void csv_field(struct buf *b, const char *s);
/* A CSV cell from data: raw, as csv_field; else a cell a spreadsheet
 * would run as a formula (starting with =, +, -, @, a tab or a carriage
 * return) gets a single quote before it and is quoted, as OWASP advises
 * against CSV injection. */
void csv_cell(struct buf *b, const char *s, int raw);

#endif
