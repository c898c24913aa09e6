/* bgfetch.h - background suggestions in the workbench: src/fetch.c's
 * engine on a connection of its own, the solution on screen first */
#ifndef SM_BGFETCH_H
#define SM_BGFETCH_H

#include <stddef.h>
#include <stdint.h>

struct tui;
struct fetch;
struct db;

struct bgfetch {
	struct fetch *fetch; /* the engine, NULL until started */
	struct db *fdb;      /* its connection */
	unsigned mask;       /* the providers it serves */
	int64_t focused;     /* the solution it was last told to prefer */
	long seen;           /* its counts last drawn */
	double seen_at;      /* when they last changed */
	int shown;           /* the status line shows them */
	long notices;        /* its notices already shown */
};

/* Starts the engine for the providers in mask (0: the settings', else
 * every provider the config can serve). 0 with a message when it cannot. */
int bgfetch_start(struct tui *t, unsigned mask);
/* The fetch action: the solution on screen, every provider, now. */
void bgfetch_action(struct tui *t);
/* Between keys: 1 while the engine waits on transfers or the store. */
int bgfetch_idle(struct tui *t);
/* 1 when the engine runs. */
int bgfetch_running(const struct tui *t);
/* Waits up to ms for the transfers or fd (-1 none): 0 when there is no
 * engine to wait on (nothing waited). */
int bgfetch_wait(struct tui *t, int fd, int ms);
/* The status line's words on the engine: "" when it has done nothing,
 * or nothing for a few seconds with nothing left to do. */
void bgfetch_status(struct tui *t, char *out, size_t n);
/* Stores what is finished, gives back the rest, closes the connection. */
void bgfetch_close(struct tui *t);

#endif
