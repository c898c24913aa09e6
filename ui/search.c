/* search.c - /pattern over the whole queue in the loop's idle time. The
 * walk follows the queue's filter and order a window of rows at a time,
 * matching each solution's problem and steps in C with the compiled
 * pattern, about 4 ms a pass: a key never waits for it. The status line
 * says how far it got; any key stops it; it wraps once, as vim's does;
 * a match is handed to the view on top (the queue selects the row, the
 * solution view opens it) and the status line says where it ended. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tui.h"
#include "../src/util.h"

#define PASS_MS 4.0
#define WINDOW 64

struct search {
	int dir;
	struct queue *walk;
	struct qpos pos, end; /* where the walk is; the row it started after */
	int wrapped;
	long visited, rows;
	double said;
};

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
	double t0 = mono_ms();
	struct qpos out[WINDOW];
	while (mono_ms() - t0 < PASS_MS) {
		int n = db_queue_step(s->walk, &s->pos, s->dir, WINDOW, out);
		if (n < 0) {
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
			int m = db_solution_grep(t->db, out[i].id, t->re);
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
