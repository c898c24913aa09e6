/* batch_in.c - a batch runner's result file read back: each answered
 * request's body into the store's response cache, where the fetch engine
 * finds it by the request's hash */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "batch.h"
#include "json.h"
#include "oai.h"
#include "util.h"
#include "../db/db.h"

long batch_read_results(struct db *db, const char *path, FILE *warn, long *bad,
			struct buf *ids)
{
	FILE *fp = fopen(path, "r");
	*bad = 0;
	if (!fp) {
		fprintf(warn, "stepmark: %s: %s\n", path, strerror(errno));
		return -1;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long no = 0, stored = 0;
	struct arena a = {0};
	struct buf body = {0};
	if (db_begin(db) < 0) {
		fprintf(warn, "stepmark: cannot write the store: %s\n", db_errmsg(db));
		fclose(fp);
		return -1;
	}
	while ((n = getline(&line, &cap, fp)) >= 0) {
		no++;
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (!n)
			continue;
		arena_reset(&a);
		const struct jnode *root = jparse(&a, line, (size_t)n);
		const struct jnode *id = root ? jget(root, "custom_id") : NULL;
		const struct jnode *resp = root ? jget(root, "response") : NULL;
		const struct jnode *err = root ? jget(root, "error") : NULL;
		const char *why = NULL;
		long long status = 0;
		if (!root || root->type != J_OBJ)
			why = "not a JSON object";
		else if (!id || id->type != J_STR || id->len != 32 ||
			 strspn(id->str, "0123456789abcdef") != 32)
			why = "no custom_id written by stepmark fetch --batch-out";
		else if (err && err->type != J_NULL)
			why = "the batch reports an error for this request";
		else if (!resp || resp->type != J_OBJ ||
			 jint(jget(resp, "status_code"), &status))
			why = "no response.status_code";
		else if (status != 200)
			why = "the request did not succeed (status_code is not 200)";
		else if (!jget(resp, "body") || jget(resp, "body")->type != J_OBJ)
			why = "no response.body object";
		if (why) {
			char clean[80] = "";
			if (id && id->type == J_STR)
				oai_clean(clean, sizeof(clean), id->str, 40, NULL);
			fprintf(warn, "%s:%ld: %s%s%s: skipped\n", path, no, why,
				clean[0] ? ", custom_id " : "", clean);
			(*bad)++;
			continue;
		}
		buf_reset(&body);
		jwrite(&body, jget(resp, "body"));
		if (db_cache_put(db, id->str, body.data, body.len) < 0) {
			db_rollback(db);
			free(line);
			fclose(fp);
			arena_free(&a);
			buf_free(&body);
			return -1;
		}
		if (ids)
			buf_add(ids, id->str, 32);
		stored++;
	}
	free(line);
	int rerr = ferror(fp);
	fclose(fp);
	arena_free(&a);
	buf_free(&body);
	if (rerr || db_commit(db) < 0) {
		db_rollback(db);
		fprintf(warn, "stepmark: %s: %s\n", path, rerr ? "read error" : db_errmsg(db));
		return -1;
	}
	return stored;
}
