/* cmd_common.c - what every command shares: usage errors and opening
 * the store */
#include "config.h"

#include <stdlib.h>

#include "cmd.h"
#include "util.h"
#include "../db/db.h"

int bad_usage(const char *msg)
{
	errf("stepmark: %s\nTry 'stepmark --help'.\n", msg);
	return EX_USAGE;
}

long cmd_seconds(const char *arg)
{
	char *end;
	long v = strtol(arg, &end, 10);
	return *arg && !*end && v > 0 ? v : -1;
}

struct db *cmd_open_store(const char *path)
{
	char err[600];
	struct db *db = db_open(path, err, sizeof(err));
	if (!db)
		errf("stepmark: %s\n", err);
	else
		db_say_waits(db, stderr);
	return db;
}

struct db *cmd_open_store_ro(const char *path)
{
	char err[600];
	struct db *db = db_open_ro(path, err, sizeof(err));
	if (!db)
		errf("stepmark: %s\n", inert(err, 0));
	return db;
}
