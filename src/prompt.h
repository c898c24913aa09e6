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
 *   {agents}  an agent trace's agents, one "- NAME" line each, in order
 *             of their first turn
 *   {turns}   turns lo..hi, each "[turn i] AGENT (role: ROLE):\n" and
 *             its text (the role when it is not the agent's name)
 *   {truth}   "[Correct answer]\n" and the gold answer, when shown
 *   {lo} {mid} {mid_next} {hi}  the turns' numbers (mid: (lo + hi) / 2)
 *   {agent}   the agent of turn hi
 *   {{ and }} are literal braces.
 * Without a span, turns 0..upto (all when upto < 0), no truth.
 * Returns -1 (with the name in err) on an unknown placeholder.
 */
int prompt_render(const char *tmpl, const struct item *it, int upto, int style,
		  struct buf *out, char *err, size_t errlen);

/* The turns of an agent trace a prompt shows, and whether it shows the
 * gold answer. */
struct prompt_span {
	int lo, hi;
	int truth;
};
int prompt_render_span(const char *tmpl, const struct item *it, const struct prompt_span *sp,
		       struct buf *out, char *err, size_t errlen);

#endif
