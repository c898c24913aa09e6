/* hub.h - the hub: one PostgreSQL database that stores sync with, reached
 * through libpq (hub.c, its schema in hub_schema.c); the rows that travel
 * between it and a store (hubstore.h reads and writes them in the store) */
#ifndef SM_DB_HUB_H
#define SM_DB_HUB_H

#include <stddef.h>
#include <stdint.h>

/* A solution as it travels: its data set, problem and own columns, as
 * text (NULL: SQL NULL), with its steps and their content hash. */
enum {
	HS_DATASET, HS_FORMAT, HS_KEY, HS_PROBLEM_KEY, HS_PROBLEM, HS_GOLD, HS_GOLD_DERIVED,
	HS_REFERENCE, HS_REFERENCE_STEPS, HS_GENERATOR, HS_FINAL, HS_CORRECT, HS_FINISH,
	HS_META, HS_TAIL, HS_HASH, HS_N
};
enum { HT_TEXT, HT_CHOSEN, HT_ALTS, HT_AGENT, HT_ROLE, HT_N };
struct hub_step {
	const char *f[HT_N];
};
struct hub_sol {
	const char *f[HS_N];
	struct hub_step *steps;
	size_t nsteps;
};
/* A label as it travels: its global id, the solution it is on (data
 * set and id), its columns as text; seq its place on the hub (0: none
 * yet). */
enum {
	HL_UID, HL_DATASET, HL_KEY, HL_STEP, HL_KIND, HL_VALUE, HL_TEXT, HL_ANNOTATOR,
	HL_ORIGIN, HL_AT, HL_AGENT, HL_GUIDELINES, HL_N
};
struct hub_label {
	const char *f[HL_N];
	int64_t seq;
	const char *sol_hash; /* the hash of its solution's steps where it comes
			       * from (pushed: the store's; pulled: the hub's) */
};

/* A suggestion as it travels: its global id (a hash of its solution's
 * data set and id and its content, db_hub_sugs), its solution, its
 * columns as text, the kind and params of the store's job that made it
 * (NULL none); seq its place on the hub (0: none yet). */
enum {
	HG_UID, HG_DATASET, HG_KEY, HG_STEP, HG_SOURCE, HG_MODEL, HG_ORIGIN, HG_VALUE, HG_FE,
	HG_K, HG_N, HG_RATIONALE, HG_AGENT, HG_ROLLOUTS, HG_AT, HG_JOB_KIND, HG_JOB_PARAMS,
	HG_COUNT
};
struct hub_sug {
	const char *f[HG_COUNT];
	int64_t seq;
};

struct hub; /* a connection to the hub */

/* Connects with a libpq connection string or URI (NULL or "": libpq's
 * environment, PGHOST, PGSERVICE...); credentials come the libpq way
 * (the string, a service file, ~/.pgpass, PGPASSWORD). NULL on failure,
 * with libpq's reason in err (never the string itself). */
struct hub *hub_connect(const char *conninfo, char *err, size_t errlen);
void hub_close(struct hub *h);
/* The last error, as the server or libpq said it. */
const char *hub_errmsg(const struct hub *h);

/* Creates or upgrades the hub's schema, its group roles and their
 * policies; *from and *to the versions. 0, -1 on error (nothing
 * changed), -2 when the hub is newer than this stepmark. */
int hub_init(struct hub *h, int *from, int *to);
int hub_schema_current(void);

/* Who this connection is on the hub. */
enum hub_role { HUB_NONE, HUB_ANNOTATOR, HUB_ADJUDICATOR, HUB_LEAD, HUB_AUDITOR, HUB_WORKER,
	       HUB_ROLES };
extern const char *const hub_role_names[]; /* by enum hub_role */
struct hub_me {
	char id[64];     /* the hub's global id */
	char user[128];  /* the member's name (the session's role) */
	enum hub_role role;
	int version;     /* the hub's schema version; 0: no hub there, -1 one
			  * this connection may not read (not a member) */
};
/* 0, -1 on error. */
int hub_whoami(struct hub *h, struct hub_me *me);

/* Makes name a member of the hub with role (a login role in the role's
 * group); password: its password (sent hashed), or NULL for none. 0, 1
 * when name exists already, -1 on error. */
int hub_member_add(struct hub *h, const char *name, enum hub_role role,
		   const char *password);

/* A push is one transaction (begin, the rows, commit). */
int hub_begin(struct hub *h);
int hub_commit(struct hub *h);
void hub_rollback(struct hub *h);
/* One solution with its steps: 1 added, 0 there with the same steps, 2
 * there with other steps (a conflict: nothing written), -1 on error. */
int hub_push_solution(struct hub *h, const struct hub_sol *s);
/* n labels, sent at once (a pipeline: one round trip), each one
 * statement: rc[i] 1 added, 0 there already, 2 its solution is not on
 * the hub, 3 the hub's has other steps (l[i].sol_hash: a conflict,
 * nothing written); seq[i] its place on the hub (1, 0). 0, or -1 when
 * the hub failed (hub_errmsg): rc[i] is -1 from the label it failed at
 * on. Keep n small (a few hundred): the results wait in the server's
 * socket until all are sent. */
int hub_push_labels(struct hub *h, const struct hub_label *l, size_t n, int *rc,
		    int64_t *seq);

/* One suggestion (a lead's or a worker's), job 0 (or the hub's job whose
 * end it comes with): 1 added, 0 there already (its uid), 2 not taken:
 * its solution is not on the hub, or the hub runs its job (kind, params)
 * for that solution, whose suggestions come with the job's end only. -1
 * on error. */
int hub_push_sug(struct hub *h, const struct hub_sug *g, int64_t job);

/* Everything after a place, a page at a time: solutions (with steps),
 * labels and suggestions whose place is in (after, hi], oldest first, at
 * most max of each. Its strings live until hub_page_free. */
struct hub_page {
	struct hub_sol *sols;
	size_t nsols;
	int64_t *sol_seqs;
	struct hub_label *labels;
	size_t nlabels;
	struct hub_sug *sugs;
	size_t nsugs;
	int64_t hi; /* the page's last place (after: nothing new) */
	void *res[4];
};
/* 0, -1 on error. */
int hub_pull_page(struct hub *h, int64_t after, int max, struct hub_page *p);
void hub_page_free(struct hub_page *p);

/* ---- The workbench's connection: the same hub, never blocking ----
 * hub_start begins to connect; hub_step moves the connection, then each
 * operation sent, on whenever its socket (hub_socket) is ready, until it
 * says HUB_DONE (the operation's result taken with hub_take_*) or
 * HUB_FAILED (hub_errmsg; the connection is then closed). One operation
 * at a time. */
enum { HUB_BUSY, HUB_DONE, HUB_FAILED };
/* NULL on failure, with libpq's reason in err (never the string). */
struct hub *hub_start(const char *conninfo, char *err, size_t errlen);
/* The connection's socket (-1 none); *write: it waits to write, else to read. */
int hub_socket(const struct hub *h, int *write);
int hub_step(struct hub *h);
/* Who this is (one statement: it fails where the member may not read
 * the hub's schema, or there is none); hub_take_me as hub_whoami's. */
int hub_send_whoami(struct hub *h);
void hub_take_me(struct hub *h, struct hub_me *me);
/* n labels, one statement (and transaction) each: the statement
 * hub_push_labels prepares, prepared first when this connection has not
 * yet; l lives until done; hub_take_push: what each met (rc[i], seq[i]
 * as hub_push_labels'). */
int hub_send_push(struct hub *h, const struct hub_label *l, size_t n);
void hub_take_push(struct hub *h, int *rc, int64_t *seq);
/* A page as hub_pull_page's, taken with hub_take_pull. 0, -1 (sends). */
int hub_send_pull(struct hub *h, int64_t after, int max);
void hub_take_pull(struct hub *h, struct hub_page *p);

#endif
