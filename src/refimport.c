/* refimport.c - reference solutions from a file of their own, matched to
 * the store's problems by problem text or by a solution's id; all or
 * nothing, every record that changes nothing said with its line */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "json.h"
#include "progress.h"
#include "reference.h"
#include "refimport.h"
#include "util.h"
#include "../db/db.h"

#define MAX_SHOWN 10


/* a problem's text hash and id, sorted by hash */
struct pkey {
	uint64_t h;
	int64_t id;
};

struct ref_import {
	struct db *db;
	const char *path;
	const char *f_problem, *f_id, *f_ref, *f_gold;
	const char *gold;             /* this record's gold answer, or NULL */
	struct buf goldbuf;
	long gold_set, gold_kept;
	int64_t dataset;              /* 0: every data set */
	int64_t *datasets;            /* by id: the data sets to look in */
	size_t ndatasets;
	int replace, skip_bad;
	int checking;                 /* the first pass: records checked only */
	pcre2_code *split;            /* --split: the steps' separators */
	struct pkey *keys;
	size_t nkeys, capkeys;
	/* the problems this file set: id and line (a hash table), to catch
	 * a second record for one problem */
	struct pkey *done;
	size_t ndone, capdone;
	long given, unchanged, replaced, kept, unmatched, bad, twice, repeated, records;
	int failed;
	struct buf text, ref, spans, want;
	struct progress pg;           /* over each pass: the file's bytes */
	int quiet;
	long every;
	int stopped;                  /* Ctrl-C: nothing stored */
};

static void trimmed(const char *s, const char **a, size_t *n)
{
	size_t len = strlen(s);
	while (len && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
		s++, len--;
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n' ||
		       s[len - 1] == '\r'))
		len--;
	*a = s;
	*n = len;
}

static uint64_t text_hash(const char *s)
{
	const char *a;
	size_t n;
	trimmed(s, &a, &n);
	return hash64(a, n, 0x7e1);
}

static void add_key(void *ctx, int64_t id, const char *text)
{
	struct ref_import *r = ctx;
	if (r->nkeys == r->capkeys) {
		r->capkeys = r->capkeys ? r->capkeys * 2 : 1024;
		r->keys = xrealloc(r->keys, r->capkeys * sizeof(*r->keys));
	}
	r->keys[r->nkeys].h = text_hash(text);
	r->keys[r->nkeys++].id = id;
}

static int cmp_pkey(const void *a, const void *b)
{
	const struct pkey *x = a, *y = b;
	return x->h < y->h ? -1 : x->h > y->h ? 1 : (x->id > y->id) - (x->id < y->id);
}

static int same_text(const char *a, const char *b)
{
	const char *x, *y;
	size_t n, m;
	trimmed(a, &x, &n);
	trimmed(b, &y, &m);
	return n == m && !memcmp(x, y, n);
}

/* A record's message, on a line of its own (off the progress line). */
static void say(struct ref_import *r, const char *fmt, ...)
{
	progress_clear(&r->pg);
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

static void bad(struct ref_import *r, long line, const char *why)
{
	r->bad++;
	if (r->bad <= MAX_SHOWN)
		say(r, "%s:%ld: %s\n", inert(r->path, 0), line, why);
}

/* The line that set problem id in this file, 0 none; records it. An
 * open-addressing table keyed by the id (ids are positive): a file may
 * hold a reference for every problem of a large data set. */
static long seen(struct ref_import *r, int64_t id, long line)
{
	if (2 * (r->ndone + 1) > r->capdone) {
		size_t cap = r->capdone ? r->capdone * 2 : 1024;
		struct pkey *t = xcalloc(cap, sizeof(*t));
		for (size_t i = 0; i < r->capdone; i++) {
			if (!r->done[i].id)
				continue;
			size_t k = (size_t)hash64(&r->done[i].id, sizeof(int64_t), 0) & (cap - 1);
			while (t[k].id)
				k = (k + 1) & (cap - 1);
			t[k] = r->done[i];
		}
		free(r->done);
		r->done = t;
		r->capdone = cap;
	}
	size_t k = (size_t)hash64(&id, sizeof(id), 0) & (r->capdone - 1);
	while (r->done[k].id) {
		if (r->done[k].id == id)
			return (long)r->done[k].h;
		k = (k + 1) & (r->capdone - 1);
	}
	r->done[k].id = id;
	r->done[k].h = (uint64_t)line;
	r->ndone++;
	return 0;
}

/* The reference for one matched problem; r->want holds its spans ("":
 * the default cut). loaded: r->ref and r->spans hold the problem's now.
 * 0 when an earlier line of the file matched the problem (counted and
 * said: its gold answer is not taken either), else 1. */
static int give(struct ref_import *r, int64_t problem, const char *ref, long line, int loaded)
{
	if (!loaded && db_problem_reference(r->db, problem, &r->text, &r->ref, &r->spans) < 0) {
		r->failed = 1;
		return 0;
	}
	long first = seen(r, problem, line);
	if (first && !same_text(r->ref.data, ref)) {
		r->twice++;
		if (r->twice <= MAX_SHOWN)
			say(r, "%s:%ld: problem %lld got another reference from line %ld; "
			    "the first stands\n", inert(r->path, 0), line, (long long)problem, first);
	} else if (first) {
		r->repeated++;
		if (r->repeated <= MAX_SHOWN)
			say(r, "%s:%ld: problem %lld got the same reference from line %ld; "
			    "counted once\n", inert(r->path, 0), line, (long long)problem, first);
	}
	if (first)
		return 0;
	if (!r->ref.len) {
		r->given++;
	} else if (same_text(r->ref.data, ref) && !strcmp(r->spans.data, r->want.data)) {
		r->unchanged++;
		return 1;
	} else if (!r->replace) {
		r->kept++;
		if (r->kept <= MAX_SHOWN)
				say(r, "%s:%ld: problem %lld has another reference; kept (--replace takes "
			     "this file's)\n", inert(r->path, 0), line, (long long)problem);
		return 1;
	} else {
		r->replaced++;
	}
	if (db_problem_set_reference(r->db, problem, ref, r->want.data) < 0)
		r->failed = 1;
	return 1;
}

/* --gold: the record's gold answer for the problem */
static void give_gold(struct ref_import *r, int64_t problem, long line)
{
	if (!r->gold)
		return;
	int rc = db_problem_set_gold(r->db, problem, r->gold, r->replace);
	if (rc < 0) {
		r->failed = 1;
	} else if (rc == 0) {
		r->gold_kept++;
		if (r->gold_kept <= MAX_SHOWN)
				say(r, "%s:%ld: problem %lld has another gold answer; kept (--replace takes "
			     "this file's)\n", inert(r->path, 0), line, (long long)problem);
	} else {
		r->gold_set++;
	}
}

/* the answer of a GSM8K-style reference's "#### answer" line, as
 * reference.c cuts it, or NULL */
static const char *gsm8k_answer(const char *ref, struct buf *b)
{
	struct refsteps rs;
	ref_split(ref, &rs);
	const char *a = NULL;
	if (rs.answer.len) {
		buf_reset(b);
		buf_add(b, ref + rs.answer.off, rs.answer.len);
		a = b->data;
	}
	refsteps_free(&rs);
	return a;
}

static int on_record(void *ctx, const struct jrecord *rec)
{
	struct ref_import *r = ctx;
	r->records++;
	r->pg.count = r->records;
	if (progress_set(&r->pg, rec->offset)) {
		r->stopped = 1;
		return 1;
	}
	const char *kf = r->f_problem ? r->f_problem : r->f_id;
	const struct jnode *k = jpath(rec->root, kf), *v = jpath(rec->root, r->f_ref);
	char why[300];
	if (!k || (k->type != J_STR && (r->f_problem || k->type != J_NUM))) {
		snprintf(why, sizeof(why), "no %s \"%s\"", r->f_problem ? "text in" : "id in",
			 inert(kf, 1));
		if (r->checking) /* said once, in the first pass */
			bad(r, rec->line, why);
		return 0;
	}
	if (!v || v->type != J_STR || !v->len) {
		snprintf(why, sizeof(why), "no reference text in \"%s\"", inert(r->f_ref, 1));
		if (r->checking)
			bad(r, rec->line, why);
		return 0;
	}
	const struct jnode *g = r->f_gold ? jpath(rec->root, r->f_gold) : NULL;
	/* a string, or a number's text as the data writes it */
	r->gold = g && ((g->type == J_STR && g->len) || g->type == J_NUM) ? g->str : NULL;
	if (!r->f_gold) /* a GSM8K reference's #### line is the gold answer */
		r->gold = gsm8k_answer(v->str, &r->goldbuf);
	if (r->f_gold && !r->gold) {
		snprintf(why, sizeof(why), "no gold answer in \"%s\"", inert(r->f_gold, 1));
		if (r->checking)
			bad(r, rec->line, why);
		return 0;
	}
	buf_reset(&r->want);
	buf_puts(&r->want, "");
	if (r->split) {
		struct refsteps rs;
		if (ref_split_re(v->str, r->split, &rs) < 0) {
			if (r->checking)
				bad(r, rec->line, "--split failed on this reference (a PCRE2 error)");
			return 0;
		}
		if (!rs.n) {
			if (r->checking)
				bad(r, rec->line, "--split leaves no step of this reference");
			refsteps_free(&rs);
			return 0;
		}
		ref_spans_encode(&rs, &r->want);
		refsteps_free(&rs);
	}
	if (r->checking)
		return 0;
	int matched = 0;
	if (r->f_problem) {
		struct pkey want = {text_hash(k->str), 0};
		size_t lo = 0, hi = r->nkeys;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (r->keys[mid].h < want.h)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (size_t i = lo; i < r->nkeys && r->keys[i].h == want.h && !r->failed; i++) {
			if (db_problem_reference(r->db, r->keys[i].id, &r->text, &r->ref,
						 &r->spans) < 0) {
				r->failed = 1;
				break;
			}
			if (!same_text(r->text.data, k->str))
				continue;
			matched = 1;
			if (give(r, r->keys[i].id, v->str, rec->line, 1))
				give_gold(r, r->keys[i].id, rec->line);
		}
	} else {
		for (size_t d = 0; d < r->ndatasets && !r->failed; d++) {
			int64_t p = db_problem_of_key(r->db, r->datasets[d], k->str);
			if (p < 0)
				r->failed = 1;
			if (p > 0) {
				matched = 1;
				if (give(r, p, v->str, rec->line, 0))
					give_gold(r, p, rec->line);
			}
		}
	}
	if (!matched && !r->failed) {
		r->unmatched++;
		if (r->unmatched <= MAX_SHOWN)
				say(r, "%s:%ld: no problem %s \"%s\"\n", inert(r->path, 0), rec->line,
			     r->f_problem ? "with the text" : "of a solution with the id",
			     inert(k->str, 1));
	}
	return r->failed;
}

static int on_error(void *ctx, long line, const char *msg)
{
	struct ref_import *r = ctx;
	if (r->checking)
		bad(r, line, msg);
	return 0;
}

static void add_dataset(void *ctx, const char *name)
{
	struct ref_import *r = ctx;
	int64_t id = db_dataset_id(r->db, name);
	r->datasets = xrealloc(r->datasets, (r->ndatasets + 1) * sizeof(*r->datasets));
	r->datasets[r->ndatasets++] = id;
}

/* The progress line of pass n (1: the records checked, 2: stored). */
static void pass_begin(struct ref_import *r, int n)
{
	struct stat sb;
	char what[200];
	snprintf(what, sizeof(what), "import-reference %s (%s)", r->path,
		 n == 1 ? "pass 1/2: checking" : "pass 2/2: matching");
	progress_start(&r->pg, progress_mode(r->quiet, r->every), r->every, what,
		       stat(r->path, &sb) == 0 ? (int64_t)sb.st_size : 0, NULL);
	r->pg.count_unit = "records";
	r->pg.count = 0;
}

/* Ends a pass's line: 1 when Ctrl-C stopped it (said). */
static int pass_end(struct ref_import *r)
{
	if (!r->stopped && !progress_stopped()) {
		progress_end(&r->pg);
		return 0;
	}
	progress_stop(&r->pg);
	errf("stepmark: stopped: nothing of %s stored\n", inert(r->path, 0));
	return 1;
}

/* Pass n over the file (1: the records checked, 2: matched and stored):
 * 0 read, 1 unreadable, 2 stopped by Ctrl-C (each said). */
static int one_pass(struct ref_import *r, int n)
{
	struct jstats st;
	char err[400] = "";
	r->checking = n == 1;
	r->records = 0;
	pass_begin(r, n);
	if (jstream_file(r->path, on_record, on_error, r, &st, err, sizeof(err)) < 0 && err[0]) {
		progress_stop(&r->pg);
		errf("stepmark: %s\n", err);
		return 1;
	}
	return pass_end(r) ? 2 : 0;
}

/* Two passes: the records checked (a bad one stops everything, unless
 * --skip-bad), then matched and stored. 0, 1 bad input, -1 store error,
 * 2 stopped. */
static int run_file(struct ref_import *r)
{
	int rc = one_pass(r, 1);
	if (rc)
		return rc;
	if (r->bad > MAX_SHOWN)
		errf("... and %ld more\n", r->bad - MAX_SHOWN);
	if (r->bad && !r->skip_bad) {
		errf("stepmark: %s: %ld bad record%s; nothing imported (--skip-bad stores the rest)\n",
		     inert(r->path, 0), r->bad, r->bad == 1 ? "" : "s");
		return 1;
	}
	if ((rc = one_pass(r, 2)))
		return rc;
	if (r->failed) {
		errf("stepmark: store error: %s\n", db_errmsg(r->db));
		return -1;
	}
	if (r->unmatched > MAX_SHOWN || r->kept > MAX_SHOWN || r->twice > MAX_SHOWN ||
	    r->repeated > MAX_SHOWN)
		errf("... (%ld more lines not shown)\n",
		     (r->unmatched > MAX_SHOWN ? r->unmatched - MAX_SHOWN : 0) +
		     (r->kept > MAX_SHOWN ? r->kept - MAX_SHOWN : 0) +
		     (r->twice > MAX_SHOWN ? r->twice - MAX_SHOWN : 0) +
		     (r->repeated > MAX_SHOWN ? r->repeated - MAX_SHOWN : 0));
	if (!r->given && !r->replaced && !r->unchanged && !r->kept && !r->twice) {
		errf("stepmark: %s: no record matched a problem in the store; nothing imported\n",
		     inert(r->path, 0));
		return 1;
	}
	return 0;
}

/* The data sets to look in, and the problems' texts when records name
 * them: 0, or -1 on a store error (said). */
static int ref_prepare(struct ref_import *r)
{
	if (r->dataset) {
		r->datasets = xmalloc(sizeof(*r->datasets));
		r->datasets[r->ndatasets++] = r->dataset;
	} else if (db_datasets(r->db, add_dataset, r) < 0) {
		return -1;
	}
	if (r->f_problem) {
		if (db_problems_each(r->db, r->dataset, add_key, r) < 0) {
			errf("stepmark: store error: %s\n", db_errmsg(r->db));
			return -1;
		}
		if (r->nkeys > 1)
			qsort(r->keys, r->nkeys, sizeof(*r->keys), cmp_pkey);
	}
	return 0;
}

static void ref_free(struct ref_import *r)
{
	free(r->keys);
	free(r->done);
	free(r->datasets);
	buf_free(&r->text);
	buf_free(&r->ref);
	buf_free(&r->spans);
	buf_free(&r->want);
	buf_free(&r->goldbuf);
}

int ref_import(struct db *db, const struct ref_import_opts *o, struct ref_import_counts *out)
{
	struct ref_import r = {.db = db, .path = o->path, .f_problem = o->f_problem,
			       .f_id = o->f_id, .f_ref = o->f_ref, .f_gold = o->f_gold,
			       .dataset = o->dataset, .replace = o->replace,
			       .skip_bad = o->skip_bad, .split = o->split, .quiet = o->quiet,
			       .every = o->every};
	int rc = ref_prepare(&r);
	if (rc == 0 && db_begin(db) < 0) {
		errf("stepmark: cannot start a transaction: %s\n", db_errmsg(db));
		rc = -1;
	} else if (rc == 0) {
		progress_catch();
		rc = run_file(&r);
		progress_release();
		if (rc == 0 && db_commit(db) < 0) {
			errf("stepmark: %s: cannot commit: %s\n", inert(r.path, 0), db_errmsg(db));
			rc = -1;
		}
		if (rc != 0)
			db_rollback(db);
	}
	*out = (struct ref_import_counts){r.given, r.unchanged, r.replaced, r.kept, r.unmatched,
					  r.bad, r.twice, r.gold_set, r.gold_kept, r.repeated};
	ref_free(&r);
	return rc;
}
