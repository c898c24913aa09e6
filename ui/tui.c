/* tui.c - the workbench's one loop: keys (or a key script), the view
 * stack, the status line, commands, and the hooks that let tests drive
 * it without a terminal (STEPMARK_SCRIPT, STEPMARK_NO_DISPLAY,
 * :save-display) */
#include "config.h"

#include <errno.h>
#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "tui.h"
#include "../src/summary.h"
#include "../src/util.h"

#define MIN_W 40
#define MIN_H 8

void tui_message(struct tui *t, int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->msg, sizeof(t->msg), fmt, ap);
	va_end(ap);
	t->msg_err = err;
	t->msg_saving = 0;
	t->dirty = 1;
}

void tui_push(struct tui *t, struct view *v)
{
	if (t->depth == (int)ARRAY_SIZE(t->stack)) {
		v->ops->done(v);
		return;
	}
	t->stack[t->depth++] = v;
	t->dirty = 1;
}

void tui_pop(struct tui *t)
{
	if (t->depth <= 0)
		return;
	tui_ask_cancel(t); /* its callback may hold the view */
	tui_edit_cancel(t);
	struct view *v = t->stack[--t->depth];
	v->ops->done(v);
	if (t->depth == 0)
		t->quit = 1;
	else if (t->stack[t->depth - 1]->ops->reload)
		t->stack[t->depth - 1]->ops->reload(t->stack[t->depth - 1]);
	t->dirty = 1;
}

int tui_saved(struct tui *t, int rc, int64_t sol, int64_t action, const char *what)
{
	switch (rc) {
	case ANNOT_OK:
		writes_add(&t->writes, sol); /* the queue recounts only its chunk */
		tui_message(t, 0, "saving: %s", inert(what, 0));
		t->msg_saving = 1;
		if (t->hooks.trace)
			buf_printf(&t->unconfirmed, "saved action=%lld solution=%lld %s\n",
				   (long long)action, (long long)sol, what);
		t->nunconfirmed++;
		return 1;
	case ANNOT_NOTHING:
		tui_message(t, 1, "%s", inert(what, 0));
		return 0;
	default:
		tui_message(t, 1, "not saved: %s", inert(what, 0));
		t->failed++;
		return 0;
	}
}

/* The log's sync runs here, between keys, not in the key that labelled:
 * 10 ms at the median with a fetch writing (bench/team). */
void tui_confirm_saved(struct tui *t)
{
	if (db_sync(t->db) < 0 && t->nunconfirmed) {
		tui_message(t, 1, "not saved: the store's log could not be written to the disk: %s",
			    strerror(errno));
		t->failed += t->nunconfirmed;
	} else if (t->nunconfirmed) {
		if (t->msg_saving) {
			char said[sizeof(t->msg)];
			snprintf(said, sizeof(said), "saved: %s", t->msg + strlen("saving: "));
			tui_message(t, 0, "%s", said);
		}
		if (t->hooks.trace && t->unconfirmed.len) {
			fwrite(t->unconfirmed.data, 1, t->unconfirmed.len, t->hooks.trace);
			fflush(t->hooks.trace);
		}
	}
	buf_reset(&t->unconfirmed);
	t->nunconfirmed = 0;
}

/* ---- keys: from the terminal or from a script ---- */

/* The script's next key (see next_key); a paced script's key waits
 * for its time, the engine's transfers going on meanwhile. */
static int script_key(struct tui *t, int timeout_ms, char **cmd)
{
	struct keyscript *s = &t->hooks.script;
	int r = script_next(s, cmd);
	if (r == SCRIPT_END)
		return -2;
	if (r == SCRIPT_CMD)
		return 0;
	if (s->pace_ms > 0) {
		double due = script_due_in(s, mono_ms());
		if (due > 0) {
			int wait = (int)due;
			if (wait > timeout_ms && timeout_ms >= 0)
				wait = timeout_ms;
			if (!bg_wait(t, 0, wait))
				usleep((useconds_t)wait * 1000);
			if (script_due_in(s, mono_ms()) > 0)
				return -1;
		}
		s->due = s->next_at;
		script_paced(s, mono_ms());
	}
	return script_take(s);
}

/* Next key, -1 on timeout, -2 at the end of the script. Sets
 * *cmd when the script has a :command instead. */
static int next_key(struct tui *t, int timeout_ms, char **cmd)
{
	*cmd = NULL;
	if (t->hooks.script.f)
		return script_key(t, timeout_ms, cmd);
	wint_t wc;
	int rc;
	if ((bgfetch_running(t) || t->hub) && timeout_ms != 0) {
		/* the transfers, the hub and the keyboard, in one wait */
		timeout(0);
		rc = get_wch(&wc);
		if (rc == ERR) {
			bg_wait(t, 1, timeout_ms < 0 ? 1000 : timeout_ms);
			rc = get_wch(&wc);
		}
	} else {
		timeout(timeout_ms);
		rc = get_wch(&wc);
	}
	if (rc == ERR)
		return -1;
	if (rc == KEY_CODE_YES)
		return KEY_BASE + (int)wc;
	return wc == '\r' ? '\n' : (int)wc;
}

static int idle(struct tui *t);

/* ---- the screen ---- */
static void draw_status(struct tui *t)
{
	char right[256] = "";
	struct view *v = t->stack[t->depth - 1];
	if (v->ops->status)
		v->ops->status(v, right, sizeof(right));
	char info[512], fetch[128], hub[48];
	bgfetch_status(t, fetch, sizeof(fetch));
	bghub_status(t, hub, sizeof(hub));
	char waiting[48] = "";
	if (t->npending)
		snprintf(waiting, sizeof(waiting), "  %d unsaved", t->npending);
	snprintf(info, sizeof(info), "%s%s%s%s%s%s  %s ", right, fetch, hub, waiting,
		 t->set->blind == BLIND_ALL ? "  blind all" : t->set->blind ? "  blind" : "", t->read_only ? "  read-only" : "", t->ann.name);
	int attr = area_attr(t->msg_err ? C_STATUS_ERROR : C_STATUS);
	int iw = text_width(info, strlen(info));
	const char *msg = t->msg;
	size_t ml = strlen(msg);
	int mw = text_width(msg, ml);
	if (mw > COLS) { /* a long message starts on the line above (the hints') */
		size_t skip, first = wrap_line(msg, ml, COLS, &skip);
		draw_line(LINES - 2, 0, COLS, "", attr);
		draw_text(LINES - 2, 0, COLS, msg, first, attr, NULL);
		msg += first + skip;
		ml -= first + skip;
		mw = text_width(msg, ml);
	}
	/* a message longer than the room beside the fields takes the line */
	if (iw > COLS - 10 || mw > COLS - iw - 2)
		iw = 0;
	if (mw > COLS - iw) { /* and says it was cut */
		draw_line(LINES - 1, 0, COLS - 1, msg, attr);
		draw_line(LINES - 1, COLS - 1, 1, ">", area_attr(C_STATUS));
	} else {
		draw_line(LINES - 1, 0, COLS - iw, msg, attr);
	}
	if (iw)
		draw_line(LINES - 1, COLS - iw, iw, info, area_attr(C_STATUS));
}

/* a hint's first key as bound now, and the columns it takes; 0: unbound */
static int hint_key(struct tui *t, const struct hint *h, char *keys, size_t n)
{
	struct view *v = t->stack[t->depth - 1];
	config_keys_of(t->cfg, view_info(v)->keymap, h->a, keys, n);
	char *sp = strchr(keys, ' ');
	if (sp)
		*sp = '\0'; /* the first key is enough */
	return keys[0] ? text_width(keys, strlen(keys)) + (int)strlen(h->label) + 2 : 0;
}

/* The hint bar: the view's most used keys, as bound now, htop-style;
 * as many as fit, the last (the way out) always. */
static void draw_hints(struct tui *t, int y)
{
	struct view *v = t->stack[t->depth - 1];
	static const struct hint generic[] = {{A_HELP, "help"}, {A_SEARCH, "search"},
					      {A_QUIT, "back"}, {A_NONE, NULL}};
	const struct hint *h = v->ops->hints_now ? v->ops->hints_now(v) :
			       v->ops->hints ? v->ops->hints : generic;
	char keys[128];
	int nh = 0, reserve = 0;
	while (h[nh].a != A_NONE)
		nh++;
	if (nh)
		reserve = hint_key(t, &h[nh - 1], keys, sizeof(keys));
	attrset(area_attr(C_HINT));
	move(y, 0);
	int x = 0;
	for (int i = 0; i < nh; i++, h++) {
		int hw = hint_key(t, h, keys, sizeof(keys));
		if (!hw || x + hw + (i < nh - 1 ? reserve : 0) > COLS)
			continue;
		int kw = hw - (int)strlen(h->label) - 2, lw = (int)strlen(h->label);
		char label[64];
		snprintf(label, sizeof(label), " %s ", h->label);
		draw_text(y, x, kw, keys, strlen(keys), area_attr(C_HINT_KEY), NULL);
		draw_text(y, x + kw, lw + 2, label, strlen(label), area_attr(C_HINT), NULL);
		x += kw + lw + 2;
	}
	attrset(area_attr(C_HINT));
	for (; x < COLS; x++)
		addch(' ');
}

static int hint_rows(const struct tui *t)
{
	return t->set->hints && LINES >= MIN_H + 4 ? 1 : 0;
}

static void draw_title(struct tui *t)
{
	char title[512];
	struct view *v = t->stack[t->depth - 1];
	const char *base = strrchr(t->dbpath, '/');
	snprintf(title, sizeof(title), " stepmark  %s  [%s]", base ? base + 1 : t->dbpath,
		 view_info(v)->name);
	draw_line(0, 0, COLS, title, area_attr(C_TITLE));
}

static void draw_all(struct tui *t)
{
	erase();
	if (COLS < MIN_W || LINES < MIN_H) {
		attrset(A_NORMAL);
		mvaddnstr(0, 0, "The terminal is too small.", COLS);
		char need[64];
		snprintf(need, sizeof(need), "stepmark needs %dx%d, it has %dx%d.", MIN_W,
			 MIN_H, COLS, LINES);
		if (LINES > 1)
			mvaddnstr(1, 0, need, COLS);
	} else {
		struct view *v = t->stack[t->depth - 1];
		int hr = hint_rows(t);
		draw_title(t);
		v->ops->draw(v, 1, LINES - 2 - hr, COLS);
		if (hr)
			draw_hints(t, LINES - 2);
		draw_status(t);
		if (t->edit)
			edit_draw(t);
		if (t->ask.active)
			ask_draw(t);
	}
	curs_set((t->ask.active || t->edit) && COLS >= MIN_W && LINES >= MIN_H ? 1 : 0);
	wnoutrefresh(stdscr);
	doupdate();
	t->dirty = 0;
}

/* The Unicode character a line-drawing one of the alternate character
 * set (ACS_VLINE is 'x' in it) shows on the terminal; 0 when none. */
static wchar_t acs_unicode(wchar_t c)
{
	static const char acs[] = "jklmnqtuvwxa`fg~,+.-h0oprsyz{|}";
	static const wchar_t uni[] = {
		0x2518, 0x2510, 0x250c, 0x2514, 0x253c, 0x2500, 0x251c, 0x2524, 0x2534,
		0x252c, 0x2502, 0x2592, 0x25c6, 0x00b0, 0x00b1, 0x00b7, 0x2190, 0x2192,
		0x2193, 0x2191, 0x2591, 0x2588, 0x23ba, 0x23bb, 0x23bc, 0x23bd,
		0x2264, 0x2265, 0x03c0, 0x2260, 0x00a3,
	};
	const char *p = c > 0 && c < 128 ? strchr(acs, (int)c) : NULL;
	return p ? uni[p - acs] : 0;
}

/* Line y of the screen as UTF-8 into out (n bytes): each cell's
 * characters as the terminal shows them, trailing blanks dropped. */
static void screen_line(int y, char *out, size_t n)
{
	size_t len = 0;
	for (int x = 0; x < COLS;) {
		cchar_t cc;
		wchar_t wch[CCHARW_MAX + 1] = {0};
		attr_t attrs = 0;
		short pair = 0;
		if (mvin_wch(y, x, &cc) == ERR || getcchar(&cc, wch, &attrs, &pair, NULL) == ERR)
			wch[0] = L' ', wch[1] = L'\0';
		if (attrs & A_ALTCHARSET && acs_unicode(wch[0]))
			wch[0] = acs_unicode(wch[0]), wch[1] = L'\0';
		int w = wcwidth(wch[0]);
		x += w > 1 ? w : 1; /* a wide character's second cell is its own */
		for (const wchar_t *c = wch; *c && c < wch + CCHARW_MAX; c++) {
			char mb[MB_LEN_MAX];
			mbstate_t st = {0};
			size_t k = wcrtomb(mb, *c, &st);
			if (k != (size_t)-1 && len + k < n) {
				memcpy(out + len, mb, k);
				len += k;
			}
		}
	}
	while (len && out[len - 1] == ' ')
		len--;
	out[len] = '\0';
}

static int save_display(const char *path)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	char line[8192];
	for (int y = 0; y < LINES; y++) {
		screen_line(y, line, sizeof(line));
		fprintf(f, "%s\n", line);
	}
	return fclose(f);
}

/* ---- actions and commands ---- */
static void search_done(struct tui *t, const char *p, void *arg)
{
	int dir = arg ? 1 : -1;
	if (!p)
		return;
	if (!*p && !t->pattern)
		return;
	if (*p) {
		char err[200];
		void *re = db_regex_compile(p, err, sizeof(err));
		if (!re) {
			tui_message(t, 1, "%s", err);
			return;
		}
		if (t->re)
			db_regex_free(t->re);
		free(t->pattern);
		t->re = re;
		t->pattern = xstrdup(p);
	}
	t->search_dir = dir;
	struct view *v = t->stack[t->depth - 1];
	if (!v->ops->search || !v->ops->search(v, dir))
		tui_message(t, 1, "no match for %s", inert(t->pattern, 0));
	t->dirty = 1;
}

static void search_start(struct tui *t, int dir)
{
	tui_ask(t, ASK_SEARCH, dir > 0 ? "/" : "?", NULL, search_done, dir > 0 ? t : NULL);
}

static void command_done(struct tui *t, const char *c, void *arg)
{
	(void)arg;
	if (c && *c)
		tui_command(t, c);
}

static void find_again(struct tui *t, int same)
{
	if (!t->re) {
		tui_message(t, 1, "no search yet: / or ? starts one");
		return;
	}
	struct view *v = t->stack[t->depth - 1];
	int dir = same ? t->search_dir : -t->search_dir;
	if (!v->ops->search || !v->ops->search(v, dir))
		tui_message(t, 1, "no more matches for %s", inert(t->pattern, 0));
}

static void run_action(struct tui *t, enum action a, const char *cmd);

/* Quits, unless actions wait for the store: then once they are saved,
 * or at a second request without them. */
static void request_quit(struct tui *t)
{
	if (!t->pq_head || t->quit_wait) {
		t->quit = 1;
		return;
	}
	t->quit_wait = 1;
	tui_message(t, 1, "%d action%s waiting for the store: quitting once saved "
		    "(quit again to drop them)", t->npending,
		    t->npending == 1 ? "" : "s");
}

const char *tui_alias(const struct tui *t, const char *name)
{
	return alias_of(t->aliases, name);
}

static void reload_all(struct tui *t)
{
	alias_auto(t->aliases, t->db); /* annotators imported meanwhile */
	for (int i = 0; i < t->depth; i++)
		if (t->stack[i]->ops->reload)
			t->stack[i]->ops->reload(t->stack[i]);
	t->dirty = 1;
}

/* To line (or step) n of the view on top. */
static void goto_line(struct tui *t, long n)
{
	struct view *v = t->stack[t->depth - 1];
	char num[32];
	snprintf(num, sizeof(num), "%ld", n);
	if (!v->ops->command || !v->ops->command(v, "goto", num))
		tui_message(t, 1, "this view has no numbered lines");
	t->dirty = 1;
}

/* A count typed before an action: repeated moves, or G and g to that
 * line; other actions run once. */
static void run_counted(struct tui *t, enum action a, long n)
{
	switch (a) {
	case A_MOVE_DOWN: case A_MOVE_UP: case A_SCROLL_DOWN: case A_SCROLL_UP:
	case A_PAGE_DOWN: case A_PAGE_UP: case A_NEXT_SOLUTION: case A_PREV_SOLUTION:
		for (long i = 0; i < n && i < 100000; i++)
			run_action(t, a, NULL);
		break;
	case A_MOVE_LAST: case A_MOVE_FIRST:
		goto_line(t, n);
		break;
	default:
		run_action(t, a, NULL);
	}
}

int tui_command(struct tui *t, const char *line)
{
	while (*line == ' ' || *line == ':')
		line++;
	char verb[64];
	size_t n = strcspn(line, " \t");
	if (n == 0)
		return 0;
	snprintf(verb, sizeof(verb), "%.*s", (int)n, line);
	const char *arg = line + n;
	while (*arg == ' ' || *arg == '\t')
		arg++;
	if (!strcmp(verb, "save-display")) {
		if (!*arg || save_display(arg) < 0)
			tui_message(t, 1, "save-display: cannot write %s", inert(arg, 0));
		return 1;
	}
	if (!strcmp(verb, "resize")) {
		int w = 0, h = 0;
		if (sscanf(arg, "%d %d", &w, &h) == 2 && w > 0 && h > 0)
			resizeterm(h, w);
		t->dirty = 1;
		return 1;
	}
	if (!strcmp(verb, "q") || !strcmp(verb, "quit")) {
		request_quit(t);
		return 1;
	}
	if (!strcmp(verb, "set") && !*arg) {
		struct buf b = {0};
		settings_text(t, &b);
		tui_push(t, pager_view_new(t, "settings", b.data, 0));
		buf_free(&b);
		return 1;
	}
	if (!strcmp(verb, "set") || !strcmp(verb, "bind") || !strcmp(verb, "color") ||
	    !strcmp(verb, "source")) {
		char *out = NULL;
		size_t outlen = 0;
		FILE *w = open_memstream(&out, &outlen);
		config_line(t->cfg, line, "command", w);
		fclose(w);
		if (outlen) {
			out[strcspn(out, "\n")] = '\0';
			tui_message(t, 1, "%s", out);
		}
		free(out);
		if (!strcmp(verb, "color") || !strcmp(verb, "source"))
			config_apply_colors(t->cfg);
		if (!outlen && t->set->annotator && strcmp(t->set->annotator, t->ann.name) &&
		    !strncmp(arg, "annotator", 9)) { /* labels from now on carry the new name */
			t->ann.name = t->set->annotator;
			queue_reopen(t);
			tui_message(t, 0, "annotator: %s", inert(t->ann.name, 0));
		}
		reload_all(t);
		return 1;
	}
	if (strspn(verb, "0123456789") == strlen(verb)) { /* :20 goes to line 20 */
		goto_line(t, strtol(verb, NULL, 10));
		return 1;
	}
	if (queue_command(t, verb, arg))
		return 1;
	for (int i = 1; i < A_COUNT; i++)
		if (!strcmp(action_table[i].name, verb)) {
			run_action(t, (enum action)i, *arg ? arg : NULL);
			return 1;
		}
	tui_message(t, 1, "unknown command: %s", inert(verb, 0));
	return 0;
}

const char *const tui_verbs[] = {
	"quit", "set", "bind", "color", "source", "filter", "sort", "dataset",
	"grep", "open", "save-display", NULL,
};

static void run_action(struct tui *t, enum action a, const char *arg)
{
	struct view *v = t->stack[t->depth - 1];
	if (v->ops->act(v, a, arg)) {
		t->dirty = 1;
		return;
	}
	switch (a) {
	case A_QUIT:
		if (t->depth == 1)
			request_quit(t);
		else
			tui_pop(t);
		break;
	case A_QUIT_ALL:
		request_quit(t);
		break;
	case A_SEARCH:
		search_start(t, 1);
		break;
	case A_SEARCH_BACK:
		search_start(t, -1);
		break;
	case A_FIND_NEXT:
		find_again(t, 1);
		break;
	case A_FIND_PREV:
		find_again(t, 0);
		break;
	case A_PROMPT:
		tui_ask(t, ASK_COMMAND, ":", NULL, command_done, NULL);
		break;
	case A_BLIND:
		t->set->blind = (t->set->blind + 1) % 3;
		tui_message(t, 0, "%s", t->set->blind == BLIND_ALL ?
			    "blind: suggestions, others' labels and the verdict hidden until you decide" :
			    t->set->blind ? "blind: suggestions hidden until you decide" : "blind mode off");
		reload_all(t);
		break;
	case A_FETCH:
		bgfetch_action(t);
		break;
	case A_TOGGLE_LATEX:
		t->set->latex = !t->set->latex;
		tui_message(t, 0, "LaTeX %s", t->set->latex ? "shown as Unicode math" : "shown raw");
		reload_all(t);
		break;
	case A_GUIDELINES:
		guidelines_show(t);
		break;
	case A_REFRESH:
		clearok(curscr, TRUE);
		reload_all(t);
		tui_message(t, 0, "reloaded");
		break;
	case A_NONE:
		break;
	default:
		if (!view_open_by(t, a)) /* an action that opens a view (VIEWS) */
			tui_message(t, 1, "%s does nothing here", action_table[a].name);
		break;
	}
	t->dirty = 1;
}

static void handle_key(struct tui *t, int key)
{
	if (key == KEY_BASE + KEY_RESIZE) {
		t->dirty = 1;
		return;
	}
	int stopped = t->search != NULL;
	if (stopped) /* a key stops the search running between keys */
		search_cancel(t);
	struct view *v = t->stack[t->depth - 1];
	if (t->edit) { /* so does the inline editor */
		if (key != KEY_BASE + KEY_MOUSE)
			edit_key(t, key);
		return;
	}
	if (t->ask.active) { /* the prompt takes the keys */
		if (key != KEY_BASE + KEY_MOUSE)
			ask_key(t, key);
		return;
	}
	if (key == KEY_BASE + KEY_MOUSE) {
		MEVENT e;
		if (getmouse(&e) == OK && v->ops->mouse) {
			int b = e.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_RELEASED) ? 1 :
				e.bstate & BUTTON4_PRESSED ? 4 :
				e.bstate & BUTTON5_PRESSED ? 5 : 0;
			if (b)
				v->ops->mouse(v, e.y, e.x, b);
			t->dirty = 1;
		}
		return;
	}
	if (COLS < MIN_W || LINES < MIN_H) {
		const char *cmd;
		if (config_key_action(t->cfg, view_info(v)->keymap, key, &cmd) == A_QUIT_ALL)
			request_quit(t);
		return;
	}
	t->msg[0] = '\0';
	t->msg_err = 0;
	if (stopped) /* said until a message of the key's own */
		tui_message(t, 0, "search stopped");
	const char *cmd;
	enum action a = config_key_action(t->cfg, view_info(v)->keymap, key, &cmd);
	/* a count, as in vim: 1-9 that no key binds, then any digit (0
	 * alone is a key: it rates 0 in the solution view, and no digit 1-9
	 * is bound by default, so 10j moves ten steps and rates nothing) */
	if (key >= '0' && key <= '9' && (t->count || (a == A_NONE && !cmd && key != '0'))) {
		if (t->count < 100000000)
			t->count = t->count * 10 + (key - '0');
		tui_message(t, 0, "%ld", t->count);
		t->dirty = 1;
		return;
	}
	long count = t->count;
	t->count = 0;
	if (key == 27 && count) { /* Esc drops a count */
		t->dirty = 1;
		return;
	}
	if (cmd) {
		tui_command(t, cmd);
	} else if (count && a != A_NONE) {
		run_counted(t, a, count);
	} else if (a == A_NONE) {
		char name[32];
		key_text(key, name, sizeof(name));
		tui_message(t, 1, "%s is not bound (h shows the keys)", inert(name, 0));
	} else {
		run_action(t, a, NULL);
	}
	t->dirty = 1;
}

/* another writer's solutions counted again one by one up to here */
#define CHANGES_MAX 4096
static void another_wrote(void *arg, int64_t sol)
{
	struct tui *t = arg;
	writes_add(&t->writes, sol);
}

/* Background work between keys. Returns IDLE_WORK while a view has more
 * to compute, IDLE_FETCH while the engine waits on transfers or the store
 * (the loop then waits on them rather than spin), 0 when all is done. */
enum { IDLE_WORK = 1, IDLE_FETCH = 2, IDLE_SOON = 4 };
static int idle(struct tui *t)
{
	tui_confirm_saved(t);
	if (!t->read_only) /* between keys, never in a label's commit */
		db_checkpoint_idle(t->db);
	int more = search_idle(t) ? IDLE_WORK : 0;
	for (int i = 0; i < t->depth; i++) {
		int r = t->stack[i]->ops->idle ? t->stack[i]->ops->idle(t->stack[i]) : 0;
		more |= r == 2 ? IDLE_SOON : r ? IDLE_WORK : 0;
	}
	if (t->pq_head && tui_label_retry(t)) {
		reload_all(t);
		if (t->quit_wait && !t->pq_head)
			t->quit = 1;
	}
	if (bgfetch_idle(t))
		more |= IDLE_FETCH;
	bghub_idle(t); /* what it pulls shows below, as another writer's */
	/* another connection wrote: show it (at most 4 times a second while
	 * the engine stores suggestions or the hub's pages come in; at the
	 * round's end at once) */
	double now = mono_ms();
	int64_t dv = db_data_version(t->db);
	if (dv != t->data_version) {
		if (!(bgfetch_running(t) || bghub_busy(t)) || now - t->last_reload >= 250) {
			t->data_version = dv;
			t->last_reload = now;
			/* another writer: the counts again where it labelled, or
			 * all of them when it changed more than labels */
			if (db_changes_since(t->db, &t->marks, CHANGES_MAX, another_wrote, t) != 0)
				t->writes.epoch++;
			reload_all(t);
		} else if (bgfetch_running(t)) {
			more |= IDLE_FETCH; /* shown on a later pass */
		} /* the hub's socket wakes the loop for its next page */
	}
	return more;
}

/* ---- setup ---- */
static void use_utf8(void)
{
	setlocale(LC_ALL, "");
	/* numbers are read and written one way whatever the locale: "0,5"
	 * is no setting, no JSON, no export's number */
	setlocale(LC_NUMERIC, "C");
	const char *cs = nl_langinfo(CODESET);
	if (!cs || strcmp(cs, "UTF-8") != 0)
		setlocale(LC_CTYPE, "C.UTF-8");
}

static FILE *open_env_file(const char *var, const char *mode)
{
	const char *p = getenv(var);
	if (!p || !*p)
		return NULL;
	FILE *f = fopen(p, mode);
	if (!f)
		errf("stepmark: %s: cannot open %s: %s\n", var, p, strerror(errno));
	return f;
}

/* Every fatal path gives the terminal back before the program ends (a
 * signal handler has no argument: the one flag it needs is static). */
static volatile sig_atomic_t curses_live;

static void restore_terminal(void)
{
	if (curses_live && !isendwin())
		endwin();
}

static void on_fatal_signal(int sig)
{
	restore_terminal();
	static const char msg[] = "stepmark: fatal signal; the terminal is restored\n";
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0) {
		/* nothing more to do */
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Ctrl-C and SIGTERM end the loop in order (ncurses' own handlers would
 * exit at once, saying nothing); a second one while it closes ends the
 * program as the first used to, the terminal restored. */
static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
	if (stop_signal) {
		restore_terminal();
		static const char msg[] = "stepmark: stopped again; the terminal is restored\n";
		if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0) {
			/* nothing more to do */
		}
		_exit(130);
	}
	stop_signal = sig;
}

static void catch_stop(void)
{
	static const int sigs[] = {SIGINT, SIGTERM};
	stop_signal = 0;
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++) {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_stop_signal; /* no SA_RESTART: a wait ends at once */
		sigaction(sigs[i], &sa, NULL);
	}
}

static void catch_fatal(void)
{
	static const int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++) {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_fatal_signal;
		sa.sa_flags = SA_RESETHAND;
		sigaction(sigs[i], &sa, NULL);
	}
	util_on_fatal(restore_terminal);
	atexit(restore_terminal);
}

/* The store for the workbench: read-write when the file (or, for a new
 * store, its directory) can be written, else read-only. */
static struct db *open_store(const char *path, int *read_only, char *err, size_t n)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? xstrndup(path, (size_t)(slash - path) + 1) : xstrdup(".");
	int exists = access(path, F_OK) == 0;
	int writable = exists ? access(path, W_OK) == 0 && access(dir, W_OK) == 0 :
		       access(dir, W_OK) == 0;
	free(dir);
	*read_only = exists && !writable;
	return *read_only ? db_open_ro(path, err, n) : db_open(path, err, n);
}

/* Opens the store for t and makes sure the queue's summaries are there:
 * 0, or the exit status after saying why not. */
static int store_prepare(struct tui *t)
{
	char err[600];
	t->db = open_store(t->dbpath, &t->read_only, err, sizeof(err));
	if (!t->db) {
		errf("stepmark: %s\n", inert(err, 0));
		return 3;
	}
	/* the store says when every solution has its summary: else count once */
	long missing = t->read_only || db_summaries_known(t->db) ? 0 : db_summary_missing(t->db);
	if (missing == 0 && !t->read_only && !db_summaries_known(t->db))
		summary_backfill(t->db); /* records that nothing is missing */
	if (missing > 0) {
		errf("stepmark: summarising %ld solutions for the queue (once)...\n",
			missing);
		if (summary_backfill(t->db) < 0) {
			errf("stepmark: cannot summarise: %s\n", inert(db_errmsg(t->db), 0));
			db_close(t->db);
			return 3;
		}
	}
	if (!t->read_only)
		db_set_interactive(t->db);
	return 0;
}

/* Reads the built-in defaults, then the config file; its warnings are
 * written to stderr and kept in *warns for the status line. Returns how
 * many there were. */
static int config_read(struct tui *t, const char *config_path, const char *annotator,
		       char **warns)
{
	t->cfg = config_new();
	config_defaults(t->cfg);
	char *cpath = config_path ? xstrdup(config_path) : conf_path_default();
	size_t wlen = 0;
	FILE *w = open_memstream(warns, &wlen);
	int nwarn = cpath ? config_load(t->cfg, cpath, config_path == NULL, w) : 0;
	fclose(w);
	if (nwarn)
		errf("%s", *warns);
	t->set = config_settings(t->cfg);
	t->aliases = &config_conf(t->cfg)->aliases;
	alias_auto(t->aliases, t->db); /* a store error shows the full names */
	t->config_file = cpath;
	const char *user = getenv("USER");
	t->ann.name = conf_annotator(t->set, annotator);
	t->ann.origin = "tui";
	if (!(annotator && *annotator) && !(t->set->annotator && *t->set->annotator) &&
	    !(user && *user))
		tui_message(t, 1, "labelling as anonymous ($USER unset): --annotator NAME, "
			    "or set annotator = NAME");
	return nwarn;
}

/* The test hooks, from their environment variables. */
static void hooks_open(struct hooks *h, struct db *db)
{
	script_open(&h->script, open_env_file("STEPMARK_SCRIPT", "r"), 0);
	h->trace = open_env_file("STEPMARK_TRACE", "a");
	h->timings = open_env_file("STEPMARK_TIMINGS", "w");
	h->sqllog = open_env_file("STEPMARK_SQLLOG", "w");
	if (h->sqllog)
		db_trace(db, h->sqllog);
	const char *nd = getenv("STEPMARK_NO_DISPLAY");
	h->no_display = nd && *nd;
}

static void hooks_close(struct hooks *h, struct db *db)
{
	if (h->devnull)
		fclose(h->devnull);
	script_stop(&h->script);
	if (h->trace)
		fclose(h->trace);
	if (h->timings)
		fclose(h->timings);
	if (h->sqllog) {
		db_trace(db, NULL);
		fclose(h->sqllog);
	}
	script_free(&h->script);
}

/* Starts curses: on the terminal, or with STEPMARK_NO_DISPLAY on
 * /dev/null, the screen kept in memory. 0 when it cannot. */
static int screen_open(struct tui *t)
{
	if (t->hooks.no_display) {
		t->hooks.devnull = fopen("/dev/null", "r+");
		t->screen = newterm(getenv("TERM") ? NULL : "xterm-256color", t->hooks.devnull,
				    t->hooks.devnull);
	} else {
		t->screen = newterm(NULL, stdout, stdin);
	}
	if (!t->screen) {
		errf("stepmark: cannot start the terminal (TERM=%s)\n",
			getenv("TERM") ? getenv("TERM") : "");
		return 0;
	}
	set_term(t->screen);
	curses_live = 1;
	catch_fatal();
	catch_stop(); /* after newterm, which sets ncurses' own */
	set_escdelay(25);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	curs_set(0);
	if (t->set->mouse)
		mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON4_PRESSED |
			  BUTTON5_PRESSED, NULL);
	mouseinterval(0);
	config_apply_colors(t->cfg);
	return 1;
}

static void screen_close(struct tui *t)
{
	endwin();
	curses_live = 0;
	delscreen(t->screen);
	t->screen = NULL;
}

/* Everything up to the first screen: 0, or the exit status. */
static int tui_open(struct tui *t, const char *dbpath, const char *annotator,
		    const char *config_path, const char *hub)
{
	double t0 = mono_ms();
	use_utf8();
	t->dbpath = dbpath;
	int rc = store_prepare(t);
	if (rc)
		return rc;
	char *warns = NULL;
	int nwarn = config_read(t, config_path, annotator, &warns);
	hooks_open(&t->hooks, t->db);
	if (!screen_open(t)) {
		db_close(t->db);
		config_free(t->cfg);
		free(t->config_file);
		free(warns);
		return 1;
	}
	if (nwarn) {
		warns[strcspn(warns, "\n")] = '\0';
		tui_message(t, 1, "%d config warning%s: %s", nwarn, nwarn > 1 ? "s" : "",
			    warns);
	}
	free(warns);
	guidelines_start(t);
	t->data_version = db_data_version(t->db);
	db_changes_mark(t->db, &t->marks);
	const char *pace = getenv("STEPMARK_SCRIPT_PACE");
	if (pace && *pace)
		t->hooks.script.pace_ms = atof(pace);
	if (t->set->fetch && !t->read_only)
		bgfetch_start(t, t->set->fetch);
	bghub_start(t, hub);
	if (t->read_only)
		tui_message(t, 1, "read-only: labels cannot be saved (the store cannot be written)");
	ask_history_load(t);
	t->queue = qmodel_new(t->db, &t->ann, &t->set->blind, &t->writes, t->set->filter, t->set->sort);
	tui_push(t, queue_view_new(t));
	draw_all(t);
	if (t->hooks.timings)
		fprintf(t->hooks.timings, "first-screen %.3f\n", mono_ms() - t0);
	if (t->hooks.sqllog)
		fputs("-- first-screen\n", t->hooks.sqllog);
	return 0;
}

/* A script without pacing waits between keys until the background work
 * is done, so that each key meets the screen it would meet by hand. */
static int catch_up(struct tui *t)
{
	int busy;
	while ((busy = idle(t))) {
		if (!(busy & IDLE_WORK) && bgfetch_running(t))
			bgfetch_wait(t, -1, 50);
		else if (busy == IDLE_SOON)
			usleep(2000); /* a view's worker is busy */
	}
	if (t->dirty)
		draw_all(t);
	return busy;
}

/* A script's command ends an open prompt, except those that look at it. */
static void script_command(struct tui *t, char *cmd)
{
	if (strncmp(cmd, "save-display", 12) && strncmp(cmd, "resize", 6)) {
		tui_ask_cancel(t);
		tui_edit_cancel(t);
	}
	tui_command(t, cmd);
	free(cmd);
}

static void time_key(struct tui *t, int key, double k0, double c0)
{
	char name[32];
	key_text(key, name, sizeof(name));
	if (key == KEY_BASE + KEY_RESIZE) { /* not a key: the new size */
		fprintf(t->hooks.timings, "resize %dx%d %.3f\n", COLS, LINES, mono_ms() - k0);
		return;
	}
	fprintf(t->hooks.timings, "key %s %.3f\n", name, mono_ms() - k0);
	fprintf(t->hooks.timings, "key-cpu %s %.3f\n", name, cpu_ms() - c0);
	/* a paced key: from when it was due, the loop's work before it too */
	if (t->hooks.script.due > 0)
		fprintf(t->hooks.timings, "due %s %.3f\n", name, mono_ms() - t->hooks.script.due);
}

/* The end of the script: without a display, the workbench ends once what
 * waits is saved; on a terminal, the keyboard takes over. 0: the loop ends. */
static int script_ended(struct tui *t, int *busy)
{
	if (t->hooks.no_display && t->pq_head) { /* save what waits */
		*busy = idle(t);
		usleep(20000);
		return 1;
	}
	if (t->hooks.no_display)
		return 0;
	script_stop(&t->hooks.script);
	return 1;
}

/* One key (or command) and the work after it. 0: the loop ends. */
static int loop_once(struct tui *t, int *busy)
{
	char *cmd;
	if (stop_signal) { /* Ctrl-C: quit, saying what was kept (tui_close) */
		t->stopped = stop_signal;
		return 0;
	}
	if (t->hooks.script.f && !t->hooks.script.pace_ms)
		*busy = catch_up(t);
	int key = next_key(t, (*busy & IDLE_WORK) ? 0 : (*busy & IDLE_SOON) ? 20 :
			   t->pq_head ? 50 : 500, &cmd);
	double k0 = mono_ms(), c0 = cpu_ms();
	if (key == -2)
		return script_ended(t, busy);
	int was_cmd = cmd != NULL;
	if (cmd)
		script_command(t, cmd);
	else if (key >= 0)
		handle_key(t, key);
	if (t->quit || t->depth == 0)
		return 0;
	if (t->search || t->nunconfirmed) /* a search the key started, a label's sync: now */
		*busy |= IDLE_WORK;
	if (t->dirty)
		draw_all(t);
	if (t->hooks.timings && key >= 0 && !was_cmd)
		time_key(t, key, k0, c0);
	/* between keys: counts, retries, other writers' changes */
	if (key < 0 || t->hooks.script.f) {
		*busy = idle(t);
		if (t->dirty)
			draw_all(t);
	}
	return 1;
}

static void tui_loop(struct tui *t)
{
	int busy = 1;
	while (!t->quit && t->depth > 0 && loop_once(t, &busy))
		;
}

/* Says what was not saved; returns how many. */
static int report_unsaved(struct tui *t)
{
	int unsaved = t->npending + t->failed;
	if (t->npending)
		errf("stepmark: %d action%s not saved: %s\n", t->npending,
			t->npending == 1 ? " was" : "s were",
			t->pq_full ? "the disk was full" : "another writer held the store");
	if (t->failed)
		errf("stepmark: %d action%s could not be saved%s\n", t->failed,
			t->failed == 1 ? "" : "s", t->read_only ? ": the store is read-only" : "");
	tui_label_drop(t, stderr);
	return unsaved;
}

/* After Ctrl-C (or SIGTERM): what happened, and what was kept. */
static void report_stopped(const struct tui *t, int fetching)
{
	int unsaved = t->npending + t->failed;
	errf("stepmark: stopped by %s; %s%s\n", t->stopped == SIGINT ? "Ctrl-C" : "SIGTERM",
	     unsaved ? "the actions below were not saved, every other one was" :
	     "every action was saved as it was made",
	     fetching ? "; fetched suggestions are stored, unfinished jobs went back to "
	     "the queue" : "");
}

/* Closes the views, the engine, the screen and the store: the exit
 * status (1 when actions were not saved, else 130 after Ctrl-C). */
static int tui_close(struct tui *t)
{
	while (t->depth > 0)
		tui_pop(t);
	qmodel_free(t->queue);
	int fetching = bgfetch_running(t);
	bgfetch_close(t); /* stores what is finished, gives back the rest */
	screen_close(t);
	tui_confirm_saved(t);
	buf_free(&t->unconfirmed);
	long unsynced = bghub_close(t); /* the last labels pushed, if it can */
	hooks_close(&t->hooks, t->db);
	ask_free(t);
	if (t->stopped)
		report_stopped(t, fetching);
	int unsaved = report_unsaved(t);
	if (unsynced > 0) /* the exit status stays: they are safe in the store */
		errf("stepmark: %ld label%s not on the hub yet: stored, %s at the next sync\n",
		     unsynced, unsynced == 1 ? "" : "s", unsynced == 1 ? "it goes" : "they go");
	if (t->re)
		db_regex_free(t->re);
	search_cancel(t);
	search_forget(t);
	writes_free(&t->writes);
	free(t->pattern);
	config_free(t->cfg);
	free(t->config_file);
	guidelines_free(&t->guide);
	db_close(t->db);
	return unsaved ? 1 : t->stopped ? 130 : 0;
}

int tui_main(const char *dbpath, const char *annotator, const char *config_path,
	     const char *hub)
{
	struct tui t = {0};
	int rc = tui_open(&t, dbpath, annotator, config_path, hub);
	if (rc)
		return rc;
	tui_loop(&t);
	return tui_close(&t);
}
