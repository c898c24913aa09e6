/* draw.h - untrusted text on the screen: inert, wide-character aware */
#ifndef SM_DRAW_H
#define SM_DRAW_H

#include <stddef.h>

/* One display unit of text: a character with its combining marks, or an
 * escape standing for a control character or a byte that is not UTF-8. */
struct glyph {
	size_t len;     /* bytes of text it covers */
	int width;      /* columns */
	int escape;     /* shown as esc[] */
	int newline;    /* a line break */
	char esc[16];
};

/* Reads the glyph at s[0..n). */
void glyph_next(const char *s, size_t n, struct glyph *g);

/* Columns s[0..n) takes on one line. */
int text_width(const char *s, size_t n);

/* The length of the first wrapped line of s[0..n) for width columns,
 * breaking after a space when it can, else after an operator or before a
 * backslash command (never inside one); *skip is how many more bytes the
 * break swallows (the newline). */
size_t wrap_line(const char *s, size_t n, int width, size_t *skip);

/* Draws s[0..n) at (y, x) in at most maxw columns with attribute attr,
 * escapes in the escape colour, matches of re (or NULL) in the match
 * colour. Returns the columns used. */
int draw_text(int y, int x, int maxw, const char *s, size_t n, int attr,
	      void *re);
/* The same, without matches; text wider than maxw loses its middle to
 * an ellipsis, keeping its start and more of its end. */
int draw_text_mid(int y, int x, int maxw, const char *s, size_t n, int attr);
/* The same, the bytes i with mark[i] set in the match colour. */
int draw_text_marked(int y, int x, int maxw, const char *s, size_t n, int attr,
		     const unsigned char *mark);
/* Rendered LaTeX: lx's output [off, off+len), the matches of re found in
 * the raw text it came from marked where they show. */
struct latex;
void draw_latex(int y, int x, int maxw, const struct latex *lx, const char *raw, size_t off,
		size_t len, int attr, void *re);
/* The same, padded with spaces to maxw. */
void draw_line(int y, int x, int maxw, const char *s, int attr);

/* Attributes of a colour area (set up by config.c). */
int area_attr(int area);

#endif
