/* agree.h - what stepmark consensus saw (agree.c) */
#ifndef SM_DB_AGREE_H
#define SM_DB_AGREE_H

#include <stdint.h>

struct db;

/* stepmark consensus notes the newest label and suggestion it saw (in
 * its transaction); stale: 1 when labels or suggestions came since (or
 * it never ran), 0 not, -1 error */
int db_consensus_mark(struct db *db);
int db_consensus_stale(struct db *db);

#endif
