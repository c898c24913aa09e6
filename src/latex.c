/* latex.c - LaTeX as readable Unicode text (see latex.h).
 *
 * A recursive reader over the raw bytes. Prose is copied except for
 * backslash commands and math delimiters ($…$, $$…$$, \(…\), \[…\]); in
 * math, ^ and _ become super- and subscripts, groups lose their braces and
 * ~ is a space. Display math and environments take lines of their own.
 * Every output byte records the input bytes it stands for, so a search
 * that matches the raw text can be shown in the rendered one.
 *
 * Dollars follow pandoc's rule, so prices stay prices: a $ opens math only
 * when a non-space follows it and a closing $ comes with a non-space
 * before it and no digit after it ("$5 and $10" is text). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "latex.h"
#include "latex_box.h"
#include "latex_cmds.h"

/* ---- UTF-8 ---- */
/* The length of the character at s (1 for a byte that starts none) and
 * its code point in *cp (the byte itself when invalid). */
static size_t u8_next(const char *s, size_t n, unsigned *cp)
{
	size_t len = utf8_char(s, n, cp);
	if (len)
		return len;
	*cp = (unsigned char)s[0];
	return 1;
}

static size_t u8_put(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* ---- the output ---- */
struct tex_reader {
	const char *s;
	size_t n, i;
	struct latex *r;
	int depth;
	const char *amp; /* what & becomes in the environment being read */
	size_t floor;    /* a line break trims no space below this (an
			  * argument's text being taken starts here) */
	/* the line of math being laid out: where it starts in the output
	 * (NO_LINE outside math), the floor it began at (deeper, in an
	 * argument or a cell, a grid is one line), its blocks and \left,
	 * \right delimiters */
	size_t line;
	int arg, harg; /* arguments and cells being read, and at the line's start */
	struct lpiece *pc;
	size_t npc, cappc, nblk;
};

#define NO_LINE ((size_t)-1)

#define MAX_DEPTH 48

static void emit(struct tex_reader *d, const char *p, size_t len, size_t a, size_t b)
{
	lx_put(d->r, p, len, a, b);
}

static void emits(struct tex_reader *d, const char *p, size_t a, size_t b)
{
	emit(d, p, strlen(p), a, b);
}

static void trim_spaces(struct tex_reader *d)
{
	struct buf *o = &d->r->out;
	while (o->len > d->floor && o->data[o->len - 1] == ' ')
		o->data[--o->len] = '\0';
}

static void newline(struct tex_reader *d, size_t at);

/* whether a grid here is laid out as a block of the line */
static int in_line(const struct tex_reader *d)
{
	return d->line != NO_LINE && d->arg == d->harg;
}

static void add_piece(struct tex_reader *d, const struct lpiece *p)
{
	if (d->npc == d->cappc) {
		d->cappc = d->cappc ? 2 * d->cappc : 8;
		d->pc = xrealloc(d->pc, d->cappc * sizeof(*d->pc));
	}
	d->pc[d->npc++] = *p;
	d->nblk += p->box.h > 0;
}

static void drop_pieces(struct tex_reader *d)
{
	for (size_t k = 0; k < d->npc; k++)
		lbox_free(&d->pc[k].box);
	d->npc = d->nblk = 0;
}

/* The line of math with its blocks laid out as rows, on lines of their
 * own (a line break before them when text precedes). Returns the rows. */
static int flush_line(struct tex_reader *d, size_t at)
{
	if (!d->nblk || !in_line(d)) {
		if (in_line(d))
			drop_pieces(d);
		return 0;
	}
	struct latex ln = {0}, rows = {0};
	lx_take(d->r, d->line, &ln);
	for (size_t k = 0; k < d->npc; k++)
		d->pc[k].pos = d->pc[k].pos > d->line ? d->pc[k].pos - d->line : 0;
	int n = lbox_compose(&ln, d->pc, d->npc, d->r->width, &rows);
	drop_pieces(d);
	if (n > 1)
		newline(d, at);
	lx_cat(d->r, &rows);
	latex_free(&ln);
	latex_free(&rows);
	return n;
}

/* a line break, the spaces before it dropped */
static void newline(struct tex_reader *d, size_t at)
{
	struct buf *o = &d->r->out;
	if (d->npc && in_line(d))
		flush_line(d, at);
	trim_spaces(d);
	if (o->len && o->data[o->len - 1] != '\n')
		emit(d, "\n", 1, at, at);
	if (in_line(d))
		d->line = o->len;
}

/* What was rendered since `start`, taken off the output: text and sources
 * (the caller frees both). */
struct tail {
	char *s;
	struct latex_src *src;
	size_t n;
};

static void take_tail(struct tex_reader *d, size_t start, struct tail *t)
{
	struct latex *r = d->r;
	if (start > r->out.len) /* cannot be: a line break trims to d->floor */
		start = r->out.len;
	t->n = r->out.len - start;
	t->s = xmalloc(t->n + 1);
	t->src = xmalloc((t->n + 1) * sizeof(*t->src));
	if (t->n) {
		memcpy(t->s, r->out.data + start, t->n);
		memcpy(t->src, r->src + start, t->n * sizeof(*t->src));
	}
	t->s[t->n] = '\0';
	r->out.len = start;
	r->out.data[start] = '\0';
}

static void put_tail(struct tex_reader *d, const struct tail *t)
{
	for (size_t k = 0; k < t->n;) {
		size_t e = k + 1;
		while (e < t->n && t->src[e].a == t->src[k].a && t->src[e].b == t->src[k].b)
			e++;
		emit(d, t->s + k, e - k, t->src[k].a, t->src[k].b);
		k = e;
	}
}

static void tail_free(struct tail *t)
{
	free(t->s);
	free(t->src);
}

/* ---- reading ---- */
static int is_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static void skip_spaces(struct tex_reader *d, size_t end)
{
	while (d->i < end && (d->s[d->i] == ' ' || d->s[d->i] == '\t' || d->s[d->i] == '\n'))
		d->i++;
}

static int is_alnum(char c)
{
	return is_letter(c) || (c >= '0' && c <= '9');
}

/* the last character of the output (0 when empty) */
static unsigned last_cp(const struct tex_reader *d)
{
	const struct buf *o = &d->r->out;
	if (!o->len)
		return 0;
	if ((unsigned char)o->data[o->len - 1] < 0x80)
		return (unsigned char)o->data[o->len - 1];
	size_t k = o->len - 1;
	while (k > 0 && (o->data[k] & 0xc0) == 0x80 && o->len - k < 4)
		k--;
	unsigned cp;
	u8_next(o->data + k, o->len - k, &cp);
	return cp;
}

/* the last character, a block's ")" when one was just laid */
static unsigned prev_cp(const struct tex_reader *d)
{
	if (d->npc && d->pc[d->npc - 1].box.h && d->pc[d->npc - 1].pos == d->r->out.len)
		return ')';
	return d->r->out.len > d->floor ? last_cp(d) : 0;
}

/* what a juxtaposed factor ends with: a letter, digit, Greek letter,
 * script, mark or closing bracket (x, 2, θ, ₐ, x², A⃗, ")") */
static int ends_factor(unsigned cp)
{
	return (cp < 0x80 && (is_alnum((char)cp) || cp == ')' || cp == ']')) ||
	       (cp >= 0x391 && cp <= 0x3c9) || latex_is_trailer(cp);
}

static int starts_factor(const struct tex_reader *d, size_t k, size_t end);

/* The index of the } closing the { at `open`, or end. */
static size_t group_end(const struct tex_reader *d, size_t open, size_t end)
{
	int level = 0;
	for (size_t k = open; k < end; k++) {
		char c = d->s[k];
		if (c == '\\') {
			k++;
			continue;
		}
		if (c == '{')
			level++;
		else if (c == '}' && --level == 0)
			return k;
	}
	return end;
}

static void render(struct tex_reader *d, int math, size_t end);

/* A group's content [i+1, close) rendered; i moves past the }. */
static void group(struct tex_reader *d, int math, size_t end)
{
	size_t close = group_end(d, d->i, end);
	d->i++;
	render(d, math, close);
	d->i = close < end ? close + 1 : end;
}

/* One argument: a group, a command, or one character. */
static void argument(struct tex_reader *d, int math, size_t end)
{
	skip_spaces(d, end);
	if (d->i >= end)
		return;
	if (d->s[d->i] == '{') {
		group(d, math, end);
		return;
	}
	size_t from = d->i, stop;
	if (d->s[d->i] == '\\') {
		stop = d->i + 1;
		if (stop < end && is_letter(d->s[stop]))
			while (stop < end && is_letter(d->s[stop]))
				stop++;
		else if (stop < end)
			stop++;
	} else {
		unsigned cp;
		stop = d->i + u8_next(d->s + d->i, end - d->i, &cp);
	}
	render(d, math, stop);
	d->i = stop > d->i ? stop : d->i;
	(void)from;
}

/* An argument's raw text (for names: environments, colours). */
static size_t raw_argument(struct tex_reader *d, size_t end, const char **p)
{
	skip_spaces(d, end);
	*p = d->s + d->i;
	if (d->i >= end || d->s[d->i] != '{')
		return 0;
	size_t close = group_end(d, d->i, end);
	*p = d->s + d->i + 1;
	size_t len = close - d->i - 1;
	d->i = close < end ? close + 1 : end;
	return len;
}

static void script(struct tex_reader *d, int sup, size_t at, size_t end)
{
	size_t start = d->r->out.len;
	size_t floor = d->floor;
	d->floor = start;
	d->arg++;
	argument(d, 1, end);
	struct tail t;
	take_tail(d, start, &t);
	d->floor = floor;
	d->arg--;
	if (!t.n) {
		tail_free(&t);
		return;
	}
	if (sup && (!strcmp(t.s, "\xe2\x88\x98") || !strcmp(t.s, "\xe2\x97\xa6"))) {
		emit(d, "\xc2\xb0", 2, at, d->i); /* ^\circ: degrees */
		tail_free(&t);
		return;
	}
	/* every character has a glyph: use them */
	char conv[16];
	int all = 1;
	for (size_t k = 0; k < t.n && all;) {
		unsigned cp;
		size_t l = u8_next(t.s + k, t.n - k, &cp);
		all = cp == ' ' || (sup && cp == 0x2032) || latex_script_of(sup, cp);
		k += l;
	}
	if (all) {
		for (size_t k = 0; k < t.n;) {
			unsigned cp;
			size_t l = u8_next(t.s + k, t.n - k, &cp);
			if (cp != ' ') {
				unsigned to = cp == 0x2032 ? cp : latex_script_of(sup, cp);
				emit(d, conv, u8_put(conv, to), t.src[k].a, t.src[k].b);
			}
			k += l;
		}
		tail_free(&t);
		return;
	}
	unsigned cp;
	size_t l = u8_next(t.s, t.n, &cp);
	int single = l == t.n;
	emit(d, sup ? "^" : "_", 1, at, at + 1);
	if (!single)
		emit(d, "(", 1, at, at + 1);
	put_tail(d, &t);
	if (!single)
		emit(d, ")", 1, at, at + 1);
	tail_free(&t);
}

static int has_operator(const char *s, size_t n)
{
	for (size_t k = 0; k < n;) {
		unsigned cp;
		size_t l = u8_next(s + k, n - k, &cp);
		if (strchr(" +-*/=<>,;:!|&", (int)cp) && cp)
			return 1;
		int symbol = (cp >= 0x221a && cp <= 0x221e) || cp == 0x2202 || cp == 0x2205 ||
			     cp == 0x2207; /* roots, ∞, ∂, ∅, ∇: not operators */
		if (cp == 0xb7 || cp == 0xd7 || cp == 0xf7 || cp == 0xb1 || cp == 0x2026 ||
		    (cp >= 0x2190 && cp < 0x2300 && !symbol))
			return 1;
		k += l;
	}
	return 0;
}

/* Whether what starts at k (after spaces) multiplies what is before it
 * when juxtaposed: a letter, digit, bracket, a letter-like command, a
 * function, a fraction or root. */
static int starts_factor(const struct tex_reader *d, size_t k, size_t end)
{
	while (k < end && (d->s[k] == ' ' || d->s[k] == '\t' || d->s[k] == '\n'))
		k++;
	if (k >= end)
		return 0;
	char c = d->s[k];
	if (is_alnum(c) || c == '(' || c == '{')
		return 1;
	if (c != '\\')
		return 0;
	size_t e = k + 1;
	while (e < end && is_letter(d->s[e]))
		e++;
	const struct tex_cmd *t = latex_cmd_find(d->s + k + 1, e - k - 1);
	if (!t)
		return 0;
	switch ((enum kind)t->kind) {
	case K_SYM:
		return *t->out && !has_operator(t->out, strlen(t->out));
	case K_FUNC: case K_FRAC: case K_SQRT: case K_BB: case K_ACC_EACH: case K_ACC_LAST:
	case K_FONT: case K_BINOM: case K_BEGIN:
		return 1;
	case K_DROP:
		return e - k == 5 && !memcmp(d->s + k + 1, "left", 4);
	default:
		return 0;
	}
}

/* A denominator that needs no parentheses: a number, or one character,
 * each followed only by scripts and marks (2¹⁰, x², √3, π). */
static int simple_below(const char *s, size_t n)
{
	size_t k = 0, lead = 0;
	unsigned cp;
	while (k < n) {
		size_t l = u8_next(s + k, n - k, &cp);
		if ((cp >= '0' && cp <= '9') || cp == '.') {
			if (lead == 2)
				return 0;
			lead = 1;
		} else if (latex_is_trailer(cp)) {
			if (!lead && cp != 0x221a)
				return 0;
		} else {
			if (lead)
				return 0;
			lead = 2;
		}
		k += l;
	}
	return n > 0;
}

/* "(…)" or "(…)²": already in one pair of parentheses */
static int wrapped(const char *s, size_t n)
{
	if (!n || s[0] != '(')
		return 0;
	int level = 0;
	size_t k = 0;
	for (; k < n; k++) {
		if (s[k] == '(')
			level++;
		else if (s[k] == ')' && --level == 0)
			break;
	}
	if (k == n)
		return 0;
	for (k++; k < n;) {
		unsigned cp;
		size_t l = u8_next(s + k, n - k, &cp);
		if (!latex_is_trailer(cp))
			return 0;
		k += l;
	}
	return 1;
}

static const char *const vulgar[11][11] = {
	[1][2] = "\xc2\xbd", [1][3] = "\xe2\x85\x93", [2][3] = "\xe2\x85\x94",
	[1][4] = "\xc2\xbc", [3][4] = "\xc2\xbe", [1][5] = "\xe2\x85\x95",
	[2][5] = "\xe2\x85\x96", [3][5] = "\xe2\x85\x97", [4][5] = "\xe2\x85\x98",
	[1][6] = "\xe2\x85\x99", [5][6] = "\xe2\x85\x9a", [1][7] = "\xe2\x85\x90",
	[1][8] = "\xe2\x85\x9b", [3][8] = "\xe2\x85\x9c", [5][8] = "\xe2\x85\x9d",
	[7][8] = "\xe2\x85\x9e", [1][9] = "\xe2\x85\x91", [1][10] = "\xe2\x85\x92",
};

static int small_number(const char *s)
{
	if (!strcmp(s, "10"))
		return 10;
	if (s[0] >= '1' && s[0] <= '9' && !s[1])
		return s[0] - '0';
	return 0;
}

static void frac(struct tex_reader *d, size_t at, size_t cmd_end, size_t end)
{
	size_t start = d->r->out.len;
	size_t floor = d->floor;
	d->floor = start;
	d->arg++;
	struct tail a, b;
	argument(d, 1, end);
	take_tail(d, start, &a);
	argument(d, 1, end);
	take_tail(d, start, &b);
	d->floor = floor;
	d->arg--;
	int x = small_number(a.s), y = small_number(b.s);
	if (x && y && vulgar[x][y]) {
		emits(d, vulgar[x][y], at, d->i);
	} else {
		unsigned prev = prev_cp(d);
		int mixed = prev >= '0' && prev <= '9' && a.n && strspn(a.s, "0123456789") == a.n &&
			    b.n && strspn(b.s, "0123456789") == b.n;
		if (mixed)
			emit(d, " ", 1, at, at); /* 2\frac{3}{7}: 2 3/7 */
		/* a/b beside a factor reads wrong (logₐx/y, a/3d, 1/16sin):
		 * the fraction keeps its extent in parentheses */
		int whole = !mixed && ends_factor(prev);
		whole |= starts_factor(d, d->i, end);
		int pa = (has_operator(a.s, a.n) && !wrapped(a.s, a.n)) || !a.n;
		int pb = !simple_below(b.s, b.n) && !wrapped(b.s, b.n);
		if (whole)
			emit(d, "(", 1, at, cmd_end);
		if (pa)
			emit(d, "(", 1, at, cmd_end);
		put_tail(d, &a);
		if (pa)
			emit(d, ")", 1, at, cmd_end);
		emit(d, "/", 1, at, cmd_end);
		if (pb)
			emit(d, "(", 1, at, cmd_end);
		put_tail(d, &b);
		if (pb)
			emit(d, ")", 1, at, cmd_end);
		if (whole)
			emit(d, ")", 1, at, cmd_end);
	}
	tail_free(&a);
	tail_free(&b);
}

static void sqrt_(struct tex_reader *d, size_t at, size_t cmd_end, size_t end)
{
	skip_spaces(d, end);
	struct tail idx = {0};
	size_t start = d->r->out.len;
	size_t floor = d->floor;
	d->floor = start;
	d->arg++;
	if (d->i < end && d->s[d->i] == '[') {
		size_t close = d->i + 1;
		while (close < end && d->s[close] != ']')
			close++;
		d->i++;
		render(d, 1, close);
		d->i = close < end ? close + 1 : end;
		take_tail(d, start, &idx);
	}
	argument(d, 1, end);
	struct tail a;
	take_tail(d, start, &a);
	d->floor = floor;
	d->arg--;
	if (!idx.s || !strcmp(idx.s, "2")) {
		emits(d, "\xe2\x88\x9a", at, cmd_end);
	} else if (!strcmp(idx.s, "3")) {
		emits(d, "\xe2\x88\x9b", at, cmd_end);
	} else if (!strcmp(idx.s, "4")) {
		emits(d, "\xe2\x88\x9c", at, cmd_end);
	} else { /* ⁿ√x, or (n+k)√x */
		char o[8];
		int all = 1;
		for (size_t k = 0; k < idx.n; k++)
			all &= latex_script_of(1, (unsigned char)idx.s[k]) != 0;
		if (all) {
			for (size_t k = 0; k < idx.n; k++)
				emit(d, o, u8_put(o, latex_script_of(1, (unsigned char)idx.s[k])),
				     idx.src[k].a, idx.src[k].b);
		} else {
			emit(d, "(", 1, at, cmd_end);
			put_tail(d, &idx);
			emit(d, ")", 1, at, cmd_end);
		}
		emits(d, "\xe2\x88\x9a", at, cmd_end);
	}
	int paren = !simple_below(a.s, a.n) && (has_operator(a.s, a.n) || a.n > 1);
	/* √2x: the root of 2 times x? a run of digits or one symbol needs none */
	if (!has_operator(a.s, a.n)) {
		int digits = 1;
		for (size_t k = 0; k < a.n; k++)
			digits &= (a.s[k] >= '0' && a.s[k] <= '9') || a.s[k] == '.';
		unsigned cp;
		paren = !(digits || (a.n && u8_next(a.s, a.n, &cp) == a.n) || simple_below(a.s, a.n));
	}
	if (paren)
		emit(d, "(", 1, at, cmd_end);
	put_tail(d, &a);
	if (paren)
		emit(d, ")", 1, at, cmd_end);
	tail_free(&a);
	if (idx.s)
		tail_free(&idx);
}

/* \vec, \overline...: a combining mark after each character, or the last */
static void accent(struct tex_reader *d, const char *mark, int each, size_t at, size_t cmd_end,
		   size_t end)
{
	size_t start = d->r->out.len;
	size_t floor = d->floor;
	d->floor = start;
	d->arg++;
	argument(d, 1, end);
	struct tail t;
	take_tail(d, start, &t);
	d->floor = floor;
	d->arg--;
	size_t last = 0;
	for (size_t k = 0; k < t.n;) {
		unsigned cp;
		size_t l = u8_next(t.s + k, t.n - k, &cp);
		if (cp != ' ')
			last = k;
		k += l;
	}
	for (size_t k = 0; k < t.n;) {
		unsigned cp;
		size_t l = u8_next(t.s + k, t.n - k, &cp);
		/* the marks of a combined character follow it */
		while (k + l < t.n) {
			unsigned c2;
			size_t l2 = u8_next(t.s + k + l, t.n - k - l, &c2);
			if (!(c2 >= 0x300 && c2 < 0x370) && !(c2 >= 0x20d0 && c2 < 0x2100))
				break;
			l += l2;
		}
		emit(d, t.s + k, l, t.src[k].a, t.src[k].b);
		if (cp != ' ' && (each || k >= last))
			emits(d, mark, at, cmd_end);
		k += l;
	}
	tail_free(&t);
}

/* \mathbb{R} -> ℝ: double-struck letters and digits */
static void blackboard(struct tex_reader *d, size_t at, size_t end)
{
	size_t start = d->r->out.len;
	size_t floor = d->floor;
	d->floor = start;
	d->arg++;
	argument(d, 0, end);
	struct tail t;
	take_tail(d, start, &t);
	d->floor = floor;
	d->arg--;
	static const char letterlike[] = "CHNPQRZ";
	static const unsigned letterlike_cp[] = {0x2102, 0x210d, 0x2115, 0x2119, 0x211a,
						 0x211d, 0x2124};
	char o[8];
	for (size_t k = 0; k < t.n; k++) {
		char c = t.s[k];
		unsigned cp = 0;
		const char *ll = c ? strchr(letterlike, c) : NULL;
		if (ll)
			cp = letterlike_cp[ll - letterlike];
		else if (c >= 'A' && c <= 'Z')
			cp = 0x1d538 + (unsigned)(c - 'A');
		else if (c >= 'a' && c <= 'z')
			cp = 0x1d552 + (unsigned)(c - 'a');
		else if (c >= '0' && c <= '9')
			cp = 0x1d7d8 + (unsigned)(c - '0');
		if (cp)
			emit(d, o, u8_put(o, cp), t.src[k].a, t.src[k].b);
		else
			emit(d, t.s + k, 1, t.src[k].a, t.src[k].b);
	}
	(void)at;
	tail_free(&t);
}

static int env_is(const char *name, size_t len, const char *const *list)
{
	for (; *list; list++)
		if (strlen(*list) == len && !memcmp(*list, name, len))
			return 1;
	return 0;
}

/* a name or argument dropped from the view holds nothing to hide */
static int plain(const char *p, size_t len)
{
	for (size_t k = 0; k < len; k++)
		if ((unsigned char)p[k] < 0x20 || (unsigned char)p[k] >= 0x7f)
			return 0;
	return 1;
}

static void unknown(struct tex_reader *d, size_t at, size_t cmd_end, int math, size_t end);

/* A grid's delimiters and columns: a matrix's are centred, cases' left,
 * an array's and a tabular's as their spec says (l c r, | a rule). */
static void grid_kind(struct lgrid *g, const char *name, size_t nlen, const char *spec, size_t sl)
{
	static const struct {
		const char *name;
		enum delim open, close;
	} kinds[] = {{"pmatrix", D_PAREN, D_PAREN}, {"bmatrix", D_BRACKET, D_BRACKET},
		     {"Bmatrix", D_BRACE, D_BRACE}, {"vmatrix", D_BAR, D_BAR},
		     {"Vmatrix", D_DBAR, D_DBAR}, {"cases", D_BRACE, D_NONE},
		     {"dcases", D_BRACE, D_NONE}};
	for (size_t k = 0; k < ARRAY_SIZE(kinds); k++)
		if (strlen(kinds[k].name) == nlen && !memcmp(kinds[k].name, name, nlen)) {
			g->open = kinds[k].open;
			g->close = kinds[k].close;
		}
	memset(g->align, g->open == D_BRACE && g->close == D_NONE ? 'l' : 'c', sizeof(g->align));
	size_t col = 0;
	for (size_t k = 0; spec && k < sl && col < LGRID_COLS; k++) {
		char c = spec[k];
		if (c == '|')
			g->vrule[col] = 1;
		else if (c == 'l' || c == 'c' || c == 'r')
			g->align[col++] = c;
		else if (c == 'p' || c == 'm' || c == 'b' || c == 'X')
			g->align[col++] = 'l';
		else if (c == '*')
			break; /* a repeat: the columns centred, as they come */
		if (c == 'p' || c == 'm' || c == 'b' || c == '@' || c == '!' || c == '>' ||
		    c == '<') { /* its {…} argument */
			int level = 0;
			for (k++; k < sl; k++) {
				level += spec[k] == '{';
				if (spec[k] == '}' && --level <= 0)
					break;
			}
		}
	}
}

/* The end of a grid's cell from k: its &, its row's \\ (*row set) or
 * stop; what nested environments and braces hold is theirs. */
static size_t cell_end(const struct tex_reader *d, size_t k, size_t stop, int *row)
{
	int level = 0, nest = 0;
	*row = 0;
	for (; k < stop; k++) {
		char c = d->s[k];
		if (c == '{') {
			level++;
		} else if (c == '}') {
			level--;
		} else if (c == '\\') {
			if (k + 1 < stop && d->s[k + 1] == '\\' && level <= 0 && !nest) {
				*row = 1;
				return k;
			}
			if (k + 7 <= stop && !memcmp(d->s + k, "\\begin{", 7))
				nest++;
			else if (k + 5 <= stop && !memcmp(d->s + k, "\\end{", 5))
				nest--;
			k++;
		} else if (c == '&' && level <= 0 && !nest) {
			return k;
		}
	}
	return stop;
}

/* \hline and its kin at k (after spaces): the index past it, or k */
static size_t rule_at(const struct tex_reader *d, size_t k, size_t stop)
{
	static const char *const rules[] = {"\\hline", "\\toprule", "\\midrule", "\\bottomrule",
					    "\\cline", NULL};
	for (const char *const *r = rules; *r; r++) {
		size_t l = strlen(*r);
		if (k + l <= stop && !memcmp(d->s + k, *r, l) &&
		    (k + l == stop || !is_letter(d->s[k + l]))) {
			k += l;
			/* \cline{2-3}: its columns, a closed group of digits
			 * and dashes; anything else is text, never dropped */
			size_t e = k + 1;
			while (e < stop && ((d->s[e] >= '0' && d->s[e] <= '9') || d->s[e] == '-'))
				e++;
			if (r[0][1] == 'c' && k < stop && d->s[k] == '{' && e < stop && d->s[e] == '}')
				k = e + 1;
			return k;
		}
	}
	return k;
}

/* A grid's cells rendered, laid out as a block of the line of math, or
 * as one line inside an argument or a cell. */
static void grid_env(struct tex_reader *d, struct lgrid *g, size_t at, size_t stop, int math)
{
	size_t floor = d->floor;
	int newrow = 1;
	while (1) {
		skip_spaces(d, stop);
		size_t r;
		while (newrow && (r = rule_at(d, d->i, stop)) != d->i) {
			lgrid_hline(g);
			d->i = r;
			skip_spaces(d, stop);
		}
		if (d->i >= stop)
			break;
		int row;
		size_t e = cell_end(d, d->i, stop, &row);
		size_t start = d->r->out.len;
		d->floor = start;
		d->arg++;
		render(d, math, e);
		d->floor = floor;
		d->arg--;
		struct latex *c = lgrid_cell(g, newrow);
		lx_take(d->r, start, c);
		lx_trim(c);
		d->i = e < stop ? e + 1 + row : stop;
		if (row && d->i < stop && d->s[d->i] == '[') /* \\[2pt] */
			while (d->i < stop && d->s[d->i++] != ']')
				;
		newrow = row;
	}
	struct lpiece p = {.pos = d->r->out.len};
	lbox_grid(g, &p.box);
	lgrid_free(g);
	if (in_line(d)) {
		add_piece(d, &p);
	} else if (d->line == NO_LINE && d->arg == 0) { /* in prose: a line of its own */
		newline(d, at);
		d->line = d->r->out.len;
		d->harg = d->arg;
		add_piece(d, &p);
		newline(d, stop);
		d->line = NO_LINE;
	} else {
		lx_cat(d->r, &p.box.flat);
		lbox_free(&p.box);
	}
}

/* \begin{name} … \end{name}: its rows as lines */
static void environment(struct tex_reader *d, size_t at, size_t end)
{
	const char *name;
	size_t cmd_end = d->i;
	size_t len = raw_argument(d, end, &name);
	if (!len || !plain(name, len)) {
		d->i = cmd_end;
		unknown(d, at, cmd_end, 1, end);
		return;
	}
	size_t nlen = len && name[len - 1] == '*' ? len - 1 : len;
	static const char *const grids[] = {"matrix", "pmatrix", "bmatrix", "Bmatrix", "vmatrix",
					    "Vmatrix", "smallmatrix", "array", "cases", "dcases",
					    "tabular", NULL};
	int grid = env_is(name, nlen, grids);
	const char *spec = NULL;
	size_t sl = 0;
	if (env_is(name, nlen, (const char *const[]){"array", "tabular", NULL})) {
		size_t from = d->i;
		sl = raw_argument(d, end, &spec); /* the column spec */
		if (!plain(spec, sl))
			emit(d, d->s + from, d->i - from, from, d->i);
	}
	/* the matching \end{name} */
	size_t stop = end, resume = end;
	for (size_t k = d->i; k + 5 + len < end + 1; k++) {
		if (d->s[k] == '\\' && !strncmp(d->s + k, "\\end{", 5) && k + 5 + len < end &&
		    !memcmp(d->s + k + 5, name, len) && d->s[k + 5 + len] == '}') {
			stop = k;
			resume = k + 6 + len;
			break;
		}
	}
	if (grid) {
		struct lgrid g = {.a = at, .b = cmd_end};
		grid_kind(&g, name, nlen, spec, sl);
		grid_env(d, &g, at, stop, !env_is(name, nlen, (const char *const[]){"tabular", NULL}));
		d->i = resume;
		return;
	}
	newline(d, at);
	const char *amp = d->amp;
	d->amp = "";
	size_t line = d->line;
	int harg = d->harg;
	if (line == NO_LINE) { /* its rows are lines of math */
		d->line = d->r->out.len;
		d->harg = d->arg;
	}
	skip_spaces(d, stop);
	while (d->i < stop) {
		size_t row = d->r->out.len;
		/* the row: up to \\ or the end */
		size_t e = d->i;
		int level = 0;
		while (e < stop) {
			if (d->s[e] == '{')
				level++;
			else if (d->s[e] == '}')
				level--;
			else if (d->s[e] == '\\' && e + 1 < stop && d->s[e + 1] == '\\' && level <= 0)
				break;
			else if (d->s[e] == '\\')
				e++;
			e++;
		}
		if (e > stop)
			e = stop;
		render(d, 1, e);
		d->i = e;
		trim_spaces(d);
		if (d->r->out.len > row)
			newline(d, e);
		if (d->i < stop)
			d->i += 2; /* the \\ */
		skip_spaces(d, stop);
	}
	if (d->nblk)
		newline(d, stop);
	if (line == NO_LINE)
		drop_pieces(d);
	d->line = line;
	d->harg = harg;
	d->amp = amp;
	d->i = resume;
	skip_spaces(d, end);
}

/* ---- commands ---- */
static void unknown(struct tex_reader *d, size_t at, size_t cmd_end, int math, size_t end)
{
	emit(d, d->s + at, cmd_end - at, at, cmd_end);
	d->r->left++;
	/* its arguments keep their braces */
	while (d->i < end && d->s[d->i] == '{') {
		size_t close = group_end(d, d->i, end);
		emit(d, "{", 1, d->i, d->i + 1);
		group(d, math, end);
		if (close < end)
			emit(d, "}", 1, close, close + 1);
	}
}

/* One-character commands: \$ \% \{ \\ \, ... */
static void symbol_command(struct tex_reader *d, size_t at, char c, int math)
{
	size_t e = at + 2;
	switch (c) {
	case '$': case '%': case '&': case '#': case '_': case '{': case '}':
		emit(d, &c, 1, at, e);
		break;
	case '|':
		emits(d, "\xe2\x80\x96", at, e);
		break;
	case ',': case ';': case ':': case '>': case ' ':
		emit(d, " ", 1, at, e);
		break;
	case '!': case '-': case '/':
		break;
	case '\\':
		newline(d, at);
		break;
	default:
		emit(d, d->s + at, 2, at, e);
		d->r->left += math && c != '\'' && c != '"';
		break;
	}
}

/* \left( or \right): the delimiter, which a line of math with blocks
 * between the two stretches to their rows; no padding after \left's */
static void left_right(struct tex_reader *d, int side, int math, size_t end)
{
	if (d->i >= end)
		return;
	size_t start = d->r->out.len;
	argument(d, math, end);
	size_t len = d->r->out.len - start;
	if (in_line(d) && len) {
		static const struct {
			const char *s;
			enum delim d;
		} kinds[] = {{"(", D_PAREN}, {")", D_PAREN}, {"[", D_BRACKET}, {"]", D_BRACKET},
			     {"{", D_BRACE}, {"}", D_BRACE}, {"|", D_BAR}, {"\xe2\x80\x96", D_DBAR}};
		struct lpiece p = {.pos = start, .len = len, .side = side};
		for (size_t k = 0; k < ARRAY_SIZE(kinds); k++)
			if (strlen(kinds[k].s) == len && !memcmp(kinds[k].s, d->r->out.data + start, len))
				p.delim = kinds[k].d;
		add_piece(d, &p);
	}
	if (!side)
		skip_spaces(d, end);
}

/* \sin, \log: the name apart from the factors beside it (i sin θ,
 * sin 4θ), joined to a bracket or script (sin(x), logₐ) */
static void function_name(struct tex_reader *d, size_t at, size_t k, int math, size_t end)
{
	if (math && ends_factor(prev_cp(d)))
		emit(d, " ", 1, at, at);
	emit(d, d->s + at + 1, k - at - 1, at, k);
	if (math && d->i < end && d->s[d->i] != '(' && starts_factor(d, d->i, end)) {
		emit(d, " ", 1, k, k);
		skip_spaces(d, end);
	}
}

static void command(struct tex_reader *d, int math, size_t end)
{
	size_t at = d->i, k = at + 1;
	if (k >= end) {
		emit(d, "\\", 1, at, k);
		d->i = k;
		return;
	}
	if (!is_letter(d->s[k])) {
		d->i = k + 1;
		symbol_command(d, at, d->s[k], math);
		return;
	}
	while (k < end && is_letter(d->s[k]))
		k++;
	d->i = k;
	const struct tex_cmd *c = latex_cmd_find(d->s + at + 1, k - at - 1);
	if (!c) {
		unknown(d, at, k, math, end);
		return;
	}
	const char *p;
	size_t len;
	switch ((enum kind)c->kind) {
	case K_SYM:
		emits(d, c->out, at, k);
		break;
	case K_FUNC:
		function_name(d, at, k, math, end);
		break;
	case K_DROP:
		skip_spaces(d, end);
		if (d->i < end && d->s[d->i] == '.')
			d->i++; /* \left. */
		else if ((k - at == 5 && !memcmp(d->s + at + 1, "left", 4)) ||
			 (k - at == 6 && !memcmp(d->s + at + 1, "right", 5)))
			left_right(d, d->s[at + 1] == 'r', math, end);
		break;
	case K_NEWLINE:
		newline(d, at);
		break;
	case K_FRAC:
		frac(d, at, k, end);
		break;
	case K_SQRT:
		sqrt_(d, at, k, end);
		break;
	case K_TEXT:
		argument(d, 0, end);
		break;
	case K_FONT:
		argument(d, math, end);
		break;
	case K_BB:
		blackboard(d, at, end);
		break;
	case K_ACC_EACH:
	case K_ACC_LAST:
		accent(d, c->out, c->kind == K_ACC_EACH, at, k, end);
		break;
	case K_BOXED:
		emits(d, "\xe2\x9f\xa6", at, k);
		argument(d, math, end);
		emits(d, "\xe2\x9f\xa7", at, k);
		break;
	case K_BINOM:
		emit(d, "C(", 2, at, k);
		argument(d, 1, end);
		emit(d, ",", 1, at, k);
		argument(d, 1, end);
		emit(d, ")", 1, at, k);
		break;
	case K_PMOD:
		if (d->r->out.len && d->r->out.data[d->r->out.len - 1] != ' ')
			emit(d, " ", 1, at, k);
		emit(d, "(mod ", 5, at, k);
		argument(d, 1, end);
		emit(d, ")", 1, at, k);
		break;
	case K_MOD:
		emits(d, d->r->out.len && d->r->out.data[d->r->out.len - 1] == ' ' ? "mod" : " mod",
		      at, k);
		break;
	case K_BEGIN:
		environment(d, at, end);
		break;
	case K_END: /* a stray \end{…} */
	case K_SKIP:
		skip_spaces(d, end);
		if (d->i < end && d->s[d->i] == '[') /* an optional argument */
			while (d->i < end && d->s[d->i++] != ']')
				;
		raw_argument(d, end, &p);
		if (!plain(d->s + k, d->i - k)) { /* what it would drop is shown */
			d->i = k;
			unknown(d, at, k, math, end);
		}
		break;
	case K_TAG:
		emit(d, "  (", 3, at, k);
		argument(d, 0, end);
		emit(d, ")", 1, at, k);
		break;
	case K_COLOR2:
		len = raw_argument(d, end, &p);
		if (!plain(p, len)) {
			d->i = k;
			unknown(d, at, k, math, end);
			break;
		}
		argument(d, math, end);
		break;
	case K_NOT: {
		size_t start = d->r->out.len;
		size_t floor = d->floor;
		d->floor = start;
		d->arg++;
		argument(d, math, end);
		struct tail t;
		take_tail(d, start, &t);
		d->floor = floor;
		d->arg--;
		if (!strcmp(t.s, "="))
			emits(d, "\xe2\x89\xa0", at, d->i);
		else if (!strcmp(t.s, "\xe2\x88\x88"))
			emits(d, "\xe2\x88\x89", at, d->i);
		else if (!strcmp(t.s, "\xe2\x89\xa1"))
			emits(d, "\xe2\x89\xa2", at, d->i);
		else {
			put_tail(d, &t);
			emits(d, "\xcc\xb8", at, k);
		}
		tail_free(&t);
		break;
	}
	case K_OVER:
		emit(d, "/", 1, at, k);
		break;
	case K_CHOOSE:
		emits(d, " choose ", at, k);
		break;
	}
}

/* ---- math spans ---- */
/* The end of the inline math opened by the $ at `at` (the closing $), or
 * 0 when this $ opens none. */
static size_t dollar_end(const struct tex_reader *d, size_t at, size_t end)
{
	size_t k = at + 1;
	if (k >= end || d->s[k] == ' ' || d->s[k] == '\t' || d->s[k] == '\n' || d->s[k] == '$')
		return 0;
	for (; k < end; k++) {
		char c = d->s[k];
		if (c == '\\') {
			k++;
			continue;
		}
		if (c == '\n' && k + 1 < end && d->s[k + 1] == '\n')
			return 0; /* a paragraph ends it */
		if (c != '$')
			continue;
		char before = d->s[k - 1];
		if (before == ' ' || before == '\t' || before == '\n')
			continue;
		if (k + 1 < end && d->s[k + 1] >= '0' && d->s[k + 1] <= '9')
			continue;
		return k;
	}
	return 0;
}

/* the end of a delimited span: the index of `closer`, or 0 */
static size_t find_closer(const struct tex_reader *d, size_t from, size_t end, const char *closer)
{
	size_t cl = strlen(closer);
	for (size_t k = from; k + cl <= end; k++) {
		if (!memcmp(d->s + k, closer, cl))
			return k;
		if (d->s[k] == '\\')
			k++;
	}
	return 0;
}

/* Math from i to `stop`, then past `skip` bytes of closer; display math
 * on lines of its own. */
static void math_span(struct tex_reader *d, size_t open_len, size_t stop, size_t skip, int display,
		      size_t end)
{
	size_t at = d->i;
	d->i += open_len;
	if (display)
		newline(d, at);
	int top = d->line == NO_LINE; /* not math in \text{} in math */
	if (top) {
		d->line = d->r->out.len;
		d->harg = d->arg;
	}
	skip_spaces(d, stop);
	render(d, 1, stop);
	d->i = stop + skip;
	int rows = top ? flush_line(d, stop) : 0;
	if (top)
		d->line = NO_LINE;
	if (display || rows > 1) {
		newline(d, stop);
		skip_spaces(d, end);
	}
}

static int text_step(struct tex_reader *d, size_t end)
{
	const char *s = d->s;
	size_t i = d->i, stop;
	if (s[i] == '$' && i + 1 < end && s[i + 1] == '$' &&
	    (stop = find_closer(d, i + 2, end, "$$")) != 0) {
		math_span(d, 2, stop, 2, 1, end);
		return 1;
	}
	if (s[i] == '$' && (stop = dollar_end(d, i, end)) != 0) {
		math_span(d, 1, stop, 1, 0, end);
		return 1;
	}
	if (s[i] == '\\' && i + 1 < end && (s[i + 1] == '(' || s[i + 1] == '[')) {
		int display = s[i + 1] == '[';
		stop = find_closer(d, i + 2, end, display ? "\\]" : "\\)");
		if (stop) {
			math_span(d, 2, stop, 2, display, end);
			return 1;
		}
	}
	return 0;
}

/* Spaces in math are TeX's to drop, as the math's own padding is
 * (`\( n \),` reads "n,"): a run is one space, kept between an operator
 * and its operands and after a word, dropped at the edges of the math or a
 * group, before a script, closing bracket or punctuation, after an opening
 * bracket, and between single letters or digits ($L E O$ is LEO, $2 x$
 * is 2x; $10 apples$ keeps its space). */
/* A sign the output ends with that has no operand before it (at the
 * start of the math or a cell, after an opening bracket, a relation or a
 * comma): TeX sets it unary, with no space after it ("- 1" reads "-1") */
static int unary_sign(const struct tex_reader *d)
{
	const char *o = d->r->out.data;
	size_t n = d->r->out.len;
	if (n <= d->floor || (o[n - 1] != '-' && o[n - 1] != '+'))
		return 0;
	size_t k = n - 1;
	while (k > d->floor && o[k - 1] == ' ')
		k--;
	return k <= d->floor || strchr("([{=,<>\n", o[k - 1]) != NULL;
}

static void math_space(struct tex_reader *d, size_t at, size_t end)
{
	size_t k = at;
	while (k < end && (d->s[k] == ' ' || d->s[k] == '\t' || d->s[k] == '\n'))
		k++;
	d->i = k;
	if (k >= end)
		return;
	char next = d->s[k];
	if (strchr("^_)]},.;:!'", next))
		return;
	unsigned prev = prev_cp(d);
	if (!prev || prev == ' ' || prev == '\n' || prev == '(' || prev == '[' || prev == '{' ||
	    unary_sign(d))
		return;
	if (next == '\\' && k + 6 <= end && !memcmp(d->s + k, "\\right", 6))
		return;
	if (prev < 0x80 && is_alnum((char)prev) && at > 0 && is_alnum(d->s[at - 1]) && (at < 2 || !is_letter(d->s[at - 2])) &&
	    is_alnum(next) && (k + 1 >= end || !is_letter(d->s[k + 1])))
		return; /* L E O, 2 x */
	emit(d, " ", 1, at, k);
}

static void math_char(struct tex_reader *d, size_t end)
{
	const char *s = d->s;
	size_t at = d->i;
	char c = s[at];
	switch (c) {
	case '^':
	case '_':
		d->i++;
		script(d, c == '^', at, end);
		return;
	case '{':
		group(d, 1, end);
		return;
	case '}':
		d->i++;
		return;
	case '~':
		emit(d, " ", 1, at, at + 1);
		d->i++;
		return;
	case ' ':
	case '\n':
	case '\t':
		math_space(d, at, end);
		return;
	case '&':
		if (d->amp) { /* a column: the spaces around it are the layout's */
			if (*d->amp)
				trim_spaces(d);
			emits(d, d->amp, at, at + 1);
			d->i++;
			if (*d->amp)
				skip_spaces(d, end);
			return;
		}
		break;
	case '\'':
		emits(d, "\xe2\x80\xb2", at, at + 1);
		d->i++;
		return;
	default:
		break;
	}
	unsigned cp;
	size_t l = u8_next(s + at, end - at, &cp);
	emit(d, s + at, l, at, at + l);
	d->i += l;
}

static void render(struct tex_reader *d, int math, size_t end)
{
	if (++d->depth > MAX_DEPTH) { /* too deep to be math: as it is */
		if (d->i < end)
			emit(d, d->s + d->i, end - d->i, d->i, end);
		d->i = end;
		d->depth--;
		return;
	}
	while (d->i < end) {
		size_t before = d->i;
		if (!math && text_step(d, end))
			continue;
		if (d->s[d->i] == '\\') {
			command(d, math, end);
		} else if (math) {
			math_char(d, end);
		} else {
			unsigned cp;
			size_t l = u8_next(d->s + d->i, end - d->i, &cp);
			emit(d, d->s + d->i, l, d->i, d->i + l);
			d->i += l;
		}
		if (d->i <= before) /* never stand still */
			d->i = before + 1;
	}
	d->depth--;
}

/* PRM800K's steps end with "# Answer" and the answer in LaTeX without
 * delimiters: the line and what follows it */
static size_t answer_line(const char *s, size_t n)
{
	static const char mark[] = "# Answer";
	size_t ml = sizeof(mark) - 1;
	for (size_t k = 0; k + ml <= n; k++)
		if ((k == 0 || s[k - 1] == '\n') && !memcmp(s + k, mark, ml) &&
		    (k + ml == n || s[k + ml] == '\n'))
			return k;
	return n;
}

/* Whether a field given as math is math: its braces pair up. Answers
 * such as BIG-Bench-Mistake's "}" or "] }" are text, shown whole. */
static int is_math(const char *s, size_t n)
{
	int level = 0;
	for (size_t k = 0; k < n; k++) {
		if (s[k] == '\\' && k + 1 < n)
			k++;
		else if (s[k] == '{')
			level++;
		else if (s[k] == '}' && --level < 0)
			return 0;
	}
	return level == 0;
}

static void render_all(struct latex *r, const char *s, size_t n, int math)
{
	buf_reset(&r->out);
	buf_grow(&r->out, n + 1);
	r->out.data[0] = '\0';
	r->left = 0;
	struct tex_reader d = {.s = s, .n = n, .r = r, .line = math ? 0 : NO_LINE};
	size_t ans = math ? n : answer_line(s, n);
	render(&d, math, ans);
	flush_line(&d, ans);
	if (ans < n) {
		size_t e = ans + 8; /* the "# Answer" line as it is */
		emit(&d, s + ans, e - ans, ans, e);
		d.i = e;
		skip_spaces(&d, n);
		if (d.i < n) {
			emit(&d, "\n\n", 2, e, d.i);
			d.line = r->out.len;
			render(&d, 1, n);
			flush_line(&d, n);
		}
	}
	drop_pieces(&d);
	free(d.pc);
	/* lines laid out by display math end with no blank tail */
	while (r->out.len && (r->out.data[r->out.len - 1] == '\n' ||
			      r->out.data[r->out.len - 1] == ' '))
		r->out.data[--r->out.len] = '\0';
}

void latex_render(struct latex *r, const char *s, size_t n)
{
	render_all(r, s, n, 0);
}

void latex_render_math(struct latex *r, const char *s, size_t n)
{
	render_all(r, s, n, is_math(s, n));
}

void latex_free(struct latex *r)
{
	buf_free(&r->out);
	free(r->src);
	memset(r, 0, sizeof(*r));
}

void latex_mark(const struct latex *r, size_t a, size_t b, unsigned char *mark)
{
	for (size_t k = 0; k < r->out.len; k++)
		if (r->src[k].a < b && r->src[k].b > a)
			mark[k] = 1;
}
