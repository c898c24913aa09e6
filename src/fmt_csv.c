/* fmt_csv.c - one row per step, every label and suggestion beside it;
 * for each MC source its k, n and progress, and its empty prefix's k, n */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "export.h"

/* the MC sources among the columns' */
static size_t mc_count(const struct columns *c)
{
	size_t n = 0;
	for (size_t i = 0; i < c->nsrc; i++)
		n += mc_source(c->src[i]);
	return n;
}

/* mc_k, mc_n, mc_progress, mc_k0, mc_n0: one MC source's, or with
 * several each's, suffixed ":SOURCE" */
static void mc_head(struct wr *w, const struct columns *c)
{
	static const char *const names[] = {"mc_k", "mc_n", "mc_progress", "mc_k0", "mc_n0"};
	size_t nmc = mc_count(c);
	for (size_t i = 0; i < c->nsrc; i++) {
		if (!mc_source(c->src[i]))
			continue;
		for (size_t k = 0; k < ARRAY_SIZE(names); k++) {
			char name[300];
			snprintf(name, sizeof(name), "%s%s%s", names[k], nmc > 1 ? ":" : "",
				 nmc > 1 ? c->src[i] : "");
			buf_putc(&w->out, ',');
			csv_cell(&w->out, name, w->o->csv_raw);
		}
	}
}

static void mc_cells(struct buf *b, const struct mc_fig *f, size_t i)
{
	if (f->n[i])
		buf_printf(b, ",%d,%d,", f->k[i], f->n[i]);
	else
		buf_puts(b, ",,,");
	if (f->progress[i] != NO_VALUE)
		buf_printf(b, "%.6g", f->progress[i]);
	if (f->n0)
		buf_printf(b, ",%d,%d", f->k0, f->n0);
	else
		buf_puts(b, ",,");
}

static void csv_begin(struct wr *w)
{
	const struct columns *c = w->state;
	buf_puts(&w->out, "dataset,solution,step,text,first_error,rating");
	for (size_t i = 0; i < c->nann; i++) {
		buf_putc(&w->out, ',');
		char name[300];
		snprintf(name, sizeof(name), "label:%s", c->ann[i]);
		csv_cell(&w->out, name, w->o->csv_raw);
	}
	for (size_t i = 0; i < c->nsrc; i++) {
		buf_putc(&w->out, ',');
		char name[300];
		snprintf(name, sizeof(name), "suggestion:%s", c->src[i]);
		csv_cell(&w->out, name, w->o->csv_raw);
	}
	mc_head(w, c);
	if (w->o->agreed)
		buf_puts(&w->out, ",agreed_rule,agreed_by");
	buf_puts(&w->out, "\r\n");
}

static void rating_cell(struct buf *b, int v)
{
	if (v != NO_RATING)
		buf_printf(b, "%d", v);
}

static int csv_write(struct wr *w, const struct item *it, const char *dataset)
{
	const struct columns *c = w->state;
	size_t n = it->nsteps ? it->nsteps : 1;
	int *all = xmalloc(n * sizeof(int));
	int *per = xmalloc(n * (c->nann + c->nsrc + 1) * sizeof(int));
	struct resolve_opts o = w->ro;
	o.source = NULL;
	int fe = item_resolve(it, &o, all);
	o.agreed = 0;
	/* each annotator's labels alone */
	struct label *mine = xmalloc((it->nlabels + 1) * sizeof(*mine));
	for (size_t a = 0; a < c->nann; a++) {
		struct item one = *it;
		one.labels = mine;
		one.nlabels = 0;
		for (size_t i = 0; i < it->nlabels; i++)
			if (!strcmp(it->labels[i].annotator, c->ann[a]))
				mine[one.nlabels++] = it->labels[i];
		item_resolve(&one, &o, per + a * n);
	}
	for (size_t s = 0; s < c->nsrc; s++) {
		o.source = c->src[s];
		item_resolve(it, &o, per + (c->nann + s) * n);
	}
	struct mc_fig *mc = xcalloc(c->nsrc + 1, sizeof(*mc));
	for (size_t s = 0; s < c->nsrc; s++)
		if (mc_source(c->src[s]))
			mc_fig_of(it, c->src[s], &w->o->mc, &mc[s]);
	struct buf *b = &w->out;
	for (size_t i = 0; i < it->nsteps; i++) {
		int raw = w->o->csv_raw;
		csv_cell(b, dataset, raw);
		buf_putc(b, ',');
		csv_cell(b, it->key, raw);
		buf_printf(b, ",%zu,", i);
		csv_cell(b, it->steps[i].text, raw);
		buf_putc(b, ',');
		if (fe != -2)
			buf_printf(b, "%d", fe);
		buf_putc(b, ',');
		rating_cell(b, all[i]);
		for (size_t a = 0; a < c->nann; a++) {
			buf_putc(b, ',');
			rating_cell(b, per[a * n + i]);
		}
		for (size_t s = 0; s < c->nsrc; s++) {
			buf_putc(b, ',');
			/* the raw value where there is one, else the mark */
			const struct suggestion *g = NULL;
			for (size_t k = 0; k < it->nsugs; k++) {
				const struct suggestion *x = &it->sugs[k];
				if (x->step == (int)i && sug_source_is(x, c->src[s]))
					g = x;
			}
			if (g && g->n > 0)
				buf_printf(b, "%d/%d", g->k, g->n);
			else if (g && g->value != NO_VALUE)
				buf_printf(b, "%.6g", g->value);
			else
				rating_cell(b, per[(c->nann + s) * n + i]);
		}
		for (size_t s = 0; s < c->nsrc; s++)
			if (mc_source(c->src[s]))
				mc_cells(b, &mc[s], i);
		if (w->o->agreed) {
			buf_putc(b, ',');
			csv_cell(b, it->agreed.rule ? it->agreed.rule : "", raw);
			buf_putc(b, ',');
			csv_cell(b, it->agreed.by ? it->agreed.by : "", raw);
		}
		buf_puts(b, "\r\n");
		w->rows++;
		wr_flush(w, 0);
	}
	for (size_t s = 0; s < c->nsrc; s++)
		mc_fig_free(&mc[s]);
	free(mc);
	free(mine);
	free(per);
	free(all);
	return 0;
}

const struct format_ops fmt_csv = {
	.columns = 1,
	.own_labels = 1,
	.unit = "rows",
	.name = "csv",
	.summary = "CSV: one row per step with every label and suggestion beside it (export only)",
	.write_begin = csv_begin,
	.write = csv_write,
};
