/* cmd_common.c - what every command shares: usage errors and opening
 * the store */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "cmd.h"
#include "progress.h"
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

void cmd_store_warn(const char *path)
{
	struct stat st;
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 002))
		errf("stepmark: warning: anyone can write the store %s (mode %04o): anyone on this "
		     "machine can change its labels and what is exported; chmod o-w it\n", path,
		     (unsigned)(st.st_mode & 07777));
}

struct db *cmd_db_open(const char *path, char *err, size_t errlen)
{
	struct stat st;
	if (stat(path, &st) != 0 && errno == ENOENT) {
		snprintf(err, errlen, "no store at %s: import a data set into it (stepmark --db %s "
			 "import FILE)", path, path);
		return NULL;
	}
	struct db *db = db_open(path, err, errlen);
	if (db)
		cmd_store_warn(path);
	return db;
}

struct db *cmd_open_store(const char *path)
{
	char err[600];
	struct db *db = db_open(path, err, sizeof(err));
	if (!db) {
		errf("stepmark: %s\n", err);
	} else {
		cmd_store_warn(path);
		db_say_waits(db, stderr);
	}
	return db;
}

struct db *cmd_open_store_ro(const char *path)
{
	char err[600];
	struct db *db = db_open_ro(path, err, sizeof(err));
	if (!db)
		errf("stepmark: %s\n", inert(err, 0));
	else
		cmd_store_warn(path);
	return db;
}

void cmd_progress_begin(struct progress *p, struct db *db, int quiet, long every,
			const char *what, const char *unit)
{
	progress_start(p, progress_mode(quiet, every), every, what, 0, unit);
	db_set_progress(db, progress_db, p);
	progress_catch();
}

int cmd_progress_end(struct progress *p, struct db *db, const char *kept)
{
	db_set_progress(db, NULL, NULL);
	progress_release();
	if (!progress_stopped()) {
		progress_end(p);
		return 0;
	}
	progress_stop(p);
	errf("stepmark: stopped: %s\n", kept);
	return 1;
}
