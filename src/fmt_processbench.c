/* fmt_processbench.c - ProcessBench: id, generator, problem, steps, label */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fmt.h"

static const char *pb_detect(const struct jnode *rec, char *why, size_t n)
{
	static const char *const need[] = {"problem", "steps", "label"};
	const char *no = detect_keys(rec, need, ARRAY_SIZE(need), why, n);
	if (no)
		return no;
	const struct jnode *s = jget(rec, "steps"), *l = jget(rec, "label");
	if (s->type != J_ARR)
		return "\"steps\" is not a list";
	if (l->type != J_NUM)
		return "\"label\" is not a number";
	return NULL;
}

static int pb_read(struct rd *r, const struct jnode *rec, struct item *it)
{
	if (rec->type != J_OBJ)
		return rd_fail(r, "the record is a %s, not an object",
			       jtype_name(rec->type));
	const char **steps;
	size_t n;
	it->key = rd_text(r, rec, "id", 0);
	if (!it->key && r->err[0])
		return -1;
	it->generator = rd_str(r, rec, "generator", 0);
	if (!(it->problem = rd_str(r, rec, "problem", 1)))
		return -1;
	if (rd_str_list(r, rec, "steps", &steps, &n) < 0)
		return -1;
	if (n == 0)
		return rd_fail(r, "\"steps\" is empty");
	rd_steps(r, it, steps, n);
	const struct jnode *c = jget(rec, "final_answer_correct");
	if (c && c->type == J_BOOL)
		it->correct = c->boolean;
	else if (c && c->type != J_NULL)
		return rd_fail(r, "field \"final_answer_correct\" must be a boolean, not %s",
			       jtype_name(c->type));
	long long label;
	const struct jnode *l = jget(rec, "label");
	if (!l)
		return rd_fail(r, "field \"label\" is missing");
	if (jint(l, &label) < 0)
		return rd_fail(r, "field \"label\" must be an integer, not %s",
			       l->type == J_NUM ? l->str : jtype_name(l->type));
	if (label < -1 || label >= (long long)n)
		return rd_fail(r, "label %lld is outside the %zu steps (-1 .. %zu)",
			       label, n, n - 1);
	rd_label(r, it, LK_FIRST_ERROR, -1, (int)label, NULL);
	rd_grade(r, it); /* the final answer, from the last step */
	/* no gold answer in ProcessBench: a solution marked correct gives its
	 * problem one, marked as derived */
	if (it->correct == 1 && it->final_answer) {
		it->gold = it->final_answer;
		it->gold_derived = 1;
	}
	if (!it->key)
		it->key = rd_content_key(r, it);
	return 0;
}

static void pb_begin(struct wr *w)
{
	buf_puts(&w->out, "[");
}

static int pb_write(struct wr *w, const struct item *it, const char *dataset)
{
	(void)dataset;
	int *ratings = xmalloc((it->nsteps + 1) * sizeof(int));
	int fe = item_resolve(it, &w->ro, ratings);
	free(ratings);
	if (fe == -2)
		return 1;
	struct buf *b = &w->out;
	buf_puts(b, w->solutions ? ",\n  {" : "\n  {");
	wr_key(b, "id");
	buf_json_str(b, it->key, strlen(it->key));
	if (it->generator) {
		buf_putc(b, ',');
		wr_key(b, "generator");
		buf_json_str(b, it->generator, strlen(it->generator));
	}
	buf_putc(b, ',');
	wr_key(b, "problem");
	buf_json_str(b, it->problem, strlen(it->problem));
	buf_putc(b, ',');
	wr_steps(b, "steps", it);
	buf_putc(b, ',');
	wr_key(b, "final_answer_correct");
	buf_puts(b, it->correct < 0 ? "null" : it->correct ? "true" : "false");
	buf_putc(b, ',');
	wr_key(b, "label");
	buf_printf(b, "%d", fe);
	wr_category(w, it, fe, "category", "recovered");
	wr_agreement(w, it);
	buf_putc(b, '}');
	w->rows++;
	return 0;
}

static void pb_end(struct wr *w)
{
	buf_puts(&w->out, w->solutions ? "\n]\n" : "]\n");
}

const struct format_ops fmt_processbench = {
	.name = "processbench",
	.summary = "ProcessBench: a JSON array (or JSON Lines) of id, generator, problem, steps, final_answer_correct, label",
	.detect = pb_detect,
	.read = pb_read,
	.write_begin = pb_begin,
	.write = pb_write,
	.write_end = pb_end,
};
