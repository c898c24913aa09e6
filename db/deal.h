/* deal.h - assignments of solutions to annotators (deal.c; the queue's
 * assigned filter reads them too) */
#ifndef SM_DB_DEAL_H
#define SM_DB_DEAL_H

#include <stddef.h>
#include <stdint.h>

struct db;

/* Every solution dealt to someone, in id order, appended to *ids (n
 * counts them; xrealloc'd). 0, or -1 on a store error. */
int db_assigned_solutions(struct db *db, int64_t **ids, size_t *n);
/* The place of the last solution dealt to annotator: 0 when nothing
 * was dealt to them yet, -1 on a store error. */
int64_t db_assigned_last(struct db *db, const char *annotator);
/* Deals sols to annotator after what it has, in that order; gold_fe[i]
 * is a gold item's first error (-1 none), -2 for an item that is not
 * gold. A solution it has already keeps its place. 0, or -1. */
int db_assign_add(struct db *db, const char *annotator, const int64_t *sols,
		  const int *gold_fe, size_t n, const char *now);

#endif
