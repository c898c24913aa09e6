/* fetch.h - the background engine: jobs from the store, requests through
 * libcurl multi, suggestions back into the store. One thread; the TUI
 * and `stepmark fetch` drive it from their loops. */
#ifndef SM_FETCH_H
#define SM_FETCH_H

#include <stdint.h>
#include <stdio.h>
#include "fconf.h"
#include "../db/db.h"

struct fetch;

struct fetch_progress {
	long done, failed;        /* jobs this engine finished */
	long requests, cached;    /* sent over HTTP, answered from the cache */
	long shared;              /* answered by an identical request in flight */
	long resent;              /* sent again by libcurl on a fresh connection */
	long retries;
	long batched;             /* requests written to a batch file */
	long tokens_in, tokens_out;
	int active, inflight;     /* jobs held, transfers running */
	int deferred;             /* jobs waiting on a batch result */
	char last_error[200];
	char notice[400];         /* said once: how the engine adapted */
	long notices;             /* bumped with each new notice */
	double stored_at;         /* when suggestions were last committed */
};

/*
 * An engine over db (a connection of its own: it commits often) for the
 * providers in mask (bit per P_*). fc must have been resolved
 * (fconf_resolve); it must outlive the engine. NULL with err.
 */
struct fetch *fetch_new(struct db *db, const struct fconf *fc, unsigned mask,
			char *err, size_t errlen);
/* The canonical params of provider p's jobs (see fconf_params). */
const char *fetch_params(struct fetch *f, int p);
/* Queues jobs for p over the selection; returns how many were added. */
long fetch_enqueue(struct fetch *f, int p, int64_t dataset, int64_t sol, long limit);
/* Work on sol's jobs before any other. */
void fetch_prefer(struct fetch *f, int64_t sol);
/* Runs only the jobs a command selected: of one data set, of one
 * solution, at most limit per provider (0: no such bound). Jobs queued
 * earlier for other data sets wait for a command that selects them. */
void fetch_select(struct fetch *f, int64_t dataset, int64_t sol, long limit);
/* The mark of the replies a batch runner was paid for and put in the
 * cache (batch_read_results): the tokens of each are counted for the
 * first job it answers (a reply from the cache is otherwise free: its
 * tokens were counted when it was sent). */
void fetch_paid(struct fetch *f, const char *mark);
/* Waits for the transfers, or one of n fds (at most 4) to be readable,
 * at most timeout_ms. Returns the readable ones' bits (1 << i). */
int fetch_wait(struct fetch *f, const int *fds, int n, int timeout_ms);
/* Advances everything that can advance without waiting, for about
 * budget_ms at most. Returns 1 while work remains. */
int fetch_work(struct fetch *f, double budget_ms);
/* Milliseconds until the engine wants to run again (a retry's time). */
int fetch_timeout(struct fetch *f);
void fetch_progress(struct fetch *f, struct fetch_progress *p);
/* Stops: aborts transfers, stores what is finished, gives the rest of
 * the jobs back to the queue. */
void fetch_stop(struct fetch *f);
void fetch_free(struct fetch *f);

#endif
