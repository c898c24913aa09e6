/* latex.h - LaTeX in untrusted text, rendered as readable Unicode text for
 * a terminal: \frac{1}{2} -> ½, x^{2} -> x², \sqrt{x+1} -> √(x+1),
 * \overrightarrow{A} -> A⃗, environments as lines, matrices, arrays and
 * cases as aligned blocks of lines (latex_box.h). Unknown commands stay as
 * they are. The renderer only rewrites what it knows; every other byte
 * (controls, invalid UTF-8) is copied, for the screen's inert drawing. */
#ifndef SM_LATEX_H
#define SM_LATEX_H

#include <stddef.h>

#include "util.h"

/* The input bytes an output byte stands for: [a, b). */
struct latex_src {
	size_t a, b;
};

struct latex {
	struct buf out;        /* the rendered text, NUL-terminated */
	struct latex_src *src; /* per output byte */
	size_t srccap;
	int left;              /* commands left as they were */
	int width;             /* the columns a line of two-dimensional math
				* may take, else it is one line (0: any); the
				* caller's, kept from render to render */
};

/* Renders s[0..n) into r (reusing its memory). */
void latex_render(struct latex *r, const char *s, size_t n);
/* The same for text that is math without delimiters (a final answer). */
void latex_render_math(struct latex *r, const char *s, size_t n);
void latex_free(struct latex *r);

/* Marks in mark[0..r->out.len) the output bytes that stand for input
 * bytes in [a, b) (a search match in the raw text). */
void latex_mark(const struct latex *r, size_t a, size_t b, unsigned char *mark);

/* 0 when the command table is in the order bsearch needs (for the tests). */
int latex_table_check(void);

#endif
