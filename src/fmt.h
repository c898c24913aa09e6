/* fmt.h - data set formats: one table of operations per format, one
 * file each (fmt_NAME.c), listed by formats.def (HACKING); the readers'
 * and writers' shared helpers */
#ifndef SM_FMT_H
#define SM_FMT_H

#include <stdio.h>
#include "item.h"
#include "json.h"
#include "mcstat.h"
#include "resolve.h"
#include "util.h"

struct pcre2_real_code_8;

struct import_opts {
	const char *format;     /* forced format, or NULL to detect */
	const char *dataset;    /* data set name, or NULL for the default */
	const char *as;         /* annotator of imported labels */
	const char *as_source;  /* the labels become this source's suggestions */
	int as_labels;          /* Math-Shepherd: labels instead of suggestions */
	int skip_bad;
	/* generic field mapping (dotted paths); several --id fields make one
	 * key, their values joined by ':' (a ':' or '\' in one escaped) */
#define MAX_ID_FIELDS 8
	const char *f_id[MAX_ID_FIELDS];
	int n_id;
	const char *f_problem, *f_steps, *f_gold, *f_reference;
	const char *f_first_error, *f_answer, *f_generator, *f_note;
	const char *f_category; /* the error steps' category (PRMBench's
				 * classification) */
	const char *f_step_values; /* per-step values, for --as-source */
	const char *f_messages; /* a list of chat messages, one a step */
	const char *f_agent;    /* where a message's agent is: name, role, a field */
	const char *split;      /* PCRE2 pattern splitting a text into steps */
	struct pcre2_real_code_8 *split_re;
	int index_base;         /* 0 or 1 */
	/* the command's: no summary (--quiet), plain progress lines every
	 * this many seconds (0: none), which file of how many */
	int quiet;
	long every;
	int nfile, nfiles;
};

/* Reading context for one record. */
struct rd {
	struct arena *a;
	const struct import_opts *o;
	const char *path;
	long line;
	const char *annotator; /* labels are attributed to this name */
	const char *dataset;
	size_t sub;            /* which solution of a record of several
				* (format_ops' solutions), else 0 */
	char err[512];
	void (*warn)(struct rd *r, const char *msg);
	void *warn_ctx;
};

struct export_opts {
	const char *source; /* take suggestions of this source, not labels */
	int incomplete;     /* also solutions whose labels are incomplete */
	double threshold;   /* suggestion value counted as good from here */
	int agreed;         /* the agreed labels (stepmark consensus) */
	/* openrlhf: the placeholder after each step, the reward tokens, or
	 * with soft_source each label a float: that source's per-step value
	 * (an MC estimate's k/n) */
	const char *placeholder, *reward_good, *reward_bad, *soft_source;
	int quiet;          /* no progress line, no summary */
	long every;         /* plain progress lines every this many seconds */
	int csv_raw;        /* csv: cells exact, no formula guard (csv_cell) */
	struct mc_opts mc;  /* MC progress: K and alpha (the mc-k and
			     * mc-alpha settings; K 0: the defaults) */
};

/* Writing context. */
struct wr {
	FILE *fp;
	struct buf out;
	const struct export_opts *o;
	struct resolve_opts ro; /* o's labelling rules, for item_resolve */
	int tty;          /* fp is a terminal: what is written is made inert */
	int err;          /* errno of the first failed write, 0 none */
	long rows;        /* lines or records written */
	long solutions;   /* solutions written */
	long incomplete;  /* solutions left out: labels incomplete */
	long unlabelled;  /* solutions left out: nothing to export */
	long undecided;   /* solutions left out: no agreed label (--agreed) */
	long empty;       /* solutions that gave nothing (write returned 3) */
	long hard_steps;  /* --soft: steps without a value, written 1 or 0 */
	long marked;      /* solutions left out: a text holds the format's
			   * step marker (write returned 2) */
	const char *marker; /* that marker, for the message */
	void *state;      /* the format's own */
};

/*
 * Everything a format is. A new format is one file filling one of these
 * and one line in the table in fmt.c: import's detection and --format,
 * export, and the lists in --help come from it.
 */
struct format_ops {
	const char *name;
	const char *summary;
	int named_dataset;  /* imports go to the data set of its name by
			     * default (else the file's name) */
	/* the import options it needs: NULL when they do, else why not */
	const char *(*check)(const struct import_opts *o);
	int columns;        /* export needs every annotator and source as a
			     * column, known before the first row */
	int own_labels;     /* write reads labels or suggestions beyond
			     * item_resolve (else --agreed loads none) */
	const char *unit;   /* what export counts, plural ("rows"); NULL:
			     * records */
	const char *empty;  /* why a solution can give nothing (write 3) */
	/* NULL when rec looks like this format, else the reason it does not */
	const char *(*detect)(const struct jnode *rec, char *why, size_t n);
	/* fills it from rec (with solutions: its r->sub'th solution); -1
	 * with the reason in r->err */
	int (*read)(struct rd *r, const struct jnode *rec, struct item *it);
	/* a record holding several solutions: how many (read is called for
	 * each in turn), or -1 with the reason in r->err when the record is
	 * bad as a whole (none is read); NULL: a record is one solution */
	long (*solutions)(struct rd *r, const struct jnode *rec);
	void (*write_begin)(struct wr *w);
	/* 0 written, 1 left out, 2 left out because a text holds the
	 * format's step marker (w->marker), 3 nothing of the kind the
	 * format writes (empty says why), -1 error */
	int (*write)(struct wr *w, const struct item *it, const char *dataset);
	/* called after write_begin whatever happened: releases w->state */
	void (*write_end)(struct wr *w);
};

/* The formats are the table in fmt.c, a line each in formats.def. */
const struct format_ops *const *format_list(void);
const struct format_ops *format_find(const char *name);
/* "prm800k, processbench, ...": the formats that read (want_read) or
 * write, into out. */
void format_names(char *out, size_t n, int want_read);

/* Detection: NULL when rec is an object with every key, else why not. */
const char *detect_keys(const struct jnode *rec, const char *const *keys,
			size_t n, char *why, size_t len);

/* Reading helpers: each sets r->err and returns -1 (or NULL) on a wrong
 * type or a missing required field. */
int rd_fail(struct rd *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *rd_str(struct rd *r, const struct jnode *obj, const char *key,
		   int required);
/* A string, or a number's text (MR-GSM8K's numeric answers). */
const char *rd_text(struct rd *r, const struct jnode *obj, const char *key,
		    int required);
/* A list of strings into an arena array; -1 on error. */
int rd_str_list(struct rd *r, const struct jnode *obj, const char *key,
		const char ***out, size_t *n);
void *rd_alloc(struct rd *r, size_t n);
/* Builds steps from plain texts. */
void rd_steps(struct rd *r, struct item *it, const char **texts, size_t n);
void rd_label(struct rd *r, struct item *it, enum label_kind kind, int step,
	      int value, const char *text);
/* One label rating every step: marks[i] is +1, 0, -1 or NO_RATING. */
void rd_ratings(struct rd *r, struct item *it, const int *marks, size_t n);
struct suggestion *rd_suggestion(struct rd *r, struct item *it,
				 const char *source, const char *model, int step);
/* Extracts and grades the final answer of the last step. */
void rd_grade(struct rd *r, struct item *it);
/* Records a default key: a hash of the problem and the steps. */
const char *rd_content_key(struct rd *r, const struct item *it);

/* The labels a PRM trainer reads: the steps up to the first error, each
 * good (1) before it and bad (0) at it, all good when there is none, into
 * a new array *labels (free it) of *n. Returns what write returns: 0 to
 * write, 1 left out (the labels do not decide the first error), 2 left out
 * because the problem or a step holds marker (NULL: none), which would
 * misalign the labels. */
int wr_prm_labels(struct wr *w, const struct item *it, const char *marker, int **labels,
		  size_t *n);

/* The error category in force on step (the newest category label of the
 * labels exported; none from a source's or the agreed labels) as ,"kc":
 * KEY,"kr": true|false|null (recovered later); nothing when none. */
void wr_category(struct wr *w, const struct item *it, int step, const char *kc,
		 const char *kr);

/* With --agreed: ,"agreement":{"rule":...,"agreed_by":[...],"policy":...}
 * into w->out (nothing without an agreed label). */
void wr_agreement(struct wr *w, const struct item *it);
/* A record per annotator of it, each item holding that annotator's labels
 * alone (or one record of the source's or the agreed labels, when the
 * export takes those): put(w, item, who, ratings) with room for a rating
 * per step; 0 when any record was written, else 1. */
/* "key":[the steps' texts] into b */
void wr_steps(struct buf *b, const char *key, const struct item *it);
/* An integer, or a string holding one (Who&When writes its steps so),
 * into out: 0; -1 with the reason (naming field) in r->err; -2 when v is
 * neither, the caller saying what it wants. */
int rd_int_text(struct rd *r, const struct jnode *v, const char *field, long long *out);
typedef int (*wr_record_fn)(struct wr *w, const struct item *one, const char *who, int *ratings);
int wr_per_annotator(struct wr *w, const struct item *it, wr_record_fn put);

/* The step an annotator wrote for step i (a correction) that the export
 * carries, or NULL: the labels' (none with --source); with --agreed,
 * only one whose author is among those who agreed. */
const struct label *wr_correction(const struct wr *w, const struct item *it, size_t i);

/* Potato's label-only records (fmt_potato_prm.c): instance_id into
 * it->key, and the record's annotator, if it names one, into r->annotator;
 * -1 with the reason in r->err. */
int potato_instance(struct rd *r, const struct jnode *rec, struct item *it);

/* Writing helpers */
void wr_flush(struct wr *w, int force);
void wr_key(struct buf *b, const char *key);

#endif
