/* hubwarm.h - the store's response cache warmed from the hub's before a
 * fetch worker runs a leased group of jobs (hubwarm.c) */
#ifndef SM_HUBWARM_H
#define SM_HUBWARM_H

#include <stdint.h>
#include "fconf.h"
#include "../db/db.h"
#include "../db/hub.h"

/* A job to warm the cache for: its provider (P_*) and solution. */
struct hubwarm_job {
	int p;
	int64_t sol;
};

/*
 * Plays the jobs' requests as the engine would ask them (fc, and tmpl[p]
 * the template of provider p, or NULL), round by round: the requests
 * that the store's cache lacks are looked up in the hub's, one statement
 * per round for the whole group; the responses the hub has go into the
 * store's cache (the engine then answers them from there) and the next
 * round is played with them. A job stops being played at its first
 * request neither cache has (the engine sends it). How many responses
 * came from the hub into *got. 0; -1 on a store error, -2 on a hub error.
 */
int hubwarm_run(struct db *db, struct hub *h, const struct fconf *fc, char *const *tmpl,
		const struct hubwarm_job *jobs, int n, long *got);

#endif
