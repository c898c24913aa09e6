/* queue_model.c - the queue's engine, with no curses: the filter and
 * order, the counts by chunk of ids (kept per filter while the store
 * holds still), the cursor's rank, side queues for next-unlabelled and
 * the disagreements, walks for the search */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "queue_model.h"
#include "../src/conf.h"
#include "../src/summary.h"
#include "../src/util.h"

#define CHUNK 4000
#define MAXCOUNTS 16

/* one filter's matches per chunk of CHUNK ids; -1: not counted */
struct counts {
	char *key;
	long *chunk;
	size_t nchunks;
	long epoch;
	size_t seen; /* the writes up to here are accounted for */
	int64_t max_id; /* the store's last solution when they were kept */
};

struct qmodel {
	struct db *db;
	const struct annotator *ann;
	const int *blind;   /* the blind setting, read as it changes */
	const struct writes *w;
	struct qfilter f;
	char *regex;
	char *rule;         /* :filter agreed RULE */
	char *domain;       /* :filter domain NAME */
	char *dsname;
	char *picked;       /* what the audit picked, while the queue shows it */
	long pick_seq;      /* each pick is a new set */
	struct queue *q;
	/* queues for next-unlabelled and disagreements, kept open */
	struct queue *side[Q_NWHAT];
	/* counting matches in id chunks between keys */
	long count;
	int64_t max_id;
	int counting;
	/* the cursor's position in id order: rank matches have an id up to
	 * rank_id, moved toward the cursor a chunk of ids at a time */
	int64_t rank_id;
	long rank;
	/* counts of earlier filters by chunk of ids, kept while the store
	 * does not change under them (see counts_for) */
	struct counts *counts;
	size_t ncounts;
	struct counts *cur; /* the filter counted now */
};

void writes_add(struct writes *w, int64_t sol)
{
	if (w->n == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 64;
		w->ids = xrealloc(w->ids, w->cap * sizeof(*w->ids));
	}
	w->ids[w->n++] = sol;
}

void writes_free(struct writes *w)
{
	free(w->ids);
	*w = (struct writes){0};
}

struct qmodel *qmodel_new(struct db *db, const struct annotator *ann, const int *blind,
			  const struct writes *w, int what, int sort)
{
	struct qmodel *m = xcalloc(1, sizeof(*m));
	m->db = db;
	m->ann = ann;
	m->blind = blind;
	m->w = w;
	m->f.what = what;
	m->f.sort = sort;
	return m;
}

static void counts_free(struct counts *c)
{
	free(c->key);
	free(c->chunk);
}

static void side_close(struct qmodel *m)
{
	for (int i = 0; i < Q_NWHAT; i++) {
		db_queue_close(m->side[i]);
		m->side[i] = NULL;
	}
}

void qmodel_free(struct qmodel *m)
{
	if (!m)
		return;
	side_close(m);
	db_queue_close(m->q);
	free(m->regex);
	free(m->rule);
	free(m->domain);
	free(m->dsname);
	free(m->picked);
	for (size_t i = 0; i < m->ncounts; i++)
		counts_free(&m->counts[i]);
	free(m->counts);
	free(m);
}

/* ---- counting ---- */

/* the filter as a key: what, data set, picked set, pattern, annotator */
static char *filter_key(const struct qmodel *m)
{
	struct buf b = {0};
	buf_printf(&b, "%d|%lld|%ld|%s|%s|%s|%d|%s", m->f.what, (long long)m->f.dataset,
		   m->f.picked ? m->pick_seq : 0, m->f.regex ? m->f.regex : "", m->ann->name,
		   m->f.rule ? m->f.rule : "", m->f.blind, m->f.domain ? m->f.domain : "");
	return b.data;
}

/* The counts kept for key, or new ones (the oldest make room). */
static struct counts *counts_find(struct qmodel *m, char *key)
{
	for (size_t i = 0; i < m->ncounts; i++)
		if (!strcmp(m->counts[i].key, key)) {
			free(key);
			return &m->counts[i];
		}
	if (m->ncounts == MAXCOUNTS) { /* the oldest goes */
		counts_free(&m->counts[0]);
		memmove(m->counts, m->counts + 1, (MAXCOUNTS - 1) * sizeof(*m->counts));
		m->ncounts--;
	}
	m->counts = xrealloc(m->counts, (m->ncounts + 1) * sizeof(*m->counts));
	struct counts *c = &m->counts[m->ncounts++];
	*c = (struct counts){key, NULL, 0, m->w->epoch, m->w->n, 0};
	return c;
}

/* The filter's counts, its chunks the store changed under marked to
 * count again: the chunks of the solutions this workbench labelled
 * since, or all of them after another writer. The all filter keeps
 * every solution whatever its labels and suggestions say: only its
 * chunks that gained solutions (with four workbenches and a fetch, the
 * fetch's suggestions sent a chunk or more to be counted again four
 * times a second in every workbench). */
static struct counts *counts_for(struct qmodel *m)
{
	const struct writes *w = m->w;
	size_t need = (size_t)(m->max_id / CHUNK) + 1;
	struct counts *c = counts_find(m, filter_key(m));
	if (c->nchunks < need) {
		c->chunk = xrealloc(c->chunk, need * sizeof(*c->chunk));
		for (size_t i = c->nchunks; i < need; i++)
			c->chunk[i] = -1;
		c->nchunks = need;
	}
	if (c->epoch != w->epoch || c->seen > w->n) {
		for (size_t i = 0; i < c->nchunks; i++)
			c->chunk[i] = -1;
	} else if (m->f.what == Q_ALL) {
		for (size_t i = c->max_id > 0 ? (size_t)((c->max_id - 1) / CHUNK) : 0;
		     m->max_id > c->max_id && i < c->nchunks; i++)
			c->chunk[i] = -1;
	} else {
		for (size_t i = c->seen; i < w->n; i++)
			if (w->ids[i] > 0 && (size_t)((w->ids[i] - 1) / CHUNK) < c->nchunks)
				c->chunk[(w->ids[i] - 1) / CHUNK] = -1;
	}
	c->max_id = m->max_id;
	c->epoch = w->epoch;
	c->seen = w->n;
	return c;
}

/* the sum of the counted chunks; counting stays on while one is not */
static void count_sum(struct qmodel *m)
{
	struct counts *c = m->cur;
	m->count = 0;
	m->counting = 0;
	for (size_t i = 0; i < c->nchunks; i++) {
		if (c->chunk[i] < 0)
			m->counting = 1;
		else
			m->count += c->chunk[i];
	}
}

void qmodel_recount(struct qmodel *m)
{
	if (m->q && m->f.blind != *m->blind) /* what others' verdicts count for */
		qmodel_reopen(m);
	m->max_id = db_max_solution(m->db);
	m->cur = counts_for(m);
	count_sum(m);
	m->rank_id = 0; /* no match has an id up to 0 */
	m->rank = 0;
}

/* The rank of to from the counted chunks below its own and one count of
 * its chunk up to it: 0, 1 while a chunk below is not counted yet (the
 * counting comes first), -1 when it does not pay (to is nearer the rank
 * than its chunk's start). */
static int rank_jump(struct qmodel *m, int64_t to, int *changed)
{
	const struct counts *c = m->cur;
	size_t ci = (size_t)((to - 1) / CHUNK);
	int64_t lo = (int64_t)ci * CHUNK + 1, near = to > m->rank_id ? to - m->rank_id : m->rank_id - to;
	if (!c || ci >= c->nchunks || to - lo >= near)
		return -1;
	long sum = 0;
	for (size_t i = 0; i < ci; i++) {
		if (c->chunk[i] < 0)
			return 1;
		sum += c->chunk[i];
	}
	long n = db_queue_count(m->q, lo, to);
	if (n < 0)
		return -1;
	m->rank = sum + n;
	m->rank_id = to;
	*changed = 1;
	return 0;
}

/* Moves the rank toward to by at most a chunk of ids, or at once from
 * the chunk counts: 1 when there is more to count. */
static int rank_step(struct qmodel *m, int64_t to, int *changed)
{
	if (m->f.sort != QS_ID || db_queue_dealt(&m->f) || !to || to == m->rank_id)
		return 0;
	int j = rank_jump(m, to, changed);
	if (j >= 0)
		return j;
	int64_t lo, hi;
	if (to > m->rank_id) {
		lo = m->rank_id + 1;
		hi = to - m->rank_id > CHUNK ? m->rank_id + CHUNK : to;
	} else {
		hi = m->rank_id;
		lo = m->rank_id - to > CHUNK ? m->rank_id - CHUNK + 1 : to + 1;
	}
	long n = db_queue_count(m->q, lo, hi);
	if (n < 0)
		return 0;
	if (to > m->rank_id) {
		m->rank += n;
		m->rank_id = hi;
	} else {
		m->rank -= n;
		m->rank_id = lo - 1;
	}
	*changed = 1;
	return m->rank_id != to;
}

int qmodel_idle(struct qmodel *m, int64_t at, int *changed)
{
	*changed = 0;
	int more = rank_step(m, at, changed);
	if (!m->counting)
		return more;
	/* a chunk not counted (about a millisecond) per pass */
	struct counts *c = m->cur;
	size_t i = 0;
	while (i < c->nchunks && c->chunk[i] >= 0)
		i++;
	if (i < c->nchunks) {
		int64_t lo = (int64_t)i * CHUNK + 1;
		long n = db_queue_count(m->q, lo, lo + CHUNK - 1);
		if (n < 0) {
			m->counting = 0;
			return 0;
		}
		c->chunk[i] = n;
	}
	count_sum(m);
	*changed = 1;
	return m->counting || more;
}

/* ---- walking ---- */

void qmodel_reopen(struct qmodel *m)
{
	side_close(m);
	db_queue_close(m->q);
	m->f.regex = m->regex;
	m->f.rule = m->rule;
	m->f.domain = m->domain;
	m->f.annotator = m->ann->name;
	m->f.blind = *m->blind;
	m->q = db_queue_open(m->db, &m->f);
}

int qmodel_step(struct qmodel *m, const struct qpos *from, int dir, int n,
		struct qpos *out)
{
	return db_queue_step(m->q, from, dir, n, out);
}

struct qpos qmodel_start(void)
{
	return (struct qpos){-1, 0};
}

/* Where sol stands in the queue's order (the same key as db/queue.c's). */
struct qpos qmodel_pos(struct qmodel *m, int64_t sol)
{
	struct qpos p = {0, sol};
	if (db_queue_dealt(&m->f)) {
		p.key = db_assigned_ord(m->db, m->ann->name, sol);
	} else if (m->f.sort == QS_PROGRESS) {
		struct db_qrow r;
		struct arena a = {0};
		if (db_queue_row(m->db, sol, &a, &r) == 1)
			p.key = r.labelled * 1000 / (r.nsteps > 1 ? r.nsteps : 1);
		arena_free(&a);
	}
	return p;
}

/* r as the annotator may see it: where other people's labels are hidden
 * (summary_others_hidden), its count, verdicts and flags are those of a
 * solution only they labelled, so that a gold item's row is any row */
static int row_as_seen(struct qmodel *m, struct arena *a, struct db_qrow *r)
{
	if (!db_assigned_ord(m->db, m->ann->name, r->id) ||
	    !summary_others_hidden(*m->blind, 1, summary_decided(r->verdicts, m->ann->name)))
		return 1;
	struct db_solution v = {0};
	struct buf b = {0};
	int rc = db_solution_load(m->db, r->id, &v);
	if (rc == 1) {
		struct summary sum;
		summary_only(&v.it, m->ann->name);
		summary_compute(&v.it, &b, &sum);
		r->labelled = sum.labelled;
		r->flags = sum.flags;
		r->verdicts = arena_strndup(a, sum.verdicts, strlen(sum.verdicts));
	}
	db_solution_free(&v);
	buf_free(&b);
	return rc;
}

int qmodel_row(struct qmodel *m, int64_t sol, struct arena *a, struct db_qrow *r)
{
	int rc = db_queue_row(m->db, sol, a, r);
	return rc == 1 ? row_as_seen(m, a, r) : rc;
}

int64_t qmodel_neighbour(struct qmodel *m, int64_t sol, int dir, int what)
{
	struct queue *qq = m->q;
	if (what >= 0 && what < Q_NWHAT) {
		if (!m->side[what]) {
			struct qfilter f = m->f;
			f.what = what;
			m->side[what] = db_queue_open(m->db, &f);
		}
		qq = m->side[what];
	}
	struct qpos p = qmodel_pos(m, sol);
	struct qpos out;
	return db_queue_step(qq, &p, dir, 1, &out) == 1 ? out.id : 0;
}

int qmodel_contains(struct qmodel *m, int64_t sol)
{
	struct qpos p = qmodel_pos(m, sol), out;
	p.id--; /* just before it in the order: the next row is sol when shown */
	return db_queue_step(m->q, &p, 1, 1, &out) == 1 && out.id == sol;
}

struct queue *qmodel_walk(struct qmodel *m, int64_t sol, struct qpos *at, long *rows)
{
	*at = qmodel_pos(m, sol);
	*rows = m->counting ? (long)m->max_id : m->count;
	return db_queue_open(m->db, &m->f);
}

int64_t qmodel_lookup(struct qmodel *m, const char *name, int *nsame)
{
	/* the store's number, else the solution's own id (gsm8k-11) */
	char *end;
	long long id = strtoll(name, &end, 10);
	struct db_qrow r;
	struct arena a = {0};
	int ok = *name && !*end && db_queue_row(m->db, id, &a, &r) == 1;
	arena_free(&a);
	int64_t found[2];
	*nsame = ok || !*name ? 0 : db_solutions_by_key(m->db, name, m->f.dataset, found, 2);
	if (!ok && *nsame > 0)
		return found[0];
	return ok ? id : 0;
}

/* ---- what it shows ---- */

void qmodel_describe(const struct qmodel *m, char *out, size_t n)
{
	if (m->f.picked) {
		snprintf(out, n, "picked: %s", m->picked);
		return;
	}
	const char *arg = m->rule && m->f.what == Q_AGREED ? m->rule :
			  m->domain && m->f.what == Q_DOMAIN ? m->domain : NULL;
	snprintf(out, n, "%s%s%s%s%s%s%s%s%s%s", filter_names[m->f.what],
		 arg ? " " : "", arg ? arg : "",
		 m->dsname ? "  " : "", m->dsname ? m->dsname : "",
		 m->f.sort != QS_ID ? "  by " : "", m->f.sort != QS_ID ? sort_names[m->f.sort] : "",
		 m->regex ? "  grep /" : "", m->regex ? m->regex : "", m->regex ? "/" : "");
}

void qmodel_status(struct qmodel *m, int64_t sel, char *out, size_t n)
{
	char d[160];
	qmodel_describe(m, d, sizeof(d));
	char at[32] = "";
	/* the position, as mutt and tig show it; while it is being counted
	 * (a far jump in a large store), the solution's number */
	long dealt = sel && db_queue_dealt(&m->f) ? db_queue_rank(m->q, &(struct qpos){
				     db_assigned_ord(m->db, m->ann->name, sel), sel}) : -1;
	if (dealt > 0)
		snprintf(at, sizeof(at), "%ld/", dealt);
	else if (sel && m->f.sort == QS_ID && !db_queue_dealt(&m->f) && m->rank_id == sel)
		snprintf(at, sizeof(at), "%ld/", m->rank);
	else if (sel)
		snprintf(at, sizeof(at), "#%lld of ", (long long)sel);
	snprintf(out, n, "%s  %s%ld%s solution%s", d, at, m->count, m->counting ? "+" : "",
		 m->count == 1 && !m->counting ? "" : "s");
}

int qmodel_has_solutions(const struct qmodel *m)
{
	return m->max_id > 0;
}

unsigned qmodel_where(const struct qmodel *m)
{
	/* the summary flags that alone decide the filter (QUEUE_FILTERS) */
#define FILTER_FLAGS(id, name, flags, cyc) flags,
	static const int flags[Q_NWHAT] = {QUEUE_FILTERS(FILTER_FLAGS)};
#undef FILTER_FLAGS
	int f = m->f.what >= 0 && m->f.what < Q_NWHAT ? flags[m->f.what] : -1;
	return f > 0 ? (unsigned)f : 0;
}

const char *qmodel_dataset(const struct qmodel *m)
{
	return m->dsname;
}

/* ---- changing the filter ---- */

/* the audit's pick ends with any other choice of what to show */
static void unpick(struct qmodel *m)
{
	m->f.picked = 0;
	free(m->picked);
	m->picked = NULL;
}

static void set_dataset(struct qmodel *m, const char *name)
{
	unpick(m);
	free(m->dsname);
	m->dsname = name ? xstrdup(name) : NULL;
	m->f.dataset = name ? db_dataset_id(m->db, name) : 0;
}

const char *qmodel_cycle_filter(struct qmodel *m)
{
	if (m->f.picked) /* back to the filter the pick replaced */
		unpick(m);
	else {
#define FILTER_CYCLES(id, name, flags, cyc) cyc,
		static const int cycles[Q_NWHAT] = {QUEUE_FILTERS(FILTER_CYCLES)};
#undef FILTER_CYCLES
		do
			m->f.what = (m->f.what + 1) % Q_NWHAT;
		while (!cycles[m->f.what]);
	}
	return filter_names[m->f.what];
}

const char *qmodel_cycle_sort(struct qmodel *m)
{
	m->f.sort = (m->f.sort + 1) % QS_N;
	return sort_names[m->f.sort];
}

struct ds_cycle {
	const char *cur;
	char *next;
	int take;
	char *first;
};

static void ds_each(void *ctx, const char *name)
{
	struct ds_cycle *c = ctx;
	if (!c->first)
		c->first = xstrdup(name);
	if (c->take && !c->next)
		c->next = xstrdup(name);
	if (c->cur && !strcmp(c->cur, name))
		c->take = 1;
}

const char *qmodel_cycle_dataset(struct qmodel *m)
{
	struct ds_cycle c = {m->dsname, NULL, m->dsname == NULL, NULL};
	db_datasets(m->db, ds_each, &c);
	set_dataset(m, c.next);
	free(c.next);
	free(c.first);
	return m->dsname;
}

int qmodel_set_filter(struct qmodel *m, const char *arg)
{
	int i;
	free(m->rule);
	free(m->domain);
	m->rule = m->domain = NULL;
	if (!strncmp(arg, "agreed ", 7) && arg[7]) { /* decided by one rule */
		m->rule = xstrdup(arg + 7);
		arg = "agreed";
	} else if (!strncmp(arg, "domain ", 7) && arg[7]) { /* of one domain */
		m->domain = xstrdup(arg + 7);
		arg = "domain";
	}
	for (i = 0; i < Q_NWHAT; i++)
		if (!strcmp(arg, filter_names[i]))
			break;
	if (i == Q_NWHAT)
		return -1;
	unpick(m);
	m->f.what = i;
	return 0;
}

int qmodel_set_sort(struct qmodel *m, const char *arg)
{
	for (int i = 0; i < QS_N; i++)
		if (!strcmp(arg, sort_names[i])) {
			m->f.sort = i;
			return 0;
		}
	return -1;
}

int qmodel_set_dataset(struct qmodel *m, const char *arg)
{
	if (!*arg || !strcmp(arg, "all"))
		set_dataset(m, NULL);
	else if (!db_dataset_id(m->db, arg))
		return -1;
	else
		set_dataset(m, arg);
	return 0;
}

int qmodel_set_grep(struct qmodel *m, const char *arg, char *err, size_t n)
{
	if (*arg) {
		void *re = db_regex_compile(arg, err, n);
		if (!re)
			return -1;
		db_regex_free(re);
	}
	free(m->regex);
	m->regex = *arg ? xstrdup(arg) : NULL;
	return 0;
}

void qmodel_pick(struct qmodel *m, const char *label)
{
	unpick(m);
	m->picked = xstrdup(label);
	m->pick_seq++;
	m->f.picked = 1;
}
