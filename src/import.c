/* import.c - one file into the store: detect, read, store all or nothing */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "import.h"

#define MAX_SHOWN 20 /* bad records listed before the rest are counted */

struct detect_ctx {
	const struct jnode *root; /* not kept: detection runs inside */
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

static const struct format_ops *detect(const char *path)
{
	struct detect_ctx d = {0};
	struct jstats st;
	char err[512];
	const struct format_ops *f = NULL;
	if (jstream_file(path, detect_record, detect_error, &d, &st, err,
			 sizeof(err)) < 0 && !d.got) {
		if (d.why.len)
			fprintf(stderr, "stepmark: %s: not JSON or JSON Lines:%s\n",
				path, d.why.data);
		else
			fprintf(stderr, "stepmark: %s\n", err);
	} else if (d.nfound == 1) {
		f = d.found[0];
	} else if (d.nfound == 0) {
		fprintf(stderr,
			"stepmark: %s:%ld: unknown format; the first record fits none of:%s\n"
			"Use --format NAME, or --format generic with a field mapping.\n",
			path, d.line, d.why.data);
	} else {
		fprintf(stderr, "stepmark: %s:%ld: ambiguous: the first record fits",
			path, d.line);
		for (int i = 0; i < d.nfound; i++)
			fprintf(stderr, " %s", d.found[i]->name);
		fprintf(stderr, "; choose one with --format\n");
	}
	buf_free(&d.why);
	return f;
}

static int hash_file(const char *path, char out[33])
{
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		fprintf(stderr, "stepmark: %s: %s\n", path, strerror(errno));
		return -1;
	}
	struct hasher h;
	hasher_init(&h);
	static char chunk[1 << 16];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		hasher_add(&h, chunk, n);
	int bad = ferror(fp);
	fclose(fp);
	if (bad) {
		fprintf(stderr, "stepmark: %s: read error\n", path);
		return -1;
	}
	hasher_hex(&h, out);
	return 0;
}

/* The default data set: named for the format, or for the file. */
static char *default_dataset(const char *path, const struct format_ops *f)
{
	if (f == &fmt_prm800k || f == &fmt_mathshepherd)
		return xstrdup(f->name);
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	char *name = xstrdup(base);
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
	const char *v[] = {f->name, annotator, o->as_labels ? "labels" : "",
			   o->f_id, o->f_problem, o->f_steps, o->f_gold,
			   o->f_reference, o->f_first_error, o->f_answer,
			   o->f_generator, o->f_note, o->split};
	buf_putc(b, '[');
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		if (i)
			buf_putc(b, ',');
		if (v[i])
			buf_json_str(b, v[i], strlen(v[i]));
		else
			buf_puts(b, "null");
	}
	buf_printf(b, ",%d]", o->index_base);
}

struct run {
	struct db *db;
	const struct format_ops *f;
	const struct import_opts *o;
	const char *path;
	const char *annotator;
	const char *dataset;
	int64_t dataset_id, import_id;
	struct arena a;
	long stored, duplicates, bad, steps, warnings;
	int failed; /* a store error */
};

static void report_bad(struct run *r, long line, const char *msg)
{
	r->bad++;
	if (r->bad <= MAX_SHOWN || r->o->skip_bad)
		fprintf(stderr, "%s:%ld: %s\n", r->path, line, msg);
}

static void warn(struct rd *rd, const char *msg)
{
	struct run *r = rd->warn_ctx;
	r->warnings++;
	if (r->warnings <= MAX_SHOWN)
		fprintf(stderr, "%s:%ld: warning: %s\n", r->path, rd->line, msg);
}

static int on_record(void *ctx, const struct jrecord *rec)
{
	struct run *r = ctx;
	struct rd rd = {0};
	struct item it = {0};
	rd.a = &r->a;
	rd.o = r->o;
	rd.path = r->path;
	rd.line = rec->line;
	rd.annotator = r->annotator;
	rd.dataset = r->dataset;
	rd.warn = warn;
	rd.warn_ctx = r;
	it.correct = -1;
	it.line = rec->line;
	if (r->f->read(&rd, rec->root, &it) < 0) {
		report_bad(r, rec->line, rd.err);
	} else if (!r->bad || r->o->skip_bad) {
		int rc = db_item_insert(r->db, r->dataset_id, r->import_id, &it);
		if (rc < 0) {
			r->failed = 1;
			arena_reset(&r->a);
			return 1;
		}
		if (rc == 1) {
			r->stored++;
			r->steps += (long)it.nsteps;
		} else {
			r->duplicates++;
		}
	}
	arena_reset(&r->a);
	return 0;
}

static int on_syntax(void *ctx, long line, const char *msg)
{
	struct run *r = ctx;
	report_bad(r, line, msg);
	return 0; /* keep reading: JSON Lines resumes on the next line */
}

int import_file(struct db *db, const char *path, struct import_opts *o)
{
	const struct format_ops *f;
	if (o->format) {
		f = format_find(o->format);
		if (!f || !f->read) {
			fprintf(stderr, "stepmark: cannot import format \"%s\"; known: prm800k, processbench, math-shepherd, trl, generic\n",
				o->format);
			return 1;
		}
	} else if (!(f = detect(path))) {
		return 1;
	}
	if (f == &fmt_generic && (!o->f_problem || !o->f_steps)) {
		fprintf(stderr, "stepmark: --format generic needs at least --problem FIELD and --steps FIELD\n");
		return 1;
	}
	char hash[33];
	if (hash_file(path, hash) < 0)
		return 1;
	char *dsname = o->dataset ? xstrdup(o->dataset) : default_dataset(path, f);
	struct run r = {0};
	r.db = db;
	r.f = f;
	r.o = o;
	r.path = path;
	r.dataset = dsname;
	r.annotator = o->as ? o->as : dsname;
	struct buf opts = {0};
	options_key(&opts, f, o, r.annotator);
	int ret = 0;
	if (db_begin(db) < 0) {
		fprintf(stderr, "stepmark: cannot start a transaction: %s\n", db_errmsg(db));
		ret = -1;
		goto out;
	}
	r.dataset_id = db_dataset_ensure(db, dsname, f->name);
	if (r.dataset_id < 0) {
		db_rollback(db);
		ret = -1;
		goto out;
	}
	if (db_import_seen(db, r.dataset_id, hash, opts.data)) {
		db_rollback(db);
		printf("%s: already imported into data set \"%s\" with these options; nothing to do\n",
		       path, dsname);
		goto out;
	}
	r.import_id = db_import_add(db, r.dataset_id, path, hash, opts.data);
	struct jstats st;
	char err[512] = "";
	int rc = jstream_file(path, on_record, on_syntax, &r, &st, err, sizeof(err));
	if (r.failed) {
		fprintf(stderr, "stepmark: %s: store error; nothing imported\n", path);
		db_rollback(db);
		ret = -1;
	} else if (rc < 0 && err[0]) {
		fprintf(stderr, "stepmark: %s\n", err);
		db_rollback(db);
		ret = 1;
	} else if (rc < 0 && st.is_array) {
		fprintf(stderr, "stepmark: %s: cannot read past a syntax error inside a JSON array; nothing imported\n",
			path);
		db_rollback(db);
		ret = 1;
	} else if (r.bad && !o->skip_bad) {
		if (r.bad > MAX_SHOWN)
			fprintf(stderr, "... and %ld more\n", r.bad - MAX_SHOWN);
		fprintf(stderr, "stepmark: %s: %ld bad record%s; nothing imported (--skip-bad stores the rest)\n",
			path, r.bad, r.bad > 1 ? "s" : "");
		db_rollback(db);
		ret = 1;
	} else if (r.stored + r.duplicates == 0) {
		fprintf(stderr, "stepmark: %s: no records; nothing imported\n", path);
		db_rollback(db);
		ret = 1;
	} else if (db_import_finish(db, r.import_id, r.stored, r.bad, r.duplicates) < 0 ||
		   db_commit(db) < 0) {
		fprintf(stderr, "stepmark: %s: cannot commit: %s\n", path, db_errmsg(db));
		db_rollback(db);
		ret = -1;
	} else {
		printf("%s: %ld solution%s (%ld steps) imported as %s into data set \"%s\"",
		       path, r.stored, r.stored == 1 ? "" : "s", r.steps, f->name, dsname);
		if (r.duplicates)
			printf(", %ld already present", r.duplicates);
		if (r.bad)
			printf(", %ld bad record%s skipped", r.bad, r.bad == 1 ? "" : "s");
		printf("\n");
	}
out:
	arena_free(&r.a);
	buf_free(&opts);
	free(dsname);
	return ret;
}
