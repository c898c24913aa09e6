/* calc.c - checking the arithmetic claims in a step, exactly */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "calc.h"

/* integer powers, the one operation src/rat.c lacks */
static int rat_pow(struct rat a, struct rat e, struct rat *o)
{
	if (e.d != 1 || e.n < -64 || e.n > 64)
		return -1;
	struct rat r = {1, 1};
	for (int64_t i = 0; i < (e.n < 0 ? -e.n : e.n); i++)
		if (rat_mul(r, a, &r) < 0)
			return -1;
	if (e.n < 0)
		return rat_div((struct rat){1, 1}, r, o);
	*o = r;
	return 0;
}

/* ---- tokens ---- */

/* T_WORD and T_BREAK end a claim (a word of prose, a delimiter, a relation
 * other than =, punctuation); T_OPAQUE is math calc cannot read (a letter
 * in math, \pi, \mod, a subscript): a side holding one is not read. */
enum tk { T_NUM, T_OP, T_LP, T_RP, T_EQ, T_FRAC, T_WORD, T_BREAK, T_OPAQUE, T_SKIP };

struct tok {
	enum tk type;
	char op;        /* + - * / ^ */
	struct rat v;   /* T_NUM */
	int dp;         /* T_NUM: digits after the point */
	int glued_l, glued_r; /* T_NUM touching a letter */
	int pct;        /* T_NUM: written with % (its value divided by 100) */
	size_t at, end;
};

/* plain_latex's marks around the words of \text{...}: prose inside math */
#define PROSE_ON '\x01'
#define PROSE_OFF '\x02'

struct lexer {
	const char *s, *e;
	int math;   /* inside \( \), \[ \] or $ $: a letter is part of the math */
	int dollar; /* the math was opened by $ or $$ */
	int prose;  /* inside \text{...}: words are prose again */
};

static int is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int starts(const char *p, const char *e, const char *w)
{
	size_t n = strlen(w);
	return (size_t)(e - p) >= n && !memcmp(p, w, n) &&
	       !(p + n < e && ((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= 'A' && p[n] <= 'Z')));
}

/* a number: digits with optional ",ddd" groups and a fraction */
static size_t lex_number(const char *p, const char *e, struct tok *t)
{
	const char *q = p;
	int64_t num = 0, den = 1;
	int over = 0, dp = 0;
	while (q < e) {
		if (is_digit(*q)) {
			over |= __builtin_mul_overflow(num, 10, &num) ||
				__builtin_add_overflow(num, *q - '0', &num);
			q++;
		} else if (*q == ',' && q > p && e - q >= 4 && is_digit(q[1]) &&
			   is_digit(q[2]) && is_digit(q[3]) && (e - q == 4 || !is_digit(q[4]))) {
			q++;
		} else {
			break;
		}
	}
	if (q + 1 < e && *q == '.' && is_digit(q[1])) {
		q++;
		while (q < e && is_digit(*q)) {
			over |= __builtin_mul_overflow(num, 10, &num) ||
				__builtin_add_overflow(num, *q - '0', &num) ||
				__builtin_mul_overflow(den, 10, &den);
			dp++;
			q++;
		}
	}
	t->type = over || rat_make(num, den, &t->v) < 0 ? T_BREAK : T_NUM;
	t->dp = dp;
	return (size_t)(q - p);
}

/* After a closing delimiter or a line break at p: the length of what
 * leads to an "=" that goes on with the chain (\] \[ = 28 ...,
 * \\ &= ...), 0 when the next line is not the chain's. */
static size_t chain_goes_on(const char *p, const char *e)
{
	const char *q = p;
	while (q < e) {
		if (is_space(*q) || *q == '&' || *q == '$')
			q++;
		else if (e - q >= 2 && *q == '\\' && strchr("[(\\", q[1]))
			q += 2;
		else
			break;
	}
	return q + 1 < e && *q == '=' && q[1] != '=' ? (size_t)(q - p) : 0;
}

/* the commands that end a claim: relations other than =, arrows, spaces */
static const char *const rel_cmds[] = {
	"implies", "impliedby", "Rightarrow", "Longrightarrow", "Leftrightarrow",
	"Longleftrightarrow", "iff", "to", "rightarrow", "longrightarrow", "mapsto",
	"quad", "qquad", "neq", "ne", "approx", "equiv", "le", "leq", "ge", "geq",
	"lt", "gt", "sim", "simeq", "cong", "therefore", "because", "text", "hline",
	"leqslant", "geqslant", "ll", "gg", "propto", "in", "notin", "subset",
};
/* the commands that only size or space what follows */
static const char *const size_cmds[] = {
	"left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr",
	"displaystyle", "textstyle", "limits",
};

static int in_list(const char *const *v, size_t n, const char *w, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(v[i]) == len && !memcmp(v[i], w, len))
			return 1;
	return 0;
}

/* a backslash at p: one token (or T_SKIP) and its length */
static size_t lex_command(struct lexer *lx, const char *p, struct tok *t)
{
	const char *e = lx->e;
	if (e - p < 2) {
		t->type = T_OPAQUE;
		return 1;
	}
	char c = p[1];
	if (c == '(' || c == '[') {
		lx->math = 1, lx->dollar = 0;
		t->type = T_BREAK;
		return 2;
	}
	if (c == ')' || c == ']' || c == '\\') {
		size_t go = chain_goes_on(p + 2, e);
		if (go) {
			t->type = T_SKIP;
			return 2 + go;
		}
		if (c != '\\')
			lx->math = 0;
		t->type = T_BREAK;
		return 2;
	}
	if (strchr(",!;: >", c)) {
		t->type = T_SKIP;
		return 2;
	}
	size_t len = 1;
	while (p + len < e && ((p[len] >= 'a' && p[len] <= 'z') || (p[len] >= 'A' && p[len] <= 'Z')))
		len++;
	const char *w = p + 1;
	size_t wl = len - 1;
	t->type = T_OPAQUE;
	if (wl == 0) /* \{, \|, \_ */
		return 2;
	if (in_list(size_cmds, ARRAY_SIZE(size_cmds), w, wl)) {
		t->type = T_SKIP;
		if (p + len < e && p[len] == '.') /* \left. */
			len++;
	} else if (starts(p, e, "\\times") || starts(p, e, "\\cdot")) {
		t->type = T_OP, t->op = '*';
	} else if (starts(p, e, "\\div")) {
		t->type = T_OP, t->op = '/';
	} else if (starts(p, e, "\\frac") || starts(p, e, "\\dfrac") || starts(p, e, "\\tfrac")) {
		t->type = T_FRAC;
	} else if (starts(p, e, "\\begin") || starts(p, e, "\\end")) {
		t->type = T_BREAK;
		if (p + len < e && p[len] == '{')
			while (p + len < e && p[len++] != '}')
				;
	} else if (starts(p, e, "\\not")) {
		t->type = T_BREAK;
		while (p + len < e && is_space(p[len]))
			len++;
		if (p + len < e && p[len] == '=')
			len++;
	} else if (in_list(rel_cmds, ARRAY_SIZE(rel_cmds), w, wl)) {
		t->type = T_BREAK;
	}
	return len;
}

/* $ and $$: math opens where a $ is not money ($20) and closes at the next */
static enum tk lex_dollar(struct lexer *lx, const char *p, size_t *len)
{
	const char *e = lx->e;
	*len = e - p >= 2 && p[1] == '$' ? 2 : 1;
	if (lx->math && lx->dollar) {
		lx->math = 0;
		return T_BREAK;
	}
	const char *q = p + *len, *close = q;
	int before = p == lx->s || is_space(p[-1]) || p[-1] == '(';
	/* $2^9 = 512$ is math, $20 and $5 are money: math closes where a $
	 * ends what it touches */
	while (close < e && *close != '$' && *close != '\n')
		close++;
	int closes = close < e && *close == '$' && !is_space(close[-1]) &&
		     !(close + 1 < e && is_digit(close[1]));
	if (!lx->math && before && q < e && !is_space(*q) && *q != ',' && *q != '$' &&
	    (closes || (!is_digit(*q) && *q != '.'))) {
		lx->math = 1, lx->dollar = 1;
		return T_BREAK;
	}
	return T_SKIP;
}

/* a list bullet: "-" or "*" first on its line, then a space */
static int bullet(const char *s, const char *p, const char *e)
{
	if (p + 1 >= e || (p[1] != ' ' && p[1] != '\t'))
		return 0;
	for (const char *q = p; q > s; q--) {
		if (q[-1] == '\n')
			return 1;
		if (q[-1] != ' ' && q[-1] != '\t')
			return 0;
	}
	return 1;
}

/* a word: prose ends a claim; in math, or a lone letter, it is a quantity */
static size_t lex_word(struct lexer *lx, const char *p, struct tok *t, const struct tok *prev)
{
	const char *e = lx->e;
	unsigned char c = (unsigned char)*p;
	size_t len = 1;
	if (c >= 0x80) {
		/* Greek letters and ∑ √ ∞ are math; ≠ ≈ ≤ ≥ ≡ and arrows end a claim */
		size_t n = (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 1;
		if (n > (size_t)(e - p))
			n = (size_t)(e - p);
		if (c == 0xce || c == 0xcf || (c == 0xe2 && n == 3 && (unsigned char)p[1] == 0x88)) {
			t->type = T_OPAQUE;
			return n;
		}
		if (c == 0xe2 && n == 3 && strchr("\x86\x87\x89", p[1])) {
			t->type = T_BREAK;
			return n;
		}
	}
	while (p + len < e && is_alpha((unsigned char)p[len]))
		len++;
	t->type = lx->math && !lx->prose ? T_OPAQUE : T_WORD;
	if (t->type == T_WORD && !lx->prose && len == 1 && c < 0x80 && c != 'a' && c != 'A' &&
	    c != 'I')
		t->type = T_OPAQUE; /* x, d: a variable, in prose too */
	if (len == 2 && !memcmp(p, "of", 2) && prev && prev->type == T_NUM && prev->pct)
		t->type = T_OP, t->op = '*'; /* 20% of 50 */
	return len;
}

/* one character that is not a number, a word or a command */
static size_t lex_mark(struct lexer *lx, const char *p, struct tok *t)
{
	const char *e = lx->e;
	unsigned char c = (unsigned char)*p;
	static const struct { const char *utf8; char op; } ops[] = {
		{"\xe2\x88\x92", '-'}, /* U+2212 minus */
		{"\xc3\x97", '*'},     /* U+00D7 times */
		{"\xc2\xb7", '*'},     /* U+00B7 middle dot */
		{"\xc3\xb7", '/'},     /* U+00F7 division */
	};
	for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
		size_t l = strlen(ops[i].utf8);
		if ((size_t)(e - p) >= l && !memcmp(p, ops[i].utf8, l)) {
			t->type = T_OP, t->op = ops[i].op;
			return l;
		}
	}
	if ((c == '-' || c == '*') && !lx->math && bullet(lx->s, p, e))
		t->type = T_BREAK;
	else if (c == '+' || c == '-' || c == '*' || c == '/' || c == '^')
		t->type = T_OP, t->op = (char)c;
	else if (c == '(' || c == '{')
		t->type = T_LP;
	else if (c == ')' || c == '}')
		t->type = T_RP;
	else if (c == '=') {
		if (p + 1 < e && (p[1] == '=' || p[1] == '>'))
			return 2; /* == and => are not claims of equality */
		if (!(p > lx->s && (p[-1] == '<' || p[-1] == '>' || p[-1] == '!')))
			t->type = T_EQ;
	} else if (c == '.') {
		/* 0.\overline{6}: a point glued to more math is part of it */
		if (p + 2 < e && p[1] == '\\' && is_alpha((unsigned char)p[2]))
			t->type = T_OPAQUE;
	} else if (c == '_' || c == '|' || c == '!' || c == '\'' || c == '#' || c == '~') {
		t->type = T_OPAQUE;
	} else if (c == '\n' && !lx->math) {
		t->type = T_BREAK;
	} else if (is_space((char)c) || c == '&') {
		t->type = T_SKIP;
	} else if (c == PROSE_ON || c == PROSE_OFF) {
		lx->prose += c == PROSE_ON ? 1 : lx->prose > 0 ? -1 : 0;
		t->type = T_SKIP; /* the words inside end the claim */
	} else if ((c == '[' || c == ']') && lx->math) {
		t->type = T_OPAQUE; /* \sqrt[4]{...}, [a, b] */
	}
	return 1;
}

static size_t lex(const char *s, size_t n, struct tok **out)
{
	struct lexer lx = {.s = s, .e = s + n};
	const char *p = s, *e = s + n;
	size_t cap = 16, nt = 0;
	struct tok *v = xmalloc(cap * sizeof(*v));
	while (p < e) {
		unsigned char c = (unsigned char)*p;
		struct tok t = {.type = T_BREAK, .at = (size_t)(p - s)};
		size_t len;
		if (c == '\\') {
			len = lex_command(&lx, p, &t);
		} else if (c == '$') {
			t.type = lex_dollar(&lx, p, &len);
		} else if (is_digit((char)c) || (c == '.' && p + 1 < e && is_digit(p[1]))) {
			len = lex_number(p, e, &t);
			t.glued_l = p > s && is_alpha((unsigned char)p[-1]);
			t.glued_r = p + len < e && is_alpha((unsigned char)p[len]);
		} else if (c == '%' && nt > 0 && v[nt - 1].type == T_NUM && v[nt - 1].end == t.at) {
			/* 20% is 0.2, and "20% of 50" is 0.2 * 50 */
			struct tok *num = &v[nt - 1];
			if (rat_div(num->v, (struct rat){100, 1}, &num->v) < 0)
				num->type = T_BREAK;
			num->dp += 2;
			num->end = t.at + 1;
			num->pct = 1;
			p++;
			continue;
		} else if (is_alpha(c) && !(c == 0xe2 || c == 0xc3 || c == 0xc2)) {
			len = lex_word(&lx, p, &t, nt ? &v[nt - 1] : NULL);
		} else if (c >= 0x80) {
			len = lex_mark(&lx, p, &t);
			if (t.type == T_BREAK && len == 1)
				len = lex_word(&lx, p, &t, NULL);
		} else {
			len = lex_mark(&lx, p, &t);
		}
		p += len;
		if (t.type == T_SKIP)
			continue;
		t.end = t.at + len;
		if (nt == cap)
			v = xrealloc(v, (cap *= 2) * sizeof(*v));
		v[nt++] = t;
	}
	*out = v;
	return nt;
}

/* ---- a recursive-descent parser over a token range ---- */

struct calc_parser {
	const struct tok *t;
	size_t i, n;
	int err;
	int ops;
	int depth; /* bounded: a claim nested deeper is not read */
};

#define MAX_NEST 64

static struct rat p_expr(struct calc_parser *ps);

static int at(struct calc_parser *ps, enum tk type, char op)
{
	return ps->i < ps->n && ps->t[ps->i].type == type &&
	       (!op || ps->t[ps->i].op == op);
}

static void fail(struct calc_parser *ps, int code)
{
	if (!ps->err)
		ps->err = code;
}

static struct rat p_primary(struct calc_parser *ps);
static struct rat p_unary(struct calc_parser *ps);

static struct rat p_primary_in(struct calc_parser *ps)
{
	struct rat zero = {0, 1};
	if (at(ps, T_NUM, 0))
		return ps->t[ps->i++].v;
	if (at(ps, T_LP, 0)) {
		ps->i++;
		struct rat v = p_expr(ps);
		if (!at(ps, T_RP, 0))
			return fail(ps, -1), zero;
		ps->i++;
		return v;
	}
	if (at(ps, T_FRAC, 0)) {
		ps->i++;
		ps->ops++;
		struct rat a = p_primary(ps), b = p_primary(ps), o = zero;
		if (!ps->err && rat_div(a, b, &o) < 0)
			fail(ps, -2);
		return o;
	}
	fail(ps, -1);
	return zero;
}

static struct rat p_unary_in(struct calc_parser *ps)
{
	if (at(ps, T_OP, '-') || at(ps, T_OP, '+')) {
		int neg = ps->t[ps->i++].op == '-';
		struct rat v = p_unary(ps);
		if (neg && rat_sub((struct rat){0, 1}, v, &v) < 0)
			fail(ps, -2);
		return v;
	}
	struct rat b = p_primary(ps);
	if (at(ps, T_OP, '^')) {
		ps->i++;
		ps->ops++;
		struct rat e = p_unary(ps), o = {0, 1};
		if (!ps->err && rat_pow(b, e, &o) < 0)
			fail(ps, -2);
		return o;
	}
	return b;
}

/* The two places the parser goes deeper, each level counted: too deep is
 * a claim not read (-3), never a crash. */
static struct rat p_primary(struct calc_parser *ps)
{
	if (ps->depth >= MAX_NEST) {
		fail(ps, -3);
		return (struct rat){0, 1};
	}
	ps->depth++;
	struct rat v = p_primary_in(ps);
	ps->depth--;
	return v;
}

static struct rat p_unary(struct calc_parser *ps)
{
	if (ps->depth >= MAX_NEST) {
		fail(ps, -3);
		return (struct rat){0, 1};
	}
	ps->depth++;
	struct rat v = p_unary_in(ps);
	ps->depth--;
	return v;
}

static struct rat p_term(struct calc_parser *ps)
{
	struct rat v = p_unary(ps);
	for (;;) {
		int div;
		if (at(ps, T_OP, '*') || at(ps, T_OP, '/')) {
			div = ps->t[ps->i++].op == '/';
		} else if (ps->i > 0 && (at(ps, T_LP, 0) || at(ps, T_FRAC, 0)) &&
			   (ps->t[ps->i - 1].type == T_RP || ps->t[ps->i - 1].type == T_NUM)) {
			div = 0; /* 2(3+4) */
		} else {
			return v;
		}
		ps->ops++;
		struct rat w = p_unary(ps);
		if (!ps->err && (div ? rat_div(v, w, &v) : rat_mul(v, w, &v)) < 0)
			fail(ps, -2);
	}
}

static struct rat p_expr(struct calc_parser *ps)
{
	struct rat v = p_term(ps);
	while (at(ps, T_OP, '+') || at(ps, T_OP, '-')) {
		int minus = ps->t[ps->i++].op == '-';
		ps->ops++;
		struct rat w = p_term(ps);
		if (!ps->err && (minus ? rat_sub(v, w, &v) : rat_add(v, w, &v)) < 0)
			fail(ps, -2);
	}
	return v;
}

/* parses t[0..n) whole; returns 0, -1 or -2 */
static int parse_range(const struct tok *t, size_t n, struct rat *out, int *ops)
{
	struct calc_parser ps = {.t = t, .n = n};
	if (n == 0)
		return -1;
	*out = p_expr(&ps);
	if (!ps.err && ps.i != n)
		ps.err = -1;
	*ops = ps.ops;
	return ps.err;
}

int calc_eval(const char *s, size_t n, struct rat *out)
{
	struct tok *t;
	size_t nt = lex(s, n, &t);
	int ops;
	int rc = -1;
	for (size_t i = 0; i < nt; i++)
		if (t[i].type == T_WORD || t[i].type == T_BREAK || t[i].type == T_EQ ||
		    t[i].type == T_OPAQUE)
			goto done;
	rc = parse_range(t, nt, out, &ops);
done:
	free(t);
	return rc;
}

/* ---- claims ---- */

static void rat_text(struct buf *b, struct rat r)
{
	if (r.d == 1) {
		buf_printf(b, "%lld", (long long)r.n);
		return;
	}
	int64_t d = r.d;
	int places = 0;
	while (d % 10 == 0 && places < 18)
		d /= 10, places++;
	while (d % 2 == 0 && places < 18)
		d /= 2, places++;
	while (d % 5 == 0 && places < 18)
		d /= 5, places++;
	if (d == 1 && places <= 12) {
		buf_printf(b, "%.*Lf", places, (long double)r.n / r.d);
		return;
	}
	buf_printf(b, "%lld/%lld (%.6Lg)", (long long)r.n, (long long)r.d,
		   (long double)r.n / r.d);
}

/* equal exactly, or within the rounding a written decimal allows */
static int same(struct rat a, int a_plain, int a_dp, struct rat b, int b_plain, int b_dp)
{
	if (a.n == b.n && a.d == b.d)
		return 1;
	int dp = b_plain && b_dp ? b_dp : a_plain && a_dp ? a_dp : 0;
	if (!dp)
		return 0;
	/* y written with dp decimals: x rounded, or cut toward zero */
	long double x = (long double)a.n / a.d, y = (long double)b.n / b.d;
	if (b_plain && b_dp)
		;
	else { /* the written decimal is on the left */
		long double t = x;
		x = y;
		y = t;
	}
	long double unit = powl(10, -dp), d = fabsl(x - y);
	return d <= unit / 2 * (1 + 1e-12L) || (fabsl(y) <= fabsl(x) && d < unit);
}

/* a claim without its spaces: GSM8K writes each one twice, as text and
 * as <<annotation>>; it is reported once */
static int seen_claim(struct buf *seen, const char *s, size_t n)
{
	struct buf k = {0};
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n')
			buf_putc(&k, s[i]);
	buf_puts(&k, "");
	int found = 0;
	for (size_t at = 0; at < seen->len && !found; at += strlen(seen->data + at) + 1)
		found = !strcmp(seen->data + at, k.data);
	if (!found)
		buf_add(seen, k.data, k.len + 1);
	buf_free(&k);
	return found;
}

/* One claim's line: true, or false with the value of each side that is
 * not a number as written ("false: the right side is 4007"). */
static void add_claim(struct buf *report, const char *s, size_t n, int ok, const char *note,
		      struct rat lhs, int lhs_plain, struct rat rhs, int rhs_plain)
{
	buf_putc(report, '"');
	for (size_t i = 0; i < n; i++)
		if (s[i] != PROSE_ON && s[i] != PROSE_OFF)
			buf_putc(report, s[i] == '\n' || s[i] == '\t' ? ' ' : s[i]);
	if (ok) {
		buf_puts(report, "\": true\n");
		return;
	}
	buf_puts(report, "\": false: ");
	if (note) {
		buf_puts(report, note);
		buf_putc(report, '\n');
		return;
	}
	if (!lhs_plain || rhs_plain) {
		buf_puts(report, "the left side is ");
		rat_text(report, lhs);
	}
	if (!rhs_plain) {
		buf_puts(report, !lhs_plain || rhs_plain ? ", the right side is " : "the right side is ");
		rat_text(report, rhs);
	}
	buf_putc(report, '\n');
}

/* "0.2 * 100 = 20%": a side that is a percentage alone may stand for the
 * number of percents as well as for the fraction. */
static int same_as_percent(const struct rat *a, int a_pct, const struct rat *b, int b_pct)
{
	struct rat x;
	if (b_pct && rat_mul(*b, (struct rat){100, 1}, &x) == 0 && x.n == a->n && x.d == a->d)
		return 1;
	if (a_pct && rat_mul(*a, (struct rat){100, 1}, &x) == 0 && x.n == b->n && x.d == b->d)
		return 1;
	return 0;
}

/* The left side starts where what comes before may belong to it: a word
 * or a mark touching it (f(3), r_3^2, \binom{5}{2}), or "of" (20% of $20,
 * one-third of 27). A claim not read whole is no claim. */
static int unclear_start(const char *s, const struct tok *t, size_t lo)
{
	const struct tok *b = &t[lo - 1];
	if (b->type == T_WORD && b->end == t[lo].at)
		return 1;
	if (b->type == T_WORD && b->end - b->at == 2 && !memcmp(s + b->at, "of", 2))
		return 1;
	/* "of $20": the dollar sign is skipped, the word is still "of" */
	if (b->type == T_WORD && b->end - b->at == 7 && !memcmp(s + b->at, "percent", 7))
		return 1;
	return 0;
}

/* After a claim at p: the text calls it false itself ("\implies 10 = 4,
 * which is false"; "(false)"; "a contradiction"). */
static int called_false(const char *p)
{
	static const char *const says[] = {
		"which is false", "which is not true", "which is impossible",
		"which is incorrect", "which is not possible", "which is a contradiction",
		"which contradicts", "is false", "is not true", "is impossible",
		"is a contradiction", "a contradiction", "contradiction", "false",
		"not true", "impossible",
	};
	for (int n = 0; *p && n < 40; n++) { /* punctuation, delimiters, \quad */
		if (*p == '\\' && is_alpha((unsigned char)p[1]) && strncmp(p, "\\text", 5))
			for (p++; is_alpha((unsigned char)*p); p++)
				;
		else if (is_space(*p) || strchr(",.;:$()[]\\\x01\x02", *p))
			p++;
		else
			break;
	}
	for (size_t i = 0; i < ARRAY_SIZE(says); i++)
		if (!strncasecmp(p, says[i], strlen(says[i])))
			return 1;
	return 0;
}

/* "18 \div 4 = 4 \text{ remainder } 2", "49 \div 9 = 5 complete cycles",
 * "2863 \div 1344 = 2 (quotient)": a division of whole numbers whose whole
 * quotient the words after it (at p) say it is. 1 it is (and the remainder
 * named, if any, is right), 0 the remainder named is wrong (said in note),
 * -1 not such a claim. */
static int whole_quotient(const struct tok *l, size_t nl, const struct tok *r, size_t nr,
			  const char *p, char *note, size_t notelen)
{
	static const char *const says[] = {"remainder", "remaining", "left over", "leftover",
					   "complete", "full", "whole", "quotient"};
	if (nl != 3 || nr != 1 || l[0].type != T_NUM || l[1].type != T_OP || l[1].op != '/' ||
	    l[2].type != T_NUM || r[0].type != T_NUM || l[0].v.d != 1 || l[2].v.d != 1 ||
	    r[0].v.d != 1 || l[0].v.n < 0 || l[2].v.n <= 0 || r[0].v.n != l[0].v.n / l[2].v.n)
		return -1;
	int64_t rem = l[0].v.n % l[2].v.n;
	const char *said = NULL;
	size_t wl = 0;
	for (int n = 0; p[n] && p[n] != '=' && n < 60 && !said; n++) {
		if (n > 0 && is_alpha((unsigned char)p[n - 1]))
			continue;
		if (p[n] == 'R' && !is_alpha((unsigned char)p[n + 1])) /* 58 R 5 */
			said = p + n, wl = 1;
		for (size_t i = 0; i < ARRAY_SIZE(says) && !said; i++)
			if (!strncasecmp(p + n, says[i], strlen(says[i])))
				said = p + n, wl = strlen(says[i]);
	}
	if (!said)
		return -1;
	if (strncasecmp(said, "remainder", 9) && *said != 'R')
		return 1;
	/* "remainder 2", "a remainder of \(77\)", "R 5": the number named */
	const char *q = said + wl;
	while (*q && (is_space(*q) || strchr("$:\\()\x01\x02", *q) || !strncmp(q, "of", 2)))
		q += !strncmp(q, "of", 2) ? 2 : 1;
	if (!is_digit(*q))
		return 1;
	int64_t named = strtoll(q, NULL, 10);
	if (named == rem)
		return 1;
	snprintf(note, notelen, "%lld divided by %lld leaves %lld, not %lld",
		 (long long)l[0].v.n, (long long)l[2].v.n, (long long)rem, (long long)named);
	return 0;
}

/* the written decimals of so many places or more may be rounded values */
#define ROUNDED_DP 3

static long double ld(struct rat r)
{
	return (long double)r.n / r.d;
}

/* How far a side may be off when its decimals of ROUNDED_DP places or
 * more are rounded values: the sum of what half a unit in the last place
 * of each changes. 0 when it has none. */
static long double slack(const struct tok *t, size_t n, struct rat v)
{
	struct tok *c = NULL;
	long double sum = 0;
	for (size_t i = 0; i < n; i++) {
		if (t[i].type != T_NUM || t[i].dp < ROUNDED_DP || t[i].pct || t[i].dp > 15)
			continue;
		if (!c) {
			c = xmalloc(n * sizeof(*c));
			memcpy(c, t, n * sizeof(*c));
		}
		int64_t unit = 2;
		for (int k = 0; k < t[i].dp; k++)
			unit *= 10;
		struct rat w;
		int ops;
		if (rat_add(t[i].v, (struct rat){1, unit}, &c[i].v) < 0 ||
		    parse_range(c, n, &w, &ops) != 0) {
			free(c);
			return 0;
		}
		sum += fabsl(ld(w) - ld(v));
		c[i].v = t[i].v;
	}
	free(c);
	return sum;
}

/* "(2.8284)^2 = 8": true within what the rounded decimals allow */
static int rounds_to(const struct tok *t, const size_t *cut, size_t k, const struct rat *val)
{
	long double tol = slack(t + cut[k], cut[k + 1] - 1 - cut[k], val[k]) +
			  slack(t + cut[k + 1], cut[k + 2] - 1 - cut[k + 1], val[k + 1]);
	return tol > 0 && fabsl(ld(val[k]) - ld(val[k + 1])) <= tol * (1 + 1e-9L);
}

static int check_run(const char *s, const struct tok *t, size_t nt, size_t a,
		     size_t b, struct buf *report, int *checked, struct buf *seen)
{
	/* split [a, b) at '=' into parts */
	size_t cut[64], np = 0;
	cut[np++] = a;
	for (size_t i = a; i < b && np < 63; i++)
		if (t[i].type == T_EQ)
			cut[np++] = i + 1;
	if (np < 2)
		return 0;
	cut[np] = b + 1;
	struct rat val[64];
	int ok[64], ops[64], plain[64], dp[64];
	for (size_t k = 0; k < np; k++) {
		size_t lo = cut[k], hi = cut[k + 1] - 1;
		ok[k] = parse_range(t + lo, hi - lo, &val[k], &ops[k]) == 0;
		plain[k] = hi - lo == 1 && t[lo].type == T_NUM;
		dp[k] = plain[k] ? t[lo].dp : 0;
		if (!ok[k] || hi == lo)
			continue;
		/* a side cut out of a longer expression is not a claim */
		if (k == 0 && (t[lo].type == T_OP ? t[lo].op != '-' ||
			       (lo > 0 && t[lo - 1].type == T_WORD) : 0))
			ok[k] = 0;
		if (k == 0 && t[lo].type == T_NUM && t[lo].glued_l)
			ok[k] = 0;
		if (k == np - 1 && t[hi - 1].type == T_NUM && t[hi - 1].glued_r)
			ok[k] = 0;
		if (k == np - 1 && hi < nt && t[hi].type == T_OP)
			ok[k] = 0;
		if (k == 0 && lo > 0 && t[lo - 1].type == T_OP)
			ok[k] = 0;
		if (k == 0 && lo > 0 && unclear_start(s, t, lo))
			ok[k] = 0;
		for (size_t i = lo; i + 1 < hi; i++) /* 3\frac{1}{2} is 3.5, not 1.5 */
			if (t[i].type == T_NUM && t[i + 1].type == T_FRAC)
				ok[k] = 0;
	}
	int wrong = 0;
	/* "... \implies 10 = 4, which is false": the text says so itself */
	if (called_false(s + t[b - 1].end))
		return 0;
	for (size_t k = 0; k + 1 < np; k++) {
		if (!ok[k] || !ok[k + 1] || (!ops[k] && !ops[k + 1]))
			continue;
		size_t from = t[cut[k]].at, to = t[cut[k + 2] - 2].end;
		if (seen_claim(seen, s + from, to - from))
			continue;
		int good = same(val[k], plain[k], dp[k], val[k + 1], plain[k + 1], dp[k + 1]) ||
			   same_as_percent(&val[k], plain[k] && t[cut[k]].pct, &val[k + 1],
					   plain[k + 1] && t[cut[k + 1]].pct);
		char note[96] = "";
		if (!good) /* rounded operands, or a whole quotient and its remainder */
			good = rounds_to(t, cut, k, val) ||
			       whole_quotient(t + cut[k], cut[k + 1] - 1 - cut[k], t + cut[k + 1],
					      cut[k + 2] - 1 - cut[k + 1], s + to, note, sizeof(note)) > 0;
		add_claim(report, s + from, to - from, good, *note ? note : NULL, val[k], plain[k],
			  val[k + 1], plain[k + 1]);
		(*checked)++;
		wrong += !good;
	}
	return wrong;
}

static int check_text(const char *s, size_t n, struct buf *report, int *checked,
		      struct buf *seen)
{
	struct tok *t;
	size_t nt = lex(s, n, &t);
	int wrong = 0;
	for (size_t i = 0; i < nt;) {
		if (t[i].type == T_WORD || t[i].type == T_BREAK) {
			i++;
			continue;
		}
		size_t j = i;
		while (j < nt && t[j].type != T_WORD && t[j].type != T_BREAK)
			j++;
		wrong += check_run(s, t, nt, i, j, report, checked, seen);
		i = j;
	}
	free(t);
	return wrong;
}

/* LaTeX that only wraps words or escapes a sign, made plain text: \text{ of }
 * is " of ", \% is %, \$ is $. Claims are then read as written. */
static void plain_latex(struct buf *out, const char *s, size_t n)
{
	static const char *const wraps[] = {"\\text{", "\\textrm{", "\\textbf{", "\\mathrm{",
					    "\\mbox{", "\\textit{"};
	buf_add(out, "", 0);
	for (size_t i = 0; i < n;) {
		size_t w = 0;
		for (size_t k = 0; k < ARRAY_SIZE(wraps) && !w; k++) {
			size_t l = strlen(wraps[k]);
			if (n - i >= l && !memcmp(s + i, wraps[k], l))
				w = l;
		}
		if (w) { /* the words inside, without the braces */
			size_t j = i + w;
			while (j < n && s[j] != '}' && s[j] != '{')
				j++;
			if (j < n && s[j] == '}') {
				buf_putc(out, PROSE_ON); /* its words are prose, in math too */
				buf_add(out, s + i + w, j - i - w);
				buf_putc(out, PROSE_OFF);
				i = j + 1;
				continue;
			}
		}
		if (s[i] == '\\' && i + 1 < n && (s[i + 1] == '%' || s[i + 1] == '$')) {
			buf_putc(out, s[i + 1]);
			i += 2;
			continue;
		}
		buf_putc(out, s[i++]);
	}
}

int calc_check(const char *text, struct buf *report, int *checked)
{
	*checked = 0;
	int wrong = 0;
	struct buf rest = {0}, seen = {0};
	const char *p = text;
	buf_puts(&rest, "");
	/* GSM8K's calculator annotations first: <<48/2=24>> */
	for (;;) {
		const char *o = strstr(p, "<<");
		const char *c = o ? strstr(o + 2, ">>") : NULL;
		if (!o || !c) {
			buf_puts(&rest, p);
			break;
		}
		buf_add(&rest, p, (size_t)(o - p));
		buf_putc(&rest, ' ');
		const char *eq = NULL;
		for (const char *q = o + 2; q < c; q++)
			if (*q == '=')
				eq = q;
		struct rat l, r;
		if (eq && calc_eval(o + 2, (size_t)(eq - o - 2), &l) == 0 &&
		    calc_eval(eq + 1, (size_t)(c - eq - 1), &r) == 0) {
			struct tok *t;
			size_t nt = lex(eq + 1, (size_t)(c - eq - 1), &t);
			int dp = nt == 1 && t[0].type == T_NUM ? t[0].dp : 0;
			free(t);
			if (!seen_claim(&seen, o + 2, (size_t)(c - o - 2))) {
				int good = same(l, 0, 0, r, 1, dp);
				add_claim(report, o + 2, (size_t)(c - o - 2), good, NULL, l, 0, r, 1);
				(*checked)++;
				wrong += !good;
			}
		}
		p = c + 2;
	}
	struct buf plain = {0};
	plain_latex(&plain, rest.data, rest.len);
	wrong += check_text(plain.data, plain.len, report, checked, &seen);
	buf_free(&plain);
	buf_free(&rest);
	buf_free(&seen);
	return wrong;
}
