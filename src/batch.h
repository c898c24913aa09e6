/* batch.h - request files for batch runners (OpenAI's Batch API, vllm
 * run-batch): one file per endpoint URL, each at most so many lines */
#ifndef SM_BATCH_H
#define SM_BATCH_H

#include <stddef.h>
#include <stdio.h>

#define BATCH_MAX_LINES 50000L        /* OpenAI's Batch API: per file */
#define BATCH_MAX_BYTES (190L << 20)  /* under its 200 MB */

struct batch_out;

/* Files named after path: "out.jsonl" gives out.chat-completions.jsonl,
 * out.completions.jsonl, out.pooling.jsonl, then out.completions.2.jsonl
 * past max_lines. Nothing is created before the first line. A path that
 * names a device or a pipe (/dev/stdout) takes every line itself. */
struct batch_out *batch_open(const char *path, long max_lines);
/* One request line (with its newline) for url ("/v1/chat/completions").
 * -1 with the reason in err when a file cannot be created. */
int batch_write(struct batch_out *b, const char *url, const char *line, size_t len,
		char *err, size_t errlen);
/* Flushes, syncs and closes every file; says on out what went where.
 * -1 with the reason in err when a write failed. */
int batch_close(struct batch_out *b, FILE *out, char *err, size_t errlen);
long batch_lines(const struct batch_out *b);
/* Closes what is open (after an error) and frees b. */
void batch_free(struct batch_out *b);

struct db;
struct buf;
/* batch_in.c: a result file's answers (lines whose custom_id stepmark
 * wrote) into db's response cache, in one transaction. How many were
 * stored, the lines skipped in *bad (each said on warn); -1 when the
 * file or the store fails (nothing stored). The custom_id of each answer
 * is added to ids (32 characters each) when ids is not NULL. */
long batch_read_results(struct db *db, const char *path, FILE *warn, long *bad,
			struct buf *ids);

#endif
