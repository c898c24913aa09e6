/* db.h - the store: the only interface to SQL */
#ifndef SM_DB_H
#define SM_DB_H

#include <stdint.h>
#include <stdio.h>
#include "../src/item.h"
#include "../src/util.h"

struct db;

/* Opens (creating or migrating) the store at path. NULL on error, with
 * the reason in err. */
struct db *db_open(const char *path, char *err, size_t errlen);
void db_close(struct db *db);
/* A new store built by one process alone: no journal on disk, no sync.
 * Only for a file nobody else can see (see import.c); db_bulk_finish
 * turns it into an ordinary WAL store and closes it. */
struct db *db_open_bulk(const char *path, char *err, size_t errlen);
int db_bulk_finish(struct db *db);
const char *db_errmsg(struct db *db);

int db_begin(struct db *db);   /* BEGIN IMMEDIATE */
int db_import_cache(struct db *db, int importing); /* an import into a WAL store */
int db_commit(struct db *db);
int db_rollback(struct db *db);

/* Data sets and imports. */
int64_t db_dataset_ensure(struct db *db, const char *name, const char *format);
/* 1 when this content was already imported with these options. */
int db_import_seen(struct db *db, int64_t dataset, const char *hash,
		   const char *options);
int64_t db_import_add(struct db *db, int64_t dataset, const char *path,
		      const char *hash, const char *options);
int db_import_finish(struct db *db, int64_t import_id, const char *hash,
		     long records, long skipped, long duplicates);

/* What the queue shows of a solution, rewritten with each change to its
 * labels or suggestions (see src/summary.c). */
enum {
	SF_HUMAN = 1,    /* some annotator labelled it */
	SF_AUTO = 2,     /* some source suggested */
	SF_DIS_ANN = 4,  /* annotators disagree on the first error */
	SF_DIS_SRC = 8,  /* sources disagree */
	SF_DIS_HA = 16,  /* an annotator and a source disagree */
	SF_AGREED = 32,  /* an agreed label: kept by the store (schema 14's
			  * triggers), never computed by summary_compute */
};
struct summary {
	int nsteps, labelled, flags;
	const char *verdicts; /* "\n@annotator\tFE" and "\n#source\tFE" lines */
};

/* Where a key is already used: the solution, whether by this import, its
 * line, and the file it came from; for a stored item, the gold answer of
 * its problem in force (which an earlier record may have given). */
struct db_clash {
	int64_t solution;
	int same_import;
	long line;
	char path[512];
	char gold[512];
};
/* The solutions whose own id (the data set's key) is key: up to max ids
 * into ids, those of data set dataset (0: any) first. Returns how many
 * there are, -1 on error. */
int db_solutions_by_key(struct db *db, const char *key, int64_t dataset, int64_t *ids,
			int max);

/* The connection, for reports that read with queries of their own. */
struct sqlite3;
struct sqlite3 *db_handle(struct db *db);

/* Stores one item and its summary (if sum). Returns 1 stored, 0 a
 * duplicate (its key is in the data set with the same problem and steps:
 * nothing is written), 3 such a duplicate whose labels or suggestions say
 * something else than the store holds now for their annotator or source
 * (those are appended to clash->solution: the history keeps both; the
 * caller refreshes its summary), 2 a conflict (the key holds another problem or
 * other steps: clash, if not NULL, says where; nothing is written), -1 on
 * error. */
/* A step's alternatives as the store keeps them: JSON, or NULL when the
 * step had no choice (one completion, taken, nothing flagged) */
const char *db_alts_json(struct buf *b, const struct alt *alts, size_t n, int chosen);
int db_item_insert(struct db *db, int64_t dataset, int64_t import_id,
		   const struct item *it, const struct summary *sum,
		   struct db_clash *clash);
int db_summary_put(struct db *db, int64_t sol, int64_t dataset,
		   const struct summary *sum);
/* Solutions without a summary (a store written by an older stepmark). */
/* Records that every solution has its summary (summary_backfill); 1 when
 * the store says so (then db_summary_missing counts nothing). */
int db_summaries_complete(struct db *db);
int db_summaries_known(struct db *db);
long db_summary_missing(struct db *db);
int db_summary_missing_ids(struct db *db, int64_t **ids, size_t *n);

/* Stats, one callback per row. */
struct ds_stats {
	const char *name, *format;
	long problems, solutions, steps, labelled_steps;
};
typedef void (*ds_stats_fn)(void *ctx, const struct ds_stats *s);
typedef void (*count_fn)(void *ctx, const char *dataset, const char *what,
			 long n);
/* The annotators' short names (automatic ones for machine names), in the
 * order of their first label. */
int db_aliases(struct db *db, void (*fn)(void *ctx, const char *name, const char *alias),
	       void *ctx);
int db_stats(struct db *db, ds_stats_fn on_ds, count_fn on_annotator,
	     count_fn on_source, void *ctx);

/* Export: every selected solution as an item, in store order. */
struct export_filter {
	const char *datasets_json;   /* JSON array of names, or NULL = all */
	const char *annotators_json; /* JSON array of names, or NULL = all */
	int steps_only;              /* items without labels and suggestions */
};
struct arena;
typedef int (*item_fn)(void *ctx, const struct item *it, const char *dataset);
int db_export_each(struct db *db, const struct export_filter *f,
		   item_fn fn, void *ctx);

/* The annotators and suggestion sources (source or source/model) that
 * appear in the selection, sorted; a NULL callback skips its list. */
typedef void (*name_fn)(void *ctx, const char *name);
int db_export_columns(struct db *db, const struct export_filter *f,
		      name_fn on_annotator, name_fn on_source, void *ctx);

int64_t db_dataset_id(struct db *db, const char *name); /* 0 unknown */
/* stepmark consensus notes the newest label and suggestion it saw (in
 * its transaction); stale: 1 when labels or suggestions came since (or
 * it never ran), 0 not, -1 error */
int db_consensus_mark(struct db *db);
int db_consensus_stale(struct db *db);
int db_datasets(struct db *db, name_fn fn, void *ctx);
int64_t db_max_solution(struct db *db);

/* ---- the workbench ---- */

/* The TUI's connection: durable commits, a short lock wait (it retries
 * a busy write itself rather than keep a key waiting). */
int db_set_interactive(struct db *db);
int db_busy(struct db *db); /* the last error was a lock held elsewhere */
/* For commands that only read: never writes, never creates; refuses a
 * file that is missing or not a stepmark store at the current schema. */
struct db *db_open_ro(const char *path, char *err, size_t errlen);
/* A write waits for another writer as long as that one makes progress
 * (the default); say: where to say once that it waits (NULL: silent). */
void db_say_waits(struct db *db, FILE *say);
/* Changes when another connection commits. */
int64_t db_data_version(struct db *db);
/* Writes every statement run (parameters expanded) to fp; NULL stops. */
void db_trace(struct db *db, FILE *fp);

struct db_align {
	int step, ref;
	double score;
	const char *source;
};
/* One solution with all its rows; strings live in a. */
struct db_solution {
	int64_t id, dataset_id;
	const char *dataset;
	struct item it;
	int64_t *label_ids, *label_actions; /* parallel to it.labels */
	struct db_align *aligns;
	size_t naligns;
	struct arena a;
};
/* 1 loaded, 0 no such solution, -1 error. */
int db_solution_load(struct db *db, int64_t sol, struct db_solution *v);
void db_solution_free(struct db_solution *v);

/* Actions (see schema.c): op is do, undo or redo; ref names the action
 * an undo or redo repeats or reverts. */
int64_t db_action_add(struct db *db, int64_t sol, const char *annotator,
		      const char *op, int64_t ref, const char *name, long active_ms);
/* The name of an action ("first error at step 5"). */
int db_action_name(struct db *db, int64_t action, char *out, size_t n);
int db_labels_add(struct db *db, int64_t sol, const struct label *lb, size_t n,
		  int64_t action);
/* The annotator table's row for name (labels written without
 * db_labels_add, e.g. by stepmark merge), first_label its first label's id. */
int db_annotator_ensure(struct db *db, const char *name, int64_t first_label);
typedef void (*action_fn)(void *ctx, int64_t id, const char *op, int64_t ref,
			  const char *name);
int db_actions(struct db *db, int64_t sol, const char *annotator,
	       action_fn fn, void *ctx);
/* The labels an action wrote (step, kind, value, text), xmalloc'd. */
int db_action_labels(struct db *db, int64_t action, struct arena *a,
		     struct label **out, size_t *n);
/* Sets l's value and text to those in force for its kind and step just
 * before action ran (NO_RATING and NULL when there were none). */
int db_label_before(struct db *db, int64_t sol, const char *annotator,
		    struct label *l, int64_t action, struct arena *a);

/* The queue: solutions matching a filter, walked in order a window at a
 * time, so that memory does not grow with the store. */
/* Q_ASSIGNED: dealt to the annotator (stepmark assign); Q_AGREED*: an
 * agreed label (stepmark consensus), decided by any rule, an adjudicator,
 * people (human, human-majority, confirmed-suggestion) or sources;
 * Q_NO_AGREED: none yet */
enum { Q_ALL, Q_TODO, Q_MINE, Q_DIS_ANY, Q_DIS_ANN, Q_DIS_SRC, Q_DIS_HA, Q_ASSIGNED,
       Q_NO_AGREED, Q_AGREED, Q_AGREED_ADJ, Q_AGREED_PEOPLE, Q_AGREED_SOURCES, Q_NWHAT };
enum { QS_ID, QS_PROGRESS, QS_N };
struct qfilter {
	int what, sort;
	int64_t dataset;       /* 0 = every data set */
	const char *annotator; /* for Q_TODO, Q_MINE and Q_ASSIGNED */
	const char *regex;     /* over problem and step texts, or NULL */
	const char *rule;      /* Q_AGREED: decided by this rule (as written) */
	int picked;            /* only the solutions db_pick chose */
};
/* The solutions a filter with picked set keeps (a temporary table of
 * this connection: nothing is written to the store). 0, or -1. */
int db_pick(struct db *db, const int64_t *ids, size_t n);
struct qpos {
	int64_t key, id; /* sort key, then solution id */
};
/* The assigned filter in id order walks one's assignment in the order it
 * was dealt instead: the key is the assignment's ord (0 when sol is not
 * assigned to annotator). */
int db_queue_dealt(const struct qfilter *f);
int64_t db_assigned_ord(struct db *db, const char *annotator, int64_t sol);
struct queue;
struct queue *db_queue_open(struct db *db, const struct qfilter *f);
void db_queue_close(struct queue *q);
/* Up to n positions after (dir > 0) or before from. Returns the count. */
int db_queue_step(struct queue *q, const struct qpos *from, int dir, int n,
		  struct qpos *out);
/* The dealt order's position of at (1 for the first), -1 in another
 * order: a count over the annotator's assignment up to at. */
long db_queue_rank(struct queue *q, const struct qpos *at);
/* Matching solutions with ids in [lo, hi]. */
long db_queue_count(struct queue *q, int64_t lo, int64_t hi);
struct db_qrow {
	int64_t id;
	const char *dataset, *key, *verdicts, *problem;
	int nsteps, labelled, flags;
};
int db_queue_row(struct db *db, int64_t sol, struct arena *a, struct db_qrow *r);

/* PCRE2 with smart case (caseless when the pattern has no capital);
 * NULL with the reason in err. */
void *db_regex_compile(const char *pat, char *err, size_t errlen);
void db_regex_free(void *re);
int db_regex_match(void *re, const char *text, size_t n, size_t *at, size_t *len);
/* 1 when the solution's problem or one of its steps matches re, 0 when
 * none does, -1 on a store error. */
int db_solution_grep(struct db *db, int64_t sol, void *re);

/* ---- background jobs (see schema.c, migration 3) ---- */
struct db_job {
	int64_t id, sol;
	int attempts;                /* leases so far, this one included */
	long requests, cached, tokens; /* added to the job's totals at finish */
	long tokens_in, tokens_out;    /* the usage: prompt, completion */
};
struct db_job_counts {
	long queued, leased, done, failed, requests, cached, tokens;
	long tokens_in, tokens_out;
};
void db_set_busy_ms(struct db *db, int ms);
/* Queues a job of kind/params for each selected solution (dataset 0 =
 * all, sol 0 = any, limit <= 0 = no limit) that has none; returns how
 * many were added. */
long db_jobs_enqueue(struct db *db, const char *kind, const char *params,
		     int64_t dataset, int64_t sol, long limit);
/* Queues again the jobs of kind/params in state ("failed", "done") of the
 * selection (dataset, sol: 0 = any). How many. */
long db_jobs_requeue(struct db *db, const char *kind, const char *params,
		     int64_t dataset, int64_t sol, const char *state);
/* Leases up to max queued jobs (those of solution sol only, when not 0;
 * of data set dataset only, when not 0) for lease_s seconds. Returns the
 * number leased into out, -1 on error. */
int db_jobs_lease(struct db *db, const char *kind, const char *params,
		  const char *owner, double lease_s, int64_t dataset, int64_t sol, int max,
		  struct db_job *out);
int db_jobs_renew(struct db *db, const char *owner, double lease_s);
/* Ends a leased job (inside the caller's transaction) and stores its
 * suggestions. 1 done, 0 when owner no longer holds the lease (nothing
 * written), -1 on error. */
int db_job_finish(struct db *db, const struct db_job *j, const char *owner,
		  int failed, const char *error, const struct suggestion *sugs,
		  size_t nsugs);
/* Gives back owner's leased jobs (job 0 = all of them). */
int db_jobs_release(struct db *db, const char *owner, int64_t job);
/* How many solutions (of dataset; 0: all) have links of source, and in
 * *no_ref how many have no reference to link to. -1 on error. */
long db_linked_solutions(struct db *db, const char *source, int64_t dataset, long *no_ref);
/* Every problem (of dataset; 0: all) to fn: its id and text. */
int db_problems_each(struct db *db, int64_t dataset,
		     void (*fn)(void *ctx, int64_t id, const char *text), void *ctx);
/* The problem of the solution with this id in dataset: 0 none, -1 error. */
int64_t db_problem_of_key(struct db *db, int64_t dataset, const char *ext_key);
/* A problem's text, reference ("" none) and the spans of its steps ("":
 * the default cut; spans may be NULL) into the buffers: 1, 0 no such
 * problem, -1 error. */
int db_problem_reference(struct db *db, int64_t problem, struct buf *text, struct buf *ref,
			 struct buf *spans);
/* Sets a problem's reference and its steps' spans (NULL: the default
 * cut); its solutions' links to the old one go. */
/* The gold answer from a reference's file: set where the problem has none,
 * or one taken from a solution marked correct (or any, with replace).
 * 1 set, 0 another kept, -1 error. */
int db_problem_set_gold(struct db *db, int64_t problem, const char *gold, int replace);
int db_problem_set_reference(struct db *db, int64_t problem, const char *ref,
			     const char *spans);
/* The links of source for sol replace the ones it had: step to ref with
 * a score; an extra step has ref -1, a skipped reference step step -1.
 * 0, or -1 on a store error. */
int db_alignment_put(struct db *db, int64_t sol, const char *source,
		     const struct db_align *links, size_t n);
/* Requeues jobs whose lease ran out, and those of owners dead(owner)
 * says are gone. Returns how many. */
int db_jobs_reclaim(struct db *db, int (*dead)(const char *owner));
int db_jobs_count(struct db *db, const char *kind, const char *params,
		  struct db_job_counts *c);
/* The most common failure reasons, with a count and one solution. */
int db_jobs_failures(struct db *db, const char *kind, const char *params,
		     int max, void (*fn)(void *ctx, const char *reason, long n,
					 int64_t sol), void *ctx);
/* 1 with the job's state in out when sol has a job of kind/params. */
int db_job_state(struct db *db, const char *kind, const char *params, int64_t sol,
		 char *out, size_t n);
/* The response cache, keyed by the hash of the canonical request. */
int db_cache_get(struct db *db, const char *hash, struct buf *out);
int db_cache_put(struct db *db, const char *hash, const char *body, size_t n);

#endif
