/* hubsync.h - a store synced with its hub in the background of one loop
 * (the workbench's): never blocking, its socket and its next time given
 * to the loop's one wait (hubsync.c) */
#ifndef SM_HUBSYNC_H
#define SM_HUBSYNC_H

#include <stddef.h>

struct hubsync;

/* Syncs the store at dbpath (on a connection of its own) with the hub
 * conninfo every interval_s seconds, and soon after the store changes;
 * as annotator until the hub says who this is. NULL with the reason in
 * err when the store cannot be opened. Nothing is tried before the first
 * hubsync_step. */
struct hubsync *hubsync_new(const char *dbpath, const char *conninfo, const char *annotator,
			    int interval_s, char *err, size_t errlen);
/* Closes the hub and the store's connection. */
void hubsync_free(struct hubsync *s);

/* What the loop waits on: the hub's socket (-1 none), *write when it
 * waits to write, else to read; and the milliseconds until its next
 * timed step (-1 none). */
int hubsync_fd(const struct hubsync *s, int *write);
int hubsync_timeout(const struct hubsync *s, double now_ms);
/* Its turn in the loop: moves on where its socket is ready or its time
 * has come, never waiting. 1 when what the status line shows changed. */
int hubsync_step(struct hubsync *s, double now_ms);

/* The labels of this member not on the hub yet (counted again at each
 * change of the store), and whether the hub answers now. */
long hubsync_unsynced(const struct hubsync *s);
int hubsync_online(const struct hubsync *s);
/* The labels pulled from the hub so far. */
long hubsync_pulled(const struct hubsync *s);
/* The last page pulled into the store: its events, the events it asked
 * for, the milliseconds of CPU its store took (one turn of the loop), the
 * events the next page asks for (fewer when it took longer than a key
 * may wait). Returns the pages
 * stored so far (0: none, *p unset). */
struct hubsync_page {
	long events;
	double ms;
	int asked, next;
};
long hubsync_last_page(const struct hubsync *s, struct hubsync_page *p);
/* What it has to say, once: a failure, going offline or back, why it
 * stopped. NULL when nothing new since the last call. */
const char *hubsync_news(struct hubsync *s);
/* 1 when it stopped for good (not a member, another hub...: news said). */
int hubsync_stopped(const struct hubsync *s);
/* 1 while a round (or a connection) waits on the hub. */
int hubsync_busy(const struct hubsync *s);
/* The next step begins a round when it is idle. */
void hubsync_round_now(struct hubsync *s);
/* The end: the round under way stops after the page in flight, and
 * the rounds from now on push this member's labels and pull nothing. */
void hubsync_finish(struct hubsync *s);
/* Counts the unsynced labels now (at the end, after the last writes). */
long hubsync_recount(struct hubsync *s);

#endif
