/* lineedit.c - the prompts' line editor: insert at the cursor, move by
 * character or word, delete, history, completion of the word at the
 * cursor. Pure: no curses calls, no globals. */
#include "config.h"

#include <curses.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "lineedit.h"
#include "tui.h"

void le_history_add(struct le_history *h, const char *line)
{
	if (!line || !*line || (h->n && !strcmp(h->line[h->n - 1], line)))
		return;
	if (h->n == LE_HIST) {
		free(h->line[0]);
		memmove(h->line, h->line + 1, (LE_HIST - 1) * sizeof(h->line[0]));
		h->n--;
	}
	h->line[h->n++] = xstrdup(line);
}

void le_history_free(struct le_history *h)
{
	for (size_t i = 0; i < h->n; i++)
		free(h->line[i]);
	h->n = 0;
}

static void set_text(struct lineedit *e, const char *s)
{
	buf_reset(&e->text);
	buf_puts(&e->text, "");
	size_t n = s ? strlen(s) : 0;
	if (n > LE_MAX)
		n = LE_MAX;
	/* never cut a character in two */
	while (n && n < strlen(s) && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	if (n)
		buf_add(&e->text, s, n);
	e->cur = e->text.len;
}

void le_init(struct lineedit *e, const char *init, struct le_history *hist)
{
	memset(e, 0, sizeof(*e));
	set_text(e, init);
	e->hist = hist;
	e->hpos = hist ? hist->n : 0;
}

void le_free(struct lineedit *e)
{
	buf_free(&e->text);
	free(e->draft);
	e->draft = NULL;
}

static size_t prev_char(const struct lineedit *e, size_t at)
{
	if (at == 0)
		return 0;
	at--;
	while (at > 0 && ((unsigned char)e->text.data[at] & 0xc0) == 0x80)
		at--;
	return at;
}

static size_t next_char(const struct lineedit *e, size_t at)
{
	if (at >= e->text.len)
		return e->text.len;
	at++;
	while (at < e->text.len && ((unsigned char)e->text.data[at] & 0xc0) == 0x80)
		at++;
	return at;
}

static void cut(struct lineedit *e, size_t from, size_t to)
{
	memmove(e->text.data + from, e->text.data + to, e->text.len - to + 1);
	e->text.len -= to - from;
	e->cur = from;
}

static void insert(struct lineedit *e, const char *s, size_t n)
{
	if (e->text.len + n > LE_MAX)
		return;
	buf_grow(&e->text, n);
	memmove(e->text.data + e->cur + n, e->text.data + e->cur, e->text.len - e->cur + 1);
	memcpy(e->text.data + e->cur, s, n);
	e->text.len += n;
	e->cur += n;
}

static int is_space(const struct lineedit *e, size_t at)
{
	return e->text.data[at] == ' ';
}

static size_t word_start(const struct lineedit *e, size_t at)
{
	while (at > 0 && is_space(e, at - 1))
		at--;
	while (at > 0 && !is_space(e, at - 1))
		at--;
	return at;
}

static size_t word_end(const struct lineedit *e, size_t at)
{
	while (at < e->text.len && is_space(e, at))
		at++;
	while (at < e->text.len && !is_space(e, at))
		at++;
	return at;
}

static void browse(struct lineedit *e, int dir)
{
	struct le_history *h = e->hist;
	if (!h || !h->n)
		return;
	if (dir < 0 && e->hpos == 0)
		return;
	if (dir > 0 && e->hpos >= h->n)
		return;
	if (e->hpos == h->n) {
		free(e->draft);
		e->draft = xstrdup(e->text.data);
	}
	e->hpos = dir < 0 ? e->hpos - 1 : e->hpos + 1;
	set_text(e, e->hpos == h->n ? e->draft : h->line[e->hpos]);
}

enum le_rc le_key(struct lineedit *e, int key)
{
	switch (key) {
	case '\n':
	case '\r':
	case KEY_BASE + KEY_ENTER:
		return LE_DONE;
	case 27:
	case 7: /* ^G */
		return LE_CANCEL;
	case '\t':
		return LE_COMPLETE;
	case 127:
	case 8:
	case KEY_BASE + KEY_BACKSPACE:
		if (e->text.len == 0)
			return LE_CANCEL;
		if (e->cur)
			cut(e, prev_char(e, e->cur), e->cur);
		break;
	case 4: /* ^D */
	case KEY_BASE + KEY_DC:
		if (e->cur < e->text.len)
			cut(e, e->cur, next_char(e, e->cur));
		break;
	case 21: /* ^U */
		cut(e, 0, e->cur);
		break;
	case 11: /* ^K */
		e->text.len = e->cur;
		e->text.data[e->cur] = '\0';
		break;
	case 23: /* ^W */
		cut(e, word_start(e, e->cur), e->cur);
		break;
	case 2: /* ^B */
	case KEY_BASE + KEY_LEFT:
		e->cur = prev_char(e, e->cur);
		break;
	case 6: /* ^F */
	case KEY_BASE + KEY_RIGHT:
		e->cur = next_char(e, e->cur);
		break;
	case KEY_BASE + KEY_SLEFT:
		e->cur = word_start(e, e->cur);
		break;
	case KEY_BASE + KEY_SRIGHT:
		e->cur = word_end(e, e->cur);
		break;
	case 1: /* ^A */
	case KEY_BASE + KEY_HOME:
		e->cur = 0;
		break;
	case 5: /* ^E */
	case KEY_BASE + KEY_END:
		e->cur = e->text.len;
		break;
	case 16: /* ^P */
	case KEY_BASE + KEY_UP:
		browse(e, -1);
		break;
	case 14: /* ^N */
	case KEY_BASE + KEY_DOWN:
		browse(e, 1);
		break;
	default: {
		char mb[MB_LEN_MAX];
		size_t n = le_key_text(key, mb);
		if (n)
			insert(e, mb, n);
		break;
	}
	}
	return LE_MORE;
}

const char *le_word(const struct lineedit *e, size_t *len)
{
	size_t s = e->cur;
	while (s > 0 && !is_space(e, s - 1))
		s--;
	*len = e->cur - s;
	return e->text.data + s;
}

size_t le_complete(struct lineedit *e, const char *const *names, size_t n)
{
	size_t wl;
	const char *w = le_word(e, &wl);
	size_t matches = 0, common = 0;
	const char *first = NULL;
	for (size_t i = 0; i < n; i++) {
		if (!names[i] || strncmp(names[i], w, wl) != 0)
			continue;
		if (!matches++) {
			first = names[i];
			common = strlen(first);
		} else {
			size_t k = wl;
			while (k < common && names[i][k] == first[k])
				k++;
			common = k;
		}
	}
	if (!matches)
		return 0;
	/* extend by whole characters only */
	while (common > wl && ((unsigned char)first[common] & 0xc0) == 0x80)
		common--;
	if (common > wl)
		insert(e, first + wl, common - wl);
	if (matches == 1 && (e->cur == e->text.len || !is_space(e, e->cur)))
		insert(e, " ", 1);
	return matches;
}

size_t le_key_text(int key, char *mb)
{
	if (key < 32 || key >= KEY_BASE || key == 127 || key > 0x10ffff ||
	    (key >= 0xd800 && key <= 0xdfff) || (key >= 0x80 && key < 0xa0))
		return 0;
	mbstate_t st;
	memset(&st, 0, sizeof(st));
	size_t n = wcrtomb(mb, (wchar_t)key, &st);
	return n == (size_t)-1 ? 0 : n;
}
