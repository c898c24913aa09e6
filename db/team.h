/* team.h - the team's progress: each assignment with its solution's
 * summary, active time, every summary, labels by guidelines version
 * (team.c) */
#ifndef SM_DB_TEAM_H
#define SM_DB_TEAM_H

#include <stdint.h>

struct db;

/* One solution dealt to an annotator, with its summary's verdicts
 * ("\n@name\tFE" lines: summary.h reads them). */
struct db_held {
	const char *annotator;
	int64_t dataset;
	int gold_fe;           /* a gold item's first error; -2 not gold */
	const char *verdicts;
};
/* Every assignment (gold_only: the gold items with their answer), by
 * annotator, to fn. 0, or -1 on a store error. */
int db_held_each(struct db *db, int gold_only,
		 void (*fn)(void *ctx, const struct db_held *h), void *ctx);
/* Each annotator's active time over all their actions (action.active_ms),
 * in milliseconds. 0, or -1. */
int db_active_total_each(struct db *db, void (*fn)(void *ctx, const char *annotator,
						   long long ms), void *ctx);
/* Every solution's summary: its data set, verdicts, and whether it was
 * dealt to anyone. 0, or -1. */
int db_summaries_each(struct db *db, void (*fn)(void *ctx, int64_t dataset,
						const char *verdicts, int dealt), void *ctx);
/* Labels (ratings and first errors) by annotator and guidelines version
 * (label.guidelines, the guidelines' content hash; NULL: none), with the
 * guidelines file's path where the store knows it. */
struct db_version {
	const char *annotator, *hash, *path;
	long solutions, labels;
};
int db_versions_each(struct db *db, void (*fn)(void *ctx, const struct db_version *v),
		     void *ctx);

#endif
