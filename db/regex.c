/* regex.c - PCRE2 patterns with smart case: regexp() in SQL and the workbench's search */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "dbi.h"

/* A compiled pattern with the match data it reuses (one thread at a
 * time: the workbench's loop, or one statement). */
struct db_re {
	pcre2_code *code;
	pcre2_match_data *md;
	struct buf pieces; /* the plain words every match holds (words.c) */
};

/* regexp(PATTERN, TEXT): PCRE2, the compiled pattern kept by SQLite for
 * as long as the statement runs with the same pattern. A pattern without
 * capitals ignores case. */
static void re_free(void *p)
{
	db_regex_free(p);
}

void dbi_sql_regexp(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	struct db_re *re = sqlite3_get_auxdata(ctx, 0);
	if (!re) {
		const char *pat = (const char *)sqlite3_value_text(argv[0]);
		char msg[160];
		re = pat ? db_regex_compile(pat, msg, sizeof(msg)) : NULL;
		if (!re) {
			sqlite3_result_error(ctx, pat ? msg : "no pattern", -1);
			return;
		}
		sqlite3_set_auxdata(ctx, 0, re, re_free);
		re = sqlite3_get_auxdata(ctx, 0);
		if (!re) {
			sqlite3_result_error_nomem(ctx);
			return;
		}
	}
	const char *t = (const char *)sqlite3_value_text(argv[1]);
	if (!t) {
		sqlite3_result_int(ctx, 0);
		return;
	}
	size_t n = (size_t)sqlite3_value_bytes(argv[1]);
	sqlite3_result_int(ctx, pcre2_match(re->code, (PCRE2_SPTR)t, n, 0, 0, re->md, NULL) >= 0);
}

void *db_regex_compile(const char *pat, char *err, size_t errlen)
{
	uint32_t opt = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
	int upper = 0;
	for (const char *p = pat; *p; p++)
		if (*p >= 'A' && *p <= 'Z' && (p == pat || p[-1] != '\\'))
			upper = 1;
	if (!upper)
		opt |= PCRE2_CASELESS;
	int code;
	PCRE2_SIZE off;
	pcre2_code *c = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, opt,
				      &code, &off, NULL);
	if (!c) {
		PCRE2_UCHAR msg[120];
		pcre2_get_error_message(code, msg, sizeof(msg));
		snprintf(err, errlen, "bad pattern at %zu: %s", (size_t)off, (char *)msg);
		return NULL;
	}
	const char *nojit = getenv("STEPMARK_NO_JIT");
	if (!nojit || !*nojit)
		pcre2_jit_compile(c, PCRE2_JIT_COMPLETE);
	struct db_re *re = xmalloc(sizeof(*re));
	re->code = c;
	re->md = pcre2_match_data_create(1, NULL);
	re->pieces = (struct buf){0};
	dbi_words_pieces(pat, !upper, &re->pieces);
	return re;
}

void db_regex_free(void *p)
{
	struct db_re *re = p;
	if (!re)
		return;
	pcre2_match_data_free(re->md);
	pcre2_code_free(re->code);
	buf_free(&re->pieces);
	free(re);
}

int db_regex_match(void *p, const char *text, size_t n, size_t *at, size_t *len)
{
	struct db_re *re = p;
	int rc = pcre2_match(re->code, (PCRE2_SPTR)text, n, 0, 0, re->md, NULL);
	if (rc >= 0 && at) {
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(re->md);
		*at = ov[0];
		*len = ov[1] - ov[0];
	}
	return rc >= 0;
}

int db_regex_nowhere(struct db *db, void *p)
{
	struct db_re *re = p;
	return dbi_words_absent(db, re->pieces.data, re->pieces.len);
}
