/* unit_lineedit.c - the prompts' line editor: its keys by hand, then random
 * key streams (run under ASan by the sanitizer build) that must keep the
 * line a valid, bounded, NUL-terminated UTF-8 string with the cursor on a
 * character's start. */
#include "config.h"

#include <curses.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "lineedit.h"
#include "tui.h"
#include "tap.h"

static unsigned rnd(unsigned n)
{
	return tap_rnd(n);
}

static int type(struct lineedit *e, const char *keys)
{
	int rc = LE_MORE;
	for (const char *p = keys; *p; p++)
		rc = le_key(e, (unsigned char)*p);
	return rc;
}

static const char *sound(const struct lineedit *e)
{
	if (!e->text.data)
		return "no buffer";
	if (e->text.len > LE_MAX)
		return "too long";
	if (strlen(e->text.data) != e->text.len)
		return "length and NUL disagree";
	if (e->cur > e->text.len)
		return "cursor past the end";
	if (e->cur < e->text.len && ((unsigned char)e->text.data[e->cur] & 0xc0) == 0x80)
		return "cursor inside a character";
	if (!utf8_valid(e->text.data, e->text.len))
		return "invalid UTF-8";
	return NULL;
}

static int random_key(void)
{
	static const int special[] = {
		'\n', 27, 7, '\t', 127, 8, 4, 21, 11, 23, 2, 6, 1, 5, 16, 14,
		KEY_BASE + KEY_BACKSPACE, KEY_BASE + KEY_DC, KEY_BASE + KEY_LEFT,
		KEY_BASE + KEY_RIGHT, KEY_BASE + KEY_HOME, KEY_BASE + KEY_END,
		KEY_BASE + KEY_UP, KEY_BASE + KEY_DOWN, KEY_BASE + KEY_SLEFT,
		KEY_BASE + KEY_SRIGHT, KEY_BASE + KEY_RESIZE, 0x9b, 0xd800, 0x110000,
		0x10ffff, 0x301, 0x5b57, 0x1f600, 0, -1,
	};
	switch (rnd(4)) {
	case 0:
		return special[rnd(sizeof(special) / sizeof(special[0]))];
	case 1:
		return (int)rnd(0x11000);
	default:
		return 32 + (int)rnd(95);
	}
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	struct le_history h = {0};
	struct lineedit e;

	/* Backspace in an empty line closes the prompt, and nothing breaks */
	le_init(&e, NULL, &h);
	CHECK(le_key(&e, KEY_BASE + KEY_BACKSPACE) == LE_CANCEL, "backspace on empty");
	CHECK(le_key(&e, 127) == LE_CANCEL, "DEL on empty");
	CHECK(le_key(&e, KEY_BASE + KEY_DC) == LE_MORE && !sound(&e), "delete on empty");
	le_free(&e);

	/* editing in the middle, whole characters */
	le_init(&e, "filter", &h);
	le_key(&e, KEY_BASE + KEY_LEFT);
	le_key(&e, KEY_BASE + KEY_LEFT);
	type(&e, "XY");
	CHECK_STR(e.text.data, "filtXYer");
	le_key(&e, 0x5b57); /* a wide character, then back over it */
	CHECK_STR(e.text.data, "filtXY\xe5\xad\x97" "er");
	le_key(&e, 127);
	CHECK_STR(e.text.data, "filtXYer");
	le_key(&e, 23); /* ^W */
	CHECK_STR(e.text.data, "er");
	le_key(&e, 5);
	type(&e, " two words");
	le_key(&e, 23);
	CHECK_STR(e.text.data, "er two ");
	le_key(&e, 1);
	le_key(&e, 11); /* ^K */
	CHECK(e.text.len == 0 && !sound(&e), "^A ^K empties");
	CHECK(type(&e, "done\n") == LE_DONE, "Enter answers");
	le_free(&e);

	/* history: Up and Down, the draft kept */
	le_history_add(&h, "filter todo");
	le_history_add(&h, "set blind yes");
	le_history_add(&h, "set blind yes");
	CHECK(h.n == 2, "a repeated line is kept once");
	le_init(&e, "dra", &h);
	le_key(&e, KEY_BASE + KEY_UP);
	CHECK_STR(e.text.data, "set blind yes");
	le_key(&e, KEY_BASE + KEY_UP);
	le_key(&e, KEY_BASE + KEY_UP);
	CHECK_STR(e.text.data, "filter todo");
	le_key(&e, KEY_BASE + KEY_DOWN);
	le_key(&e, KEY_BASE + KEY_DOWN);
	CHECK_STR(e.text.data, "dra");
	le_free(&e);

	/* completion */
	static const char *const names[] = {"filter", "filter-cycle", "find-next", "sort"};
	le_init(&e, "fi", &h);
	CHECK(le_complete(&e, names, 4) == 3, "three match fi");
	CHECK_STR(e.text.data, "fi");
	type(&e, "lt");
	CHECK(le_complete(&e, names, 4) == 2, "two match filt");
	CHECK_STR(e.text.data, "filter");
	le_free(&e);
	le_init(&e, "so", &h);
	CHECK(le_complete(&e, names, 4) == 1, "one matches so");
	CHECK_STR(e.text.data, "sort ");
	le_free(&e);

	/* a line is bounded */
	le_init(&e, NULL, &h);
	for (int i = 0; i < LE_MAX + 100; i++)
		le_key(&e, 0x5b57);
	CHECK(e.text.len <= LE_MAX && !sound(&e), "bounded at %zu", e.text.len);
	le_free(&e);

	/* random key streams */
	long keys = 0;
	for (int run = 0; run < 2000 && !tap_failed; run++) {
		le_init(&e, rnd(3) ? NULL : "seed text \xc3\xa9", &h);
		int n = (int)rnd(400);
		for (int k = 0; k < n; k++) {
			int key = random_key();
			enum le_rc rc = le_key(&e, key);
			keys++;
			if (rc == LE_COMPLETE)
				le_complete(&e, names, 4);
			const char *bad = sound(&e);
			if (bad) {
				CHECK(0, "run %d key %d (%d): %s", run, k, key, bad);
				break;
			}
			if (rc == LE_DONE && rnd(2))
				le_history_add(&h, e.text.data);
		}
		le_free(&e);
	}
	printf("# %ld random keys\n", keys);
	le_history_free(&h);
	return tap_done();
}
