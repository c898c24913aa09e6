/* team.c - how a labelling team is doing: accuracy on gold, who passed
 * qualification, assignments done, rate, agreement between people, what
 * is left per data set, labels by guidelines version */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "team.h"
#include "summary.h"
#include "consensus.h"

static struct team_ann *ann_of(struct team *t, const char *name)
{
	for (size_t i = 0; i < t->nann; i++)
		if (!strcmp(t->ann[i].name, name))
			return &t->ann[i];
	t->ann = xrealloc(t->ann, (t->nann + 1) * sizeof(*t->ann));
	struct team_ann *a = &t->ann[t->nann++];
	memset(a, 0, sizeof(*a));
	a->name = xstrdup(name);
	return a;
}

static struct team_ds *ds_of(struct team *t, int64_t id)
{
	for (size_t i = 0; i < t->nds; i++)
		if (t->ds[i].id == id)
			return &t->ds[i];
	return NULL;
}

/* two first errors within one step: no error only as no error */
static int near(int a, int b)
{
	return a == b || (a >= 0 && b >= 0 && abs(a - b) <= 1);
}

static void on_held(void *ctx, const struct db_held *h)
{
	struct team *t = ctx;
	struct team_ann *a = ann_of(t, h->annotator);
	int fe = summary_fe(h->verdicts, h->annotator);
	a->assigned++;
	a->done += fe >= -1;
	struct team_ds *d = ds_of(t, h->dataset);
	if (d)
		d->open += fe < -1;
	if (h->gold_fe < -1)
		return;
	a->gold++;
	if (fe < -1)
		return;
	a->gold_answered++;
	a->gold_right += fe == h->gold_fe;
	a->gold_near += near(fe, h->gold_fe);
}

int team_gold(struct db *db, struct team *t)
{
	memset(t, 0, sizeof(*t));
	return db_held_each(db, 1, on_held, t);
}

static void on_active(void *ctx, const char *annotator, long long ms)
{
	ann_of(ctx, annotator)->active_ms = ms;
}

static void on_ds(void *ctx, int64_t id, const char *name)
{
	struct team *t = ctx;
	t->ds = xrealloc(t->ds, (t->nds + 1) * sizeof(*t->ds));
	struct team_ds *d = &t->ds[t->nds++];
	memset(d, 0, sizeof(*d));
	d->id = id;
	d->name = xstrdup(name);
}

/* one line "\n@name\tFE" at p: the name into b, the first error */
static int verdict_at(const char *p, struct buf *b)
{
	const char *tab = strchr(p, '\t');
	buf_reset(b);
	if (!tab)
		return -2;
	buf_printf(b, "%.*s", (int)(tab - p - 1), p + 1);
	return (int)strtol(tab + 1, NULL, 10);
}

/* a solution's summary: decided by whom, people agreeing, what is left */
static void on_summary(void *ctx, int64_t dataset, const char *v, int dealt)
{
	struct team *t = ctx;
	struct team_ds *d = ds_of(t, dataset);
	int fe[64];
	size_t who[64]; /* indexes: ann_of may move the array */
	size_t n = 0;
	struct buf name = {0};
	for (const char *p = v; p && *p && n < 64; p = strchr(p + 1, '\n')) {
		const char *line = *p == '\n' ? p + 1 : p;
		if (*line != '@')
			continue;
		int f = verdict_at(line, &name);
		if (f < -1)
			continue;
		who[n] = (size_t)(ann_of(t, name.data) - t->ann);
		t->ann[who[n]].decided++;
		fe[n++] = f;
	}
	buf_free(&name);
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < n; k++) {
			if (k == i)
				continue;
			struct team_ann *a = &t->ann[who[i]];
			a->pairs++;
			a->agree += fe[i] == fe[k];
			a->agree_near += near(fe[i], fe[k]);
		}
	if (!d)
		return;
	d->solutions++;
	d->dealt += dealt != 0;
	d->undecided += n == 0;
}

static void on_version(void *ctx, const struct db_version *v)
{
	struct team *t = ctx;
	t->ver = xrealloc(t->ver, (t->nver + 1) * sizeof(*t->ver));
	struct team_version *o = &t->ver[t->nver++];
	o->annotator = xstrdup(v->annotator);
	o->hash = v->hash ? xstrdup(v->hash) : NULL;
	o->path = v->path ? xstrdup(v->path) : NULL;
	o->solutions = v->solutions;
	o->labels = v->labels;
}

static int by_name(const void *x, const void *y)
{
	const struct team_ann *a = x, *b = y;
	return strcmp(a->name, b->name);
}

static int ds_by_name(const void *x, const void *y)
{
	const struct team_ds *a = x, *b = y;
	return strcmp(a->name, b->name);
}

int team_read(struct db *db, struct team *t)
{
	memset(t, 0, sizeof(*t));
	if (db_dataset_ids(db, on_ds, t) < 0 || db_held_each(db, 0, on_held, t) < 0 ||
	    db_active_total_each(db, on_active, t) < 0 ||
	    db_summaries_each(db, on_summary, t) < 0 || db_versions_each(db, on_version, t) < 0)
		return -1;
	if (t->nann)
		qsort(t->ann, t->nann, sizeof(*t->ann), by_name);
	if (t->nds)
		qsort(t->ds, t->nds, sizeof(*t->ds), ds_by_name);
	return 0;
}

void team_free(struct team *t)
{
	for (size_t i = 0; i < t->nann; i++)
		free(t->ann[i].name);
	for (size_t i = 0; i < t->nds; i++)
		free(t->ds[i].name);
	for (size_t i = 0; i < t->nver; i++) {
		free(t->ver[i].annotator);
		free(t->ver[i].hash);
		free(t->ver[i].path);
	}
	free(t->ann);
	free(t->ds);
	free(t->ver);
	memset(t, 0, sizeof(*t));
}

const struct team_ann *team_find(const struct team *t, const char *name)
{
	for (size_t i = 0; i < t->nann; i++)
		if (!strcmp(t->ann[i].name, name))
			return &t->ann[i];
	return NULL;
}

double team_gold_accuracy(const struct team_ann *a)
{
	return a->gold_answered ? (double)a->gold_right / (double)a->gold_answered : NAN;
}

int team_pass(long gold, long answered, long right, double p)
{
	if (!gold)
		return -2;
	if (!answered)
		return -1;
	return (double)right / (double)answered >= p - 1e-9;
}

int team_passed(const struct team_ann *a, double p)
{
	return a ? team_pass(a->gold, a->gold_answered, a->gold_right, p) : -2;
}

double team_bar(const char *policy)
{
	struct policy p;
	char why[300];
	double bar = TEAM_PASS;
	if (policy && policy_parse(policy, &p, why, sizeof(why)) == 0) {
		if (p.min_gold >= 0)
			bar = p.min_gold;
		policy_free(&p);
	}
	return bar;
}

double team_rate(const struct team_ann *a)
{
	return a->active_ms > 0 ? (double)a->decided * 3600000.0 / (double)a->active_ms : NAN;
}
