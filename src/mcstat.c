/* mcstat.c - Wilson intervals, the uncertainty rule, progress (PAV) and
 * the kept rollouts of Monte Carlo estimates */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mcstat.h"
#include "resolve.h"

#define Z95 1.959963984540054

int mc_source(const char *source)
{
	return !strncmp(source, "mc", 2) && (source[2] == '\0' || source[2] == '/');
}

void mc_wilson(int k, int n, double *lo, double *hi)
{
	if (n <= 0) {
		*lo = 0;
		*hi = 1;
		return;
	}
	double p = (double)k / n, z2 = Z95 * Z95;
	double d = 1 + z2 / n;
	double c = (p + z2 / (2.0 * n)) / d;
	double h = Z95 * sqrt(p * (1 - p) / n + z2 / (4.0 * n * n)) / d;
	*lo = c - h < 0 ? 0 : c - h;
	*hi = c + h > 1 ? 1 : c + h;
}

int mc_uncertain(int k, int n)
{
	if (n <= 0)
		return 0;
	if (n < MC_MIN_N)
		return 1;
	double lo, hi;
	mc_wilson(k, n, &lo, &hi);
	return hi - lo > MC_MAX_WIDTH;
}

static int is_mc(const struct suggestion *g, const char *source)
{
	return g->n > 0 && sug_source_is(g, source);
}

/* the rows in force: the newest with rollouts of each prefix */
static void fig_rows(const struct item *it, const char *source, struct mc_fig *f,
		     long long *job0, long long *jobs)
{
	for (size_t i = 0; i < it->nsugs; i++) {
		const struct suggestion *g = &it->sugs[i];
		if (!is_mc(g, source))
			continue;
		if (g->step < 0) {
			f->k0 = g->k;
			f->n0 = g->n;
			f->rollouts0 = g->rollouts;
			*job0 = g->job;
		} else if ((size_t)g->step < f->nsteps) {
			f->k[g->step] = g->k;
			f->n[g->step] = g->n;
			f->rollouts[g->step] = g->rollouts;
			jobs[g->step] = g->job;
		}
	}
}

static double prover(double q, int K)
{
	return 1 - pow(1 - q, K);
}

int mc_fig_of(const struct item *it, const char *source, const struct mc_opts *o,
	      struct mc_fig *f)
{
	static const struct mc_opts defaults = MC_OPTS_DEFAULT;
	if (!o || o->K < 1)
		o = &defaults;
	size_t n = it->nsteps;
	memset(f, 0, sizeof(*f));
	f->nsteps = n;
	f->first_pit = -1;
	f->k = xcalloc(n + 1, sizeof(int));
	f->n = xcalloc(n + 1, sizeof(int));
	f->rollouts = xcalloc(n + 1, sizeof(*f->rollouts));
	f->q = xmalloc((n + 1) * sizeof(double));
	f->Q = xmalloc((n + 1) * sizeof(double));
	f->progress = xmalloc((n + 1) * sizeof(double));
	f->effective = xmalloc((n + 1) * sizeof(double));
	long long job0 = 0, *jobs = xcalloc(n + 1, sizeof(long long));
	fig_rows(it, source, f, &job0, jobs);
	int any = f->n0 > 0;
	/* the same job throughout: one rollout model, one set of settings */
	f->same = job0 != 0;
	for (size_t i = 0; i < n; i++) {
		f->q[i] = f->Q[i] = f->progress[i] = f->effective[i] = NO_VALUE;
		if (!f->n[i])
			continue;
		any = 1;
		f->same = f->same && jobs[i] == job0;
		f->q[i] = (double)f->k[i] / f->n[i];
		f->Q[i] = prover(f->q[i], o->K);
	}
	free(jobs);
	f->Q0 = f->n0 > 0 ? prover((double)f->k0 / f->n0, o->K) : NO_VALUE;
	if (!f->same)
		return any;
	double prev = f->Q0;
	for (size_t i = 0; i < n; i++) {
		if (f->Q[i] != NO_VALUE && prev != NO_VALUE) {
			f->progress[i] = f->Q[i] - prev;
			f->effective[i] = f->q[i] + o->alpha * f->progress[i];
			if (f->first_pit < 0 && f->progress[i] <= -o->pit)
				f->first_pit = (int)i;
		}
		prev = f->Q[i];
	}
	return any;
}

void mc_fig_free(struct mc_fig *f)
{
	free(f->k);
	free(f->n);
	free(f->rollouts);
	free(f->q);
	free(f->Q);
	free(f->progress);
	free(f->effective);
	memset(f, 0, sizeof(*f));
}

int mc_soft_kind(const char *name, char *base, size_t n)
{
	const char *colon = strrchr(name, ':');
	if (!colon || strncmp(name, "mc", 2) || (name[2] != ':' && name[2] != '/'))
		return MC_SOFT_NONE;
	int kind = !strcmp(colon + 1, "progress") ? MC_SOFT_PROGRESS :
		   !strcmp(colon + 1, "effective") ? MC_SOFT_EFFECTIVE : MC_SOFT_NONE;
	if (kind == MC_SOFT_NONE || (size_t)(colon - name) >= n)
		return MC_SOFT_NONE;
	memcpy(base, name, (size_t)(colon - name));
	base[colon - name] = '\0';
	return kind;
}

int mc_soft_values(const struct item *it, const char *base, int kind,
		   const struct mc_opts *o, double *out)
{
	struct mc_fig f;
	mc_fig_of(it, base, o, &f);
	int any = 0;
	for (size_t i = 0; i < it->nsteps; i++) {
		out[i] = kind == MC_SOFT_PROGRESS ? f.progress[i] : f.effective[i];
		any |= out[i] != NO_VALUE;
	}
	mc_fig_free(&f);
	return any;
}

/* ---- the kept rollouts ---- */
static void put_field(struct buf *b, const char *s, size_t len)
{
	buf_printf(b, "%zu:", len);
	buf_add(b, s, len);
}

void mc_keep_add(struct buf *b, int reached, const char *answer, size_t alen,
		 const char *text, size_t tlen)
{
	while (tlen && (*text == ' ' || *text == '\n' || *text == '\t' || *text == '\r'))
		text++, tlen--;
	while (tlen && (text[tlen - 1] == ' ' || text[tlen - 1] == '\n' ||
			text[tlen - 1] == '\t' || text[tlen - 1] == '\r'))
		tlen--;
	buf_putc(b, reached ? '+' : '-');
	put_field(b, answer ? answer : "", answer ? alen : 0);
	if (tlen <= MC_KEEP_MAX) {
		put_field(b, text, tlen);
		return;
	}
	/* its start and its end: where it went, and the answer it reached;
	 * cut between characters (no UTF-8 continuation byte first) */
	struct buf cut = {0};
	size_t head = MC_KEEP_MAX / 2, tail = tlen - MC_KEEP_MAX / 2;
	while (head > 0 && (text[head] & 0xc0) == 0x80)
		head--;
	while (tail < tlen && (text[tail] & 0xc0) == 0x80)
		tail++;
	buf_add(&cut, text, head);
	buf_printf(&cut, "\n[... %zu bytes left out ...]\n", tail - head);
	buf_add(&cut, text + tail, tlen - tail);
	put_field(b, cut.data, cut.len);
	buf_free(&cut);
}

static int get_field(const char **p, const char **s, size_t *len)
{
	char *end;
	if (**p < '0' || **p > '9')
		return 0;
	unsigned long long v = strtoull(*p, &end, 10);
	if (*end != ':' || v > SIZE_MAX || strnlen(end + 1, (size_t)v) < v)
		return 0;
	*s = end + 1;
	*len = (size_t)v;
	*p = end + 1 + v;
	return 1;
}

int mc_keep_next(const char **p, struct mc_kept *out)
{
	if (!*p || (**p != '+' && **p != '-'))
		return 0;
	const char *q = *p + 1;
	out->reached = **p == '+';
	if (!get_field(&q, &out->answer, &out->alen) || !get_field(&q, &out->text, &out->tlen))
		return 0;
	*p = q;
	return 1;
}
