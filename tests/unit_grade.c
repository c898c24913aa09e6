/* unit_grade.c - answer extraction and the PRM800K grader vectors */
#include "config.h"

#include <stdlib.h>
#include "grade.h"
#include "json.h"
#include "tap.h"

struct vec_ctx {
	int n;
};

static int on_vector(void *ctx, const struct jrecord *rec)
{
	struct vec_ctx *c = ctx;
	const struct jnode *r = rec->root;
	const char *given = jget(r, "given")->str, *gt = jget(r, "ground_truth")->str;
	int want = jget(r, "grade_answer")->boolean;
	char *m1 = grade_math_normalize(given), *m2 = grade_math_normalize(gt);
	char *n1 = grade_normalize(given), *n2 = grade_normalize(gt);
	CHECK_STR(m1, jget(r, "mathd_norm_given")->str);
	CHECK_STR(m2, jget(r, "mathd_norm_gt")->str);
	CHECK_STR(n1, jget(r, "norm_given")->str);
	CHECK_STR(n2, jget(r, "norm_gt")->str);
	int got = grade_answer(given, gt);
	CHECK(got == want, "line %ld: grade_answer(\"%s\", \"%s\") = %d, want %d",
	      rec->line, given, gt, got, want);
	free(m1);
	free(m2);
	free(n1);
	free(n2);
	c->n++;
	return 0;
}

static int on_error(void *ctx, long line, const char *msg)
{
	(void)ctx;
	printf("vectors:%ld: %s\n", line, msg);
	return 1;
}

static void check_extract(const char *text, const char *want)
{
	const char *s;
	size_t n;
	int rc = grade_extract(text, &s, &n);
	if (!want) {
		CHECK(rc < 0, "extract(\"%s\") found \"%.*s\"", text, (int)n, s);
		return;
	}
	char got[256];
	snprintf(got, sizeof(got), "%.*s", rc == 0 ? (int)n : 0, rc == 0 ? s : "");
	CHECK(rc == 0 && strcmp(got, want) == 0, "extract(\"%s\") = \"%s\", want \"%s\"",
	      text, got, want);
}

int main(void)
{
	const char *dir = getenv("FIXTURES");
	char path[4096];
	snprintf(path, sizeof(path), "%s/grader_vectors.jsonl", dir ? dir : "tests/fixtures");
	struct vec_ctx c = {0};
	struct jstats st;
	char err[512];
	int rc = jstream_file(path, on_vector, on_error, &c, &st, err, sizeof(err));
	CHECK(rc == 0, "reading %s: %s", path, err);
	CHECK(c.n == 35, "%d vectors read, want 35", c.n);

	check_extract("so \\boxed{\\frac{1}{2}} and then \\boxed{\\frac{3}{\\sqrt{4}}}.", "\\frac{3}{\\sqrt{4}}");
	check_extract("unbalanced \\boxed{1", NULL);
	check_extract("Step 5: The waiter ate 52 slices. The answer is: 52", "52");
	check_extract("The answer is 7.", "7");
	check_extract("I get 12.\n\n# Answer\n\n7200", "7200");
	check_extract("no answer here", NULL);

	/* exact arithmetic beyond the vectors */
	CHECK(grade_answer("2\\sqrt{2}", "\\sqrt{8}"), "2sqrt2 = sqrt8");
	CHECK(grade_answer("\\frac{\\sqrt{3}}{3}", "\\frac{1}{\\sqrt{3}}"), "sqrt3/3 = 1/sqrt3");
	CHECK(grade_answer("(x+2)(x-2)", "x^2-4"), "difference of squares");
	CHECK(!grade_answer("x^2+4", "x^2-4"), "x^2+4 != x^2-4");
	CHECK(grade_answer("1.25", "\\frac{5}{4}"), "1.25 = 5/4");
	CHECK(grade_answer("7\\frac{3}{4}", "\\frac{31}{4}"), "7 3/4 mixed");
	CHECK(!grade_answer("3", "4"), "3 != 4");
	CHECK(grade_answer("\\left( 3, \\frac{\\pi}{2} \\right)", "(3,\\frac{\\pi}{2})"), "tuple with pi");
	CHECK(!grade_answer("(3, 1)", "(1, 3)"), "tuple order matters");
	CHECK(grade_answer("-5", "-5.0"), "-5 = -5.0");
	CHECK(!grade_answer("99999999999999999999999", "1"), "overflow is not equality");
	CHECK(!grade_answer("", "1"), "an empty answer is wrong");

	/* the same answer beyond the PRM800K rules (issue 27, OlympiadBench) */
	CHECK(!grade_answer("f(x) = x + 22", "x + 22"), "PRM800K's rules stay as they are");
	CHECK(grade_same_answer("f(x) = x + 22", "x + 22", NULL), "a named left side");
	CHECK(grade_same_answer("x + 22", "f(x)=x+22", NULL), "either way");
	CHECK(grade_same_answer("\\sin\\theta = \\frac{1}{2}", "\\frac12", NULL), "\\sin\\theta = ...");
	CHECK(grade_same_answer("a_{n} = 3", "3", NULL), "a_n = 3");
	CHECK(!grade_same_answer("f(x) = 5", "g(x) = 5", NULL), "two names are two answers");
	CHECK(!grade_same_answer("2x = 10", "10", NULL), "2x names no quantity");
	CHECK(!grade_same_answer("x + 1 = 5", "5", NULL), "nor does x + 1");
	CHECK(!grade_same_answer("f(x) = x + 21", "x + 22", NULL), "and the right side must agree");
	CHECK(!grade_answer("10^{100}, 10^{0.01}", "10^{0.01}, 10^{100}"), "PRM800K: lists in order");
	CHECK(grade_same_answer("10^{100}, 10^{0.01}", "10^{0.01}, 10^{100}",
				"Find all values of x."), "an unordered list");
	CHECK(grade_same_answer("\\{3, -1\\}", "-1, 3", NULL), "a set");
	CHECK(grade_same_answer("x = 1, x = 2", "2, 1", NULL), "named elements");
	CHECK(!grade_same_answer("1, 2", "1, 3", NULL), "other elements");
	CHECK(!grade_same_answer("1, 2, 2", "1, 1, 2", NULL), "each matched once");
	CHECK(!grade_same_answer("(3, 1)", "(1, 3)", NULL), "a tuple keeps its order");
	CHECK(!grade_same_answer("2, 1", "1, 2", "Enter the ordered pair."), "as the problem asks");
	CHECK(!grade_same_answer("000, 1", "1,000", NULL), "1,000 is no list");
	CHECK(grade_same_answer("(1, 2), (3, 4)", "(3,4), (1,2)", NULL), "a list of tuples");
	return tap_done();
}
