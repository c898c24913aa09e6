/* editor.c - writing a text longer than a prompt's line: in the annotator's
 * editor ($VISUAL, else $EDITOR, through the shell, on a temporary file),
 * the terminal given back and taken again as git and mutt do; where no
 * editor is set, an inline multi-line editor that is a mode of the one
 * loop, as a prompt is (keys go to it, the loop goes on). */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <wchar.h>

#include "lineedit.h"
#include "tui.h"
#include "../src/util.h"

/* the inline editor's state: the text, the cursor (a byte offset at a
 * character's start), the first screen row shown */
struct medit {
	char title[160];
	struct buf text;
	size_t cur;
	int top;
	ask_fn done;
	void *arg;
};

static const char *editor_command(void)
{
	const char *ed = getenv("VISUAL");
	if (!ed || !*ed)
		ed = getenv("EDITOR");
	return ed && *ed ? ed : NULL;
}

/* A temporary file (0600) holding text and a last newline: its path
 * (free it), or NULL with why in err. */
static char *temp_with(const char *text, char *err, size_t n)
{
	const char *dir = getenv("TMPDIR");
	struct buf p = {0};
	buf_printf(&p, "%s/stepmark-step-XXXXXX", dir && *dir ? dir : "/tmp");
	mode_t old = umask(077);
	int fd = mkstemp(p.data);
	umask(old);
	if (fd < 0) {
		snprintf(err, n, "cannot make a temporary file in %s: %s", dir && *dir ? dir : "/tmp",
			 strerror(errno));
		buf_free(&p);
		return NULL;
	}
	size_t len = strlen(text);
	int bad = fchmod(fd, 0600) != 0;
	for (size_t off = 0; !bad && off < len;) {
		ssize_t w = write(fd, text + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		bad = w <= 0;
		off += w > 0 ? (size_t)w : 0;
	}
	if (!bad && write(fd, "\n", 1) != 1)
		bad = 1;
	if (close(fd) != 0 || bad) {
		snprintf(err, n, "cannot write %s: %s", p.data, strerror(errno ? errno : EIO));
		unlink(p.data);
		buf_free(&p);
		return NULL;
	}
	return p.data;
}

/* The file as the editor left it, into out: 0, or -1 with why in err. */
static int read_back(const char *path, struct buf *out, char *err, size_t n)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, n, "the editor left no file: %s", strerror(errno));
		return -1;
	}
	char chunk[8192];
	size_t k;
	while ((k = fread(chunk, 1, sizeof(chunk), f)) > 0 && out->len <= ANNOT_MAX_TEXT + 1)
		buf_add(out, chunk, k);
	int e = ferror(f);
	fclose(f);
	buf_puts(out, "");
	if (e) {
		snprintf(err, n, "cannot read the file back");
		return -1;
	}
	if (memchr(out->data, '\0', out->len)) {
		snprintf(err, n, "the file holds a NUL byte");
		return -1;
	}
	return 0;
}

/* Runs cmd on path through the shell, the terminal the child's: its wait
 * status, or -1. Ctrl-C and Ctrl-\ are the editor's meanwhile (as
 * system(3) has them). */
static int run_editor(const char *cmd, const char *path)
{
	struct sigaction ign, oint, oquit;
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigaction(SIGINT, &ign, &oint);
	sigaction(SIGQUIT, &ign, &oquit);
	struct buf sh = {0};
	buf_printf(&sh, "%s \"$@\"", cmd);
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		execl("/bin/sh", "sh", "-c", sh.data, "sh", path, (char *)NULL);
		_exit(127);
	}
	int status = -1;
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	buf_free(&sh);
	sigaction(SIGINT, &oint, NULL);
	sigaction(SIGQUIT, &oquit, NULL);
	return pid > 0 ? status : -1;
}

/* The screen again after the editor: the terminal's modes, its size (it
 * may have changed meanwhile: SIGWINCH came while curses was away), and
 * every cell drawn anew. */
static void take_terminal(struct tui *t)
{
	reset_prog_mode();
	struct winsize ws;
	if (!t->hooks.no_display && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row &&
	    ws.ws_col && (ws.ws_row != LINES || ws.ws_col != COLS))
		resizeterm(ws.ws_row, ws.ws_col);
	keypad(stdscr, TRUE);
	clearok(curscr, TRUE);
	t->dirty = 1;
}

/* 1: edited, the text in *out (free it); 0: no editor set; -1: it failed,
 * said in the status line. */
static int edit_external(struct tui *t, const char *text, char **out)
{
	const char *cmd = editor_command();
	if (!cmd)
		return 0;
	char err[300];
	char *path = temp_with(text, err, sizeof(err));
	if (!path) {
		tui_message(t, 1, "not saved: %s", inert(err, 0));
		return -1;
	}
	def_prog_mode();
	endwin();
	int status = run_editor(cmd, path);
	take_terminal(t);
	struct buf got = {0};
	int rc = -1;
	if (status < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 127)
			snprintf(err, sizeof(err), "the editor (%s) could not be run", cmd);
		else if (status >= 0 && WIFEXITED(status))
			snprintf(err, sizeof(err), "the editor exited with status %d",
				 WEXITSTATUS(status));
		else
			snprintf(err, sizeof(err), "the editor was stopped by a signal");
		tui_message(t, 1, "%s: nothing saved", inert(err, 0));
	} else if (read_back(path, &got, err, sizeof(err)) < 0) {
		tui_message(t, 1, "%s: nothing saved", inert(err, 0));
	} else {
		*out = got.data ? got.data : xstrdup("");
		got.data = NULL;
		rc = 1;
	}
	buf_free(&got);
	unlink(path);
	free(path);
	return rc;
}

/* ---- the inline editor ---- */
static void medit_close(struct tui *t, const char *answer)
{
	struct medit *e = t->edit;
	ask_fn done = e->done;
	void *arg = e->arg;
	char *copy = answer ? xstrdup(answer) : NULL;
	t->edit = NULL;
	buf_free(&e->text);
	free(e);
	t->dirty = 1;
	if (done)
		done(t, copy, arg);
	free(copy);
}

void tui_write(struct tui *t, const char *title, const char *init, ask_fn done, void *arg)
{
	char *got = NULL;
	tui_ask_cancel(t);
	tui_edit_cancel(t);
	int rc = edit_external(t, init ? init : "", &got);
	if (rc > 0) {
		done(t, got, arg);
		free(got);
		return;
	}
	if (rc < 0)
		return;
	struct medit *e = xcalloc(1, sizeof(*e));
	snprintf(e->title, sizeof(e->title), "%s", title);
	buf_puts(&e->text, init ? init : "");
	e->cur = e->text.len;
	e->done = done;
	e->arg = arg;
	t->edit = e;
	t->dirty = 1;
}

void tui_edit_cancel(struct tui *t)
{
	if (t->edit)
		medit_close(t, NULL);
}

static size_t prev_char(const struct buf *b, size_t at)
{
	while (at > 0 && ((unsigned char)b->data[--at] & 0xc0) == 0x80)
		;
	return at;
}

static size_t next_char(const struct buf *b, size_t at)
{
	if (at >= b->len)
		return b->len;
	at++;
	while (at < b->len && ((unsigned char)b->data[at] & 0xc0) == 0x80)
		at++;
	return at;
}

static size_t line_start(const struct buf *b, size_t at)
{
	while (at > 0 && b->data[at - 1] != '\n')
		at--;
	return at;
}

static size_t line_end(const struct buf *b, size_t at)
{
	while (at < b->len && b->data[at] != '\n')
		at++;
	return at;
}

static void cut(struct medit *e, size_t from, size_t to)
{
	memmove(e->text.data + from, e->text.data + to, e->text.len - to + 1);
	e->text.len -= to - from;
	e->cur = from;
}

static void insert(struct tui *t, struct medit *e, const char *s, size_t n)
{
	if (e->text.len + n > ANNOT_MAX_TEXT) {
		tui_message(t, 1, "a step holds at most 64 KiB");
		return;
	}
	buf_grow(&e->text, n + 1);
	memmove(e->text.data + e->cur + n, e->text.data + e->cur, e->text.len - e->cur + 1);
	memcpy(e->text.data + e->cur, s, n);
	e->text.len += n;
	e->cur += n;
}

/* up (dir -1) or down a line, to the same character of it or its end */
static void move_line(struct medit *e, int dir)
{
	const struct buf *b = &e->text;
	size_t s = line_start(b, e->cur), col = 0;
	for (size_t at = s; at < e->cur; at = next_char(b, at))
		col++;
	size_t to;
	if (dir < 0) {
		if (s == 0)
			return;
		to = line_start(b, s - 1);
	} else {
		size_t end = line_end(b, e->cur);
		if (end >= b->len)
			return;
		to = end + 1;
	}
	size_t end = line_end(b, to);
	while (col-- && to < end)
		to = next_char(b, to);
	e->cur = to;
}

void edit_key(struct tui *t, int key)
{
	struct medit *e = t->edit;
	t->dirty = 1;
	t->msg[0] = '\0';
	switch (key) {
	case 4: /* ^D */
		medit_close(t, e->text.data ? e->text.data : "");
		return;
	case 27:
	case 7: /* ^G */
		medit_close(t, NULL);
		return;
	case '\n':
	case '\r':
	case KEY_BASE + KEY_ENTER:
		insert(t, e, "\n", 1);
		break;
	case 127:
	case 8:
	case KEY_BASE + KEY_BACKSPACE:
		if (e->cur)
			cut(e, prev_char(&e->text, e->cur), e->cur);
		break;
	case KEY_BASE + KEY_DC:
		if (e->cur < e->text.len)
			cut(e, e->cur, next_char(&e->text, e->cur));
		break;
	case 21: /* ^U */
		cut(e, line_start(&e->text, e->cur), e->cur);
		break;
	case 11: /* ^K */
		cut(e, e->cur, line_end(&e->text, e->cur));
		break;
	case KEY_BASE + KEY_LEFT:
		e->cur = prev_char(&e->text, e->cur);
		break;
	case KEY_BASE + KEY_RIGHT:
		e->cur = next_char(&e->text, e->cur);
		break;
	case 1: /* ^A */
	case KEY_BASE + KEY_HOME:
		e->cur = line_start(&e->text, e->cur);
		break;
	case 5: /* ^E */
	case KEY_BASE + KEY_END:
		e->cur = line_end(&e->text, e->cur);
		break;
	case KEY_BASE + KEY_UP:
		move_line(e, -1);
		break;
	case KEY_BASE + KEY_DOWN:
		move_line(e, 1);
		break;
	default: {
		char mb[MB_LEN_MAX];
		size_t n = le_key_text(key, mb);
		if (n)
			insert(t, e, mb, n);
		break;
	}
	}
}

/* The screen rows of the text at width w from byte 0: each line cut
 * where it fills a row. Calls row(ctx, start, len) for each; returns the
 * row of the cursor and its column in *cx. */
static int rows_of(const struct medit *e, int w, int *cx,
		   void (*row)(void *ctx, int r, size_t off, size_t len), void *ctx)
{
	const struct buf *b = &e->text;
	const char *s = b->data ? b->data : "";
	int r = 0, cr = 0;
	size_t off = 0;
	*cx = 0;
	for (;;) {
		size_t end = line_end(b, off), at = off;
		int col = 0;
		for (;;) { /* one screen row of the line */
			size_t from = at;
			col = 0;
			while (at < end) {
				struct glyph g;
				glyph_next(s + at, end - at, &g);
				if (col + g.width > w && at > from)
					break;
				if (at == e->cur) {
					cr = r;
					*cx = col;
				}
				col += g.width;
				at += g.len ? g.len : 1;
			}
			if (at == e->cur && (at == end || e->cur == b->len)) {
				cr = r;
				*cx = col;
			}
			if (row)
				row(ctx, r, from, at - from);
			r++;
			if (at >= end)
				break;
		}
		if (end >= b->len)
			break;
		off = end + 1;
	}
	return cr;
}

struct draw_ctx {
	const struct medit *e;
	int y0, h, w;
};

static void draw_row(void *ctx, int r, size_t off, size_t len)
{
	struct draw_ctx *d = ctx;
	int y = r - d->e->top;
	if (y < 0 || y >= d->h)
		return;
	draw_line(d->y0 + y, 0, d->w, "", area_attr(C_DEFAULT));
	draw_text(d->y0 + y, 1, d->w - 2, d->e->text.data + off, len, area_attr(C_DEFAULT), NULL);
}

void edit_draw(struct tui *t)
{
	struct medit *e = t->edit;
	int w = COLS, y0 = 3, h = LINES - 4; /* over the hint bar too */
	if (h < 1)
		h = 1;
	draw_line(1, 0, w, e->title, area_attr(C_HEADER));
	draw_line(2, 0, w, " Enter: new line   ^D: save   Esc: cancel   arrows, ^A ^E ^U ^K: edit",
		  area_attr(C_HINT));
	int cx, cr = rows_of(e, w - 2, &cx, NULL, NULL);
	if (cr < e->top)
		e->top = cr;
	else if (cr >= e->top + h)
		e->top = cr - h + 1;
	for (int r = 0; r < h; r++)
		draw_line(y0 + r, 0, w, "", area_attr(C_DEFAULT));
	struct draw_ctx d = {e, y0, h, w};
	rows_of(e, w - 2, &cx, draw_row, &d);
	move(y0 + cr - e->top, 1 + (cx < w - 2 ? cx : w - 3));
}
