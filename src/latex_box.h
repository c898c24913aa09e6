/* latex_box.h - two-dimensional math as lines of text, for latex.c: a
 * grid (matrix, array, cases) laid out as an aligned block with its
 * delimiters spanning its rows and its rules drawn; a line of math whose
 * blocks stand beside what comes before and after them, on a shared
 * baseline, as utftex does with its boxes. A piece of rendered text is a
 * struct latex: its bytes and the raw bytes each one stands for. */
#ifndef SM_LATEX_BOX_H
#define SM_LATEX_BOX_H

#include <stddef.h>

#include "latex.h"
#include "util.h"

/* Appends p[0..n) to t, each byte standing for raw [a, b) (inline: the
 * renderer's every byte goes through it). */
static inline void lx_put(struct latex *t, const char *p, size_t n, size_t a, size_t b)
{
	if (t->out.len + n > t->srccap) {
		size_t cap = t->srccap ? t->srccap : 64;
		while (cap < t->out.len + n)
			cap *= 2;
		t->src = xrealloc(t->src, cap * sizeof(*t->src));
		t->srccap = cap;
	}
	for (size_t k = 0; k < n; k++)
		t->src[t->out.len + k] = (struct latex_src){a, b};
	buf_add(&t->out, p, n);
}
/* Appends what t holds, sources kept. */
void lx_cat(struct latex *to, const struct latex *t);
/* Moves from's bytes from `start` on to the end of `to`. */
void lx_take(struct latex *from, size_t start, struct latex *to);
/* The columns s[0..n) takes on a terminal. */
int lx_width(const char *s, size_t n);

/* What brackets a grid, or what \left and \right set. */
enum delim { D_NONE, D_PAREN, D_BRACKET, D_BRACE, D_BAR, D_DBAR };

/* A grid's cells as rendered, row by row. */
#define LGRID_COLS 32 /* a wider grid's further cells join its last column */

struct lgrid {
	struct latex *cell;   /* LGRID_COLS per row */
	size_t *len;          /* the cells of each row */
	unsigned char *rule;  /* nrows + 1: a horizontal rule above row r */
	size_t nrows, cap;
	char align[LGRID_COLS];              /* 'l', 'c' or 'r' per column */
	unsigned char vrule[LGRID_COLS + 1]; /* a rule left of column c (ncols: right) */
	enum delim open, close;
	size_t a, b;          /* the raw text the delimiters stand for */
};

/* A laid out block: h rows each w columns wide, base the row that sits
 * on the line's baseline; flat the same in one line. */
struct lbox {
	struct latex *row;
	int h, w, base;
	struct latex flat;
};

/* The next cell of the grid's last row to fill (of a new row when `row`
 * is set); a rule above the next row (or below the last). */
struct latex *lgrid_cell(struct lgrid *g, int row);
void lgrid_hline(struct lgrid *g);
/* A cell's text as one line: line breaks as spaces, no spaces at its ends. */
void lx_trim(struct latex *t);
void lgrid_free(struct lgrid *g);
/* g laid out as a block (the rows) and a line (flat). */
void lbox_grid(const struct lgrid *g, struct lbox *box);
void lbox_free(struct lbox *box);

/* What stands in a line of math at byte `pos` of the line's text: a
 * block, or the \left (side 0) or \right (side 1) delimiter of `len`
 * bytes there, which spans the rows of the blocks between the pair. */
struct lpiece {
	size_t pos, len;
	struct lbox box; /* h == 0: a delimiter */
	enum delim delim;
	int side;
};

/* Lays out `line` with its pieces into out: as rows of text when the
 * widest row fits `width` (0: any), else as one line with each block's
 * flat form. Returns the rows written (1: one line). */
int lbox_compose(const struct latex *line, const struct lpiece *p, size_t n, int width,
		 struct latex *out);

#endif
