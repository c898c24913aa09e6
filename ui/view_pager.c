/* view_pager.c - a scrollable text: the help (generated from the action
 * table and the bindings in force) and the suggestions' rationales */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pos.h"
#include "tui.h"
#include "../src/util.h"

struct pager {
	struct tui *t;
	char *title, *text;
	int help;
	size_t *line_off, *line_len;
	int *line_hang; /* a wrapped row's indent; -1: a line's first row */
	size_t nlines;
	struct pos pos; /* no cursor: the moves scroll */
	int h, w;
};

/* The help's "  keys  action  what it does" lines wrap under their last
 * column (the text after the last run of spaces on the first row), while
 * it leaves 20 columns; other lines wrap to their start. */
static int hang_of(const struct pager *p, const char *s, size_t first, int w)
{
	if (!p->help || first < 3 || s[0] != ' ' || s[1] != ' ' || s[2] == ' ')
		return 0;
	size_t col = 0;
	for (size_t i = 2; i + 1 < first; i++)
		if (s[i] == ' ' && s[i + 1] == ' ') {
			while (i < first && s[i] == ' ')
				i++;
			col = i;
		}
	int hang = col ? text_width(s, col) : 2;
	return hang > w - 2 - 20 ? 2 : hang;
}

static void pg_layout(struct pager *p, int w)
{
	size_t n = strlen(p->text), off = 0, cap = 0;
	int first = 1, hang = 0;
	p->nlines = 0;
	p->w = w;
	while (off < n) {
		int ind = first ? 0 : hang;
		size_t skip, len = wrap_line(p->text + off, n - off, w - 2 - ind, &skip);
		if (p->nlines == cap) {
			cap = cap ? 2 * cap : 64;
			p->line_off = xrealloc(p->line_off, cap * sizeof(size_t));
			p->line_len = xrealloc(p->line_len, cap * sizeof(size_t));
			p->line_hang = xrealloc(p->line_hang, cap * sizeof(int));
		}
		if (first)
			hang = hang_of(p, p->text + off, len, w);
		p->line_off[p->nlines] = off;
		p->line_len[p->nlines] = len;
		p->line_hang[p->nlines++] = first ? -1 : ind;
		first = skip != 0;
		off += len + skip;
	}
	p->pos.n = (int)p->nlines;
}

static void pg_draw(struct view *v, int top, int h, int w)
{
	struct pager *p = v->priv;
	if (p->w != w)
		pg_layout(p, w);
	p->h = h;
	if (p->pos.top > (int)p->nlines - h)
		p->pos.top = (int)p->nlines - h;
	if (p->pos.top < 0)
		p->pos.top = 0;
	for (int r = 0; r < h; r++) {
		size_t i = (size_t)(p->pos.top + r);
		draw_line(top + r, 0, w, "", area_attr(C_DEFAULT));
		if (i >= p->nlines)
			continue;
		const char *s = p->text + p->line_off[i];
		size_t len = p->line_len[i];
		int attr = area_attr(C_DEFAULT);
		if (p->line_hang[i] >= 0) { /* the rest of a wrapped line */
			draw_text(top + r, 1 + p->line_hang[i], w - 1 - p->line_hang[i], s, len,
				  attr, p->t->re);
			continue;
		}
		if (len > 3 && (!strncmp(s, "== ", 3) || (p->help && s[0] != ' ')))
			attr = area_attr(C_HEADER);
		if (p->help && len > 2 && s[0] == ' ' && s[1] != ' ') {
			/* "  keys  action  help": the keys stand out */
			size_t k = 2;
			while (k < len && !(s[k] == ' ' && s[k + 1] == ' '))
				k++;
			draw_text(top + r, 1, w - 1, s, k, area_attr(C_HELP_KEY), NULL);
			draw_text(top + r, 1 + text_width(s, k), w - 1 - text_width(s, k), s + k,
				  len - k, attr, p->t->re);
		} else {
			draw_text(top + r, 1, w - 2, s, len, attr, p->t->re);
		}
	}
}

static int pg_act(struct view *v, enum action a, const char *arg)
{
	(void)arg;
	struct pager *p = v->priv;
	enum move m = a == A_ENTER ? MOVE_DOWN : move_of(a);
	if (m != MOVE_NONE) {
		pos_move(&p->pos, m, 1, pos_page(p->h));
		return 1;
	}
	if (a == A_HELP && p->help) {
		tui_pop(p->t);
		return 1;
	}
	return 0;
}

static int pg_search(struct view *v, int dir)
{
	struct pager *p = v->priv;
	for (int i = p->pos.top + dir; i >= 0 && i < (int)p->nlines; i += dir)
		if (db_regex_match(p->t->re, p->text + p->line_off[i], p->line_len[i], NULL, NULL)) {
			p->pos.top = i;
			return 1;
		}
	return 0;
}

static void pg_mouse(struct view *v, int y, int x, int button)
{
	(void)y;
	(void)x;
	if (button == 4 || button == 5)
		for (int i = 0; i < 3; i++)
			pg_act(v, button == 4 ? A_SCROLL_UP : A_SCROLL_DOWN, NULL);
}

static void pg_status(struct view *v, char *out, size_t n)
{
	struct pager *p = v->priv;
	snprintf(out, n, "%s  line %d/%zu", p->title, p->pos.top + 1, p->nlines);
}

static void pg_done(struct view *v)
{
	struct pager *p = v->priv;
	free(p->title);
	free(p->text);
	free(p->line_off);
	free(p->line_len);
	free(p->line_hang);
	free(p);
	free(v);
}

static const struct view_ops pager_ops = {
	.id = V_PAGER,
	.draw = pg_draw,
	.act = pg_act,
	.mouse = pg_mouse,
	.search = pg_search,
	.status = pg_status,
	.done = pg_done,
};

struct view *help_view_new(struct tui *t)
{
	char *h = help_text(t);
	struct view *v = pager_view_new(t, "help", h, 1);
	free(h);
	return v;
}

struct view *pager_view_new(struct tui *t, const char *title, const char *text, int help)
{
	struct view *v = xcalloc(1, sizeof(*v));
	struct pager *p = xcalloc(1, sizeof(*p));
	v->ops = &pager_ops;
	v->t = t;
	v->priv = p;
	p->t = t;
	p->title = xstrdup(title);
	p->text = xstrdup(text);
	p->help = help;
	p->pos.nocursor = 1;
	return v;
}

/* The help lists, per keymap, every action with the keys bound to it. */
/* the config file's name as a person writes it: $XDG_CONFIG_HOME/..., ~/... */
static void short_path(struct buf *b, const char *path)
{
	const char *x = getenv("XDG_CONFIG_HOME"), *h = getenv("HOME");
	size_t n;
	if (!path)
		return;
	if (x && *x && !strncmp(path, x, n = strlen(x)) && path[n] == '/')
		buf_printf(b, "$XDG_CONFIG_HOME%s", path + n);
	else if (h && *h && !strncmp(path, h, n = strlen(h)) && path[n] == '/')
		buf_printf(b, "~%s", path + n);
	else
		buf_puts(b, path);
}

void settings_text(struct tui *t, struct buf *b)
{
	buf_puts(b, "Settings in force (:set NAME VALUE changes one)\n");
	for (int i = 0; i < SET_COUNT; i++) {
		char v[128];
		conf_value(config_conf(t->cfg), i, v, sizeof(v));
		buf_printf(b, "  %-14s %-10s %s\n", setting_names[i], v, setting_help[i]);
	}
}

char *help_text(struct tui *t)
{
	struct buf b = {0};
	struct buf path = {0};
	short_path(&path, t->config_file);
	buf_printf(&b, "stepmark %s, annotator %s. Keys are rebindable in %s%s "
		   "(see stepmarkrc(5)).\n\n", PACKAGE_VERSION, t->ann.name,
		   path.len ? path.data : "a config file (--config FILE)",
		   t->config_file && access(t->config_file, F_OK) != 0 ? ", which does not exist yet" : "");
	buf_free(&path);
	for (int s = 0; s < V_COUNT; s++) {
		if (!view_table[s].help)
			continue; /* its keymap's section is another view's */
		buf_printf(&b, "%s\n", view_table[s].help);
		for (int a = 1; a < A_COUNT; a++) {
			char keys[128];
			config_keys_of(t->cfg, view_table[s].keymap, (enum action)a, keys, sizeof(keys));
			if (!keys[0])
				continue;
			buf_printf(&b, "  %-18s  %-18s %s\n", keys, action_table[a].name,
				   action_table[a].help);
		}
		buf_putc(&b, '\n');
	}
	buf_puts(&b, "Unbound actions (run them with :NAME)\n");
	for (int a = 1; a < A_COUNT; a++) {
		int bound = 0;
		for (int s = 0; s < V_COUNT; s++) {
			char keys[128];
			if (!view_table[s].help)
				continue;
			config_keys_of(t->cfg, view_table[s].keymap, (enum action)a, keys, sizeof(keys));
			bound |= keys[0] != 0;
		}
		if (!bound)
			buf_printf(&b, "  %-18s  %-18s %s\n", ":", action_table[a].name,
				   action_table[a].help);
	}
	buf_puts(&b, "\nCommands (after :)\n"
		 "  :filter WHAT        all, todo, mine, disagree, disagree-annotators,\n"
		 "                      disagree-sources, disagree-human-auto, assigned,\n"
		 "                      no-consensus, agreed, agreed-adjudicated,\n"
		 "                      agreed-people, agreed-sources, agreed RULE\n"
		 "                      domain NAME (VersaPRM's law, biology...)\n"
		 "  :sort ORDER         id or progress\n"
		 "  :dataset NAME       one data set (all: every one)\n"
		 "  :grep PATTERN       only solutions whose problem or steps match\n"
		 "  :open ID            open solution ID\n"
		 "  :accept SOURCE      accept a source's suggestions\n"
		 "  :finish REASON      solution, found_error, give_up, bad_problem\n"
		 "  :note TEXT          a note on the current step\n"
		 "  :set, :bind, :color, :source   as in the config file\n"
		 "  :save-display FILE  write the screen as UTF-8 text\n"
		 "  :quit\n\n"
		 "Counts (as in vim): 1-9 start one, any digit continues it, Esc drops it;\n"
		 "  5j moves five, 20G goes to 20. No rating key starts a count: 0 rates\n"
		 "  only when no count is typed, so 10j moves ten steps and saves nothing.\n\n");
	if (t->aliases->n) {
		buf_puts(&b, "Annotators' short names (alias NAME SHORT in the config; L1, L2... "
			 "for names that are UUIDs)\n");
		for (size_t i = 0; i < t->aliases->n; i++)
			buf_printf(&b, "  %-18s  %s\n", t->aliases->alias[i], t->aliases->name[i]);
		buf_putc(&b, '\n');
	}
	settings_text(t, &b);
	return b.data;
}
