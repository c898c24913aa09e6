/* audit_fig.c - the audit's figures from its counts: percentages, F1,
 * the threshold sweep, and the bars and sparklines that draw them */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"

double audit_pct(long ok, long n)
{
	return n ? 100.0 * ok / n : 0;
}

double audit_f1(double e, double c)
{
	return e + c > 0 ? 2 * e * c / (e + c) : 0;
}

double audit_acc(long ok, long n)
{
	return n ? 100.0 * ok / n : NAN;
}

/* ProcessBench's F1 needs both accuracies: with no erroneous (or no
 * correct) solution in the truth one of them measures nothing */
double audit_sys_f1(const struct audit_sys *s)
{
	if (!s->n_error || !s->n_correct)
		return NAN;
	return audit_f1(audit_pct(s->ok_error, s->n_error), audit_pct(s->ok_correct, s->n_correct));
}

double audit_exact(const struct audit_pair *p)
{
	return p->exact >= 0 ? audit_pct(p->exact, p->n) : NAN;
}

double audit_within1(const struct audit_pair *p)
{
	return p->exact >= 0 && p->steps == 0 ? audit_pct(p->within1, p->n) : NAN;
}

void audit_num(char *o, size_t n, double v, int decimals)
{
	if (isnan(v))
		snprintf(o, n, "-");
	else
		snprintf(o, n, "%.*f", decimals, v);
}

double audit_threshold(int i)
{
	return (i + 1) / 20.0; /* the double nearest each decimal */
}

/* a bar of width w for fraction f: eighths of a block, or #s */
void audit_bar(struct buf *b, double f, int w, int ascii)
{
	static const char *const eighth[] = {"", "\u258f", "\u258e", "\u258d", "\u258c",
					     "\u258b", "\u258a", "\u2589"};
	if (isnan(f) || f < 0)
		f = 0;
	if (f > 1)
		f = 1;
	int units = (int)lround(f * w * 8);
	if (ascii) {
		for (int i = 0; i < (units + 4) / 8; i++)
			buf_putc(b, '#');
		return;
	}
	for (int i = 0; i < units / 8; i++)
		buf_puts(b, "\u2588");
	buf_puts(b, eighth[units % 8]);
}

/* the sweep's F1 as a line of block heights */
void audit_spark(struct buf *b, const double *v, int n, int ascii)
{
	static const char *const lv[] = {"\u2581", "\u2582", "\u2583", "\u2584", "\u2585",
					 "\u2586", "\u2587", "\u2588"};
	static const char asc[] = " .:-=+*#";
	for (int i = 0; i < n; i++) {
		if (isnan(v[i]) || v[i] <= 0) { /* nothing: no mark at all */
			buf_putc(b, ' ');
			continue;
		}
		int k = (int)(v[i] / 100 * 7.999);
		k = k < 0 ? 0 : k > 7 ? 7 : k;
		if (ascii)
			buf_putc(b, asc[k]);
		else
			buf_puts(b, lv[k]);
	}
}

void audit_sweep_f1(const struct audit_sys *s, double *f1, int *best)
{
	*best = 0;
	for (int t = 0; t < AUDIT_NT; t++) {
		if (!s->n_error || !s->n_correct) {
			f1[t] = NAN; /* as audit_sys_f1 */
			continue;
		}
		f1[t] = audit_f1(audit_pct(s->sweep[t][0], s->n_error),
				 audit_pct(s->sweep[t][1], s->n_correct));
		if (f1[t] > f1[*best])
			*best = t;
	}
}

void audit_offset_heights(const struct audit_sys *s, double h[9])
{
	double top = 1;
	for (int k = 0; k < 7; k++)
		h[k] = (double)s->offset[k];
	h[7] = (double)s->missed;
	h[8] = (double)s->false_alarm;
	for (int k = 0; k < 9; k++)
		top = h[k] > top ? h[k] : top;
	for (int k = 0; k < 9; k++)
		h[k] = h[k] ? 12.5 + 87.5 * h[k] / top : 0;
}
