/* export.c - selected solutions out, in one format, written atomically */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "export.h"

struct ex {
	struct wr *w;
	const struct format_ops *f;
};

static int on_item(void *ctx, const struct item *it, const char *dataset)
{
	struct ex *x = ctx;
	int rc = x->f->write(x->w, it, dataset);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		x->w->solutions++;
	} else {
		/* find out why it was left out */
		int *ratings = xmalloc((it->nsteps + 1) * sizeof(int));
		int any = 0;
		item_resolve(it, x->w->o, ratings);
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

int export_run(struct db *db, const struct format_ops *f,
	       const struct export_filter *flt, const struct export_opts *o,
	       const char *out_path)
{
	int to_stdout = !out_path || strcmp(out_path, "-") == 0;
	char *tmp = NULL;
	struct wr w = {0};
	struct columns cols = {0};
	w.o = o;
	if (to_stdout) {
		w.fp = stdout;
		w.tty = isatty(STDOUT_FILENO);
	} else {
		size_t n = strlen(out_path) + 16;
		tmp = xmalloc(n);
		snprintf(tmp, n, "%s.tmp%ld", out_path, (long)getpid());
		if (!(w.fp = fopen(tmp, "wb"))) {
			errf("stepmark: %s: %s\n", tmp, strerror(errno));
			free(tmp);
			return 1;
		}
	}
	if (f == &fmt_csv) {
		if (db_export_columns(db, flt, on_ann, on_src, &cols) < 0) {
			errf("stepmark: store error: %s\n", db_errmsg(db));
			return -1;
		}
		w.state = &cols;
	}
	struct ex x = {&w, f};
	if (f->write_begin)
		f->write_begin(&w);
	int rc = db_export_each(db, flt, on_item, &x);
	if (f->write_end) /* on failure too: the file is removed anyway */
		f->write_end(&w);
	wr_flush(&w, 1);
	int bad = rc < 0 || ferror(w.fp) || fflush(w.fp) != 0;
	if (!to_stdout) {
		bad |= fsync(fileno(w.fp)) != 0 && errno != EINVAL;
		bad |= fclose(w.fp) != 0;
		if (!bad && rename(tmp, out_path) != 0)
			bad = 1;
		if (bad) {
			errf("stepmark: %s: write failed: %s\n", out_path, strerror(errno));
			unlink(tmp);
		}
	}
	if (!bad) {
		errf("%ld solution%s exported as %s (%ld %s)", w.solutions,
			w.solutions == 1 ? "" : "s", f->name, w.rows,
			f == &fmt_csv ? "rows" : w.rows == 1 ? "record" : "records");
		if (!to_stdout)
			errf(" to %s", out_path);
		errf("\n");
		if (w.incomplete)
			errf("%ld solution%s left out: labels incomplete (--incomplete includes what the format allows)\n",
				w.incomplete, w.incomplete == 1 ? "" : "s");
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
	free(tmp);
	return bad ? -1 : 0;
}
