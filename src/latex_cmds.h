/* latex_cmds.h - the LaTeX commands the renderer knows, and what each
 * becomes; the characters that have script forms (latex_cmds.c; only
 * latex.c reads it) */
#ifndef SM_LATEX_CMDS_H
#define SM_LATEX_CMDS_H

#include <stddef.h>

enum kind {
	K_SYM, K_FUNC, K_DROP, K_NEWLINE, K_FRAC, K_SQRT, K_TEXT, K_FONT, K_BB,
	K_ACC_EACH, K_ACC_LAST, K_BOXED, K_BINOM, K_PMOD, K_MOD, K_BEGIN, K_END,
	K_SKIP, K_TAG, K_COLOR2, K_NOT, K_OVER, K_CHOOSE
};

struct tex_cmd {
	const char *name;
	unsigned char kind;
	const char *out;
};

/* The command name[0..len), NULL when the table lacks it. */
const struct tex_cmd *latex_cmd_find(const char *name, size_t len);

/* A character as a superscript (sup) or a subscript: its code point, 0
 * when Unicode has none. */
unsigned latex_script_of(int sup, unsigned cp);
/* A character that is itself a script, a root or a combining mark: it
 * keeps a fraction's denominator simple (2¹⁰, x², √3, A⃗). */
int latex_is_trailer(unsigned cp);

#endif
