/* import.c - one file (or a directory of files) into the store: detect,
 * read, store all or nothing */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <signal.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "import.h"
#include "name.h"
#include "grade.h"
#include "progress.h"
#include "summary.h"

#define MAX_SHOWN 20 /* bad records listed before the rest are counted */

struct detect_ctx {
	const struct format_ops *found[8];
	int nfound;
	struct buf why;
	long line;
	int got;
};

static int detect_record(void *ctx, const struct jrecord *rec)
{
	struct detect_ctx *d = ctx;
	const struct format_ops *const *f = format_list();
	d->got = 1;
	d->line = rec->line;
	for (int i = 0; f[i]; i++) {
		if (!f[i]->read)
			continue;
		char tmp[200];
		const char *no = f[i]->detect(rec->root, tmp, sizeof(tmp));
		if (!no)
			d->found[d->nfound++] = f[i];
		else
			buf_printf(&d->why, "\n  %s: %s", f[i]->name, no);
	}
	return 1; /* the first record decides */
}

static int detect_error(void *ctx, long line, const char *msg)
{
	struct detect_ctx *d = ctx;
	buf_printf(&d->why, "\n  line %ld: %s", line, msg);
	return 1;
}

/* The files a path names: itself, or a directory's *.json files. */
struct files {
	char **v;
	size_t n;
	int dir;      /* path is a directory */
	int64_t size; /* their bytes together */
};

static int is_number(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return n > 0;
}

/* By name, numerically where both names are numbers (2.json before
 * 10.json), numbers before other names. */
static int name_order(const void *pa, const void *pb)
{
	const char *a = strrchr(*(char *const *)pa, '/') + 1;
	const char *b = strrchr(*(char *const *)pb, '/') + 1;
	size_t la = strlen(a) - 5, lb = strlen(b) - 5; /* without ".json" */
	int na = is_number(a, la), nb = is_number(b, lb);
	if (na != nb)
		return nb - na;
	if (na) {
		while (la > 1 && *a == '0')
			a++, la--;
		while (lb > 1 && *b == '0')
			b++, lb--;
		if (la != lb)
			return la < lb ? -1 : 1;
	}
	return strcmp(a, b);
}

static void files_free(struct files *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->v[i]);
	free(f->v);
	memset(f, 0, sizeof(*f));
}

/* 0, or -1 said: a directory with no *.json file, or unreadable. */
static int files_of(const char *path, struct files *f)
{
	memset(f, 0, sizeof(*f));
	struct stat sb;
	if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		f->v = xmalloc(sizeof(*f->v));
		f->v[f->n++] = xstrdup(path);
		f->size = stat(path, &sb) == 0 ? (int64_t)sb.st_size : 0;
		return 0;
	}
	f->dir = 1;
	DIR *d = opendir(path);
	if (!d) {
		errf("stepmark: %s: %s\n", inert(path, 0), strerror(errno));
		return -1;
	}
	size_t cap = 0, plen = strlen(path);
	while (plen > 1 && path[plen - 1] == '/')
		plen--;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (e->d_name[0] == '.' || n <= 5 || strcmp(e->d_name + n - 5, ".json") != 0)
			continue;
		char *full = xmalloc(plen + n + 2);
		snprintf(full, plen + n + 2, "%.*s/%s", (int)plen, path, e->d_name);
		if (stat(full, &sb) != 0 || !S_ISREG(sb.st_mode)) {
			free(full);
			continue;
		}
		if (f->n == cap)
			f->v = xrealloc(f->v, (cap = cap ? cap * 2 : 64) * sizeof(*f->v));
		f->v[f->n++] = full;
		f->size += (int64_t)sb.st_size;
	}
	closedir(d);
	if (f->n == 0) {
		errf("stepmark: %s: a directory with no *.json file; nothing imported\n",
		     inert(path, 0));
		files_free(f);
		return -1;
	}
	qsort(f->v, f->n, sizeof(*f->v), name_order);
	return 0;
}

/* The format of path's records (of a directory's first file). */
static const struct format_ops *detect(const char *path)
{
	struct detect_ctx d = {0};
	struct stat sb;
	struct files fs;
	if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		if (files_of(path, &fs) < 0)
			return NULL;
		const struct format_ops *f = detect(fs.v[0]);
		files_free(&fs);
		return f;
	}
	struct jstats st;
	char err[512];
	const struct format_ops *f = NULL;
	if (jstream_file(path, detect_record, detect_error, &d, &st, err,
			 sizeof(err)) < 0 && !d.got) {
		if (d.why.len)
			errf("stepmark: %s: not JSON or JSON Lines:%s\n",
				path, d.why.data);
		else
			errf("stepmark: %s\n", err);
	} else if (d.nfound == 1) {
		f = d.found[0];
	} else if (!d.got) { /* an empty array, or only blank lines */
		errf("stepmark: %s: no records (an empty %s); nothing imported\n", path,
		     st.is_array ? "JSON array" : "file");
	} else if (d.nfound == 0) {
		errf(
			"stepmark: %s:%ld: unknown format; the first record fits none of:%s\n"
			"Use --format NAME, or --format generic with a field mapping.\n",
			path, d.line, d.why.data);
	} else {
		errf("stepmark: %s:%ld: ambiguous: the first record fits",
			path, d.line);
		for (int i = 0; i < d.nfound; i++)
			errf(" %s", d.found[i]->name);
		errf("; choose one with --format\n");
	}
	buf_free(&d.why);
	return f;
}

/* The default data set: named for the format, or for the file (the
 * directory). */
static char *default_dataset(const char *path, const struct format_ops *f)
{
	if (f->named_dataset)
		return xstrdup(f->name);
	char *trimmed = xstrdup(path);
	for (size_t n = strlen(trimmed); n > 1 && trimmed[n - 1] == '/'; n--)
		trimmed[n - 1] = '\0';
	const char *base = strrchr(trimmed, '/');
	base = base && base[1] ? base + 1 : trimmed;
	char *name = xstrdup(base);
	free(trimmed);
	static const char *ext[] = {".jsonl", ".json", ".ndjson"};
	for (size_t i = 0; i < ARRAY_SIZE(ext); i++) {
		size_t n = strlen(name), e = strlen(ext[i]);
		if (n > e && strcmp(name + n - e, ext[i]) == 0) {
			name[n - e] = '\0';
			break;
		}
	}
	return name;
}

/* What changes the result of an import, as one canonical string. */
static void options_key(struct buf *b, const struct format_ops *f,
			const struct import_opts *o, const char *annotator)
{
	struct buf ids = {0};
	for (int i = 0; i < o->n_id; i++) {
		if (i)
			buf_putc(&ids, '\n');
		buf_puts(&ids, o->f_id[i]);
	}
	const char *v[] = {f->name, o->as_source ? o->as_source : annotator,
			   o->as_labels ? "labels" : o->as_source ? "source" : "",
			   ids.data, o->f_problem, o->f_steps, o->f_gold,
			   o->f_reference, o->f_first_error, o->f_answer,
			   o->f_generator, o->f_note, o->split, o->f_step_values,
			   o->f_messages, o->f_agent};
	buf_putc(b, '[');
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		if (i)
			buf_putc(b, ',');
		if (v[i])
			buf_json_str(b, v[i], strlen(v[i]));
		else
			buf_puts(b, "null");
	}
	buf_printf(b, ",%d", o->index_base);
	if (o->f_category) { /* only then: the keys of earlier imports stay */
		buf_putc(b, ',');
		buf_json_str(b, o->f_category, strlen(o->f_category));
	}
	buf_putc(b, ']');
	buf_free(&ids);
}

/*
 * Two threads: a reader parses records into items (the slots of a small
 * ring), and the caller's thread stores them. Parsing overlaps with
 * SQLite's work; memory stays bounded by the ring.
 */
#define NSLOTS 128

struct slot {
	struct arena dom;  /* the record's tree, taken over from the reader */
	struct arena a;    /* what the format built from it */
	struct item it;
	/* what the reader prepares for the storer: the summary (its
	 * verdicts text in the slot's buffer) and the steps' alternatives
	 * encoded (in a) */
	struct summary sum;
	struct buf verdicts;
	long long offset;  /* bytes of the files read up to this record */
	const char *file;  /* the file it came from (the run's files) */
	int skip;          /* nothing to store: it only holds the tree of a
			    * record whose last solution was bad */
	struct slot *next;
};

struct import_run {
	struct db *db;
	const struct format_ops *f;
	const struct import_opts *o;
	const char *path;
	struct files files; /* path's files: itself, or a directory's */
	const char *cur;    /* the file the reader is in */
	long long done;     /* the bytes of the files read before it */
	const char *annotator;
	const char *dataset;
	int64_t dataset_id, import_id;
	long stored, duplicates, steps, warnings;
	long merged;      /* solutions already here that gained labels */
	long label_only;  /* records of labels alone (a label-only format's) */
	long disagree;    /* correct solutions whose answers differ */
	struct progress pg;
	int stopped;      /* Ctrl-C: the storer stopped */

	pthread_mutex_t mu;
	pthread_cond_t cv_item, cv_free; /* something to store; a slot free */
	struct slot slots[NSLOTS];
	struct slot *free, *head, *tail;
	int nfree;        /* slots on the free list */
	int want_free;    /* the reader waits for this many */
	int reading;      /* the reader has not finished */
	int stop;         /* the storer failed: the reader stops */
	long bad;         /* bad records so far (written under mu) */
	/* what the reader ends with */
	int read_rc;
	int is_array;
	char read_err[512];
	struct hasher hash;
	struct buf alts;     /* the reader's, to encode alternatives */
};

static void report_bad(struct import_run *r, long line, const char *msg)
{
	pthread_mutex_lock(&r->mu);
	long n = ++r->bad;
	pthread_mutex_unlock(&r->mu);
	if (n <= MAX_SHOWN || r->o->skip_bad) {
		/* the reader's thread: its own slots of inert() */
		errf("%s:%ld: %s\n", inert(r->cur, 2), line, inert(msg, 3));
	}
}

/* An id used again with other content: a bad record, from the storer's
 * thread (its own buffer: inert()'s slots belong to the reader). */
static void report_clash(struct import_run *r, const struct slot *sl, const struct db_clash *c)
{
	const struct item *it = &sl->it;
	struct buf b = {0};
	inert_into(&b, sl->file);
	buf_printf(&b, ":%ld: id \"", it->line);
	inert_into(&b, it->key);
	if (c->same_import) {
		buf_printf(&b, "\" already used by line %ld with different steps", c->line);
	} else {
		buf_printf(&b, "\" already used by solution %lld in the store (", (long long)c->solution);
		inert_into(&b, c->path[0] ? c->path : "imported earlier");
		buf_printf(&b, " line %ld) with a different problem or steps", c->line);
	}
	pthread_mutex_lock(&r->mu);
	long n = ++r->bad;
	if (n <= MAX_SHOWN || r->o->skip_bad)
		errf("%s\n", b.data);
	pthread_mutex_unlock(&r->mu);
	buf_free(&b);
}

/* A label-only record (Potato's) for a solution that is not there, or
 * that has fewer steps than its labels: a bad record, from the storer's
 * thread. */
static void report_missing(struct import_run *r, const struct slot *sl, int rc,
			   const struct db_clash *c)
{
	const struct item *it = &sl->it;
	struct buf b = {0};
	inert_into(&b, sl->file);
	buf_printf(&b, ":%ld: instance_id \"", it->line);
	inert_into(&b, it->key);
	if (rc == 4) {
		buf_puts(&b, "\" names no solution of data set \"");
		inert_into(&b, r->dataset);
		buf_puts(&b, "\" (import the data the labels are for first)");
	} else {
		buf_printf(&b, "\": its labels need %zu steps, the solution has %ld", it->nsteps,
			   c->line);
	}
	pthread_mutex_lock(&r->mu);
	long n = ++r->bad;
	if (n <= MAX_SHOWN || r->o->skip_bad)
		errf("%s\n", b.data);
	pthread_mutex_unlock(&r->mu);
	buf_free(&b);
}

/* A gold answer derived from a solution marked correct, when another
 * solution of the problem marked correct gave another one: said, counted. */
static void check_derived(struct import_run *r, const struct slot *sl, const char *gold)
{
	const struct item *it = &sl->it;
	if (!it->gold_derived || !*gold || grade_same_answer(it->gold, gold, it->problem))
		return;
	struct buf b = {0};
	inert_into(&b, sl->file);
	buf_printf(&b, ":%ld: warning: final answer \"", it->line);
	inert_into(&b, it->gold);
	buf_puts(&b, "\" is marked correct, but another solution of the problem marked correct "
		 "answered \"");
	inert_into(&b, gold);
	buf_puts(&b, "\": the problem's derived gold answer stays the first");
	pthread_mutex_lock(&r->mu);
	if (++r->disagree <= MAX_SHOWN)
		errf("%s\n", b.data);
	pthread_mutex_unlock(&r->mu);
	buf_free(&b);
}

static void warn(struct rd *rd, const char *msg)
{
	struct import_run *r = rd->warn_ctx;
	if (++r->warnings <= MAX_SHOWN) /* the reader's own counter */
		errf("%s:%ld: warning: %s\n", inert(rd->path, 2), rd->line,
			inert(msg, 3));
}

static struct slot *take_free(struct import_run *r)
{
	pthread_mutex_lock(&r->mu);
	if (!r->free) {
		/* the ring is full: wait until an eighth of it is free, not
		 * for each slot (a wake-up per record) */
		r->want_free = NSLOTS / 8;
		while (r->nfree < r->want_free && !r->stop)
			pthread_cond_wait(&r->cv_free, &r->mu);
		r->want_free = 0;
	}
	struct slot *sl = r->stop ? NULL : r->free;
	if (sl) {
		r->free = sl->next;
		r->nfree--;
	}
	pthread_mutex_unlock(&r->mu);
	return sl;
}

static void hand_over(struct import_run *r, struct slot *sl)
{
	pthread_mutex_lock(&r->mu);
	sl->next = NULL;
	if (r->tail)
		r->tail->next = sl;
	else
		r->head = sl;
	r->tail = sl;
	/* wake the storer only when it may be waiting: the queue was empty */
	if (r->head == sl)
		pthread_cond_signal(&r->cv_item);
	pthread_mutex_unlock(&r->mu);
}

/* Returns a chain of slots to the free list. */
static void give_back(struct import_run *r, struct slot *first, struct slot *last)
{
	int n = 0;
	for (struct slot *sl = first;; sl = sl->next) {
		arena_reset(&sl->dom);
		arena_reset(&sl->a);
		n++;
		if (sl == last)
			break;
	}
	pthread_mutex_lock(&r->mu);
	last->next = r->free;
	r->free = first;
	r->nfree += n;
	if (r->want_free && r->nfree >= r->want_free)
		pthread_cond_signal(&r->cv_free);
	pthread_mutex_unlock(&r->mu);
}

/* --as-source: what the record says of its steps becomes suggestions of
 * that source: a ProcessBench result's "prediction" (the predicted first
 * error), else its labels (the first error, each step's rating as 1, 0.5
 * or 0), and its own suggestions renamed. */
static void to_source(struct rd *rd, struct item *it, const struct jnode *rec,
		      const char *name)
{
	for (size_t i = 0; i < it->nsugs; i++) {
		it->sugs[i].source = name;
		it->sugs[i].model = NULL;
	}
	const struct jnode *pred = rec && rec->type == J_OBJ ? jget(rec, "prediction") : NULL;
	long long pv;
	const struct label *att = NULL; /* a trace's attribution: agent, step, reason */
	for (size_t i = 0; i < it->nlabels; i++)
		if (it->labels[i].kind == LK_FIRST_ERROR && it->labels[i].agent)
			att = &it->labels[i];
	if (att) { /* the decisive error says nothing of the turns before it */
		struct suggestion *g = rd_suggestion(rd, it, name, NULL, -1);
		g->first_error = att->value;
		g->agent = att->agent;
		g->rationale = att->text;
	} else if (pred && !jint(pred, &pv) && pv >= -1 && pv < (long long)it->nsteps) {
		rd_suggestion(rd, it, name, NULL, -1)->first_error = (int)pv;
	} else if (it->nlabels) {
		int *ratings = rd_alloc(rd, (it->nsteps + 1) * sizeof(int));
		struct resolve_opts eo = {0};
		int fe = item_resolve(it, &eo, ratings);
		for (size_t i = 0; i < it->nsteps; i++)
			if (ratings[i] != NO_RATING)
				rd_suggestion(rd, it, name, NULL, (int)i)->value =
					ratings[i] > 0 ? 1 : ratings[i] < 0 ? 0 : 0.5;
		if (fe >= -1)
			rd_suggestion(rd, it, name, NULL, -1)->first_error = fe;
	}
	it->nlabels = 0;
}

/* Work of the storer's that needs no store, done on the reader's thread:
 * the storer (SQLite) is the import's bottleneck. */
static void prepare(struct import_run *r, struct slot *sl)
{
	struct item *it = &sl->it;
	for (size_t i = 0; i < it->nsteps; i++) {
		struct step *st = &it->steps[i];
		const char *j = db_alts_json(&r->alts, st->alts, st->nalts, st->chosen);
		st->alts_json = j ? arena_strndup(&sl->a, j, r->alts.len) : NULL;
		st->alts_encoded = 1;
	}
	summary_compute(it, &sl->verdicts, &sl->sum);
}

/* a record's annotators (a PRM800K labeler...) are names people read:
 * -1 with the reason in rd->err for one that could pass for another */
static int bad_names(struct rd *rd, const struct item *it)
{
	for (size_t i = 0; i < it->nlabels; i++) {
		const char *who = it->labels[i].annotator;
		if (who && name_check(who, strlen(who), "the annotator", rd->err,
				      sizeof(rd->err)) < 0)
			return -1;
	}
	return 0;
}

/* One solution of the record (sub of n) read into a free slot and handed
 * over, the last taking the record's tree: 0, 1 when the storer gave up. */
static int read_one(struct import_run *r, const struct jrecord *rec, size_t sub, size_t n)
{
	struct slot *sl = take_free(r);
	if (!sl)
		return 1; /* the storer gave up */
	if (sub + 1 == n) {
		/* keep the tree: swap the reader's arena for the slot's empty
		 * one. The record's earlier solutions, which point into it too,
		 * are in slots handed over before this one, given back no later. */
		struct arena tree = *rec->arena;
		*rec->arena = sl->dom;
		sl->dom = tree;
	}
	struct rd rd = {0};
	rd.a = &sl->a;
	rd.o = r->o;
	rd.path = r->cur;
	rd.line = rec->line;
	rd.annotator = r->annotator;
	rd.dataset = r->dataset;
	rd.warn = warn;
	rd.warn_ctx = r;
	rd.sub = sub;
	memset(&sl->it, 0, sizeof(sl->it));
	sl->it.correct = -1;
	sl->it.line = rec->line;
	sl->skip = 0;
	sl->offset = r->done + rec->offset;
	sl->file = r->cur;
	if (r->f->read(&rd, rec->root, &sl->it) < 0 || bad_names(&rd, &sl->it) < 0) {
		report_bad(r, rec->line, rd.err);
		if (sub + 1 < n || n == 1) {
			give_back(r, sl, sl);
			return 0;
		}
		sl->skip = 1; /* the record's others still need the tree */
	} else {
		if (r->o->as_source)
			to_source(&rd, &sl->it, rec->root, r->o->as_source);
		if (sl->it.problem) /* a label-only record's solution is stored already */
			prepare(r, sl);
	}
	hand_over(r, sl);
	return 0;
}

static int on_record(void *ctx, const struct jrecord *rec)
{
	struct import_run *r = ctx;
	if (progress_stopped()) /* Ctrl-C: records the storer never sees */
		return 1;  /* (bad ones) must not keep the reader going */
	long n = 1;
	if (r->f->solutions) { /* several solutions in one record */
		struct rd rd = {0};
		rd.o = r->o;
		rd.path = r->cur;
		rd.line = rec->line;
		if ((n = r->f->solutions(&rd, rec->root)) < 0) {
			report_bad(r, rec->line, rd.err);
			return 0;
		}
	}
	for (long i = 0; i < n; i++)
		if (read_one(r, rec, (size_t)i, (size_t)n))
			return 1;
	return 0;
}

static int on_syntax(void *ctx, long line, const char *msg)
{
	struct import_run *r = ctx;
	report_bad(r, line, msg);
	/* keep reading (JSON Lines resumes on the next line), unless Ctrl-C */
	return progress_stopped();
}

static int stopping(struct import_run *r)
{
	pthread_mutex_lock(&r->mu);
	int stop = r->stop;
	pthread_mutex_unlock(&r->mu);
	return stop;
}

static void *reader(void *arg)
{
	struct import_run *r = arg;
	struct jstats st;
	for (size_t i = 0; i < r->files.n && r->read_rc >= 0 && !stopping(r); i++) {
		r->cur = r->files.v[i];
		if (r->files.dir) /* a file's name is its records' id: hashed too */
			hasher_add(&r->hash, strrchr(r->cur, '/'), strlen(strrchr(r->cur, '/')) + 1);
		r->read_rc = jstream_file_hashed(r->cur, on_record, on_syntax, r, &st,
						 r->read_err, sizeof(r->read_err), &r->hash);
		r->is_array = st.is_array;
		struct stat sb;
		r->done += stat(r->cur, &sb) == 0 ? (long long)sb.st_size : 0;
	}
	pthread_mutex_lock(&r->mu);
	r->reading = 0;
	pthread_cond_signal(&r->cv_item);
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

/* The storer gives up: the reader stops at its next record. */
static void stop_reader(struct import_run *r)
{
	pthread_mutex_lock(&r->mu);
	r->stop = 1;
	pthread_cond_signal(&r->cv_free);
	pthread_mutex_unlock(&r->mu);
}

/* Stores one slot's solution: 0, or -1 on a store error (or Ctrl-C). */
static int store_one(struct import_run *r, struct slot *sl)
{
	if (sl->skip)
		return 0;
	struct db_clash clash;
	int rc = sl->it.problem ?
		db_item_insert(r->db, r->dataset_id, r->import_id, &sl->it, &sl->sum, &clash) :
		db_item_labels(r->db, r->dataset_id, &sl->it, &clash);
	r->label_only += !sl->it.problem && rc != 4 && rc != 5;
	if (rc == 4 || rc == 5) {
		report_missing(r, sl, rc, &clash);
	} else if (rc == 2) {
		report_clash(r, sl, &clash);
	} else if (rc < 0) {
		return -1;
	} else if (rc == 1) {
		check_derived(r, sl, clash.gold);
		r->stored++;
		r->steps += (long)sl->it.nsteps;
	} else if (rc == 3) { /* labels for a solution already here */
		if (summary_refresh(r->db, clash.solution) < 0)
			return -1;
		r->merged++;
	} else {
		r->duplicates++;
	}
	r->pg.count = r->stored + r->merged + r->duplicates;
	if (progress_set(&r->pg, sl->offset)) {
		r->stopped = 1;
		return -1;
	}
	return 0;
}

/* Stores what the reader hands over, a batch at a time, each slot given
 * back as soon as it is stored: the reader fills it meanwhile (a batch
 * given back whole left the reader idle while it was stored, then the
 * storer idle while the reader refilled the ring). 0, or -1 on a store
 * error. */
static int store_all(struct import_run *r)
{
	int failed = 0;
	for (;;) {
		pthread_mutex_lock(&r->mu);
		while (!r->head && r->reading)
			pthread_cond_wait(&r->cv_item, &r->mu);
		struct slot *batch = r->head, *last = r->tail;
		r->head = r->tail = NULL;
		pthread_mutex_unlock(&r->mu);
		if (!batch)
			break;
		/* after a bad record too: every conflict is found and named, and
		 * an all-or-nothing import is rolled back at the end */
		for (struct slot *sl = batch, *next; sl; sl = next) {
			next = sl == last ? NULL : sl->next;
			if (failed) { /* the rest of the batch back unstored */
				give_back(r, sl, last);
				break;
			}
			if (store_one(r, sl) < 0) {
				failed = 1;
				stop_reader(r);
			}
			give_back(r, sl, sl);
		}
	}
	return failed ? -1 : 0;
}

static void run_init(struct import_run *r)
{
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cv_item, NULL);
	pthread_cond_init(&r->cv_free, NULL);
	for (int i = 0; i < NSLOTS; i++) {
		r->slots[i].next = r->free;
		r->free = &r->slots[i];
	}
	r->nfree = NSLOTS;
	hasher_init(&r->hash);
}

static void run_done(struct import_run *r)
{
	for (int i = 0; i < NSLOTS; i++) {
		arena_free(&r->slots[i].dom);
		arena_free(&r->slots[i].a);
		buf_free(&r->slots[i].verdicts);
	}
	buf_free(&r->alts);
	files_free(&r->files);
	pthread_cond_destroy(&r->cv_item);
	pthread_cond_destroy(&r->cv_free);
	pthread_mutex_destroy(&r->mu);
}

static const struct format_ops *choose_format(const char *path,
					      const struct import_opts *o)
{
	const struct format_ops *f;
	if (o->format) {
		f = format_find(o->format);
		if (!f || !f->read) {
			char names[300];
			format_names(names, sizeof(names), 1);
			errf("stepmark: cannot import format \"%s\"; known: %s\n", o->format, names);
			return NULL;
		}
	} else if (!(f = detect(path))) {
		return NULL;
	}
	const char *why = f->check ? f->check(o) : NULL;
	if (why) {
		errf("stepmark: --format %s %s\n", f->name, why);
		return NULL;
	}
	return f;
}

/* The progress line of one file (a directory's files together): the
 * bytes read, the records stored. */
static void progress_begin(struct import_run *r, const char *path)
{
	const struct import_opts *o = r->o;
	char what[200];
	if (o->nfiles > 1)
		snprintf(what, sizeof(what), "import %s (file %d/%d)", path, o->nfile, o->nfiles);
	else
		snprintf(what, sizeof(what), "import %s", path);
	progress_start(&r->pg, progress_mode(o->quiet, o->every), o->every, what,
		       r->files.size, NULL);
	r->pg.count_unit = "records";
}

/* fresh: the store was made for this import alone (no earlier imports
 * to compare with, nobody else sees it). */
static int import_into(struct db *db, const char *path, struct import_opts *o,
		       int fresh)
{
	const struct format_ops *f = choose_format(path, o);
	if (!f)
		return 1;
	char hash[33] = ""; /* the reader hashes the file as it parses it */
	char *dsname = o->dataset ? xstrdup(o->dataset) : default_dataset(path, f);
	struct import_run *r = xcalloc(1, sizeof(*r));
	int ret = 0;
	run_init(r);
	r->db = db;
	r->f = f;
	r->o = o;
	r->path = path;
	r->dataset = dsname;
	r->annotator = o->as ? o->as : dsname;
	struct buf opts = {0};
	options_key(&opts, f, o, r->annotator);
	if (files_of(path, &r->files) < 0) {
		ret = 1;
		goto out;
	}
	r->cur = r->files.v[0];
	if (db_begin(db) < 0) {
		errf("stepmark: cannot start a transaction: %s\n", db_errmsg(db));
		ret = -1;
		goto out;
	}
	r->dataset_id = db_dataset_ensure(db, dsname, f->name);
	if (r->dataset_id < 0) {
		db_rollback(db);
		ret = -1;
		goto out;
	}
	r->import_id = db_import_add(db, r->dataset_id, path, hash, opts.data);
	progress_begin(r, path);
	pthread_t th;
	r->reading = 1;
	if (pthread_create(&th, NULL, reader, r) != 0) {
		errf("stepmark: cannot start a thread\n");
		db_rollback(db);
		ret = -1;
		goto out;
	}
	int failed = store_all(r) < 0;
	pthread_join(th, NULL);
	if (r->stopped || progress_stopped()) { /* all or nothing */
		progress_stop(&r->pg);
		errf("stepmark: stopped: nothing of %s stored%s\n", path,
		     fresh ? ", no store made" : "");
		db_rollback(db);
		ret = 1;
		goto out;
	}
	progress_end(&r->pg);
	hasher_hex(&r->hash, hash);
	if (!failed && !fresh && r->read_rc >= 0 &&
	    db_import_seen(db, r->dataset_id, hash, opts.data)) {
		/* the same file with the same options before: what this run
		 * stored is taken back (the common case, a new file, reads once) */
		db_rollback(db);
		if (!o->quiet)
			printf("%s: already imported into data set \"%s\" with these options; nothing to do\n",
		       inert(path, 0), inert(dsname, 1));
		goto out;
	}
	if (failed) {
		errf("stepmark: %s: store error; nothing imported\n", path);
		db_rollback(db);
		ret = -1;
	} else if (r->read_rc < 0 && r->read_err[0]) {
		errf("stepmark: %s\n", r->read_err);
		db_rollback(db);
		ret = 1;
	} else if (r->read_rc < 0 && r->is_array) {
		errf("stepmark: %s: cannot read past a syntax error inside a JSON array; nothing imported\n",
			r->cur);
		db_rollback(db);
		ret = 1;
	} else if (r->bad && !o->skip_bad) {
		if (r->bad > MAX_SHOWN)
			errf("... and %ld more\n", r->bad - MAX_SHOWN);
		errf("stepmark: %s: %ld bad record%s; nothing imported (--skip-bad stores the rest)\n",
			path, r->bad, r->bad > 1 ? "s" : "");
		db_rollback(db);
		ret = 1;
	} else if (r->stored + r->duplicates + r->merged == 0) {
		errf("stepmark: %s: no records; nothing imported\n", path);
		db_rollback(db);
		ret = 1;
	} else if (db_import_finish(db, r->import_id, hash, r->stored, r->bad,
				    r->duplicates) < 0 ||
		   db_commit(db) < 0) {
		errf("stepmark: %s: cannot commit: %s\n", path, db_errmsg(db));
		db_rollback(db);
		ret = -1;
	} else if (!o->quiet && r->label_only && r->label_only == r->merged + r->duplicates) {
		printf("%s: %ld record%s of labels for solutions of data set \"%s\" imported as %s",
		       inert(path, 0), r->merged, r->merged == 1 ? "" : "s", inert(dsname, 1),
		       f->name);
		if (r->duplicates)
			printf(", %ld record%s saying what the store holds already", r->duplicates,
			       r->duplicates == 1 ? "" : "s");
		if (r->bad)
			printf(", %ld bad record%s skipped", r->bad, r->bad == 1 ? "" : "s");
		printf("\n");
	} else if (!o->quiet) {
		printf("%s: %ld solution%s (%ld steps) imported as %s into data set \"%s\"",
		       inert(path, 0), r->stored, r->stored == 1 ? "" : "s", r->steps,
		       f->name, inert(dsname, 1));
		if (r->merged)
			printf(", %ld solution%s already there (same id, same steps) given the "
			       "file's labels as %s", r->merged, r->merged == 1 ? "" : "s",
			       inert(r->o->as_source ? r->o->as_source : r->annotator, 2));
		if (r->duplicates)
			printf(", %ld duplicate%s (same id, same steps, nothing new) left as they were",
			       r->duplicates, r->duplicates == 1 ? "" : "s");
		if (r->bad)
			printf(", %ld bad record%s skipped", r->bad, r->bad == 1 ? "" : "s");
		printf("\n");
	}
	if (ret == 0 && r->disagree) /* said with --quiet too: listed above */
		printf("%ld solution%s marked correct disagree%s with the derived gold "
		       "answer of %s problem (listed above)\n", r->disagree,
		       r->disagree == 1 ? "" : "s", r->disagree == 1 ? "s" : "",
		       r->disagree == 1 ? "its" : "their");
out:
	run_done(r);
	free(r);
	buf_free(&opts);
	free(dsname);
	return ret;
}

int import_file(struct db *db, const char *path, struct import_opts *o)
{
	db_import_cache(db, 1);
	int rc = import_into(db, path, o, 0);
	db_import_cache(db, 0);
	return rc;
}

int import_sync_dir(const char *path)
{
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	else
		strcpy(dir, ".");
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	free(dir);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	close(fd);
	return rc;
}

/*
 * The first import into a store that does not exist yet builds it in a
 * private file, written once with no journal on disk, then links it into
 * place: a crash leaves no store rather than half of one, and the store
 * that appears is an ordinary WAL store.
 */
/* A first import killed with -9 leaves its private file: remove those
 * whose process is gone. */
void import_remove_stale(const char *dbpath)
{
	import_remove_private(dbpath, "import");
}

void import_remove_private(const char *dbpath, const char *tag)
{
	size_t n = strlen(dbpath) + strlen(tag) + 16;
	char *pattern = xmalloc(n);
	snprintf(pattern, n, "%s.%s-*", dbpath, tag);
	glob_t g;
	if (glob(pattern, 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++) {
			const char *dash = strrchr(g.gl_pathv[i], '-');
			char *end;
			long pid = strtol(dash + 1, &end, 10);
			if (*end == '\0' && pid > 0 && kill((pid_t)pid, 0) < 0 &&
			    errno == ESRCH)
				unlink(g.gl_pathv[i]);
		}
		globfree(&g);
	}
	free(pattern);
}

int import_new_store(const char *dbpath, const char *path,
		     struct import_opts *o)
{
	size_t n = strlen(dbpath) + 32;
	char *tmp = xmalloc(n);
	snprintf(tmp, n, "%s.import-%ld", dbpath, (long)getpid());
	unlink(tmp);
	progress_temp(tmp); /* a second Ctrl-C removes it too */
	char err[600];
	struct db *db = db_open_bulk(tmp, err, sizeof(err));
	if (!db) { /* the private file is ours: the user knows the store */
		const char *slash = strrchr(dbpath, '/');
		char *dir = slash ? xstrndup(dbpath, (size_t)(slash - dbpath) + 1) : xstrdup(".");
		errf("stepmark: %s: cannot create the store%s%s\n", dbpath,
		     access(dir, W_OK) != 0 ? ": " : "",
		     access(dir, W_OK) != 0 ? strerror(errno) : "");
		free(dir);
		free(tmp);
		return -1;
	}
	int rc = import_into(db, path, o, 1);
	if (db_bulk_finish(db) < 0 && rc == 0)
		rc = -1;
	if (rc == 0 && progress_stopped()) { /* Ctrl-C as it ended: not linked */
		errf("stepmark: stopped: nothing of %s stored, no store made\n", path);
		rc = 1;
	}
	if (rc == 0) {
		int fd = open(tmp, O_RDWR);
		if (fd < 0 || fsync(fd) != 0)
			rc = -1;
		if (fd >= 0)
			close(fd);
		if (rc == 0 && link(tmp, dbpath) != 0) {
			if (errno == EEXIST) {
				/* someone made the store meanwhile: import into it */
				unlink(tmp);
				progress_temp(NULL);
				free(tmp);
				struct db *live = db_open(dbpath, err, sizeof(err));
				if (!live) {
					errf("stepmark: %s\n", err);
					return -1;
				}
				rc = import_file(live, path, o);
				db_close(live);
				return rc;
			}
			errf("stepmark: %s: %s\n", dbpath, strerror(errno));
			rc = -1;
		}
		if (rc == 0)
			import_sync_dir(dbpath);
	}
	unlink(tmp);
	progress_temp(NULL);
	free(tmp);
	return rc;
}
