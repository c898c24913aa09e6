/* fmt_deltabench.c - DeltaBench: a long chain of thought cut into
 * sections, with every erroneous and unuseful section named */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fmt.h"

/*
 * A record: question, sections_content (the sections, numbered from 1),
 * reason_error_section_numbers and reason_unuseful_section_numbers
 * (lists of section numbers). The sections are the steps; the labels are
 * one rating per section, by the --as annotator: -1 each erroneous one,
 * 0 each unuseful one, +1 the others (DeltaBench judges every section).
 */

static const char *db_detect(const struct jnode *rec, char *why, size_t n)
{
	static const char *const need[] = {"question", "sections_content",
					   "reason_error_section_numbers"};
	const char *no = detect_keys(rec, need, ARRAY_SIZE(need), why, n);
	if (no)
		return no;
	if (jget(rec, "sections_content")->type != J_ARR)
		return "\"sections_content\" is not a list";
	return NULL;
}

/* The section numbers of a list field (missing or null: none) into marks
 * as mark; -1 with the reason on a number outside 1..n. */
static int mark_sections(struct rd *r, const struct jnode *rec, const char *key, int *marks,
			 size_t n, int mark)
{
	const struct jnode *l = jget(rec, key);
	if (!l || l->type == J_NULL)
		return 0;
	if (l->type != J_ARR)
		return rd_fail(r, "field \"%s\" must be a list of section numbers, not %s", key,
			       jtype_name(l->type));
	for (const struct jnode *c = l->child; c; c = c->next) {
		long long v;
		if (jint(c, &v) < 0)
			return rd_fail(r, "field \"%s\" must hold integers, not %s", key,
				       c->type == J_NUM ? c->str : jtype_name(c->type));
		if (v < 1 || v > (long long)n)
			return rd_fail(r, "%s: section %lld is outside the %zu sections (numbered from 1)",
				       key, v, n);
		if (marks[v - 1] != -1) /* an error stays an error */
			marks[v - 1] = mark;
	}
	return 0;
}

static int db_read(struct rd *r, const struct jnode *rec, struct item *it)
{
	if (rec->type != J_OBJ)
		return rd_fail(r, "the record is a %s, not an object", jtype_name(rec->type));
	it->key = rd_text(r, rec, "id", 0);
	if (r->err[0] || !(it->problem = rd_str(r, rec, "question", 1)))
		return -1;
	const char **sections;
	size_t n;
	if (rd_str_list(r, rec, "sections_content", &sections, &n) < 0)
		return -1;
	if (n == 0)
		return rd_fail(r, "\"sections_content\" is empty");
	rd_steps(r, it, sections, n);
	int *marks = rd_alloc(r, n * sizeof(int));
	for (size_t i = 0; i < n; i++)
		marks[i] = 1;
	if (mark_sections(r, rec, "reason_error_section_numbers", marks, n, -1) < 0 ||
	    mark_sections(r, rec, "reason_unuseful_section_numbers", marks, n, 0) < 0)
		return -1;
	rd_ratings(r, it, marks, n);
	it->gold = rd_text(r, rec, "answer", 0);
	if (r->err[0])
		return -1;
	if (!it->key)
		it->key = rd_content_key(r, it);
	return 0;
}

static void put_numbers(struct buf *b, const char *key, const int *ratings, size_t n, int want)
{
	buf_putc(b, ',');
	wr_key(b, key);
	buf_putc(b, '[');
	int any = 0;
	for (size_t i = 0; i < n; i++)
		if (ratings[i] == want)
			buf_printf(b, "%s%zu", any++ ? "," : "", i + 1);
	buf_putc(b, ']');
}

static int db_write(struct wr *w, const struct item *it, const char *dataset)
{
	(void)dataset;
	int *ratings = xmalloc((it->nsteps + 1) * sizeof(int));
	int fe = item_resolve(it, &w->ro, ratings);
	int whole = fe >= -1;
	for (size_t i = 0; i < it->nsteps && whole; i++)
		whole = ratings[i] != NO_RATING;
	if (!whole) { /* DeltaBench judges every section */
		free(ratings);
		return 1;
	}
	struct buf *b = &w->out;
	buf_putc(b, '{');
	wr_key(b, "id");
	buf_json_str(b, it->key, strlen(it->key));
	buf_putc(b, ',');
	wr_key(b, "question");
	buf_json_str(b, it->problem, strlen(it->problem));
	if (it->gold) {
		buf_putc(b, ',');
		wr_key(b, "answer");
		buf_json_str(b, it->gold, strlen(it->gold));
	}
	buf_putc(b, ',');
	wr_steps(b, "sections_content", it);
	put_numbers(b, "reason_error_section_numbers", ratings, it->nsteps, -1);
	put_numbers(b, "reason_unuseful_section_numbers", ratings, it->nsteps, 0);
	wr_agreement(w, it);
	buf_puts(b, "}\n");
	free(ratings);
	w->rows++;
	return 0;
}

const struct format_ops fmt_deltabench = {
	.name = "deltabench",
	.summary = "DeltaBench: question, sections_content, reason_error_section_numbers, "
		   "reason_unuseful_section_numbers (JSON Lines)",
	.unit = "items",
	.detect = db_detect,
	.read = db_read,
	.write = db_write,
};
