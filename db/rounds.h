/* rounds.h - batch files' rounds: the store's id in their custom_ids,
 * each round written, the round of each job, and Ray Data's one-sample
 * rows until their request is whole (rounds.c; schema.c, the batch
 * migration) */
#ifndef SM_DB_ROUNDS_H
#define SM_DB_ROUNDS_H

#include <stddef.h>
#include <stdint.h>

struct db;

/* The store's id in custom_ids: the one it has, else fresh (16 hex
 * digits) made its own. Into out. 0, or -1 on a store error. */
int db_batch_store_id(struct db *db, const char *fresh, char out[17]);
/* The last round written: its number (0: none yet), its target and the
 * stem of its files copied into target and stem. -1 on a store error. */
long db_batch_round_last(struct db *db, char *target, size_t tn, char *stem, size_t sn);
/* Round `round` written: its target, the stem of its files, its lines. */
int db_batch_round_add(struct db *db, long round, const char *target, const char *stem,
		       long lines);
/* The requests of the n jobs were written in round (one statement for
 * them all). 0, or -1. */
int db_batch_jobs_round_set(struct db *db, const int64_t *jobs, size_t n, long round);
/* The round the job's requests were last written in: 0 none, -1 on a
 * store error. */
long db_batch_job_round(struct db *db, int64_t job);

/* One sample of a request answered by a row of Ray Data's output. */
struct db_batch_part {
	int sample, n;          /* which of the request's n */
	const char *text, *finish;
	long tokens_in, tokens_out;
};
/* 1 kept, 0 the sample was back already (a duplicate), -1. */
int db_batch_part_put(struct db *db, const char *hash, const struct db_batch_part *p);
/* The samples of the request back so far, or -1. */
long db_batch_part_count(struct db *db, const char *hash);
/* Each sample of the request, in order, to fn. 0, or -1. */
int db_batch_part_each(struct db *db, const char *hash,
		       void (*fn)(void *ctx, const struct db_batch_part *p), void *ctx);
/* Forgets the request's samples (its answer is whole in the cache). */
int db_batch_part_drop(struct db *db, const char *hash);

/* For fetch --status: the jobs of kind and params whose requests went to
 * batch files, by round and state, to fn. 0, or -1. */
int db_batch_rounds_each(struct db *db, const char *kind, const char *params,
			 void (*fn)(void *ctx, long round, const char *state, long n),
			 void *ctx);

/* The store held by this connection alone, with a rollback journal, for
 * one large transaction (a results file's): 1 held, 0 when another
 * connection has it open (it stays shared, in WAL). db_batch_unhold
 * after the transaction gives it back, in WAL again. */
int db_batch_hold(struct db *db);
void db_batch_unhold(struct db *db);

/* At most max queued jobs of kind and params, after solution `after`
 * in solution order (of solution sol, of data set dataset: 0 any), into
 * out, not leased: a --batch-out stream's next window, read inside the
 * caller's write transaction. How many, or -1. */
struct db_job;
int db_batch_queued(struct db *db, const char *kind, const char *params, int64_t after,
		    int64_t sol, int64_t dataset, int max, struct db_job *out);

#endif
