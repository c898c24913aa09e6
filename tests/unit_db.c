/* unit_db.c - the store API: migrations, insert, duplicates, export */
#include "config.h"

#include <stdlib.h>
#include <unistd.h>
#include "db.h"
#include "util.h"
#include "tap.h"

struct seen {
	int n;
	size_t steps, labels, alts;
	char key[64];
};

static int on_item(void *ctx, const struct item *it, const char *dataset)
{
	struct seen *s = ctx;
	(void)dataset;
	s->n++;
	s->steps += it->nsteps;
	s->labels += it->nlabels;
	for (size_t i = 0; i < it->nsteps; i++)
		s->alts += it->steps[i].nalts;
	snprintf(s->key, sizeof(s->key), "%s", it->key);
	return 0;
}

int main(void)
{
	char path[] = "/tmp/unit_db.XXXXXX";
	int fd = mkstemp(path);
	close(fd);
	unlink(path);
	char err[512];
	struct db *db = db_open(path, err, sizeof(err));
	CHECK(db != NULL, "open: %s", err);
	if (!db)
		return tap_done();
	CHECK(db_begin(db) == 0, "begin");
	int64_t ds = db_dataset_ensure(db, "d", "processbench");
	CHECK(ds > 0 && db_dataset_ensure(db, "d", "processbench") == ds, "dataset once");
	struct alt alts[2] = {{"a0", 1, -1, 0}, {"a1", -1, 0, 1}};
	struct step steps[2] = {{.text = "s0", .chosen = 0, .alts = alts, .nalts = 2},
				{.text = "s1", .chosen = -1}};
	struct label labels[1] = {{LK_FIRST_ERROR, -1, 1, NULL, "ann", "d", NULL, -1, NO_RATING, NULL, NULL}};
	struct item it = {0};
	it.key = "k1";
	it.problem = "p";
	it.gold = "1";
	it.correct = -1;
	it.steps = steps;
	it.nsteps = 2;
	it.labels = labels;
	it.nlabels = 1;
	CHECK(db_item_insert(db, ds, 0, &it, NULL, NULL) == 1, "insert");
	CHECK(db_item_insert(db, ds, 0, &it, NULL, NULL) == 0, "duplicate refused");
	it.key = "k2";
	CHECK(db_item_insert(db, ds, 0, &it, NULL, NULL) == 1, "second key");
	CHECK(db_commit(db) == 0, "commit");

	struct seen s = {0};
	struct export_filter f = {0};
	CHECK(db_export_each(db, &f, on_item, &s) == 0, "export");
	CHECK(s.n == 2 && s.steps == 4 && s.labels == 2 && s.alts == 4,
	      "n %d steps %zu labels %zu alts %zu", s.n, s.steps, s.labels, s.alts);
	CHECK_STR(s.key, "k2");
	memset(&s, 0, sizeof(s));
	f.datasets_json = "[\"other\"]";
	CHECK(db_export_each(db, &f, on_item, &s) == 0 && s.n == 0, "filtered out");
	f.datasets_json = NULL;
	f.annotators_json = "[\"nobody\"]";
	memset(&s, 0, sizeof(s));
	CHECK(db_export_each(db, &f, on_item, &s) == 0 && s.n == 2 && s.labels == 0,
	      "annotator filter keeps solutions, drops labels");
	db_close(db);

	/* reopen: already at the current version */
	db = db_open(path, err, sizeof(err));
	CHECK(db != NULL, "reopen: %s", err);
	db_close(db);
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "%s-wal", path);
	unlink(cmd);
	snprintf(cmd, sizeof(cmd), "%s-shm", path);
	unlink(cmd);
	unlink(path);
	return tap_done();
}
