/* export.c - selected solutions out, in one format, written atomically */
#include "config.h"

#include <errno.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "export.h"
#include "progress.h"

struct ex {
	struct wr *w;
	const struct format_ops *f;
};

static int on_item(void *ctx, const struct item *it, const char *dataset)
{
	struct ex *x = ctx;
	if (x->w->o->agreed && it->agreed.fe < -1) {
		x->w->undecided++;
		return 0;
	}
	int rc = x->f->write(x->w, it, dataset);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		x->w->solutions++;
	} else if (rc == 2) {
		x->w->marked++;
	} else if (rc == 3) {
		x->w->empty++;
	} else {
		/* find out why it was left out */
		int *ratings = xmalloc((it->nsteps + 1) * sizeof(int));
		int any = 0;
		item_resolve(it, &x->w->ro, ratings);
		for (size_t i = 0; i < it->nsteps; i++)
			any |= ratings[i] != NO_RATING;
		free(ratings);
		if (any)
			x->w->incomplete++;
		else
			x->w->unlabelled++;
	}
	wr_flush(x->w, 0);
	if (ferror(x->w->fp))
		return -1;
	return 0;
}

static void add_name(char ***v, size_t *n, const char *s)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = xstrdup(s);
}

static void on_ann(void *ctx, const char *name)
{
	struct columns *c = ctx;
	add_name(&c->ann, &c->nann, name);
}

static void on_src(void *ctx, const char *name)
{
	struct columns *c = ctx;
	add_name(&c->src, &c->nsrc, name);
}

/* The output file is written beside the target under one name per target
 * (.NAME.stepmark-part), locked while it is written: a killed export's
 * part is taken over by the next one, two exports to one file cannot mix. */
struct export_out {
	char *part;
	int fd;
};

static FILE *out_open(struct export_out *o, const char *path)
{
	struct stat st;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		/* a device or a pipe is written as it is, never replaced */
		FILE *fp = fopen(path, "wb");
		if (!fp)
			errf("stepmark: %s: %s\n", path, strerror(errno));
		return fp;
	}
	const char *slash = strrchr(path, '/');
	size_t dir = slash ? (size_t)(slash - path) + 1 : 0;
	size_t n = strlen(path) + 32;
	o->part = xmalloc(n);
	snprintf(o->part, n, "%.*s.%s.stepmark-part", (int)dir, path, path + dir);
	o->fd = open(o->part, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (o->fd < 0) {
		errf("stepmark: %s: cannot write beside it: %s\n", path, strerror(errno));
		return NULL;
	}
	if (flock(o->fd, LOCK_EX | LOCK_NB) != 0) {
		errf("stepmark: %s: another export is writing it now\n", path);
		return NULL;
	}
	FILE *fp = NULL;
	if (ftruncate(o->fd, 0) != 0 || !(fp = fdopen(o->fd, "wb"))) {
		errf("stepmark: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	o->fd = -1; /* the stream owns it now */
	return fp;
}

/* Removes the part (after a failure, or when nothing was opened). */
static void out_drop(struct export_out *o, FILE *fp)
{
	if (o->part)
		unlink(o->part);
	if (fp)
		fclose(fp);
	else if (o->fd >= 0)
		close(o->fd);
	free(o->part);
	o->part = NULL;
}

/* Makes the part the file: every write and the close checked. 0, or -1
 * with the reason said and the part removed. */
static int out_commit(struct export_out *o, FILE *fp, const char *path, int werr)
{
	int e = werr;
	if (!e && ferror(fp))
		e = EIO;
	else if (!e && fflush(fp) != 0)
		e = errno;
	else if (!e && o->part && fsync(fileno(fp)) != 0 && errno != EINVAL)
		e = errno;
	if (fclose(fp) != 0 && !e)
		e = errno;
	if (!e && o->part && rename(o->part, path) != 0)
		e = errno;
	if (e) {
		errf("stepmark: %s: write failed: %s\n", path, strerror(e));
		out_drop(o, NULL);
		return -1;
	}
	free(o->part);
	o->part = NULL;
	return 0;
}

int export_run(struct db *db, const struct format_ops *f,
	       const struct export_filter *flt, const struct export_opts *o,
	       const char *out_path)
{
	int to_stdout = !out_path || strcmp(out_path, "-") == 0;
	struct export_out part = {NULL, -1};
	struct wr w = {0};
	struct columns cols = {0};
	w.o = o;
	w.ro = (struct resolve_opts){.source = o->source, .threshold = o->threshold,
				     .agreed = o->agreed};
	if (o->agreed && db_consensus_ran(db) == 0) { /* nothing to export: say so, write nothing */
		errf("stepmark: export: stepmark consensus has not run on this store, so there are "
		     "no agreed labels (stepmark consensus --policy RULES decides them)\n");
		return 1;
	}
	if (to_stdout) {
		w.fp = stdout;
		w.tty = isatty(STDOUT_FILENO);
	} else if (!(w.fp = out_open(&part, out_path))) {
		out_drop(&part, NULL);
		return 1;
	}
	int bad = 0, stopped = 0;
	if (o->agreed && db_consensus_stale(db) == 1)
		errf("stepmark: export: labels or suggestions came after stepmark consensus last "
		     "ran: the agreed labels may be out of date (run it again)\n");
	if (f->columns) {
		if (db_export_columns(db, flt, on_ann, on_src, &cols) < 0) {
			errf("stepmark: store error: %s\n", db_errmsg(db));
			bad = -1;
		}
		w.state = &cols;
	}
	if (!bad) {
		struct ex x = {&w, f};
		struct export_filter only = *flt;
		only.steps_only = o->agreed && !f->own_labels && !o->soft_source;
		flt = &only;
		if (f->write_begin)
			f->write_begin(&w);
		struct progress pg;
		char what[300];
		snprintf(what, sizeof(what), "export%s%s", to_stdout ? "" : " to ",
			 to_stdout ? "" : out_path);
		progress_start(&pg, progress_mode(o->quiet, o->every), o->every, what, 0,
			       "solutions");
		db_set_progress(db, progress_db, &pg);
		int rc = db_export_each(db, flt, on_item, &x);
		db_set_progress(db, NULL, NULL);
		if (rc < 0 && progress_stopped()) {
			progress_stop(&pg);
			stopped = 1;
		} else {
			progress_end(&pg);
		}
		/* a write that failed stops the walk too: it is said below */
		int write_failed = w.err || ferror(w.fp);
		if (stopped)
			rc = 0;
		else if (rc < 0 && !write_failed)
			errf("stepmark: store error: %s\n", db_errmsg(db));
		if (f->write_end) /* on failure too: the file is removed anyway */
			f->write_end(&w);
		wr_flush(&w, 1);
		bad = rc < 0 && !write_failed ? -1 : 0;
	}
	if (stopped) {
		if (to_stdout) {
			fflush(w.fp);
			errf("stepmark: stopped: the output is incomplete (%ld solution%s "
			     "written)\n", w.solutions, w.solutions == 1 ? "" : "s");
		} else {
			out_drop(&part, w.fp);
			errf("stepmark: stopped: nothing written to %s\n", out_path);
		}
		bad = 2;
	} else if (to_stdout) {
		if (!bad && (w.err || ferror(w.fp) || fflush(w.fp) != 0)) {
			errf("stepmark: standard output: write failed: %s\n",
			     strerror(w.err ? w.err : errno));
			bad = 1;
		}
	} else if (bad) {
		out_drop(&part, w.fp);
	} else if (out_commit(&part, w.fp, out_path, w.err) < 0) {
		bad = 1;
	}
	if (!bad && !o->quiet) {
		errf("%ld solution%s exported as %s (%ld %s)", w.solutions,
			w.solutions == 1 ? "" : "s", f->name, w.rows,
			f->unit ? f->unit : w.rows == 1 ? "record" : "records");
		if (!to_stdout)
			errf(" to %s", out_path);
		errf("\n");
		if (w.incomplete)
			errf("%ld solution%s left out: labels incomplete (--incomplete includes what the format allows)\n",
				w.incomplete, w.incomplete == 1 ? "" : "s");
		if (w.marked)
			errf("%ld solution%s left out: a step holds %s, the format's step marker\n",
			     w.marked, w.marked == 1 ? "" : "s", w.marker ? w.marker : "the marker");
		if (w.hard_steps)
			errf("%ld step%s had no value from %s: written as 1 or 0 (the label)\n",
			     w.hard_steps, w.hard_steps == 1 ? "" : "s", o->soft_source);
		if (w.empty)
			errf("%ld solution%s gave nothing: %s\n", w.empty, w.empty == 1 ? "" : "s",
			     f->empty ? f->empty : "nothing to write");
		if (w.undecided)
			errf("%ld solution%s left out: no agreed label (stepmark consensus decides "
			     "them; its --list says why not)\n", w.undecided,
			     w.undecided == 1 ? "" : "s");
		if (w.unlabelled)
			errf("%ld solution%s left out: no %s%s\n", w.unlabelled,
				w.unlabelled == 1 ? "" : "s",
				o->source ? "suggestions from " : "labels",
				o->source ? o->source : o->source ? "" : " (try --source mc, judge, prm or imported)");
	}
	for (size_t i = 0; i < cols.nann; i++)
		free(cols.ann[i]);
	for (size_t i = 0; i < cols.nsrc; i++)
		free(cols.src[i]);
	free(cols.ann);
	free(cols.src);
	buf_free(&w.out);
	return bad; /* -1 the store failed, 1 the output did */
}
