/* import.h - bringing a data set file into the store */
#ifndef SM_IMPORT_H
#define SM_IMPORT_H

#include "fmt.h"
#include "../db/db.h"

/* Imports one file. Returns 0 on success (or nothing to do), 1 when the
 * file was refused with nothing stored, -1 on a store error. */
int import_file(struct db *db, const char *path, struct import_opts *o);
/* Removes the private files of first imports killed before they ended. */
void import_remove_stale(const char *dbpath);
/* The same for private files DBPATH.TAG-PID of another command (sync). */
void import_remove_private(const char *dbpath, const char *tag);
/* fsyncs the directory of path (a file linked there): 0, -1. */
int import_sync_dir(const char *path);
/* Imports one file into a store that does not exist yet, creating it
 * only when the import succeeds. Same return values. */
int import_new_store(const char *dbpath, const char *path,
		     struct import_opts *o);

#endif
