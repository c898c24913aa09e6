/* views.h - every view of the workbench, listed once. The keymap enum,
 * the keymap names `bind` takes, the help's sections (in this order) and
 * the generic actions that open a view all come from VIEWS; a new view is
 * its file, one line here, its default keys and its man page lines
 * (tests/tui_config.sh checks that stepmarkrc(5) names every keymap). */
#ifndef SM_VIEWS_H
#define SM_VIEWS_H

#include "actions.h"

struct tui;
struct view;

/* _(ID, name, "help section", action that opens it, opener): a view with
 *   a keymap of its own, named as the view;
 * SHARE(ID, name, KEYMAP, action that opens it, opener): a view that
 *   takes another view's keymap and help section.
 * The opener makes the view for the action (NULL: the views that need
 * more than the workbench to open, such as the solution to show). */
#define VIEWS(_, SHARE) \
	_(QUEUE, queue, "Queue (one line per solution)", A_NONE, NULL) \
	_(SOLUTION, solution, "Solution (one block per step)", A_NONE, NULL) \
	_(PAGER, pager, "Pager (help, rationales, the audit)", A_HELP, help_view_new) \
	SHARE(AUDIT, audit, PAGER, A_AUDIT, audit_view_new) \
	_(REVIEW, review, "Review (the annotators side by side; adjudication)", A_NONE, NULL)

#define VIEW_NOTHING(...)
#define VIEW_KEYMAP_ENUM(id, ...) KM_##id,
/* the generic keymap (every view), then one per view that has its own */
enum keymap { KM_GENERIC, VIEWS(VIEW_KEYMAP_ENUM, VIEW_NOTHING) KM_COUNT };
#define VIEW_ENUM(id, ...) V_##id,
enum view_id { VIEWS(VIEW_ENUM, VIEW_ENUM) V_COUNT };

struct view_info {
	const char *name;  /* in the title bar */
	int keymap;
	const char *help;  /* its keymap's help section; NULL: another's */
	enum action opens; /* the generic action that opens it, or A_NONE */
	struct view *(*open)(struct tui *t);
};
extern const struct view_info view_table[V_COUNT];
/* The keymaps' names in `bind` lines: "generic", then the views'. */
extern const char *const keymap_names[KM_COUNT];

/* Opens the view action a opens (see VIEWS): 1 when there is one. */
int view_open_by(struct tui *t, enum action a);

#endif
