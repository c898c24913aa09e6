/* grade.c - final answers: extraction, normalisation, equivalence
 *
 * Follows the PRM800K grader (math_normalize.normalize_answer, then
 * grader._normalize and grade_answer). Where the reference asks sympy
 * whether a difference simplifies to 0, this file evaluates both sides
 * exactly as polynomials with rational coefficients over the symbols
 * a..z and pi, with square roots of rationals in lowest form.
 */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "grade.h"
#include "rat.h"
#include "util.h"

/* How deep a text may nest (brackets, roots, signs, powers) to be graded:
 * the walker and the parser recurse once a level. */
#define MAX_NEST 64

/* ---------- extraction ---------- */

static int extract_boxed(const char *text, const char **start, size_t *len)
{
	const char *hit = NULL, *p = text;
	while ((p = strstr(p, "\\boxed{")) != NULL) {
		hit = p;
		p += 7;
	}
	if (!hit)
		return -1;
	const char *s = hit + 7, *q = s;
	int depth = 1;
	for (; *q; q++) {
		if (*q == '{')
			depth++;
		else if (*q == '}' && --depth == 0)
			break;
	}
	if (depth)
		return -1; /* unbalanced: no answer */
	*start = s;
	*len = (size_t)(q - s);
	return 0;
}

static const char *last_of(const char *text, const char *needle)
{
	const char *hit = NULL, *p = text;
	while ((p = strstr(p, needle)) != NULL) {
		hit = p;
		p += strlen(needle);
	}
	return hit;
}

static void trim(const char **s, size_t *n)
{
	while (*n && isspace((unsigned char)**s))
		(*s)++, (*n)--;
	while (*n && isspace((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

/* What follows a marker up to the end of its line, trimmed, without a
 * final period: the answer, or -1 when nothing is there. */
static int rest_of_line(const char *s, const char **start, size_t *len)
{
	const char *e = strchr(s, '\n');
	size_t n = e ? (size_t)(e - s) : strlen(s);
	trim(&s, &n);
	if (n && s[n - 1] == '.')
		n--;
	*start = s;
	*len = n;
	return n ? 0 : -1;
}

int grade_extract(const char *text, const char **start, size_t *len)
{
	if (extract_boxed(text, start, len) == 0)
		return 0;
	const char *a = last_of(text, "# Answer");
	if (a) {
		*start = a + 8;
		*len = strlen(*start);
		trim(start, len);
		return *len ? 0 : -1;
	}
	a = last_of(text, "####"); /* GSM8K */
	if (a)
		return rest_of_line(a + 4, start, len);
	a = last_of(text, "The answer is");
	if (!a)
		a = last_of(text, "the answer is");
	if (!a)
		return -1;
	return rest_of_line(a[13] == ':' ? a + 14 : a + 13, start, len);
}

/* ---------- string helpers ---------- */

/* Replaces every occurrence of from with to, in place (b). */
static void replace(struct buf *b, const char *from, const char *to)
{
	size_t fl = strlen(from), tl = strlen(to);
	if (!b->len || !strstr(b->data, from))
		return;
	struct buf out = {0};
	const char *p = b->data, *q;
	while ((q = strstr(p, from)) != NULL) {
		buf_add(&out, p, (size_t)(q - p));
		buf_add(&out, to, tl);
		p = q + fl;
	}
	buf_puts(&out, p);
	buf_free(b);
	*b = out;
}

static void set(struct buf *b, const char *s, size_t n)
{
	buf_reset(b);
	buf_add(b, s, n);
}

/* Python's str.strip() for ASCII whitespace. */
static void strip(struct buf *b)
{
	const char *s = b->data ? b->data : "";
	size_t n = b->len;
	trim(&s, &n);
	char *t = xstrndup(s, n);
	set(b, t, n);
	free(t);
}

/* ^\\text\{(.+?)\}$ : the whole string is one \text{...} */
static int unwrap_text(struct buf *b)
{
	if (b->len < 8 || strncmp(b->data, "\\text{", 6) != 0 ||
	    b->data[b->len - 1] != '}')
		return 0;
	if (memchr(b->data, '\n', b->len))
		return 0;
	char *t = xstrndup(b->data + 6, b->len - 7);
	set(b, t, strlen(t));
	free(t);
	return 1;
}

static size_t count_of(const char *s, const char *needle)
{
	size_t n = 0, l = strlen(needle);
	for (const char *p = strstr(s, needle); p; p = strstr(p + l, needle))
		n++;
	return n;
}

/* A canonical Python int literal: -?(0|[1-9][0-9]*) */
static int canonical_int(const char *s, size_t n)
{
	size_t i = 0;
	if (i < n && s[i] == '-')
		i++;
	if (i == n)
		return 0;
	if (s[i] == '0')
		return i + 1 == n && !(i == 1); /* "-0" is not str(int("-0")) */
	for (; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* ---------- MATH normalisation ---------- */

static int fix_sqrt(struct buf *b)
{
	if (!strstr(b->data, "\\sqrt"))
		return 0;
	struct buf out = {0};
	const char *p = b->data, *q = strstr(p, "\\sqrt");
	buf_add(&out, p, (size_t)(q - p));
	p = q + 5;
	for (;;) {
		q = strstr(p, "\\sqrt");
		size_t n = q ? (size_t)(q - p) : strlen(p);
		if (n == 0) { /* Python raises IndexError here */
			buf_free(&out);
			return -1;
		}
		if (p[0] != '{') {
			buf_puts(&out, "\\sqrt{");
			buf_add(&out, p, 1);
			buf_putc(&out, '}');
			buf_add(&out, p + 1, n - 1);
		} else {
			buf_puts(&out, "\\sqrt");
			buf_add(&out, p, n);
		}
		if (!q)
			break;
		p = q + 5;
	}
	buf_free(b);
	*b = out;
	return 0;
}

static int fix_fracs(struct buf *b)
{
	if (!strstr(b->data, "\\frac"))
		return 0;
	struct buf out = {0};
	const char *p = b->data, *q = strstr(p, "\\frac");
	buf_add(&out, p, (size_t)(q - p));
	p = q + 5;
	for (;;) {
		q = strstr(p, "\\frac");
		size_t n = q ? (size_t)(q - p) : strlen(p);
		buf_puts(&out, "\\frac");
		if (n == 0) { /* IndexError in the reference */
			buf_free(&out);
			return -1;
		}
		if (p[0] == '{') {
			buf_add(&out, p, n);
		} else if (n < 2) {
			buf_free(&out); /* the reference returns its input */
			return 0;
		} else if (p[1] != '{') {
			buf_putc(&out, '{');
			buf_add(&out, p, 1);
			buf_puts(&out, "}{");
			buf_add(&out, p + 1, 1);
			buf_putc(&out, '}');
			buf_add(&out, p + 2, n - 2);
		} else {
			buf_putc(&out, '{');
			buf_add(&out, p, 1);
			buf_putc(&out, '}');
			buf_add(&out, p + 1, n - 1);
		}
		if (!q)
			break;
		p = q + 5;
	}
	buf_free(b);
	*b = out;
	return 0;
}

static void fix_a_slash_b(struct buf *b)
{
	if (count_of(b->data, "/") != 1)
		return;
	const char *sl = strchr(b->data, '/');
	size_t na = (size_t)(sl - b->data), nb = b->len - na - 1;
	if (!canonical_int(b->data, na) || !canonical_int(sl + 1, nb))
		return;
	struct buf out = {0};
	buf_puts(&out, "\\frac{");
	buf_add(&out, b->data, na);
	buf_puts(&out, "}{");
	buf_add(&out, sl + 1, nb);
	buf_putc(&out, '}');
	buf_free(b);
	*b = out;
}

static int strip_string(struct buf *b)
{
	replace(b, "\n", "");
	replace(b, "\\!", "");
	replace(b, "\\\\", "\\");
	replace(b, "tfrac", "frac");
	replace(b, "dfrac", "frac");
	replace(b, "\\left", "");
	replace(b, "\\right", "");
	replace(b, "^{\\circ}", "");
	replace(b, "^\\circ", "");
	replace(b, "\\$", "");
	if (b->len && strstr(b->data, "\\text{ ")) { /* remove right units */
		if (count_of(b->data, "\\text{ ") != 1)
			return -1; /* an assertion fails in the reference */
		size_t n = (size_t)(strstr(b->data, "\\text{ ") - b->data);
		b->len = n;
		b->data[n] = '\0';
	}
	replace(b, "\\%", "");
	replace(b, " .", " 0.");
	replace(b, "{.", "{0.");
	if (b->len == 0)
		return 0;
	if (b->data[0] == '.') {
		char *t = xstrdup(b->data);
		buf_reset(b);
		buf_putc(b, '0');
		buf_puts(b, t);
		free(t);
	}
	if (count_of(b->data, "=") == 1) {
		const char *eq = strchr(b->data, '=');
		if (eq - b->data <= 2) {
			char *t = xstrdup(eq + 1);
			set(b, t, strlen(t));
			free(t);
		}
	}
	if (fix_sqrt(b) < 0)
		return -1;
	replace(b, " ", "");
	if (fix_fracs(b) < 0)
		return -1;
	if (strcmp(b->data, "0.5") == 0)
		set(b, "\\frac{1}{2}", 11);
	fix_a_slash_b(b);
	return 0;
}

char *grade_math_normalize(const char *s)
{
	struct buf b = {0};
	buf_puts(&b, s);
	strip(&b);
	if (unwrap_text(&b))
		strip(&b);
	struct buf keep = {0};
	buf_add(&keep, b.data, b.len);
	if (strip_string(&b) < 0) { /* the reference returns the answer */
		buf_free(&b);
		return keep.data;
	}
	buf_free(&keep);
	return b.data;
}

/* ---------- LaTeX to text (what the grader gets from pylatexenc) ---------- */

struct macro_text {
	const char *name, *text;
};

static const struct macro_text symbols[] = {
	{"pi", "\xcf\x80"}, {"infty", "\xe2\x88\x9e"}, {"cdot", "\xc2\xb7"},
	{"times", "\xc3\x97"}, {"cup", "\xe2\x88\xaa"}, {"circ", "\xe2\x88\x98"},
	{"le", "\xe2\x89\xa4"}, {"leq", "\xe2\x89\xa4"}, {"ge", "\xe2\x89\xa5"},
	{"geq", "\xe2\x89\xa5"}, {"ne", "\xe2\x89\xa0"}, {"neq", "\xe2\x89\xa0"},
	{"pm", "\xc2\xb1"}, {"div", "\xc3\xb7"}, {"cap", "\xe2\x88\xa9"},
	{"degree", "\xc2\xb0"}, {"ldots", "..."}, {"dots", "..."},
	{"cdots", "\xe2\x8b\xaf"}, {"left", ""}, {"right", ""},
	{"quad", " "}, {"qquad", " "},
};

/* Macros whose one argument is kept as it is. */
static const char *const keep_arg[] = {
	"text", "textrm", "textbf", "textit", "texttt", "mathrm", "mathbf",
	"mathit", "mathsf", "mathtt", "mathbb", "mathcal", "operatorname",
	"boxed", "mbox", "hbox", "fbox", "emph", "displaystyle", "overline",
};

/* The walker's state: its output, and how deep it is (bounded: a text
 * nested deeper is not walked on, and cannot be graded). */
struct walk {
	struct buf *out;
	int depth, deep;
};

static void latex_node(const char **pp, struct walk *w);

/* One argument: a group, a macro, or one character. */
static void latex_arg(const char **pp, struct walk *w)
{
	const char *p = *pp;
	while (*p == ' ')
		p++;
	*pp = p;
	if (*p)
		latex_node(pp, w);
}

static void latex_group(const char **pp, struct walk *w)
{
	const char *p = *pp + 1; /* past '{' */
	while (*p && *p != '}')
		latex_node(&p, w);
	if (*p == '}')
		p++;
	*pp = p;
}

static void latex_macro(const char **pp, struct walk *w)
{
	struct buf *out = w->out;
	const char *p = *pp + 1, *name = p;
	if (!isalpha((unsigned char)*p)) { /* \{ \, \! ... */
		char c = *p ? *p++ : '\0';
		*pp = p;
		if (c == ',' || c == ';' || c == ':' || c == ' ')
			buf_putc(out, ' ');
		else if (c == '\\')
			buf_putc(out, '\n');
		else if (c && c != '!')
			buf_putc(out, c);
		return;
	}
	while (isalpha((unsigned char)*p))
		p++;
	size_t n = (size_t)(p - name);
	*pp = p;
	if (n == 4 && !strncmp(name, "frac", 4)) {
		latex_arg(pp, w);
		buf_putc(out, '/');
		latex_arg(pp, w);
		return;
	}
	if (n == 4 && !strncmp(name, "sqrt", 4)) {
		while (**pp == ' ')
			(*pp)++;
		if (**pp == '[') { /* an index: n-th root, kept as text */
			const char *e = strchr(*pp, ']');
			*pp = e ? e + 1 : *pp + strlen(*pp);
		}
		buf_puts(out, "\xe2\x88\x9a(");
		latex_arg(pp, w);
		buf_putc(out, ')');
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(symbols); i++)
		if (strlen(symbols[i].name) == n && !strncmp(name, symbols[i].name, n)) {
			buf_puts(out, symbols[i].text);
			return;
		}
	for (size_t i = 0; i < ARRAY_SIZE(keep_arg); i++)
		if (strlen(keep_arg[i]) == n && !strncmp(name, keep_arg[i], n)) {
			latex_arg(pp, w);
			return;
		}
	/* an unknown macro: its name goes, what follows stays */
}

static void latex_node(const char **pp, struct walk *w)
{
	const char *p = *pp;
	struct buf *out = w->out;
	if (w->depth >= MAX_NEST) { /* too deep: the rest is not walked */
		w->deep = 1;
		*pp = p + strlen(p);
		return;
	}
	w->depth++;
	if (*p == '\\') {
		latex_macro(pp, w);
	} else if (*p == '{') {
		latex_group(pp, w);
	} else if (*p == '}') {
		*pp = p + 1; /* stray closing brace */
	} else if (*p == '~') {
		buf_putc(out, ' ');
		*pp = p + 1;
	} else if (*p == '$') {
		*pp = p + 1;
	} else {
		buf_putc(out, *p);
		*pp = p + 1;
	}
	w->depth--;
}

static void parse_latex(struct buf *b)
{
	replace(b, "\\tfrac", "\\frac");
	replace(b, "\\dfrac", "\\frac");
	replace(b, "\\frac", " \\frac");
	struct buf out = {0};
	struct walk w = {&out, 0, 0};
	const char *p = b->data;
	while (*p)
		latex_node(&p, &w);
	buf_add(&out, "", 0);
	replace(&out, "\xe2\x88\x9a", "sqrt");
	replace(&out, "\xcf\x80", "pi");
	replace(&out, "\xe2\x88\x9e", "inf");
	replace(&out, "\xe2\x88\xaa", "U");
	replace(&out, "\xc2\xb7", "*");
	replace(&out, "\xc3\x97", "*");
	strip(&out);
	buf_free(b);
	*b = out;
}

/* ---------- grader normalisation ---------- */

/* Python's float(): optional blanks, sign, digits with '_' between, a
 * point, an exponent; or inf / infinity / nan. */
static int py_float(const char *s, double *out)
{
	char tmp[128];
	size_t n = 0;
	while (isspace((unsigned char)*s))
		s++;
	const char *e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	if (e == s || (size_t)(e - s) >= sizeof(tmp))
		return 0;
	const char *p = s;
	if (*p == '+' || *p == '-')
		tmp[n++] = *p++;
	const char *word = p;
	size_t wl = (size_t)(e - p);
	if ((wl == 3 && !strncasecmp(word, "inf", 3)) ||
	    (wl == 8 && !strncasecmp(word, "infinity", 8))) {
		*out = n && tmp[0] == '-' ? -INFINITY : INFINITY;
		return 1;
	}
	if (wl == 3 && !strncasecmp(word, "nan", 3)) {
		*out = NAN;
		return 1;
	}
	int digits = 0, prev_digit = 0;
	int seen_point = 0, seen_exp = 0;
	for (; p < e; p++) {
		char c = *p;
		if (isdigit((unsigned char)c)) {
			tmp[n++] = c;
			digits = prev_digit = 1;
		} else if (c == '_' && prev_digit && p + 1 < e &&
			   isdigit((unsigned char)p[1])) {
			continue;
		} else if (c == '.' && !seen_point && !seen_exp) {
			tmp[n++] = c;
			seen_point = 1;
			prev_digit = 0;
		} else if ((c == 'e' || c == 'E') && digits && !seen_exp) {
			tmp[n++] = c;
			seen_exp = 1;
			prev_digit = 0;
			if (p + 1 < e && (p[1] == '+' || p[1] == '-'))
				tmp[n++] = *++p;
			if (!(p + 1 < e && isdigit((unsigned char)p[1])))
				return 0;
		} else {
			return 0;
		}
	}
	if (!digits)
		return 0;
	tmp[n] = '\0';
	*out = strtod(tmp, NULL);
	return 1;
}

static int is_int_value(double x)
{
	if (!isfinite(x))
		return 0;
	return fabs(x - nearbyint(x)) <= 1e-7;
}

/* str(int(round(x))) for an integral double */
static void int_text(double x, struct buf *b)
{
	buf_reset(b);
	buf_printf(b, "%.0f", nearbyint(x));
	if (strcmp(b->data, "-0") == 0)
		set(b, "0", 1);
}

/* (\d)(,)(\d\d\d)($|\D) -> \1\3\4, until nothing changes */
static void strip_commas(struct buf *b)
{
	for (;;) {
		struct buf out = {0};
		const char *s = b->data ? b->data : "";
		size_t n = b->len, i = 0;
		int changed = 0;
		while (i < n) {
			if (i + 4 < n + 1 && isdigit((unsigned char)s[i]) && s[i + 1] == ',' &&
			    i + 4 < n + 1 && i + 4 <= n &&
			    isdigit((unsigned char)s[i + 2]) && isdigit((unsigned char)s[i + 3]) &&
			    isdigit((unsigned char)s[i + 4]) &&
			    (i + 5 == n || !isdigit((unsigned char)s[i + 5]))) {
				buf_add(&out, s + i, 1);
				buf_add(&out, s + i + 2, 3);
				i += 5;
				if (i < n) { /* the \D is consumed too */
					buf_add(&out, s + i, 1);
					i++;
				}
				changed = 1;
			} else {
				buf_add(&out, s + i, 1);
				i++;
			}
		}
		buf_add(&out, "", 0);
		buf_free(b);
		*b = out;
		if (!changed)
			return;
	}
}

static int str_is_int(const char *s)
{
	struct buf b = {0};
	buf_puts(&b, s);
	strip_commas(&b);
	double x;
	int ok = py_float(b.data, &x) && is_int_value(x);
	buf_free(&b);
	return ok;
}

static const char *const units[] = {
	"degree", "cm", "centimeter", "meter", "mile", "second", "minute",
	"hour", "day", "week", "month", "year", "foot", "feet", "inch", "yard",
};

/* re.sub(unit + "(es)?(s)? *(\^[0-9]+)?", "", s) */
static void strip_unit(struct buf *b, const char *unit)
{
	size_t ul = strlen(unit);
	if (!strstr(b->data, unit))
		return;
	struct buf out = {0};
	const char *p = b->data, *q;
	while ((q = strstr(p, unit)) != NULL) {
		buf_add(&out, p, (size_t)(q - p));
		q += ul;
		if (q[0] == 'e' && q[1] == 's')
			q += 2;
		if (q[0] == 's')
			q++;
		while (*q == ' ')
			q++;
		if (q[0] == '^' && isdigit((unsigned char)q[1])) {
			q++;
			while (isdigit((unsigned char)*q))
				q++;
		}
		p = q;
	}
	buf_puts(&out, p);
	buf_free(b);
	*b = out;
}

/* re.sub(pattern, "", s) for "^ *\\circ" and ",\\! *" */
static void strip_spaced(struct buf *b, const char *head, const char *tail,
			 int spaces_after)
{
	struct buf out = {0};
	const char *p = b->data;
	size_t hl = strlen(head), tl = strlen(tail);
	while (*p) {
		const char *q = p;
		if (!strncmp(q, head, hl)) {
			q += hl;
			if (!spaces_after)
				while (*q == ' ')
					q++;
			if (!strncmp(q, tail, tl)) {
				q += tl;
				if (spaces_after)
					while (*q == ' ')
						q++;
				p = q;
				continue;
			}
		}
		buf_putc(&out, *p++);
	}
	buf_add(&out, "", 0);
	buf_free(b);
	*b = out;
}

char *grade_normalize(const char *s)
{
	struct buf b = {0};
	buf_puts(&b, s);
	unwrap_text(&b);
	replace(&b, "\\%", "%");
	replace(&b, "\\$", "$");
	replace(&b, "$", "");
	replace(&b, "%", "");
	replace(&b, " or ", " , ");
	replace(&b, " and ", " , ");
	replace(&b, "million", "*10^6");
	replace(&b, "billion", "*10^9");
	replace(&b, "trillion", "*10^12");
	for (size_t i = 0; i < ARRAY_SIZE(units); i++)
		strip_unit(&b, units[i]);
	strip_spaced(&b, "^", "\\circ", 0);
	if (b.len > 0 && b.data[0] == '{' && b.data[b.len - 1] == '}') {
		char *t = xstrndup(b.data + 1, b.len >= 2 ? b.len - 2 : 0);
		set(&b, t, strlen(t));
		free(t);
	}
	strip_spaced(&b, ",\\!", "", 1);
	double x;
	if (py_float(b.data, &x) && is_int_value(x))
		int_text(x, &b);
	if (strchr(b.data, '\\'))
		parse_latex(&b);
	/* "- *" -> "-" */
	while (strstr(b.data, "- "))
		replace(&b, "- ", "-");
	{
		struct buf out = {0};
		const char *p = b.data;
		size_t n = b.len;
		for (size_t i = 0; i < n;) {
			/* ([0-9]) +([0-9]) -> \1+\2, a mixed number */
			if (isdigit((unsigned char)p[i]) && i + 1 < n && p[i + 1] == ' ') {
				size_t j = i + 1;
				while (j < n && p[j] == ' ')
					j++;
				if (j < n && isdigit((unsigned char)p[j])) {
					buf_add(&out, p + i, 1);
					buf_putc(&out, '+');
					buf_add(&out, p + j, 1);
					i = j + 1;
					continue;
				}
			}
			buf_add(&out, p + i, 1);
			i++;
		}
		buf_add(&out, "", 0);
		buf_free(&b);
		b = out;
	}
	replace(&b, " ", "");
	replace(&b, "{", "");
	replace(&b, "}", "");
	for (size_t i = 0; i < b.len; i++)
		b.data[i] = (char)tolower((unsigned char)b.data[i]);
	if (str_is_int(b.data)) {
		replace(&b, ",", "");
		py_float(b.data, &x);
		/* int(float(x)) truncates; x is integral within 1e-7 */
		buf_reset(&b);
		buf_printf(&b, "%.0f", trunc(x));
		if (strcmp(b.data, "-0") == 0)
			set(&b, "0", 1);
	}
	return b.data;
}

/* ---------- exact arithmetic ---------- */

typedef struct rat rat;

#define NSYM 27 /* a..z, pi */
#define MAXTERMS 64

struct term {
	rat c;
	int64_t rad;       /* square-free radicand: c * sqrt(rad) * ... */
	int8_t e[NSYM];    /* exponents */
};

struct poly {
	int n;
	struct term t[MAXTERMS];
};

static int same_monomial(const struct term *a, const struct term *b)
{
	return a->rad == b->rad && memcmp(a->e, b->e, sizeof(a->e)) == 0;
}

static int poly_add_term(struct poly *p, const struct term *t)
{
	if (t->c.n == 0)
		return 0;
	for (int i = 0; i < p->n; i++)
		if (same_monomial(&p->t[i], t)) {
			if (rat_add(p->t[i].c, t->c, &p->t[i].c) < 0)
				return -1;
			if (p->t[i].c.n == 0)
				p->t[i] = p->t[--p->n];
			return 0;
		}
	if (p->n == MAXTERMS)
		return -1;
	p->t[p->n++] = *t;
	return 0;
}

/* Splits n > 0 into s^2 * r with r square-free: returns r, sets s. */
static int64_t square_free(int64_t n, int64_t *s)
{
	*s = 1;
	for (int64_t f = 2; f <= 1000000 && f * f <= n; f++)
		while (n % (f * f) == 0) {
			n /= f * f;
			if (__builtin_mul_overflow(*s, f, s))
				return -1;
		}
	return n;
}

static int term_mul(const struct term *a, const struct term *b, struct term *out)
{
	if (rat_mul(a->c, b->c, &out->c) < 0)
		return -1;
	for (int i = 0; i < NSYM; i++) {
		int e = a->e[i] + b->e[i];
		if (e > 100 || e < -100)
			return -1;
		out->e[i] = (int8_t)e;
	}
	/* sqrt(r1) sqrt(r2) = g sqrt(r1/g * r2/g), g = gcd(r1, r2) */
	int64_t g = rat_gcd(a->rad, b->rad), r;
	if (__builtin_mul_overflow(a->rad / g, b->rad / g, &r))
		return -1;
	out->rad = r;
	rat gr = {g, 1};
	return rat_mul(out->c, gr, &out->c);
}

static int poly_mul(const struct poly *a, const struct poly *b, struct poly *out)
{
	struct poly r = {0};
	for (int i = 0; i < a->n; i++)
		for (int j = 0; j < b->n; j++) {
			struct term t;
			if (term_mul(&a->t[i], &b->t[j], &t) < 0 || poly_add_term(&r, &t) < 0)
				return -1;
		}
	*out = r;
	return 0;
}

static void poly_const(struct poly *p, rat c)
{
	memset(p, 0, sizeof(*p));
	if (c.n == 0)
		return;
	p->n = 1;
	p->t[0].c = c;
	p->t[0].rad = 1;
}

/* 1 / (one term): c^-1 sqrt(r)^-1 = sqrt(r) / (c r) */
static int poly_inverse(const struct poly *a, struct poly *out)
{
	if (a->n != 1)
		return -1; /* division by a sum is beyond this evaluator */
	const struct term *t = &a->t[0];
	struct term r = {0};
	rat inv, rr = {t->rad, 1};
	if (rat_make(t->c.d, t->c.n, &inv) < 0 || rat_mul(inv, (rat){1, 1}, &inv) < 0)
		return -1;
	if (rat_make(inv.n, inv.d, &inv) < 0)
		return -1;
	rat rinv;
	if (rat_make(1, rr.n, &rinv) < 0 || rat_mul(inv, rinv, &r.c) < 0)
		return -1;
	r.rad = t->rad;
	for (int i = 0; i < NSYM; i++)
		r.e[i] = (int8_t)-t->e[i];
	memset(out, 0, sizeof(*out));
	out->n = 1;
	out->t[0] = r;
	return 0;
}

static int poly_is_const(const struct poly *p, rat *c)
{
	if (p->n == 0) {
		*c = (rat){0, 1};
		return 1;
	}
	if (p->n != 1 || p->t[0].rad != 1)
		return 0;
	for (int i = 0; i < NSYM; i++)
		if (p->t[0].e[i])
			return 0;
	*c = p->t[0].c;
	return 1;
}

static int poly_sqrt(const struct poly *a, struct poly *out)
{
	rat c;
	if (!poly_is_const(a, &c) || c.n < 0)
		return -1;
	/* sqrt(n/d) = sqrt(n d) / d */
	int64_t nd, s;
	if (__builtin_mul_overflow(c.n, c.d, &nd))
		return -1;
	if (nd == 0) {
		memset(out, 0, sizeof(*out));
		return 0;
	}
	int64_t r = square_free(nd, &s);
	if (r < 0)
		return -1;
	rat k;
	if (rat_make(s, c.d, &k) < 0)
		return -1;
	poly_const(out, k);
	out->t[0].rad = r;
	return 0;
}

static int poly_pow(const struct poly *a, const struct poly *e, struct poly *out)
{
	rat x;
	if (!poly_is_const(e, &x))
		return -1;
	if (x.d == 2 && x.n == 1)
		return poly_sqrt(a, out);
	if (x.d != 1 || x.n > 64 || x.n < -64)
		return -1;
	struct poly base = *a, r;
	if (x.n < 0) {
		if (poly_inverse(a, &base) < 0)
			return -1;
		x.n = -x.n;
	}
	poly_const(&r, (rat){1, 1});
	for (int64_t i = 0; i < x.n; i++)
		if (poly_mul(&r, &base, &r) < 0)
			return -1;
	*out = r;
	return 0;
}

/* ---------- the expression parser ---------- */

struct parser {
	const char *p;
	int fail;
	int depth; /* bounded: each level holds polynomials on the stack */
};

static int parse_sum(struct parser *ps, struct poly *out);

static int at_atom(const struct parser *ps)
{
	char c = *ps->p;
	return isdigit((unsigned char)c) || c == '.' || isalpha((unsigned char)c) || c == '(';
}

static int parse_number(struct parser *ps, struct poly *out)
{
	int64_t n = 0, d = 1;
	int any = 0;
	while (isdigit((unsigned char)*ps->p)) {
		if (__builtin_mul_overflow(n, 10, &n) ||
		    __builtin_add_overflow(n, *ps->p - '0', &n))
			return -1;
		ps->p++;
		any = 1;
	}
	if (*ps->p == '.') {
		ps->p++;
		while (isdigit((unsigned char)*ps->p)) {
			if (__builtin_mul_overflow(n, 10, &n) ||
			    __builtin_add_overflow(n, *ps->p - '0', &n) ||
			    __builtin_mul_overflow(d, 10, &d))
				return -1;
			ps->p++;
			any = 1;
		}
	}
	if (!any)
		return -1;
	rat r;
	if (rat_make(n, d, &r) < 0)
		return -1;
	poly_const(out, r);
	return 0;
}

static int parse_power(struct parser *ps, struct poly *out);
static int parse_atom(struct parser *ps, struct poly *out);

static int parse_atom_in(struct parser *ps, struct poly *out)
{
	const char *p = ps->p;
	if (*p == '(') {
		ps->p++;
		if (parse_sum(ps, out) < 0 || *ps->p != ')')
			return -1;
		ps->p++;
		return 0;
	}
	if (isdigit((unsigned char)*p) || *p == '.')
		return parse_number(ps, out);
	if (!strncmp(p, "sqrt", 4)) {
		ps->p += 4;
		struct poly arg;
		if (*ps->p == '(') {
			if (parse_atom(ps, &arg) < 0)
				return -1;
		} else if (parse_power(ps, &arg) < 0) {
			return -1;
		}
		return poly_sqrt(&arg, out);
	}
	if (!strncmp(p, "pi", 2)) {
		ps->p += 2;
		poly_const(out, (rat){1, 1});
		out->t[0].e[26] = 1;
		return 0;
	}
	if (*p >= 'a' && *p <= 'z') {
		ps->p++;
		poly_const(out, (rat){1, 1});
		out->t[0].e[*p - 'a'] = 1;
		return 0;
	}
	return -1;
}

static int parse_unary(struct parser *ps, struct poly *out);

/* The two places the parser goes deeper, each level counted. */
static int parse_atom(struct parser *ps, struct poly *out)
{
	if (ps->depth >= MAX_NEST)
		return -1;
	ps->depth++;
	int rc = parse_atom_in(ps, out);
	ps->depth--;
	return rc;
}

static int parse_unary_in(struct parser *ps, struct poly *out);

static int parse_unary(struct parser *ps, struct poly *out)
{
	if (ps->depth >= MAX_NEST)
		return -1;
	ps->depth++;
	int rc = parse_unary_in(ps, out);
	ps->depth--;
	return rc;
}

static int parse_power(struct parser *ps, struct poly *out)
{
	if (parse_atom(ps, out) < 0)
		return -1;
	if (*ps->p == '^' || (ps->p[0] == '*' && ps->p[1] == '*')) {
		ps->p += *ps->p == '^' ? 1 : 2;
		struct poly e;
		if (parse_unary(ps, &e) < 0) /* right-associative */
			return -1;
		return poly_pow(out, &e, out);
	}
	return 0;
}

static int parse_unary_in(struct parser *ps, struct poly *out)
{
	if (*ps->p == '-' || *ps->p == '+') {
		int neg = *ps->p == '-';
		ps->p++;
		if (parse_unary(ps, out) < 0)
			return -1;
		if (neg)
			for (int i = 0; i < out->n; i++)
				out->t[i].c.n = -out->t[i].c.n;
		return 0;
	}
	return parse_power(ps, out);
}

static int parse_product(struct parser *ps, struct poly *out)
{
	if (parse_unary(ps, out) < 0)
		return -1;
	for (;;) {
		char c = *ps->p;
		struct poly r;
		if (c == '*' && ps->p[1] != '*') {
			ps->p++;
			if (parse_unary(ps, &r) < 0 || poly_mul(out, &r, out) < 0)
				return -1;
		} else if (c == '/') {
			ps->p++;
			if (parse_unary(ps, &r) < 0 || poly_inverse(&r, &r) < 0 ||
			    poly_mul(out, &r, out) < 0)
				return -1;
		} else if (at_atom(ps)) { /* implicit multiplication */
			if (parse_power(ps, &r) < 0 || poly_mul(out, &r, out) < 0)
				return -1;
		} else {
			return 0;
		}
	}
}

static int parse_sum(struct parser *ps, struct poly *out)
{
	if (parse_product(ps, out) < 0)
		return -1;
	while (*ps->p == '+' || *ps->p == '-') {
		int neg = *ps->p == '-';
		ps->p++;
		struct poly r;
		if (parse_product(ps, &r) < 0)
			return -1;
		for (int i = 0; i < r.n; i++) {
			if (neg)
				r.t[i].c.n = -r.t[i].c.n;
			if (poly_add_term(out, &r.t[i]) < 0)
				return -1;
		}
	}
	return 0;
}

/* ---------- grade_answer ---------- */

static int should_allow_eval(const char *expr)
{
	struct buf b = {0};
	buf_puts(&b, expr);
	replace(&b, "sqrt", "");
	replace(&b, "frac", "");
	int seen[256] = {0}, letters = 0;
	for (const unsigned char *p = (const unsigned char *)b.data; *p; p++)
		if (isalpha(*p) && !seen[*p]++)
			letters++;
	buf_free(&b);
	if (letters > 2 || strstr(expr, "^{") || strstr(expr, "^("))
		return 0;
	for (const char *p = strchr(expr, '^'); p; p = strchr(p + 1, '^')) {
		const char *q = p + 1;
		while (isdigit((unsigned char)*q))
			q++;
		size_t nd = (size_t)(q - p - 1);
		if (nd >= 2 || (nd >= 1 && *q == '^'))
			return 0;
	}
	return 1;
}

static int equal_exactly(const char *gt, const char *given)
{
	struct buf e = {0};
	buf_printf(&e, "(%s)-(%s)", gt, given);
	int eq = 0;
	if (should_allow_eval(e.data)) {
		struct parser ps = {e.data, 0, 0};
		struct poly *p = xmalloc(sizeof(*p));
		if (parse_sum(&ps, p) == 0 && *ps.p == '\0')
			eq = p->n == 0;
		free(p);
	}
	buf_free(&e);
	return eq;
}

/* ^-?[0-9]+.?/0*[1-9][0-9]*.?$ */
static int is_frac(const char *s)
{
	const char *p = s;
	if (*p == '-')
		p++;
	if (!isdigit((unsigned char)*p))
		return 0;
	/* "[0-9]+.?" then "/": backtracking cases are all covered by trying
	 * each possible end of the digit run */
	const char *sl = strchr(p, '/');
	if (!sl || strchr(sl + 1, '/'))
		return 0;
	const char *q = p;
	while (isdigit((unsigned char)*q))
		q++;
	if (q != sl && !(q + 1 == sl))
		return 0;
	q = sl + 1;
	while (*q == '0')
		q++;
	if (*q < '1' || *q > '9')
		return 0;
	while (isdigit((unsigned char)*q))
		q++;
	return *q == '\0' || q[1] == '\0';
}

/* split_tuple: the elements of (a,b) [a,b) ..., else the whole */
static size_t split_tuple(const char *expr, char ***out)
{
	struct buf b = {0};
	buf_puts(&b, expr);
	strip_commas(&b);
	size_t n = b.len, count = 0;
	char **v = NULL;
	const char *tc = "()[]";
	int tuple = n > 2 && strchr(tc, b.data[0]) && strchr(tc, b.data[n - 1]);
	for (size_t i = 1; tuple && i + 1 < n; i++)
		if (strchr(tc, b.data[i]))
			tuple = 0;
	if (n == 0) {
		buf_free(&b);
		*out = NULL;
		return 0;
	}
	if (tuple) {
		const char *p = b.data + 1, *end = b.data + n - 1;
		for (;;) {
			const char *c = memchr(p, ',', (size_t)(end - p));
			const char *e = c ? c : end;
			const char *s = p;
			size_t l = (size_t)(e - p);
			trim(&s, &l);
			v = xrealloc(v, (count + 1) * sizeof(*v));
			v[count++] = xstrndup(s, l);
			if (!c)
				break;
			p = c + 1;
		}
	} else {
		v = xmalloc(sizeof(*v));
		v[count++] = xstrdup(b.data);
	}
	buf_free(&b);
	*out = v;
	return count;
}

static void free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int grade_too_deep(const char *s)
{
	int depth = 0, run = 0;
	for (const char *p = s; p && *p; p++) {
		if (*p == '(' || *p == '[' || *p == '{')
			depth++;
		else if ((*p == ')' || *p == ']' || *p == '}') && depth > 0)
			depth--;
		/* a run of signs, powers or roots nests as deep as it is long */
		if (*p == '-' || *p == '+' || *p == '^' || !strncmp(p, "\\sqrt", 5))
			run++;
		else if (*p != ' ' && *p != '{' && *p != '}' && !isalpha((unsigned char)*p))
			run = 0;
		if (depth >= MAX_NEST || run >= MAX_NEST)
			return 1;
	}
	return 0;
}

int grade_answer(const char *given, const char *gold)
{
	if (!given || !gold)
		return 0;
	/* too deep to grade: never equal, and never walked (the walks would
	 * take time quadratic in such a text's size) */
	if (grade_too_deep(given) || grade_too_deep(gold))
		return 0;
	char *mg = grade_math_normalize(gold), *mi = grade_math_normalize(given);
	int same = strcmp(mg, mi) == 0;
	free(mg);
	free(mi);
	if (same)
		return 1;
	char *g = grade_normalize(gold), *a = grade_normalize(given);
	int ok = 0;
	if (strcmp(g, a) == 0) {
		ok = 1;
	} else if (*a) {
		char **ge, **ae;
		size_t ng = split_tuple(g, &ge), na = split_tuple(a, &ae);
		size_t lg = strlen(g), la = strlen(a);
		if (ng > 1 && (g[0] != a[0] || g[lg - 1] != a[la - 1])) {
			ok = 0;
		} else if (ng != na) {
			ok = 0;
		} else {
			ok = 1;
			for (size_t i = 0; i < ng && ok; i++) {
				if (is_frac(ge[i]) && is_frac(ae[i]))
					ok = strcmp(ge[i], ae[i]) == 0;
				else if (str_is_int(ge[i]) != str_is_int(ae[i]))
					ok = 0;
				else
					ok = equal_exactly(ge[i], ae[i]);
			}
		}
		free_list(ge, ng);
		free_list(ae, na);
	}
	free(g);
	free(a);
	return ok;
}

/* ---------- the same answer, beyond the PRM800K rules ---------- */

/* The pieces of s at its top-level separators (sep: "=" or ","), outside
 * ( ) [ ] { } and \{ \}; at most max. Returns their number. */
static size_t split_top(const char *s, const char *sep, const char **at, size_t *len,
			size_t max)
{
	size_t n = 0;
	int depth = 0;
	const char *from = s;
	for (const char *p = s;; p++) {
		if (*p == '\\' && p[1] && strchr("{}", p[1])) {
			depth += p[1] == '{' ? 1 : -1;
			p++;
			continue;
		}
		if (*p && strchr("([{", *p))
			depth++;
		else if (*p && strchr(")]}", *p))
			depth--;
		if (!*p || (depth == 0 && *p == *sep && !(*sep == '=' && p > s && strchr("<>!\\", p[-1])))) {
			if (n == max)
				return max + 1;
			at[n] = from, len[n] = (size_t)(p - from);
			trim(&at[n], &len[n]);
			n++;
			if (!*p)
				return n;
			from = p + 1;
		}
	}
}

/* f(x), \sin\theta, a_n, AB, P(A): a left side that names a quantity (letters,
 * commands, subscripts, primes, one argument list), no arithmetic in it */
static int names_quantity(const char *s, size_t n)
{
	int letters = 0, depth = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '(' || c == '[' || c == '{')
			depth++;
		else if (c == ')' || c == ']' || c == '}')
			depth--;
		else if (isalpha(c))
			letters += depth == 0;
		else if (depth == 0 && !(c == '\\' || c == '_' || c == '\'' || c == ' ' || c == '|' ||
					 (isdigit(c) && i > 0 && (s[i - 1] == '_' || isdigit((unsigned char)s[i - 1])))))
			return 0;
	}
	return letters > 0 && depth == 0;
}

/* the right side of "name = answer", malloc'd; NULL when s is not one */
static char *named_answer(const char *s)
{
	const char *at[3];
	size_t len[3];
	if (split_top(s, "=", at, len, 2) != 2 || !len[1] || !names_quantity(at[0], len[0]))
		return NULL;
	return xstrndup(at[1], len[1]);
}

static int same_one(const char *given, const char *gold)
{
	if (grade_answer(given, gold))
		return 1;
	/* "f(x) = x + 22" is "x + 22" (not "y = 5" against "x = 5") */
	char *g = named_answer(given), *t = named_answer(gold);
	int ok = (g && !t && grade_answer(g, gold)) || (t && !g && grade_answer(given, t));
	free(g);
	free(t);
	return ok;
}

#define MAX_LIST 32

/* the problem asks for its answers in an order */
static int asks_order(const char *problem)
{
	static const char *const says[] = {"ordered", "increasing order", "decreasing order",
					   "ascending", "descending", "in that order",
					   "in the order", "from least", "from smallest",
					   "from greatest", "from largest"};
	for (size_t i = 0; problem && i < ARRAY_SIZE(says); i++)
		if (strstr(problem, says[i]))
			return 1;
	return 0;
}

/* the elements of an unordered list: "a, b" or "\{a, b\}", not a tuple or
 * an interval (those keep their order), nor 1,000 */
static size_t list_of(const char *s, const char **at, size_t *len)
{
	size_t n = strlen(s);
	const char *p = s;
	trim(&p, &n);
	if (n >= 4 && !strncmp(p, "\\{", 2) && !strncmp(p + n - 2, "\\}", 2))
		p += 2, n -= 4; /* a tuple or an interval is one piece */
	char *body = xstrndup(p, n);
	size_t k = split_top(body, ",", at, len, MAX_LIST);
	for (size_t i = 1; i < k && k <= MAX_LIST; i++)
		if (len[i] == 3 && isdigit((unsigned char)at[i][0]) && isdigit((unsigned char)at[i][1]) &&
		    isdigit((unsigned char)at[i][2]))
			k = 0; /* a thousands separator */
	for (size_t i = 0; i < k && k <= MAX_LIST; i++) /* point into s, not body */
		at[i] = p + (at[i] - body);
	free(body);
	return k >= 2 && k <= MAX_LIST ? k : 0;
}

int grade_same_answer(const char *given, const char *gold, const char *problem)
{
	if (!given || !gold || grade_too_deep(given) || grade_too_deep(gold))
		return 0;
	if (same_one(given, gold))
		return 1;
	/* "10^{100}, 10^{0.01}" is "10^{0.01}, 10^{100}" unless the problem
	 * asks for an order */
	const char *ga[MAX_LIST + 1], *ta[MAX_LIST + 1];
	size_t gl[MAX_LIST + 1], tl[MAX_LIST + 1];
	size_t ng = list_of(given, ga, gl), nt = list_of(gold, ta, tl);
	if (!ng || ng != nt || asks_order(problem))
		return 0;
	int used[MAX_LIST] = {0}, ok = 1;
	for (size_t i = 0; i < ng && ok; i++) {
		char *a = xstrndup(ga[i], gl[i]);
		ok = 0;
		for (size_t j = 0; j < nt && !ok; j++) {
			if (used[j])
				continue;
			char *b = xstrndup(ta[j], tl[j]);
			if (same_one(a, b))
				used[j] = ok = 1;
			free(b);
		}
		free(a);
	}
	return ok;
}
