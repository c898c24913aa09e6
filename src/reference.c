/* reference.c - a reference solution in steps: a line each for
 * GSM8K-style text, a sentence each for prose, display math closing the
 * step that leads into it */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "reference.h"
#include "util.h"

static void push(struct refsteps *r, size_t *cap, const char *t, size_t a, size_t b)
{
	while (a < b && ascii_space(t[a]))
		a++;
	while (b > a && ascii_space(t[b - 1]))
		b--;
	if (a == b)
		return;
	if (r->n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		r->s = xrealloc(r->s, *cap * sizeof(*r->s));
	}
	r->s[r->n].off = a;
	r->s[r->n++].len = b - a;
}

static int looks_gsm8k(const char *t)
{
	const char *a = strstr(t, "<<");
	return (a && strstr(a, ">>")) || !strncmp(t, "#### ", 5) || strstr(t, "\n#### ");
}

static void split_lines(const char *t, size_t n, struct refsteps *r, size_t *cap)
{
	for (size_t a = 0; a < n;) {
		const char *nl = memchr(t + a, '\n', n - a);
		size_t b = nl ? (size_t)(nl - t) : n;
		size_t s = a;
		while (s < b && ascii_space(t[s]))
			s++;
		if (b - s >= 4 && !strncmp(t + s, "####", 4)) {
			size_t v = s + 4;
			while (v < b && ascii_space(t[v]))
				v++;
			size_t e = b;
			while (e > v && ascii_space(t[e - 1]))
				e--;
			r->answer.off = v;
			r->answer.len = e - v;
		} else {
			push(r, cap, t, a, b);
		}
		a = b + 1;
	}
}

/* The end of the display formula starting at i, 0 when none starts. */
static size_t display_end(const char *t, size_t n, size_t i)
{
	const char *close = NULL;
	size_t open = 0;
	if (i + 1 < n && t[i] == '$' && t[i + 1] == '$') {
		close = "$$";
		open = 2;
	} else if (i + 1 < n && t[i] == '\\' && t[i + 1] == '[') {
		close = "\\]";
		open = 2;
	} else if (n - i > 7 && !strncmp(t + i, "\\begin{", 7)) {
		const char *rb = memchr(t + i + 7, '}', n - i - 7);
		if (!rb || rb - (t + i) > 40)
			return 0;
		size_t name = (size_t)(rb - (t + i + 7));
		char end[64];
		snprintf(end, sizeof(end), "\\end{%.*s}", (int)name, t + i + 7);
		const char *e = strstr(rb, end);
		return e && (size_t)(e - t) < n ? (size_t)(e - t) + strlen(end) : n;
	} else {
		return 0;
	}
	for (size_t k = i + open; k + 1 < n; k++) {
		if (t[k] == '\\' && t[k + 1] != close[1] && close[0] == '\\') {
			k++;
			continue;
		}
		if (t[k] == close[0] && t[k + 1] == close[1])
			return k + 2;
	}
	return n;
}

/* The end of the inline formula starting at i, 0 when none starts. */
static size_t inline_end(const char *t, size_t n, size_t i)
{
	if (t[i] == '$') {
		for (size_t k = i + 1; k < n; k++) {
			if (t[k] == '\\') {
				k++;
				continue;
			}
			if (t[k] == '$')
				return k + 1;
			if (t[k] == '\n' && k + 1 < n && t[k + 1] == '\n')
				return 0; /* a lone dollar: prose */
		}
		return 0;
	}
	if (i + 1 < n && t[i] == '\\' && t[i + 1] == '(') {
		const char *e = strstr(t + i + 2, "\\)");
		return e && (size_t)(e - t) < n ? (size_t)(e - t) + 2 : n;
	}
	return 0;
}

/* A sentence that ends at i (t[i] is . ! or ?) with the next one starting
 * after the spaces: a capital, a formula or a number. */
static int sentence_ends(const char *t, size_t n, size_t i)
{
	size_t k = i + 1;
	if (k >= n || !ascii_space(t[k]))
		return 0;
	while (k < n && ascii_space(t[k]))
		k++;
	if (k >= n)
		return 0;
	if (!ascii_upper(t[k]) && t[k] != '$' && t[k] != '\\' && !ascii_digit(t[k]))
		return 0;
	if (t[i] != '.')
		return 1;
	/* not after an abbreviation */
	size_t w = i;
	while (w > 0 && (ascii_alpha(t[w - 1]) || t[w - 1] == '.'))
		w--;
	static const char *const abbrev[] = {"e.g", "i.e", "etc", "vs", "Mr", "Mrs", "Ms", "Dr",
					     "St", "No", "approx", "cf", "Fig", "Eq"};
	for (size_t a = 0; a < sizeof(abbrev) / sizeof(abbrev[0]); a++)
		if (strlen(abbrev[a]) == i - w && !strncmp(t + w, abbrev[a], i - w))
			return 0;
	return 1;
}

static void split_prose(const char *t, size_t n, struct refsteps *r, size_t *cap)
{
	size_t start = 0;
	for (size_t i = 0; i < n;) {
		size_t e;
		if (t[i] == '\\' && i + 1 < n && t[i + 1] == '$') {
			i += 2; /* a dollar sign, not math */
		} else if ((e = display_end(t, n, i))) {
			push(r, cap, t, start, e);
			start = i = e;
		} else if ((e = inline_end(t, n, i))) {
			/* "... $a < b.$  Then": the sentence ended inside */
			char last = e >= 2 ? t[e - 2] : 0;
			i = e;
			if ((last == '.' || last == '?' || last == '!') && e < n && ascii_space(t[e]) &&
			    sentence_ends(t, n, e - 1)) {
				push(r, cap, t, start, e);
				start = e;
			}
		} else if (t[i] == '\n' && i + 1 < n) {
			size_t k = i + 1;
			while (k < n && (t[k] == ' ' || t[k] == '\t' || t[k] == '\r'))
				k++;
			if (k < n && t[k] == '\n') { /* a blank line */
				push(r, cap, t, start, i);
				start = k;
			}
			i = k;
		} else if ((t[i] == '.' || t[i] == '!' || t[i] == '?') && sentence_ends(t, n, i)) {
			push(r, cap, t, start, i + 1);
			start = ++i;
		} else {
			i++;
		}
	}
	push(r, cap, t, start, n);
}

void ref_split(const char *text, struct refsteps *out)
{
	memset(out, 0, sizeof(*out));
	if (!text)
		return;
	size_t cap = 0, n = strlen(text);
	out->gsm8k = looks_gsm8k(text);
	if (out->gsm8k)
		split_lines(text, n, out, &cap);
	else
		split_prose(text, n, out, &cap);
}

char *ref_step_text(const char *text, const struct span *s)
{
	const char *t = text + s->off;
	size_t n = s->len, o = 0;
	char *out = xmalloc(n + 1);
	for (size_t i = 0; i < n;) {
		if (t[i] == '<' && i + 1 < n && t[i + 1] == '<') {
			size_t e = i + 2;
			while (e + 1 < n && !(t[e] == '>' && t[e + 1] == '>'))
				e++;
			if (e + 1 < n) {
				i = e + 2;
				continue;
			}
		}
		out[o++] = t[i++];
	}
	out[o] = '\0';
	return out;
}

void ref_split_stored(const char *text, const char *spans, struct refsteps *out)
{
	if (!spans || !*spans || !text) {
		ref_split(text, out);
		return;
	}
	memset(out, 0, sizeof(*out));
	size_t cap = 0, n = strlen(text), end = 0;
	for (const char *p = spans; *p;) {
		char *e;
		unsigned long long off = strtoull(p, &e, 10), len;
		if (*e != ':')
			goto bad;
		len = strtoull(e + 1, &e, 10);
		if ((*e != ',' && *e) || off < end || len == 0 || off + len > n)
			goto bad;
		push(out, &cap, text, (size_t)off, (size_t)(off + len));
		end = (size_t)(off + len);
		p = *e ? e + 1 : e;
	}
	return;
bad: /* a store edited by hand: the default cut rather than nonsense */
	refsteps_free(out);
	ref_split(text, out);
}

int ref_split_re(const char *text, const struct pcre2_real_code_8 *re, struct refsteps *out)
{
	memset(out, 0, sizeof(*out));
	pcre2_match_data *md = pcre2_match_data_create_from_pattern((const pcre2_code *)re, NULL);
	size_t len = strlen(text), start = 0, cap = 0;
	PCRE2_SIZE off = 0;
	int ret = 0;
	for (;;) {
		int rc = pcre2_match((const pcre2_code *)re, (PCRE2_SPTR)text, len, off, 0, md, NULL);
		size_t end = len, next = len;
		if (rc >= 0) {
			PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
			end = ov[0];
			next = ov[1] > ov[0] ? ov[1] : ov[1] + 1; /* an empty match moves on */
		} else if (rc != PCRE2_ERROR_NOMATCH) {
			ret = -1;
			break;
		}
		if (end > start)
			push(out, &cap, text, start, end);
		if (rc < 0 || next > len)
			break;
		start = off = next;
	}
	pcre2_match_data_free(md);
	return ret;
}

void ref_spans_encode(const struct refsteps *r, struct buf *out)
{
	buf_reset(out);
	buf_puts(out, "");
	for (size_t i = 0; i < r->n; i++)
		buf_printf(out, "%s%zu:%zu", i ? "," : "", r->s[i].off, r->s[i].len);
}

void refsteps_free(struct refsteps *r)
{
	free(r->s);
	memset(r, 0, sizeof(*r));
}

