/* export.h - writing selected solutions in a trainer's format */
#ifndef SM_EXPORT_H
#define SM_EXPORT_H

#include "fmt.h"
#include "../db/db.h"

/* The label and suggestion columns of a CSV export. */
struct columns {
	char **ann, **src;
	size_t nann, nsrc;
};

/* 0 written; -1 the store failed; 1 the output could not be written (said,
 * and no partial file left); 2 Ctrl-C stopped it (said: a file is not
 * written, standard output is incomplete). Draws the progress line. */
int export_run(struct db *db, const struct format_ops *f,
	       const struct export_filter *flt, const struct export_opts *o,
	       const char *out_path);

#endif
