/* script.h - a key script (STEPMARK_SCRIPT): keys and :commands read a
 * line at a time, optionally paced (STEPMARK_SCRIPT_PACE) */
#ifndef SM_SCRIPT_H
#define SM_SCRIPT_H

#include <stdio.h>

struct keyscript {
	FILE *f;          /* NULL: no script */
	int keys[4096];   /* the keys of the line read last */
	int nkeys, at;
	char *cmd;        /* a :command line read, not yet taken */
	double pace_ms;   /* > 0: a key at most every pace_ms */
	double next_at;   /* when the next paced key is due */
	double due;       /* when the paced key taken last was due (0: none) */
};

/* Reads from f (owned from now on), a key every pace_ms (0: at once). */
void script_open(struct keyscript *s, FILE *f, double pace_ms);
/* What comes next: SCRIPT_KEY when a key waits (script_take), SCRIPT_CMD
 * with *cmd set (the caller frees it), SCRIPT_END at the end. */
enum { SCRIPT_KEY, SCRIPT_CMD, SCRIPT_END };
int script_next(struct keyscript *s, char **cmd);
int script_take(struct keyscript *s);
/* Milliseconds until a paced key is due at now (<= 0: due). */
double script_due_in(const struct keyscript *s, double now);
/* A paced key was taken at now: the next one is due a pace later. */
void script_paced(struct keyscript *s, double now);
/* Closes the file (the keys read stay readable) or frees everything. */
void script_stop(struct keyscript *s);
void script_free(struct keyscript *s);

#endif
