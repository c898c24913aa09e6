/* pos.c - the position model: moves, pages and scrolls for every view */
#include "config.h"

#include "pos.h"

enum move move_of(enum action a)
{
	switch (a) {
	case A_MOVE_UP: return MOVE_UP;
	case A_MOVE_DOWN: return MOVE_DOWN;
	case A_PAGE_UP: return MOVE_PAGE_UP;
	case A_PAGE_DOWN: return MOVE_PAGE_DOWN;
	case A_MOVE_FIRST: return MOVE_FIRST;
	case A_MOVE_LAST: return MOVE_LAST;
	case A_SCROLL_UP: return MOVE_SCROLL_UP;
	case A_SCROLL_DOWN: return MOVE_SCROLL_DOWN;
	default: return MOVE_NONE;
	}
}

int pos_page(int rows)
{
	return rows > 1 ? rows - 1 : 1;
}

int move_delta(enum move m, int page)
{
	switch (m) {
	case MOVE_UP: case MOVE_SCROLL_UP: return -1;
	case MOVE_DOWN: case MOVE_SCROLL_DOWN: return 1;
	case MOVE_PAGE_UP: return -page;
	case MOVE_PAGE_DOWN: return page;
	default: return 0;
	}
}

static int line_ok(const struct pos *p, int i)
{
	return i >= 0 && i < p->n && (!p->ok || p->ok(p->ctx, i));
}

/* The cursor d lines on (d < 0: up), over the lines it may rest on; it
 * stops at the last it can reach. */
static void cursor_step(struct pos *p, int d)
{
	int dir = d < 0 ? -1 : 1, i = p->cur;
	for (int k = d < 0 ? -d : d; k > 0; k--) {
		int j = i + dir;
		while (j >= 0 && j < p->n && !line_ok(p, j))
			j += dir;
		if (!line_ok(p, j))
			break;
		i = j;
	}
	p->cur = i;
}

static void cursor_move(struct pos *p, enum move m, int count, int page)
{
	if (m == MOVE_FIRST || m == MOVE_LAST) {
		p->cur = m == MOVE_FIRST ? -1 : p->n; /* from outside, one in */
		cursor_step(p, m == MOVE_FIRST ? 1 : -1);
	} else {
		cursor_step(p, move_delta(m, page) * count);
	}
	if (!p->ok && (p->cur < 0 || p->cur >= p->n)) /* every line is ok */
		p->cur = p->cur < 0 || !p->n ? 0 : p->n - 1;
}

static void top_move(struct pos *p, enum move m, int count, int page)
{
	long top = m == MOVE_FIRST ? 0 : m == MOVE_LAST ? p->n :
		   p->top + (long)move_delta(m, page) * count;
	if (top > p->n - 1)
		top = p->n - 1;
	p->top = top < 0 ? 0 : (int)top;
}

void pos_move(struct pos *p, enum move m, int count, int page)
{
	if (m == MOVE_NONE || count < 1)
		return;
	if (p->nocursor || m == MOVE_SCROLL_UP || m == MOVE_SCROLL_DOWN)
		top_move(p, m, count, page);
	else
		cursor_move(p, m, count, page);
}

void pos_show(struct pos *p, int first, int last, int rows)
{
	if (first < p->top)
		p->top = first;
	else if (last >= p->top + rows)
		p->top = last - rows + 1 > first ? first : last - rows + 1;
	if (p->top < 0)
		p->top = 0;
}
