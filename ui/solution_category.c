/* solution_category.c - the solution view's error categories: C names
 * the kind of a step's error from the taxonomy in force (a chooser, a key
 * per category), then asks whether a later step recovered from it; the
 * step's line shows the category's short name. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "solution.h"
#include "../src/annot.h"
#include "../src/util.h"

/* the chooser's key of category i: a-z, then A-Z */
static char choice_key(size_t i)
{
	return i < 26 ? (char)('a' + i) : (char)('A' + i - 26);
}

/* The taxonomy of the setting, or the built-in of the solution's kind,
 * loaded again when either changed (a file that failed: again when say,
 * C pressed, not at every line drawn): 0, or -1 with the reason said. */
static int tax_ready(struct sv *s, int say)
{
	const char *path = s->t->set->taxonomy && *s->t->set->taxonomy ? s->t->set->taxonomy : NULL;
	int trace = sv_is_trace(s);
	if (s->tax_loaded && (s->tax_loaded > 0 || !say) && s->tax_trace == trace &&
	    ((!path && !s->tax_path) || (path && s->tax_path && !strcmp(path, s->tax_path))))
		return s->tax_loaded > 0 ? 0 : -1;
	if (s->tax_loaded > 0)
		taxonomy_free(&s->tax);
	free(s->tax_path);
	s->tax_path = path ? xstrdup(path) : NULL;
	s->tax_trace = trace;
	char err[512];
	s->tax_loaded = taxonomy_for(&s->tax, path, trace, err, sizeof(err)) == 0 ? 1 : -1;
	if (s->tax_loaded < 0 && say)
		tui_message(s->t, 1, "taxonomy: %s", inert(err, 0));
	return s->tax_loaded > 0 ? 0 : -1;
}

void sv_category_free(struct sv *s)
{
	if (s->tax_loaded > 0)
		taxonomy_free(&s->tax);
	s->tax_loaded = 0;
	free(s->tax_path);
	s->tax_path = NULL;
}

const char *sv_category_of(const struct sv *s, const char *who, int step, int *recovered)
{
	const struct item *it = &s->sol.it;
	const struct label *found = NULL;
	for (size_t i = 0; i < it->nlabels; i++) {
		const struct label *l = &it->labels[i];
		if (l->kind == LK_CATEGORY && l->step == step && !strcmp(l->annotator, who))
			found = l;
	}
	if (recovered)
		*recovered = found && found->text ? found->value : NO_RATING;
	return found ? found->text : NULL;
}

const char *sv_category_name(struct sv *s, const char *key)
{
	const struct tax_entry *e = tax_ready(s, 0) == 0 ? taxonomy_find(&s->tax, key) : NULL;
	return e ? e->name : key;
}

static void save(struct sv *s, const char *key, int recovered)
{
	sv_label_begin(s);
	tui_category(s->t, &s->sol, s->cat_step, key, recovered);
	sv_label_end(s);
}

static void recovery_chosen(struct tui *t, const char *answer, void *arg)
{
	struct sv *s = arg;
	(void)t;
	if (!answer || !*answer)
		return; /* Esc: nothing saved */
	save(s, s->cat_key, answer[0] == 'y' ? 1 : answer[0] == 'n' ? 0 : NO_RATING);
}

static void category_chosen(struct tui *t, const char *answer, void *arg)
{
	struct sv *s = arg;
	if (!answer || !*answer)
		return;
	if (answer[0] == '-') {
		save(s, NULL, NO_RATING);
		return;
	}
	size_t i = 0;
	while (i < s->tax.n && choice_key(i) != answer[0])
		i++;
	if (i == s->tax.n)
		return;
	const struct tax_entry *e = &s->tax.e[i];
	snprintf(s->cat_key, sizeof(s->cat_key), "%s", e->key);
	char q[160];
	const char *unit = sv_base(s) ? "step" : "turn";
	snprintf(q, sizeof(q), "%s %d %s: did a later %s recover from it? (y)es (n)o (s)kip", unit,
		 s->cat_step + sv_base(s), e->name, unit);
	tui_menu(t, q, "yns", recovery_chosen, s);
}

/* ":category KEY [y|n|s]" or ":category -": at once, without questions */
static void category_arg(struct sv *s, const char *arg)
{
	char key[64] = "", rec[8] = "";
	if (sscanf(arg, "%63s %7s", key, rec) < 1)
		return;
	if (!strcmp(key, "-")) {
		save(s, NULL, NO_RATING);
		return;
	}
	if (tax_ready(s, 1) < 0)
		return;
	const struct tax_entry *e = taxonomy_find(&s->tax, key);
	if (!e) {
		tui_message(s->t, 1, "no category %s in the taxonomy %s", inert(key, 0),
			    inert(s->tax.name, 1));
		return;
	}
	if (rec[0] && !strchr("yns", rec[0])) {
		tui_message(s->t, 1, "recovered later: y, n or s (skip), not %s", inert(rec, 0));
		return;
	}
	snprintf(s->cat_key, sizeof(s->cat_key), "%s", e->key);
	save(s, s->cat_key, rec[0] == 'y' ? 1 : rec[0] == 'n' ? 0 : NO_RATING);
}

void sv_category(struct sv *s, const char *arg)
{
	int step = s->sel, base = sv_base(s);
	const char *unit = base ? "step" : "turn"; /* a trace counts turns from 0 */
	if (!s->sol.it.nsteps) {
		tui_message(s->t, 1, "this solution has no steps");
		return;
	}
	if (s->sel_alt >= 0) {
		tui_message(s->t, 1, "the cursor is on an alternative: a category names a step's error");
		return;
	}
	s->cat_step = step;
	if (arg) {
		category_arg(s, arg);
		return;
	}
	const char *had = sv_category_of(s, s->t->ann.name, step, NULL);
	if (s->mine[step] != -1) {
		tui_message(s->t, 1, "%s %d is not rated -1 by you: rate it - or e before "
			    "naming its error", unit, step + base);
		return;
	}
	if (tax_ready(s, 1) < 0)
		return;
	/* the categories in columns of 20, a key each */
	int cols = COLS / 20 > 0 ? COLS / 20 : 1;
	struct buf list = {0};
	char keys[TAX_MAX + 2];
	size_t nk = 0;
	for (size_t i = 0; i < s->tax.n; i++) {
		const struct tax_entry *e = &s->tax.e[i];
		char cell[64];
		snprintf(cell, sizeof(cell), "%c %s", choice_key(i), e->name);
		int last = (int)(i % (size_t)cols) == cols - 1 || i + 1 == s->tax.n;
		buf_printf(&list, last ? "%s\n" : "%-20s", cell);
		keys[nk++] = choice_key(i);
	}
	if (had)
		keys[nk++] = '-';
	keys[nk] = '\0';
	char title[200];
	const char *tn = strrchr(s->tax.name, '/') ? strrchr(s->tax.name, '/') + 1 : s->tax.name;
	snprintf(title, sizeof(title), "%s %d: which error (%s)? a key%s; Esc cancels", unit,
		 step + base, tn, had ? ", - takes yours back" : "");
	tui_menu_list(s->t, inert(title, 0), list.data, keys, category_chosen, s);
	buf_free(&list);
}
