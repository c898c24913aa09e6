/* prompt.h - the prompts the providers send, from editable templates */
#ifndef SM_PROMPT_H
#define SM_PROMPT_H

#include "fconf.h"
#include "item.h"
#include "util.h"

/* The template of provider p: the configured file, else the built-in
 * one. xmalloc'd; NULL with the reason in err. */
char *prompt_template(const struct fconf *c, int p, char *err, size_t errlen);

/* How {marked} marks the steps. */
enum { MARK_QWEN, MARK_SHEPHERD };

/*
 * Fills out from tmpl. Placeholders:
 *   {problem} {reference}
 *   {reference_steps} the reference's steps as <ref_j>\n...\n</ref_j>,
 *             0-based, GSM8K's <<..>> annotations left out
 *   {steps}   every step as <paragraph_i>\n...\n</paragraph_i>, 0-based
 *   {prefix}  steps 0..upto joined by blank lines (a rollout's start)
 *   {marked}  Qwen PRM: every step followed by <extra_0>; Math-Shepherd
 *             PRM: steps 0..upto-1 each followed by " ки\n", then step upto
 *   {{ and }} are literal braces.
 * Returns -1 (with the name in err) on an unknown placeholder.
 */
int prompt_render(const char *tmpl, const struct item *it, int upto, int style,
		  struct buf *out, char *err, size_t errlen);

#endif
