/* progress.h - one progress line on standard error, the same for every
 * long command (progress.c) */
#ifndef SM_PROGRESS_H
#define SM_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

enum progress_mode {
	PROGRESS_OFF,   /* nothing drawn */
	PROGRESS_TTY,   /* one line redrawn in place, at most 4 times a second */
	PROGRESS_LINES, /* a plain line every `every` seconds, for logs */
};

/*
 * One command's progress. done out of total (0: unknown) gives the bar
 * and the ETA; count, when count_unit is set, is what the rate counts
 * (an import's records while done is its bytes). The caller may fill
 * detail (after the counts) and tail (after the ETA) before a frame.
 */
struct progress {
	FILE *out;
	enum progress_mode mode;
	double every;           /* seconds between frames */
	char what[200];         /* "import big.jsonl": before the counts */
	const char *unit;       /* of done/total; NULL: bytes, shown in MB */
	const char *rate_unit;  /* the rate's, when not the count's */
	const char *count_unit; /* a count besides done/total (NULL: none) */
	int64_t done, total, count;
	char detail[200], tail[200];
	double t0, last;        /* seconds of the monotonic clock */
	int64_t done0;          /* done when this run started (fetch) */
	double read_ms;         /* when the clock was last read */
	unsigned ticks, check;  /* updates since the clock was read; between reads */
	int shown;              /* a TTY frame is on the line */
};

/* The mode a command runs in: off with --quiet, in place on a terminal
 * (standard error), plain lines with --progress-every SECONDS (every
 * > 0), else off. */
enum progress_mode progress_mode(int quiet, long every);
/* Starts p: what it does (made inert), the total (0: unknown), its unit. */
void progress_start(struct progress *p, enum progress_mode mode, long every,
		    const char *what, int64_t total, const char *unit);
/* Reads the clock: draws a frame when one is due. */
void progress_tick(struct progress *p);
/* done so far: cheap (the clock is read every p->check calls, tuned to
 * about one read per 10 ms). Returns 1 once Ctrl-C asked to stop. */
int progress_set(struct progress *p, int64_t done);
/* 1 when a frame is due now (for a caller that fills detail first). */
int progress_due(struct progress *p);
/* Draws a frame now; last: the final one, the time taken for the ETA. */
void progress_draw(struct progress *p, int last);
/* Clears a TTY frame off the line, for a message (the next one redraws). */
void progress_clear(struct progress *p);
/* The last frame with the totals left on screen (TTY), and a newline. */
void progress_end(struct progress *p);
/* Ends the line (the frame kept) after Ctrl-C: a message can follow. */
void progress_stop(struct progress *p);
/* The same as a db_set_progress callback (ctx: the progress; a total
 * given replaces p's). */
int progress_db(void *ctx, int64_t done, int64_t total);

/* Ctrl-C and SIGTERM ask to stop (a second Ctrl-C kills) until
 * progress_release; progress_stopped says whether one came. */
void progress_catch(void);
void progress_release(void);
int progress_stopped(void);
/* A private file (and its -journal, -wal, -shm) that a signal killing the
 * program removes first, saying nothing of it was kept; NULL: none. */
void progress_temp(const char *path);
/* Human numbers: 12345 -> 12K, 1234567 -> 1.2M. */
void progress_human(char *out, size_t n, double v);

#endif
