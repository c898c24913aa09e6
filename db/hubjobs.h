/* hubjobs.h - the hub's jobs (hubjobs.c): one row per job of a store's
 * engine (kind, params, solution), leased by the workers of `stepmark
 * fetch --hub` for a while (an owner and an expiry), ended once */
#ifndef SM_DB_HUBJOBS_H
#define SM_DB_HUBJOBS_H

#include <stdint.h>

struct hub;

/* A job leased: the hub's id, its solution (data set and id, and the
 * hash of its steps on the hub), the leases it had, this one included. */
struct hub_job {
	int64_t id;
	int attempts;
	char *dataset, *key, *hash;
};
struct hub_job_counts {
	long queued, leased, expired, done, failed; /* expired: leases run out */
};

/* The job kind/params of solution dataset/key put on the hub: 1 added, 0
 * there already, 2 the solution is not on the hub; -1 on error. */
int hub_job_add(struct hub *h, const char *kind, const char *params, const char *dataset,
		const char *key);
/* Leases up to max jobs of kind/params, queued or whose lease ran out,
 * that no other worker is leasing this moment (SKIP LOCKED), for
 * lease_s seconds to owner: how many into *out (hub_jobs_free), -1. */
int hub_jobs_lease(struct hub *h, const char *kind, const char *params, const char *owner,
		   double lease_s, int max, struct hub_job **out);
void hub_jobs_free(struct hub_job *j, int n);
/* owner's leases, lease_s seconds from now: 0, -1. */
int hub_jobs_renew(struct hub *h, const char *owner, double lease_s);
/* Ends job id, done or failed (error; its costs: requests, cached,
 * tokens in, out), in the caller's transaction: 1, 0 when owner no
 * longer holds its lease (nothing written), -1 on error. */
int hub_job_finish(struct hub *h, int64_t id, const char *owner, int failed,
		   const char *error, const int64_t costs[4]);
/* owner's leased jobs back to the queue: 0, -1. */
int hub_jobs_release(struct hub *h, const char *owner);
/* The jobs of kind/params by state: 0, -1. */
int hub_jobs_count(struct hub *h, const char *kind, const char *params,
		   struct hub_job_counts *c);

#endif
