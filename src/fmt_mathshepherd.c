/* fmt_mathshepherd.c - Math-Shepherd: steps tagged "ки", labels + / - */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fmt.h"

#define TAG "\xd0\xba\xd0\xb8" /* ки */
#define TAGLEN 4

static const char *ms_detect(const struct jnode *rec, char *why, size_t n)
{
	(void)why;
	(void)n;
	if (rec->type != J_OBJ)
		return "the record is not an object";
	const struct jnode *in = jget(rec, "input"), *lb = jget(rec, "label");
	if (!in || in->type != J_STR)
		return "no \"input\" string";
	if (!lb || lb->type != J_STR)
		return "no \"label\" string";
	if (!strstr(in->str, TAG))
		return "\"input\" has no step tag";
	return NULL;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}

static const char *trimmed(struct rd *r, const char *s, const char *e)
{
	while (s < e && is_blank(*s))
		s++;
	while (e > s && is_blank(e[-1]))
		e--;
	return arena_strndup(r->a, s, (size_t)(e - s));
}

/* Walks input and label together: where input has a tag, label has one
 * character. Fills tags[] (offsets into input) and marks[]. */
static int pair_tags(struct rd *r, const char *in, const char *lb,
		     const char **tags, char *marks, size_t *ntags)
{
	size_t n = 0;
	const char *p = in, *q = lb;
	for (;;) {
		const char *t = strstr(p, TAG);
		size_t run = t ? (size_t)(t - p) : strlen(p);
		if (strncmp(p, q, run) != 0 || (!t && q[run] != '\0'))
			return rd_fail(r, "\"label\" is not \"input\" with each step tag replaced (they differ near byte %zu)",
				       (size_t)(p - in) + run);
		if (!t)
			break;
		q += run;
		if (*q != '+' && *q != '-')
			return rd_fail(r, "step tag %zu is labelled '%c', not '+' or '-'",
				       n + 1, *q ? *q : '?');
		tags[n] = t;
		marks[n++] = *q;
		p = t + TAGLEN;
		q++;
	}
	*ntags = n;
	return 0;
}

static void meta_put(struct buf *b, const char *key, const char *v, size_t n)
{
	if (b->len > 1)
		buf_putc(b, ',');
	wr_key(b, key);
	buf_json_str(b, v, n);
}

static int ms_read(struct rd *r, const struct jnode *rec, struct item *it)
{
	if (rec->type != J_OBJ)
		return rd_fail(r, "the record is a %s, not an object",
			       jtype_name(rec->type));
	const char *in = rd_str(r, rec, "input", 1);
	if (!in)
		return -1;
	const char *lb = rd_str(r, rec, "label", 1);
	if (!lb)
		return -1;
	const char *task = rd_str(r, rec, "task", 0);
	if (!task && r->err[0])
		return -1;
	size_t max = strlen(in) / TAGLEN + 1, ntags = 0;
	const char **tags = rd_alloc(r, max * sizeof(*tags));
	char *marks = rd_alloc(r, max);
	if (pair_tags(r, in, lb, tags, marks, &ntags) < 0)
		return -1;
	if (ntags == 0)
		return rd_fail(r, "\"input\" has no step tag (\"" TAG "\")");
	const char *s1 = strstr(in, "Step 1:");
	if (!s1)
		return rd_fail(r, "no \"Step 1:\" in \"input\": cannot tell the question from the steps");
	/* tags before "Step 1:" are stray: part of the question, reported */
	size_t first = 0;
	while (first < ntags && tags[first] < s1)
		first++;
	if (first == ntags)
		return rd_fail(r, "no step tag after \"Step 1:\"");
	struct buf q = {0};
	const char *p = in;
	for (size_t i = 0; i < first; i++) {
		buf_add(&q, p, (size_t)(tags[i] - p));
		p = tags[i] + TAGLEN;
	}
	buf_add(&q, p, (size_t)(s1 - p));
	it->problem = trimmed(r, q.data, q.data + q.len);
	buf_free(&q);
	if (first && r->warn) {
		char msg[160];
		snprintf(msg, sizeof(msg),
			 "%zu stray step tag%s before \"Step 1:\" kept as question text",
			 first, first > 1 ? "s" : "");
		r->warn(r, msg);
	}
	size_t n = ntags - first;
	it->steps = rd_alloc(r, n * sizeof(*it->steps));
	p = s1;
	for (size_t i = 0; i < n; i++) {
		it->steps[i].text = trimmed(r, p, tags[first + i]);
		it->steps[i].chosen = -1;
		p = tags[first + i] + TAGLEN;
	}
	it->nsteps = n;
	const char *rest = p;
	while (*rest && is_blank(*rest))
		rest++;
	if (*rest && r->warn)
		r->warn(r, "text after the last step tag is kept only in the record's original input");
	int *rt = rd_alloc(r, n * sizeof(int));
	for (size_t i = 0; i < n; i++) {
		int good = marks[first + i] == '+';
		rt[i] = good ? 1 : -1;
		if (!r->o->as_labels) {
			struct suggestion *g = rd_suggestion(r, it, "mc", "math-shepherd", (int)i);
			g->value = good;
		}
	}
	if (r->o->as_labels)
		rd_ratings(r, it, rt, n);
	/* the original layout, so that an export gives back the same text */
	struct buf m = {0};
	buf_putc(&m, '{');
	meta_put(&m, "input", in, strlen(in));
	if (first)
		meta_put(&m, "stray", marks, first);
	if (task)
		meta_put(&m, "task", task, strlen(task));
	buf_putc(&m, '}');
	it->meta = arena_strndup(r->a, m.data, m.len);
	buf_free(&m);
	rd_grade(r, it);
	it->key = rd_content_key(r, it);
	return 0;
}

/* '+' while the solution can still reach the answer, '-' from the first
 * error on (Math-Shepherd semantics). */
static void marks_from(const int *ratings, size_t n, int fe, char *marks)
{
	for (size_t i = 0; i < n; i++)
		marks[i] = (fe >= 0 && (int)i >= fe) || ratings[i] == -1 ? '-' : '+';
}

static int ms_write(struct wr *w, const struct item *it, const char *dataset)
{
	int *ratings = xmalloc((it->nsteps + 1) * sizeof(int));
	int fe = item_resolve(it, &w->ro, ratings);
	if (fe == -2) {
		free(ratings);
		return 1;
	}
	char *marks = xmalloc(it->nsteps + 1);
	marks_from(ratings, it->nsteps, fe, marks);
	struct arena a = {0};
	const struct jnode *meta = it->meta ? jparse(&a, it->meta, strlen(it->meta)) : NULL;
	const struct jnode *raw = jget(meta, "input"), *stray = jget(meta, "stray");
	const struct jnode *task = jget(meta, "task");
	struct buf in = {0}, lb = {0};
	size_t nstray = stray && stray->type == J_STR ? stray->len : 0;
	size_t ntags = 0;
	if (raw && raw->type == J_STR)
		for (const char *t = strstr(raw->str, TAG); t; t = strstr(t + TAGLEN, TAG))
			ntags++;
	if (raw && raw->type == J_STR && ntags == nstray + it->nsteps) {
		buf_add(&in, raw->str, raw->len);
		const char *p = raw->str;
		size_t k = 0;
		for (const char *t = strstr(p, TAG); t; t = strstr(p, TAG), k++) {
			buf_add(&lb, p, (size_t)(t - p));
			buf_putc(&lb, k < nstray ? stray->str[k] : marks[k - nstray]);
			p = t + TAGLEN;
		}
		buf_puts(&lb, p);
	} else {
		buf_puts(&in, it->problem);
		buf_puts(&lb, it->problem);
		for (size_t i = 0; i < it->nsteps; i++) {
			const char *sep = i ? "\n" : " ";
			buf_puts(&in, sep);
			buf_puts(&lb, sep);
			buf_puts(&in, it->steps[i].text);
			buf_puts(&lb, it->steps[i].text);
			buf_puts(&in, " " TAG);
			buf_putc(&lb, ' ');
			buf_putc(&lb, marks[i]);
		}
	}
	struct buf *b = &w->out;
	buf_putc(b, '{');
	wr_key(b, "input");
	buf_json_str(b, in.data, in.len);
	buf_putc(b, ',');
	wr_key(b, "label");
	buf_json_str(b, lb.data, lb.len);
	buf_putc(b, ',');
	wr_key(b, "task");
	if (task && task->type == J_STR)
		buf_json_str(b, task->str, task->len);
	else
		buf_json_str(b, dataset, strlen(dataset));
	buf_puts(b, "}\n");
	w->rows++;
	buf_free(&in);
	buf_free(&lb);
	arena_free(&a);
	free(marks);
	free(ratings);
	return 0;
}

const struct format_ops fmt_mathshepherd = {
	.named_dataset = 1,
	.name = "math-shepherd",
	.summary = "Math-Shepherd: JSON Lines of input (steps tagged \"" TAG "\"), label (+/-), task",
	.detect = ms_detect,
	.read = ms_read,
	.write = ms_write,
};
