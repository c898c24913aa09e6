/* batch.h - request files for batch engines (OpenAI's Batch API, vLLM's
 * run_batch, Ray Data LLM), each line checked before it is written, a
 * manifest beside them, and their results read back round by round */
#ifndef SM_BATCH_H
#define SM_BATCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fconf.h"

#define BATCH_MAX_LINES 50000L        /* OpenAI's Batch API: per file */
#define BATCH_MAX_BYTES (190L << 20)  /* under its 200 MB */

/* The engine that runs the files: what their lines look like. */
enum batch_target { BT_OPENAI, BT_VLLM, BT_RAY, BT_COUNT };
extern const char *const batch_targets[BT_COUNT];
int batch_target(const char *name); /* its BT_*, -1 unknown */

/* 0 when target runs a provider's requests to an endpoint of kind (EP_*)
 * with needs (BN_*); -1 with what it cannot run and the way to do it
 * instead in why. */
enum {
	BN_LOGPROBS = 1,  /* the tokens' log-probabilities are read */
	BN_CONTINUE = 2,  /* the last (assistant) message is continued */
};
int batch_runs(int target, const char *provider, int kind, unsigned needs, char *why,
	       size_t n);

/* What a round of files is: its engine, the store's id and the round
 * (both in each line's custom_id), lines per file at most. */
struct batch_spec {
	int target;
	long max_lines;
	const char *store;   /* 16 hex digits */
	long round;
	int again;           /* the last round's path again: ".rR" in names */
};

struct batch_out;

/* Files named after path: "out.jsonl" gives out.chat-completions.jsonl,
 * out.completions.jsonl, then out.completions.2.jsonl past max_lines or
 * for a second model (one model per file), and out.manifest.json; the
 * last round's path again adds ".rR" to the stem. Nothing is created
 * before the first line. A path that names a device or a pipe
 * (/dev/stdout) takes every line itself, with no manifest. */
struct batch_out *batch_open(const char *path, const struct batch_spec *spec);
/* A provider whose requests the files hold, for the manifest: its model
 * and its jobs' params (canonical JSON, with the template's hash). */
void batch_provider(struct batch_out *b, const char *name, const char *model,
		    const char *params);
/* The request of job (path after /v1/: "chat/completions"; body its
 * canonical JSON; hash its cache key) as the target's line(s), each
 * checked against the url's request shape before it is written. -1 with
 * the reason in err (nothing of it written). */
int batch_request(struct batch_out *b, int64_t job, const char *path, const char *body,
		  const char *hash, char *err, size_t errlen);
/* A job that waits on the round's results (its request's line written,
 * or an identical request's). */
void batch_job(struct batch_out *b, int64_t job);
/* The jobs of the round to fn, in the order they came, a chunk of up
 * to 4 096 at a time (kept in a temporary file: memory does not grow
 * with the jobs). 0, or -1 when fn fails or the ids cannot be read back. */
int batch_jobs_each(struct batch_out *b,
		    int (*fn)(void *ctx, const int64_t *jobs, size_t n), void *ctx);
/* Flushes, syncs and closes every file, writes the manifest; says on
 * out what went where. -1 with the reason in err when a write failed. */
int batch_close(struct batch_out *b, FILE *out, char *err, size_t errlen);
long batch_lines(const struct batch_out *b);
long batch_round(const struct batch_out *b);
/* Closes what is open (after an error) and frees b. */
void batch_free(struct batch_out *b);

/* Shapes of requests that passed the checks (batch_line.c), with their
 * model: a request of a shape passed before passes without a parse. */
#define BATCH_SHAPES 64
struct batch_shapes {
	struct { uint64_t h; char *key, *model; size_t len; } v[BATCH_SHAPES];
	size_t last; /* 1 + the slot of the shape the last line had; 0 */
};
void batch_shapes_free(struct batch_shapes *k);
/* batch_line.c: one request as the target's line(s) into out, checked
 * (its tree in a, which is reset first; known, when not NULL, holds the
 * shapes that passed), its model into model. -1 with the reason in err. */
struct buf;
struct arena;
int batch_shape(struct buf *out, struct arena *a, struct batch_shapes *known,
		const struct batch_spec *spec, int64_t job,
		const char *url, const char *body, const char *hash, char *model, size_t mn,
		char *err, size_t errlen);
/* A custom_id read back: the store, round, job and request it answers,
 * and (a Ray row's) which of n samples. 0, or -1 when stepmark wrote no
 * such id; an id of stepmark's first form (the request's hash alone)
 * gives round 0 and no store. */
struct batch_id {
	char store[17];
	long round;
	int64_t job;
	char hash[33];
	int sample, n;     /* -1, 0 when the line answers the whole request */
};
int batch_id_parse(const char *s, size_t len, struct batch_id *id);

struct db;
/* The store's id in custom_ids (made the first time). 0, or -1. */
int batch_store_id(struct db *db, char out[17]);

/* batch_in.c: a result file read back into db's response cache, in one
 * transaction: OpenAI / vLLM output lines, or Ray Data rows (one sample
 * each, kept until their request is whole). A file from another store,
 * or of a round its jobs are no longer in, is refused whole (said on
 * warn). Each answer is stamped paid (db_cache_put_paid) when paid is
 * not NULL: the jobs that take it count its tokens. */
struct batch_in_stats {
	long stored;     /* requests answered whole */
	long samples;    /* Ray rows kept (one sample of a request each) */
	long dups;       /* lines answering what was answered already */
	long bad;        /* lines skipped, each said on warn */
	long round;      /* the round the file answers (0: not known) */
};
/* 0, or -1 when the file is refused or the file or store fails (nothing
 * stored). */
int batch_read_results(struct db *db, const char *path, FILE *warn,
		       struct batch_in_stats *st, const char *paid);

/* batch_run.c: a fetch run through batch files. */
struct fconf;
struct fetch;
/* --batch-for vllm: mc continues the prefix as a chat (said on say).
 * 0, or -1. */
int batch_settings(struct fconf *c, unsigned mask, int target, FILE *say);
/* 0 when target runs every request of the providers in mask; -1 with
 * what it cannot and the way to do it instead in err. */
int batch_check(const struct fconf *c, unsigned mask, int target, char *err, size_t n);
/* The next round's files after path, for the providers in mask. NULL
 * with the store's error in err. */
struct batch_out *batch_round_open(struct db *db, struct fetch *f, const struct fconf *c,
				   unsigned mask, const char *path, int target,
				   long max_lines, char *err, size_t n);
/* The round written (when it has lines): its path and target, each job's
 * round. 0, or -1 on a store error. */
int batch_round_done(struct db *db, struct batch_out *b, const char *path, int target);
/* The store's last round when it is round: its --batch-out path into
 * path and its target; 0 when round is not the last, -1. */
long batch_round_of(struct db *db, long round, char *path, size_t pn, int *target);
/* --status: the jobs of kind and params by round and state, on out. */
void batch_status(struct db *db, const char *kind, const char *params, FILE *out);

/* batch_stream.c: --batch-out's run. */
#define BATCH_WINDOW 1024     /* jobs read, run and stored per transaction */
struct fetch_progress;
struct batch_run {
	struct db *db;
	const struct fconf *fc;
	unsigned mask;              /* the providers (bit per P_*) */
	const char *params[P_MAX];  /* each one's jobs' params */
	int64_t dataset, sol;       /* the selection: 0 every one */
	long limit;                 /* jobs per provider at most (0: all) */
	struct batch_out *out;
	const char *paid;           /* the mark of what --batch-in answered */
	int (*tick)(void *ctx);     /* after each window: nonzero stops */
	void *ctx;
};
/* The queued jobs of r's providers over its selection, in solution order
 * a window per transaction, no lease held: each job's requests answered
 * from the cache (a job they finish is stored, as the engine stores it)
 * or written to r->out (the job waits on its round: batch_job), each
 * distinct request once. pg counts what it did. 0 done, 1 stopped by
 * tick; with the reason in err, -1 a store error, -2 a line not written
 * (the window's jobs are then as they were; the round is not whole). */
int batch_stream(const struct batch_run *r, struct fetch_progress *pg, char *err, size_t n);

#endif
