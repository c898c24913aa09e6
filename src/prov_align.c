/* prov_align.c - the offline aligner as a provider: each step of a
 * solution linked to the steps of its problem's reference solution; no
 * model, no request */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prov.h"
#include "align.h"

enum { MIN_SCORE };

/* The aligner's own version: a change in how it links makes new jobs. */
#define ALIGN_VERSION 1

static int align_start(struct pjob *pj)
{
	const struct item *it = &pj->v.it;
	pj->done = 1;
	if (!it->reference || !*it->reference)
		return 0; /* nothing to align to: no links, no failure */
	const char **texts = xmalloc((it->nsteps + 1) * sizeof(*texts));
	for (size_t i = 0; i < it->nsteps; i++)
		texts[i] = it->steps[i].text;
	struct aligner *al = aligner_new();
	aligner_threshold(al, (double)provider_set(pj->fc, pj->p, MIN_SCORE) / 100);
	const struct alink *l;
	size_t n = align_steps(al, texts, it->nsteps, it->reference, it->reference_steps, &l);
	for (size_t i = 0; i < n; i++)
		pjob_link(pj, l[i].step, l[i].ref, l[i].score);
	aligner_free(al);
	free(texts);
	return 0;
}

static void align_params(const struct fconf *c, int p, struct buf *b)
{
	buf_printf(b, ",\"min_score\":%ld,\"version\":%d", provider_set(c, p, MIN_SCORE),
		   ALIGN_VERSION);
}

static const struct popt align_opts[] = {
	[MIN_SCORE] = {"min-score", PO_INT, 35, 0, 100, " (percent)", NULL, 1,
		       "the least similarity a link needs, in percent"},
	{NULL, 0, 0, 0, 0, NULL, NULL, 0, NULL},
};

const struct provider_ops align_ops = {
	.name = "align",
	.summary = "steps linked to the reference's steps, offline",
	.opts = align_opts,
	.params = align_params,
	.show = SHOW_CHECK,
	.links = 1,
	.area = "aligned",
	.start = align_start,
};
