/* reference.h - a reference solution in steps */
#ifndef SM_REFERENCE_H
#define SM_REFERENCE_H

#include <stddef.h>

struct span {
	size_t off, len;
};

/*
 * A reference's steps. GSM8K-style text (<<a*b=c>> annotations, a
 * "#### answer" line) has a step per non-empty line, the answer line
 * apart. Prose has a step per sentence; a display formula ($$..$$, \[..\],
 * an environment) ends the step whose words lead into it. Dollars and
 * sentence ends inside inline math do not split.
 */
struct refsteps {
	struct span *s;
	size_t n;
	struct span answer; /* "#### answer": its text; len 0 when none */
	int gsm8k;
};
void ref_split(const char *text, struct refsteps *out);
void refsteps_free(struct refsteps *r);
/* A step's text as a person reads it: GSM8K's <<a*b=c>> annotations left
 * out (the value they compute follows them). xmalloc'd. */
char *ref_step_text(const char *text, const struct span *s);
/* The steps a store keeps for a reference cut by a pattern of the user's
 * ("off:len,off:len..."); when spans is NULL or does not fit the text,
 * the default cut above. */
void ref_split_stored(const char *text, const char *spans, struct refsteps *out);
/* The text cut at every match of a PCRE2 pattern (the separators), the
 * pieces trimmed, empty ones dropped. -1 on a matching error. */
struct pcre2_real_code_8;
int ref_split_re(const char *text, const struct pcre2_real_code_8 *re, struct refsteps *out);
/* The steps as spans text, for the store. */
struct buf;
void ref_spans_encode(const struct refsteps *r, struct buf *out);

/* Character classes of ASCII text, the same whatever the locale. */
static inline int ascii_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
static inline int ascii_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}
static inline int ascii_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static inline int ascii_digit(char c)
{
	return c >= '0' && c <= '9';
}

#endif
