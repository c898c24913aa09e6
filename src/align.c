/* align.c - the offline aligner: each solution step linked to the
 * reference steps it restates, by dynamic programming over a similarity
 * of quantities, math symbols and words */
#include "config.h"

#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "align.h"
#include "rat.h"
#include "util.h"

/* ---- what a step says: its quantities, symbols and words ---- */

/* A feature: a sorted, unique list of keys with weights. A quantity's key
 * is its rational; a symbol's and a word's a hash. */
struct key {
	uint64_t k;
	float w;
};

struct feat {
	size_t q, nq, s, ns, w, nw; /* slices of the aligner's key pool */
	float qw, sw, ww;           /* their total weights */
	uint64_t res;               /* the value it computes (its key), when */
	int has_res;                /* ... it has one, and not 0, 1 or 2 */
};

struct aligner {
	double min_score;
	struct key *pool;
	size_t npool, cappool;
	struct feat *f;
	size_t capf;
	double *score, *g, *gn;   /* scores n x m; the states, m + 1 */
	size_t capscore, capstate;
	int *from_p, *from_a;     /* n x (m + 1): how each state was reached */
	size_t capback;
	int *ra, *rb;             /* per step: its range, -1 none */
	size_t capsteps;
	struct alink *links;
	size_t caplinks;
	struct refsteps ref;
	int *covered;
	size_t capcov;
};

struct aligner *aligner_new(void)
{
	struct aligner *al = xcalloc(1, sizeof(*al));
	al->min_score = 0.35;
	al->cappool = 1024; /* never NULL: offsets into it are always valid */
	al->pool = xmalloc(al->cappool * sizeof(*al->pool));
	return al;
}

void aligner_threshold(struct aligner *al, double min_score)
{
	al->min_score = min_score;
}

void aligner_free(struct aligner *al)
{
	if (!al)
		return;
	free(al->pool);
	free(al->f);
	free(al->score);
	free(al->g);
	free(al->gn);
	free(al->from_p);
	free(al->from_a);
	free(al->ra);
	free(al->rb);
	free(al->links);
	free(al->covered);
	refsteps_free(&al->ref);
	free(al);
}

static uint64_t fnv(const char *s, size_t n, uint64_t tag)
{
	uint64_t h = 1469598103934665603ULL ^ tag;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static void add_key(struct aligner *al, uint64_t k, float w)
{
	if (al->npool == al->cappool) {
		al->cappool = al->cappool ? al->cappool * 2 : 1024;
		al->pool = xrealloc(al->pool, al->cappool * sizeof(*al->pool));
	}
	al->pool[al->npool].k = k;
	al->pool[al->npool++].w = w;
}

/* A quantity as a key: its numerator and denominator mixed (splitmix). */
static uint64_t rat_key(struct rat r)
{
	uint64_t h = (uint64_t)r.n * 0x9E3779B97F4A7C15ULL ^ (uint64_t)r.d * 0xC2B2AE3D27D4EB4FULL;
	h ^= h >> 31;
	h *= 0xBF58476D1CE4E5B9ULL;
	h ^= h >> 29;
	return h;
}

static void add_rat(struct aligner *al, struct rat r)
{
	/* 0, 1 and 2 are everywhere: they count for less */
	int small = r.d == 1 && r.n >= -2 && r.n <= 2;
	add_key(al, rat_key(r), small ? 0.25f : 1.0f);
}

/* Digits at t[i..] as an integer, with thousands commas when commas
 * (1,000,000: a group of at most three, then groups of three); the end in
 * *end. -1 on overflow. */
static int parse_int(const char *t, size_t n, size_t i, int64_t *v, size_t *end, int commas)
{
	int64_t x = 0;
	size_t k = i, group = i;
	while (k < n) {
		if (ascii_digit(t[k])) {
			if (x > (INT64_MAX - 9) / 10)
				return -1;
			x = x * 10 + (t[k] - '0');
			k++;
		} else if (commas && t[k] == ',' && k - group <= 3 && k + 3 < n &&
			   ascii_digit(t[k + 1]) && ascii_digit(t[k + 2]) && ascii_digit(t[k + 3]) &&
			   (k + 4 >= n || !ascii_digit(t[k + 4]))) {
			group = ++k;
		} else {
			break;
		}
	}
	*v = x;
	*end = k;
	return 0;
}

/* {123} or a single digit, as \frac's argument */
static int frac_arg(const char *t, size_t n, size_t *i, int64_t *v)
{
	size_t k = *i;
	while (k < n && t[k] == ' ')
		k++;
	if (k < n && ascii_digit(t[k])) {
		*v = t[k] - '0';
		*i = k + 1;
		return 0;
	}
	if (k >= n || t[k] != '{')
		return -1;
	k++;
	while (k < n && t[k] == ' ')
		k++;
	int neg = k < n && t[k] == '-';
	if (neg)
		k++;
	size_t e;
	if (k >= n || !ascii_digit(t[k]) || parse_int(t, n, k, v, &e, 0) < 0)
		return -1;
	while (e < n && t[e] == ' ')
		e++;
	if (e >= n || t[e] != '}')
		return -1;
	if (neg)
		*v = -*v;
	*i = e + 1;
	return 0;
}

/* A word and its length, to compare the length first. */
struct word {
	const char *w;
	size_t n;
};
#define W(s) {s, sizeof(s) - 1}

static int in_words(const struct word *t, size_t nt, const char *w, size_t n)
{
	for (size_t i = 0; i < nt; i++)
		if (t[i].n == n && t[i].w[0] == w[0] && !memcmp(t[i].w, w, n))
			return 1;
	return 0;
}

/* a LaTeX command that says nothing of the step's content */
static int layout_command(const char *name, size_t n)
{
	static const struct word skip[] = {
		W("left"), W("right"), W("text"), W("textbf"), W("mathrm"), W("mathbf"), W("quad"),
		W("qquad"), W("displaystyle"), W("begin"), W("end"), W("boxed"), W("bigl"),
		W("bigr"), W("Bigl"), W("Bigr"), W("big"), W("Big"), W("mbox"), W("hspace"),
		W("vspace"), W("tfrac"), W("dfrac"), W("frac"), W("emph"), W("textit"),
		W("operatorname"), W("limits"), W("nonumber"), W("label"),
	};
	return in_words(skip, sizeof(skip) / sizeof(skip[0]), name, n);
}

static int stop_word(const char *w, size_t n)
{
	static const struct word stop[] = {
		W("the"), W("and"), W("for"), W("that"), W("this"), W("with"), W("are"), W("was"),
		W("were"), W("from"), W("have"), W("has"), W("had"), W("but"), W("not"), W("all"),
		W("can"), W("our"), W("its"), W("which"), W("then"), W("than"), W("there"),
		W("their"), W("they"), W("them"), W("these"), W("those"), W("into"), W("also"),
		W("each"), W("now"), W("so"), W("let"), W("get"), W("gives"), W("give"), W("since"),
		W("thus"), W("therefore"), W("hence"), W("will"), W("would"), W("should"),
		W("could"), W("what"), W("when"), W("where"), W("who"), W("how"), W("step"),
		W("answer"), W("find"), W("need"), W("use"), W("using"), W("know"), W("means"),
		W("mean"), W("equal"), W("equals"), W("both"), W("one"), W("any"), W("some"),
		W("out"), W("just"), W("may"), W("must"), W("here"), W("such"), W("being"),
		W("been"), W("did"), W("does"), W("she"), W("her"), W("hers"), W("his"), W("him"),
		W("you"), W("your"), W("yours"), W("who"), W("whom"), W("whose"), W("why"),
		W("very"), W("only"), W("again"), W("about"), W("over"), W("after"), W("before"),
	};
	return in_words(stop, sizeof(stop) / sizeof(stop[0]), w, n);
}

static int cmp_key(const void *a, const void *b)
{
	uint64_t x = ((const struct key *)a)->k, y = ((const struct key *)b)->k;
	return x < y ? -1 : x > y;
}

/* Sorts pool[from..] and keeps one of each key; its length and weight. */
static size_t unique(struct aligner *al, size_t from, float *weight)
{
	size_t n = al->npool - from;
	struct key *k = al->pool + from;
	if (n > 1)
		qsort(k, n, sizeof(*k), cmp_key);
	size_t m = 0;
	float w = 0;
	for (size_t i = 0; i < n; i++) {
		if (m && k[m - 1].k == k[i].k)
			continue;
		k[m++] = k[i];
		w += k[i].w;
	}
	al->npool = from + m;
	*weight = w;
	return m;
}

/* The quantities of t: numbers (signed, decimal, with thousands commas),
 * a/b and \frac{a}{b} as one rational each. GSM8K's <<...>> annotations
 * are left out: the value they compute follows them in the text. */
static void quantities(struct aligner *al, const char *t, size_t n)
{
	for (size_t i = 0; i < n;) {
		if (t[i] == '<' && i + 1 < n && t[i + 1] == '<') {
			const char *e = strstr(t + i, ">>");
			i = e && (size_t)(e - t) < n ? (size_t)(e - t) + 2 : n;
			continue;
		}
		if (t[i] == '\\' && i + 5 < n) {
			size_t k = i + 1, c = k;
			while (c < n && ascii_alpha(t[c]))
				c++;
			if ((c - k == 4 && !strncmp(t + k, "frac", 4)) ||
			    (c - k == 5 && (!strncmp(t + k, "dfrac", 5) || !strncmp(t + k, "tfrac", 5)))) {
				int64_t a, b;
				size_t at = c;
				struct rat r;
				if (frac_arg(t, n, &at, &a) == 0 && frac_arg(t, n, &at, &b) == 0 &&
				    rat_make(a, b, &r) == 0) {
					add_rat(al, r);
					i = at;
					continue;
				}
			}
			i = c > k ? c : k + 1;
			continue;
		}
		if (!ascii_digit(t[i])) {
			i++;
			continue;
		}
		/* a digit in a name (x2, a_1) or a step's number is no quantity */
		if (i > 0 && (ascii_alpha(t[i - 1]) || t[i - 1] == '_')) {
			while (i < n && ascii_digit(t[i]))
				i++;
			continue;
		}
		int64_t v;
		size_t e;
		if (parse_int(t, n, i, &v, &e, 1) < 0) {
			while (i < n && ascii_digit(t[i]))
				i++;
			continue;
		}
		struct rat r = {v, 1};
		if (e + 1 < n && t[e] == '.' && ascii_digit(t[e + 1])) {
			int64_t d = 1, x = v;
			size_t k = e + 1;
			int over = 0;
			while (k < n && ascii_digit(t[k])) {
				if (!over && d <= INT64_MAX / 10 && x <= (INT64_MAX - 9) / 10) {
					x = x * 10 + (t[k] - '0');
					d *= 10;
				} else {
					over = 1;
				}
				k++;
			}
			e = k;
			if (over || rat_make(x, d, &r) < 0) {
				i = e;
				continue;
			}
		} else if (e + 1 < n && t[e] == '/' && ascii_digit(t[e + 1])) {
			int64_t b;
			size_t k;
			struct rat q;
			if (parse_int(t, n, e + 1, &b, &k, 0) == 0 && rat_make(v, b, &q) == 0) {
				r = q;
				e = k;
			}
		}
		/* a minus sign, not a subtraction */
		size_t p = i;
		while (p > 0 && t[p - 1] == ' ')
			p--;
		if (p > 0 && t[p - 1] == '-' && p == i) {
			size_t q = p - 1;
			while (q > 0 && t[q - 1] == ' ')
				q--;
			if (q == 0 || !(ascii_alpha(t[q - 1]) || ascii_digit(t[q - 1]) || t[q - 1] == ')' ||
					t[q - 1] == '}' || t[q - 1] == ']'))
				r.n = -r.n;
		}
		add_rat(al, r);
		i = e;
	}
}

/* A digit next to t[i], spaces between allowed. */
static int around_digits(const char *t, size_t n, size_t i)
{
	size_t l = i, r = i + 1;
	while (l > 0 && t[l - 1] == ' ')
		l--;
	while (r < n && t[r] == ' ')
		r++;
	return (l > 0 && ascii_digit(t[l - 1])) || (r < n && ascii_digit(t[r]));
}

/* The math's variables, operators and commands: in $...$, \(...\),
 * \[...\] and environments, and operators between digits anywhere
 * ("3*4=12"). */
static void symbols(struct aligner *al, const char *t, size_t n)
{
	int math = 0;
	for (size_t i = 0; i < n; i++) {
		char c = t[i];
		if (c == '\\' && i + 1 < n) {
			char d = t[i + 1];
			if (d == '$') {
				i++;
				continue;
			}
			if (d == '(' || d == '[') {
				math = 1;
				i++;
				continue;
			}
			if (d == ')' || d == ']') {
				math = 0;
				i++;
				continue;
			}
			size_t k = i + 1;
			while (k < n && ascii_alpha(t[k]))
				k++;
			if (k > i + 1 && !layout_command(t + i + 1, k - i - 1))
				add_key(al, fnv(t + i + 1, k - i - 1, 'c'), 1.0f);
			if (k > i + 1 && (k - i - 1 == 5 && !strncmp(t + i + 1, "begin", 5)))
				math = 1;
			i = k > i + 1 ? k - 1 : i + 1;
			continue;
		}
		if (c == '$') {
			math = !math;
			continue;
		}
		int op = c == '+' || c == '-' || c == '*' || c == '/' || c == '<' || c == '>' ||
			 c == '^';
		if (op && (math || around_digits(t, n, i))) {
			add_key(al, fnv(&c, 1, 'o'), 0.5f);
			continue;
		}
		if (math && ascii_alpha(c) && (i == 0 || !ascii_alpha(t[i - 1])) &&
		    (i + 1 >= n || !ascii_alpha(t[i + 1])))
			add_key(al, fnv(&c, 1, 'v'), 1.0f);
	}
}

/* The words outside math: three letters or more, not the commonest, an
 * English plural's s dropped. */
static void words(struct aligner *al, const char *t, size_t n)
{
	int math = 0;
	char w[32];
	for (size_t i = 0; i < n;) {
		char c = t[i];
		if (c == '$') {
			math = !math;
			i++;
			continue;
		}
		if (c == '\\') {
			if (i + 1 < n && (t[i + 1] == '(' || t[i + 1] == '['))
				math = 1;
			else if (i + 1 < n && (t[i + 1] == ')' || t[i + 1] == ']'))
				math = 0;
			i += 2;
			while (i < n && ascii_alpha(t[i]))
				i++;
			continue;
		}
		if (!ascii_alpha(c)) {
			i++;
			continue;
		}
		size_t k = i;
		while (k < n && ascii_alpha(t[k]))
			k++;
		size_t len = k - i;
		if (!math && len >= 3 && len < sizeof(w)) {
			for (size_t j = 0; j < len; j++)
				w[j] = (char)(t[i + j] | 0x20);
			if (len > 4 && w[len - 1] == 's' && w[len - 2] != 's')
				len--;
			if (!stop_word(w, len))
				add_key(al, fnv(w, len, 'w'), 1.0f);
		}
		i = k;
	}
}

/* "Step 3:" leading a model's step says nothing */
static size_t skip_step_number(const char *t, size_t n)
{
	size_t i = 0;
	while (i < n && ascii_space(t[i]))
		i++;
	if (n - i < 6 || strncmp(t + i, "Step ", 5) != 0)
		return 0;
	size_t k = i + 5;
	while (k < n && ascii_digit(t[k]))
		k++;
	if (k == i + 5 || k >= n || (t[k] != ':' && t[k] != '.'))
		return 0;
	return k + 1;
}

/* The value a step computes: the first quantity after its last '='
 * outside GSM8K's annotations ("30 * 0.5 = <<30*.5=15>>15 miles": 15). */
static void result(struct aligner *al, struct feat *f, const char *t, size_t n)
{
	size_t eq = n, depth = 0;
	for (size_t i = 0; i < n; i++) {
		if (t[i] == '<' && i + 1 < n && t[i + 1] == '<')
			depth++;
		else if (t[i] == '>' && i + 1 < n && t[i + 1] == '>' && depth)
			depth--;
		else if (t[i] == '=' && !depth)
			eq = i;
	}
	f->has_res = 0;
	if (eq == n)
		return;
	size_t from = al->npool;
	quantities(al, t + eq + 1, n - eq - 1);
	if (al->npool > from && al->pool[from].w >= 1.0f) { /* 0, 1, 2 say little */
		f->res = al->pool[from].k;
		f->has_res = 1;
	}
	al->npool = from;
}

static void featurize(struct aligner *al, struct feat *f, const char *t, size_t n)
{
	size_t s = skip_step_number(t, n);
	t += s;
	n -= s;
	result(al, f, t, n);
	f->q = al->npool;
	quantities(al, t, n);
	f->nq = unique(al, f->q, &f->qw);
	f->s = al->npool;
	symbols(al, t, n);
	f->ns = unique(al, f->s, &f->sw);
	f->w = al->npool;
	words(al, t, n);
	f->nw = unique(al, f->w, &f->ww);
}

/* weighted Dice of two sorted key lists */
static double dice(const struct key *a, size_t na, float wa, const struct key *b, size_t nb,
		   float wb)
{
	if (wa + wb <= 0)
		return 0;
	double common = 0;
	size_t i = 0, j = 0;
	while (i < na && j < nb) {
		if (a[i].k < b[j].k) {
			i++;
		} else if (a[i].k > b[j].k) {
			j++;
		} else {
			common += a[i].w;
			i++;
			j++;
		}
	}
	return 2 * common / (wa + wb);
}

/* The features either step has, weighted: the quantities most (a step
 * that restates a reference line shares its numbers), then the words,
 * then the math's symbols. Two steps that compute the same value most
 * likely compute the same quantity (30 mph * 0.5 hours = 15 miles, and
 * 30*.5=<<30*.5=15>>15, or $4.40 x 5 = $22.00 and 10 * $2.20 = $22):
 * their similarity is lifted halfway to 1. */
static double similarity(const struct aligner *al, const struct feat *a, const struct feat *b)
{
	const struct key *p = al->pool;
	double sum = 0, weight = 0;
	if (a->nq || b->nq) {
		sum += 0.55 * dice(p + a->q, a->nq, a->qw, p + b->q, b->nq, b->qw);
		weight += 0.55;
	}
	if (a->ns || b->ns) {
		sum += 0.15 * dice(p + a->s, a->ns, a->sw, p + b->s, b->ns, b->sw);
		weight += 0.15;
	}
	if (a->nw || b->nw) {
		sum += 0.30 * dice(p + a->w, a->nw, a->ww, p + b->w, b->nw, b->ww);
		weight += 0.30;
	}
	double sim = weight > 0 ? sum / weight : 0;
	return a->has_res && b->has_res && a->res == b->res ? 0.5 + 0.5 * sim : sim;
}

double align_similarity(struct aligner *al, const char *a, const char *b)
{
	struct feat fa, fb;
	al->npool = 0;
	featurize(al, &fa, a, strlen(a));
	featurize(al, &fb, b, strlen(b));
	return similarity(al, &fa, &fb);
}

/* ---- the alignment ---- */

static void *grow_to(void *p, size_t *cap, size_t want, size_t size)
{
	if (want <= *cap)
		return p;
	size_t c = *cap ? *cap : 64;
	while (c < want)
		c *= 2;
	*cap = c;
	return xrealloc(p, c * size);
}

static void add_link(struct aligner *al, size_t *nl, int step, int ref, double score)
{
	al->links = grow_to(al->links, &al->caplinks, *nl + 1, sizeof(*al->links));
	al->links[*nl].step = step;
	al->links[*nl].ref = ref;
	al->links[(*nl)++].score = score;
}

/* The one reference step that computes the value step i computes, when
 * their similarity clears the threshold: a step may restate a reference
 * step out of order (an earlier one, or one the monotonic links passed
 * by). -1 when none, or when several compute it. */
static int restated(const struct aligner *al, size_t i, size_t n, size_t m)
{
	const struct feat *f = &al->f[i];
	int found = -1;
	for (size_t j = 0; f->has_res && j < m; j++) {
		const struct feat *r = &al->f[n + j];
		if (!r->has_res || r->res != f->res)
			continue;
		if (found >= 0)
			return -1;
		found = (int)j;
	}
	return found >= 0 && al->score[i * m + (size_t)found] >= al->min_score ? found : -1;
}

/*
 * g[P + 1] is the best total gain over the steps so far whose last link
 * is to reference step P (-1: no link yet). A step links to a range
 * [a, b] of reference steps with a >= P (a == P: it shares the step of the
 * one before), gaining the sum of score - min_score over the range; or to
 * none. With prefix maxima the best range ending at each b is found in one
 * pass: O(steps x reference steps).
 */
size_t align_steps(struct aligner *al, const char *const *steps, size_t nsteps,
		   const char *reference, const char *spans, const struct alink **out)
{
	*out = NULL;
	refsteps_free(&al->ref);
	ref_split_stored(reference, spans, &al->ref);
	size_t m = al->ref.n, n = nsteps;
	if (!m)
		return 0;
	al->npool = 0;
	al->f = grow_to(al->f, &al->capf, n + m, sizeof(*al->f));
	for (size_t i = 0; i < n; i++)
		featurize(al, &al->f[i], steps[i], strlen(steps[i]));
	for (size_t j = 0; j < m; j++)
		featurize(al, &al->f[n + j], reference + al->ref.s[j].off, al->ref.s[j].len);
	al->score = grow_to(al->score, &al->capscore, n * m + 1, sizeof(double));
	size_t cs = al->capstate;
	al->g = grow_to(al->g, &cs, m + 1, sizeof(double));
	al->gn = grow_to(al->gn, &al->capstate, m + 1, sizeof(double));
	size_t cb = al->capback;
	al->from_p = grow_to(al->from_p, &cb, n * (m + 1) + 1, sizeof(int));
	al->from_a = grow_to(al->from_a, &al->capback, n * (m + 1) + 1, sizeof(int));
	size_t cn = al->capsteps;
	al->ra = grow_to(al->ra, &cn, n + 1, sizeof(int));
	al->rb = grow_to(al->rb, &al->capsteps, n + 1, sizeof(int));
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < m; j++)
			al->score[i * m + j] = similarity(al, &al->f[i], &al->f[n + j]);

	double *g = al->g, *gn = al->gn;
	const double NEG = -DBL_MAX / 4;
	g[0] = 0;
	for (size_t j = 1; j <= m; j++)
		g[j] = NEG;
	for (size_t i = 0; i < n; i++) {
		int *fp = al->from_p + i * (m + 1), *fa = al->from_a + i * (m + 1);
		/* no link: the state stays */
		for (size_t j = 0; j <= m; j++) {
			gn[j] = g[j];
			fp[j] = (int)j;
			fa[j] = -1;
		}
		/* G[a] = max over P <= a of g[P + 1], with P = -1 (g[0]) */
		double run = g[0];
		int arg = 0;
		double best = NEG; /* max over a <= b of G[a] - C[a] */
		int besta = -1, bestp = 0;
		double c = 0;      /* C[a]: the gains of the range's steps before a */
		for (size_t b = 0; b < m; b++) {
			if (g[b + 1] > run) {
				run = g[b + 1];
				arg = (int)b + 1;
			}
			if (run > NEG && run - c > best) {
				best = run - c;
				besta = (int)b;
				bestp = arg;
			}
			c += al->score[i * m + b] - al->min_score;
			double h = best + c;
			if (besta >= 0 && h > gn[b + 1]) {
				gn[b + 1] = h;
				fp[b + 1] = bestp;
				fa[b + 1] = besta;
			}
		}
		double *t = g;
		g = gn;
		gn = t;
	}
	/* the end: the best state, then back */
	size_t end = 0;
	for (size_t j = 1; j <= m; j++)
		if (g[j] > g[end])
			end = j;
	al->covered = grow_to(al->covered, &al->capcov, m + 1, sizeof(int));
	memset(al->covered, 0, m * sizeof(int));
	/* ranges per step, found backwards, written forwards */
	int *ra = al->ra, *rb = al->rb;
	size_t state = end;
	for (size_t i = n; i-- > 0;) {
		const int *fp = al->from_p + i * (m + 1), *fa = al->from_a + i * (m + 1);
		if (fa[state] >= 0) {
			ra[i] = fa[state];
			rb[i] = (int)state - 1;
		} else {
			ra[i] = -1;
			rb[i] = -1;
		}
		state = (size_t)fp[state];
	}
	size_t nl = 0;
	for (size_t i = 0; i < n; i++) {
		for (int j = ra[i]; j >= 0 && j <= rb[i]; j++) {
			add_link(al, &nl, (int)i, j, al->score[i * m + (size_t)j]);
			al->covered[j] = 1;
		}
		int j = restated(al, i, n, m);
		if (j >= 0 && (j < ra[i] || j > rb[i])) {
			add_link(al, &nl, (int)i, j, al->score[i * m + (size_t)j]);
			al->covered[j] = 1;
			if (ra[i] < 0)
				ra[i] = rb[i] = j; /* not extra */
		}
	}
	for (size_t i = 0; i < n; i++)
		if (ra[i] < 0)
			add_link(al, &nl, (int)i, -1, 0);
	for (size_t j = 0; j < m; j++)
		if (!al->covered[j])
			add_link(al, &nl, -1, (int)j, 0);
	*out = al->links;
	return nl;
}
