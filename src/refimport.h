/* refimport.h - reference solutions from a file matched to the store's
 * problems (refimport.c; stepmark import-reference) */
#ifndef SM_REFIMPORT_H
#define SM_REFIMPORT_H

#include <stdint.h>

struct db;

struct ref_import_opts {
	const char *path;
	const char *f_problem, *f_id; /* match by the problem's text, or a solution's id */
	const char *f_ref, *f_gold;   /* the reference's field, the gold answer's (or NULL) */
	int64_t dataset;              /* 0: every data set */
	int replace, skip_bad;
	void *split;                  /* a compiled PCRE2 pattern cutting steps, or NULL */
	int quiet;                    /* no progress line */
	long every;                   /* a plain progress line every so many seconds */
};
/* What the file did: problems given a reference, the same one again,
 * replaced, kept (another there), records matching no problem, bad ones,
 * second references for one problem; gold answers set and kept; records
 * repeating a reference an earlier line gave the same problem. */
struct ref_import_counts {
	long given, unchanged, replaced, kept, unmatched, bad, twice, gold_set, gold_kept;
	long repeated;
};
/* Reads o->path into db in one transaction, saying each record it cannot
 * use (file:line: why) on standard error, with a progress line over its
 * two passes (on a terminal, or every o->every seconds). 0 stored, 1 bad
 * input (nothing stored, said), -1 a store error (nothing stored, said),
 * 2 stopped by Ctrl-C (nothing stored, said). */
int ref_import(struct db *db, const struct ref_import_opts *o, struct ref_import_counts *out);

#endif
