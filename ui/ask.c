/* ask.c - prompts on the status line, as a mode of the one loop: while a
 * prompt is open, keys go to its line editor and the loop goes on (resize,
 * timers, transfers, saving what waits). The answer goes to a callback
 * with the argument the caller gave. Each kind of prompt keeps a history
 * (in $XDG_STATE_HOME/stepmark/history) and Tab completes its words. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tui.h"
#include "../src/util.h"

static const char *const kind_names[ASK_COUNT] = {
	[ASK_COMMAND] = "command", [ASK_SEARCH] = "search", [ASK_NOTE] = "note",
	[ASK_ACCEPT] = "accept", [ASK_AGENT] = "agent", [ASK_MENU] = "menu",
};

/* ---- history ---- */
static char *history_path(void)
{
	struct buf b = {0};
	const char *x = getenv("XDG_STATE_HOME");
	if (x && *x)
		buf_printf(&b, "%s/stepmark", x);
	else if (getenv("HOME") && *getenv("HOME"))
		buf_printf(&b, "%s/.local/state/stepmark", getenv("HOME"));
	else
		return NULL;
	return b.data;
}

void ask_history_load(struct tui *t)
{
	char *dir = history_path();
	if (!dir)
		return;
	struct buf p = {0};
	buf_printf(&p, "%s/history", dir);
	t->hist_path = p.data;
	free(dir);
	FILE *f = fopen(t->hist_path, "r");
	if (!f)
		return;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	while ((n = getline(&line, &cap, f)) > 0) {
		line[strcspn(line, "\n")] = '\0';
		char *tab = strchr(line, '\t');
		if (!tab)
			continue;
		*tab = '\0';
		for (int k = 0; k < ASK_COUNT; k++)
			if (kind_names[k] && !strcmp(line, kind_names[k]) &&
			    utf8_valid(tab + 1, strlen(tab + 1)))
				le_history_add(&t->hist[k], tab + 1);
	}
	free(line);
	fclose(f);
}

/* mkdir -p, mode 0700 */
static void make_dirs(char *path)
{
	for (char *p = path + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0700);
			*p = '/';
		}
}

static void history_save(struct tui *t, int kind, const char *line)
{
	le_history_add(&t->hist[kind], line);
	if (!t->hist_path || kind == ASK_MENU || kind == ASK_NOTE)
		return; /* notes are labels: kept in the store, not in a file */
	make_dirs(t->hist_path);
	FILE *f = fopen(t->hist_path, "a");
	if (!f)
		return;
	fprintf(f, "%s\t%s\n", kind_names[kind], line);
	fclose(f);
}

void ask_free(struct tui *t)
{
	if (t->ask.active)
		le_free(&t->ask.le);
	for (size_t i = 0; i < t->ask.nnames; i++)
		free(t->ask.names[i]);
	free(t->ask.names);
	t->ask.names = NULL;
	t->ask.nnames = 0;
	for (int k = 0; k < ASK_COUNT; k++)
		le_history_free(&t->hist[k]);
	free(t->hist_path);
	t->hist_path = NULL;
}

/* ---- opening and closing ---- */
static void open_ask(struct tui *t, int kind, const char *title, const char *init,
		     ask_fn done, void *arg)
{
	if (t->ask.active) /* one at a time: the older one is cancelled */
		tui_ask_cancel(t);
	struct ask *a = &t->ask;
	a->active = 1;
	a->kind = kind;
	snprintf(a->title, sizeof(a->title), "%s", title);
	a->done = done;
	a->arg = arg;
	a->keys[0] = '\0';
	le_init(&a->le, init, &t->hist[kind]);
	t->dirty = 1;
}

void tui_ask(struct tui *t, int kind, const char *title, const char *init,
	     ask_fn done, void *arg)
{
	open_ask(t, kind, title, init, done, arg);
}

void tui_menu(struct tui *t, const char *title, const char *keys, ask_fn done, void *arg)
{
	open_ask(t, ASK_MENU, title, NULL, done, arg);
	snprintf(t->ask.keys, sizeof(t->ask.keys), "%s", keys);
}

void tui_menu_list(struct tui *t, const char *title, const char *list, const char *keys,
		   ask_fn done, void *arg)
{
	tui_menu(t, title, keys, done, arg);
	t->ask.list = xstrdup(list);
}

void tui_ask_names(struct tui *t, const char *const *names, size_t n)
{
	struct ask *a = &t->ask;
	for (size_t i = 0; i < a->nnames; i++)
		free(a->names[i]);
	a->names = xrealloc(a->names, (n + 1) * sizeof(*a->names));
	for (size_t i = 0; i < n; i++)
		a->names[i] = xstrdup(names[i]);
	a->nnames = n;
}

/* Closes the prompt, then runs its callback (which may open another). */
static void close_ask(struct tui *t, const char *answer)
{
	struct ask *a = &t->ask;
	ask_fn done = a->done;
	void *arg = a->arg;
	char *copy = answer ? xstrdup(answer) : NULL;
	int kind = a->kind;
	a->active = 0;
	le_free(&a->le);
	free(a->list);
	a->list = NULL;
	for (size_t i = 0; i < a->nnames; i++)
		free(a->names[i]);
	a->nnames = 0;
	t->dirty = 1;
	if (copy && kind != ASK_MENU)
		history_save(t, kind, copy);
	if (done)
		done(t, copy, arg);
	free(copy);
}

void tui_ask_cancel(struct tui *t)
{
	if (t->ask.active)
		close_ask(t, NULL);
}

/* ---- completion ---- */
static void add_name(void *ctx, const char *name)
{
	struct buf *b = ctx;
	buf_add(b, name, strlen(name) + 1);
}

/* The candidates for the word at the cursor of a command line. */
static size_t command_names(struct tui *t, const char ***out, struct buf *store)
{
	const char *line = t->ask.le.text.data;
	size_t wl;
	const char *w = le_word(&t->ask.le, &wl);
	while (*line == ' ' || *line == ':')
		line++;
	size_t vl = strcspn(line, " ");
	if (line + vl >= w) { /* the verb */
		for (int i = 1; i < A_COUNT; i++)
			add_name(store, action_table[i].name);
		for (size_t i = 0; tui_verbs[i]; i++)
			add_name(store, tui_verbs[i]);
	} else if (!strncmp(line, "set ", 4) && vl == 3 && !strchr(line + 4, ' ')) {
		for (size_t i = 0; setting_names[i]; i++)
			add_name(store, setting_names[i]);
	} else if (!strncmp(line, "filter ", 7) && vl == 6) {
		for (int i = 0; i < Q_NWHAT; i++)
			add_name(store, filter_names[i]);
	} else if (!strncmp(line, "sort ", 5) && vl == 4) {
		for (int i = 0; i < QS_N; i++)
			add_name(store, sort_names[i]);
	} else if (!strncmp(line, "dataset ", 8) && vl == 7) {
		add_name(store, "all");
		db_datasets(t->db, add_name, store);
	} else if (!strncmp(line, "set ", 4) && vl == 3 && !strncmp(line + 4, "annotator ", 10)) {
		struct export_filter all = {0};
		db_export_columns(t->db, &all, add_name, NULL, store);
	} else if (!strncmp(line, "accept ", 7) && vl == 6) {
		struct export_filter all = {0};
		db_export_columns(t->db, &all, NULL, add_name, store);
	}
	size_t n = 0;
	for (size_t o = 0; o < store->len; o += strlen(store->data + o) + 1)
		n++;
	*out = xmalloc((n + 1) * sizeof(**out));
	n = 0;
	for (size_t o = 0; o < store->len; o += strlen(store->data + o) + 1)
		(*out)[n++] = store->data + o;
	return n;
}

static void complete(struct tui *t)
{
	struct ask *a = &t->ask;
	const char **names = NULL;
	struct buf store = {0};
	size_t n;
	if (a->kind == ASK_COMMAND) {
		n = command_names(t, &names, &store);
	} else {
		n = a->nnames;
		names = xmalloc((n + 1) * sizeof(*names));
		for (size_t i = 0; i < n; i++)
			names[i] = a->names[i];
	}
	size_t m = le_complete(&a->le, names, n);
	if (m > 1) { /* say what there is to choose from */
		size_t wl;
		const char *w = le_word(&a->le, &wl);
		struct buf say = {0};
		for (size_t i = 0; i < n; i++)
			if (!strncmp(names[i], w, wl))
				buf_printf(&say, "%s%s", say.len ? " " : "", names[i]);
		tui_message(t, 0, "%s", inert(say.data, 0));
		buf_free(&say);
	} else if (m == 0) {
		tui_message(t, 1, "nothing to complete");
	}
	free(names);
	buf_free(&store);
}

/* ---- keys and drawing ---- */
void ask_key(struct tui *t, int key)
{
	struct ask *a = &t->ask;
	t->dirty = 1;
	if (a->kind == ASK_MENU) {
		if (key == 27 || key == 7) {
			close_ask(t, NULL);
		} else if (key > 0 && key < 128 && strchr(a->keys, key)) {
			char k[2] = {(char)key, '\0'};
			close_ask(t, k);
		} else {
			char name[32];
			key_text(key, name, sizeof(name));
			if (a->list)
				tui_message(t, 1, "%s: not a key listed", inert(name, 0));
			else
				tui_message(t, 1, "%s is not one of %s (Esc cancels)", inert(name, 0),
					    a->keys);
		}
		return;
	}
	t->msg[0] = '\0';
	switch (le_key(&a->le, key)) {
	case LE_DONE:
		close_ask(t, a->le.text.data);
		break;
	case LE_CANCEL:
		close_ask(t, NULL);
		break;
	case LE_COMPLETE:
		complete(t);
		break;
	case LE_MORE:
		break;
	}
}

/* a menu's choices, their lines just above row y */
static void draw_list(const char *list, int y, int w)
{
	int n = 0;
	for (const char *p = list; *p; p++)
		n += *p == '\n';
	n += list[0] && list[strlen(list) - 1] != '\n';
	int row = y - n < 0 ? 0 : y - n;
	for (const char *p = list; *p && row < y; row++) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		draw_line(row, 0, w, "", area_attr(C_DEFAULT));
		draw_text(row, 0, w, p, len, area_attr(C_DEFAULT), NULL);
		p += len + (nl != NULL);
	}
}

void ask_draw(struct tui *t)
{
	struct ask *a = &t->ask;
	int y = LINES - 1, w = COLS;
	int attr = area_attr(C_STATUS);
	if (a->kind == ASK_MENU) { /* the question, and what was wrong */
		if (a->list)
			draw_list(a->list, y, w);
		draw_line(y, 0, w, "", attr);
		int x = draw_text(y, 0, w, a->title, strlen(a->title), attr, NULL);
		if (t->msg[0] && x + 2 < w)
			x += draw_text(y, x + 2, w - x - 2, t->msg, strlen(t->msg),
				       area_attr(C_STATUS_ERROR), NULL) + 2;
		draw_line(y, x, w - x, "", attr);
		move(y, x < w ? x : w - 1);
		return;
	}
	if (t->msg[0] && y > 0) /* the candidates, or what went wrong: above */
		draw_line(y - 1, 0, w, t->msg, area_attr(t->msg_err ? C_STATUS_ERROR : C_STATUS));
	int pw = draw_text(y, 0, w / 2, a->title, strlen(a->title), attr, NULL);
	const char *s = a->le.text.data;
	/* scroll whole glyphs off the left until the cursor fits */
	int room = w - pw - 1;
	size_t off = 0;
	struct glyph g;
	while (off < a->le.cur && text_width(s + off, a->le.cur - off) > room) {
		glyph_next(s + off, a->le.cur - off, &g);
		off += g.len ? g.len : 1;
	}
	int cx = pw + text_width(s + off, a->le.cur - off);
	draw_line(y, pw, w - pw, s + off, attr);
	if (cx >= w)
		cx = w - 1;
	move(y, cx);
}
