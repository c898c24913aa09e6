/* guidelines.c - the labelling guidelines in the workbench: read at the
 * start (the first screen says when they changed since the annotator's
 * last label, or why they cannot be read), looked at again before each
 * labelling action (its labels record the version in force), and shown
 * in the pager by H, searchable */
#include "config.h"

#include <string.h>

#include "tui.h"
#include "../src/util.h"

void guidelines_in_force(struct tui *t)
{
	guidelines_refresh(&t->guide, t->set->guidelines);
	t->ann.guidelines.hash = t->guide.hash[0] ? t->guide.hash : NULL;
	t->ann.guidelines.path = t->guide.path;
}

void guidelines_start(struct tui *t)
{
	guidelines_in_force(t);
	if (t->guide.err[0]) {
		tui_message(t, 1, "guidelines: %s; labels record no version",
			    inert(t->guide.err, 0));
		return;
	}
	char last[80];
	if (t->ann.guidelines.hash &&
	    db_guidelines_last(t->db, t->ann.name, last, sizeof(last)) == 1 &&
	    strcmp(last, t->ann.guidelines.hash) != 0)
		tui_message(t, 1, "the guidelines changed since your last label (H reads them)");
}

void guidelines_show(struct tui *t)
{
	guidelines_in_force(t);
	if (!t->guide.path) {
		tui_message(t, 1, "no guidelines: set guidelines = PATH in the config");
		return;
	}
	if (!t->guide.text) {
		tui_message(t, 1, "guidelines: %s", inert(t->guide.err, 0));
		return;
	}
	char title[40];
	snprintf(title, sizeof(title), "guidelines %.12s", t->guide.hash);
	tui_push(t, pager_view_new(t, title, t->guide.len ? t->guide.text : "(empty)\n", 0));
}
