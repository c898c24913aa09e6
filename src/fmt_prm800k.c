/* fmt_prm800k.c - PRM800K: one labelled trajectory per line */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fmt.h"

static const char *p8_detect(const struct jnode *rec, char *why, size_t n)
{
	(void)why;
	(void)n;
	if (rec->type != J_OBJ)
		return "the record is not an object";
	const struct jnode *q = jget(rec, "question"), *l = jget(rec, "label");
	if (!q || q->type != J_OBJ)
		return "no \"question\" object";
	if (!l || l->type != J_OBJ)
		return "no \"label\" object";
	if (!jget(l, "steps"))
		return "no \"label.steps\"";
	return NULL;
}

/* Where a candidate is, for an error message: step i's completion k, or
 * its human completion (k < 0). Written only when there is an error: a
 * snprintf per candidate was 3.5 % of an import's reading. */
static const char *alt_where(char *buf, size_t len, size_t i, long k)
{
	if (k < 0)
		snprintf(buf, len, "label.steps[%zu].human_completion", i);
	else
		snprintf(buf, len, "label.steps[%zu].completions[%ld]", i, k);
	return buf;
}

static int read_rating(struct rd *r, const struct jnode *c, size_t i, long k, int *out)
{
	const struct jnode *n = jget(c, "rating");
	long long v;
	if (!n || n->type == J_NULL) {
		*out = NO_RATING;
		return 0;
	}
	char where[96];
	if (jint(n, &v) < 0 || v < -1 || v > 1)
		return rd_fail(r, "%s: rating must be -1, 0, 1 or null",
			       alt_where(where, sizeof(where), i, k));
	*out = (int)v;
	return 0;
}

static int read_alt(struct rd *r, const struct jnode *c, size_t i, long k,
		    struct alt *al, int human)
{
	char where[96];
	if (c->type != J_OBJ)
		return rd_fail(r, "%s must be an object, not %s",
			       alt_where(where, sizeof(where), i, k), jtype_name(c->type));
	const struct jnode *t = jget(c, "text");
	if (!t || t->type != J_STR)
		return rd_fail(r, "%s has no \"text\" string", alt_where(where, sizeof(where), i, k));
	al->text = t->str;
	al->human = human;
	const struct jnode *f = jget(c, "flagged");
	al->flagged = f && f->type == J_BOOL ? f->boolean : -1;
	return read_rating(r, c, i, k, &al->rating);
}

/* One element of label.steps: its candidates, and which one was taken. */
static int read_step(struct rd *r, const struct jnode *js, size_t i,
		     struct step *st, int *rating)
{
	if (js->type != J_OBJ)
		return rd_fail(r, "label.steps[%zu] must be an object", i);
	const struct jnode *comps = jget(js, "completions");
	const struct jnode *human = jget(js, "human_completion");
	const struct jnode *chosen = jget(js, "chosen_completion");
	size_t nc = comps && comps->type == J_ARR ? comps->len : 0;
	if (comps && comps->type != J_ARR && comps->type != J_NULL)
		return rd_fail(r, "label.steps[%zu].completions must be a list", i);
	int has_human = human && human->type != J_NULL;
	st->alts = rd_alloc(r, (nc + 1) * sizeof(*st->alts));
	size_t k = 0;
	for (const struct jnode *c = nc ? comps->child : NULL; c; c = c->next, k++)
		if (read_alt(r, c, i, (long)k, &st->alts[k], 0) < 0)
			return -1;
	if (has_human) {
		if (human->type == J_STR) { /* what the README describes */
			st->alts[k].text = human->str;
			st->alts[k].rating = NO_RATING;
			st->alts[k].flagged = -1;
			st->alts[k].human = 1;
		} else if (read_alt(r, human, i, -1, &st->alts[k], 1) < 0) {
			return -1;
		}
		k++;
	}
	st->nalts = k;
	st->chosen = -1;
	if (chosen && chosen->type != J_NULL) {
		long long c;
		if (jint(chosen, &c) < 0 || c < 0 || (size_t)c >= nc)
			return rd_fail(r, "label.steps[%zu].chosen_completion is not an index into its %zu completions",
				       i, nc);
		st->chosen = (int)c;
	} else if (has_human) {
		st->chosen = (int)nc;
	}
	if (st->chosen >= 0) {
		st->text = st->alts[st->chosen].text;
		*rating = st->alts[st->chosen].rating;
	}
	return 0;
}

/* pre_generated_steps usually begin with the solution's own steps: keep
 * only how many do, and the rest. */
static void put_pregenerated(struct buf *b, const struct jnode *pg,
			     const struct item *it)
{
	size_t k = 0;
	const struct jnode *c = pg->type == J_ARR ? pg->child : NULL;
	while (c && k < it->nsteps && c->type == J_STR &&
	       strcmp(c->str, it->steps[k].text) == 0)
		c = c->next, k++;
	if (k == 0) {
		wr_key(b, "pre_generated_steps");
		jwrite(b, pg);
		return;
	}
	buf_printf(b, "\"pre_generated_from_steps\":%zu,", k);
	wr_key(b, "pre_generated_rest");
	buf_putc(b, '[');
	for (const struct jnode *x = c; x; x = x->next) {
		if (x != c)
			buf_putc(b, ',');
		jwrite(b, x);
	}
	buf_putc(b, ']');
}

/* The format-specific fields kept for a faithful export. */
static const char *p8_meta(struct rd *r, const struct jnode *rec,
			   const struct jnode *q, const struct jnode *lab,
			   const struct item *it)
{
	static const char *top[] = {"timestamp", "generation",
				    "is_quality_control_question",
				    "is_initial_screening_question"};
	struct buf b = {0};
	buf_putc(&b, '{');
	for (size_t i = 0; i < ARRAY_SIZE(top); i++) {
		const struct jnode *n = jget(rec, top[i]);
		if (!n)
			continue;
		if (b.len > 1)
			buf_putc(&b, ',');
		wr_key(&b, top[i]);
		jwrite(&b, n);
	}
	const struct jnode *pg = jget(q, "pre_generated_steps");
	const struct jnode *pa = jget(q, "pre_generated_answer");
	const struct jnode *tt = jget(lab, "total_time");
	if (pg) {
		buf_putc(&b, ',');
		put_pregenerated(&b, pg, it);
	}
	if (pa) {
		buf_putc(&b, ',');
		wr_key(&b, "pre_generated_answer");
		jwrite(&b, pa);
	}
	if (tt) {
		buf_putc(&b, ',');
		wr_key(&b, "total_time");
		jwrite(&b, tt);
	}
	buf_putc(&b, '}');
	char *m = arena_strndup(r->a, b.data, b.len);
	buf_free(&b);
	return m;
}

static int p8_read(struct rd *r, const struct jnode *rec, struct item *it)
{
	if (rec->type != J_OBJ)
		return rd_fail(r, "the record is a %s, not an object",
			       jtype_name(rec->type));
	const struct jnode *q = jget(rec, "question"), *lab = jget(rec, "label");
	if (!q || q->type != J_OBJ)
		return rd_fail(r, "field \"question\" must be an object");
	if (!lab || lab->type != J_OBJ)
		return rd_fail(r, "field \"label\" must be an object");
	const char *labeler = rd_str(r, rec, "labeler", 0);
	if (!labeler && r->err[0])
		return -1;
	const char *ts = rd_str(r, rec, "timestamp", 0);
	if (!ts && r->err[0])
		return -1;
	if (!(it->problem = rd_str(r, q, "problem", 1)))
		return -1;
	it->gold = rd_text(r, q, "ground_truth_answer", 0);
	it->reference = rd_str(r, q, "ground_truth_solution", 0);
	it->finish = rd_str(r, lab, "finish_reason", 0);
	if (r->err[0])
		return -1;
	if (it->finish && strcmp(it->finish, "found_error") &&
	    strcmp(it->finish, "solution") && strcmp(it->finish, "bad_problem") &&
	    strcmp(it->finish, "give_up"))
		return rd_fail(r, "unknown finish_reason \"%s\"", it->finish);
	const struct jnode *steps = jget(lab, "steps");
	if (!steps || steps->type != J_ARR)
		return rd_fail(r, "field \"label.steps\" must be a list");

	/* the labels belong to the record's labeler; --as names one if absent */
	r->annotator = labeler ? labeler : r->annotator;
	it->steps = rd_alloc(r, (steps->len + 1) * sizeof(*it->steps));
	int *ratings = rd_alloc(r, (steps->len + 1) * sizeof(int));
	size_t i = 0, n = 0;
	for (const struct jnode *js = steps->child; js; js = js->next, i++) {
		struct step *st = &it->steps[n];
		if (read_step(r, js, i, st, &ratings[n]) < 0)
			return -1;
		if (st->chosen >= 0) {
			n++;
			continue;
		}
		/* a step with neither a chosen nor a human completion ends the
		 * trajectory; in a found_error record its first completion is
		 * the first error, which the solution keeps as its last step */
		if (it->finish && !strcmp(it->finish, "found_error") &&
		    st->nalts && st->alts[0].rating == -1 && !st->alts[0].human) {
			st->text = st->alts[0].text;
			ratings[n++] = -1;
		} else {
			it->tail = st->alts;
			it->ntail = st->nalts;
		}
		break;
	}
	it->nsteps = n;
	if (n == 0 && !it->ntail)
		return rd_fail(r, "the record has no steps");
	if (n) {
		size_t before = it->nlabels;
		rd_ratings(r, it, ratings, n);
		if (it->nlabels > before)
			it->labels[it->nlabels - 1].at = ts;
	}
	if (it->finish) {
		rd_label(r, it, LK_FINISH, -1, 0, it->finish);
		it->labels[it->nlabels - 1].at = ts;
	}
	const struct jnode *vs = jget(q, "pre_generated_verifier_score");
	double score;
	if (vs && jdouble(vs, &score) == 0) {
		struct suggestion *g = rd_suggestion(r, it, "prm", "prm800k-verifier", -1);
		g->value = score;
	}
	it->final_answer = rd_text(r, q, "pre_generated_answer", 0);
	r->err[0] = '\0';
	rd_grade(r, it);
	it->meta = p8_meta(r, rec, q, lab, it);
	/* one labeler may label one problem more than once: time tells apart */
	uint64_t h = hash64(it->problem, strlen(it->problem), 8);
	if (labeler)
		h = hash64(labeler, strlen(labeler), h);
	if (ts)
		h = hash64(ts, strlen(ts), h);
	for (size_t k = 0; k < n; k++)
		h = hash64(it->steps[k].text, strlen(it->steps[k].text), h);
	char *key = arena_alloc(r->a, 24);
	snprintf(key, 24, "p:%016llx", (unsigned long long)h);
	it->key = key;
	return 0;
}

/* ---- export ---- */

static void put_str(struct buf *b, const char *key, const char *v)
{
	wr_key(b, key);
	if (v)
		buf_json_str(b, v, strlen(v));
	else
		buf_puts(b, "null");
}

static void put_alt(struct buf *b, const struct alt *al, int rating)
{
	buf_putc(b, '{');
	put_str(b, "text", al->text);
	buf_putc(b, ',');
	wr_key(b, "rating");
	if (rating == NO_RATING)
		buf_puts(b, "null");
	else
		buf_printf(b, "%d", rating);
	if (al->human) {
		buf_putc(b, ',');
		put_str(b, "source", "human");
	}
	buf_putc(b, ',');
	wr_key(b, "flagged");
	buf_puts(b, al->flagged < 0 ? "null" : al->flagged ? "true" : "false");
	buf_putc(b, '}');
}

/* One element of label.steps from a stored step; flag (-2: none) is the
 * annotator's own "can't judge" on the step taken; fix, the step an
 * annotator wrote for it (NULL: none), is its human completion, the
 * data's own then a completion like the others; the human completion is
 * the step chosen (chosen_completion null, as PRM800K has it) when the
 * step itself is wrong. */
static void put_step(struct buf *b, const struct step *st, int rating,
		     const struct alt *only, size_t nonly, int flag, const struct label *fix)
{
	const struct alt *alts = st ? st->alts : only;
	size_t nalts = st ? st->nalts : nonly;
	const struct alt *human = NULL;
	buf_putc(b, '{');
	wr_key(b, "completions");
	buf_putc(b, '[');
	if (st && !nalts) {
		struct alt one = {st->text, rating, flag == -2 ? -1 : flag, 0};
		put_alt(b, &one, rating);
	}
	size_t nc = 0;
	for (size_t a = 0; a < nalts; a++) {
		struct alt al = alts[a];
		if (al.human && !fix) {
			human = &alts[a];
			continue;
		}
		al.human = 0;
		if (nc++)
			buf_putc(b, ',');
		int rt = st && (int)a == st->chosen ? rating : al.rating;
		put_alt(b, &al, rt);
	}
	buf_puts(b, "],");
	wr_key(b, "human_completion");
	if (fix) {
		struct alt mine = {fix->text, fix->value, 0, 1};
		put_alt(b, &mine, fix->value);
	} else if (human) {
		put_alt(b, human, st && st->chosen == (int)(human - alts) ? rating : human->rating);
	} else {
		buf_puts(b, "null");
	}
	buf_putc(b, ',');
	wr_key(b, "chosen_completion");
	if (fix && (rating == -1 || (nalts && st->chosen < 0)))
		buf_puts(b, "null");
	else if (fix)
		buf_printf(b, "%d", nalts ? st->chosen : 0);
	else if (st && !nalts && st->chosen >= 0)
		buf_printf(b, "%d", st->chosen);
	else if (st && !nalts)
		buf_puts(b, rating == -1 ? "null" : "0");
	else if (st && st->chosen >= 0 && (!human || st->chosen != (int)(human - alts)))
		buf_printf(b, "%d", st->chosen);
	else
		buf_puts(b, "null");
	buf_putc(b, '}');
}

/* The exported annotators' own marks on step i: their ratings of its
 * alternatives (into a copy of st's alts, in a) and their flag on the
 * step taken, which the return value carries (1, 0; -2: none). The
 * newest label of each wins. */
static int own_marks(const struct item *it, size_t i, struct step *st, struct arena *a)
{
	int flag = -2;
	struct alt *copy = NULL;
	for (size_t k = 0; k < it->nlabels; k++) {
		const struct label *l = &it->labels[k];
		if (l->step != (int)i)
			continue;
		if (l->kind == LK_FLAG) {
			flag = l->value == 1;
		} else if (l->kind == LK_ALT_RATING && l->alt >= 0 && st->nalts) {
			int alt = l->alt;
			if ((size_t)alt >= st->nalts || alt == st->chosen)
				continue;
			if (!copy) {
				copy = arena_alloc(a, st->nalts * sizeof(*copy));
				memcpy(copy, st->alts, st->nalts * sizeof(*copy));
				st->alts = copy;
			}
			copy[alt].rating = l->value;
		}
	}
	if (flag != -2 && st->nalts && st->chosen >= 0 && (size_t)st->chosen < st->nalts) {
		if (!copy) {
			copy = arena_alloc(a, st->nalts * sizeof(*copy));
			memcpy(copy, st->alts, st->nalts * sizeof(*copy));
			st->alts = copy;
		}
		copy[st->chosen].flagged = flag;
	}
	return flag;
}

static void put_meta(struct buf *b, const struct jnode *meta, const char *key)
{
	const struct jnode *n = jget(meta, key);
	if (!n)
		return;
	buf_putc(b, ',');
	wr_key(b, key);
	jwrite(b, n);
}

static int p8_write(struct wr *w, const struct item *it, const char *dataset)
{
	(void)dataset;
	int *ratings = xmalloc((it->nsteps + 1) * sizeof(int));
	int fe = item_resolve(it, &w->ro, ratings);
	/* a PRM800K record goes back as it came, null ratings and all */
	if (fe == -2 && !w->o->incomplete && !item_is_prm800k(it)) {
		free(ratings);
		return 1;
	}
	struct arena a = {0};
	const struct jnode *meta = it->meta ? jparse(&a, it->meta, strlen(it->meta)) : NULL;
	const char *labeler = NULL, *ts = NULL;
	for (size_t i = 0; i < it->nlabels; i++) {
		if (it->labels[i].kind == LK_ADJUDICATION)
			continue; /* the adjudicator rated nothing (--agreed says who decided) */
		labeler = it->labels[i].annotator;
		ts = it->labels[i].at;
	}
	if (w->o->agreed && !w->o->source)
		labeler = "agreed"; /* who agreed: "agreement" at the end */
	const struct jnode *mts = jget(meta, "timestamp");
	struct buf *b = &w->out;
	buf_putc(b, '{');
	put_str(b, "labeler", labeler);
	buf_putc(b, ',');
	put_str(b, "timestamp", mts && mts->type == J_STR ? mts->str : ts);
	put_meta(b, meta, "generation");
	put_meta(b, meta, "is_quality_control_question");
	put_meta(b, meta, "is_initial_screening_question");
	buf_putc(b, ',');
	wr_key(b, "question");
	buf_putc(b, '{');
	put_str(b, "problem", it->problem);
	if (it->reference) {
		buf_putc(b, ',');
		put_str(b, "ground_truth_solution", it->reference);
	}
	buf_putc(b, ',');
	put_str(b, "ground_truth_answer", it->gold);
	put_meta(b, meta, "pre_generated_steps");
	const struct jnode *from = jget(meta, "pre_generated_from_steps");
	const struct jnode *rest = jget(meta, "pre_generated_rest");
	long long k;
	if (from && rest && rest->type == J_ARR && jint(from, &k) == 0 &&
	    k >= 0 && (size_t)k <= it->nsteps) {
		buf_putc(b, ',');
		wr_key(b, "pre_generated_steps");
		buf_putc(b, '[');
		for (long long i = 0; i < k; i++) {
			if (i)
				buf_putc(b, ',');
			buf_json_str(b, it->steps[i].text, strlen(it->steps[i].text));
		}
		for (const struct jnode *x = rest->child; x; x = x->next) {
			buf_putc(b, ',');
			jwrite(b, x);
		}
		buf_putc(b, ']');
	}
	put_meta(b, meta, "pre_generated_answer");
	for (size_t i = 0; i < it->nsugs; i++)
		if (it->sugs[i].step < 0 && it->sugs[i].model &&
		    !strcmp(it->sugs[i].model, "prm800k-verifier") &&
		    it->sugs[i].value != NO_VALUE) {
			buf_putc(b, ',');
			wr_key(b, "pre_generated_verifier_score");
			buf_printf(b, "%.17g", it->sugs[i].value);
		}
	buf_puts(b, "},");
	wr_key(b, "label");
	buf_putc(b, '{');
	wr_key(b, "steps");
	buf_putc(b, '[');
	/* steps after the first error carry no label: PRM800K stops there */
	size_t last = fe >= 0 ? (size_t)fe + 1 : it->nsteps;
	for (size_t i = 0; i < last; i++) {
		if (i)
			buf_putc(b, ',');
		struct step st = it->steps[i];
		int flag = own_marks(it, i, &st, &a);
		put_step(b, &st, ratings[i], NULL, 0, flag, wr_correction(w, it, i));
	}
	if (it->ntail && last == it->nsteps) {
		if (last)
			buf_putc(b, ',');
		put_step(b, NULL, NO_RATING, it->tail, it->ntail, -2, NULL);
	}
	buf_putc(b, ']');
	put_meta(b, meta, "total_time");
	const char *finish = it->finish;
	for (size_t i = 0; i < it->nlabels; i++)
		if (it->labels[i].kind == LK_FINISH)
			finish = it->labels[i].text;
	if (!finish)
		finish = fe >= 0 ? "found_error" : "solution";
	buf_putc(b, ',');
	put_str(b, "finish_reason", finish);
	buf_putc(b, '}');
	wr_agreement(w, it);
	buf_puts(b, "}\n");
	arena_free(&a);
	free(ratings);
	w->rows++;
	return 0;
}

const struct format_ops fmt_prm800k = {
	.named_dataset = 1,
	.name = "prm800k",
	.summary = "PRM800K: JSON Lines of labeler, question, label.steps[].completions",
	.own_labels = 1,
	.detect = p8_detect,
	.read = p8_read,
	.write = p8_write,
};
