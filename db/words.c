/* words.c - the store's words, so that a search that matches nothing says so at once */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "dbi.h"

/*
 * The word table holds every word of every problem and step text, once,
 * folded: a word is a longest run of ASCII letters, digits, '_' and
 * non-ASCII bytes; folded is ASCII in lower case, and the two signs
 * PCRE2 takes for ASCII letters when it ignores case (U+212A KELVIN
 * SIGN for k, U+017F LONG S for s: the only ones in PCRE2 10.42) as
 * those letters. Words of digits alone are left out (numbers are most
 * of a math store's words, and a search for one is not helped).
 *
 * A literal run of word bytes in a pattern (dbi_words_pieces) lies, in
 * any text it matches, inside one word: if no word holds it, no text
 * does. Import, merge and sync add the words of what they add in the
 * transaction that adds it (dbi_words_add, written at db_commit); the
 * migration that made the table read the texts before it. Solutions are
 * never rewritten or removed, so the table only ever grows, and a word
 * too many costs only a search that walks.
 */

enum stmt_id { S_WORD_ADD, S_WORD_HAS, S_WORD_ALL, S_COUNT };

static const char *const stmt_sql[S_COUNT] = {
	[S_WORD_ADD] = "INSERT OR IGNORE INTO word(w) VALUES (?1)",
	[S_WORD_HAS] = "SELECT 1 FROM word WHERE w = ?1",
	[S_WORD_ALL] = "SELECT w FROM word",
};

static const struct stmt_table stmts = {ROOM_WORDS, S_COUNT, stmt_sql};

static sqlite3_stmt *stmt(struct db *db, enum stmt_id id)
{
	return dbi_stmt(db, &stmts, id);
}

/* The words of this transaction not written yet: a set of strings in
 * one buffer, by open addressing. */
struct word_set {
	struct buf text;   /* the words, each ending in NUL */
	uint32_t *slot;    /* 1 + a word's offset in text, 0 for a free slot */
	size_t nslot, n;
};

#define SET_MAX 65536 /* words held before they are written */

static int word_byte(unsigned char c)
{
	return c >= 0x80 || c == '_' || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

/* folds the word run p[0..n) into out (n bytes at most); its length */
static size_t fold(const unsigned char *p, size_t n, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = p[i];
		if (c >= 'A' && c <= 'Z') {
			out[o++] = (char)(c | 0x20);
		} else if (c == 0xe2 && i + 2 < n && p[i + 1] == 0x84 && p[i + 2] == 0xaa) {
			out[o++] = 'k';
			i += 2;
		} else if (c == 0xc5 && i + 1 < n && p[i + 1] == 0xbf) {
			out[o++] = 's';
			i++;
		} else {
			out[o++] = (char)c;
		}
	}
	return o;
}

static void set_clear(struct word_set *s)
{
	s->text.len = 0;
	if (s->slot)
		memset(s->slot, 0, s->nslot * sizeof(*s->slot));
	s->n = 0;
}

void dbi_words_drop(struct db *db)
{
	if (db->words)
		set_clear(db->words);
}

void dbi_words_free(struct db *db)
{
	if (!db->words)
		return;
	buf_free(&db->words->text);
	free(db->words->slot);
	free(db->words);
	db->words = NULL;
}

int dbi_words_flush(struct db *db)
{
	struct word_set *s = db->words;
	if (!s || !s->n)
		return 0;
	int rc = 0;
	for (size_t off = 0; off < s->text.len && rc == 0;) {
		const char *w = s->text.data + off;
		size_t n = strlen(w);
		sqlite3_stmt *q = stmt(db, S_WORD_ADD);
		sqlite3_bind_text(q, 1, w, (int)n, SQLITE_STATIC);
		rc = dbi_step_done(db, q);
		off += n + 1;
	}
	set_clear(s);
	return rc;
}

static uint64_t word_hash(const char *w, size_t n)
{
	uint64_t h = 0xcbf29ce484222325u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)w[i]) * 0x100000001b3u;
	return h;
}

/* adds the folded word w[0..n) to the set */
static void set_add(struct word_set *s, const char *w, size_t n)
{
	if (!s->nslot) {
		s->nslot = 1024;
		s->slot = xcalloc(s->nslot, sizeof(*s->slot));
	}
	size_t mask = s->nslot - 1, i = word_hash(w, n) & mask;
	for (; s->slot[i]; i = (i + 1) & mask) {
		const char *x = s->text.data + s->slot[i] - 1;
		if (!memcmp(x, w, n) && !x[n])
			return;
	}
	s->slot[i] = (uint32_t)s->text.len + 1;
	buf_add(&s->text, w, n);
	buf_putc(&s->text, '\0');
	if (++s->n * 2 > s->nslot) { /* grown: every word placed again */
		free(s->slot);
		s->nslot *= 2;
		s->slot = xcalloc(s->nslot, sizeof(*s->slot));
		mask = s->nslot - 1;
		for (size_t off = 0; off < s->text.len;) {
			const char *x = s->text.data + off;
			size_t len = strlen(x);
			for (i = word_hash(x, len) & mask; s->slot[i]; i = (i + 1) & mask)
				;
			s->slot[i] = (uint32_t)off + 1;
			off += len + 1;
		}
	}
}

int dbi_words_add(struct db *db, const char *text)
{
	if (!text)
		return 0;
	if (!db->words)
		db->words = xcalloc(1, sizeof(*db->words));
	struct word_set *s = db->words;
	const unsigned char *p = (const unsigned char *)text;
	char small[128];
	while (*p) {
		while (*p && !word_byte(*p))
			p++;
		const unsigned char *w = p;
		int digits = 1;
		for (; *p && word_byte(*p); p++)
			digits &= *p >= '0' && *p <= '9';
		size_t n = (size_t)(p - w);
		if (!n || digits)
			continue;
		char *out = n <= sizeof(small) ? small : xmalloc(n);
		set_add(s, out, fold(w, n, out));
		if (out != small)
			free(out);
	}
	return s->n >= SET_MAX ? dbi_words_flush(db) : 0;
}

/* words(TEXT): the words of TEXT into the word table (at the end of the
 * transaction): the migration that made the table reads the store with
 * it. Without a struct db (merge's reference schema), nothing. */
void dbi_sql_words(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	struct db *db = sqlite3_user_data(ctx);
	if (db && dbi_words_add(db, (const char *)sqlite3_value_text(argv[0])) < 0)
		sqlite3_result_error(ctx, "cannot write the words", -1);
	else
		sqlite3_result_null(ctx);
}

/* a literal run of a pattern: its word pieces, folded, into out (each
 * ending in NUL); non-ASCII bytes are no piece's when case is ignored
 * (PCRE2's case folding of them is not fold()'s) */
static void run_pieces(const char *run, size_t n, int caseless, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)run;
	size_t i = 0;
	while (i < n) {
		size_t j = i;
		while (j < n && word_byte(p[j]) && !(caseless && p[j] >= 0x80))
			j++;
		if (j > i) {
			int digits = 1;
			for (size_t k = i; k < j; k++)
				digits &= p[k] >= '0' && p[k] <= '9';
			if (!digits) { /* digits alone: no word of the table */
				buf_grow(out, j - i + 1);
				out->len += fold(p + i, j - i, out->data + out->len);
				buf_putc(out, '\0');
			}
		}
		i = j > i ? j : i + 1;
	}
}

/* drops the last character (its UTF-8 bytes) of run */
static void drop_last(struct buf *run)
{
	while (run->len && ((unsigned char)run->data[run->len - 1] & 0xc0) == 0x80)
		run->len--;
	if (run->len)
		run->len--;
}

/*
 * The literal text every match of pat must hold, as word pieces: the
 * runs of plain characters at the pattern's top level, read up to the
 * first thing this reading does not follow (a group, a class, an escape
 * of a letter or digit, a counted or optional repeat, whose character
 * before it is dropped). An alternative anywhere: none. Cautious on
 * purpose: a piece too few costs a walk, a piece too many a wrong
 * "no match".
 */
size_t dbi_words_pieces(const char *pat, int caseless, struct buf *out)
{
	out->len = 0;
	if (strchr(pat, '|'))
		return 0;
	struct buf run = {0};
	const char *p = pat;
	int stop = 0;
	while (*p && !stop) {
		char c = *p;
		if (c == '\\') {
			unsigned char e = (unsigned char)p[1];
			if (!e || (word_byte(e) && e != '_')) { /* \d, \x41, \Q...: not read */
				stop = 1;
				continue;
			}
			buf_putc(&run, (char)e);
			p += 2;
		} else if (strchr("([)", c)) {
			stop = 1;
		} else if (strchr("*?+{", c)) {
			drop_last(&run);
			stop = 1;
		} else if (strchr(".^$", c)) {
			run_pieces(run.data, run.len, caseless, out);
			run.len = 0;
			p++;
		} else {
			buf_putc(&run, c);
			p++;
		}
	}
	run_pieces(run.data, run.len, caseless, out);
	buf_free(&run);
	size_t n = 0;
	for (size_t i = 0; i < out->len; i++)
		n += !out->data[i];
	return n;
}

int dbi_words_absent(struct db *db, const char *pieces, size_t len)
{
	if (!len)
		return 0;
	size_t npieces = 0;
	for (size_t i = 0; i < len; i++)
		npieces += !pieces[i];
	char *found = xcalloc(npieces, 1);
	size_t left = npieces, k = 0;
	/* most searches are for whole words: looked up first */
	for (size_t off = 0; off < len; k++) {
		const char *pc = pieces + off;
		sqlite3_stmt *s = stmt(db, S_WORD_HAS);
		bind_text(s, 1, pc);
		int64_t has = dbi_one_int(s, 0);
		if (has) {
			found[k] = 1;
			left--;
		}
		off += strlen(pc) + 1;
	}
	sqlite3_stmt *s = left ? stmt(db, S_WORD_ALL) : NULL;
	int rc = SQLITE_DONE;
	while (left && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *w = col_text(s, 0);
		size_t wn = (size_t)sqlite3_column_bytes(s, 0);
		k = 0;
		for (size_t off = 0; off < len; k++) {
			const char *pc = pieces + off;
			size_t pn = strlen(pc);
			if (!found[k] && pn <= wn && memmem(w, wn, pc, pn)) {
				found[k] = 1;
				left--;
			}
			off += pn + 1;
		}
	}
	if (s)
		sqlite3_reset(s);
	free(found);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return -1;
	return left > 0;
}
