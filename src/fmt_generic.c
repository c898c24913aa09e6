/* fmt_generic.c - any JSON Lines, by a field mapping given as options */
#include "config.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "messages.h"
#include "taxonomy.h"
#include "trace.h"

static const char *gen_detect(const struct jnode *rec, char *why, size_t n)
{
	(void)rec;
	(void)why;
	(void)n;
	return "never detected: use --format generic with --problem and --steps";
}

static const char *trim_span(const char *s, size_t *n)
{
	while (*n && (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r'))
		s++, (*n)--;
	while (*n && (s[*n - 1] == ' ' || s[*n - 1] == '\n' ||
		      s[*n - 1] == '\t' || s[*n - 1] == '\r'))
		(*n)--;
	return s;
}

/* Splits text at every match of the pattern; empty pieces are dropped. */
static int split_steps(struct rd *r, const char *text, struct item *it)
{
	pcre2_code *re = (pcre2_code *)r->o->split_re;
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
	size_t len = strlen(text), start = 0, cap = 16, n = 0;
	const char **v = rd_alloc(r, cap * sizeof(*v));
	PCRE2_SIZE off = 0;
	for (;;) {
		int rc = pcre2_match(re, (PCRE2_SPTR)text, len, off, 0, md, NULL);
		size_t end = len, next = len;
		if (rc >= 0) {
			PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
			end = ov[0];
			next = ov[1] > ov[0] ? ov[1] : ov[1] + 1;
		} else if (rc != PCRE2_ERROR_NOMATCH) {
			pcre2_match_data_free(md);
			return rd_fail(r, "--split failed on this record (PCRE2 error %d)", rc);
		}
		size_t piece = end - start;
		const char *s = trim_span(text + start, &piece);
		if (piece) {
			if (n + 1 >= cap) {
				const char **w = rd_alloc(r, 2 * cap * sizeof(*w));
				memcpy(w, v, n * sizeof(*v));
				v = w;
				cap *= 2;
			}
			v[n++] = arena_strndup(r->a, s, piece);
		}
		if (rc < 0 || next > len)
			break;
		start = next;
		off = next;
	}
	pcre2_match_data_free(md);
	if (n == 0)
		return rd_fail(r, "the steps text is empty");
	rd_steps(r, it, v, n);
	return 0;
}

/* --step-values: one value per step, a source's (a PRM's probability of
 * a good step; ratings -1, 0, +1 when any is negative; "+" or "-"),
 * kept as per-step suggestions that --as-source names */
static int read_step_values(struct rd *r, const struct jnode *rec, struct item *it)
{
	const char *f = r->o->f_step_values;
	const struct jnode *n = strchr(f, '.') ? jpath(rec, f) : jget(rec, f);
	if (!n)
		return rd_fail(r, "field \"%s\" is missing", f);
	if (n->type != J_ARR)
		return rd_fail(r, "field \"%s\" must be a list of per-step values, not %s", f,
			       jtype_name(n->type));
	if (n->len != it->nsteps)
		return rd_fail(r, "field \"%s\" has %zu values for %zu steps", f, n->len,
			       it->nsteps);
	int ratings = 0;
	for (const struct jnode *c = n->child; c; c = c->next) {
		double v;
		if (c->type == J_NUM && !jdouble(c, &v) && v < 0)
			ratings = 1;
	}
	int i = 0;
	for (const struct jnode *c = n->child; c; c = c->next, i++) {
		double v;
		if (c->type == J_STR && c->len == 1 && (c->str[0] == '+' || c->str[0] == '-')) {
			v = c->str[0] == '+';
		} else if (c->type == J_NULL) {
			continue; /* no value for this step */
		} else if (c->type != J_NUM || jdouble(c, &v) < 0) {
			return rd_fail(r, "field \"%s\": value %d is %s, not a number, \"+\" or \"-\"",
				       f, i + 1, jtype_name(c->type));
		} else if (ratings) {
			if (v != -1 && v != 0 && v != 1)
				return rd_fail(r, "field \"%s\": value %d is %g; ratings are -1, 0 "
					       "or 1", f, i + 1, v);
			v = v > 0 ? 1 : v < 0 ? 0 : 0.5;
		} else if (v > 1) {
			return rd_fail(r, "field \"%s\": value %d is %g; probabilities are "
				       "0 to 1", f, i + 1, v);
		}
		rd_suggestion(r, it, "imported", NULL, i)->value = v;
	}
	return 0;
}

static int read_first_error(struct rd *r, const struct jnode *rec, int *out,
			    size_t nsteps)
{
	const char *f = r->o->f_first_error;
	const struct jnode *n = strchr(f, '.') ? jpath(rec, f) : jget(rec, f);
	int base = r->o->index_base;
	long long v = -1, x;
	if (!n)
		return rd_fail(r, "field \"%s\" is missing", f);
	if (n->type == J_NULL) {
		*out = -1;
		return 0;
	}
	if (n->type == J_ARR) { /* a list of erroneous steps: the first counts */
		int any = 0;
		for (const struct jnode *c = n->child; c; c = c->next) {
			if (jint(c, &x) < 0)
				return rd_fail(r, "field \"%s\" must hold integers, not %s",
					       f, jtype_name(c->type));
			if (!any || x < v)
				v = x;
			any = 1;
		}
		if (!any) {
			*out = -1;
			return 0;
		}
	} else if (jint(n, &v) < 0) {
		return rd_fail(r, "field \"%s\" must be an integer, null or a list, not %s",
			       f, n->type == J_STR ? "a string" : jtype_name(n->type));
	} else if (v == -1) {
		*out = -1; /* the common spelling of "no error" */
		return 0;
	}
	if (v < base || v - base >= (long long)nsteps)
		return rd_fail(r, "first error %lld is outside the %zu steps (%d-based)",
			       v, nsteps, base);
	*out = (int)(v - base);
	return 0;
}

/* --category: the data's category of its error steps (PRMBench's
 * classification), on each step the first-error field names (a list:
 * every one), by its key in the built-in taxonomy of the item's kind
 * when it is one of its keys or aliases (PRMBench's redundency is
 * math's redundant), else as the data spells it. Recovery unsaid. */
static int read_category(struct rd *r, const struct jnode *rec, struct item *it)
{
	const char *f = r->o->f_first_error, *c = rd_text(r, rec, r->o->f_category, 0);
	if (r->err[0])
		return -1;
	if (!c || !*c)
		return 0;
	struct taxonomy t;
	const struct tax_entry *e = NULL;
	if (taxonomy_builtin(&t, trace_is(it) ? "mast" : "math") == 0) {
		e = taxonomy_find(&t, c);
		if (e)
			c = arena_strndup(r->a, e->key, strlen(e->key));
		taxonomy_free(&t);
	}
	size_t n = strlen(c);
	if (!e && (n > 32 || strspn(c, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "0123456789._-") != n))
		return rd_fail(r, "field \"%s\": \"%s\" is not a category's key (1-32 letters, "
			       "digits, '.', '_' or '-')", r->o->f_category, inert(c, 0));
	const struct jnode *fe = strchr(f, '.') ? jpath(rec, f) : jget(rec, f);
	const struct jnode *one = fe && fe->type != J_ARR ? fe : NULL;
	for (const struct jnode *x = one ? one : fe ? fe->child : NULL; x; x = one ? NULL : x->next) {
		long long v;
		if (jint(x, &v) < 0 || (one && v == -1))
			continue;
		v -= r->o->index_base;
		if (v < 0 || v >= (long long)it->nsteps)
			return rd_fail(r, "error step %lld is outside the %zu steps (%d-based)",
				       v + r->o->index_base, it->nsteps, r->o->index_base);
		rd_label(r, it, LK_CATEGORY, (int)v, NO_RATING, c);
	}
	return 0;
}

/* The key from the --id fields: one value as it is; several joined by
 * ':', each with its ':' and '\\' escaped, so different values never
 * make one key. */
static const char *id_key(struct rd *r, const struct jnode *rec)
{
	const struct import_opts *o = r->o;
	if (o->n_id == 1)
		return rd_text(r, rec, o->f_id[0], 1);
	struct buf b = {0};
	for (int i = 0; i < o->n_id; i++) {
		const char *v = rd_text(r, rec, o->f_id[i], 1);
		if (!v) {
			buf_free(&b);
			return NULL;
		}
		if (i)
			buf_putc(&b, ':');
		for (const char *p = v; *p; p++) {
			if (*p == ':' || *p == '\\')
				buf_putc(&b, '\\');
			buf_putc(&b, *p);
		}
	}
	const char *key = arena_strndup(r->a, b.data, b.len);
	buf_free(&b);
	return key;
}

static int gen_read(struct rd *r, const struct jnode *rec, struct item *it)
{
	const struct import_opts *o = r->o;
	if (rec->type != J_OBJ)
		return rd_fail(r, "the record is a %s, not an object",
			       jtype_name(rec->type));
	if (o->f_problem && !(it->problem = rd_text(r, rec, o->f_problem, 1)))
		return -1;
	const struct jnode *sn = !o->f_steps ? NULL : strchr(o->f_steps, '.') ?
		jpath(rec, o->f_steps) : jget(rec, o->f_steps);
	if (o->f_messages) {
		if (messages_read(r, rec, it) < 0)
			return -1;
	} else if (sn && sn->type == J_STR) {
		if (!o->split_re)
			return rd_fail(r, "field \"%s\" is one text: give --split PATTERN to cut it into steps",
				       o->f_steps);
		if (split_steps(r, sn->str, it) < 0)
			return -1;
	} else {
		const char **steps;
		size_t n;
		if (rd_str_list(r, rec, o->f_steps, &steps, &n) < 0)
			return -1;
		if (n == 0)
			return rd_fail(r, "field \"%s\" is empty", o->f_steps);
		rd_steps(r, it, steps, n);
	}
	if (o->f_gold && !(it->gold = rd_text(r, rec, o->f_gold, 0)) && r->err[0])
		return -1;
	if (o->f_reference && !(it->reference = rd_text(r, rec, o->f_reference, 0)) && r->err[0])
		return -1;
	if (o->f_answer && !(it->final_answer = rd_text(r, rec, o->f_answer, 0)) && r->err[0])
		return -1;
	if (o->f_generator && !(it->generator = rd_str(r, rec, o->f_generator, 0)) && r->err[0])
		return -1;
	if (o->n_id && !(it->key = id_key(r, rec)))
		return -1;
	if (o->f_first_error) {
		int fe = -1;
		if (read_first_error(r, rec, &fe, it->nsteps) < 0)
			return -1;
		rd_label(r, it, LK_FIRST_ERROR, -1, fe, NULL);
		const char *note = o->f_note ? rd_text(r, rec, o->f_note, 0) : NULL;
		if (r->err[0])
			return -1;
		if (note && *note)
			rd_label(r, it, LK_NOTE, fe, 0, note);
		if (o->f_category && read_category(r, rec, it) < 0)
			return -1;
	}
	if (o->f_step_values && read_step_values(r, rec, it) < 0)
		return -1;
	rd_grade(r, it);
	if (!it->key)
		it->key = rd_content_key(r, it);
	return 0;
}

static const char *generic_check(const struct import_opts *o)
{
	if (o->f_messages && o->f_steps)
		return "takes --steps FIELD or --messages FIELD, not both";
	if (o->f_category && !o->f_first_error)
		return "--category is the kind of the error steps: it needs --first-error FIELD";
	if (o->f_agent && !o->f_messages)
		return "--agent says where a message's agent is: it needs --messages FIELD";
	return o->f_messages || (o->f_problem && o->f_steps) ? NULL :
	       "needs at least --problem FIELD and --steps FIELD (or --messages FIELD)";
}

const struct format_ops fmt_generic = {
	.check = generic_check,
	.name = "generic",
	.summary = "any JSON Lines or JSON array, mapped by --problem, --steps (or --messages) and the other field options",
	.detect = gen_detect,
	.read = gen_read,
};
