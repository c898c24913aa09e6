/* summary.c - first errors by annotator and source, and disagreements */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "summary.h"
#include "conf.h"
#include "mcstat.h"
#include "resolve.h"
#include "trace.h"

/* A copy of it holding only one annotator's labels. */
int summary_annotator(const struct item *it, const char *annotator,
		      int *ratings)
{
	struct label *mine = xmalloc((it->nlabels + 1) * sizeof(*mine));
	struct item sub = *it;
	sub.labels = mine;
	sub.nlabels = 0;
	sub.nsugs = 0;
	for (size_t i = 0; i < it->nlabels; i++)
		if (strcmp(it->labels[i].annotator, annotator) == 0)
			mine[sub.nlabels++] = it->labels[i];
	int fe = item_resolve(&sub, NULL, ratings);
	free(mine);
	return fe;
}

int summary_others_hidden(int blind, int assigned, int decided)
{
	if (assigned)
		return blind != BLIND_OFF || !decided;
	return blind == BLIND_ALL && !decided;
}

int summary_fe(const char *v, const char *who)
{
	size_t n = strlen(who);
	for (const char *p = v; p && (p = strchr(p, '@'));) {
		if ((p == v || p[-1] == '\n') && !strncmp(p + 1, who, n) && p[1 + n] == '\t')
			return (int)strtol(p + 2 + n, NULL, 10);
		p++;
	}
	return -2;
}

int summary_decided(const char *v, const char *me)
{
	return summary_fe(v, me) >= -1;
}

void summary_only(struct item *it, const char *me)
{
	size_t k = 0;
	for (size_t i = 0; i < it->nlabels; i++)
		if (!strcmp(it->labels[i].annotator, me))
			it->labels[k++] = it->labels[i];
	it->nlabels = k;
}

static void put_name(struct buf *b, char mark, const char *name)
{
	buf_putc(b, '\n');
	buf_putc(b, mark);
	for (const char *p = name; *p; p++)
		buf_putc(b, *p == '\n' || *p == '\t' ? ' ' : *p);
	buf_putc(b, '\t');
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int seen_before(const char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return 1;
	return 0;
}

/* decided first errors of one side: first value, and whether they differ */
struct side {
	int any, first, differ;
};

static void side_add(struct side *s, int fe)
{
	if (fe < -1)
		return;
	if (!s->any) {
		s->any = 1;
		s->first = fe;
	} else if (fe != s->first) {
		s->differ = 1;
	}
}

/* a step whose MC estimate in force (its newest with rollouts, of each
 * source and model) is too uncertain to act on */
static int mc_any_uncertain(const struct item *it)
{
	for (size_t i = 0; i < it->nsugs; i++) {
		const struct suggestion *g = &it->sugs[i];
		if (g->step < 0 || g->n <= 0 || !mc_source(g->source) || !mc_uncertain(g->k, g->n))
			continue;
		int newer = 0;
		for (size_t j = i + 1; j < it->nsugs && !newer; j++) {
			const struct suggestion *h = &it->sugs[j];
			newer = h->step == g->step && h->n > 0 && !strcmp(h->source, g->source) &&
				(h->model == g->model || (h->model && g->model && !strcmp(h->model, g->model)));
		}
		if (!newer)
			return 1;
	}
	return 0;
}

/* the counts' lines (summary_counts) of the n annotators names whose
 * labels decide (in name order; their first errors fe, the steps they
 * rate), then of those who only adjudicated */
static void counts_lines(const struct item *it, const char *const *names, size_t n,
			 const int *fe, const long *rated, struct buf *out)
{
	for (size_t i = 0; i < n; i++) {
		int adj = 0;
		for (size_t k = 0; k < it->nlabels && !adj; k++)
			adj = it->labels[k].kind == LK_ADJUDICATION &&
			      !strcmp(it->labels[k].annotator, names[i]);
		db_counts_line(out, names[i], rated[i] > 0 || fe[i] >= -1, rated[i], adj);
	}
	for (size_t k = 0; k < it->nlabels; k++) {
		const struct label *l = &it->labels[k];
		if (l->kind != LK_ADJUDICATION || seen_before(names, n, l->annotator))
			continue;
		size_t j = 0;
		while (j < k && !(it->labels[j].kind == LK_ADJUDICATION &&
				  !strcmp(it->labels[j].annotator, l->annotator)))
			j++;
		if (j == k) /* its first adjudication here */
			db_counts_line(out, l->annotator, 0, 0, 1);
	}
}

/* the annotators whose labels decide (rating, first error, ratings),
 * each once, into names: how many */
static size_t deciders(const struct item *it, const char **names)
{
	size_t nn = 0;
	for (size_t i = 0; i < it->nlabels; i++) {
		const struct label *l = &it->labels[i];
		if ((l->kind == LK_RATING || l->kind == LK_FIRST_ERROR || l->kind == LK_RATINGS) &&
		    !seen_before(names, nn, l->annotator))
			names[nn++] = l->annotator;
	}
	return nn;
}

void summary_counts(const struct item *it, struct buf *out)
{
	const char **names = xmalloc((it->nlabels + 1) * sizeof(*names));
	size_t nn = deciders(it, names);
	qsort(names, nn, sizeof(*names), cmp_name);
	int *fe = xmalloc((nn + 1) * sizeof(*fe));
	long *rated = xcalloc(nn + 1, sizeof(*rated));
	int *r = xmalloc((it->nsteps + 1) * sizeof(*r));
	for (size_t i = 0; i < nn; i++) {
		fe[i] = summary_annotator(it, names[i], r);
		for (size_t s = 0; s < it->nsteps; s++)
			rated[i] += r[s] != NO_RATING;
	}
	counts_lines(it, names, nn, fe, rated, out);
	free(r);
	free(rated);
	free(fe);
	free(names);
}

void summary_compute(const struct item *it, struct buf *v, struct summary *sum)
{
	size_t n = it->nsteps;
	int *r = xmalloc((n + 1) * sizeof(*r));
	memset(sum, 0, sizeof(*sum));
	buf_reset(v);
	sum->nsteps = (int)n;
	if (trace_is(it))
		sum->flags |= SF_TRACE;
	item_resolve(it, NULL, r);
	for (size_t i = 0; i < n; i++)
		sum->labelled += r[i] != NO_RATING;

	const char **names = xmalloc((it->nlabels + it->nsugs + 1) * sizeof(*names));
	size_t nn = deciders(it, names);
	struct side hum = {0}, aut = {0};
	/* in name order: the same on every store, whatever order its labels
	 * came in (a sync, a merge) */
	qsort(names, nn, sizeof(*names), cmp_name);
	size_t nann = nn;
	int *fes = xmalloc((nann + 1) * sizeof(*fes));
	long *rated = xcalloc(nann + 1, sizeof(*rated));
	for (size_t i = 0; i < nn; i++) {
		int fe = fes[i] = summary_annotator(it, names[i], r);
		for (size_t s = 0; s < n; s++)
			rated[i] += r[s] != NO_RATING;
		put_name(v, '@', names[i]);
		buf_printf(v, "%d", fe);
		side_add(&hum, fe);
		sum->flags |= SF_HUMAN;
	}
	struct buf key = {0};
	size_t first_src = nn;
	for (size_t i = 0; i < it->nsugs; i++) {
		const struct suggestion *g = &it->sugs[i];
		sug_key(&key, g);
		if (seen_before(names + first_src, nn - first_src, key.data))
			continue;
		const char *k = xstrdup(key.data);
		names[nn++] = k;
		struct resolve_opts o = {.source = k, .threshold = 0.5};
		int fe = item_resolve(it, &o, r);
		put_name(v, '#', k);
		buf_printf(v, "%d", fe);
		side_add(&aut, fe);
		sum->flags |= SF_AUTO;
	}
	if (mc_any_uncertain(it))
		sum->flags |= SF_MC_UNSURE;
	if (hum.differ)
		sum->flags |= SF_DIS_ANN;
	if (aut.differ)
		sum->flags |= SF_DIS_SRC;
	if (hum.any && aut.any &&
	    (hum.differ || aut.differ || hum.first != aut.first))
		sum->flags |= SF_DIS_HA;
	if (v->len)
		buf_putc(v, '\n');
	/* the counts after the verdicts' NUL, in the same buffer */
	size_t at = v->len + 1;
	buf_putc(v, '\0');
	counts_lines(it, names, nann, fes, rated, v);
	buf_puts(v, "");
	sum->verdicts = v->data;
	sum->counts = v->data + at;
	free(fes);
	free(rated);
	for (size_t i = first_src; i < nn; i++)
		free((char *)names[i]);
	free(names);
	buf_free(&key);
	free(r);
}

/* the store's counts being written, a solution at a time */
struct counting {
	struct db *db;
	struct buf b;
};

static int count_one(void *arg, const struct walk_sol *w)
{
	struct counting *c = arg;
	buf_reset(&c->b);
	summary_counts(&w->it, &c->b);
	return db_counts_set(c->db, w->id, w->dataset_id, c->b.data ? c->b.data : "") < 0 ? -1 : 0;
}

/* A store never counted for stepmark stats (its summaries older than
 * the counts): every summary's counts written and their sums, by one
 * walk of the labels. 0, or -1. */
static int counts_backfill(struct db *db)
{
	if (db_counts_known(db))
		return 0;
	if (db_begin(db) < 0)
		return -1;
	if (db_counts_known(db)) /* another counted it meanwhile */
		return db_commit(db) < 0 ? -1 : 0;
	errf("stepmark: counting the labels per annotator for stepmark stats (once)...\n");
	struct names anns = {0}, srcs = {0};
	struct counting c = {db, {0}};
	struct walk_opts wo = {&anns, &srcs, WALK_EVERY_ANNOTATOR, NULL, NULL, count_one, &c};
	int rc = db_counts_clear(db) < 0 || db_walk_with(db, &wo) < 0 ||
		 db_counts_complete(db) < 0 || db_commit(db) < 0 ? -1 : 0;
	if (rc < 0)
		db_rollback(db);
	buf_free(&c.b);
	names_free(&anns);
	names_free(&srcs);
	return rc;
}

static long summaries_backfill(struct db *db);

long summary_backfill(struct db *db)
{
	long n = summaries_backfill(db);
	return n < 0 || counts_backfill(db) < 0 ? -1 : n;
}

static long summaries_backfill(struct db *db)
{
	long n = db_summary_missing(db);
	if (n < 0)
		return n;
	if (n == 0 && !db_summaries_known(db)) { /* counted: say so, once */
		if (db_begin(db) < 0 || db_summaries_complete(db) < 0 || db_commit(db) < 0)
			db_rollback(db); /* counted again next time */
		return 0;
	}
	if (n == 0)
		return 0;
	int64_t *ids = NULL;
	size_t cnt = 0;
	if (db_summary_missing_ids(db, &ids, &cnt) < 0 || db_begin(db) < 0) {
		free(ids);
		return -1;
	}
	struct db_solution v = {0};
	struct buf b = {0};
	long done = 0;
	for (size_t i = 0; i < cnt; i++) {
		struct summary sum;
		if (db_solution_load(db, ids[i], &v) <= 0)
			break;
		summary_compute(&v.it, &b, &sum);
		if (db_summary_put(db, v.id, v.dataset_id, &sum) < 0)
			break;
		done++;
	}
	db_solution_free(&v);
	buf_free(&b);
	free(ids);
	if ((size_t)done != cnt || db_summaries_complete(db) < 0 || db_commit(db) < 0) {
		db_rollback(db);
		return -1;
	}
	return done;
}

int summary_refresh(struct db *db, int64_t sol)
{
	struct db_solution v = {0};
	struct buf b = {0};
	struct summary sum;
	int rc = -1;
	if (db_solution_verdicts(db, sol, &v) == 1) {
		summary_compute(&v.it, &b, &sum);
		rc = db_summary_put(db, v.id, v.dataset_id, &sum);
	}
	db_solution_free(&v);
	buf_free(&b);
	return rc;
}

int summary_refresh_texts(struct db *db, struct db_solution *v)
{
	if (db_solution_marks(db, v) < 0)
		return -1;
	struct buf b = {0};
	struct summary sum;
	summary_compute(&v->it, &b, &sum);
	int rc = db_summary_put(db, v->id, v->dataset_id, &sum);
	buf_free(&b);
	return rc;
}

#define CACHED 128 /* solutions kept: more than a team labels at once */

struct summary_cache {
	struct cached_sol {
		int64_t sol;        /* 0: free */
		unsigned long used; /* when last rewritten (the clock) */
		struct db_solution v;
	} slot[CACHED];
	unsigned long clock;
	struct buf b;
};

struct summary_cache *summary_cache_new(void)
{
	return xcalloc(1, sizeof(struct summary_cache));
}

void summary_cache_clear(struct summary_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < CACHED; i++) {
		db_solution_free(&c->slot[i].v);
		c->slot[i].sol = 0;
	}
}

void summary_cache_free(struct summary_cache *c)
{
	if (!c)
		return;
	summary_cache_clear(c);
	buf_free(&c->b);
	free(c);
}

/* sol's slot, up to date: kept, else the one used longest ago read
 * afresh. NULL on a store error or no such solution (then forgotten). */
static struct cached_sol *cached(struct db *db, int64_t sol, struct summary_cache *c)
{
	struct cached_sol *e = NULL, *old = &c->slot[0];
	for (size_t i = 0; i < CACHED && !e; i++) {
		if (c->slot[i].sol == sol)
			e = &c->slot[i];
		else if (c->slot[i].used < old->used)
			old = &c->slot[i];
	}
	int rc = e ? db_solution_verdicts_more(db, &e->v) : 0;
	if (!e)
		e = old;
	if (rc == 0)
		rc = db_solution_verdicts(db, sol, &e->v);
	e->sol = rc == 1 ? sol : 0;
	e->used = ++c->clock;
	if (rc == 1)
		return e;
	db_solution_free(&e->v);
	return NULL;
}

int summary_refresh_with(struct db *db, int64_t sol, struct summary_cache *c)
{
	if (!c)
		return summary_refresh(db, sol);
	struct cached_sol *e = cached(db, sol, c);
	if (!e)
		return -1;
	struct summary sum;
	summary_compute(&e->v.it, &c->b, &sum);
	return db_summary_put(db, sol, e->v.dataset_id, &sum);
}
