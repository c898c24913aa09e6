/* fmt_versaprm.c - VersaPRM: a question of some domain and several
 * chains of thought, each a solution with a label per step */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fmt.h"

/*
 * A record: id (or question_id), question, answer, domain (or category,
 * or metadata.category) and chain_of_thoughts, a list of {steps, labels,
 * cot_id, parsed_answer, parsed_answer_correctness}. Each chain is a
 * solution keyed record id ':' cot_id (its index when it has none), the
 * two escaped as --id's fields are. labels is a list of 1, 0, -1 or null
 * per step (shorter than the steps: the rest null), or null: the --as
 * annotator's ratings +1, 0, -1, a null unrated (never 0), a null list
 * none at all. The record's other fields the export writes back (the
 * domain too) are kept in the solution's metadata; "domain" there is what
 * the queue's domain filter and audit --by domain read.
 */

/* the fields of a record, and of a chain, kept as they are */
static const char *const rec_kept[] = {"options", "answer", "answer_index", "src", "metadata"};
static const char *const cot_kept[] = {"cot_id", "parsed_answer", "parsed_answer_correctness"};

static const char *vp_detect(const struct jnode *rec, char *why, size_t n)
{
	static const char *const need[] = {"question", "chain_of_thoughts"};
	const char *no = detect_keys(rec, need, ARRAY_SIZE(need), why, n);
	if (no)
		return no;
	if (jget(rec, "chain_of_thoughts")->type != J_ARR)
		return "\"chain_of_thoughts\" is not a list";
	return NULL;
}

/* the record's id and the field it is in, NULL (both) when none */
static const struct jnode *record_id(const struct jnode *rec, const char **field)
{
	static const char *const names[] = {"id", "question_id"};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		const struct jnode *n = jget(rec, names[i]);
		if (n && (n->type == J_STR || n->type == J_NUM)) {
			*field = names[i];
			return n;
		}
	}
	*field = NULL;
	return NULL;
}

/* the record's domain and the field it is in ("metadata" for its
 * category), NULL (both) when none */
static const char *record_domain(const struct jnode *rec, const char **field)
{
	const struct jnode *n = jget(rec, "domain"), *m = jget(rec, "metadata");
	*field = "domain";
	if (!n || n->type != J_STR) {
		n = jget(rec, "category");
		*field = "category";
	}
	if ((!n || n->type != J_STR) && m && m->type == J_OBJ) {
		n = jget(m, "category");
		*field = "metadata";
	}
	if (!n || n->type != J_STR) {
		*field = NULL;
		return NULL;
	}
	return n->str;
}

static int check_chain(struct rd *r, const struct jnode *c, size_t k)
{
	if (c->type != J_OBJ)
		return rd_fail(r, "chain_of_thoughts[%zu] is a %s, not an object", k,
			       jtype_name(c->type));
	const struct jnode *s = jget(c, "steps"), *l = jget(c, "labels");
	const struct jnode *ok = jget(c, "parsed_answer_correctness"), *id = jget(c, "cot_id");
	if (!s || s->type != J_ARR || !s->len)
		return rd_fail(r, "chain_of_thoughts[%zu]: \"steps\" must be a list of strings, "
			       "not %s", k, s ? s->type == J_ARR ? "empty" : jtype_name(s->type) :
			       "missing");
	size_t i = 0;
	for (const struct jnode *t = s->child; t; t = t->next, i++)
		if (t->type != J_STR)
			return rd_fail(r, "chain_of_thoughts[%zu]: steps[%zu] must be a string, "
				       "not %s", k, i, jtype_name(t->type));
	if (id && id->type != J_STR && id->type != J_NUM)
		return rd_fail(r, "chain_of_thoughts[%zu]: \"cot_id\" must be a string or a "
			       "number, not %s", k, jtype_name(id->type));
	if (ok && ok->type != J_BOOL && ok->type != J_NULL)
		return rd_fail(r, "chain_of_thoughts[%zu]: \"parsed_answer_correctness\" must be "
			       "a boolean, not %s", k, jtype_name(ok->type));
	if (!l || l->type == J_NULL)
		return 0;
	if (l->type != J_ARR)
		return rd_fail(r, "chain_of_thoughts[%zu]: \"labels\" must be a list or null, "
			       "not %s", k, jtype_name(l->type));
	if (l->len > s->len)
		return rd_fail(r, "chain_of_thoughts[%zu]: %zu labels for %zu step%s", k, l->len,
			       s->len, s->len == 1 ? "" : "s");
	i = 0;
	for (const struct jnode *v = l->child; v; v = v->next, i++) {
		long long x;
		if (v->type != J_NULL && (jint(v, &x) < 0 || x < -1 || x > 1))
			return rd_fail(r, "chain_of_thoughts[%zu]: labels[%zu] must be 1, 0, -1 "
				       "or null, not %s", k, i,
				       v->type == J_NUM ? v->str : jtype_name(v->type));
	}
	return 0;
}

/* The record checked whole: its chains, or -1 (none is imported). */
static long vp_solutions(struct rd *r, const struct jnode *rec)
{
	if (rec->type != J_OBJ)
		return rd_fail(r, "the record is a %s, not an object", jtype_name(rec->type));
	const struct jnode *q = jget(rec, "question"), *c = jget(rec, "chain_of_thoughts");
	if (!q || q->type != J_STR)
		return rd_fail(r, "field \"question\" must be a string, not %s",
			       q ? jtype_name(q->type) : "missing");
	if (!c || c->type != J_ARR)
		return rd_fail(r, "field \"chain_of_thoughts\" must be a list, not %s",
			       c ? jtype_name(c->type) : "missing");
	if (!c->len)
		return rd_fail(r, "\"chain_of_thoughts\" is empty");
	size_t k = 0;
	for (const struct jnode *t = c->child; t; t = t->next, k++)
		if (check_chain(r, t, k) < 0)
			return -1;
	return (long)c->len;
}

static void put_escaped(struct buf *b, const char *v)
{
	for (const char *p = v; *p; p++) {
		if (*p == ':' || *p == '\\')
			buf_putc(b, '\\');
		buf_putc(b, *p);
	}
}

static void put_kept(struct buf *b, const char *obj, const struct jnode *n,
		     const char *const *keys, size_t nkeys)
{
	buf_putc(b, ',');
	wr_key(b, obj);
	buf_putc(b, '{');
	int any = 0;
	for (size_t i = 0; i < nkeys; i++) {
		const struct jnode *v = jget(n, keys[i]);
		if (!v)
			continue;
		if (any++)
			buf_putc(b, ',');
		wr_key(b, keys[i]);
		jwrite(b, v);
	}
	buf_putc(b, '}');
}

/* The key (record ':' chain) and the metadata: the domain, the record's
 * key and what its export writes back. */
static void key_and_meta(struct rd *r, const struct jnode *rec, const struct jnode *c,
			 struct item *it)
{
	const char *idf, *dmf;
	const struct jnode *id = record_id(rec, &idf), *cid = jget(c, "cot_id");
	const char *domain = record_domain(rec, &dmf);
	struct buf k = {0}, m = {0};
	if (id) {
		put_escaped(&k, id->str);
	} else {
		const char *q = jget(rec, "question")->str;
		buf_printf(&k, "h:%016llx", (unsigned long long)hash64(q, strlen(q), 1));
	}
	buf_puts(&m, "{\"record\":");
	buf_json_str(&m, k.data, k.len);
	buf_putc(&k, ':');
	if (cid)
		put_escaped(&k, cid->str);
	else
		buf_printf(&k, "%zu", r->sub);
	it->key = arena_strndup(r->a, k.data, k.len);
	if (domain) {
		buf_puts(&m, ",\"domain\":");
		buf_json_str(&m, domain, strlen(domain));
		buf_puts(&m, ",\"domain_field\":");
		buf_json_str(&m, dmf, strlen(dmf));
	}
	if (id) {
		buf_puts(&m, ",\"id_field\":");
		buf_json_str(&m, idf, strlen(idf));
		buf_puts(&m, ",\"id\":");
		jwrite(&m, id);
	}
	const struct jnode *l = jget(c, "labels");
	if (l && l->type == J_ARR) /* a list of nulls is not a null */
		buf_printf(&m, ",\"labels_len\":%zu", l->len);
	put_kept(&m, "record_fields", rec, rec_kept, ARRAY_SIZE(rec_kept));
	put_kept(&m, "chain_fields", c, cot_kept, ARRAY_SIZE(cot_kept));
	buf_putc(&m, '}');
	it->meta = arena_strndup(r->a, m.data, m.len);
	buf_free(&k);
	buf_free(&m);
}

static int vp_read(struct rd *r, const struct jnode *rec, struct item *it)
{
	/* vp_solutions checked the record; the checks again are cheap */
	const struct jnode *cs = jget(rec, "chain_of_thoughts"), *q = jget(rec, "question");
	if (!cs || cs->type != J_ARR || !q || q->type != J_STR)
		return rd_fail(r, "not a VersaPRM record (question, chain_of_thoughts)");
	const struct jnode *c = cs->child;
	for (size_t i = 0; i < r->sub && c; i++)
		c = c->next;
	if (!c)
		return rd_fail(r, "chain_of_thoughts[%zu] is missing", r->sub);
	it->problem = q->str;
	it->gold = rd_text(r, rec, "answer", 0);
	if (r->err[0])
		return -1;
	const char **steps;
	size_t n;
	if (rd_str_list(r, c, "steps", &steps, &n) < 0)
		return -1;
	rd_steps(r, it, steps, n);
	const struct jnode *l = jget(c, "labels");
	if (l && l->type == J_ARR) {
		int *marks = rd_alloc(r, (n + 1) * sizeof(int));
		size_t i = 0;
		for (const struct jnode *v = l->child; v; v = v->next, i++) {
			long long x;
			marks[i] = v->type == J_NULL || jint(v, &x) < 0 ? NO_RATING : (int)x;
		}
		for (; i < n; i++)
			marks[i] = NO_RATING;
		rd_ratings(r, it, marks, n); /* none when every one is null */
	}
	const struct jnode *pa = jget(c, "parsed_answer"), *ok = jget(c, "parsed_answer_correctness");
	if (pa && (pa->type == J_STR || pa->type == J_NUM))
		it->final_answer = pa->str;
	if (ok && ok->type == J_BOOL)
		it->correct = ok->boolean;
	rd_grade(r, it);
	key_and_meta(r, rec, c, it);
	return 0;
}

/* ---- writing: a record per run of solutions of one record ---- */

struct vp_state {
	char *record;  /* the record open (its key in its data set), or NULL */
	char *dataset;
};

static void vp_begin(struct wr *w)
{
	w->state = xcalloc(1, sizeof(struct vp_state));
}

static void close_record(struct wr *w)
{
	struct vp_state *st = w->state;
	if (!st->record)
		return;
	buf_puts(&w->out, "]}\n");
	free(st->record);
	free(st->dataset);
	st->record = st->dataset = NULL;
}

/* a kept field of obj in meta, written back as it came */
static void put_field(struct buf *b, const struct jnode *meta, const char *obj, const char *key)
{
	const struct jnode *n = jget(jget(meta, obj), key);
	if (!n)
		return;
	buf_putc(b, ',');
	wr_key(b, key);
	jwrite(b, n);
}

static void open_record(struct wr *w, const struct item *it, const struct jnode *meta)
{
	struct buf *b = &w->out;
	const struct jnode *idf = jget(meta, "id_field"), *id = jget(meta, "id");
	const struct jnode *dmf = jget(meta, "domain_field"), *dm = jget(meta, "domain");
	buf_putc(b, '{');
	if (idf && idf->type == J_STR && id) {
		wr_key(b, idf->str);
		jwrite(b, id);
	} else if (!meta) { /* a solution of another format: a record of its own */
		wr_key(b, "id");
		buf_json_str(b, it->key, strlen(it->key));
	}
	if (b->data[b->len - 1] != '{')
		buf_putc(b, ',');
	wr_key(b, "question");
	buf_json_str(b, it->problem, strlen(it->problem));
	put_field(b, meta, "record_fields", "options");
	if (jget(jget(meta, "record_fields"), "answer")) {
		put_field(b, meta, "record_fields", "answer");
	} else if (it->gold) {
		buf_putc(b, ',');
		wr_key(b, "answer");
		buf_json_str(b, it->gold, strlen(it->gold));
	}
	put_field(b, meta, "record_fields", "answer_index");
	if (dm && dm->type == J_STR && (!dmf || strcmp(dmf->str, "metadata"))) {
		buf_putc(b, ',');
		wr_key(b, dmf && dmf->type == J_STR ? dmf->str : "domain");
		jwrite(b, dm);
	}
	put_field(b, meta, "record_fields", "src");
	put_field(b, meta, "record_fields", "metadata");
	buf_putc(b, ',');
	wr_key(b, "chain_of_thoughts");
	buf_putc(b, '[');
	w->rows++;
}

/* labels: a list of 1, 0, -1 or null, as long as it came (every step
 * when a later label rates one past it), or null when it came null and
 * nothing rates a step */
static void put_labels(struct buf *b, const struct item *it, const int *ratings,
		       const struct jnode *meta)
{
	long long len = -1;
	const struct jnode *ln = jget(meta, "labels_len");
	if (ln && (jint(ln, &len) < 0 || len > (long long)it->nsteps))
		len = -1;
	for (size_t i = 0; i < it->nsteps; i++)
		if (ratings[i] != NO_RATING && (long long)i >= len)
			len = (long long)it->nsteps;
	wr_key(b, "labels");
	if (len < 0) {
		buf_puts(b, "null");
		return;
	}
	buf_putc(b, '[');
	for (long long i = 0; i < len; i++) {
		int v = ratings[i];
		buf_puts(b, i ? "," : "");
		if (v == NO_RATING)
			buf_puts(b, "null");
		else
			buf_printf(b, "%d", v > 0 ? 1 : v < 0 ? -1 : 0);
	}
	buf_putc(b, ']');
}

static int vp_write(struct wr *w, const struct item *it, const char *dataset)
{
	struct vp_state *st = w->state;
	struct arena a = {0};
	const struct jnode *meta = it->meta ? jparse(&a, it->meta, strlen(it->meta)) : NULL;
	const struct jnode *rk = jget(meta, "record");
	if (meta && (meta->type != J_OBJ || !rk || rk->type != J_STR)) {
		meta = NULL; /* another format's solution: a record of its own */
		rk = NULL;
	}
	const char *record = rk ? rk->str : it->key;
	struct buf *b = &w->out;
	if (st->record && (!rk || strcmp(st->record, record) || strcmp(st->dataset, dataset)))
		close_record(w);
	if (!st->record) {
		open_record(w, it, meta);
		if (rk) {
			st->record = xstrdup(record);
			st->dataset = xstrdup(dataset);
		}
	} else {
		buf_putc(b, ',');
	}
	int *ratings = xmalloc((it->nsteps + 1) * sizeof(int));
	item_resolve(it, &w->ro, ratings);
	buf_putc(b, '{');
	wr_steps(b, "steps", it);
	buf_putc(b, ',');
	put_labels(b, it, ratings, meta);
	free(ratings);
	if (meta) {
		for (size_t i = 0; i < ARRAY_SIZE(cot_kept); i++)
			put_field(b, meta, "chain_fields", cot_kept[i]);
	} else if (it->final_answer) {
		buf_putc(b, ',');
		wr_key(b, "parsed_answer");
		buf_json_str(b, it->final_answer, strlen(it->final_answer));
	}
	if (!meta && it->correct >= 0) {
		buf_putc(b, ',');
		wr_key(b, "parsed_answer_correctness");
		buf_puts(b, it->correct ? "true" : "false");
	}
	wr_agreement(w, it);
	buf_putc(b, '}');
	if (!st->record)
		buf_puts(b, "]}\n");
	arena_free(&a);
	return 0;
}

static void vp_end(struct wr *w)
{
	close_record(w);
	free(w->state);
	w->state = NULL;
}

const struct format_ops fmt_versaprm = {
	.name = "versaprm",
	.summary = "VersaPRM: question, answer, domain, chain_of_thoughts of steps and labels "
		   "(1, 0, -1 or null per step), several solutions per record",
	.detect = vp_detect,
	.solutions = vp_solutions,
	.read = vp_read,
	.write_begin = vp_begin,
	.write = vp_write,
	.write_end = vp_end,
};
