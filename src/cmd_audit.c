/* cmd_audit.c - stepmark audit: tables, charts, JSON Lines or CSV */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alias.h"
#include "audit.h"
#include "cmd.h"
#include "conf.h"
#include "progress.h"
#include "consensus.h"
#include "util.h"

/* the options --help lists under the command */
const char cmd_audit_help[] =
	"    --dataset NAME --source NAME --threshold T (default 0.5)\n"
	"    --where FILTER          only solutions a queue filter keeps (disagree...)\n"
	"    --json | --csv          one row per line, for programs\n"
	"    --csv-raw               --csv with cells exact (by default a cell starting\n"
	"                            with = + - @ is quoted after a ' for spreadsheets)\n"
	"    --ascii                 charts without block characters\n"
	"    --truth agreed          against the agreed labels (stepmark consensus)\n"
	"    --by dataset|category|guidelines|domain  what each row of figures is: a\n"
	"                            data set (the default), an error category, a\n"
	"                            guidelines version, a domain (VersaPRM's)\n"
	"    --quiet                 no progress line\n"
	"    --progress-every SECONDS  a plain progress line every SECONDS (logs)\n";

enum { A_TRUTH = 256, A_DATASET, A_SOURCE, A_THRESHOLD, A_JSON, A_CSV, A_ASCII, A_DB, A_WHERE,
       A_QUIET, A_EVERY, A_CSV_RAW, A_BY };

struct out {
	int ascii;
	int csv_raw;        /* CSV cells exact, no formula guard */
	const char *source; /* only rows whose name starts with it */
};

static int wanted(const struct out *o, const char *name)
{
	if (!o->source)
		return 1;
	size_t n = strlen(o->source);
	return !strncmp(name, o->source, n) && (!name[n] || name[n] == '/');
}

static const char *ds_name(const char *d)
{
	return d ? d : "all";
}

static double prf(long tp, long fp, long fn, int which)
{
	double p = tp + fp ? 100.0 * tp / (tp + fp) : 0, r = tp + fn ? 100.0 * tp / (tp + fn) : 0;
	return which == 0 ? p : which == 1 ? r : audit_f1(p, r);
}

/* DeltaBench's macro figures (percent): the mean of each solution's */
static double macro(const struct audit_sys *s, int which)
{
	if (!s->mac_n)
		return NAN;
	double v = which == 0 ? s->mac_p : which == 1 ? s->mac_r : s->mac_f1;
	return 100 * v / s->mac_n;
}

/* column widths from the data: the longest data set and source names;
 * the first column's title (what the figures are split by) */
static int dw = 8, sw = 10;
static const char *col = "data set";

static void widths(const struct audit *a)
{
	col = audit_by_column(a->by);
	dw = strlen(col) > 8 ? (int)strlen(col) : 8;
	sw = 10;
	for (size_t i = 0; i < a->nsys; i++) {
		int d = (int)strlen(ds_name(a->sys[i].dataset)), n = (int)strlen(a->sys[i].name);
		dw = d > dw ? d : dw;
		sw = n > sw ? n : sw;
	}
	for (size_t i = 0; i < a->ncov; i++) {
		int d = (int)strlen(a->cov[i].dataset), n = (int)strlen(a->cov[i].name);
		dw = d > dw ? d : dw;
		sw = n > sw ? n : sw;
	}
	for (size_t i = 0; i < a->nanns; i++) {
		int n = (int)strlen(a->anns[i].name);
		sw = n > sw ? n : sw;
	}
	dw = dw > 32 ? 32 : dw;
	sw = sw > 40 ? 40 : sw;
}

/* a source's share of right first errors where it and the truth decided */
static const struct audit_sys *sys_of(const struct audit *a, const char *dataset,
				      const char *name)
{
	for (size_t i = 0; i < a->nsys; i++)
		if (!strcmp(a->sys[i].name, name) &&
		    (a->sys[i].dataset ? dataset && !strcmp(a->sys[i].dataset, dataset) : !dataset))
			return &a->sys[i];
	return NULL;
}

static long sys_judged(const struct audit_sys *s)
{
	return s->n_error + s->n_correct - s->none;
}


static void rules_report(const struct audit *a)
{
	if (!a->nrules)
		return;
	printf("\nagreed labels (stepmark consensus; policy: %s)\n%-*s %-28s %9s %8s %7s\n",
	       a->policy ? inert(a->policy, 0) : "?", dw, col, "decided by", "solutions", "judged",
	       "same%");
	for (size_t i = 0; i < a->nrules; i++) {
		const struct audit_rule *r = &a->rules[i];
		if (r->filter)
			continue;
		char pct[16];
		audit_num(pct, sizeof(pct), r->judged ? 100.0 * r->same / r->judged : NAN, 1);
		printf("%-*.*s %-28.28s %9ld %8ld %7s\n", dw, dw, inert(ds_name(r->dataset), 0),
		       inert(r->rule, 1), r->decided, r->judged, pct);
	}
	int any = 0;
	for (size_t i = 0; i < a->nrules; i++) {
		const struct audit_rule *r = &a->rules[i];
		if (!r->filter)
			continue;
		if (!any++)
			printf("\nconsensus filters: each sources rule alone, people's labels set aside, "
			       "against the truth\n(kept: solutions it decides; right%%: of those the "
			       "truth decided, the same first error; each source alone below it)\n"
			       "%-*s %-28s %9s %8s %7s\n", dw, col, "filter", "kept", "judged",
			       "right%");
		char pct[16];
		audit_num(pct, sizeof(pct), r->judged ? 100.0 * r->same / r->judged : NAN, 1);
		printf("%-*.*s %-28.28s %9ld %8ld %7s\n", dw, dw, inert(ds_name(r->dataset), 0),
		       inert(r->rule, 1), r->decided, r->judged, pct);
		struct policy p;
		char why[200];
		if (policy_parse(r->rule, &p, why, sizeof(why)) < 0)
			continue;
		for (size_t k = 0; k < a->nsys; k++) {
			const struct audit_sys *y = &a->sys[k];
			if (y->name[0] == '@' || !consensus_covers(&p.r[0], y->name) ||
			    sys_of(a, r->dataset, y->name) != y)
				continue;
			audit_num(pct, sizeof(pct), sys_judged(y) ? 100.0 * y->same / sys_judged(y) :
				  NAN, 1);
			printf("%-*s   %-26.26s %9s %8ld %7s\n", dw, "", inert(y->name, 1), "alone",
			       sys_judged(y), pct);
		}
		policy_free(&p);
	}
}

/* ProcessBench's metrics per data set and source; 1 when an F1 was
 * undefined (shown "-") */
static int report_metrics(const struct audit *a, const struct out *o)
{
	int undefined = 0;
	printf("\nProcessBench metrics (%%), and where each first error falls against the truth\n");
	printf("%-*s %-*s %6s %6s %7s %7s %6s %6s %6s %6s %6s %6s %6s %6s\n", dw, col,
	       sw, "source", "n_err", "n_cor", "acc_err", "acc_cor", "F1", "same", "early", "late",
	       "missed", "false", "none", "stepF1");
	for (size_t i = 0; i < a->nsys; i++) {
		const struct audit_sys *s = &a->sys[i];
		if (!wanted(o, s->name))
			continue;
		char ae[16], ac[16], f1[16];
		audit_num(ae, sizeof(ae), audit_acc(s->ok_error, s->n_error), 1);
		audit_num(ac, sizeof(ac), audit_acc(s->ok_correct, s->n_correct), 1);
		audit_num(f1, sizeof(f1), audit_sys_f1(s), 1);
		undefined |= isnan(audit_sys_f1(s));
		printf("%-*.*s %-*.*s %6ld %6ld %7s %7s %6s %6ld %6ld %6ld %6ld %6ld %6ld %6.1f\n",
		       dw, dw, inert(ds_name(s->dataset), 0), sw, sw, inert(s->name, 1), s->n_error,
		       s->n_correct, ae, ac, f1, s->same, s->earlier, s->later, s->missed,
		       s->false_alarm, s->none, prf(s->tp, s->fp, s->fn, 2));
	}
	if (undefined)
		printf("F1 -: the truth has no erroneous or no correct solution there, so one "
		       "accuracy measures nothing\nand ProcessBench's F1 is undefined; such rows "
		       "are left out of the means, bars and sweeps.\n");
	return undefined;
}

/* Who&When's figures on agent traces: of every log the truth attributes,
 * the share whose agent and whose turn the system named */
static void report_attribution(const struct audit *a, const struct out *o)
{
	int any = 0;
	for (size_t i = 0; i < a->nsys && !any; i++)
		any = a->sys[i].att_answered > 0 && wanted(o, a->sys[i].name);
	if (!any)
		return;
	printf("\nwho and when: agent traces, scored as Who&When scores them (%%)\n");
	printf("%-*s %-*s %6s %8s %6s %6s %6s %6s\n", dw, col, sw, "source", "logs",
	       "answered", "agent", "step", "+-1", "+-3");
	for (size_t i = 0; i < a->nsys; i++) {
		const struct audit_sys *s = &a->sys[i];
		if (!s->att_answered || !wanted(o, s->name))
			continue;
		double n = (double)s->att_n;
		printf("%-*.*s %-*.*s %6ld %8ld %6.1f %6.1f %6.1f %6.1f\n", dw, dw,
		       inert(ds_name(s->dataset), 0), sw, sw, inert(s->name, 1), s->att_n,
		       s->att_answered, 100 * s->att_agent / n, 100 * s->att_step / n,
		       100 * s->att_within1 / n, 100 * s->att_within3 / n);
	}
	printf("Over every log the truth attributes: no answer counts as wrong. A turn counts "
	       "only\nwhen it is the truth's exactly (Who&When's script counts \"1\" right "
	       "for \"12\").\n");
}

/* ProcessBench's headline: the mean F1 over the data sets where it is
 * defined */
static void report_mean_f1(const struct audit *a, const struct out *o)
{
	printf("\nF1 (mean over data sets, as ProcessBench averages)\n");
	for (size_t i = 0; i < a->nsys; i++) {
		const struct audit_sys *s = &a->sys[i];
		if (s->dataset || !wanted(o, s->name))
			continue;
		double sum = 0;
		int nd = 0, left = 0;
		for (size_t j = 0; j < a->nsys; j++)
			if (a->sys[j].dataset && !strcmp(a->sys[j].name, s->name)) {
				double f = audit_sys_f1(&a->sys[j]);
				if (isnan(f)) {
					left++;
					continue;
				}
				sum += f;
				nd++;
			}
		double f = nd ? sum / nd : NAN;
		char num[16], why[64] = "";
		audit_num(num, sizeof(num), f, 1);
		if (left)
			snprintf(why, sizeof(why), " (%d data set%s left out: F1 undefined)", left,
				 left == 1 ? "" : "s");
		struct buf b = {0};
		audit_bar(&b, nd ? f / 100 : 0, 30, o->ascii);
		printf("%-*.*s %5s %s%s\n", sw, sw, inert(s->name, 0), num, b.data ? b.data : "",
		       why);
		buf_free(&b);
	}
}

/* where each first error falls against the truth's */
static void report_offsets(const struct audit *a, const struct out *o)
{
	printf("\nfirst-error offsets on erroneous solutions (the source's minus the truth's)\n");
	printf("%-*s %-*s %5s %5s %5s %5s %5s %5s %5s %6s %6s  %s\n", dw, col, sw, "source",
	       "<=-3", "-2", "-1", "0", "+1", "+2", ">=+3", "missed", "false", "histogram");
	for (size_t i = 0; i < a->nsys; i++) {
		const struct audit_sys *s = &a->sys[i];
		if (!wanted(o, s->name))
			continue;
		double h[9];
		audit_offset_heights(s, h);
		struct buf b = {0};
		audit_spark(&b, h, 9, o->ascii);
		printf("%-*.*s %-*.*s %5ld %5ld %5ld %5ld %5ld %5ld %5ld %6ld %6ld  %s\n", dw, dw,
		       inert(ds_name(s->dataset), 0), sw, sw, inert(s->name, 1), s->offset[0],
		       s->offset[1], s->offset[2], s->offset[3], s->offset[4], s->offset[5],
		       s->offset[6], s->missed, s->false_alarm, b.data ? b.data : "");
		buf_free(&b);
	}
}

/* "this step is wrong" against the truth's ratings */
static void report_steps(const struct audit *a, const struct out *o)
{
	printf("\nsteps: \"this step is wrong\" against the truth's ratings (%%)\n");
	printf("%-*s %-*s %9s %9s %9s %8s\n", dw, col, sw, "source", "precision", "recall", "F1",
	       "steps");
	for (size_t i = 0; i < a->nsys; i++) {
		const struct audit_sys *s = &a->sys[i];
		if (!wanted(o, s->name))
			continue;
		printf("%-*.*s %-*.*s %9.1f %9.1f %9.1f %8ld\n", dw, dw,
		       inert(ds_name(s->dataset), 0), sw, sw, inert(s->name, 1), prf(s->tp, s->fp, s->fn, 0), prf(s->tp, s->fp, s->fn, 1),
		       prf(s->tp, s->fp, s->fn, 2), s->tp + s->fp + s->fn + s->tn);
	}
	printf("\nsteps per solution, averaged as DeltaBench scores (%%; wrong steps after the\n"
	       "truth's last one dropped, a solution without one counting 0)\n");
	printf("%-*s %-*s %9s %9s %9s %8s\n", dw, col, sw, "source", "precision", "recall", "F1",
	       "solutions");
	for (size_t i = 0; i < a->nsys; i++) {
		const struct audit_sys *s = &a->sys[i];
		if (!wanted(o, s->name))
			continue;
		printf("%-*.*s %-*.*s %9.1f %9.1f %9.1f %8ld\n", dw, dw,
		       inert(ds_name(s->dataset), 0), sw, sw, inert(s->name, 1), macro(s, 0),
		       macro(s, 1), macro(s, 2), s->mac_n);
	}
}

/* the threshold sweep of the sources with values */
static void report_sweep(const struct audit *a, const struct out *o)
{
	int any = 0;
	for (size_t i = 0; i < a->nsys; i++) {
		const struct audit_sys *s = &a->sys[i];
		if (!s->has_values || !wanted(o, s->name))
			continue;
		if (!any++)
			printf("\nthreshold sweep: the first step below t is the first error "
			       "(t = 0.05 ... 0.95)\n%-*s %-*s %6s %7s %7s  %s\n", dw, col,
			       sw, "source", "best t", "F1 best", "F1 at t", "F1 over t");
		double f1[AUDIT_NT];
		int best;
		audit_sweep_f1(s, f1, &best);
		int at = (int)lround(a->threshold / 0.05) - 1;
		struct buf b = {0};
		audit_spark(&b, f1, AUDIT_NT, o->ascii);
		char fb[16], fa[16], bt[16];
		audit_num(fb, sizeof(fb), f1[best], 1);
		audit_num(fa, sizeof(fa), at >= 0 && at < AUDIT_NT ? f1[at] : NAN, 1);
		audit_num(bt, sizeof(bt), isnan(f1[best]) ? NAN : audit_threshold(best), 2);
		printf("%-*.*s %-*.*s %6s %7s %7s  %s\n", dw, dw, inert(ds_name(s->dataset), 0), sw,
		       sw, inert(s->name, 1), bt, fb, fa, b.data ? b.data : "");
		buf_free(&b);
	}
}

/* agreement between people */
static void report_people(const struct audit *a)
{
	int any = 0;
	for (size_t i = 0; i < a->npairs; i++) {
		const struct audit_pair *p = &a->pairs[i];
		if (!any++)
			printf("\nagreement between people (first errors: the index, \"none\" a "
			       "category; steps: only ratings people typed, not those a first-error "
			       "mark filled in;\nagent: on traces, the agent blamed for the decisive "
			       "error)\n%-*s %-5s %-27s %6s %6s %7s %7s %7s %7s\n", dw, col,
			       "on", "annotators", "n", "exact%", "within1", "kappa", "alpha", "AC1");
		char k[16], al[16], ac[16], pair[80], ex[16], w1[16];
		audit_num(k, sizeof(k), p->kappa, 3);
		audit_num(al, sizeof(al), p->alpha, 3);
		audit_num(ac, sizeof(ac), p->ac1, 3);
		audit_num(ex, sizeof(ex), audit_exact(p), 1);
		audit_num(w1, sizeof(w1), audit_within1(p), 1);
		snprintf(pair, sizeof(pair), "%s%s%s", p->a, p->b ? " ~ " : "", p->b ? p->b : "");
		printf("%-*.*s %-5s %-27.27s %6ld %6s %7s %7s %7s %7s\n", dw, dw,
		       inert(ds_name(p->dataset), 0),
		       p->steps == 2 ? "agent" : p->steps ? "steps" : "first", inert(pair, 1), p->n, ex,
		       w1, k, al, ac);
	}
}

/* each annotator's work */
static void report_annotators(const struct audit *a)
{
	printf("\nannotators (active: the median time per solution in the workbench, keys "
	       "arriving, gaps over a minute left out;\n blind: solutions decided while the "
	       "suggestions were hidden; changed: decided otherwise since;\n toward: of those, "
	       "now agreeing with a source the blind verdict did not;\n assigned: dealt by stepmark "
	       "assign, done: of those decided; gold: gold items decided, right%%)\n"
	       "%-*s %-*s %8s %8s %8s %8s %8s %8s %8s %8s %6s %6s\n", dw, col, sw,
	       "annotator", "decided", "typed", "active s", "blind", "changed", "toward",
	       "assigned", "done", "gold", "right%");
	for (size_t i = 0; i < a->nanns; i++) {
		char act[16] = "-";
		if (a->anns[i].timed)
			snprintf(act, sizeof(act), "%.1f", a->anns[i].active_s);
		const struct audit_ann *n = &a->anns[i];
		char right[16];
		audit_num(right, sizeof(right), n->gold_done ? 100.0 * n->gold_right / n->gold_done :
			  NAN, 1);
		printf("%-*.*s %-*.*s %8ld %8ld %8s %8ld %8ld %8ld %8ld %8ld %6ld %6s\n", dw, dw,
		       inert(ds_name(n->dataset), 0), sw, sw, inert(n->name, 1), n->decided, n->typed,
		       act, n->blind, n->changed, n->toward, n->assigned, n->assigned_done,
		       n->gold_done, right);
	}
}

/* what the fetched sources covered and cost */
static void report_coverage(const struct audit *a, const struct out *o)
{
	if (a->ncov) {
		printf("\ncoverage and cost of the fetched sources\n%-*s %-*s %8s %6s %6s %7s "
		       "%8s %10s %10s\n", dw, col, sw, "source", "verdicts", "done", "failed",
		       "pending", "requests", "tokens in", "tokens out");
		for (size_t i = 0; i < a->ncov; i++) {
			const struct audit_cov *c = &a->cov[i];
			if (!wanted(o, c->name))
				continue;
			printf("%-*.*s %-*.*s %8ld %6ld %6ld %7ld %8ld %10ld %10ld\n",
			       dw, dw, inert(c->dataset, 0), sw, sw, inert(c->name, 1), c->labelled, c->done,
			       c->failed, c->pending, c->requests, c->tokens_in, c->tokens_out);
		}
	}
}

/* the truth, and whether there is anything to measure: 1 there is, 0 not */
static int report_truth(const struct audit *a)
{
	printf("truth: ");
	for (size_t i = 0; i < a->ntruth; i++)
		printf("%s%s", i ? " + " : "", inert(a->truth[i], 0));
	if (a->ntruth == 1 && !strcmp(a->truth[0], "agreed") && a->policy)
		printf(" (the agreed labels of stepmark consensus)\n");
	else
		printf(" (a solution's truth is the first error %s)\n",
		       a->ntruth > 1 ? "its annotators share; where they differ it is left out" :
		       "this annotator decided");
	if (a->truth_split)
		printf("%ld solutions left out: the truth's annotators disagree\n", a->truth_split);
	if (a->by == audit_by_find("category"))
		printf("split by category: the truth's at its first error (none: not said)\n");
	else if (a->by == audit_by_find("domain"))
		printf("split by domain: the solution's, as its import kept it (none: not said)\n");
	else if (a->by)
		printf("split by %s: of the newest verdict of an annotator measured, else of the "
		       "truth's\n", audit_by_name(a->by));
	if (!a->nsys) {
		printf("\nNothing to measure: no source or other annotator has a verdict on a "
		       "solution whose first error the truth decided%s.\n",
		       a->nanns ? " (each annotator's decided count is below)" : "");
		return 0;
	}
	return 1;
}

static void text_report(const struct audit *a, const struct out *o)
{
	widths(a);
	if (report_truth(a)) {
		report_metrics(a, o);
		report_attribution(a, o);
		if (!a->by) /* over data sets; a split's groups are no benchmark's */
			report_mean_f1(a, o);
		report_offsets(a, o);
		report_steps(a, o);
		report_sweep(a, o);
	}
	report_people(a);
	report_annotators(a);
	rules_report(a);
	report_coverage(a, o);
}

static void jnum(struct buf *b, const char *key, double v)
{
	if (isnan(v))
		buf_printf(b, ",\"%s\":null", key);
	else
		buf_printf(b, ",\"%s\":%.10g", key, v);
}

static void jstr(struct buf *b, const char *key, const char *v)
{
	buf_printf(b, ",\"%s\":", key);
	if (v)
		buf_json_str(b, v, strlen(v));
	else
		buf_puts(b, "null");
}

static void json_report(const struct audit *a, const struct out *o)
{
	struct buf b = {0}, truth = {0};
	for (size_t i = 0; i < a->ntruth; i++)
		buf_printf(&truth, "%s%s", i ? "+" : "", a->truth[i]);
	for (size_t i = 0; i < a->nsys; i++) {
		const struct audit_sys *s = &a->sys[i];
		if (!wanted(o, s->name))
			continue;
		double ae = audit_acc(s->ok_error, s->n_error), ac = audit_acc(s->ok_correct, s->n_correct);
		buf_reset(&b);
		buf_puts(&b, "{\"kind\":\"source\"");
		jstr(&b, audit_by_name(a->by), ds_name(s->dataset));
		jstr(&b, "source", s->name);
		jstr(&b, "truth", truth.data);
		buf_printf(&b, ",\"n_error\":%ld,\"n_correct\":%ld", s->n_error, s->n_correct);
		jnum(&b, "acc_error", ae);
		jnum(&b, "acc_correct", ac);
		jnum(&b, "f1", audit_sys_f1(s));
		buf_printf(&b, ",\"same\":%ld,\"earlier\":%ld,\"later\":%ld,\"missed\":%ld,"
			   "\"false_alarm\":%ld,\"none\":%ld", s->same, s->earlier, s->later,
			   s->missed, s->false_alarm, s->none);
		buf_printf(&b, ",\"offsets\":[%ld,%ld,%ld,%ld,%ld,%ld,%ld]", s->offset[0], s->offset[1],
			   s->offset[2], s->offset[3], s->offset[4], s->offset[5], s->offset[6]);
		jnum(&b, "step_precision", prf(s->tp, s->fp, s->fn, 0));
		jnum(&b, "step_recall", prf(s->tp, s->fp, s->fn, 1));
		jnum(&b, "step_f1", prf(s->tp, s->fp, s->fn, 2));
		buf_printf(&b, ",\"steps\":%ld", s->tp + s->fp + s->fn + s->tn);
		jnum(&b, "step_precision_macro", macro(s, 0));
		jnum(&b, "step_recall_macro", macro(s, 1));
		jnum(&b, "step_f1_macro", macro(s, 2));
		if (s->att_answered) { /* agent traces: Who&When's figures, percent */
			double n = (double)s->att_n;
			buf_printf(&b, ",\"logs\":%ld,\"answered\":%ld", s->att_n, s->att_answered);
			jnum(&b, "agent_acc", 100 * s->att_agent / n);
			jnum(&b, "step_acc", 100 * s->att_step / n);
			jnum(&b, "step_within1", 100 * s->att_within1 / n);
			jnum(&b, "step_within3", 100 * s->att_within3 / n);
		}
		if (s->has_values) {
			double f1[AUDIT_NT];
			int best;
			audit_sweep_f1(s, f1, &best);
			jnum(&b, "best_threshold", isnan(f1[best]) ? NAN : audit_threshold(best));
			jnum(&b, "best_f1", f1[best]);
			buf_puts(&b, ",\"sweep\":[");
			for (int t = 0; t < AUDIT_NT; t++)
				if (isnan(f1[t]))
					buf_printf(&b, "%s[%.2f,null]", t ? "," : "", audit_threshold(t));
				else
					buf_printf(&b, "%s[%.2f,%.10g]", t ? "," : "", audit_threshold(t),
						   f1[t]);
			buf_putc(&b, ']');
		}
		buf_puts(&b, "}\n");
		fputs(b.data, stdout);
	}
	for (size_t i = 0; i < a->npairs; i++) {
		const struct audit_pair *p = &a->pairs[i];
		buf_reset(&b);
		buf_puts(&b, "{\"kind\":\"agreement\"");
		jstr(&b, audit_by_name(a->by), ds_name(p->dataset));
		jstr(&b, "on", p->steps == 2 ? "agent" : p->steps ? "steps" : "first_error");
		jstr(&b, "a", p->a);
		jstr(&b, "b", p->b);
		buf_printf(&b, ",\"n\":%ld", p->n);
		jnum(&b, "exact", audit_exact(p));
		jnum(&b, "within1", audit_within1(p));
		jnum(&b, "kappa", p->kappa);
		jnum(&b, "alpha", p->alpha);
		jnum(&b, "ac1", p->ac1);
		buf_puts(&b, "}\n");
		fputs(b.data, stdout);
	}
	for (size_t i = 0; i < a->nanns; i++) {
		const struct audit_ann *n = &a->anns[i];
		buf_reset(&b);
		buf_puts(&b, "{\"kind\":\"annotator\"");
		jstr(&b, audit_by_name(a->by), ds_name(n->dataset));
		jstr(&b, "annotator", n->name);
		buf_printf(&b, ",\"decided\":%ld,\"typed\":%ld,\"blind\":%ld,\"changed\":%ld,"
			   "\"toward_source\":%ld,\"timed\":%ld,\"assigned\":%ld,\"assigned_done\":%ld,"
			   "\"gold\":%ld,\"gold_done\":%ld,\"gold_right\":%ld", n->decided, n->typed,
			   n->blind, n->changed, n->toward, n->timed, n->assigned, n->assigned_done,
			   n->gold, n->gold_done, n->gold_right);
		jnum(&b, "active_median_s", n->timed ? n->active_s : NAN);
		buf_puts(&b, "}\n");
		fputs(b.data, stdout);
	}
	for (size_t i = 0; i < a->nrules; i++) {
		const struct audit_rule *r = &a->rules[i];
		buf_reset(&b);
		buf_printf(&b, "{\"kind\":\"%s\"", r->filter ? "filter" : "rule");
		jstr(&b, audit_by_name(a->by), ds_name(r->dataset));
		jstr(&b, "rule", r->rule);
		jstr(&b, "truth", truth.data);
		buf_printf(&b, ",\"%s\":%ld,\"judged\":%ld,\"same\":%ld", r->filter ? "kept" :
			   "decided", r->decided, r->judged, r->same);
		jstr(&b, "policy", a->policy);
		buf_puts(&b, "}\n");
		fputs(b.data, stdout);
	}
	for (size_t i = 0; i < a->ncov; i++) {
		const struct audit_cov *c = &a->cov[i];
		if (!wanted(o, c->name))
			continue;
		buf_reset(&b);
		buf_puts(&b, "{\"kind\":\"coverage\"");
		jstr(&b, "dataset", c->dataset);
		jstr(&b, "source", c->name);
		buf_printf(&b, ",\"verdicts\":%ld,\"done\":%ld,\"failed\":%ld,\"pending\":%ld,"
			   "\"requests\":%ld,\"tokens_in\":%ld,\"tokens_out\":%ld}\n", c->labelled,
			   c->done, c->failed, c->pending, c->requests, c->tokens_in, c->tokens_out);
		fputs(b.data, stdout);
	}
	buf_free(&b);
	buf_free(&truth);
}


static void cnum(struct buf *b, double v)
{
	buf_putc(b, ',');
	if (!isnan(v))
		buf_printf(b, "%.6g", v);
}

static void csv_report(const struct audit *a, const struct out *o)
{
	struct buf b = {0};
	printf("kind,%s,source,a,b,n_error,n_correct,acc_error,acc_correct,f1,step_f1,"
	       "n,exact,within1,kappa,alpha,ac1\n", audit_by_name(a->by));
	for (size_t i = 0; i < a->nsys; i++) {
		const struct audit_sys *s = &a->sys[i];
		if (!wanted(o, s->name))
			continue;
		double ae = audit_acc(s->ok_error, s->n_error), ac = audit_acc(s->ok_correct, s->n_correct);
		buf_reset(&b);
		buf_puts(&b, "source,");
		csv_cell(&b, ds_name(s->dataset), o->csv_raw);
		buf_putc(&b, ',');
		csv_cell(&b, s->name, o->csv_raw);
		buf_printf(&b, ",,,%ld,%ld", s->n_error, s->n_correct);
		cnum(&b, ae);
		cnum(&b, ac);
		cnum(&b, audit_sys_f1(s));
		cnum(&b, prf(s->tp, s->fp, s->fn, 2));
		buf_puts(&b, ",,,,,,\n");
		fputs(b.data, stdout);
	}
	for (size_t i = 0; i < a->nrules; i++) { /* n: decided (kept); exact: same % */
		const struct audit_rule *r = &a->rules[i];
		buf_reset(&b);
		buf_puts(&b, r->filter ? "filter," : "rule,");
		csv_cell(&b, ds_name(r->dataset), o->csv_raw);
		buf_putc(&b, ',');
		csv_cell(&b, r->rule, o->csv_raw);
		buf_printf(&b, ",,,,,,,,,%ld", r->decided);
		cnum(&b, r->judged ? 100.0 * r->same / r->judged : NAN);
		buf_puts(&b, ",,,,\n");
		fputs(b.data, stdout);
	}
	for (size_t i = 0; i < a->npairs; i++) {
		const struct audit_pair *p = &a->pairs[i];
		buf_reset(&b);
		buf_puts(&b, p->steps == 2 ? "agreement_agent," : p->steps ? "agreement_steps," :
			 "agreement,");
		csv_cell(&b, ds_name(p->dataset), o->csv_raw);
		buf_puts(&b, ",,");
		csv_cell(&b, p->a, o->csv_raw);
		buf_putc(&b, ',');
		csv_cell(&b, p->b, o->csv_raw);
		buf_printf(&b, ",,,,,,,%ld", p->n);
		cnum(&b, audit_exact(p));
		cnum(&b, audit_within1(p));
		cnum(&b, p->kappa);
		cnum(&b, p->alpha);
		cnum(&b, p->ac1);
		buf_putc(&b, '\n');
		fputs(b.data, stdout);
	}
	buf_free(&b);
}

/* name, or its short name (alias NAME SHORT, L1... for UUIDs), "@"
 * kept: name itself, or a new string with name freed */
static char *aliased(char *name, const struct aliases *al)
{
	if (!name)
		return NULL;
	const char *p = name + (name[0] == '@'), *sh = alias_of(al, p);
	if (sh == p)
		return name;
	struct buf b = {0};
	buf_printf(&b, "%s%s", name[0] == '@' ? "@" : "", sh);
	free(name);
	return b.data;
}

/* the annotators shown by the short names the queue and stats show */
static void audit_aliases(struct audit *a, const struct aliases *al)
{
	for (size_t i = 0; i < a->ntruth; i++)
		a->truth[i] = aliased(a->truth[i], al);
	for (size_t i = 0; i < a->nsys; i++)
		a->sys[i].name = aliased(a->sys[i].name, al);
	for (size_t i = 0; i < a->npairs; i++) {
		a->pairs[i].a = aliased(a->pairs[i].a, al);
		a->pairs[i].b = aliased(a->pairs[i].b, al);
	}
	for (size_t i = 0; i < a->nanns; i++)
		a->anns[i].name = aliased(a->anns[i].name, al);
}

/* --source as the audit's rows name it: "@" and an annotator's full name
 * for a short one (NULL: none) */
static char *full_source(const char *given, const struct aliases *al)
{
	if (!given)
		return NULL;
	const char *full = given[0] == '@' ? alias_name(al, given + 1) : NULL;
	struct buf b = {0};
	buf_printf(&b, "%s%s", full ? "@" : "", full ? full : given);
	return b.data;
}

/* the tables, annotators by their short names (--source too) */
static void text_aliased(struct audit *a, struct out *o, const struct aliases *al)
{
	audit_aliases(a, al);
	char *src = o->source ? aliased(xstrdup(o->source), al) : NULL;
	struct out shown = *o;
	shown.source = src;
	text_report(a, &shown);
	free(src);
}

/* The queue's filters a solution's summary decides (db/queue.h). */
#define WHERE_FILTER(id, name, flags, cyc) {name, flags},
static const struct {
	const char *name;
	int flags;
} where_filters[] = {QUEUE_FILTERS(WHERE_FILTER)};

/* --where's filter into *where (its summary flags): 0, -1 no such one. */
static int where_of(const char *name, unsigned *where)
{
	for (size_t k = 0; k < ARRAY_SIZE(where_filters); k++)
		if (where_filters[k].flags >= 0 && !strcmp(where_filters[k].name, name)) {
			*where = (unsigned)where_filters[k].flags;
			return 0;
		}
	return -1;
}

/* "--where is all, disagree ... or disagree-human-auto" */
static void where_names(char *out, size_t n)
{
	size_t o = (size_t)snprintf(out, n, "--where is");
	size_t last = 0;
	for (size_t k = 0; k < ARRAY_SIZE(where_filters); k++)
		if (where_filters[k].flags >= 0)
			last = k;
	for (size_t k = 0, i = 0; k < ARRAY_SIZE(where_filters) && o < n; k++) {
		if (where_filters[k].flags < 0)
			continue;
		o += (size_t)snprintf(out + o, n - o, "%s %s", i == 0 ? "" : k == last ? " or" : ",",
				      where_filters[k].name);
		i++;
	}
}

int cmd_audit(int argc, char **argv, struct cmd_env *env)
{
	const char *dbpath = env->dbpath;
	static const struct option opts[] = {
		{"truth", required_argument, NULL, A_TRUTH},
		{"dataset", required_argument, NULL, A_DATASET},
		{"source", required_argument, NULL, A_SOURCE},
		{"threshold", required_argument, NULL, A_THRESHOLD},
		{"json", no_argument, NULL, A_JSON},
		{"csv", no_argument, NULL, A_CSV},
		{"csv-raw", no_argument, NULL, A_CSV_RAW},
		{"ascii", no_argument, NULL, A_ASCII},
		{"db", required_argument, NULL, A_DB},
		{"where", required_argument, NULL, A_WHERE},
		{"quiet", no_argument, NULL, A_QUIET},
		{"progress-every", required_argument, NULL, A_EVERY},
		{"by", required_argument, NULL, A_BY},
		{NULL, 0, NULL, 0},
	};
	const char *truth = NULL, *dataset = NULL;
	double threshold = 0.5;
	unsigned where = 0;
	int json = 0, csv = 0, c, quiet = 0, rc, by = 0;
	long every = 0;
	struct out o = {0};
	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case A_TRUTH: truth = optarg; break;
		case A_DATASET: dataset = optarg; break;
		case A_SOURCE: o.source = optarg; break;
		case A_THRESHOLD:
			if (parse_double(optarg, 0, 1, &threshold))
				return bad_usage("--threshold is between 0 and 1");
			break;
		case A_JSON: json = 1; break;
		case A_CSV: csv = 1; break;
		case A_CSV_RAW: csv = o.csv_raw = 1; break;
		case A_ASCII: o.ascii = 1; break;
		case A_QUIET: quiet = 1; break;
		case A_EVERY:
			if ((every = cmd_seconds(optarg)) <= 0)
				return bad_usage("--progress-every needs seconds");
			break;
		case A_DB: dbpath = optarg; break;
		case A_BY:
			if ((by = audit_by_find(optarg)) < 0)
				return bad_usage("--by takes dataset, category, guidelines or domain");
			break;
		case A_WHERE:
			if (where_of(optarg, &where) < 0) {
				char msg[300];
				where_names(msg, sizeof(msg));
				return bad_usage(msg);
			}
			break;
		default: return EX_USAGE;
		}
	}
	if (optind < argc)
		return bad_usage("audit takes no file arguments");
	if (json && csv)
		return bad_usage("--json or --csv, not both");
	if (!truth || !*truth)
		return bad_usage("audit needs --truth ANNOTATOR[,ANNOTATOR...]: whose labels "
				 "the sources are measured against");
	char *copy = xstrdup(truth), *names[64];
	size_t nn = 0;
	char err[600];
	struct db *db = db_open_ro(dbpath, err, sizeof(err));
	if (!db) {
		errf("stepmark: %s\n", inert(err, 0));
		free(copy);
		return EX_STORE;
	}
	cmd_store_warn(dbpath);
	struct conf cfg;
	conf_init(&cfg);
	char *cpath = env->config ? xstrdup(env->config) : conf_path_default();
	if (cpath)
		conf_load(&cfg, cpath, env->config == NULL, stderr);
	free(cpath);
	alias_auto(&cfg.aliases, db); /* without them, the names as they are */
	/* --truth and --source by a short name too */
	for (char *t = strtok(copy, ","); t && nn < 64; t = strtok(NULL, ",")) {
		const char *full = alias_name(&cfg.aliases, t);
		names[nn++] = full ? (char *)full : t;
	}
	char *src = full_source(o.source, &cfg.aliases);
	o.source = src;
	struct audit a = {.mc = {cfg.set.mc_k, cfg.set.mc_alpha, cfg.set.mc_pit}};
	struct progress pg;
	cmd_progress_begin(&pg, db, quiet, every, "audit", "solutions");
	rc = audit_run_by(db, dataset, where, by, names, nn, threshold, &a, err, sizeof(err));
	if (cmd_progress_end(&pg, db, "nothing was written") && rc < 0) {
		rc = 130;
	} else if (rc < 0) {
		errf("stepmark: audit: %s\n", err);
		rc = EX_BAD;
	} else {
		if (json)
			json_report(&a, &o);
		else if (csv)
			csv_report(&a, &o);
		else
			text_aliased(&a, &o, &cfg.aliases);
		audit_free(&a);
		rc = fflush(stdout) == 0 ? EX_OK : EX_BAD;
	}
	conf_done(&cfg);
	db_close(db);
	free(copy);
	free(src);
	return rc;
}
