/* fmt_potato_prm.c - Potato's PRM labels: an annotator's reward for each
 * step of an instance, labels alone for solutions already in the store */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fmt.h"

/*
 * A record: {instance_id, annotator, mode, steps: [{index, reward}]},
 * reward 1, 0 (neutral), -1 or null (unmarked). Potato exports labels
 * only: the text comes from the data Potato was given, imported first
 * (import needs --dataset, and instance_id is the solution's id there).
 * The item read has a key and labels, no problem and no steps: nsteps is
 * how many steps its labels need (the store checks the solution has
 * them). The rewards are one ratings label ('.' for null, never '0');
 * mode "first_error" adds a first-error label (the first -1, else none),
 * which is what an agent trace needs to be decided again.
 */

#define MAX_INDEX 100000 /* a step index beyond this is a bad record */

static const char *pp_detect(const struct jnode *rec, char *why, size_t n)
{
	static const char *const need[] = {"instance_id", "steps"};
	const char *no = detect_keys(rec, need, ARRAY_SIZE(need), why, n);
	if (no)
		return no;
	const struct jnode *s = jget(rec, "steps");
	if (s->type != J_ARR)
		return "\"steps\" is not a list";
	if (s->child && (s->child->type != J_OBJ || !jget(s->child, "index")))
		return "\"steps\" holds no {index, reward} objects";
	return NULL;
}

static const char *pp_check(const struct import_opts *o)
{
	return o->dataset ? NULL : "needs --dataset NAME: the data set whose solutions the "
				   "labels are for (Potato's labels carry no text)";
}

/* One {index, reward} into marks (NO_RATING where nothing was said). */
static int read_reward(struct rd *r, const struct jnode *st, size_t i, int *marks,
		       char *seen)
{
	if (st->type != J_OBJ)
		return rd_fail(r, "steps[%zu] must be an object {index, reward}, not %s", i,
			       jtype_name(st->type));
	const struct jnode *ix = jget(st, "index"), *rw = jget(st, "reward");
	long long k, v;
	if (!ix || jint(ix, &k) < 0 || k < 0 || k >= MAX_INDEX)
		return rd_fail(r, "steps[%zu].index must be an integer from 0 to %d", i,
			       MAX_INDEX - 1);
	if (seen[k])
		return rd_fail(r, "steps[%zu]: step %lld is listed twice", i, k);
	seen[k] = 1;
	if (!rw || rw->type == J_NULL)
		return 0; /* unmarked: not rated, which 0 would say */
	if (jint(rw, &v) < 0 || v < -1 || v > 1)
		return rd_fail(r, "steps[%zu].reward must be 1, 0, -1 or null, not %s", i,
			       rw->type == J_NUM ? rw->str : jtype_name(rw->type));
	marks[k] = (int)v;
	return 0;
}

/* The record's annotator (else --as, else the data set's name). */
static int potato_annotator(struct rd *r, const struct jnode *rec)
{
	const char *who = rd_str(r, rec, "annotator", 0);
	if (r->err[0])
		return -1;
	if (who && !*who)
		return rd_fail(r, "field \"annotator\" is empty");
	if (who)
		r->annotator = who;
	return 0;
}

/* instance_id: the solution's id in the data set. */
int potato_instance(struct rd *r, const struct jnode *rec, struct item *it)
{
	if (rec->type != J_OBJ)
		return rd_fail(r, "the record is a %s, not an object", jtype_name(rec->type));
	if (!(it->key = rd_text(r, rec, "instance_id", 1)))
		return -1;
	if (!*it->key)
		return rd_fail(r, "field \"instance_id\" is empty");
	return potato_annotator(r, rec);
}

static int pp_read(struct rd *r, const struct jnode *rec, struct item *it)
{
	if (potato_instance(r, rec, it) < 0)
		return -1;
	const char *mode = rd_str(r, rec, "mode", 0);
	const struct jnode *steps = jget(rec, "steps");
	if (r->err[0])
		return -1;
	if (!steps || steps->type != J_ARR)
		return rd_fail(r, "field \"steps\" must be a list of {index, reward}");
	size_t n = 0, i = 0;
	for (const struct jnode *st = steps->child; st; st = st->next) {
		const struct jnode *ix = st->type == J_OBJ ? jget(st, "index") : NULL;
		long long k;
		if (ix && jint(ix, &k) == 0 && k >= 0 && k < MAX_INDEX && (size_t)k >= n)
			n = (size_t)k + 1;
	}
	int *marks = rd_alloc(r, (n + 1) * sizeof(int));
	char *seen = rd_alloc(r, n + 1);
	for (size_t k = 0; k < n; k++)
		marks[k] = NO_RATING;
	for (const struct jnode *st = steps->child; st; st = st->next, i++)
		if (read_reward(r, st, i, marks, seen) < 0)
			return -1;
	it->nsteps = n;
	it->steps = rd_alloc(r, (n + 1) * sizeof(*it->steps));
	for (size_t k = 0; k < n; k++)
		it->steps[k].chosen = -1;
	rd_ratings(r, it, marks, n);
	if (mode && !strcmp(mode, "first_error")) {
		int fe = -1;
		for (size_t k = 0; k < n && fe < 0; k++)
			if (marks[k] == -1)
				fe = (int)k;
		rd_label(r, it, LK_FIRST_ERROR, -1, fe, NULL);
	}
	return 0;
}

/* "first_error" when the verdict written comes from a first error: the
 * annotator's labels hold a first-error mark (a source's or the agreed
 * label: and no step's own value), else "per_step". */
static const char *mode_of(const struct wr *w, const struct item *one)
{
	int fe = 0, per = 0;
	if (w->ro.source) {
		for (size_t i = 0; i < one->nsugs; i++)
			if (sug_source_is(&one->sugs[i], w->ro.source)) {
				per |= one->sugs[i].step >= 0;
				fe |= one->sugs[i].step < 0 && one->sugs[i].first_error >= -1;
			}
	} else if (w->ro.agreed) {
		fe = 1;
		per = one->agreed.ratings && *one->agreed.ratings;
	} else {
		for (size_t i = 0; i < one->nlabels; i++)
			fe |= one->labels[i].kind == LK_FIRST_ERROR;
	}
	return fe && !per ? "first_error" : "per_step";
}

/* One record: who's (NULL: null) ratings of the item as one holds them. */
static int put_record(struct wr *w, const struct item *one, const char *who, int *ratings)
{
	int fe = item_resolve(one, &w->ro, ratings);
	int any = 0;
	for (size_t i = 0; i < one->nsteps; i++)
		any |= ratings[i] != NO_RATING;
	/* a trace's "no decisive error" rates no step, and is a verdict */
	if (fe == -2 && (!any || !w->o->incomplete))
		return 1;
	struct buf *b = &w->out;
	buf_putc(b, '{');
	wr_key(b, "instance_id");
	buf_json_str(b, one->key, strlen(one->key));
	buf_putc(b, ',');
	wr_key(b, "annotator");
	if (who)
		buf_json_str(b, who, strlen(who));
	else
		buf_puts(b, "null");
	buf_putc(b, ',');
	wr_key(b, "mode");
	buf_printf(b, "\"%s\",", mode_of(w, one));
	wr_key(b, "steps");
	buf_putc(b, '[');
	for (size_t i = 0; i < one->nsteps; i++) {
		buf_printf(b, "%s{\"index\":%zu,\"reward\":", i ? "," : "", i);
		if (ratings[i] == NO_RATING)
			buf_puts(b, "null}");
		else
			buf_printf(b, "%d}", ratings[i]);
	}
	buf_putc(b, ']');
	wr_agreement(w, one);
	buf_puts(b, "}\n");
	w->rows++;
	return 0;
}

static int pp_write(struct wr *w, const struct item *it, const char *dataset)
{
	(void)dataset;
	return wr_per_annotator(w, it, put_record);
}

const struct format_ops fmt_potato_prm = {
	.name = "potato-prm",
	.summary = "Potato's PRM labels: instance_id, annotator, mode, steps of {index, reward "
		   "1|0|-1|null}, for solutions already in --dataset (JSON Lines)",
	.check = pp_check,
	.detect = pp_detect,
	.read = pp_read,
	.write = pp_write,
};
