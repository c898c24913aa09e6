/* json.c - yajl events to one arena tree per record */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "json.h"

#define MAX_DEPTH 256
#define CHUNK (256 * 1024)

const char *jtype_name(enum jtype t)
{
	static const char *names[] = {"null", "boolean", "number",
				      "string", "array", "object"};
	return names[t];
}

const struct jnode *jget(const struct jnode *obj, const char *key)
{
	if (!obj || obj->type != J_OBJ)
		return NULL;
	size_t kl = strlen(key);
	for (const struct jnode *c = obj->child; c; c = c->next)
		if (c->keylen == kl && memcmp(c->key, key, kl) == 0)
			return c;
	return NULL;
}

const struct jnode *jpath(const struct jnode *obj, const char *path)
{
	char part[256];
	while (obj && *path) {
		const char *dot = strchr(path, '.');
		size_t n = dot ? (size_t)(dot - path) : strlen(path);
		if (n >= sizeof(part))
			return NULL;
		memcpy(part, path, n);
		part[n] = '\0';
		obj = jget(obj, part);
		path += n + (dot != NULL);
	}
	return obj;
}

int jint(const struct jnode *n, long long *out)
{
	if (!n || n->type != J_NUM)
		return -1;
	char *end;
	errno = 0;
	long long v = strtoll(n->str, &end, 10);
	if (errno || *end) {
		/* accept integral floats such as 3.0 */
		double d = strtod(n->str, &end);
		/* the range first: a cast of what does not fit is undefined */
		if (*end || !(d >= -9e18 && d <= 9e18) || d != (double)(long long)d)
			return -1;
		v = (long long)d;
	}
	*out = v;
	return 0;
}

int jdouble(const struct jnode *n, double *out)
{
	if (!n || n->type != J_NUM)
		return -1;
	*out = strtod(n->str, NULL);
	return 0;
}

void jwrite(struct buf *b, const struct jnode *n)
{
	switch (n->type) {
	case J_NULL: buf_add(b, "null", 4); break;
	case J_BOOL: buf_puts(b, n->boolean ? "true" : "false"); break;
	case J_NUM: buf_add(b, n->str, n->len); break;
	case J_STR: buf_json_str(b, n->str, n->len); break;
	case J_ARR:
	case J_OBJ:
		buf_putc(b, n->type == J_ARR ? '[' : '{');
		for (const struct jnode *c = n->child; c; c = c->next) {
			if (c != n->child)
				buf_putc(b, ',');
			if (n->type == J_OBJ) {
				buf_json_str(b, c->key, c->keylen);
				buf_putc(b, ':');
			}
			jwrite(b, c);
		}
		buf_putc(b, n->type == J_ARR ? ']' : '}');
		break;
	}
}

struct builder {
	struct arena arena;
	struct jnode *stack[MAX_DEPTH];
	int depth;        /* open containers, the outer array included */
	int base;         /* 1 when records are elements of an outer array */
	const char *key;  /* pending member name */
	size_t keylen;
	long line;        /* line being fed */
	long rec_line;    /* line where the current record started */
	jrecord_fn on_record;
	void *ctx;
	int stop;         /* consumer asked to stop */
	const char *fail; /* reason for a builder-side abort */
	long records;
	int jsonl;        /* -1 unknown, 1 one record per line, 0 multi-line */
	struct jnode *kept; /* jparse: the root, kept in the arena */
	/* a record that parses but cannot be kept as it is: refused whole */
	jerror_fn on_error;
	char rec_bad[256];
	long bad_records;
	long long pos;    /* bytes of the file fed so far, this segment's too */
};

static void record_bad(struct builder *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void record_bad(struct builder *b, const char *fmt, ...)
{
	if (b->rec_bad[0])
		return; /* the first reason is enough */
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(b->rec_bad, sizeof(b->rec_bad), fmt, ap);
	va_end(ap);
}

/* Text the store keeps: no NUL (it would cut the text short), valid UTF-8
 * (no overlong form, no encoded surrogate). */
static void check_text(struct builder *b, const unsigned char *s, size_t len, const char *what)
{
	if (memchr(s, 0, len))
		record_bad(b, "a NUL character (\\u0000) in %s: the text would be cut short", what);
	else if (!utf8_valid((const char *)s, len))
		record_bad(b, "invalid UTF-8 in %s (an overlong form or an encoded surrogate)", what);
}

static int emit(struct builder *b, struct jnode *root)
{
	if (b->rec_bad[0] && b->on_record) { /* refused whole, named by line */
		b->bad_records++;
		int r = b->on_error ? b->on_error(b->ctx, b->rec_line, b->rec_bad) : 0;
		b->rec_bad[0] = '\0';
		arena_reset(&b->arena);
		if (r) {
			b->stop = 1;
			return 0;
		}
		return 1;
	}
	if (!b->on_record) { /* jparse: keep the one value */
		b->kept = b->rec_bad[0] ? NULL : root;
		return 1;
	}
	struct jrecord rec = {root, b->rec_line, &b->arena, b->pos};
	if (b->jsonl < 0 && !b->base)
		b->jsonl = b->line == b->rec_line;
	b->records++;
	int r = b->on_record(b->ctx, &rec);
	arena_reset(&b->arena);
	if (r) {
		b->stop = 1;
		return 0;
	}
	return 1;
}

/* Appends n to the open container on top of the stack. */
static void link_child(struct builder *b, struct jnode *n)
{
	struct jnode *parent = b->stack[b->depth - 1];
	if (parent->type == J_OBJ) {
		n->key = b->key;
		n->keylen = b->keylen;
	}
	if (parent->last)
		parent->last->next = n;
	else
		parent->child = n;
	parent->last = n;
	parent->len++;
}

static int add_node(struct builder *b, struct jnode *n)
{
	if (b->depth == b->base) {
		b->rec_line = b->line;
		return emit(b, n);
	}
	link_child(b, n);
	return 1;
}

static struct jnode *new_node(struct builder *b, enum jtype t)
{
	struct jnode *n = arena_alloc(&b->arena, sizeof(*n));
	memset(n, 0, sizeof(*n));
	n->type = t;
	return n;
}

static int cb_null(void *ctx)
{
	struct builder *b = ctx;
	return add_node(b, new_node(b, J_NULL));
}

static int cb_bool(void *ctx, int v)
{
	struct builder *b = ctx;
	struct jnode *n = new_node(b, J_BOOL);
	n->boolean = v != 0;
	return add_node(b, n);
}

static int cb_number(void *ctx, const char *s, size_t len)
{
	struct builder *b = ctx;
	struct jnode *n = new_node(b, J_NUM);
	n->str = arena_strndup(&b->arena, s, len);
	n->len = len;
	return add_node(b, n);
}

static int cb_string(void *ctx, const unsigned char *s, size_t len)
{
	struct builder *b = ctx;
	check_text(b, s, len, "a string");
	struct jnode *n = new_node(b, J_STR);
	n->str = arena_strndup(&b->arena, (const char *)s, len);
	n->len = len;
	return add_node(b, n);
}

static int open_container(struct builder *b, enum jtype t)
{
	if (b->depth < b->base) { /* the outer array itself */
		b->depth++;
		return 1;
	}
	if (b->depth >= MAX_DEPTH) {
		b->fail = "nesting deeper than 256 levels";
		return 0;
	}
	if (b->depth == b->base)
		b->rec_line = b->line;
	struct jnode *n = new_node(b, t);
	if (b->depth > b->base)
		link_child(b, n);
	b->stack[b->depth++] = n;
	return 1;
}

static int hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* The code unit of a \\uXXXX escape at s (n bytes left), or -1. */
static long unit_at(const unsigned char *s, size_t n)
{
	if (n < 6 || s[0] != '\\' || s[1] != 'u')
		return -1;
	long v = 0;
	for (int i = 2; i < 6; i++) {
		int h = hexval(s[i]);
		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

/* yajl turns an unpaired surrogate escape (\\ud800) into '?': the text
 * would change silently, so the record is refused. Scans the raw bytes of
 * one line (an escape cut by the 256 KiB read boundary is not seen). */
static void check_surrogates(struct builder *b, const unsigned char *s, size_t n)
{
	for (size_t i = 0; i + 6 <= n; i++) {
		const unsigned char *bs = memchr(s + i, '\\', n - 6 + 1 - i);
		if (!bs)
			return;
		i = (size_t)(bs - s);
		long u = unit_at(s + i, n - i);
		if (u < 0) {
			i++; /* an escaped character: skip it */
			continue;
		}
		if (u >= 0xd800 && u <= 0xdbff) {
			long lo = unit_at(s + i + 6, n - i - 6);
			if (lo >= 0xdc00 && lo <= 0xdfff) {
				i += 11;
				continue;
			}
		}
		if (u >= 0xd800 && u <= 0xdfff) {
			record_bad(b, "an unpaired surrogate escape (\\u%04lx) in a string", u);
			return;
		}
		i += 5;
	}
}

static int key_cmp(const void *x, const void *y)
{
	const struct jnode *a = *(const struct jnode *const *)x;
	const struct jnode *c = *(const struct jnode *const *)y;
	if (a->keylen != c->keylen)
		return a->keylen < c->keylen ? -1 : 1;
	return memcmp(a->key, c->key, a->keylen);
}

/* A key twice in one object: Python's json (and so the trainers) keeps
 * the last value, a first-wins reader the first; the record is refused. */
static void check_keys(struct builder *b, const struct jnode *obj)
{
	if (obj->len < 2 || b->rec_bad[0])
		return;
	const struct jnode **v = arena_alloc(&b->arena, obj->len * sizeof(*v));
	size_t n = 0;
	for (const struct jnode *c = obj->child; c; c = c->next)
		v[n++] = c;
	qsort(v, n, sizeof(*v), key_cmp);
	for (size_t i = 1; i < n; i++)
		if (!key_cmp(&v[i - 1], &v[i])) {
			record_bad(b, "the key \"%.*s\" appears twice in one object (readers "
				   "disagree on which value counts)",
				   (int)(v[i]->keylen > 80 ? 80 : v[i]->keylen), v[i]->key);
			return;
		}
}

static int close_container(struct builder *b)
{
	if (b->depth > b->base && b->stack[b->depth - 1]->type == J_OBJ)
		check_keys(b, b->stack[b->depth - 1]);
	b->depth--;
	if (b->depth < b->base)
		return 1; /* the outer array closed */
	if (b->depth == b->base)
		return emit(b, b->stack[b->depth]);
	return 1;
}

static int cb_start_map(void *ctx)
{
	return open_container(ctx, J_OBJ);
}

static int cb_start_array(void *ctx)
{
	return open_container(ctx, J_ARR);
}

static int cb_end(void *ctx)
{
	return close_container(ctx);
}

static int cb_key(void *ctx, const unsigned char *s, size_t len)
{
	struct builder *b = ctx;
	check_text(b, s, len, "a key");
	b->key = arena_strndup(&b->arena, (const char *)s, len);
	b->keylen = len;
	return 1;
}

static const yajl_callbacks callbacks = {
	cb_null, cb_bool, NULL, NULL, cb_number, cb_string,
	cb_start_map, cb_key, cb_end, cb_start_array, cb_end,
};

static yajl_handle new_handle(struct builder *b)
{
	yajl_handle h = yajl_alloc(&callbacks, NULL, b);
	if (!b->base)
		yajl_config(h, yajl_allow_multiple_values, 1);
	return h;
}

/* First non-blank byte of the file after an optional BOM, or EOF. */
static int peek_start(FILE *fp, int *had_bom)
{
	unsigned char bom[3];
	size_t n = fread(bom, 1, 3, fp);
	*had_bom = n == 3 && bom[0] == 0xef && bom[1] == 0xbb && bom[2] == 0xbf;
	if (fseek(fp, *had_bom ? 3 : 0, SEEK_SET) != 0)
		return EOF;
	int c;
	while ((c = getc(fp)) != EOF)
		if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
			break;
	return c;
}

static void error_message(yajl_handle h, struct builder *b, char *msg,
			  size_t len)
{
	if (b->fail) {
		snprintf(msg, len, "%s", b->fail);
		return;
	}
	unsigned char *e = yajl_get_error(h, 0, NULL, 0);
	/* yajl says "parse error: <reason>\n" */
	const char *s = (const char *)e;
	if (strncmp(s, "parse error: ", 13) == 0)
		s += 13;
	snprintf(msg, len, "invalid JSON: %s", s);
	yajl_free_error(h, e);
	size_t n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
}

int jstream_file(const char *path, jrecord_fn on_record, jerror_fn on_error,
		 void *ctx, struct jstats *st, char *errbuf, size_t errlen)
{
	return jstream_file_hashed(path, on_record, on_error, ctx, st, errbuf,
				   errlen, NULL);
}

int jstream_file_hashed(const char *path, jrecord_fn on_record,
			jerror_fn on_error, void *ctx, struct jstats *st,
			char *errbuf, size_t errlen, struct hasher *hash)
{
	memset(st, 0, sizeof(*st));
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	int had_bom;
	int first = peek_start(fp, &had_bom);
	if (first == EOF) {
		snprintf(errbuf, errlen, "%s: empty file, no records", path);
		fclose(fp);
		return -1;
	}
	if (hash && had_bom)
		hasher_add(hash, "\xef\xbb\xbf", 3);
	if (fseek(fp, had_bom ? 3 : 0, SEEK_SET) != 0) {
		snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
		fclose(fp);
		return -1;
	}

	struct builder b;
	memset(&b, 0, sizeof(b));
	b.base = first == '[';
	b.on_record = on_record;
	b.on_error = on_error;
	b.ctx = ctx;
	b.line = 1;
	b.jsonl = -1;
	st->is_array = b.base;

	yajl_handle h = new_handle(&b);
	unsigned char *chunk = xmalloc(CHUNK);
	int rc = 0, skipping = 0, fed = 0; /* fed: this handle saw input */
	char msg[512];
	size_t n;
	long long base = had_bom ? 3 : 0;
	while (!b.stop && (n = fread(chunk, 1, CHUNK, fp)) > 0) {
		size_t off = 0;
		base += (long long)n;
		if (hash)
			hasher_add(hash, chunk, n);
		while (off < n && !b.stop) {
			unsigned char *nl = memchr(chunk + off, '\n', n - off);
			size_t seg = nl ? (size_t)(nl - (chunk + off)) + 1 : n - off;
			if (skipping) {
				/* after a bad JSON Lines record: resume on the next line */
				if (nl) {
					skipping = 0;
					b.line++;
				}
				off += seg;
				continue;
			}
			if (memchr(chunk + off, '\\', seg))
				check_surrogates(&b, chunk + off, seg);
			b.pos = base - (long long)(n - off - seg);
			yajl_status s = yajl_parse(h, chunk + off, seg);
			fed = 1;
			int cut = s == yajl_status_ok && nl && b.jsonl == 1 &&
				  b.depth > 0;
			if (s == yajl_status_error || cut ||
			    (s == yajl_status_client_canceled && !b.stop)) {
				if (cut)
					snprintf(msg, sizeof(msg), "incomplete JSON record: the line ends inside it");
				else
					error_message(h, &b, msg, sizeof(msg));
				st->errors++;
				int go_on = on_error(ctx, b.line, msg) == 0;
				if (b.base || !go_on) {
					rc = -1;
					goto out;
				}
				yajl_free(h);
				arena_reset(&b.arena);
				b.depth = 0;
				b.fail = NULL;
				h = new_handle(&b);
				fed = 0;
				skipping = nl == NULL;
				if (nl)
					b.line++;
				off += seg;
				continue;
			}
			off += seg;
			if (nl)
				b.line++;
		}
	}
	if (ferror(fp)) {
		snprintf(errbuf, errlen, "%s: read error: %s", path,
			 strerror(errno));
		rc = -1;
		goto out;
	}
	if (!b.stop && !skipping && fed) {
		yajl_status s = yajl_complete_parse(h);
		if (s != yajl_status_ok && !b.stop) {
			error_message(h, &b, msg, sizeof(msg));
			st->errors++;
			long at = b.depth > 0 ? b.rec_line : b.line;
			if (on_error(ctx, at, msg) != 0 || b.base)
				rc = -1;
		}
	}
out:
	st->records = b.records;
	st->errors += b.bad_records;
	st->lines = b.line;
	yajl_free(h);
	free(chunk);
	arena_free(&b.arena);
	fclose(fp);
	return rc;
}

const struct jnode *jparse_why(struct arena *a, const char *s, size_t n, char *why,
			      size_t whylen)
{
	struct builder b;
	memset(&b, 0, sizeof(b));
	b.arena = *a;
	if (memchr(s, '\\', n))
		check_surrogates(&b, (const unsigned char *)s, n);
	yajl_handle h = yajl_alloc(&callbacks, NULL, &b);
	int ok = yajl_parse(h, (const unsigned char *)s, n) == yajl_status_ok &&
		 yajl_complete_parse(h) == yajl_status_ok;
	if (why && whylen) {
		if (!ok)
			snprintf(why, whylen, "invalid JSON");
		else if (b.rec_bad[0])
			snprintf(why, whylen, "%s", b.rec_bad);
		else
			why[0] = '\0';
	}
	yajl_free(h);
	*a = b.arena;
	return ok && !b.rec_bad[0] ? b.kept : NULL;
}

const struct jnode *jparse(struct arena *a, const char *s, size_t n)
{
	return jparse_why(a, s, n, NULL, 0);
}
