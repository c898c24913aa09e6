/* jobs.h - background jobs and the response cache (jobs.c; schema.c, migration 3) */
#ifndef SM_DB_JOBS_H
#define SM_DB_JOBS_H

#include <stdint.h>
#include "../src/item.h"
#include "../src/util.h"

struct db;

struct db_job {
	int64_t id, sol;
	int attempts;                /* leases so far, this one included */
	long requests, cached, tokens; /* added to the job's totals at finish */
	long tokens_in, tokens_out;    /* the usage: prompt, completion */
};
struct db_job_counts {
	long queued, leased, done, failed, requests, cached, tokens;
	long tokens_in, tokens_out;
};
/* What a job asks of its solution, for db_jobs_enqueue. */
enum { JOBS_TRACES = 1,     /* an agent trace (its turns name their agents) */
       JOBS_REFERENCE = 2 }; /* a problem with a reference */
/* Queues a job of kind/params for each selected solution (dataset 0 =
 * all, sol 0 = any, limit <= 0 = no limit) that has none and has what
 * need (JOBS_*) asks; returns how many were added. */
long db_jobs_enqueue(struct db *db, const char *kind, const char *params,
		     int64_t dataset, int64_t sol, long limit, unsigned need);
/* Foreign-key checks off (on 0) or on again, outside a transaction (a
 * pragma inside one does nothing), for writing rows whose parents are
 * known to be there: db_jobs_enqueue takes each job's solution from the
 * solution table in the statement that writes the job, db_jobs_requeue
 * changes no reference, and a round's jobs (db_batch_jobs_round_set)
 * were read from the job table, whose rows are never deleted. Saves a
 * probe of the parent table per row. 0 or -1. */
int db_jobs_checks(struct db *db, int on);
/* Queues again the jobs of kind/params in state ("failed", "done") of the
 * selection (dataset, sol: 0 = any). How many. */
long db_jobs_requeue(struct db *db, const char *kind, const char *params,
		     int64_t dataset, int64_t sol, const char *state);
/* Leases up to max queued jobs (those of solution sol only, when not 0;
 * of data set dataset only, when not 0) for lease_s seconds. Returns the
 * number leased into out, -1 on error. */
int db_jobs_lease(struct db *db, const char *kind, const char *params,
		  const char *owner, double lease_s, int64_t dataset, int64_t sol, int max,
		  struct db_job *out);
int db_jobs_renew(struct db *db, const char *owner, double lease_s);
/* Ends a leased job (inside the caller's transaction) and stores its
 * suggestions. 1 done, 0 when owner no longer holds the lease (nothing
 * written), -1 on error. */
int db_job_finish(struct db *db, const struct db_job *j, const char *owner,
		  int failed, const char *error, const struct suggestion *sugs,
		  size_t nsugs);
/* Adds j's requests, cached answers and tokens to the job's totals,
 * whoever holds it now (what was spent, whatever came of the job): for a
 * job given back unfinished, or costs that came after its end. 0 or -1. */
int db_job_book(struct db *db, const struct db_job *j);
/* Gives back owner's leased jobs (job 0 = all of them). */
int db_jobs_release(struct db *db, const char *owner, int64_t job);
/* Requeues jobs whose lease ran out, and those of owners dead(owner)
 * says are gone. Returns how many. */
int db_jobs_reclaim(struct db *db, int (*dead)(const char *owner));
int db_jobs_count(struct db *db, const char *kind, const char *params,
		  struct db_job_counts *c);
/* The most common failure reasons, with a count and one solution. */
int db_jobs_failures(struct db *db, const char *kind, const char *params,
		     int max, void (*fn)(void *ctx, const char *reason, long n,
					 int64_t sol), void *ctx);
/* 1 with the job's state in out when sol has a job of kind/params. */
int db_job_state(struct db *db, const char *kind, const char *params, int64_t sol,
		 char *out, size_t n);

/* The response cache, keyed by the hash of the canonical request. */
int db_cache_get(struct db *db, const char *hash, struct buf *out);
/* 1 when the cache holds a reply, 0 when it is empty, -1 */
int db_cache_any(struct db *db);
int db_cache_put(struct db *db, const char *hash, const char *body, size_t n);
/* A reply a batch runner was paid for, stamped with mark (the run's,
 * unlike any time) in place of its time until a job takes it. */
int db_cache_put_paid(struct db *db, const char *hash, const char *body, size_t n,
		      const char *mark);
/* 1 when hash's reply bears mark, which is now taken off (its tokens are
 * then counted, once), 0 when not, -1 on error. */
int db_cache_take(struct db *db, const char *hash, const char *mark);

#endif
