/* agree.c - what stepmark consensus saw when it last ran */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "dbi.h"
#include "../src/json.h"

#define LABELS_MARK "coalesce((SELECT max(id) FROM label), 0) || ' ' || " \
		    "coalesce((SELECT max(id) FROM suggestion), 0)"

int db_consensus_mark(struct db *db)
{
	return sqlite3_exec(db->h, "INSERT OR REPLACE INTO store_state(key, value) "
			    "SELECT 'consensus', " LABELS_MARK, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

int db_consensus_stale(struct db *db)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db->h, "SELECT coalesce((SELECT value FROM store_state WHERE key = "
			       "'consensus'), '') <> (" LABELS_MARK ")", -1, &s, NULL) != SQLITE_OK)
		return -1;
	int rc = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : -1;
	sqlite3_finalize(s);
	return rc;
}
