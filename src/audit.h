/* audit.h - how good each label source is against a truth, and how well
 * people agree: the figures of `stepmark audit` */
#ifndef SM_AUDIT_H
#define SM_AUDIT_H

#include <stddef.h>
#include "../db/db.h"
#include "mcstat.h"

#define AUDIT_NT 19 /* thresholds swept: 0.05, 0.10 ... 0.95 */

/* What a system's verdict on a solution was, against the truth's. */
enum { AO_SAME, AO_EARLIER, AO_LATER, AO_MISSED, AO_FALSE, AO_NONE, AO_N };

/* One system (a source, or an annotator not in the truth) on one data
 * set, against the truth. */
struct audit_sys {
	char *dataset;      /* NULL: every data set */
	char *name;         /* "judge/model", or "@annotator" */
	long n_error, n_correct;     /* solutions the truth decided */
	long ok_error, ok_correct;   /* the system named the same first error */
	long none;          /* the truth decided, the system did not */
	long earlier, same, later, missed, false_alarm;
	long offset[7];     /* erroneous solutions: the source's first error
			     * minus the truth's, -3 (or less) ... +3 (or more) */
	long tp, fp, fn, tn;         /* steps: "this step is wrong" */
	/* the same per solution, averaged as DeltaBench's script does
	 * (macro): sums of each solution's precision, recall and F1
	 * (fractions), over mac_n solutions the truth rated */
	double mac_p, mac_r, mac_f1;
	long mac_n;
	int has_values;     /* per-step values: the sweep means something */
	/* with collect: the solutions of each outcome (AO_*) */
	int64_t *ids[6];
	size_t nids[6], capids[6];
	long sweep[AUDIT_NT][2];     /* ok_error, ok_correct at each threshold */
	/* agent traces, as Who&When scores them: of the logs the truth
	 * attributes (a decisive turn and its agent), those the system named
	 * a turn for, the right agent, the right turn (exactly), and a turn
	 * within 1 and within 3 of it; no answer counts as wrong */
	long att_n, att_answered, att_agent, att_step, att_within1, att_within3;
};

/* Agreement between two annotators (b NULL: everyone) on one data set. */
struct audit_pair {
	char *dataset;
	char *a, *b;
	int steps;          /* 0: first errors; 1: typed step ratings; 2: the
			     * agent blamed for a trace's decisive error */
	long n;             /* units both rated (everyone: units with 2+) */
	long exact, within1;
	double kappa, alpha, ac1; /* NAN when undefined */
	int64_t *differ;    /* with collect, first errors: where they differ */
	size_t ndiffer;
};

struct audit_cov {
	char *dataset, *name;
	long labelled;      /* solutions with a verdict */
	long done, failed, pending;  /* its jobs */
	long requests, tokens_in, tokens_out;
};

struct audit_ann {
	char *dataset, *name;
	long decided;       /* solutions with a first error decided */
	long typed;         /* step ratings typed (not filled in) */
	/* anchoring: the first error decided while the suggestions were
	 * hidden (blind mode) against the one in force now */
	long blind;         /* solutions decided blind */
	long changed;       /* of those, decided otherwise since */
	long toward;        /* of those, now agreeing with a source that the
			     * blind verdict did not agree with */
	long assigned;      /* solutions dealt to the annotator (stepmark assign) */
	long assigned_done; /* of those, decided */
	long gold, gold_done, gold_right; /* gold items dealt, decided, right */
	long gold_near;     /* decided within one step of the gold's first error */
	long timed;         /* solutions with active time recorded */
	double active_s;    /* their median active time, seconds */
};

/* A consensus rule (stepmark consensus): the solutions it decided, and
 * of those the ones the truth decided, and agreed with. A filter is a
 * sources rule of the newest policy run alone on the sources, people's
 * labels set aside: how well the automatic consensus does by itself. */
struct audit_rule {
	char *dataset, *rule;
	int filter;
	long decided, judged, same;
};

struct audit {
	char **truth;       /* the truth's annotators ("agreed": the agreed
			     * labels) */
	size_t ntruth;
	double threshold;   /* where a per-step value counts as good */
	long truth_split;   /* solutions the truth's annotators disagree on */
	struct audit_sys *sys;
	size_t nsys;
	struct audit_pair *pairs;
	size_t npairs;
	struct audit_cov *cov;
	size_t ncov;
	struct audit_ann *anns;
	size_t nanns;
	struct audit_rule *rules;
	size_t nrules;
	char *policy;       /* the newest consensus policy, or NULL */
	int by;             /* what the rows' dataset names: audit_by_name() */
	struct mc_opts mc;  /* in: K and alpha of MC progress (K 0: the
			     * defaults); every MC source's progress and
			     * effective reward are systems ("mc/M:progress") */
};

/* Computes the audit of the store (dataset NULL: every data set; where,
 * SF_* flags of the queue's filters: only solutions with one of them, 0
 * every solution), the truth being the verdicts the named annotators
 * share. -1 with the
 * reason in err. */
int audit_run(struct db *db, const char *dataset, unsigned where, char **truth,
	      size_t ntruth, double threshold, struct audit *out, char *err, size_t errlen);
/* Whose workbench an audit is computed for: on the solutions dealt to
 * viewer, other people's labels count only where viewer may see them
 * (summary_others_hidden under blind, the BLIND_* setting). */
struct audit_as {
	const char *viewer;
	int blind;
};
/* The same, keeping the solutions behind each count (the workbench's
 * audit view opens them in the queue), as as says (NULL: all). */
int audit_run_collect(struct db *db, const char *dataset, unsigned where, char **truth,
		      size_t ntruth, double threshold, const struct audit_as *as,
		      struct audit *out, char *err, size_t errlen);
/* The same, the figures split by another key than the data set (its
 * index, audit_by_find): each row's dataset names the group instead.
 * "category": the truth's error category at its first error ("no
 * error", "none" when unsaid, "undecided"); "guidelines": the guidelines
 * version of the newest verdict label of an annotator measured, else of
 * the truth's ("none"). The jobs' coverage is per data set only: none. */
int audit_run_by(struct db *db, const char *dataset, unsigned where, int by, char **truth,
		 size_t ntruth, double threshold, struct audit *out, char *err, size_t errlen);
/* The split of that name (0 "dataset", the default), -1 none; a split's
 * name and the report's column title (NULL, "data set" past the last). */
int audit_by_find(const char *name);
const char *audit_by_name(int by);
const char *audit_by_column(int by);
void audit_free(struct audit *a);

/* ProcessBench's figures, in percent: accuracy on erroneous and on
 * correct solutions, and their harmonic mean (0 when both are 0). */
double audit_pct(long ok, long n);
double audit_f1(double acc_error, double acc_correct);
/* The same for a report: an accuracy over no solution is NAN, and so is
 * s's F1 when the truth has no erroneous or no correct solution
 * (ProcessBench's F1 is undefined there, not 0). */
double audit_acc(long ok, long n);
double audit_sys_f1(const struct audit_sys *s);
/* A pair's exact agreement and agreement within one step, in percent;
 * NAN where undefined (everyone's row; within one step of ratings). */
double audit_exact(const struct audit_pair *p);
double audit_within1(const struct audit_pair *p);
/* v with the given decimals into o, or "-" when v is NAN. */
void audit_num(char *o, size_t n, double v, int decimals);
/* The threshold of sweep index i. */
double audit_threshold(int i);

/* Charts into b: a bar of w columns for fraction f (eighths of a
 * block, or #s when ascii); a line of block heights for percentages. */
struct buf;
void audit_bar(struct buf *b, double f, int w, int ascii);
void audit_spark(struct buf *b, const double *v, int n, int ascii);
/* The offset histogram of s (-3...+3, missed, false alarm) as nine
 * heights in percent for audit_spark: 0 for none, else 12.5 and up. */
void audit_offset_heights(const struct audit_sys *s, double h[9]);
/* The F1 at each threshold of s's sweep (NAN as audit_sys_f1), and the
 * best one's index. A bar or spark of NAN draws nothing. */
void audit_sweep_f1(const struct audit_sys *s, double *f1, int *best);

/* Agreement statistics over units, each unit a list of category values
 * (-1 missing). Pairwise: Cohen's kappa; any number of raters:
 * Krippendorff's alpha (nominal) and Gwet's AC1. NAN when undefined. */
double stat_kappa(const int *a, const int *b, size_t n, int ncat);
double stat_alpha(const int *v, size_t nunits, int nraters, int ncat);
double stat_ac1(const int *v, size_t nunits, int nraters, int ncat);
/* The same over units given one at a time, as a walk meets them (memory
 * of the categories, not of the units): rows of nraters values, -1
 * missing; the figures with ncat categories, every value below it. */
struct stat_units {
	int ncat;          /* categories met, and room */
	long *nc, *nuc;    /* values per category: in units of two or more; in one */
	double dis, n;     /* alpha: disagreement within units, values paired */
	double *pi, pa;    /* AC1: the categories' shares, agreement */
	long rated, paired;
};
void stat_units_add(struct stat_units *u, const int *row, int nraters);
double stat_units_alpha(const struct stat_units *u, int ncat);
double stat_units_ac1(const struct stat_units *u, int ncat);
void stat_units_free(struct stat_units *u);
/* Cohen's kappa over pairs given one at a time (a or b -1: skipped) */
struct stat_pair {
	int ncat;
	long *ma, *mb;     /* each one's values per category */
	long both, agree;
};
void stat_pair_add(struct stat_pair *p, int a, int b);
double stat_pair_kappa(const struct stat_pair *p, int ncat);
void stat_pair_free(struct stat_pair *p);

#endif
