/* pos.h - one position model for every view: a cursor on a line, the
 * first line on screen, the number of lines, and one move function for
 * every move, page and scroll (tig's move_view) */
#ifndef SM_POS_H
#define SM_POS_H

#include "actions.h"

struct pos {
	int cur;      /* the line at the cursor; -1: none yet */
	int top;      /* the first line on screen */
	int n;        /* lines */
	int nocursor; /* a text with no cursor: every move scrolls */
	/* the lines the cursor may rest on (NULL: every one); the cursor
	 * skips the others */
	int (*ok)(const void *ctx, int line);
	const void *ctx;
};

enum move {
	MOVE_NONE, MOVE_UP, MOVE_DOWN, MOVE_PAGE_UP, MOVE_PAGE_DOWN,
	MOVE_FIRST, MOVE_LAST, MOVE_SCROLL_UP, MOVE_SCROLL_DOWN,
};

/* The move an action makes (MOVE_NONE: not a move). */
enum move move_of(enum action a);
/* A page: the rows on screen less one, so that a line stays in sight. */
int pos_page(int rows);
/* The lines a relative move goes (negative: up); 0 for first and last. */
int move_delta(enum move m, int page);
/* Moves count times. A page is page lines (pos_page of the rows on
 * screen, or a view's own). The cursor stays on the lines (on those ok
 * allows, where it stops when there is no other); the scrolls, and with
 * nocursor every move, move top within [0, n - 1]. */
void pos_move(struct pos *p, enum move m, int count, int page);
/* Places top so that lines first..last are on screen in rows (first
 * wins when they do not fit); top is never below 0. */
void pos_show(struct pos *p, int first, int last, int rows);

#endif
