/* annot.h - a person's labelling actions on one solution */
#ifndef SM_ANNOT_H
#define SM_ANNOT_H

#include "item.h"
#include "../db/db.h"

/* Who labels, and how labels are marked. */
struct annotator {
	const char *name;
	const char *origin; /* "tui", or "tui-blind" while suggestions are hidden */
};

enum annot_rc { ANNOT_OK = 0, ANNOT_BUSY = 1, ANNOT_NOTHING = 2, ANNOT_ERR = -1 };

/* Each call is one action in its own transaction: the labels, the action
 * row and the solution's new summary are committed together, or nothing
 * is. ANNOT_BUSY: another writer holds the store, nothing was written
 * (retry later). On ANNOT_OK *action is the new action's id and v has
 * been reloaded. */
int annot_rate(struct db *db, struct db_solution *v, const struct annotator *a,
	       int step, int value, int64_t *action);
int annot_first_error(struct db *db, struct db_solution *v,
		      const struct annotator *a, int step, int64_t *action);
int annot_no_error(struct db *db, struct db_solution *v,
		   const struct annotator *a, int64_t *action);
/* Takes source's suggestions (source or source/model) as one's labels. */
int annot_accept(struct db *db, struct db_solution *v, const struct annotator *a,
		 const char *source, int64_t *action);
int annot_finish(struct db *db, struct db_solution *v, const struct annotator *a,
		 const char *reason, int64_t *action);
/* A note on a step (-1: on the solution); an empty text clears it. */
int annot_note(struct db *db, struct db_solution *v, const struct annotator *a,
	       int step, const char *text, int64_t *action);
int annot_undo(struct db *db, struct db_solution *v, const struct annotator *a,
	       int64_t *action);
int annot_redo(struct db *db, struct db_solution *v, const struct annotator *a,
	       int64_t *action);

/* The four finish reasons of PRM800K. */
extern const char *const annot_finish_reasons[4];

#endif
