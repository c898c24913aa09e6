/* cmd_grade.c - `stepmark grade`: is a final answer the gold one, by the
 * PRM800K grader's rules; over JSON Lines; or the answer found in a text */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "cmd.h"
#include "grade.h"
#include "json.h"
#include "util.h"

/* the options --help lists under the command */
const char cmd_grade_help[] =
	"  grade --jsonl FILE        add a \"stepmark\" verdict to each line with\n"
	"                            \"given\" and \"ground_truth\" (- is stdin)\n"
	"  grade --extract TEXT      print the final answer found in TEXT\n"
	"  grade --lenient [--problem TEXT] GIVEN GOLD, or --lenient --jsonl FILE\n"
	"                            also equal: f(x) = ANSWER, lists in any order\n";

struct grade_ctx {
	const char *path;
	long bad;
	int lenient; /* grade_same_answer, with each line's "problem" */
};

static int grade_line(FILE *out, struct grade_ctx *g, const char *line,
		      size_t n, long lineno, struct arena *a)
{
	const char *s = line;
	size_t len = n;
	while (len && (s[len - 1] == '\n' || s[len - 1] == '\r'))
		len--;
	const char *t = s;
	size_t k = len;
	while (k && (*t == ' ' || *t == '\t'))
		t++, k--;
	if (k == 0)
		return 0; /* blank line */
	char why[300];
	const struct jnode *root = jparse_why(a, s, len, why, sizeof(why));
	const struct jnode *given = jget(root, "given"), *gt = jget(root, "ground_truth");
	if (!root || root->type != J_OBJ || !gt) {
		errf("%s:%ld: %s\n", g->path, lineno,
			!root ? why : root->type != J_OBJ ? "not an object" :
			"no \"ground_truth\" field");
		g->bad++;
		arena_reset(a);
		return 0;
	}
	const char *gv = given && (given->type == J_STR || given->type == J_NUM) ? given->str : NULL;
	const char *tv = gt->type == J_STR || gt->type == J_NUM ? gt->str : NULL;
	const struct jnode *pr = g->lenient ? jget(root, "problem") : NULL;
	int ok = gv && tv &&
		 (g->lenient ? grade_same_answer(gv, tv, pr && pr->type == J_STR ? pr->str : NULL)
			     : grade_answer(gv, tv));
	/* the line goes back as it was, with the verdict as the last field */
	const char *close = s + len;
	while (close > s && close[-1] != '}')
		close--;
	close--;
	int empty = root->len == 0;
	fwrite(s, 1, (size_t)(close - s), out);
	fprintf(out, "%s\"stepmark\": %s}\n", empty ? "" : ", ", ok ? "true" : "false");
	arena_reset(a);
	return 0;
}

static int grade_jsonl(const char *path, int lenient)
{
	FILE *in = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	if (!in) {
		errf("stepmark: %s: %s\n", path, strerror(errno));
		return EX_BAD;
	}
	struct grade_ctx g = {path, 0, lenient};
	struct arena a = {0};
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long lineno = 0;
	while ((n = getline(&line, &cap, in)) > 0)
		grade_line(stdout, &g, line, (size_t)n, ++lineno, &a);
	free(line);
	arena_free(&a);
	if (in != stdin)
		fclose(in);
	return g.bad ? EX_BAD : EX_OK;
}

int cmd_grade(int argc, char **argv, struct cmd_env *env)
{
	(void)env;
	int i = 1, lenient = 0;
	const char *problem = NULL;
	for (; i < argc; i++) {
		if (!strcmp(argv[i], "--lenient"))
			lenient = 1;
		else if (!strcmp(argv[i], "--problem") && i + 1 < argc)
			problem = argv[++i];
		else
			break;
	}
	if (problem && !lenient)
		return bad_usage("grade: --problem goes with --lenient");
	if (i < argc && !strcmp(argv[i], "--jsonl")) {
		if (i + 2 != argc || problem)
			return bad_usage("grade [--lenient] --jsonl FILE");
		return grade_jsonl(argv[i + 1], lenient);
	}
	if (i < argc && !strcmp(argv[i], "--extract")) {
		if (i + 2 != argc)
			return bad_usage("grade --extract TEXT");
		const char *s;
		size_t n;
		if (grade_extract(argv[i + 1], &s, &n) < 0) {
			errf("stepmark: no final answer found\n");
			return EX_BAD;
		}
		printf("%.*s\n", (int)n, s);
		return EX_OK;
	}
	if (i < argc && !strcmp(argv[i], "--"))
		i++;
	if (argc - i != 2)
		return bad_usage("grade GIVEN GOLD (put -- first when GIVEN starts with '-')");
	if (grade_too_deep(argv[i]) || grade_too_deep(argv[i + 1])) {
		printf("false\n");
		errf("stepmark: too deeply nested to grade (more than 64 levels)\n");
		return EX_BAD;
	}
	int ok = lenient ? grade_same_answer(argv[i], argv[i + 1], problem)
			 : grade_answer(argv[i], argv[i + 1]);
	printf("%s\n", ok ? "true" : "false");
	return ok ? EX_OK : EX_BAD;
}
