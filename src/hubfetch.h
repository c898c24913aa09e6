/* hubfetch.h - `stepmark fetch --hub`: this machine as one worker of the
 * hub's jobs, the local engine doing the work (hubfetch.c) */
#ifndef SM_HUBFETCH_H
#define SM_HUBFETCH_H

#include <stdint.h>
#include "fetch.h"
#include "../db/hub.h"

struct hubfetch_opts {
	double lease_s;   /* how long a lease lasts unrenewed */
	int batch;        /* jobs leased at a time, per provider */
	int64_t dataset, sol; /* the solutions whose jobs go on the hub (0: all) */
	long limit;       /* at most that many per provider (0: no bound) */
	const struct fconf *fc; /* f's: how its requests are made, to look them
				 * up in the hub's cache first (NULL: not) */
};
struct hubfetch_counts {
	long put, there, missing; /* jobs put on the hub: new, there already,
				   * their solution not on the hub */
	long done, failed; /* jobs this worker ended on the hub */
	long lost;        /* ended here after their lease went to another */
	long sugs;        /* suggestions this worker wrote to the hub */
	long hub_cached;  /* responses from the hub's cache (not asked) */
	long cache_put, cache_kept; /* responses written to the hub's cache, and
				     * kept out (another there under their hash) */
};

/*
 * The jobs of the providers in mask over the selection put on the hub
 * (once each: kind, params, solution), then leased a batch at a time
 * (the store pulled from the hub first, for their solutions; the
 * requests of a batch looked up in the hub's cache first), run by the
 * engine f over db, their ends and suggestions written to the hub in
 * one transaction per batch with the responses the worker was paid for
 * (to the hub's cache), until no job of theirs is left queued or
 * leased on the hub (a lease that runs out is taken over) or Ctrl-C (the
 * leases held given back). me: a lead or a worker. 0; -1 on a store
 * error (db_errmsg), -2 on a hub error (hub_errmsg).
 */
int hubfetch_run(struct db *db, struct hub *h, const struct hub_me *me, struct fetch *f,
		 unsigned mask, const struct hubfetch_opts *o, struct hubfetch_counts *c);

#endif
