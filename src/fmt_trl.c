/* fmt_trl.c - TRL stepwise supervision: prompt, completions, labels */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fmt.h"

static const char *trl_detect(const struct jnode *rec, char *why, size_t n)
{
	static const char *const need[] = {"prompt", "completions", "labels"};
	return detect_keys(rec, need, ARRAY_SIZE(need), why, n);
}

static int trl_read(struct rd *r, const struct jnode *rec, struct item *it)
{
	if (rec->type != J_OBJ)
		return rd_fail(r, "the record is a %s, not an object",
			       jtype_name(rec->type));
	const char **steps;
	size_t n;
	if (!(it->problem = rd_str(r, rec, "prompt", 1)))
		return -1;
	if (rd_str_list(r, rec, "completions", &steps, &n) < 0)
		return -1;
	if (n == 0)
		return rd_fail(r, "\"completions\" is empty");
	rd_steps(r, it, steps, n);
	const struct jnode *labels = jget(rec, "labels");
	if (!labels || labels->type != J_ARR)
		return rd_fail(r, "field \"labels\" must be a list");
	if (labels->len != n)
		return rd_fail(r, "%zu labels for %zu completions", labels->len, n);
	size_t i = 0;
	int *marks = rd_alloc(r, n * sizeof(int));
	for (const struct jnode *l = labels->child; l; l = l->next, i++) {
		double v;
		marks[i] = NO_RATING;
		if (l->type == J_BOOL) {
			marks[i] = l->boolean ? 1 : -1;
		} else if (jdouble(l, &v) == 0) {
			/* a soft label is a probability: 0..1, finite */
			if (!(v >= 0 && v <= 1))
				return rd_fail(r, "labels[%zu] is %s: a soft label is a number "
					       "from 0 to 1", i, l->str);
			/* soft labels are estimates, not decisions */
			struct suggestion *g = rd_suggestion(r, it, "imported", r->dataset, (int)i);
			g->value = v;
		} else {
			return rd_fail(r, "labels[%zu] must be a boolean or a number, not %s",
				       i, jtype_name(l->type));
		}
	}
	rd_ratings(r, it, marks, n);
	rd_grade(r, it);
	it->key = rd_content_key(r, it);
	return 0;
}

/* Each step's text, escaped once per solution: the public PRM800K rule
 * repeats the prefix in every row. */
struct escaped {
	struct buf all;   /* the escaped texts, one after another */
	size_t *off;      /* where step i starts; off[n] is the end */
	size_t cap;
	struct buf prompt;
};

static void escape_steps(struct escaped *e, const struct item *it)
{
	buf_reset(&e->all);
	buf_reset(&e->prompt);
	buf_json_str(&e->prompt, it->problem, strlen(it->problem));
	if (e->cap < it->nsteps + 1) {
		e->cap = it->nsteps + 1;
		e->off = xrealloc(e->off, e->cap * sizeof(*e->off));
	}
	for (size_t i = 0; i < it->nsteps; i++) {
		e->off[i] = e->all.len;
		buf_json_str(&e->all, it->steps[i].text, strlen(it->steps[i].text));
	}
	e->off[it->nsteps] = e->all.len;
}

/* One row: the first n steps, then optionally one more text. */
static void row(struct wr *w, const struct item *it, size_t n,
		const int *good, const char *extra, int extra_good)
{
	(void)it;
	const struct escaped *e = w->state;
	struct buf *b = &w->out;
	buf_puts(b, "{\"prompt\":");
	buf_add(b, e->prompt.data, e->prompt.len);
	buf_puts(b, ",\"completions\":[");
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_putc(b, ',');
		buf_add(b, e->all.data + e->off[i], e->off[i + 1] - e->off[i]);
	}
	if (extra) {
		if (n)
			buf_putc(b, ',');
		buf_json_str(b, extra, strlen(extra));
	}
	buf_puts(b, "],\"labels\":[");
	for (size_t i = 0; i < n; i++)
		buf_puts(b, i ? (good[i] ? ",true" : ",false") : (good[i] ? "true" : "false"));
	if (extra)
		buf_puts(b, n ? (extra_good ? ",true" : ",false") : (extra_good ? "true" : "false"));
	buf_puts(b, "]}\n");
	w->rows++;
	wr_flush(w, 0);
}

/* The public PRM800K conversion (../shared/FORMATS.md): walking the steps,
 * each completion of a step that is not the chosen one is a row of its own
 * (the prefix plus it, labelled rating == 1; a human completion is never
 * such a row); the prefix then grows by the chosen completion (rating ==
 * 1) or, when none was chosen, by the human completion, labelled true; a
 * step with neither ends the walk; the whole prefix is the last row.
 * ratings are the labels in force: a step someone relabelled in stepmark
 * carries the new label, a human completion nobody relabelled is true. */
static void write_alternatives(struct wr *w, const struct item *it,
			       const int *ratings, int *good)
{
	size_t i;
	for (i = 0; i < it->nsteps; i++) {
		const struct step *st = &it->steps[i];
		for (size_t a = 0; a < st->nalts; a++)
			if ((int)a != st->chosen && !st->alts[a].human)
				row(w, it, i, good, st->alts[a].text,
				    st->alts[a].rating == 1);
		if (st->chosen < 0 && !st->nalts) /* the one candidate, not taken */
			row(w, it, i, good, st->text, ratings[i] == 1);
		if (st->chosen < 0)
			break; /* no chosen and no human completion: the walk ends */
		/* a step stored without its candidates was the only one */
		const struct alt *c = (size_t)st->chosen < st->nalts ? &st->alts[st->chosen] : NULL;
		good[i] = c && c->human && ratings[i] == c->rating ? 1 : ratings[i] == 1;
	}
	if (i == it->nsteps)
		for (size_t a = 0; a < it->ntail; a++)
			if (!it->tail[a].human)
				row(w, it, i, good, it->tail[a].text, it->tail[a].rating == 1);
	row(w, it, i, good, NULL, 0);
}

static int trl_write(struct wr *w, const struct item *it, const char *dataset)
{
	(void)dataset;
	int *ratings = xmalloc((it->nsteps + 1) * sizeof(int));
	int *good = xmalloc((it->nsteps + 1) * sizeof(int));
	int fe = item_resolve(it, &w->ro, ratings);
	int rc = 0;
	escape_steps(w->state, it);
	if (item_is_prm800k(it) && !w->o->source) {
		write_alternatives(w, it, ratings, good);
	} else if (fe == -2 && !w->o->incomplete) {
		rc = 1;
	} else {
		/* every step rated: all of them; else up to the first error,
		 * since the steps after it carry no label */
		size_t k = 0;
		while (k < it->nsteps && ratings[k] != NO_RATING) {
			good[k] = ratings[k] == 1;
			k++;
		}
		if (k < it->nsteps && fe >= 0 && (size_t)fe < k)
			k = (size_t)fe + 1;
		if (k)
			row(w, it, k, good, NULL, 0);
		else
			rc = 1;
	}
	free(ratings);
	free(good);
	return rc;
}

static void trl_begin(struct wr *w)
{
	w->state = xcalloc(1, sizeof(struct escaped));
}

static void trl_end(struct wr *w)
{
	struct escaped *e = w->state;
	buf_free(&e->all);
	buf_free(&e->prompt);
	free(e->off);
	free(e);
	w->state = NULL;
}

const struct format_ops fmt_trl = {
	.name = "trl",
	.summary = "TRL stepwise supervision: JSON Lines of prompt, completions, labels",
	.detect = trl_detect,
	.read = trl_read,
	.write_begin = trl_begin,
	.write = trl_write,
	.write_end = trl_end,
};
