/* latex_box.c - two-dimensional math laid out as lines (see latex_box.h).
 *
 * The model is utftex's box: a block has a width, a height and a baseline
 * row; a grid sizes each column to its widest cell and each block of a
 * line is placed so that baselines meet. Text between blocks is one row
 * high and sits on the baseline; a \left/\right pair around blocks grows
 * to their rows with the bracket pieces of U+239B-U+23AD. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "latex_box.h"
#include "util.h"

/* ---- pieces of text with their sources ---- */
static void lx_puts(struct latex *t, const char *p, size_t a, size_t b)
{
	lx_put(t, p, strlen(p), a, b);
}

static void lx_spaces(struct latex *t, int n)
{
	for (; n > 0; n--)
		lx_put(t, " ", 1, 0, 0); /* padding stands for no raw text */
}

void lx_cat(struct latex *to, const struct latex *t)
{
	for (size_t k = 0; k < t->out.len;) {
		size_t e = k + 1;
		while (e < t->out.len && t->src[e].a == t->src[k].a && t->src[e].b == t->src[k].b)
			e++;
		lx_put(to, t->out.data + k, e - k, t->src[k].a, t->src[k].b);
		k = e;
	}
}

void lx_take(struct latex *from, size_t start, struct latex *to)
{
	if (start >= from->out.len)
		return;
	struct latex t = *from;
	t.out.data = from->out.data + start;
	t.out.len = from->out.len - start;
	t.src = from->src + start;
	lx_cat(to, &t);
	from->out.len = start;
	if (from->out.data)
		from->out.data[start] = '\0';
}

void lx_trim(struct latex *t)
{
	char *s = t->out.data;
	size_t n = t->out.len, a = 0;
	for (size_t k = 0; k < n; k++)
		if (s[k] == '\n' || s[k] == '\t')
			s[k] = ' ';
	while (n && s[n - 1] == ' ')
		n--;
	while (a < n && s[a] == ' ')
		a++;
	if (!a) {
		t->out.len = n;
		if (s)
			s[n] = '\0';
		return;
	}
	memmove(s, s + a, n - a);
	memmove(t->src, t->src + a, (n - a) * sizeof(*t->src));
	t->out.len = n - a;
	if (s)
		s[t->out.len] = '\0';
}

int lx_width(const char *s, size_t n)
{
	int w = 0;
	for (size_t k = 0; k < n;) {
		unsigned cp;
		size_t l = utf8_char(s + k, n - k, &cp);
		if (!l) {
			l = 1;
			cp = '?';
		}
		k += l;
		if ((cp >= 0x300 && cp < 0x370) || (cp >= 0x20d0 && cp < 0x2100) ||
		    (cp >= 0x200b && cp <= 0x200f) || (cp >= 0xfe00 && cp <= 0xfe0f))
			continue; /* combining and zero-width */
		w += (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) ||
			     (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
			     (cp >= 0xff00 && cp <= 0xff60) || (cp >= 0x1f300 && cp <= 0x1faff) ||
			     cp >= 0x20000 ?
			     2 : 1;
	}
	return w;
}

/* ---- delimiters ---- */
/* The piece of a delimiter on row i of h (side 0 left, 1 right). */
static const char *delim_piece(enum delim d, int side, int i, int h)
{
	static const char *const one[][2] = {
		[D_PAREN] = {"(", ")"}, [D_BRACKET] = {"[", "]"}, [D_BRACE] = {"{", "}"},
		[D_BAR] = {"|", "|"}, [D_DBAR] = {"\xe2\x80\x96", "\xe2\x80\x96"}};
	/* top, middle, bottom, and a brace's centre */
	static const char *const tall[][2][4] = {
		[D_PAREN] = {{"\xe2\x8e\x9b", "\xe2\x8e\x9c", "\xe2\x8e\x9d", NULL},
			     {"\xe2\x8e\x9e", "\xe2\x8e\x9f", "\xe2\x8e\xa0", NULL}},
		[D_BRACKET] = {{"\xe2\x8e\xa1", "\xe2\x8e\xa2", "\xe2\x8e\xa3", NULL},
			       {"\xe2\x8e\xa4", "\xe2\x8e\xa5", "\xe2\x8e\xa6", NULL}},
		[D_BRACE] = {{"\xe2\x8e\xa7", "\xe2\x8e\xaa", "\xe2\x8e\xa9", "\xe2\x8e\xa8"},
			     {"\xe2\x8e\xab", "\xe2\x8e\xaa", "\xe2\x8e\xad", "\xe2\x8e\xac"}},
		[D_BAR] = {{"\xe2\x94\x82", "\xe2\x94\x82", "\xe2\x94\x82", NULL},
			   {"\xe2\x94\x82", "\xe2\x94\x82", "\xe2\x94\x82", NULL}},
		[D_DBAR] = {{"\xe2\x80\x96", "\xe2\x80\x96", "\xe2\x80\x96", NULL},
			    {"\xe2\x80\x96", "\xe2\x80\x96", "\xe2\x80\x96", NULL}}};
	if (d == D_NONE)
		return "";
	if (h <= 1)
		return one[d][side];
	const char *const *t = tall[d][side];
	if (i == 0)
		return t[0];
	if (i == h - 1)
		return t[2];
	if (t[3] && h > 2 && i == (h - 1) / 2)
		return t[3];
	return t[1];
}

/* ---- grids ---- */
struct latex *lgrid_cell(struct lgrid *g, int row)
{
	if (row || !g->nrows) {
		if (g->nrows + 2 > g->cap) {
			size_t cap = g->cap ? 2 * g->cap : 8;
			g->cell = xrealloc(g->cell, cap * LGRID_COLS * sizeof(*g->cell));
			g->len = xrealloc(g->len, cap * sizeof(*g->len));
			g->rule = xrealloc(g->rule, (cap + 1) * sizeof(*g->rule));
			memset(g->rule + g->cap + (g->cap > 0), 0, cap + 1 - g->cap - (g->cap > 0));
			g->cap = cap;
		}
		memset(g->cell + g->nrows * LGRID_COLS, 0, LGRID_COLS * sizeof(*g->cell));
		g->len[g->nrows++] = 0;
	}
	size_t *len = &g->len[g->nrows - 1];
	struct latex *c = &g->cell[(g->nrows - 1) * LGRID_COLS];
	if (*len == LGRID_COLS) { /* the last column takes the rest */
		lx_put(&c[LGRID_COLS - 1], ", ", 2, 0, 0);
		return &c[LGRID_COLS - 1];
	}
	return &c[(*len)++];
}

void lgrid_hline(struct lgrid *g)
{
	if (!g->cap) {
		lgrid_cell(g, 1);
		g->nrows = 0;
	}
	g->rule[g->nrows] = 1;
}

void lgrid_free(struct lgrid *g)
{
	for (size_t r = 0; r < g->nrows; r++)
		for (size_t c = 0; c < LGRID_COLS; c++)
			latex_free(&g->cell[r * LGRID_COLS + c]);
	free(g->cell);
	free(g->len);
	free(g->rule);
	memset(g, 0, sizeof(*g));
}

void lbox_free(struct lbox *box)
{
	for (int i = 0; i < box->h; i++)
		latex_free(&box->row[i]);
	free(box->row);
	latex_free(&box->flat);
	memset(box, 0, sizeof(*box));
}

static struct latex *new_row(struct lbox *box)
{
	box->row = xrealloc(box->row, (size_t)(box->h + 1) * sizeof(*box->row));
	memset(&box->row[box->h], 0, sizeof(*box->row));
	return &box->row[box->h++];
}

/* A rule across the columns: ┌─┬─┐ at the top, ├─┼─┤ inside, └─┴─┘ below. */
static void rule_row(const struct lgrid *g, const int *w, size_t ncols, int where,
		     struct latex *t)
{
	static const char *const cross[3][3] = {
		{"\xe2\x94\x8c", "\xe2\x94\xac", "\xe2\x94\x90"},
		{"\xe2\x94\x9c", "\xe2\x94\xbc", "\xe2\x94\xa4"},
		{"\xe2\x94\x94", "\xe2\x94\xb4", "\xe2\x94\x98"}};
	const char *dash = "\xe2\x94\x80";
	for (size_t c = 0; c <= ncols; c++) {
		int edge = c == 0 ? 0 : c == ncols ? 2 : 1;
		if (g->vrule[c]) {
			if (c)
				lx_puts(t, dash, g->a, g->b);
			lx_puts(t, cross[where][edge], g->a, g->b);
			if (c < ncols)
				lx_puts(t, dash, g->a, g->b);
		} else if (c && c < ncols) {
			lx_puts(t, dash, g->a, g->b);
			lx_puts(t, dash, g->a, g->b);
		}
		for (int k = 0; c < ncols && k < w[c]; k++)
			lx_puts(t, dash, g->a, g->b);
	}
}

static void cell_row(const struct lgrid *g, const int *w, size_t ncols, size_t r,
		     struct latex *t)
{
	const char *bar = "\xe2\x94\x82";
	for (size_t c = 0; c <= ncols; c++) {
		if (g->vrule[c]) {
			if (c)
				lx_spaces(t, 1);
			lx_puts(t, bar, g->a, g->b);
			if (c < ncols)
				lx_spaces(t, 1);
		} else if (c && c < ncols) {
			lx_spaces(t, 2);
		}
		if (c == ncols)
			break;
		const struct latex *x = &g->cell[r * LGRID_COLS + c];
		int cw = c < g->len[r] ? lx_width(x->out.data, x->out.len) : 0;
		int pad = w[c] - cw, before = g->align[c] == 'r' ? pad : g->align[c] == 'c' ? pad / 2 : 0;
		lx_spaces(t, before);
		if (c < g->len[r])
			lx_cat(t, x);
		lx_spaces(t, pad - before);
	}
}

static void flat_form(const struct lgrid *g, struct latex *f)
{
	lx_puts(f, delim_piece(g->open, 0, 0, 1), g->a, g->b);
	if (g->open == D_BRACE && g->close == D_NONE)
		lx_spaces(f, 1);
	for (size_t r = 0; r < g->nrows; r++) {
		if (r)
			lx_put(f, "; ", 2, 0, 0);
		for (size_t c = 0; c < g->len[r]; c++) {
			if (c)
				lx_put(f, ", ", 2, 0, 0);
			lx_cat(f, &g->cell[r * LGRID_COLS + c]);
		}
	}
	lx_puts(f, delim_piece(g->close, 1, 0, 1), g->a, g->b);
}

void lbox_grid(const struct lgrid *g, struct lbox *box)
{
	memset(box, 0, sizeof(*box));
	size_t ncols = 0;
	int w[LGRID_COLS] = {0};
	for (size_t r = 0; r < g->nrows; r++) {
		if (g->len[r] > ncols)
			ncols = g->len[r];
		for (size_t c = 0; c < g->len[r]; c++) {
			const struct latex *x = &g->cell[r * LGRID_COLS + c];
			int cw = lx_width(x->out.data, x->out.len);
			w[c] = cw > w[c] ? cw : w[c];
		}
	}
	struct lgrid gg = *g; /* a rule right of the last column is at ncols */
	for (size_t c = ncols + 1; c <= LGRID_COLS; c++)
		gg.vrule[ncols] |= g->vrule[c];
	for (size_t r = 0; r <= g->nrows; r++) {
		if (g->rule && g->rule[r]) {
			int where = box->h == 0 ? 0 : r == g->nrows ? 2 : 1;
			rule_row(&gg, w, ncols, where, new_row(box));
		}
		if (r < g->nrows)
			cell_row(&gg, w, ncols, r, new_row(box));
	}
	if (!box->h)
		new_row(box);
	box->base = (box->h - 1) / 2;
	/* the delimiters, spanning the rows; a brace of cases keeps a space */
	for (int i = 0; i < box->h; i++) {
		struct latex row = {0};
		lx_puts(&row, delim_piece(g->open, 0, i, box->h), g->a, g->b);
		if (g->open == D_BRACE && g->close == D_NONE)
			lx_spaces(&row, 1);
		lx_cat(&row, &box->row[i]);
		lx_puts(&row, delim_piece(g->close, 1, i, box->h), g->a, g->b);
		latex_free(&box->row[i]);
		box->row[i] = row;
		int rw = lx_width(row.out.data, row.out.len);
		box->w = rw > box->w ? rw : box->w;
	}
	flat_form(g, &box->flat);
}

/* ---- a line of math with its blocks ---- */
/* The rows above and below the baseline of the blocks in p[a, b). */
static void extent(const struct lpiece *p, size_t a, size_t b, int *up, int *down)
{
	*up = *down = 0;
	for (size_t k = a; k < b; k++) {
		if (!p[k].box.h)
			continue;
		if (p[k].box.base > *up)
			*up = p[k].box.base;
		if (p[k].box.h - 1 - p[k].box.base > *down)
			*down = p[k].box.h - 1 - p[k].box.base;
	}
}

/* Each \left's height: its rows above and below the baseline when it
 * stands around a block (h[k] > 0), for it and its \right. */
static void delim_heights(const struct lpiece *p, size_t n, int *up, int *down, int *tall)
{
	for (size_t k = 0; k < n; k++) {
		if (tall[k] || p[k].box.h || p[k].side || p[k].delim == D_NONE)
			continue;
		int level = 0;
		for (size_t e = k + 1; e < n; e++) {
			if (p[e].box.h)
				continue;
			if (!p[e].side) {
				level++;
			} else if (level-- == 0) {
				extent(p, k + 1, e, &up[k], &down[k]);
				if (up[k] + down[k] > 0) {
					tall[k] = tall[e] = 1;
					up[e] = up[k];
					down[e] = down[k];
				}
				break;
			}
		}
	}
}

static void put_range(struct latex *out, const struct latex *line, size_t a, size_t b)
{
	if (b <= a)
		return;
	struct latex t = *line;
	t.out.data = line->out.data + a;
	t.out.len = b - a;
	t.src = line->src + a;
	lx_cat(out, &t);
}

int lbox_compose(const struct latex *line, const struct lpiece *p, size_t n, int width,
		 struct latex *out)
{
	const char *text = line->out.data ? line->out.data : ""; /* an empty line has none */
	int *up = xcalloc(n + 1, sizeof(int)), *down = xcalloc(n + 1, sizeof(int));
	int *tall = xcalloc(n + 1, sizeof(int));
	delim_heights(p, n, up, down, tall);
	int top, bottom, total = 0;
	extent(p, 0, n, &top, &bottom);
	size_t at = 0;
	for (size_t k = 0; k < n; k++) {
		size_t pos = p[k].pos < line->out.len ? p[k].pos : line->out.len;
		total += lx_width(text + at, pos - at);
		total += p[k].box.h ? p[k].box.w : tall[k] ? 1 : 0;
		at = tall[k] ? pos + p[k].len : pos;
	}
	total += lx_width(text + at, line->out.len - at);
	/* too wide for the screen: a block in its one-line form, rather than
	 * rows that the view would wrap out of line */
	int rows = width > 0 && total > width ? 1 : top + 1 + bottom;
	for (int y = 0; y < rows; y++) {
		size_t start = out->out.len;
		at = 0;
		for (size_t k = 0; k <= n; k++) {
			size_t pos = k == n ? line->out.len :
				     p[k].pos < line->out.len ? p[k].pos : line->out.len;
			if (y == top || rows == 1)
				put_range(out, line, at, pos);
			else
				lx_spaces(out, lx_width(text + at, pos - at));
			if (k == n)
				break;
			at = pos;
			const struct lbox *b = &p[k].box;
			if (rows == 1 && b->h) {
				lx_cat(out, &b->flat);
			} else if (b->h) {
				int r = y - (top - b->base);
				if (r >= 0 && r < b->h)
					lx_cat(out, &b->row[r]);
				else
					lx_spaces(out, b->w);
			} else if (tall[k] && rows > 1) {
				int r = y - (top - up[k]), h = up[k] + 1 + down[k];
				const char *g = r >= 0 && r < h ? delim_piece(p[k].delim, p[k].side, r, h) : " ";
				lx_puts(out, g, line->src[pos].a, line->src[pos].b);
				at = pos + p[k].len;
			}
		}
		while (out->out.len > start && out->out.data[out->out.len - 1] == ' ')
			out->out.data[--out->out.len] = '\0';
		if (y + 1 < rows)
			lx_put(out, "\n", 1, 0, 0);
	}
	free(up);
	free(down);
	free(tall);
	return rows;
}
