/* hubi.h - db/'s own view of a hub connection (hub.c), shared by the
 * files that speak the hub's SQL (hub.c, hubjobs.c) */
#ifndef SM_DB_HUBI_H
#define SM_DB_HUBI_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

struct buf;
struct hub_label;

/* the workbench's operations, sent a statement at a time (hub_step) */
enum hub_op { OP_NONE, OP_WHO, OP_PUSH, OP_PULL, OP_ONE };

struct hub {
	PGconn *c;
	char err[600];
	/* the non-blocking connection (hub_start) */
	int connecting; /* until PQconnectPoll says it is made */
	int want_write; /* its socket waits to be written */
	enum hub_op op; /* in flight, OP_NONE none */
	int stage;      /* its statement in flight */
	int failed;     /* a statement of it failed (its results read first) */
	PGresult *res[4]; /* who: [0]; a pull's solutions, labels, suggestions, steps */
	const struct hub_label *push; /* a push's labels, and what each met */
	size_t npush;
	int *push_rc;
	int64_t *push_seq;
	int64_t after, end; /* a pull's place, and its page's end */
	int max;
	const char *one_sql; /* OP_ONE's statement and parameters, while sent */
	const char *const *one_params;
	int one_n;
	int label_prepared; /* H_LABEL_PUSH prepared on it (hub_push_labels) */
	int push_prepares;  /* the workbench's push prepares it first (stage 0) */
	unsigned prepared; /* 1 << H_*: a pull's statements prepared on it */
};

/* Runs sql (a statement of a table) with n text parameters: the result
 * when it has the status wanted (PGRES_COMMAND_OK or PGRES_TUPLES_OK),
 * else NULL with the server's message kept (hub_errmsg). */
PGresult *hubi_run(struct hub *h, const char *sql, int n, const char *const *params);
/* One statement of a subject's own (OP_ONE), sent on the workbench's
 * connection like the operations of hub.c (hub_step moves it); its
 * result taken with hubi_take_one (the caller's to PQclear, NULL when
 * none). 0, -1. */
int hubi_send_one(struct hub *h, const char *sql, int n, const char *const *params);
PGresult *hubi_take_one(struct hub *h);
/* n rows as a JSON array of objects for json_to_recordset: each
 * {"i": its index, keys[c]: its field c (a string, or null)}, row j's
 * fields the nk strings at rows + j * stride (a struct whose first
 * member is its fields' array) */
void hubi_json_rows(struct buf *b, const char *const *keys, int nk, const void *rows,
		    size_t stride, size_t n);
/* row's column i, NULL when SQL NULL or no such row */
const char *hubi_val(const PGresult *r, int row, int i);

#endif
