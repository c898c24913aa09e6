/* util.c - small shared helpers */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/time.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "util.h"

static void (*fatal_hook)(void);

void util_on_fatal(void (*fn)(void))
{
	fatal_hook = fn;
}

static void oom(size_t n)
{
	if (fatal_hook)
		fatal_hook();
	fprintf(stderr, "stepmark: out of memory (%zu bytes)\n", n);
	exit(70);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom(n * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom(n);
	return q;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

void buf_grow(struct buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
}

void buf_add(struct buf *b, const void *p, size_t n)
{
	buf_grow(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void buf_puts(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_putc(struct buf *b, char c)
{
	buf_grow(b, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	buf_grow(b, 64); /* most fit: formatted once, in place */
	va_start(ap, fmt);
	int n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->data[b->len] = '\0';
		return;
	}
	if ((size_t)n >= b->cap - b->len) {
		buf_grow(b, (size_t)n);
		va_start(ap, fmt);
		vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

/* its digits counted first, then written from the last, two a step:
 * no copy (a memcpy of a length known only at run time was a call) */
char *put_decimal(char *o, long long v)
{
	static const char two[] = "0001020304050607080910111213141516171819"
				  "2021222324252627282930313233343536373839"
				  "4041424344454647484950515253545556575859"
				  "6061626364656667686970717273747576777879"
				  "8081828384858687888990919293949596979899";
	unsigned long long u = v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v;
	if (v < 0)
		*o++ = '-';
	size_t len = 1;
	for (unsigned long long p = 10; len < 20 && u >= p; p *= 10)
		len++;
	char *e = o + len, *q = e;
	while (u >= 100) {
		unsigned r = (unsigned)(u % 100);
		u /= 100;
		q -= 2;
		memcpy(q, two + 2 * r, 2);
	}
	if (u >= 10) {
		q -= 2;
		memcpy(q, two + 2 * u, 2);
	} else {
		*--q = (char)('0' + u);
	}
	return e;
}

void buf_putll(struct buf *b, long long v)
{
	char d[24];
	buf_add(b, d, (size_t)(put_decimal(d, v) - d));
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when invalid. */
size_t utf8_char(const char *str, size_t n, unsigned *cpout)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned c = s[0];
	size_t len;
	unsigned min;
	if (c < 0x80) {
		if (cpout)
			*cpout = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, min = 0x10000;
	else
		return 0;
	if (n < len)
		return 0;
	unsigned cp = c & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	if (cpout)
		*cpout = cp;
	return len;
}

static size_t utf8_seq(const unsigned char *s, size_t n)
{
	return utf8_char((const char *)s, n, NULL);
}

int unicode_is_format(unsigned cp)
{
	return cp == 0x061c || (cp >= 0x200b && cp <= 0x200f) ||
	       (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x206f) ||
	       cp == 0xfeff || (cp >= 0xfff9 && cp <= 0xfffb) || cp == 0xe0001 ||
	       (cp >= 0xe0020 && cp <= 0xe007f);
}

const char *inert(const char *s, int slot)
{
	static struct buf out[4];
	struct buf *b = &out[slot & 3];
	buf_reset(b);
	inert_into(b, s);
	return b->data;
}

void inert_into(struct buf *b, const char *s)
{
	const char *p = s ? s : "(null)";
	inert_text_into(b, p, strlen(p), 0);
}

void inert_text_into(struct buf *b, const char *s, size_t n, int lines)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	buf_add(b, "", 0); /* terminated even when s is empty */
	buf_grow(b, n);
	while (i < n) {
		unsigned cp = p[i];
		size_t k = utf8_char((const char *)p + i, n - i, &cp);
		if (k == 0)
			cp = p[i];
		if (lines && (cp == '\n' || cp == '\t')) {
			buf_putc(b, (char)cp);
			i++;
			continue;
		}
		if (k == 0 || cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) {
			char esc[5] = {'\\', 'x', hex[p[i] >> 4], hex[p[i] & 15], 0};
			buf_add(b, esc, 4);
			i++;
			continue;
		}
		if (unicode_is_format(cp)) { /* a bidi override would reorder the line */
			buf_printf(b, "\\u%04x", cp);
			i += k;
			continue;
		}
		buf_add(b, p + i, k);
		i += k;
	}
}

double mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

double cpu_ms(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
		return mono_ms();
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

void errf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct buf raw = {0}, out = {0};
	char small[512];
	int n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(small)) {
		buf_add(&raw, small, (size_t)n);
	} else {
		buf_grow(&raw, (size_t)n);
		va_start(ap, fmt);
		vsnprintf(raw.data, (size_t)n + 1, fmt, ap);
		va_end(ap);
		raw.len = (size_t)n;
	}
	inert_text_into(&out, raw.data, raw.len, 1);
	fputs(out.data, stderr);
	buf_free(&raw);
	buf_free(&out);
}

int utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		/* ASCII, eight bytes at a time (most text is) */
		while (i + 8 <= n) {
			uint64_t w;
			memcpy(&w, p + i, 8);
			if (w & 0x8080808080808080ull)
				break;
			i += 8;
		}
		if (i >= n)
			break;
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		size_t k = utf8_seq(p + i, n - i);
		if (!k)
			return 0;
		i += k;
	}
	return 1;
}

size_t json_plain_run(const char *s, size_t n)
{
	const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
	const unsigned char *p = (const unsigned char *)s;
	size_t j = 0;
#ifdef __SSE2__
	/* 16 bytes at a time: a byte below 0x20 or from 0x80 is below 0x20 as
	 * a signed one; the first special byte is where the mask's first bit is */
	const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\'),
		      space = _mm_set1_epi8(0x20);
	for (; j + 16 <= n; j += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + j));
		__m128i bad = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote),
							_mm_cmpeq_epi8(v, bslash)),
					   _mm_cmplt_epi8(v, space));
		unsigned m = (unsigned)_mm_movemask_epi8(bad);
		if (m)
			return j + (size_t)__builtin_ctz(m);
	}
#endif
	for (uint64_t w; j + 8 <= n; j += 8) { /* 8 bytes at a time while none is special */
		memcpy(&w, p + j, 8);
		uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
		if ((((w - ones * 0x20) | (q - ones) | (b - ones)) & ~w & highs) || (w & highs))
			break;
	}
	while (j < n && p[j] >= 0x20 && p[j] != '"' && p[j] != '\\' && p[j] < 0x80)
		j++;
	return j;
}

/* the escape of a byte that json_plain_run stops at (below 0x20, " or \\)
 * into o: its length */
static size_t json_escape(char *o, unsigned c)
{
	static const char hex[] = "0123456789abcdef";
	o[0] = '\\';
	switch (c) {
	case '"': o[1] = '"'; return 2;
	case '\\': o[1] = '\\'; return 2;
	case '\n': o[1] = 'n'; return 2;
	case '\r': o[1] = 'r'; return 2;
	case '\t': o[1] = 't'; return 2;
	case '\b': o[1] = 'b'; return 2;
	case '\f': o[1] = 'f'; return 2;
	default:
		memcpy(o + 1, "u00", 3);
		o[4] = hex[c >> 4];
		o[5] = hex[c & 15];
		return 6;
	}
}

/* One pass, writing in place: the plain bytes 16 at a time (stored
 * whole, the pointer moved past those before the first special one), an
 * escape inline. The buffer holds what is left plain, plus 32, at every
 * special byte: a run costs no call and no check of its own (a prompt's
 * newlines made a run every step). */
static inline void json_chars(struct buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	buf_grow(b, n + 32);
	char *o = b->data + b->len;
	size_t i = 0;
	while (i < n) {
#ifdef __SSE2__
		const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\'),
			      space = _mm_set1_epi8(0x20);
		unsigned m = 0;
		for (; i + 16 <= n; i += 16, o += 16) {
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
			_mm_storeu_si128((__m128i *)(void *)o, v);
			__m128i bad = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote),
								_mm_cmpeq_epi8(v, bslash)),
						   _mm_cmplt_epi8(v, space));
			if ((m = (unsigned)_mm_movemask_epi8(bad)))
				break;
		}
		if (!m && i < n && n >= 16) { /* the last bytes: a load that ends at n */
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + n - 16));
			__m128i bad = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote),
								_mm_cmpeq_epi8(v, bslash)),
						   _mm_cmplt_epi8(v, space));
			m = (unsigned)_mm_movemask_epi8(bad) >> (i - (n - 16));
			size_t k = m ? (size_t)__builtin_ctz(m) : n - i;
			memcpy(o, p + i, k);
			i += k;
			o += k;
		} else if (m) {
			unsigned k = (unsigned)__builtin_ctz(m);
			i += k;
			o += k;
		} else
#endif
		{
			while (i < n && p[i] >= 0x20 && p[i] != '"' && p[i] != '\\' && p[i] < 0x80)
				*o++ = (char)p[i++];
		}
		if (i >= n)
			break;
		if ((size_t)(b->data + b->cap - o) < n - i + 32) {
			b->len = (size_t)(o - b->data);
			buf_grow(b, n - i + 32);
			o = b->data + b->len;
		}
		unsigned c = p[i];
		if (c < 0x80) {
			o += json_escape(o, c);
			i++;
			continue;
		}
		size_t k = utf8_seq(p + i, n - i);
		if (k) {
			memcpy(o, p + i, k);
			o += k;
			i += k;
		} else {
			memcpy(o, "\\ufffd", 6); /* invalid byte */
			o += 6;
			i++;
		}
	}
	*o = '\0';
	b->len = (size_t)(o - b->data);
}

void buf_json_str(struct buf *b, const char *s, size_t n)
{
	buf_grow(b, n + 34);
	b->data[b->len++] = '"';
	json_chars(b, s, n);
	/* json_chars leaves at least 26 bytes free (32 at its last escape) */
	b->data[b->len++] = '"';
	b->data[b->len] = '\0';
}

void buf_json_chars(struct buf *b, const char *s, size_t n)
{
	json_chars(b, s, n);
}

struct arena_block {
	struct arena_block *next;
	size_t cap, used;
	max_align_t data[];
};

#define ARENA_BLOCK (64 * 1024)
#define ARENA_KEEP (256 * 1024)

void *arena_alloc(struct arena *a, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	struct arena_block *blk = a->head;
	if (!blk || blk->cap - blk->used < n) {
		if (n <= ARENA_BLOCK && a->spare) {
			blk = a->spare;
			a->spare = blk->next;
		} else {
			size_t cap = n > ARENA_BLOCK ? n : ARENA_BLOCK;
			blk = xmalloc(sizeof(*blk) + cap);
			blk->cap = cap;
		}
		blk->used = 0;
		blk->next = a->head;
		a->head = blk;
	}
	void *p = (char *)blk->data + blk->used;
	blk->used += n;
	a->used_total += n;
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static void blocks_free(struct arena_block *blk)
{
	while (blk) {
		struct arena_block *next = blk->next;
		free(blk);
		blk = next;
	}
}

/* Empty the arena; keep up to ARENA_KEEP bytes of standard blocks. */
void arena_reset(struct arena *a)
{
	size_t kept = 0;
	for (struct arena_block *s = a->spare; s; s = s->next)
		kept += s->cap;
	struct arena_block *blk = a->head;
	while (blk) {
		struct arena_block *next = blk->next;
		if (blk->cap == ARENA_BLOCK && kept + blk->cap <= ARENA_KEEP) {
			blk->next = a->spare;
			a->spare = blk;
			kept += blk->cap;
		} else {
			free(blk);
		}
		blk = next;
	}
	a->head = NULL;
	a->used_total = 0;
}

void arena_free(struct arena *a)
{
	blocks_free(a->head);
	blocks_free(a->spare);
	a->head = a->spare = NULL;
	a->used_total = 0;
}

static inline uint64_t rotl64(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

static inline uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static inline uint64_t load64(const unsigned char *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

#define K1 0x9e3779b97f4a7c15ULL
#define K2 0xc2b2ae3d27d4eb4fULL

uint64_t hash64(const void *data, size_t n, uint64_t seed)
{
	const unsigned char *p = data;
	uint64_t h = seed ^ (n * K1);
	while (n >= 8) {
		h = rotl64(h ^ (load64(p) * K2), 29) * K1;
		p += 8;
		n -= 8;
	}
	uint64_t t = 0;
	memcpy(&t, p, n);
	h = rotl64(h ^ (t * K2), 29) * K1;
	return mix64(h);
}

void hasher_init(struct hasher *h)
{
	memset(h, 0, sizeof(*h));
	h->a = K1;
	h->b = K2;
}

static inline void hasher_word(struct hasher *h, uint64_t w)
{
	h->a = rotl64(h->a ^ (w * K2), 31) * K1;
	h->b = rotl64(h->b + (w ^ K1), 27) * K2 + h->a;
}

void hasher_add(struct hasher *h, const void *data, size_t n)
{
	const unsigned char *p = data;
	h->total += n;
	while (n && h->ntail) {
		h->tail[h->ntail++] = *p++;
		n--;
		if (h->ntail == 8) {
			hasher_word(h, load64(h->tail));
			h->ntail = 0;
		}
	}
	if (h->ntail) /* the piece fitted in the held bytes: they stay held */
		return;
	/* the state in registers: through h, every word was a store and a
	 * load (p's bytes may alias h), the loads waiting on the stores */
	struct hasher r = {.a = h->a, .b = h->b};
	while (n >= 8) {
		hasher_word(&r, load64(p));
		p += 8;
		n -= 8;
	}
	h->a = r.a;
	h->b = r.b;
	memcpy(h->tail, p, n);
	h->ntail = n;
}

void hasher_hex(const struct hasher *src, char out[33])
{
	struct hasher h = *src;
	uint64_t t = 0;
	memcpy(&t, h.tail, h.ntail);
	hasher_word(&h, t ^ ((uint64_t)h.ntail << 56));
	hasher_word(&h, h.total);
	uint64_t v[2] = {mix64(h.a), mix64(h.b ^ h.a)};
	/* "%016llx%016llx", from the last byte: two digits a step (a digit
	 * a step was a sixth of a request's hashing) */
	static const char hex[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
				  "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
				  "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
				  "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
				  "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
				  "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
				  "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
				  "e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";
	for (int w = 0; w < 2; w++)
		for (int i = 14; i >= 0; i -= 2, v[w] >>= 8)
			memcpy(out + 16 * w + i, hex + 2 * (v[w] & 255), 2);
	out[32] = '\0';
}

void now_iso(char out[32])
{
	struct timeval tv;
	struct tm tm;
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, 32 - n, ".%03dZ", (int)(tv.tv_usec / 1000));
}

int parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

int parse_double(const char *s, double lo, double hi, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= lo && v <= hi))
		return -1;
	*out = v;
	return 0;
}

int parse_bool(const char *s, int *out)
{
	if (!strcmp(s, "yes") || !strcmp(s, "true") || !strcmp(s, "on") || !strcmp(s, "1"))
		*out = 1;
	else if (!strcmp(s, "no") || !strcmp(s, "false") || !strcmp(s, "off") || !strcmp(s, "0"))
		*out = 0;
	else
		return -1;
	return 0;
}

void csv_field(struct buf *b, const char *s)
{
	if (!s)
		return;
	if (!strpbrk(s, ",\"\r\n")) {
		buf_puts(b, s);
		return;
	}
	buf_putc(b, '"');
	for (; *s; s++) {
		if (*s == '"')
			buf_putc(b, '"');
		buf_putc(b, *s);
	}
	buf_putc(b, '"');
}

void csv_cell(struct buf *b, const char *s, int raw)
{
	if (!s || raw || !*s || !strchr("=+-@\t\r", *s)) {
		csv_field(b, s);
		return;
	}
	buf_puts(b, "\"'");
	for (; *s; s++) {
		if (*s == '"')
			buf_putc(b, '"');
		buf_putc(b, *s);
	}
	buf_putc(b, '"');
}

int names_index(const struct names *ns, const char *s)
{
	for (size_t i = 0; i < ns->n; i++)
		if (!strcmp(ns->v[i], s))
			return (int)i;
	return -1;
}

void names_add(struct names *ns, const char *s)
{
	if (names_index(ns, s) >= 0)
		return;
	ns->v = xrealloc(ns->v, (ns->n + 1) * sizeof(char *));
	ns->v[ns->n++] = xstrdup(s);
}

void names_free(struct names *ns)
{
	for (size_t i = 0; i < ns->n; i++)
		free(ns->v[i]);
	free(ns->v);
	memset(ns, 0, sizeof(*ns));
}
