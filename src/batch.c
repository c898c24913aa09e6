/* batch.c - request files for batch engines, and their manifest */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch.h"
#include "json.h"
#include "util.h"

struct bfile {
	char *path;
	char url[64];
	char *model;
	long lines, requests;
	long bytes;
	FILE *fp;   /* open while it is the URL's and model's current file */
	char *iobuf; /* fp's buffer (BATCH_IOBUF bytes) */
	int part;   /* 1, 2... for its URL */
	int sync_fd; /* once it is full, its descriptor until batch_close syncs it; -1 */
	long behind; /* its bytes given to the disk's write-back so far */
};

/* a write(2) per 256 KB, not per 4: glibc's setvbuf takes a size only
 * with the buffer it names */
#define BATCH_IOBUF (256 << 10)
/* Write-behind: every 8 MB of a file, and a file once full, go to the
 * disk while the next lines are made (sync_file_range starts write-back
 * without waiting), and batch_close syncs every file at the end, when
 * little is left to wait for. Syncing each file as it filled waited for
 * all of its bytes, one file after another: 12 waits of 20-30 ms for the
 * 600 000 requests of 100 K solutions. */
#define BATCH_BEHIND (8L << 20)

struct bprov {
	char *name, *model, *params;
};

struct batch_out {
	char *stem, *ext;
	char *stream;   /* a device or pipe named: every line goes there */
	struct batch_spec spec;
	char store[17];
	struct bfile *files;
	size_t nfiles;
	long total, requests;
	FILE *jobs;     /* the round's job ids, kept on disk, not in memory */
	int64_t last_job;
	size_t njobs;
	struct bprov *provs;
	size_t nprovs;
	struct buf line;
	struct arena a;   /* a request's tree while it is checked */
	struct batch_shapes known;
	size_t last;      /* 1 + the index of the file the last line went to; 0 */
	int failed;
};

struct batch_out *batch_open(const char *path, const struct batch_spec *spec)
{
	struct batch_out *b = xcalloc(1, sizeof(*b));
	size_t n = strlen(path);
	const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
	struct buf stem = {0};
	if (dot && dot > path && (!slash || dot > slash + 1) && n - (size_t)(dot - path) <= 6) {
		buf_add(&stem, path, (size_t)(dot - path));
		b->ext = xstrdup(dot);
	} else {
		buf_puts(&stem, path);
		b->ext = xstrdup(".jsonl");
	}
	if (spec->again)
		buf_printf(&stem, ".r%ld", spec->round);
	b->stem = stem.data ? stem.data : xstrdup("");
	b->spec = *spec;
	snprintf(b->store, sizeof(b->store), "%s", spec->store ? spec->store : "");
	b->spec.store = b->store;
	if (b->spec.max_lines <= 0)
		b->spec.max_lines = BATCH_MAX_LINES;
	struct stat st;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		b->stream = xstrdup(path); /* never a file made beside a device */
	return b;
}

void batch_provider(struct batch_out *b, const char *name, const char *model,
		    const char *params)
{
	b->provs = xrealloc(b->provs, (b->nprovs + 1) * sizeof(*b->provs));
	struct bprov *p = &b->provs[b->nprovs++];
	p->name = xstrdup(name);
	p->model = xstrdup(model ? model : "");
	p->params = xstrdup(params ? params : "{}");
}

/* "/v1/chat/completions" -> "chat-completions" */
static void url_name(const char *url, char *out, size_t n)
{
	if (!strncmp(url, "/v1/", 4))
		url += 4;
	else if (*url == '/')
		url++;
	size_t o = 0;
	for (; *url && o + 1 < n; url++)
		out[o++] = *url == '/' ? '-' : *url;
	out[o] = '\0';
}

/* bf's bytes so far handed to the kernel and their write-back started
 * (a hint: where it cannot be, as on a pipe, the sync at the end does
 * it all). 0, or -1 when they could not be written. */
static int write_behind(struct bfile *bf)
{
	if (fflush(bf->fp) != 0)
		return -1;
#ifdef SYNC_FILE_RANGE_WRITE
	if (bf->bytes > bf->behind)
		sync_file_range(fileno(bf->fp), bf->behind, bf->bytes - bf->behind,
				SYNC_FILE_RANGE_WRITE);
#endif
	bf->behind = bf->bytes;
	return 0;
}

/* bf full (or the round over): its bytes on their way to the disk, its
 * stream closed, a descriptor kept for sync_file */
static int close_file(struct batch_out *b, struct bfile *bf)
{
	if (!bf->fp)
		return 0;
	int bad = ferror(bf->fp) | (write_behind(bf) != 0);
	if (!bad && (bf->sync_fd = dup(fileno(bf->fp))) < 0)
		bad = 1;
	bad |= fclose(bf->fp) != 0;
	bf->fp = NULL;
	free(bf->iobuf);
	bf->iobuf = NULL;
	if (bad)
		b->failed = 1;
	return bad ? -1 : 0;
}

/* bf's bytes on the disk (a device or pipe has nothing to sync) */
static int sync_file(struct batch_out *b, struct bfile *bf)
{
	if (bf->sync_fd < 0)
		return 0;
	int bad = fsync(bf->sync_fd) != 0 && errno != EINVAL;
	bad |= close(bf->sync_fd) != 0;
	bf->sync_fd = -1;
	if (bad)
		b->failed = 1;
	return bad ? -1 : 0;
}

/* The current file of url and model, a new one when it is full (lines
 * more): one model per file, one url per file. */
static struct bfile *file_for(struct batch_out *b, const char *url, const char *model,
			      long lines, size_t len, char *err, size_t errlen)
{
	struct bfile *cur = NULL;
	int part = 0;
	/* the last line's file, while open, is the only open one of its url
	 * and model (a file is closed before the next is made): no walk of
	 * every file so far (53 of them at 445 K solutions) a line */
	if (b->last) {
		cur = &b->files[b->last - 1];
		if (cur->fp && (b->stream || (!strcmp(cur->url, url) && !strcmp(cur->model, model) &&
					      cur->lines + lines <= b->spec.max_lines &&
					      cur->bytes + (long)len <= BATCH_MAX_BYTES)))
			return cur;
		cur = NULL;
	}
	for (size_t i = 0; i < b->nfiles; i++) {
		struct bfile *f = &b->files[i];
		if (b->stream || !strcmp(f->url, url))
			part = f->part > part ? f->part : part;
		if (f->fp && (b->stream || (!strcmp(f->url, url) && !strcmp(f->model, model))))
			cur = f;
	}
	if (cur && (b->stream || (cur->lines + lines <= b->spec.max_lines &&
				  cur->bytes + (long)len <= BATCH_MAX_BYTES))) {
		b->last = (size_t)(cur - b->files) + 1;
		return cur;
	}
	if (cur && close_file(b, cur) < 0) {
		snprintf(err, errlen, "%s: write failed: %s", cur->path, strerror(errno));
		return NULL;
	}
	b->files = xrealloc(b->files, (b->nfiles + 1) * sizeof(*b->files));
	struct bfile *bf = &b->files[b->nfiles];
	memset(bf, 0, sizeof(*bf));
	snprintf(bf->url, sizeof(bf->url), "%s", url);
	bf->part = part + 1;
	bf->sync_fd = -1;
	char name[64];
	url_name(url, name, sizeof(name));
	struct buf p = {0};
	if (b->stream) {
		buf_puts(&p, b->stream);
	} else {
		buf_printf(&p, "%s.%s", b->stem, name);
		if (bf->part > 1)
			buf_printf(&p, ".%d", bf->part);
		buf_puts(&p, b->ext);
	}
	bf->path = p.data;
	if (!(bf->fp = fopen(bf->path, "w"))) {
		snprintf(err, errlen, "%s: %s", bf->path, strerror(errno));
		free(bf->path);
		return NULL;
	}
	bf->iobuf = xmalloc(BATCH_IOBUF);
	setvbuf(bf->fp, bf->iobuf, _IOFBF, BATCH_IOBUF);
	bf->model = xstrdup(model);
	b->nfiles++;
	b->last = b->nfiles;
	return bf;
}

int batch_request(struct batch_out *b, int64_t job, const char *path, const char *body,
		  const char *hash, char *err, size_t errlen)
{
	char url[64], model[256];
	/* "/v1/" or "/", then path (cut to the buffer as snprintf would) */
	size_t ul = strcmp(path, "pooling") ? 4 : 1, pl = strlen(path);
	memcpy(url, "/v1/", ul);
	pl = pl < sizeof(url) - ul ? pl : sizeof(url) - ul - 1;
	memcpy(url + ul, path, pl);
	url[ul + pl] = '\0';
	buf_reset(&b->line);
	if (batch_shape(&b->line, &b->a, &b->known, &b->spec, job, url, body, hash, model,
			sizeof(model), err, errlen) < 0)
		return -1;
	long lines = 0;
	for (const char *p = b->line.data, *end = p + b->line.len;
	     (p = memchr(p, '\n', (size_t)(end - p))); p++)
		lines++;
	struct bfile *bf = file_for(b, url, model, lines, b->line.len, err, errlen);
	if (!bf)
		return -1;
	if (fwrite(b->line.data, 1, b->line.len, bf->fp) != b->line.len) {
		snprintf(err, errlen, "%s: write failed: %s", bf->path, strerror(errno));
		b->failed = 1;
		return -1;
	}
	bf->lines += lines;
	bf->requests++;
	bf->bytes += (long)b->line.len;
	if (bf->bytes - bf->behind >= BATCH_BEHIND && write_behind(bf) < 0) {
		snprintf(err, errlen, "%s: write failed: %s", bf->path, strerror(errno));
		b->failed = 1;
		return -1;
	}
	b->total += lines;
	b->requests++;
	return 0;
}

void batch_job(struct batch_out *b, int64_t job)
{
	if (b->njobs && b->last_job == job)
		return;
	if (!b->jobs && !(b->jobs = tmpfile()))
		b->failed = 1;
	if (b->jobs && fwrite(&job, sizeof(job), 1, b->jobs) != 1)
		b->failed = 1;
	b->last_job = job;
	b->njobs++;
}

int batch_jobs_each(struct batch_out *b,
		    int (*fn)(void *ctx, const int64_t *jobs, size_t n), void *ctx)
{
	int64_t v[4096];
	size_t got;
	if (!b->jobs)
		return b->njobs ? -1 : 0;
	if (fflush(b->jobs) != 0 || fseek(b->jobs, 0, SEEK_SET) != 0)
		return -1;
	while ((got = fread(v, sizeof(*v), ARRAY_SIZE(v), b->jobs)) > 0)
		if (fn(ctx, v, got) < 0)
			return -1;
	return ferror(b->jobs) ? -1 : 0;
}

long batch_lines(const struct batch_out *b)
{
	return b->total;
}

long batch_round(const struct batch_out *b)
{
	return b->spec.round;
}

/* how the target runs a file */
static const char *runner(int target)
{
	static const char *const how[BT_COUNT] = {
		"the OpenAI Batch API: one batch per file",
		"vLLM run_batch: one shard per node",
		"Ray Data LLM rows, one per sample"};
	return how[target];
}

/* the manifest: what the round wrote, for the engine's operator and for
 * stepmark reading the results back */
static int write_manifest(struct batch_out *b, char *err, size_t errlen)
{
	struct buf m = {0}, p = {0};
	buf_printf(&m, "{\"stepmark_batch\":1,\"store\":\"%s\",\"round\":%ld,\"target\":\"%s\","
		   "\"lines\":%ld,\"requests\":%ld,\"jobs\":%zu,\"files\":[", b->store,
		   b->spec.round, batch_targets[b->spec.target], b->total, b->requests, b->njobs);
	for (size_t i = 0; i < b->nfiles; i++) {
		const struct bfile *f = &b->files[i];
		const char *base = strrchr(f->path, '/');
		buf_printf(&m, "%s{\"path\":", i ? "," : "");
		buf_json_str(&m, base ? base + 1 : f->path, strlen(base ? base + 1 : f->path));
		buf_printf(&m, ",\"url\":\"%s\",\"model\":", f->url);
		buf_json_str(&m, f->model, strlen(f->model));
		buf_printf(&m, ",\"lines\":%ld,\"requests\":%ld,\"bytes\":%ld}", f->lines,
			   f->requests, f->bytes);
	}
	buf_puts(&m, "],\"providers\":[");
	struct arena a = {0};
	for (size_t i = 0; i < b->nprovs; i++) {
		const struct bprov *v = &b->provs[i];
		const struct jnode *params = jparse(&a, v->params, strlen(v->params));
		const struct jnode *t = params ? jget(params, "template") : NULL;
		buf_printf(&m, "%s{\"provider\":", i ? "," : "");
		buf_json_str(&m, v->name, strlen(v->name));
		buf_puts(&m, ",\"model\":");
		buf_json_str(&m, v->model, strlen(v->model));
		buf_puts(&m, ",\"template\":");
		if (t && t->type == J_STR)
			buf_json_str(&m, t->str, t->len);
		else
			buf_puts(&m, "null");
		buf_printf(&m, ",\"params\":%s}", params ? v->params : "null");
	}
	arena_free(&a);
	buf_puts(&m, "]}\n");
	buf_printf(&p, "%s.manifest.json", b->stem);
	FILE *fp = fopen(p.data, "w");
	int rc = fp && fwrite(m.data, 1, m.len, fp) == m.len ? 0 : -1;
	if (fp && (fflush(fp) != 0 || (fsync(fileno(fp)) != 0 && errno != EINVAL)))
		rc = -1;
	if (fp && fclose(fp) != 0)
		rc = -1;
	if (rc < 0)
		snprintf(err, errlen, "%s: write failed: %s", p.data, strerror(errno));
	buf_free(&m);
	buf_free(&p);
	return rc;
}

int batch_close(struct batch_out *b, FILE *out, char *err, size_t errlen)
{
	int rc = 0;
	for (size_t i = 0; i < b->nfiles; i++) /* the last files on their way too */
		if (close_file(b, &b->files[i]) < 0 && !rc) {
			snprintf(err, errlen, "%s: write failed: %s", b->files[i].path,
				 strerror(errno));
			rc = -1;
		}
	for (size_t i = 0; i < b->nfiles; i++)
		if (sync_file(b, &b->files[i]) < 0 && !rc) {
			snprintf(err, errlen, "%s: write failed: %s", b->files[i].path,
				 strerror(errno));
			rc = -1;
		}
	if (rc == 0 && b->failed) {
		snprintf(err, errlen, "a batch file could not be written whole");
		rc = -1;
	}
	if (rc == 0 && !b->stream && b->nfiles)
		rc = write_manifest(b, err, errlen);
	for (size_t i = 0; rc == 0 && out && i < b->nfiles; i++)
		if (b->stream)
			fprintf(out, "%s: %ld line%s, every URL in one stream\n", b->stream,
				b->total, b->total == 1 ? "" : "s");
		else
			fprintf(out, "%s: %ld request%s for %s, model %s (%s)\n",
				b->files[i].path, b->files[i].requests,
				b->files[i].requests == 1 ? "" : "s", b->files[i].url,
				b->files[i].model, runner(b->spec.target));
	if (rc == 0 && out && !b->stream && b->nfiles)
		fprintf(out, "%s.manifest.json: round %ld for %s, %ld line%s in %zu file%s\n",
			b->stem, b->spec.round, batch_targets[b->spec.target], b->total,
			b->total == 1 ? "" : "s", b->nfiles, b->nfiles == 1 ? "" : "s");
	return rc;
}

void batch_free(struct batch_out *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->nfiles; i++) {
		if (b->files[i].fp)
			fclose(b->files[i].fp);
		if (b->files[i].sync_fd >= 0)
			close(b->files[i].sync_fd);
		free(b->files[i].iobuf);
		free(b->files[i].path);
		free(b->files[i].model);
	}
	for (size_t i = 0; i < b->nprovs; i++) {
		free(b->provs[i].name);
		free(b->provs[i].model);
		free(b->provs[i].params);
	}
	free(b->provs);
	free(b->files);
	if (b->jobs)
		fclose(b->jobs);
	buf_free(&b->line);
	arena_free(&b->a);
	batch_shapes_free(&b->known);
	free(b->stem);
	free(b->ext);
	free(b->stream);
	free(b);
}
