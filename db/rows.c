/* rows.c - a row of the store read into the structs of item.h, and alternatives as JSON */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "dbi.h"
#include "../src/json.h"

/* PRM800K candidates as JSON; NULL when the step had no choice (one
 * completion, taken, nothing flagged): the step and its label say it all. */
const char *db_alts_json(struct buf *b, const struct alt *alts, size_t n, int chosen)
{
	if (n == 0 || (n == 1 && chosen == 0 && alts[0].flagged < 0 && !alts[0].human))
		return NULL;
	buf_reset(b);
	buf_putc(b, '[');
	for (size_t i = 0; i < n; i++) {
		const struct alt *a = &alts[i];
		buf_puts(b, i ? ",{\"text\":" : "{\"text\":");
		buf_json_str(b, a->text, strlen(a->text));
		if (a->rating != NO_RATING)
			buf_puts(b, a->rating > 0 ? ",\"rating\":1" : a->rating < 0 ? ",\"rating\":-1" : ",\"rating\":0");
		if (a->flagged >= 0)
			buf_puts(b, a->flagged ? ",\"flagged\":true" : ",\"flagged\":false");
		if (a->human)
			buf_puts(b, ",\"human\":true");
		buf_putc(b, '}');
	}
	buf_putc(b, ']');
	return b->data;
}

int dbi_alts_parse(struct arena *a, const char *json, struct alt **out,
		      size_t *n)
{
	*out = NULL;
	*n = 0;
	if (!json)
		return 0;
	const struct jnode *r = jparse(a, json, strlen(json));
	if (!r || r->type != J_ARR)
		return -1;
	struct alt *v = arena_alloc(a, (r->len + 1) * sizeof(*v));
	size_t i = 0;
	for (const struct jnode *c = r->child; c; c = c->next, i++) {
		const struct jnode *t = jget(c, "text"), *rt = jget(c, "rating");
		const struct jnode *f = jget(c, "flagged"), *h = jget(c, "human");
		long long x;
		v[i].text = t && t->type == J_STR ? t->str : "";
		v[i].rating = rt && jint(rt, &x) == 0 ? (int)x : NO_RATING;
		v[i].flagged = f && f->type == J_BOOL ? f->boolean : -1;
		v[i].human = h && h->type == J_BOOL && h->boolean;
	}
	*out = v;
	*n = i;
	return 0;
}

const char *const dbi_kind_names[] = {"rating", "first_error", "finish", "note", "ratings",
					 "alt_rating", "flag", "adjudication",
					 "correction", "category"};

/* the kinds whose value column holds something */
int dbi_valued(int kind)
{
	return kind == LK_RATING || kind == LK_FIRST_ERROR || kind == LK_ALT_RATING ||
	       kind == LK_FLAG || kind == LK_ADJUDICATION || kind == LK_CORRECTION ||
	       kind == LK_CATEGORY;
}

int dbi_label_value(const struct label *l)
{
	return l->kind == LK_ADJUDICATION ? l->fe : l->value;
}

const char *dbi_label_text(const struct label *l, char *buf, size_t n)
{
	if (l->kind != LK_ALT_RATING)
		return l->text;
	if (l->alt < 0)
		return NULL;
	snprintf(buf, n, "%d", l->alt);
	return buf;
}

void dbi_label_columns(struct label *l, int value, const char *text)
{
	int adj = l->kind == LK_ADJUDICATION, alt = l->kind == LK_ALT_RATING;
	l->value = adj ? NO_RATING : value;
	l->fe = adj ? value : NO_RATING;
	l->text = alt ? NULL : text;
	l->alt = -1;
	if (alt && text) {
		char *end;
		long v = strtol(text, &end, 10);
		l->alt = end != text && v >= 0 && v <= INT_MAX ? (int)v : -1;
	}
}

const char *dbi_adup(struct arena *a, sqlite3_stmt *s, int i)
{
	const char *t = col_text(s, i);
	return t ? arena_strndup(a, t, (size_t)sqlite3_column_bytes(s, i)) : NULL;
}

int dbi_kind_of(const char *k)
{
	for (size_t i = 0; i < ARRAY_SIZE(dbi_kind_names); i++)
		if (strcmp(k, dbi_kind_names[i]) == 0)
			return (int)i;
	return LK_NOTE;
}

void *dbi_grow(void *arr, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return arr;
	*cap = *cap ? 2 * *cap : 16;
	return xrealloc(arr, *cap * size);
}

int dbi_null_or(sqlite3_stmt *q, int i, int dflt)
{
	return sqlite3_column_type(q, i) == SQLITE_NULL ? dflt : sqlite3_column_int(q, i);
}

void dbi_load_solution(struct item *it, const char **dataset,
			  sqlite3_stmt *s, struct arena *a, int derived_col)
{
	memset(it, 0, sizeof(*it));
	*dataset = dbi_adup(a, s, 1);
	it->key = dbi_adup(a, s, 2);
	it->problem = dbi_adup(a, s, 3);
	it->gold = dbi_adup(a, s, 4);
	it->reference = dbi_adup(a, s, 5);
	it->generator = dbi_adup(a, s, 6);
	it->final_answer = dbi_adup(a, s, 7);
	it->correct = dbi_null_or(s, 8, -1);
	it->finish = dbi_adup(a, s, 9);
	it->meta = dbi_adup(a, s, 10);
	it->line = sqlite3_column_int64(s, 11);
	dbi_alts_parse(a, col_text(s, 12), &it->tail, &it->ntail);
	it->gold_derived = sqlite3_column_int(s, derived_col);
	it->reference_steps = dbi_adup(a, s, derived_col + 1);
	it->agreed.fe = -3;
}

/* the agreed label's columns from i on (export's solutions) */
void dbi_load_agreed(struct item *it, sqlite3_stmt *s, struct arena *a, int i)
{
	if (!sqlite3_column_int(s, i))
		return; /* never computed: -3 */
	it->agreed.fe = dbi_null_or(s, i + 1, -2);
	it->agreed.ratings = dbi_adup(a, s, i + 2);
	it->agreed.rule = dbi_adup(a, s, i + 3);
	it->agreed.by = dbi_adup(a, s, i + 4);
	it->agreed.policy = dbi_adup(a, s, i + 5);
	it->agreed.agent = dbi_adup(a, s, i + 6);
}

void dbi_load_step(struct step *st, sqlite3_stmt *q, struct arena *a)
{
	st->text = dbi_adup(a, q, 2);
	st->chosen = dbi_null_or(q, 3, -1);
	dbi_alts_parse(a, col_text(q, 4), &st->alts, &st->nalts);
	st->agent = dbi_adup(a, q, 5);
	st->role = dbi_adup(a, q, 6);
}

void dbi_load_label(struct label *l, sqlite3_stmt *q, struct arena *a)
{
	l->step = dbi_null_or(q, 1, -1);
	l->kind = dbi_kind_of(col_text(q, 2));
	dbi_label_columns(l, dbi_null_or(q, 3, NO_RATING), dbi_adup(a, q, 4));
	l->annotator = dbi_adup(a, q, 5);
	l->origin = dbi_adup(a, q, 6);
	l->at = dbi_adup(a, q, 7);
	l->agent = dbi_adup(a, q, 8);
}

void dbi_load_sug(struct suggestion *g, sqlite3_stmt *q, struct arena *a)
{
	g->step = dbi_null_or(q, 1, -1);
	g->source = dbi_adup(a, q, 2);
	g->model = dbi_adup(a, q, 3);
	g->origin = dbi_adup(a, q, 4);
	g->value = sqlite3_column_type(q, 5) == SQLITE_NULL ? NO_VALUE : sqlite3_column_double(q, 5);
	g->first_error = dbi_null_or(q, 6, -2);
	g->k = sqlite3_column_int(q, 7);
	g->n = sqlite3_column_int(q, 8);
	g->rationale = dbi_adup(a, q, 9);
	g->agent = dbi_adup(a, q, 10);
	g->job = sqlite3_column_int64(q, 11);   /* NULL: 0 */
	g->rollouts = dbi_adup(a, q, 12);
}
