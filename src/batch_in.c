/* batch_in.c - a batch engine's result file read back: each answered
 * request's body into the store's response cache, where the fetch engine
 * finds it by the request's hash; Ray Data's one-sample rows kept until
 * their request is whole */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "batch.h"
#include "json.h"
#include "oai.h"
#include "util.h"
#include "../db/db.h"

/*
 * The answers go into the cache a chunk at a time in the order of their
 * request hash, not the file's: the cache's index on the hash is far
 * larger than SQLite's page cache at scale (130 MB at 2.7 M answers),
 * and an insert at a random place in it reads and dirties a page of its
 * own, which the page cache soon spills to the log, often the same page
 * again. A chunk in hash order sweeps the index once. The chunk keeps
 * where each body is in the file (it is read again from there), not the
 * body: memory stays the chunk's whatever the file holds.
 */
#define CHUNK 131072
/* A file this large is read with the store held alone when nothing else
 * has it open (db_batch_hold): each answer written once, not to the log
 * and again by the checkpoint (100 K solutions' 930 MB: 12.5 to 14.8 s
 * against 18.3 to 21.2, half the system time). A smaller one fits the
 * page cache; the switch costs a checkpoint and syncs. */
#define HOLD_BYTES (32L << 20)

struct answer {
	char hash[32];
	uint32_t len;        /* the body's bytes, at off in the file */
	off_t off;
};

/* One file being read. */
struct reader {
	struct db *db;
	const char *path;
	FILE *warn;
	struct batch_in_stats *st;
	const char *paid;    /* the replies' mark until a job takes them */
	char store[17];
	int64_t job;         /* the last job looked up, and its round */
	long job_round;
	struct buf body;
	int fd;              /* the file, read again at the answers' offsets */
	int seekable;        /* a regular file: answers chunked (else put at once) */
	off_t line_off;      /* where the line being read starts */
	struct answer *chunk;
	size_t nchunk;
	char why[300];       /* the file's refusal */
};

/* 0 when the line's id is of this store and of its job's round; -1 with
 * the refusal in r->why */
static int same_round(struct reader *r, const struct batch_id *id)
{
	if (!id->store[0]) /* stepmark's first form: the hash alone */
		return 0;
	if (strcmp(id->store, r->store)) {
		snprintf(r->why, sizeof(r->why), "its results answer store %s, not this one (%s)",
			 id->store, r->store);
		return -1;
	}
	if (id->job != r->job) {
		r->job = id->job;
		r->job_round = db_batch_job_round(r->db, id->job);
	}
	if (r->job_round < 0) {
		snprintf(r->why, sizeof(r->why), "the store cannot be read: %s", db_errmsg(r->db));
		return -1;
	}
	if (r->job_round != id->round) {
		if (r->job_round)
			snprintf(r->why, sizeof(r->why), "its results answer round %ld, but job %"
				 PRId64 "'s requests were last written in round %ld: read that "
				 "round's results", id->round, id->job, r->job_round);
		else
			snprintf(r->why, sizeof(r->why), "its results answer round %ld, but job %"
				 PRId64 " has no request in any round of this store", id->round,
				 id->job);
		return -1;
	}
	if (id->round > r->st->round)
		r->st->round = id->round;
	return 0;
}

static void add_choice(void *ctx, const struct db_batch_part *p)
{
	struct buf *b = ctx;
	if (p->sample)
		buf_putc(b, ',');
	buf_printf(b, "{\"index\":%d,\"message\":{\"role\":\"assistant\",\"content\":", p->sample);
	buf_json_str(b, p->text, strlen(p->text));
	buf_puts(b, "},\"text\":");
	buf_json_str(b, p->text, strlen(p->text));
	buf_puts(b, ",\"finish_reason\":");
	buf_json_str(b, p->finish, strlen(p->finish));
	buf_putc(b, '}');
}

static void add_usage(void *ctx, const struct db_batch_part *p)
{
	long *u = ctx;
	if (!p->sample)
		u[0] = p->tokens_in;
	u[1] += p->tokens_out;
}

/* A Ray Data row: one sample of a request, kept; the request's answer
 * (its n choices, as a chat or completions response) into the cache once
 * every sample is back. -1 on a store error, 1 a line to skip (r->why). */
static int ray_row(struct reader *r, const struct jnode *row, const struct batch_id *id)
{
	const struct jnode *text = jget(row, "generated_text"), *fin = jget(row, "finish_reason");
	long long tin = 0, tout = 0, maxt = 0;
	if (id->sample < 0 || !text || text->type != J_STR) {
		snprintf(r->why, sizeof(r->why), "a Ray row needs a sample's custom_id and its "
			 "generated_text");
		return 1;
	}
	jint(jget(row, "num_input_tokens"), &tin);
	jint(jget(row, "num_generated_tokens"), &tout);
	jint(jpath(row, "sampling_params.max_tokens"), &maxt);
	const char *finish = fin && fin->type == J_STR ? fin->str :
			     maxt && tout >= maxt ? "length" : "stop";
	struct db_batch_part p = {id->sample, id->n, text->str, finish, (long)tin, (long)tout};
	int kept = db_batch_part_put(r->db, id->hash, &p);
	if (kept <= 0) {
		r->st->dups += kept == 0;
		return kept;
	}
	long have = db_batch_part_count(r->db, id->hash);
	if (have < 0)
		return -1;
	r->st->samples++;
	if (have < id->n)
		return 0;
	long usage[2] = {0, 0};
	buf_reset(&r->body);
	buf_puts(&r->body, "{\"object\":\"batch.ray\",\"choices\":[");
	if (db_batch_part_each(r->db, id->hash, add_choice, &r->body) < 0 ||
	    db_batch_part_each(r->db, id->hash, add_usage, usage) < 0)
		return -1;
	buf_printf(&r->body, "],\"usage\":{\"prompt_tokens\":%ld,\"completion_tokens\":%ld,"
		   "\"total_tokens\":%ld}}", usage[0], usage[1], usage[0] + usage[1]);
	if (db_cache_put_paid(r->db, id->hash, r->body.data, r->body.len, r->paid) < 0 ||
	    db_batch_part_drop(r->db, id->hash) < 0)
		return -1;
	r->st->stored++;
	return 0;
}

/* ---- a value's bytes in a line already parsed (valid JSON, NUL-ended) ---- */

static size_t skip_ws(const char *s, size_t n, size_t i)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
		i++;
	return i;
}

/* after the string whose opening quote is at i */
static size_t skip_str(const char *s, size_t n, size_t i)
{
	for (i++; (i += strcspn(s + i, "\"\\")) < n && s[i] != '"'; i += 2)
		;
	return i + 1;
}

/* after the value that starts at i */
static size_t skip_value(const char *s, size_t n, size_t i)
{
	if (i >= n)
		return n;
	if (s[i] == '"')
		return skip_str(s, n, i);
	if (s[i] != '{' && s[i] != '[') {
		while (i < n && !strchr(",}] \t\r\n", s[i]))
			i++;
		return i;
	}
	for (int depth = 0; (i += strcspn(s + i, "\"{}[]")) < n;) {
		if (s[i] == '"') {
			i = skip_str(s, n, i);
			continue;
		}
		depth += (s[i] == '{' || s[i] == '[') - (s[i] == '}' || s[i] == ']');
		if (++i, depth == 0)
			return i;
	}
	return n;
}

/* Where the member key of the object at i starts its value: the index,
 * or n when the object has no member spelled key (one spelled with
 * escapes is not found: the caller writes the tree instead). */
static size_t member(const char *s, size_t n, size_t i, const char *key)
{
	size_t kl = strlen(key);
	if (i >= n || s[i] != '{')
		return n;
	for (i = skip_ws(s, n, i + 1); i < n && s[i] == '"';) {
		size_t end = skip_str(s, n, i), v = skip_ws(s, n, skip_ws(s, n, end) + 1);
		if (end - i == kl + 2 && !memcmp(s + i + 1, key, kl))
			return v;
		i = skip_ws(s, n, skip_value(s, n, v));
		if (i < n && s[i] == ',')
			i = skip_ws(s, n, i + 1);
	}
	return n;
}

/* by hash, then by place in the file: of two answers to one request the
 * first one stands, as when the file is read in order */
static int by_hash(const void *a, const void *b)
{
	const struct answer *x = a, *y = b;
	int c = memcmp(x->hash, y->hash, 32);
	return c ? c : (x->off > y->off) - (x->off < y->off);
}

/* The chunk's answers into the cache in hash order, each body read again
 * from the file. 0, or -1 (r->why). */
static int put_chunk(struct reader *r)
{
	qsort(r->chunk, r->nchunk, sizeof(*r->chunk), by_hash);
	char hash[33];
	hash[32] = '\0';
	for (size_t i = 0; i < r->nchunk; i++) {
		const struct answer *an = &r->chunk[i];
		buf_reset(&r->body);
		buf_grow(&r->body, an->len + 1);
		ssize_t got = pread(r->fd, r->body.data, an->len, an->off);
		if (got != (ssize_t)an->len) {
			snprintf(r->why, sizeof(r->why), "cannot read it again: %s",
				 got < 0 ? strerror(errno) : "it changed while it was read");
			return -1;
		}
		memcpy(hash, an->hash, 32);
		if (db_cache_put_paid(r->db, hash, r->body.data, an->len, r->paid) < 0) {
			snprintf(r->why, sizeof(r->why), "%s", db_errmsg(r->db));
			return -1;
		}
	}
	r->nchunk = 0;
	return 0;
}

/* An OpenAI / vLLM output line: its response's body into the cache. -1
 * on a store error, 1 a line to skip (r->why). */
static int output_line(struct reader *r, const struct jnode *root, const struct batch_id *id,
		       const char *line, size_t n)
{
	const struct jnode *resp = jget(root, "response");
	const struct jnode *err = jget(root, "error");
	long long status = 0;
	const char *why = NULL;
	if (id->sample >= 0)
		why = "a Ray row's custom_id without generated_text";
	else if (err && err->type != J_NULL)
		why = "the batch reports an error for this request";
	else if (!resp || resp->type != J_OBJ || jint(jget(resp, "status_code"), &status))
		why = "no response.status_code";
	else if (status != 200)
		why = "the request did not succeed (status_code is not 200)";
	else if (!jget(resp, "body") || jget(resp, "body")->type != J_OBJ)
		why = "no response.body object";
	if (why) {
		snprintf(r->why, sizeof(r->why), "%s", why);
		return 1;
	}
	/* the body as the engine wrote it, as an online reply is cached;
	 * the tree written back when its bytes cannot be found */
	size_t at = member(line, n, skip_ws(line, n, 0), "response"), end;
	at = member(line, n, at, "body");
	int found = at < n && line[at] == '{' && (end = skip_value(line, n, at)) <= n;
	r->st->stored++;
	if (found && r->seekable && end - at <= UINT32_MAX) { /* put with its chunk */
		struct answer *an = &r->chunk[r->nchunk++];
		memcpy(an->hash, id->hash, 32);
		an->len = (uint32_t)(end - at);
		an->off = r->line_off + (off_t)at;
		return r->nchunk == CHUNK && put_chunk(r) < 0 ? -1 : 0;
	}
	buf_reset(&r->body);
	if (found)
		buf_add(&r->body, line + at, end - at);
	else
		jwrite(&r->body, jget(resp, "body"));
	return db_cache_put_paid(r->db, id->hash, r->body.data, r->body.len, r->paid);
}

/* One line: 0 read, 1 skipped (said), -1 the file is refused or the
 * store failed */
static int read_line(struct reader *r, struct arena *a, char *line, size_t n, long no)
{
	const struct jnode *root = jparse(a, line, n);
	const struct jnode *cid = root && root->type == J_OBJ ? jget(root, "custom_id") : NULL;
	struct batch_id id;
	int rc = 1;
	r->why[0] = '\0';
	if (!root || root->type != J_OBJ)
		snprintf(r->why, sizeof(r->why), "not a JSON object");
	else if (!cid || cid->type != J_STR || batch_id_parse(cid->str, cid->len, &id) < 0)
		snprintf(r->why, sizeof(r->why), "no custom_id written by stepmark fetch "
			 "--batch-out");
	else if (same_round(r, &id) < 0)
		return -1;
	else if (jget(root, "generated_text"))
		rc = ray_row(r, root, &id);
	else
		rc = output_line(r, root, &id, line, n);
	if (rc < 0 && !r->why[0])
		snprintf(r->why, sizeof(r->why), "%s", db_errmsg(r->db));
	if (rc <= 0)
		return rc;
	char clean[80] = "";
	if (cid && cid->type == J_STR)
		oai_clean(clean, sizeof(clean), cid->str, 70, NULL);
	fprintf(r->warn, "%s:%ld: %s%s%s: skipped\n", r->path, no, r->why,
		clean[0] ? ", custom_id " : "", clean);
	r->st->bad++;
	return 1;
}

int batch_read_results(struct db *db, const char *path, FILE *warn,
		       struct batch_in_stats *st, const char *paid)
{
	struct reader r = {.db = db, .path = path, .warn = warn, .st = st, .paid = paid};
	memset(st, 0, sizeof(*st));
	FILE *fp = fopen(path, "r");
	if (!fp) {
		fprintf(warn, "stepmark: %s: %s\n", path, strerror(errno));
		return -1;
	}
	struct stat sb;
	r.fd = fileno(fp);
	r.seekable = fstat(r.fd, &sb) == 0 && S_ISREG(sb.st_mode);
	int held = r.seekable && sb.st_size >= HOLD_BYTES && db_batch_hold(db) > 0;
	if (db_begin(db) < 0 || batch_store_id(db, r.store) < 0) {
		fprintf(warn, "stepmark: cannot write the store: %s\n", db_errmsg(db));
		db_rollback(db);
		if (held)
			db_batch_unhold(db);
		fclose(fp);
		return -1;
	}
	if (r.seekable)
		r.chunk = xmalloc(CHUNK * sizeof(*r.chunk));
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long no = 0;
	int rc = 0;
	struct arena a = {0};
	off_t next = 0;
	while (rc >= 0 && (n = getline(&line, &cap, fp)) >= 0) {
		no++;
		r.line_off = next;
		next += n;
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		arena_reset(&a);
		if (n)
			rc = read_line(&r, &a, line, (size_t)n, no);
	}
	free(line);
	int rerr = ferror(fp);
	if (rc >= 0 && !rerr && r.nchunk && put_chunk(&r) < 0)
		rc = -1;
	fclose(fp);
	arena_free(&a);
	buf_free(&r.body);
	free(r.chunk);
	int ok = rc >= 0 && !rerr && db_commit(db) == 0;
	if (!ok) {
		db_rollback(db);
		if (rc < 0)
			fprintf(warn, "stepmark: %s:%ld: refused, nothing read from it: %s\n", path,
				no, r.why);
		else
			fprintf(warn, "stepmark: %s: %s\n", path, rerr ? "read error" :
				db_errmsg(db));
	}
	if (held)
		db_batch_unhold(db);
	return ok ? 0 : -1;
}
