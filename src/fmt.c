/* fmt.c - the format registry and what every format shares */
#include "config.h"

#include <errno.h>

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "grade.h"

/* The formats: a line each in formats.def. */
#define F(ops) extern const struct format_ops ops;
#include "formats.def"
#undef F
#define F(ops) &ops,
static const struct format_ops *const formats[] = {
#include "formats.def"
	NULL,
};
#undef F

const struct format_ops *const *format_list(void)
{
	return formats;
}

void format_names(char *out, size_t n, int want_read)
{
	size_t o = 0;
	out[0] = '\0';
	for (int i = 0; formats[i] && o < n; i++)
		if (want_read ? formats[i]->read != NULL : formats[i]->write != NULL)
			o += (size_t)snprintf(out + o, n - o, "%s%s", o ? ", " : "", formats[i]->name);
}

const struct format_ops *format_find(const char *name)
{
	for (int i = 0; formats[i]; i++)
		if (strcmp(formats[i]->name, name) == 0)
			return formats[i];
	return NULL;
}

const char *detect_keys(const struct jnode *rec, const char *const *keys,
			size_t n, char *why, size_t len)
{
	if (rec->type != J_OBJ)
		return "the record is not an object";
	for (size_t i = 0; i < n; i++)
		if (!jget(rec, keys[i])) {
			snprintf(why, len, "no \"%s\" field", keys[i]);
			return why;
		}
	return NULL;
}

int rd_fail(struct rd *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
	return -1;
}

void *rd_alloc(struct rd *r, size_t n)
{
	void *p = arena_alloc(r->a, n);
	memset(p, 0, n);
	return p;
}

static const struct jnode *field(struct rd *r, const struct jnode *obj,
				 const char *key, int required)
{
	const struct jnode *n = strchr(key, '.') ? jpath(obj, key) : jget(obj, key);
	if ((!n || n->type == J_NULL) && required) {
		rd_fail(r, n ? "field \"%s\" is null" : "field \"%s\" is missing", key);
		return NULL;
	}
	return n && n->type != J_NULL ? n : NULL;
}

const char *rd_str(struct rd *r, const struct jnode *obj, const char *key,
		   int required)
{
	const struct jnode *n = field(r, obj, key, required);
	if (!n)
		return NULL;
	if (n->type != J_STR) {
		rd_fail(r, "field \"%s\" must be a string, not %s", key,
			jtype_name(n->type));
		return NULL;
	}
	return n->str;
}

const char *rd_text(struct rd *r, const struct jnode *obj, const char *key,
		    int required)
{
	const struct jnode *n = field(r, obj, key, required);
	if (n && n->type == J_NUM)
		return n->str;
	return n ? rd_str(r, obj, key, required) : NULL;
}

int rd_str_list(struct rd *r, const struct jnode *obj, const char *key,
		const char ***out, size_t *count)
{
	const struct jnode *n = field(r, obj, key, 1);
	if (!n)
		return -1;
	if (n->type != J_ARR)
		return rd_fail(r, "field \"%s\" must be a list of strings, not %s",
			       key, jtype_name(n->type));
	const char **v = rd_alloc(r, (n->len + 1) * sizeof(*v));
	size_t i = 0;
	for (const struct jnode *c = n->child; c; c = c->next, i++) {
		if (c->type != J_STR)
			return rd_fail(r, "field \"%s\"[%zu] must be a string, not %s",
				       key, i, jtype_name(c->type));
		v[i] = c->str;
	}
	*out = v;
	*count = i;
	return 0;
}

void rd_steps(struct rd *r, struct item *it, const char **texts, size_t n)
{
	it->steps = rd_alloc(r, (n ? n : 1) * sizeof(*it->steps));
	for (size_t i = 0; i < n; i++) {
		it->steps[i].text = texts[i];
		it->steps[i].chosen = -1;
	}
	it->nsteps = n;
}

/* Items hold few labels: grow by doubling inside the arena. */
static void *push(struct rd *r, void *arr, size_t n, size_t size)
{
	/* capacity: 4, then the next power of two; grow when n reaches it */
	if (n != 0 && (n < 4 || (n & (n - 1))))
		return arr;
	size_t cap = n ? 2 * n : 4;
	void *p = rd_alloc(r, cap * size);
	if (n)
		memcpy(p, arr, n * size);
	return p;
}

void rd_label(struct rd *r, struct item *it, enum label_kind kind, int step,
	      int value, const char *text)
{
	it->labels = push(r, it->labels, it->nlabels, sizeof(*it->labels));
	struct label *l = &it->labels[it->nlabels++];
	l->kind = kind;
	l->step = step;
	l->value = value;
	l->text = text;
	l->annotator = r->annotator;
	l->origin = r->dataset;
	l->at = NULL;
	l->alt = -1;
	l->fe = NO_RATING;
}

void rd_ratings(struct rd *r, struct item *it, const int *marks, size_t n)
{
	char *s = arena_alloc(r->a, n + 1);
	int any = 0;
	for (size_t i = 0; i < n; i++) {
		s[i] = marks[i] == 1 ? '+' : marks[i] == 0 ? '0' : marks[i] == -1 ? '-' : '.';
		any |= marks[i] != NO_RATING;
	}
	s[n] = '\0';
	if (any)
		rd_label(r, it, LK_RATINGS, -1, 0, s);
}

struct suggestion *rd_suggestion(struct rd *r, struct item *it,
				 const char *source, const char *model, int step)
{
	it->sugs = push(r, it->sugs, it->nsugs, sizeof(*it->sugs));
	struct suggestion *g = &it->sugs[it->nsugs++];
	memset(g, 0, sizeof(*g));
	g->source = source;
	g->model = model;
	g->origin = r->dataset;
	g->step = step;
	g->value = NO_VALUE;
	g->first_error = -2;
	return g;
}

void rd_grade(struct rd *r, struct item *it)
{
	if (!it->final_answer && it->nsteps) {
		const char *s;
		size_t n;
		if (grade_extract(it->steps[it->nsteps - 1].text, &s, &n) == 0)
			it->final_answer = arena_strndup(r->a, s, n);
	}
	if (it->correct < 0 && it->final_answer && it->gold &&
	    !grade_too_deep(it->final_answer) && !grade_too_deep(it->gold))
		it->correct = grade_answer(it->final_answer, it->gold);
}

const char *rd_content_key(struct rd *r, const struct item *it)
{
	uint64_t h = hash64(it->problem, strlen(it->problem), 1);
	for (size_t i = 0; i < it->nsteps; i++)
		h = hash64(it->steps[i].text, strlen(it->steps[i].text), h);
	char *k = arena_alloc(r->a, 24);
	snprintf(k, 24, "h:%016llx", (unsigned long long)h);
	return k;
}

static int item_holds(const struct item *it, const char *marker)
{
	if (it->problem && strstr(it->problem, marker))
		return 1;
	for (size_t i = 0; i < it->nsteps; i++)
		if (strstr(it->steps[i].text, marker))
			return 1;
	return 0;
}

int wr_prm_labels(struct wr *w, const struct item *it, const char *marker, int **labels,
		  size_t *n)
{
	*labels = NULL;
	*n = 0;
	w->marker = marker;
	if (marker && item_holds(it, marker))
		return 2;
	int *ratings = xmalloc((it->nsteps + 1) * sizeof(int));
	int fe = item_resolve(it, &w->ro, ratings);
	if (fe == -2) {
		free(ratings);
		return 1;
	}
	/* the ratings' array becomes the labels */
	*n = fe < 0 ? it->nsteps : (size_t)fe + 1;
	for (size_t i = 0; i < *n; i++)
		ratings[i] = (int)i != fe;
	*labels = ratings;
	return 0;
}

void wr_category(struct wr *w, const struct item *it, int step, const char *kc,
		 const char *kr)
{
	if (w->ro.source || w->ro.agreed || step < 0)
		return;
	const struct label *c = NULL;
	for (size_t i = 0; i < it->nlabels; i++)
		if (it->labels[i].kind == LK_CATEGORY && it->labels[i].step == step)
			c = &it->labels[i];
	if (!c || !c->text)
		return;
	struct buf *b = &w->out;
	buf_putc(b, ',');
	wr_key(b, kc);
	buf_json_str(b, c->text, strlen(c->text));
	buf_putc(b, ',');
	wr_key(b, kr);
	buf_puts(b, c->value == 1 ? "true" : c->value == 0 ? "false" : "null");
}

void wr_steps(struct buf *b, const char *key, const struct item *it)
{
	wr_key(b, key);
	buf_putc(b, '[');
	for (size_t i = 0; i < it->nsteps; i++) {
		if (i)
			buf_putc(b, ',');
		buf_json_str(b, it->steps[i].text, strlen(it->steps[i].text));
	}
	buf_putc(b, ']');
}

int rd_int_text(struct rd *r, const struct jnode *v, const char *field, long long *out)
{
	char *end;
	if (v->type == J_NUM) {
		if (jint(v, out) < 0)
			return rd_fail(r, "%s %s is not an integer", field, v->str);
		return 0;
	}
	if (v->type != J_STR)
		return -2;
	errno = 0;
	*out = strtoll(v->str, &end, 10);
	if (end == v->str || *end || errno)
		return rd_fail(r, "%s \"%s\" is not an integer", field, v->str);
	return 0;
}

int wr_per_annotator(struct wr *w, const struct item *it, wr_record_fn put)
{
	int *ratings = xmalloc((it->nsteps + 1) * sizeof(int));
	int rc = 1;
	if (w->ro.source || w->ro.agreed) {
		rc = put(w, it, w->ro.source, ratings);
		free(ratings);
		return rc;
	}
	struct label *mine = xmalloc((it->nlabels + 1) * sizeof(*mine));
	for (size_t a = 0; a < it->nlabels; a++) {
		const char *who = it->labels[a].annotator;
		size_t j = 0;
		while (j < a && strcmp(it->labels[j].annotator, who))
			j++;
		if (j < a)
			continue; /* done with the first of theirs */
		struct item one = *it;
		one.labels = mine;
		one.nlabels = 0;
		for (size_t i = a; i < it->nlabels; i++)
			if (!strcmp(it->labels[i].annotator, who))
				mine[one.nlabels++] = it->labels[i];
		if (put(w, &one, who, ratings) == 0)
			rc = 0;
	}
	free(mine);
	free(ratings);
	return rc;
}

void wr_agreement(struct wr *w, const struct item *it)
{
	if (!w->o->agreed || !it->agreed.rule)
		return;
	struct buf *b = &w->out;
	buf_putc(b, ',');
	wr_key(b, "agreement");
	buf_putc(b, '{');
	wr_key(b, "rule");
	buf_json_str(b, it->agreed.rule, strlen(it->agreed.rule));
	buf_putc(b, ',');
	wr_key(b, "agreed_by");
	buf_putc(b, '[');
	const char *p = it->agreed.by ? it->agreed.by : "";
	while (*p) {
		size_t n = strcspn(p, ",");
		if (p != it->agreed.by)
			buf_putc(b, ',');
		buf_json_str(b, p, n);
		p += n + (p[n] == ',');
	}
	buf_puts(b, "],");
	wr_key(b, "policy");
	buf_json_str(b, it->agreed.policy ? it->agreed.policy : "",
		     it->agreed.policy ? strlen(it->agreed.policy) : 0);
	buf_putc(b, '}');
}

const struct label *wr_correction(const struct wr *w, const struct item *it, size_t i)
{
	if (w->o->source)
		return NULL;
	if (w->o->agreed)
		return item_correction(it, i, it->agreed.by ? it->agreed.by : "");
	return item_correction(it, i, NULL);
}

void wr_flush(struct wr *w, int force)
{
	if (w->out.len && (force || w->out.len >= 64 * 1024)) {
		if (w->tty) { /* a terminal interprets escapes: show them instead */
			size_t n = w->out.len, keep = 0;
			/* a character cut by the flush waits for its end */
			while (!force && keep < 3 && keep < n &&
			       ((unsigned char)w->out.data[n - 1 - keep] & 0xc0) == 0x80)
				keep++;
			if (!force && keep < n && ((unsigned char)w->out.data[n - 1 - keep] & 0xc0) == 0xc0)
				keep++;
			else if (!force)
				keep = 0;
			struct buf t = {0};
			inert_text_into(&t, w->out.data, n - keep, 1);
			if (fwrite(t.data, 1, t.len, w->fp) != t.len && !w->err)
				w->err = errno ? errno : EIO;
			buf_free(&t);
			memmove(w->out.data, w->out.data + n - keep, keep);
			w->out.len = keep;
			w->out.data[keep] = '\0';
		} else {
			if (fwrite(w->out.data, 1, w->out.len, w->fp) != w->out.len && !w->err)
				w->err = errno ? errno : EIO;
			buf_reset(&w->out);
		}
	}
}

void wr_key(struct buf *b, const char *key)
{
	buf_json_str(b, key, strlen(key));
	buf_putc(b, ':');
}
