/* walk.c - the store's solutions with their labels and suggestions, read
 * a window of solutions at a time; the lists of names they are read for */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "dbi.h"

const char walk_blind_origin[] = "tui-blind";

/* The walk's statements are prepared for one walk and finalized after
 * it (a walk is rare; its statements would hold memory); the lists of
 * names run once each, as the table's own. A walk reads WALK_WINDOW
 * solutions, then their labels and suggestions by the solution indexes
 * (in solution order, the table's order within a solution: the newest
 * label counts), so its memory is the window's whatever the store's
 * size. Where the index holds a window's rows as a few runs of
 * consecutive ids (as imports write them), the walk reads those ranges
 * of the table instead (_IDS, then _RUN), and puts the rows in solution
 * order itself. */
enum stmt_id {
	S_WALK_SOL, S_WALK_LABEL, S_WALK_SUG, S_LABEL_IDS, S_LABEL_RUN, S_SUG_IDS, S_SUG_RUN,
	S_NAMES_RATERS, S_NAMES_DECIDERS, S_NAMES_SOURCES, S_NAMES_SOURCES_SEEN,
	S_NAMES_PRM, S_NAMES_DATASETS, S_NAMES_ASSIGNED, S_WALK_COUNT,
	S_SINCE_SOL, S_SINCE_LABEL, S_SINCE_SUG, S_SINCE_COUNT,
	S_TOUCH_MAKE, S_TOUCH_CLEAR, S_TOUCH_LABEL, S_TOUCH_SUG, S_TOUCH_SOL,
	S_COUNT
};

static const char *const stmt_sql[S_COUNT] = {
	[S_WALK_SOL] = "SELECT solution_id, dataset_id, nsteps, flags, agreed FROM summary "
		       "WHERE solution_id > ?1 ORDER BY solution_id LIMIT ?2",
	[S_WALK_COUNT] = "SELECT count(*) FROM summary",
	[S_WALK_LABEL] = "SELECT solution_id, coalesce(step_idx, -1), kind, value, text, "
			 "annotator, origin = 'tui-blind', agent, guidelines FROM label WHERE "
			 "solution_id BETWEEN ?1 AND ?2 AND kind IN ('rating', 'first_error', 'ratings', "
			 "'adjudication') ORDER BY solution_id, id",
	[S_WALK_SUG] = "SELECT solution_id, coalesce(step_idx, -1), source, model, value, "
		       "first_error, k, n, agent, job_id FROM suggestion "
		       "WHERE solution_id BETWEEN ?1 AND ?2 ORDER BY solution_id, id",
	[S_LABEL_IDS] = "SELECT id FROM label WHERE solution_id BETWEEN ?1 AND ?2 "
			"ORDER BY solution_id, id",
	[S_LABEL_RUN] = "SELECT solution_id, coalesce(step_idx, -1), kind, value, text, "
			"annotator, origin = 'tui-blind', agent, guidelines FROM label WHERE "
			"id BETWEEN ?1 AND ?2 AND kind IN ('rating', 'first_error', 'ratings', "
			"'adjudication') ORDER BY id",
	[S_SUG_IDS] = "SELECT id FROM suggestion WHERE solution_id BETWEEN ?1 AND ?2 "
		      "ORDER BY solution_id, id",
	[S_SUG_RUN] = "SELECT solution_id, coalesce(step_idx, -1), source, model, value, "
		      "first_error, k, n, agent, job_id FROM suggestion "
		      "WHERE id BETWEEN ?1 AND ?2 ORDER BY id",
	/* a walk since: the solutions touched, in temp.walk_touched */
	[S_SINCE_SOL] = "SELECT s.solution_id, s.dataset_id, s.nsteps, s.flags, s.agreed FROM "
			"temp.walk_touched t JOIN summary s ON s.solution_id = t.id "
			"WHERE t.id > ?1 ORDER BY t.id LIMIT ?2",
	[S_SINCE_COUNT] = "SELECT count(*) FROM temp.walk_touched",
	[S_TOUCH_MAKE] = "CREATE TEMP TABLE IF NOT EXISTS walk_touched (id INTEGER PRIMARY KEY)",
	[S_TOUCH_CLEAR] = "DELETE FROM temp.walk_touched",
	[S_TOUCH_LABEL] = "INSERT OR IGNORE INTO temp.walk_touched SELECT solution_id FROM label "
			  "WHERE id > ?1",
	[S_TOUCH_SUG] = "INSERT OR IGNORE INTO temp.walk_touched SELECT solution_id FROM "
			"suggestion WHERE id > ?1",
	[S_TOUCH_SOL] = "INSERT OR IGNORE INTO temp.walk_touched SELECT solution_id FROM summary "
			"WHERE solution_id > ?1",
	[S_SINCE_LABEL] = "SELECT solution_id, coalesce(step_idx, -1), kind, value, text, "
			  "annotator, origin = 'tui-blind', agent, guidelines FROM label WHERE "
			  "solution_id IN (SELECT id FROM temp.walk_touched WHERE id BETWEEN ?1 AND ?2) "
			  "AND kind IN ('rating', 'first_error', 'ratings', 'adjudication') "
			  "ORDER BY solution_id, id",
	[S_SINCE_SUG] = "SELECT solution_id, coalesce(step_idx, -1), source, model, value, "
			"first_error, k, n, agent, job_id FROM suggestion WHERE solution_id IN (SELECT id "
			"FROM temp.walk_touched WHERE id BETWEEN ?1 AND ?2) ORDER BY solution_id, id",
	[S_NAMES_RATERS] = "SELECT DISTINCT annotator FROM label WHERE kind IN ('rating', "
			   "'first_error', 'ratings') ORDER BY annotator",
	[S_NAMES_DECIDERS] = "SELECT DISTINCT annotator FROM label WHERE kind IN ('rating', "
			     "'first_error', 'ratings', 'adjudication')",
	[S_NAMES_SOURCES] = "SELECT DISTINCT source || coalesce('/' || model, '') FROM suggestion "
			    "ORDER BY 1",
	[S_NAMES_SOURCES_SEEN] = "SELECT DISTINCT source || coalesce('/' || model, '') FROM suggestion",
	[S_NAMES_PRM] = "SELECT DISTINCT source || coalesce('/' || model, '') FROM suggestion "
			"WHERE source = 'prm'",
	[S_NAMES_DATASETS] = "SELECT name FROM dataset ORDER BY name",
	[S_NAMES_ASSIGNED] = "SELECT DISTINCT annotator FROM assignment ORDER BY 1",
};

/* db_names's lists, in the order of enum db_names */
static const enum stmt_id names_stmt[DB_NAMES_N] = {
	[DB_NAMES_RATERS] = S_NAMES_RATERS,
	[DB_NAMES_DECIDERS] = S_NAMES_DECIDERS,
	[DB_NAMES_SOURCES] = S_NAMES_SOURCES,
	[DB_NAMES_SOURCES_SEEN] = S_NAMES_SOURCES_SEEN,
	[DB_NAMES_PRM] = S_NAMES_PRM,
	[DB_NAMES_DATASETS] = S_NAMES_DATASETS,
	[DB_NAMES_ASSIGNED] = S_NAMES_ASSIGNED,
};

int db_names(struct db *db, enum db_names which, struct names *ns)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db->h, stmt_sql[names_stmt[which]], -1, &s, NULL) != SQLITE_OK)
		return -1;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (sqlite3_column_text(s, 0))
			names_add(ns, (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

static const char *col(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

#define WALK_WINDOW 4096
#define ROW_MAX (sizeof(struct label) > sizeof(struct suggestion) ? sizeof(struct label) : \
		 sizeof(struct suggestion))

/* One window: its solutions, and their labels and suggestions in
 * solution order. The arrays are kept from window to window. */
struct window {
	struct walk_sol *sol;
	size_t nsol;
	struct label *l;
	int64_t *lsol;
	size_t nl, capl;
	struct suggestion *g;
	int64_t *gsol;
	size_t ng, capg;
	struct arena a;
	struct names versions; /* the guidelines' versions met (a few), the walk's */
	/* rows read by runs, put in solution order: where each goes */
	size_t *pos;
	unsigned char *tmp;
	int64_t *tmpsol;
	long *slot;
	size_t captmp;
};

static enum label_kind kind_of(const char *k)
{
	return k[0] == 'f' ? LK_FIRST_ERROR : k[0] == 'a' ? LK_ADJUDICATION :
	       k[6] == 's' ? LK_RATINGS : LK_RATING;
}

/* the index of name in ns, added when the walk reads every name; -1 */
static int name_of(struct names *ns, int every, const char *name)
{
	int i = names_index(ns, name);
	if (i < 0 && every && name) {
		names_add(ns, name);
		i = (int)ns->n - 1;
	}
	return i;
}

static void read_label(sqlite3_stmt *sl, const char *who, struct window *w, struct label *l)
{
	struct arena *a = &w->a;
	memset(l, 0, sizeof(*l));
	const char *text = col(sl, 4);
	l->kind = kind_of(col(sl, 2));
	l->step = sqlite3_column_int(sl, 1);
	/* the value (an adjudication's first error); the text below */
	dbi_label_columns(l, sqlite3_column_type(sl, 3) == SQLITE_NULL ? NO_RATING :
			  sqlite3_column_int(sl, 3), NULL);
	l->annotator = who;
	if (text && (l->kind == LK_RATINGS || l->kind == LK_ADJUDICATION))
		l->text = arena_strndup(a, text, strlen(text));
	else if (text && !strcmp(text, "filled"))
		l->text = "filled";
	if (sqlite3_column_int(sl, 6))
		l->origin = walk_blind_origin;
	if (col(sl, 7)) /* a trace's decisive error: the agent named */
		l->agent = arena_strndup(a, col(sl, 7), strlen(col(sl, 7)));
	if (col(sl, 8)) { /* the guidelines' version it was made under, kept once */
		int v = name_of(&w->versions, 1, col(sl, 8));
		l->guidelines = w->versions.v[v];
	}
}

static int read_labels(sqlite3_stmt *sl, struct names *anns, int every, struct window *w)
{
	int rc;
	while ((rc = sqlite3_step(sl)) == SQLITE_ROW) {
		int who = name_of(anns, every, col(sl, 5));
		if (who < 0)
			continue;
		if (w->nl == w->capl) {
			w->capl = w->capl ? w->capl * 2 : 4096;
			w->l = xrealloc(w->l, w->capl * sizeof(*w->l));
			w->lsol = xrealloc(w->lsol, w->capl * sizeof(*w->lsol));
		}
		w->lsol[w->nl] = sqlite3_column_int64(sl, 0);
		read_label(sl, anns->v[who], w, &w->l[w->nl++]);
	}
	sqlite3_reset(sl);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* A suggestion's key, "source" or "source/model", as an index into
 * srcs (-1: not read): the pairs met so far, looked up by their parts
 * (a store has a few sources, and a row would otherwise build its key) */
struct keyseen {
	char *src, *model; /* model NULL when the row has none */
	int j;
};
struct keycache {
	struct keyseen *v;
	size_t n;
	struct buf key;
};

static int key_of(struct keycache *kc, struct names *srcs, int every, const char *src,
		  const char *model)
{
	if (!src)
		return -1;
	for (size_t i = 0; i < kc->n; i++) {
		const struct keyseen *e = &kc->v[i];
		if (!strcmp(e->src, src) && (e->model ? model && !strcmp(e->model, model) : !model))
			return e->j;
	}
	buf_reset(&kc->key);
	buf_printf(&kc->key, model ? "%s/%s" : "%s", src, model);
	kc->v = xrealloc(kc->v, (kc->n + 1) * sizeof(*kc->v));
	struct keyseen *e = &kc->v[kc->n++];
	e->src = xstrdup(src);
	e->model = model ? xstrdup(model) : NULL;
	return e->j = name_of(srcs, every, kc->key.data);
}

static void keycache_free(struct keycache *kc)
{
	for (size_t i = 0; i < kc->n; i++) {
		free(kc->v[i].src);
		free(kc->v[i].model);
	}
	free(kc->v);
	buf_free(&kc->key);
}

static int read_sugs(sqlite3_stmt *sg, struct names *srcs, int every, struct keycache *kc,
		     struct window *w)
{
	int rc;
	while ((rc = sqlite3_step(sg)) == SQLITE_ROW) {
		int j = key_of(kc, srcs, every, col(sg, 2), col(sg, 3));
		if (j < 0)
			continue;
		if (w->ng == w->capg) {
			w->capg = w->capg ? w->capg * 2 : 4096;
			w->g = xrealloc(w->g, w->capg * sizeof(*w->g));
			w->gsol = xrealloc(w->gsol, w->capg * sizeof(*w->gsol));
		}
		struct suggestion *x = &w->g[w->ng];
		memset(x, 0, sizeof(*x));
		w->gsol[w->ng++] = sqlite3_column_int64(sg, 0);
		x->step = sqlite3_column_int(sg, 1);
		x->source = srcs->v[j]; /* the whole key: the model is in it */
		x->value = sqlite3_column_type(sg, 4) == SQLITE_NULL ? NO_VALUE :
			   sqlite3_column_double(sg, 4);
		x->first_error = sqlite3_column_type(sg, 5) == SQLITE_NULL ? -2 :
				 sqlite3_column_int(sg, 5);
		x->k = sqlite3_column_int(sg, 6);
		x->n = sqlite3_column_int(sg, 7);
		x->job = sqlite3_column_int64(sg, 9);
		if (col(sg, 8))
			x->agent = arena_strndup(&w->a, col(sg, 8), strlen(col(sg, 8)));
	}
	sqlite3_reset(sg);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The next window's solutions after id `after`: how many, or -1. */
static long read_sols(sqlite3_stmt *ss, int64_t after, struct window *w)
{
	int rc;
	w->nsol = 0;
	sqlite3_bind_int64(ss, 1, after);
	sqlite3_bind_int(ss, 2, WALK_WINDOW);
	while ((rc = sqlite3_step(ss)) == SQLITE_ROW) {
		struct walk_sol *s = &w->sol[w->nsol++];
		memset(s, 0, sizeof(*s));
		s->id = sqlite3_column_int64(ss, 0);
		s->dataset_id = sqlite3_column_int64(ss, 1);
		s->it.nsteps = (size_t)sqlite3_column_int(ss, 2);
		s->flags = (unsigned)sqlite3_column_int(ss, 3);
		s->it.trace = (s->flags & SF_TRACE) != 0;
		s->agreed = sqlite3_column_int(ss, 4);
	}
	sqlite3_reset(ss);
	return rc == SQLITE_DONE ? (long)w->nsol : -1;
}

/* One statement of the table, run once: 0, or -1. */
static int run_once(struct db *db, enum stmt_id id, int64_t param, int64_t *count)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(db->h, stmt_sql[id], -1, &s, NULL);
	if (rc == SQLITE_OK && sqlite3_bind_parameter_count(s))
		sqlite3_bind_int64(s, 1, param);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && count)
		*count = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/* The solutions a walk since t reads, into temp.walk_touched: those
 * with newer labels or suggestions, and new ones. */
static int touch(struct db *db, const struct walk_since *t)
{
	return run_once(db, S_TOUCH_MAKE, 0, NULL) < 0 || run_once(db, S_TOUCH_CLEAR, 0, NULL) < 0 ||
	       run_once(db, S_TOUCH_LABEL, t->label, NULL) < 0 ||
	       run_once(db, S_TOUCH_SUG, t->sug, NULL) < 0 ||
	       run_once(db, S_TOUCH_SOL, t->sol, NULL) < 0 ? -1 : 0;
}

struct walker {
	struct db *db;
	sqlite3_stmt *ss, *sl, *sg;
	sqlite3_stmt *ids[2], *run[2]; /* labels', suggestions'; NULL: by the index */
	struct names *anns, *srcs;
	unsigned every;
	struct keycache kc;
	walk_window_fn win;
	walk_fn fn;
	void *arg;
	int64_t done, total;
};

/* Hands the window's solutions to fn, each with its rows: 0 to go on. */
static int deal(struct walker *k, struct window *w)
{
	size_t li = 0, gi = 0;
	for (size_t i = 0; i < w->nsol; i++) {
		struct walk_sol *s = &w->sol[i];
		while (li < w->nl && w->lsol[li] < s->id)
			li++;
		s->it.labels = w->l + li;
		while (li < w->nl && w->lsol[li] == s->id)
			li++;
		s->it.nlabels = (size_t)(w->l + li - s->it.labels);
		while (gi < w->ng && w->gsol[gi] < s->id)
			gi++;
		s->it.sugs = w->g + gi;
		while (gi < w->ng && w->gsol[gi] == s->id)
			gi++;
		s->it.nsugs = (size_t)(w->g + gi - s->it.sugs);
		int stop = k->fn(k->arg, s);
		if (stop)
			return stop;
		if (dbi_progress(k->db, ++k->done, k->total))
			return -1;
	}
	return 0;
}

/* The runs of consecutive ids that hold a window's rows of a table (ids
 * from its solution index, each run exactly its ids), in id order: how
 * many, 0 when more than MAX_RUNS (read by the index then), -1. */
#define MAX_RUNS 16
struct idrun {
	int64_t a, b;
};

static int find_runs(sqlite3_stmt *s, int64_t lo, int64_t hi, struct idrun *r)
{
	int n = 0, rc;
	sqlite3_bind_int64(s, 1, lo);
	sqlite3_bind_int64(s, 2, hi);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0);
		int k = n - 1; /* the run extended last, most often */
		while (k >= 0 && r[k].b + 1 != id)
			k--;
		if (k >= 0) {
			r[k].b = id;
			continue;
		}
		if (n == MAX_RUNS) {
			n = 0;
			rc = SQLITE_DONE;
			break;
		}
		r[n].a = r[n].b = id;
		n++;
	}
	sqlite3_reset(s);
	for (int i = 1; i < n; i++) /* by their first id */
		for (int j = i; j > 0 && r[j - 1].a > r[j].a; j--) {
			struct idrun t = r[j];
			r[j] = r[j - 1];
			r[j - 1] = t;
		}
	return rc == SQLITE_DONE ? n : -1;
}

/* The index of solution id in the window, -1 when it is not there; the
 * search starts at *at, where the last one ended (a run's rows come in
 * solution order) */
static long sol_index(const struct window *w, int64_t id, size_t *at)
{
	size_t lo = 0, hi = w->nsol;
	if (*at < w->nsol && w->sol[*at].id <= id) { /* ahead: a few steps, most often none */
		lo = *at;
		size_t step = 1;
		while (lo + step < w->nsol && w->sol[lo + step].id <= id) {
			lo += step;
			step *= 2;
		}
		hi = lo + step < w->nsol ? lo + step : w->nsol;
	}
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (w->sol[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	*at = lo;
	return lo < w->nsol && w->sol[lo].id == id ? (long)lo : -1;
}

/* The n rows (each sz bytes, their solutions in sol), read run after
 * run in id order, put in solution order (a solution's in id order
 * still); rows of solutions not in the window dropped. How many are
 * left. */
static size_t by_solution(struct window *w, unsigned char *rows, int64_t *sol, size_t n,
			  size_t sz)
{
	if (w->captmp < n) {
		w->captmp = n * 2;
		w->tmp = xrealloc(w->tmp, w->captmp * ROW_MAX);
		w->tmpsol = xrealloc(w->tmpsol, w->captmp * sizeof(*w->tmpsol));
		w->slot = xrealloc(w->slot, w->captmp * sizeof(*w->slot));
	}
	memset(w->pos, 0, (w->nsol + 1) * sizeof(*w->pos));
	size_t at = 0;
	for (size_t i = 0; i < n; i++) {
		w->slot[i] = sol_index(w, sol[i], &at);
		if (w->slot[i] >= 0)
			w->pos[w->slot[i] + 1]++;
	}
	for (size_t j = 0; j < w->nsol; j++)
		w->pos[j + 1] += w->pos[j];
	size_t kept = w->pos[w->nsol];
	for (size_t i = 0; i < n; i++) {
		if (w->slot[i] < 0)
			continue;
		size_t to = w->pos[w->slot[i]]++;
		memcpy(w->tmp + to * sz, rows + i * sz, sz);
		w->tmpsol[to] = sol[i];
	}
	if (kept) { /* none kept: tmp may not be there yet */
		memcpy(rows, w->tmp, kept * sz);
		memcpy(sol, w->tmpsol, kept * sizeof(*sol));
	}
	return kept;
}

/* A window's rows of table t (0 labels, 1 suggestions), after those read
 * already: by the runs of ids where there are few, else by the index.
 * 0, or -1. */
static int read_table(struct walker *k, struct window *w, int t, int64_t lo, int64_t hi)
{
	struct idrun r[MAX_RUNS];
	int nr = k->ids[t] ? find_runs(k->ids[t], lo, hi, r) : 0;
	if (nr < 0)
		return -1;
	sqlite3_stmt *s = t ? k->sg : k->sl;
	for (int i = 0; i < (nr ? nr : 1); i++) {
		if (nr)
			s = k->run[t];
		sqlite3_bind_int64(s, 1, nr ? r[i].a : lo);
		sqlite3_bind_int64(s, 2, nr ? r[i].b : hi);
		if ((t ? read_sugs(s, k->srcs, k->every & WALK_EVERY_SOURCE, &k->kc, w) :
		     read_labels(s, k->anns, k->every & WALK_EVERY_ANNOTATOR, w)) < 0)
			return -1;
	}
	/* one run is in solution order already: its ids came in that order */
	if (nr > 1 && t)
		w->ng = by_solution(w, (unsigned char *)w->g, w->gsol, w->ng, sizeof(*w->g));
	else if (nr > 1)
		w->nl = by_solution(w, (unsigned char *)w->l, w->lsol, w->nl, sizeof(*w->l));
	return 0;
}

static int one_window(struct walker *k, struct window *w)
{
	int64_t lo = w->sol[0].id, hi = w->sol[w->nsol - 1].id;
	arena_reset(&w->a);
	w->nl = w->ng = 0;
	if (read_table(k, w, 0, lo, hi) < 0 || read_table(k, w, 1, lo, hi) < 0)
		return -1;
	int stop = k->win ? k->win(k->arg, lo, hi) : 0;
	return stop ? stop : deal(k, w);
}

/* the statements of the reads by runs (a whole walk's): 0, or -1 */
static int prepare_runs(struct db *db, struct walker *k)
{
	static const enum stmt_id ids[2] = {S_LABEL_IDS, S_SUG_IDS}, run[2] = {S_LABEL_RUN, S_SUG_RUN};
	for (int t = 0; t < 2; t++)
		if (sqlite3_prepare_v2(db->h, stmt_sql[ids[t]], -1, &k->ids[t], NULL) != SQLITE_OK ||
		    sqlite3_prepare_v2(db->h, stmt_sql[run[t]], -1, &k->run[t], NULL) != SQLITE_OK)
			return -1;
	return 0;
}

int db_walk_with(struct db *db, const struct walk_opts *o)
{
	struct walker k = {.db = db, .anns = o->anns, .srcs = o->srcs, .every = o->every,
			   .win = o->win, .fn = o->fn, .arg = o->arg};
	struct window w = {0};
	int rc = -1, since = o->since != NULL;
	if ((since && touch(db, o->since) < 0) ||
	    sqlite3_prepare_v2(db->h, stmt_sql[since ? S_SINCE_SOL : S_WALK_SOL], -1, &k.ss,
			       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db->h, stmt_sql[since ? S_SINCE_LABEL : S_WALK_LABEL], -1, &k.sl,
			       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db->h, stmt_sql[since ? S_SINCE_SUG : S_WALK_SUG], -1, &k.sg,
			       NULL) != SQLITE_OK ||
	    (!since && prepare_runs(db, &k) < 0) ||
	    (db->progress && run_once(db, since ? S_SINCE_COUNT : S_WALK_COUNT, 0, &k.total) < 0))
		goto out;
	w.sol = xmalloc(WALK_WINDOW * sizeof(*w.sol));
	w.pos = xmalloc((WALK_WINDOW + 1) * sizeof(*w.pos));
	int64_t after = INT64_MIN;
	long n = 0;
	rc = 0;
	while (!rc && (n = read_sols(k.ss, after, &w)) > 0) {
		after = w.sol[n - 1].id;
		rc = one_window(&k, &w);
	}
	if (!rc && n < 0)
		rc = -1;
out:
	free(w.sol);
	free(w.l);
	free(w.lsol);
	free(w.g);
	free(w.gsol);
	free(w.pos);
	free(w.tmp);
	free(w.tmpsol);
	free(w.slot);
	arena_free(&w.a);
	names_free(&w.versions);
	keycache_free(&k.kc);
	sqlite3_finalize(k.ss);
	sqlite3_finalize(k.sl);
	sqlite3_finalize(k.sg);
	for (int t = 0; t < 2; t++) {
		sqlite3_finalize(k.ids[t]);
		sqlite3_finalize(k.run[t]);
	}
	return rc;
}

int db_walk(struct db *db, const struct names *anns, const struct names *srcs, walk_fn fn,
	    void *arg)
{
	/* the names are only read: every is 0 */
	struct walk_opts o = {.anns = (struct names *)anns, .srcs = (struct names *)srcs, .fn = fn,
			      .arg = arg};
	return db_walk_with(db, &o);
}
