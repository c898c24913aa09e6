/* unit_json.c - the record stream: arrays, JSON Lines, errors and lines */
#include "config.h"

#include <stdlib.h>
#include <unistd.h>
#include "json.h"
#include "tap.h"

struct got {
	int n;
	long lines[16];
	char text[16][128];
	int errors;
	long err_lines[16];
	char err_msg[16][200];
	int stop_after;
};

static int on_rec(void *ctx, const struct jrecord *rec)
{
	struct got *g = ctx;
	if (g->n < 16) {
		struct buf b = {0};
		jwrite(&b, rec->root);
		snprintf(g->text[g->n], sizeof(g->text[0]), "%s", b.data);
		buf_free(&b);
		g->lines[g->n] = rec->line;
	}
	g->n++;
	return g->stop_after && g->n >= g->stop_after;
}

static int on_err(void *ctx, long line, const char *msg)
{
	struct got *g = ctx;
	if (g->errors < 16) {
		g->err_lines[g->errors] = line;
		snprintf(g->err_msg[g->errors], sizeof(g->err_msg[0]), "%s", msg);
	}
	g->errors++;
	return 0;
}

static int run(const char *content, size_t len, struct got *g)
{
	char path[] = "/tmp/unit_json.XXXXXX";
	int fd = mkstemp(path);
	if (write(fd, content, len) != (ssize_t)len)
		return -2;
	close(fd);
	struct jstats st;
	char err[256];
	int stop = g->stop_after;
	memset(g, 0, sizeof(*g));
	g->stop_after = stop;
	int rc = jstream_file(path, on_rec, on_err, g, &st, err, sizeof(err));
	unlink(path);
	return rc;
}

#define RUN(s, g) run((s), sizeof(s) - 1, (g))

int main(void)
{
	struct got g = {0};

	CHECK(RUN("{\"a\":1}\n{\"b\":[true,null,\"x\"]}\n", &g) == 0, "jsonl");
	CHECK(g.n == 2, "two records, got %d", g.n);
	CHECK_STR(g.text[1], "{\"b\":[true,null,\"x\"]}");
	CHECK(g.lines[0] == 1 && g.lines[1] == 2, "lines %ld %ld", g.lines[0], g.lines[1]);

	CHECK(RUN("[\n {\"a\": 1},\n\n {\"a\": 2.50e1}\n]\n", &g) == 0, "array");
	CHECK(g.n == 2, "array elements, got %d", g.n);
	CHECK(g.lines[1] == 4, "element line %ld", g.lines[1]);
	CHECK_STR(g.text[1], "{\"a\":2.50e1}");

	/* pretty-printed objects one after another */
	CHECK(RUN("{\n \"a\": 1\n}\n{\n \"a\": 2\n}\n", &g) == 0, "multi-line values");
	CHECK(g.n == 2 && g.lines[1] == 4, "n %d line %ld", g.n, g.lines[1]);

	/* JSON Lines: a bad line is reported at its number, the next is read */
	CHECK(RUN("{\"a\":1}\n{\"a\":\n{\"a\":3}\n{\"a\" 4}\n{\"a\":5}\n", &g) == 0, "recovering");
	CHECK(g.n == 3, "three good records, got %d", g.n);
	CHECK(g.errors == 2 && g.err_lines[0] == 2 && g.err_lines[1] == 4,
	      "errors %d at %ld, %ld", g.errors, g.err_lines[0], g.err_lines[1]);
	CHECK_STR(g.text[2], "{\"a\":5}");

	/* a BOM and CRLF */
	CHECK(RUN("\xef\xbb\xbf{\"a\":\"x\"}\r\n{\"a\":\"y\"}\r\n", &g) == 0, "bom crlf");
	CHECK(g.n == 2 && g.errors == 0, "n %d errors %d", g.n, g.errors);

	/* escapes come back decoded, and are written escaped again */
	CHECK(RUN("{\"s\":\"tab\\there \\u00e9 \\\"q\\\" \\u001b[2J\"}\n", &g) == 0, "escapes");
	CHECK_STR(g.text[0], "{\"s\":\"tab\\there \xc3\xa9 \\\"q\\\" \\u001b[2J\"}");

	/* invalid UTF-8 is an error */
	CHECK(RUN("{\"s\":\"\xff\"}\n", &g) == 0 && g.errors == 1, "utf8 error %d", g.errors);

	/* an array cut short is fatal */
	CHECK(RUN("[{\"a\":1},{\"a\":", &g) == -1, "truncated array");
	CHECK(g.n == 1 && g.errors == 1, "n %d errors %d", g.n, g.errors);

	/* the consumer can stop early */
	g.stop_after = 1;
	CHECK(RUN("{\"a\":1}\n{\"a\":2}\n", &g) == 0 && g.n == 1, "stop: %d", g.n);
	g.stop_after = 0;

	/* empty */
	CHECK(RUN("  \n", &g) == -1 && g.n == 0, "empty");

	/* jparse, jpath, jint */
	struct arena a = {0};
	const char *doc = "{\"q\":{\"p\":\"x\",\"n\":3.0,\"f\":1.5}}";
	const struct jnode *r = jparse(&a, doc, strlen(doc));
	CHECK(r != NULL, "jparse");
	if (!r)
		return tap_done();
	CHECK_STR(jpath(r, "q.p")->str, "x");
	long long v = 0;
	CHECK(jint(jpath(r, "q.n"), &v) == 0 && v == 3, "integral float %lld", v);
	CHECK(jint(jpath(r, "q.f"), &v) < 0, "1.5 is not an int");
	CHECK(jparse(&a, "{bad", 4) == NULL, "jparse rejects");
	arena_free(&a);
	return tap_done();
}
