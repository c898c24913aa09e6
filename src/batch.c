/* batch.c - request files for batch runners */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch.h"
#include "util.h"

struct bfile {
	char *path;
	char url[64];
	long lines;
	long bytes;
	FILE *fp;   /* open while it is the URL's current file */
	int part;   /* 1, 2... for its URL */
};

struct batch_out {
	char *stem, *ext;
	char *stream;   /* a device or pipe named: every line goes there */
	long max_lines;
	struct bfile *files;
	size_t nfiles;
	long total;
	int failed;
};

struct batch_out *batch_open(const char *path, long max_lines)
{
	struct batch_out *b = xcalloc(1, sizeof(*b));
	size_t n = strlen(path);
	const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
	if (dot && dot > path && (!slash || dot > slash + 1) && n - (size_t)(dot - path) <= 6) {
		b->stem = xstrndup(path, (size_t)(dot - path));
		b->ext = xstrdup(dot);
	} else {
		b->stem = xstrdup(path);
		b->ext = xstrdup(".jsonl");
	}
	b->max_lines = max_lines > 0 ? max_lines : BATCH_MAX_LINES;
	struct stat st;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		b->stream = xstrdup(path); /* never a file made beside a device */
	return b;
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

static int close_file(struct batch_out *b, struct bfile *bf)
{
	if (!bf->fp)
		return 0;
	int bad = ferror(bf->fp) | (fflush(bf->fp) != 0);
	bad |= fsync(fileno(bf->fp)) != 0 && errno != EINVAL;
	bad |= fclose(bf->fp) != 0;
	bf->fp = NULL;
	if (bad)
		b->failed = 1;
	return bad ? -1 : 0;
}

/* the URL's current file, a new one when it is full */
static struct bfile *file_for(struct batch_out *b, const char *url, size_t len,
			      char *err, size_t errlen)
{
	struct bfile *cur = NULL;
	for (size_t i = 0; i < b->nfiles; i++)
		if (b->files[i].fp && (b->stream || !strcmp(b->files[i].url, url)))
			cur = &b->files[i];
	if (cur && (b->stream ||
		    (cur->lines < b->max_lines && cur->bytes + (long)len <= BATCH_MAX_BYTES)))
		return cur;
	int part = cur ? cur->part + 1 : 1;
	if (cur && close_file(b, cur) < 0) {
		snprintf(err, errlen, "%s: write failed: %s", cur->path, strerror(errno));
		return NULL;
	}
	b->files = xrealloc(b->files, (b->nfiles + 1) * sizeof(*b->files));
	struct bfile *bf = &b->files[b->nfiles];
	memset(bf, 0, sizeof(*bf));
	snprintf(bf->url, sizeof(bf->url), "%s", url);
	bf->part = part;
	char name[64];
	url_name(url, name, sizeof(name));
	struct buf p = {0};
	if (b->stream) {
		buf_puts(&p, b->stream);
	} else {
		buf_printf(&p, "%s.%s", b->stem, name);
		if (part > 1)
			buf_printf(&p, ".%d", part);
		buf_puts(&p, b->ext);
	}
	bf->path = p.data;
	if (!(bf->fp = fopen(bf->path, "w"))) {
		snprintf(err, errlen, "%s: %s", bf->path, strerror(errno));
		free(bf->path);
		return NULL;
	}
	b->nfiles++;
	return bf;
}

int batch_write(struct batch_out *b, const char *url, const char *line, size_t len,
		char *err, size_t errlen)
{
	struct bfile *bf = file_for(b, url, len, err, errlen);
	if (!bf)
		return -1;
	if (fwrite(line, 1, len, bf->fp) != len) {
		snprintf(err, errlen, "%s: write failed: %s", bf->path, strerror(errno));
		b->failed = 1;
		return -1;
	}
	bf->lines++;
	bf->bytes += (long)len;
	b->total++;
	return 0;
}

long batch_lines(const struct batch_out *b)
{
	return b->total;
}

/* who reads requests to url */
static const char *runner(const char *url)
{
	if (!strcmp(url, "/v1/chat/completions"))
		return "OpenAI Batch API, vllm run-batch";
	if (!strcmp(url, "/v1/completions"))
		return "OpenAI Batch API; vllm run-batch reads chat completions only";
	return "no batch runner known to read it: fetch these without --batch-out";
}

int batch_close(struct batch_out *b, FILE *out, char *err, size_t errlen)
{
	int rc = 0;
	for (size_t i = 0; i < b->nfiles; i++)
		if (close_file(b, &b->files[i]) < 0 && !rc) {
			snprintf(err, errlen, "%s: write failed: %s", b->files[i].path,
				 strerror(errno));
			rc = -1;
		}
	if (rc == 0 && b->failed) {
		snprintf(err, errlen, "a batch file could not be written whole");
		rc = -1;
	}
	for (size_t i = 0; rc == 0 && out && i < b->nfiles; i++)
		if (b->stream)
			fprintf(out, "%s: %ld request%s, every URL in one stream\n", b->stream,
				b->total, b->total == 1 ? "" : "s");
		else
			fprintf(out, "%s: %ld request%s for %s (%s)\n", b->files[i].path,
				b->files[i].lines, b->files[i].lines == 1 ? "" : "s",
				b->files[i].url, runner(b->files[i].url));
	return rc;
}

void batch_free(struct batch_out *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->nfiles; i++) {
		if (b->files[i].fp)
			fclose(b->files[i].fp);
		free(b->files[i].path);
	}
	free(b->files);
	free(b->stem);
	free(b->ext);
	free(b->stream);
	free(b);
}
