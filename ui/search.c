/* search.c - /pattern over the whole queue in the loop's idle time. The
 * walk follows the queue's filter and order a window of rows at a time,
 * matching each solution's problem and steps in C with the compiled
 * pattern (a window of close ids in two scans), about 4 ms a pass: a key
 * never waits for it. What each recent pattern matched is remembered by
 * solution, so no solution is searched twice for one pattern. The status line
 * says how far it got; any key stops it; it wraps once, as vim's does;
 * a match is handed to the view on top (the queue selects the row, the
 * solution view opens it) and the status line says where it ended. A
 * pattern with a plain word the store's words (db/words.c) lack ends at
 * once: no text holds it. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tui.h"
#include "../src/util.h"

#define PASS_MS 4.0
#define WINDOW 64
#define DENSE (4 * WINDOW) /* a window's ids this close: searched as a range */
#define MEMOS 8

/* What a pattern matched, by solution id. A solution's texts never change
 * (an import adds solutions, it never rewrites one), so a solution
 * searched once for a pattern is not searched again for it: a search
 * repeated, or moved on with n, costs the rows it walks, and a pattern
 * that matches nothing anywhere says so at once. */
struct memo {
	char *pattern;
	uint8_t *seen, *hit;  /* a bit per solution id */
	int64_t nbits;
	int64_t whole;        /* every id up to here is seen */
	long hits;
	unsigned long used;   /* the least recently used makes room */
	int64_t words_upto;   /* the store's words were asked up to this id */
	int words_none;       /* and said no text up to there can match */
};

struct memos {
	struct memo m[MEMOS];
	unsigned long clock;
};

struct search {
	int dir;
	struct queue *walk;
	struct qpos pos, end; /* where the walk is; the row it started after */
	int wrapped;
	long visited, rows;
	double said;
	struct memo *memo;
};

static int bit(const uint8_t *b, int64_t nbits, int64_t id)
{
	return id > 0 && id <= nbits && (b[(id - 1) >> 3] >> ((id - 1) & 7) & 1);
}

static void memo_grow(struct memo *m, int64_t id)
{
	if (id <= m->nbits)
		return;
	int64_t n = m->nbits ? m->nbits : 4096;
	while (n < id)
		n *= 2;
	size_t old = (size_t)(m->nbits + 7) / 8, bytes = (size_t)(n + 7) / 8;
	m->seen = xrealloc(m->seen, bytes);
	m->hit = xrealloc(m->hit, bytes);
	memset(m->seen + old, 0, bytes - old);
	memset(m->hit + old, 0, bytes - old);
	m->nbits = n;
}

static void memo_set(struct memo *m, int64_t id, int matched)
{
	if (id <= 0)
		return;
	memo_grow(m, id);
	uint8_t b = (uint8_t)(1u << ((id - 1) & 7));
	m->seen[(id - 1) >> 3] |= b;
	if (matched && !(m->hit[(id - 1) >> 3] & b)) {
		m->hit[(id - 1) >> 3] |= b;
		m->hits++;
	}
}

/* -1: not searched yet; 0 or 1 */
static int memo_get(const struct memo *m, int64_t id)
{
	if (!bit(m->seen, m->nbits, id))
		return -1;
	return bit(m->hit, m->nbits, id);
}

/* db_solutions_grep's callbacks: a solution decided already, or a match */
static int memo_known(void *arg, int64_t id)
{
	const struct memo *m = arg;
	return bit(m->seen, m->nbits, id) || bit(m->hit, m->nbits, id);
}

static void memo_hit(void *arg, int64_t id)
{
	struct memo *m = arg;
	memo_grow(m, id);
	uint8_t b = (uint8_t)(1u << ((id - 1) & 7));
	if (!(m->hit[(id - 1) >> 3] & b)) {
		m->hit[(id - 1) >> 3] |= b;
		m->hits++;
	}
}

/* the pattern's memo, a new one replacing the least recently used */
static struct memo *memo_for(struct tui *t, const char *pattern)
{
	if (!t->memos)
		t->memos = xcalloc(1, sizeof(*t->memos));
	struct memos *ms = t->memos;
	struct memo *m = NULL, *old = &ms->m[0];
	for (int i = 0; i < MEMOS && !m; i++) {
		if (ms->m[i].pattern && !strcmp(ms->m[i].pattern, pattern))
			m = &ms->m[i];
		else if (ms->m[i].used < old->used)
			old = &ms->m[i];
	}
	if (!m) {
		m = old;
		free(m->pattern);
		free(m->seen);
		free(m->hit);
		*m = (struct memo){.pattern = xstrdup(pattern)};
	}
	m->used = ++ms->clock;
	return m;
}

void search_forget(struct tui *t)
{
	if (!t->memos)
		return;
	for (int i = 0; i < MEMOS; i++) {
		free(t->memos->m[i].pattern);
		free(t->memos->m[i].seen);
		free(t->memos->m[i].hit);
	}
	free(t->memos);
	t->memos = NULL;
}

/* 1 when the pattern matched nothing in any solution of the store: the
 * store's words say so (a word of the pattern is in none), or every
 * solution was searched */
static int memo_nowhere(struct tui *t, struct memo *m, int64_t max_id)
{
	if (m->hits)
		return 0;
	if (m->words_upto < max_id) {
		m->words_none = db_regex_nowhere(t->db, t->re) == 1;
		m->words_upto = max_id;
	}
	if (m->words_none)
		return 1;
	while (m->whole < max_id && bit(m->seen, m->nbits, m->whole + 1))
		m->whole++;
	return m->whole >= max_id;
}

/* The window's solutions not searched yet, searched at once: where their
 * ids are close (the walk in id order, and most orders over a fresh
 * store), two scans of their range (the ids between remembered too);
 * else (a filter that keeps few) two statements over the list of them,
 * not two per solution. 0, -1 on a store error. */
static int memo_fill(struct tui *t, struct memo *m, const struct qpos *rows, int n)
{
	int64_t lo = INT64_MAX, hi = 0, ids[WINDOW];
	size_t nids = 0;
	for (int i = 0; i < n && i < WINDOW; i++) {
		if (memo_get(m, rows[i].id) >= 0 || rows[i].id <= 0)
			continue;
		lo = rows[i].id < lo ? rows[i].id : lo;
		hi = rows[i].id > hi ? rows[i].id : hi;
		ids[nids++] = rows[i].id;
	}
	if (!nids)
		return 0;
	memo_grow(m, hi);
	if (hi - lo < DENSE) {
		if (db_solutions_grep(t->db, lo, hi, t->re, memo_known, memo_hit, m) < 0)
			return -1;
		for (int64_t id = lo; id <= hi; id++)
			memo_set(m, id, 0);
		return 0;
	}
	if (db_solutions_grep_ids(t->db, ids, nids, t->re, memo_known, memo_hit, m) < 0)
		return -1;
	for (size_t i = 0; i < nids; i++)
		memo_set(m, ids[i], 0);
	return 0;
}

static void search_free(struct tui *t)
{
	struct search *s = t->search;
	if (!s)
		return;
	db_queue_close(s->walk);
	free(s);
	t->search = NULL;
}

void search_cancel(struct tui *t)
{
	if (!t->search)
		return;
	search_free(t);
	tui_message(t, 0, "search stopped");
}

void search_begin(struct tui *t, int64_t from, int dir)
{
	search_free(t);
	struct search *s = xcalloc(1, sizeof(*s));
	s->dir = dir;
	s->walk = qmodel_walk(t->queue, from, &s->pos, &s->rows);
	s->end = s->pos;
	s->memo = memo_for(t, t->pattern ? t->pattern : "");
	t->search = s;
	s->said = mono_ms();
	/* the first pass too runs between keys: the key that started it is done */
	tui_message(t, 0, "searching /%s...", inert(t->pattern, 0));
}

static void progress(struct tui *t, struct search *s)
{
	double now = mono_ms();
	if (now - s->said < 100)
		return;
	s->said = now;
	long pct = s->rows > 0 ? 100 * s->visited / s->rows : 0;
	tui_message(t, 0, "searching /%s... %ld %%%s (any key stops it)", inert(t->pattern, 0),
		    pct > 99 ? 99 : pct, s->wrapped ? ", wrapped" : "");
}

/* past the row the walk started after: the whole queue was seen */
static int passed_start(const struct search *s, const struct qpos *p)
{
	if (!s->wrapped)
		return 0;
	int c = p->key != s->end.key ? (p->key > s->end.key ? 1 : -1) :
		p->id != s->end.id ? (p->id > s->end.id ? 1 : -1) : 0;
	return s->dir > 0 ? c > 0 : c < 0;
}

static void finish(struct tui *t, int64_t found)
{
	struct search *s = t->search;
	int wrapped = s->wrapped, dir = s->dir;
	search_free(t);
	struct view *v = t->stack[t->depth - 1];
	if (!found) {
		tui_message(t, 1, "no match for %s", inert(t->pattern, 0));
	} else {
		/* the search has ended: the status line says where */
		if (v->ops->found)
			v->ops->found(v, found);
		if (wrapped)
			tui_message(t, 0, dir > 0 ? "search hit BOTTOM, continuing at TOP" :
				    "search hit TOP, continuing at BOTTOM");
		else
			tui_message(t, 0, "%s%s: found in solution %lld", dir > 0 ? "/" : "?",
				    inert(t->pattern, 0), (long long)found);
	}
	t->dirty = 1;
}

int search_idle(struct tui *t)
{
	struct search *s = t->search;
	if (!s)
		return 0;
	if (!t->re) {
		search_free(t);
		return 0;
	}
	if (memo_nowhere(t, s->memo, db_max_solution(t->db))) {
		finish(t, 0);
		return 0;
	}
	double t0 = mono_ms();
	struct qpos out[WINDOW];
	while (mono_ms() - t0 < PASS_MS) {
		int n = db_queue_step(s->walk, &s->pos, s->dir, WINDOW, out);
		if (n < 0 || memo_fill(t, s->memo, out, n) < 0) {
			search_free(t);
			tui_message(t, 1, "search: store error: %s", db_errmsg(t->db));
			return 0;
		}
		for (int i = 0; i < n; i++) {
			if (passed_start(s, &out[i])) {
				finish(t, 0);
				return 0;
			}
			s->visited++;
			s->pos = out[i];
			int m = memo_get(s->memo, out[i].id);
			if (m < 0 && (m = db_solution_grep(t->db, out[i].id, t->re)) >= 0)
				memo_set(s->memo, out[i].id, m);
			if (m != 0) {
				finish(t, m > 0 ? out[i].id : 0);
				return 0;
			}
			if (mono_ms() - t0 >= PASS_MS)
				break;
		}
		if (n < WINDOW && (n == 0 || s->pos.id == out[n - 1].id)) {
			if (s->wrapped) { /* both ends seen */
				finish(t, 0);
				return 0;
			}
			s->wrapped = 1; /* on from the other end */
			s->pos = s->dir > 0 ? (struct qpos){-1, 0} :
				 (struct qpos){INT64_MAX, INT64_MAX};
		}
	}
	progress(t, s);
	return 1;
}
