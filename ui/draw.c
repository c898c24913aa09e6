/* draw.c - untrusted text on the screen. Nothing from data reaches the
 * terminal as a control: C0/C1 controls, DEL and bytes that are not
 * UTF-8 are drawn as visible escapes (\x1b), and so are code points the
 * terminal has no width for (bidi overrides...). Wide characters take two
 * columns; combining marks stay with their base. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <curses.h>

#include "draw.h"
#include "actions.h"
#include "../db/db.h"
#include "../src/latex.h"
#include "../src/util.h"

/* the length of the valid character at s, -1 when none starts there */
static int utf8_decode(const unsigned char *s, size_t n, unsigned *cp)
{
	size_t len = utf8_char((const char *)s, n, cp);
	return len ? (int)len : -1;
}

static void escape(struct glyph *g, const char *fmt, unsigned v, size_t len)
{
	g->len = len;
	g->escape = 1;
	g->width = snprintf(g->esc, sizeof(g->esc), fmt, v);
}

/* Format characters: bidi controls and marks, zero-width and invisible
 * ones. Never drawn raw, never riding with a base character. */
static int is_format(unsigned cp)
{
	return cp == 0x061c || (cp >= 0x200b && cp <= 0x200f) ||
	       (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x206f) ||
	       cp == 0xfeff || (cp >= 0xfff9 && cp <= 0xfffb) || cp == 0xe0001 ||
	       (cp >= 0xe0020 && cp <= 0xe007f);
}

void glyph_next(const char *s, size_t n, struct glyph *g)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned cp;
	memset(g, 0, sizeof(*g));
	if (u[0] == '\n') {
		g->len = 1;
		g->newline = 1;
		return;
	}
	if (u[0] == '\t') {
		g->len = 1;
		g->width = 1;
		g->escape = 0;
		return;
	}
	int len = utf8_decode(u, n, &cp);
	if (len < 0) {
		escape(g, "\\x%02x", u[0], 1);
		return;
	}
	if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) {
		escape(g, "\\x%02x", cp, (size_t)len);
		return;
	}
	int w = cp < 0x7f ? 1 : wcwidth((wchar_t)cp);
	if (w < 0 || is_format(cp)) {
		escape(g, "\\u%04x", cp, (size_t)len);
		return;
	}
	g->len = (size_t)len;
	g->width = w;
	/* combining marks ride with their base */
	while (g->len < n) {
		int l2 = utf8_decode(u + g->len, n - g->len, &cp);
		if (l2 < 0 || cp < 0x300 || wcwidth((wchar_t)cp) != 0 || is_format(cp))
			break;
		g->len += (size_t)l2;
	}
	if (w == 0) { /* a lone combining mark or a zero-width character */
		utf8_decode(u, n, &cp);
		escape(g, "\\u%04x", cp, g->len);
	}
}

int text_width(const char *s, size_t n)
{
	int w = 0;
	struct glyph g;
	for (size_t i = 0; i < n; i += g.len) {
		glyph_next(s + i, n - i, &g);
		w += g.width;
	}
	return w;
}

size_t wrap_line(const char *s, size_t n, int width, size_t *skip)
{
	size_t i = 0, brk = 0, alt = 0;
	int w = 0;
	struct glyph g;
	*skip = 0;
	if (width < 1)
		width = 1;
	while (i < n) {
		glyph_next(s + i, n - i, &g);
		if (g.newline) {
			*skip = 1;
			return i;
		}
		if (w + g.width > width) {
			if (brk > 0)
				return brk;
			if (alt > 0)
				return alt;
			return i ? i : g.len;
		}
		w += g.width;
		i += g.len;
		if (s[i - 1] == ' ')
			brk = i;
		else if (i < n && s[i] == '\\' && i > 0)
			alt = i; /* before a command, never inside one */
		else if (strchr("+-=,;)", s[i - 1]) && s[i - 1])
			alt = i;
	}
	return i;
}

/* the match colour from re (matched on s itself) or from mark[] */
static int draw_core(int y, int x, int maxw, const char *s, size_t n, int attr, void *re,
		     const unsigned char *mark)
{
	int w = 0;
	size_t mat = (size_t)-1, mlen = 0;
	if (re && !db_regex_match(re, s, n, &mat, &mlen))
		mat = (size_t)-1;
	move(y, x);
	struct glyph g;
	for (size_t i = 0; i < n; i += g.len) {
		glyph_next(s + i, n - i, &g);
		if (g.newline)
			break;
		if (w + g.width > maxw)
			break;
		int a = attr;
		if (mark && mark[i])
			a = area_attr(C_MATCH);
		if (mat != (size_t)-1 && i >= mat && i < mat + mlen)
			a = area_attr(C_MATCH);
		if (mat != (size_t)-1 && i >= mat + mlen && mlen > 0) {
			size_t at, len;
			if (db_regex_match(re, s + i, n - i, &at, &len) && len > 0)
				mat = i + at, mlen = len;
			else
				mat = (size_t)-1;
		}
		if (g.escape) {
			attrset(area_attr(C_ESCAPE));
			addstr(g.esc);
		} else if (s[i] == '\t') {
			attrset(a);
			addch(' ');
		} else {
			attrset(a);
			addnstr(s + i, (int)g.len);
		}
		w += g.width;
	}
	attrset(attr);
	return w;
}

int draw_text(int y, int x, int maxw, const char *s, size_t n, int attr, void *re)
{
	return draw_core(y, x, maxw, s, n, attr, re, NULL);
}

int draw_text_marked(int y, int x, int maxw, const char *s, size_t n, int attr,
		     const unsigned char *mark)
{
	return draw_core(y, x, maxw, s, n, attr, NULL, mark);
}

void draw_latex(int y, int x, int maxw, const struct latex *lx, const char *raw, size_t off,
		size_t len, int attr, void *re)
{
	if (!re) {
		draw_text(y, x, maxw, lx->out.data + off, len, attr, NULL);
		return;
	}
	unsigned char *mark = xcalloc(lx->out.len + 1, 1);
	size_t n = strlen(raw), pos = 0, at, mlen;
	while (pos <= n && db_regex_match(re, raw + pos, n - pos, &at, &mlen)) {
		latex_mark(lx, pos + at, pos + at + mlen, mark);
		pos += at + (mlen ? mlen : 1);
	}
	draw_text_marked(y, x, maxw, lx->out.data + off, len, attr, mark + off);
	free(mark);
}

int draw_text_mid(int y, int x, int maxw, const char *s, size_t n, int attr)
{
	int total = text_width(s, n);
	if (total <= maxw || maxw < 3)
		return draw_text(y, x, maxw, s, n, attr, NULL);
	/* the head takes two fifths of what is left beside the ellipsis,
	 * the tail (where keys and names differ) the rest */
	int hw = (maxw - 1) * 2 / 5, tw = maxw - 1 - hw, w = 0;
	size_t head = 0, tail = 0;
	struct glyph g;
	for (size_t i = 0; i < n; i += g.len) {
		glyph_next(s + i, n - i, &g);
		if (w + g.width <= hw)
			head = i + g.len;
		if (total - w <= tw) {
			tail = i;
			break;
		}
		w += g.width;
	}
	if (!tail)
		tail = n;
	int used = draw_text(y, x, hw, s, head, attr, NULL);
	used += draw_text(y, x + used, 1, "\xe2\x80\xa6", 3, attr, NULL);
	return used + draw_text(y, x + used, tw, s + tail, n - tail, attr, NULL);
}

void draw_line(int y, int x, int maxw, const char *s, int attr)
{
	int w = s ? draw_text(y, x, maxw, s, strlen(s), attr, NULL) : 0;
	attrset(attr);
	for (; w < maxw; w++)
		addch(' ');
}
