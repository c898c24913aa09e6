/* walk.c - the store's solutions with their labels and suggestions, read
 * as three table scans merged by solution; the lists of names they are
 * read for */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "dbi.h"

const char walk_blind_origin[] = "tui-blind";

/* The walk's statements are prepared for one walk and finalized after
 * it (a walk is rare; its statements would hold memory); the lists of
 * names run once each, as the table's own. */
enum stmt_id {
	S_WALK_SOL, S_WALK_LABEL, S_WALK_SUG,
	S_NAMES_RATERS, S_NAMES_DECIDERS, S_NAMES_SOURCES, S_NAMES_SOURCES_SEEN,
	S_NAMES_PRM, S_NAMES_DATASETS, S_NAMES_ASSIGNED, S_WALK_COUNT,
	S_COUNT
};

static const char *const stmt_sql[S_COUNT] = {
	[S_WALK_SOL] = "SELECT solution_id, dataset_id, nsteps, flags FROM summary "
		       "ORDER BY solution_id",
	[S_WALK_COUNT] = "SELECT count(*) FROM summary",
	[S_WALK_LABEL] = "SELECT solution_id, coalesce(step_idx, -1), kind, value, text, "
			 "annotator, origin = 'tui-blind', agent FROM label WHERE kind IN ('rating', "
			 "'first_error', 'ratings', 'adjudication') ORDER BY id",
	[S_WALK_SUG] = "SELECT solution_id, coalesce(step_idx, -1), source || "
		       "coalesce('/' || model, ''), value, first_error, k, n, agent FROM suggestion "
		       "ORDER BY id",
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

/* rows of the label and suggestion tables, read whole (a table scan in
 * rowid order is several times faster than walking an index), then put
 * in solution order, the table's order kept within a solution (the
 * newest label counts) */
struct lrow {
	int64_t sol;
	size_t ord;
	struct label l;
};

struct grow {
	int64_t sol;
	size_t ord;
	struct suggestion g;
};

static int by_sol_l(const void *x, const void *y)
{
	const struct lrow *a = x, *b = y;
	return a->sol != b->sol ? (a->sol > b->sol) - (a->sol < b->sol) :
				  (a->ord > b->ord) - (a->ord < b->ord);
}

static int by_sol_g(const void *x, const void *y)
{
	const struct grow *a = x, *b = y;
	return a->sol != b->sol ? (a->sol > b->sol) - (a->sol < b->sol) :
				  (a->ord > b->ord) - (a->ord < b->ord);
}

static enum label_kind kind_of(const char *k)
{
	return k[0] == 'f' ? LK_FIRST_ERROR : k[0] == 'a' ? LK_ADJUDICATION :
	       k[6] == 's' ? LK_RATINGS : LK_RATING;
}

static int read_labels(sqlite3_stmt *sl, const struct names *anns, struct arena *a,
		       struct lrow **out, size_t *nout)
{
	struct lrow *lr = NULL;
	size_t nl = 0, capl = 0;
	int rc;
	while ((rc = sqlite3_step(sl)) == SQLITE_ROW) {
		int who = names_index(anns, col(sl, 5));
		if (who < 0)
			continue;
		if (nl == capl) {
			capl = capl ? capl * 2 : 4096;
			lr = xrealloc(lr, capl * sizeof(*lr));
		}
		struct lrow *x = &lr[nl];
		memset(x, 0, sizeof(*x));
		x->sol = sqlite3_column_int64(sl, 0);
		x->ord = nl;
		const char *text = col(sl, 4);
		x->l.kind = kind_of(col(sl, 2));
		x->l.step = sqlite3_column_int(sl, 1);
		/* the value (an adjudication's first error); the text below */
		dbi_label_columns(&x->l, sqlite3_column_type(sl, 3) == SQLITE_NULL ? NO_RATING :
					 sqlite3_column_int(sl, 3), NULL);
		x->l.annotator = anns->v[who];
		if (text && (x->l.kind == LK_RATINGS || x->l.kind == LK_ADJUDICATION))
			x->l.text = arena_strndup(a, text, strlen(text));
		else if (text && !strcmp(text, "filled"))
			x->l.text = "filled";
		if (sqlite3_column_int(sl, 6))
			x->l.origin = walk_blind_origin;
		if (col(sl, 7)) /* a trace's decisive error: the agent named */
			x->l.agent = arena_strndup(a, col(sl, 7), strlen(col(sl, 7)));
		nl++;
	}
	*out = lr;
	*nout = nl;
	return rc == SQLITE_DONE ? 0 : -1;
}

static int read_sugs(sqlite3_stmt *sg, const struct names *srcs, struct arena *a,
		     struct grow **out, size_t *nout)
{
	struct grow *gr = NULL;
	size_t ng = 0, capg = 0;
	int rc;
	while ((rc = sqlite3_step(sg)) == SQLITE_ROW) {
		int j = names_index(srcs, col(sg, 2));
		if (j < 0)
			continue;
		if (ng == capg) {
			capg = capg ? capg * 2 : 4096;
			gr = xrealloc(gr, capg * sizeof(*gr));
		}
		struct grow *x = &gr[ng];
		memset(x, 0, sizeof(*x));
		x->sol = sqlite3_column_int64(sg, 0);
		x->ord = ng++;
		x->g.step = sqlite3_column_int(sg, 1);
		x->g.source = srcs->v[j]; /* the whole key: the model is in it */
		x->g.value = sqlite3_column_type(sg, 3) == SQLITE_NULL ? NO_VALUE :
			     sqlite3_column_double(sg, 3);
		x->g.first_error = sqlite3_column_type(sg, 4) == SQLITE_NULL ? -2 :
				   sqlite3_column_int(sg, 4);
		x->g.k = sqlite3_column_int(sg, 5);
		x->g.n = sqlite3_column_int(sg, 6);
		if (col(sg, 7))
			x->g.agent = arena_strndup(a, col(sg, 7), strlen(col(sg, 7)));
	}
	*out = gr;
	*nout = ng;
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The solutions a walk reads, for its progress. */
static int64_t walk_count(struct db *db)
{
	sqlite3_stmt *s = NULL;
	int64_t n = 0;
	if (sqlite3_prepare_v2(db->h, stmt_sql[S_WALK_COUNT], -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

int db_walk(struct db *db, const struct names *anns, const struct names *srcs, walk_fn fn,
	    void *arg)
{
	sqlite3_stmt *ss = NULL, *sl = NULL, *sg = NULL;
	struct arena a = {0};
	struct lrow *lr = NULL;
	struct grow *gr = NULL;
	size_t nl = 0, ng = 0;
	int rc = -1;
	if (sqlite3_prepare_v2(db->h, stmt_sql[S_WALK_SOL], -1, &ss, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db->h, stmt_sql[S_WALK_LABEL], -1, &sl, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db->h, stmt_sql[S_WALK_SUG], -1, &sg, NULL) != SQLITE_OK ||
	    read_labels(sl, anns, &a, &lr, &nl) < 0 || read_sugs(sg, srcs, &a, &gr, &ng) < 0)
		goto out;
	if (nl) /* qsort's array may not be NULL, even empty */
		qsort(lr, nl, sizeof(*lr), by_sol_l);
	if (ng)
		qsort(gr, ng, sizeof(*gr), by_sol_g);
	struct walk_sol s = {0};
	size_t li = 0, gi = 0, caplab = 0, capsug = 0;
	int64_t done = 0, total = db->progress ? walk_count(db) : 0;
	int st = SQLITE_DONE, stop = 0;
	while (!stop && (st = sqlite3_step(ss)) == SQLITE_ROW) {
		s.id = sqlite3_column_int64(ss, 0);
		s.dataset_id = sqlite3_column_int64(ss, 1);
		s.it.nsteps = (size_t)sqlite3_column_int(ss, 2);
		s.flags = (unsigned)sqlite3_column_int(ss, 3);
		s.it.trace = (s.flags & SF_TRACE) != 0;
		while (li < nl && lr[li].sol < s.id)
			li++;
		size_t l0 = li;
		while (li < nl && lr[li].sol == s.id)
			li++;
		while (gi < ng && gr[gi].sol < s.id)
			gi++;
		size_t g0 = gi;
		while (gi < ng && gr[gi].sol == s.id)
			gi++;
		if (li - l0 > caplab) {
			caplab = li - l0;
			s.it.labels = xrealloc(s.it.labels, caplab * sizeof(*s.it.labels));
		}
		if (gi - g0 > capsug) {
			capsug = gi - g0;
			s.it.sugs = xrealloc(s.it.sugs, capsug * sizeof(*s.it.sugs));
		}
		s.it.nlabels = s.it.nsugs = 0;
		for (size_t k = l0; k < li; k++)
			s.it.labels[s.it.nlabels++] = lr[k].l;
		for (size_t k = g0; k < gi; k++)
			s.it.sugs[s.it.nsugs++] = gr[k].g;
		stop = fn(arg, &s);
		if (!stop && dbi_progress(db, ++done, total))
			stop = -1;
	}
	free(s.it.labels);
	free(s.it.sugs);
	rc = stop ? stop : st == SQLITE_DONE ? 0 : -1;
out:
	free(lr);
	free(gr);
	arena_free(&a);
	sqlite3_finalize(ss);
	sqlite3_finalize(sl);
	sqlite3_finalize(sg);
	return rc;
}
