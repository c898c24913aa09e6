/* unit_align.c - references in steps (GSM8K lines, prose sentences,
 * display math) and the offline aligner on every shape: one to one, an
 * extra step, a skipped reference step, many to one, one to many, and
 * quantities compared exactly (0.5 meets 1/2 and \frac12). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "align.h"
#include "tap.h"

/* the reference's steps joined by " | " */
static char joined[4096];
static const char *steps_of(const char *ref, struct refsteps *r)
{
	ref_split(ref, r);
	size_t o = 0;
	joined[0] = '\0';
	for (size_t i = 0; i < r->n && o < sizeof(joined); i++)
		o += (size_t)snprintf(joined + o, sizeof(joined) - o, "%s%.*s", i ? " | " : "",
				      (int)r->s[i].len, ref + r->s[i].off);
	return joined;
}

static void splitting(void)
{
	struct refsteps r;
	const char *g = "3*4=<<3*4=12>>12 apples\nHe eats 2, so 12-2=<<12-2=10>>10\n#### 10";
	CHECK_STR(steps_of(g, &r), "3*4=<<3*4=12>>12 apples | He eats 2, so 12-2=<<12-2=10>>10");
	CHECK(r.gsm8k && r.answer.len == 2 && !strncmp(g + r.answer.off, "10", 2),
	      "the #### line is the answer, not a step");
	refsteps_free(&r);

	CHECK_STR(steps_of("First we add.  Then we multiply! Is it 3? Yes.", &r),
		  "First we add. | Then we multiply! | Is it 3? | Yes.");
	refsteps_free(&r);
	/* a period inside inline math ends the sentence; e.g. does not */
	CHECK_STR(steps_of("Let $a < b.$  Then $a = 1$, e.g. Here it is.", &r),
		  "Let $a < b.$ | Then $a = 1$, e.g. Here it is.");
	refsteps_free(&r);
	/* display math closes the step its words lead into */
	CHECK_STR(steps_of("So\n\\[x = \\frac{1}{2}.\\]and $y = 2,$ so\n$$z = 3.$$ Done.", &r),
		  "So\n\\[x = \\frac{1}{2}.\\] | and $y = 2,$ so\n$$z = 3.$$ | Done.");
	refsteps_free(&r);
	CHECK_STR(steps_of("Then\n\\begin{align*}\na &= 1. \\\\\nb &= 2.\n\\end{align*}and so on.", &r),
		  "Then\n\\begin{align*}\na &= 1. \\\\\nb &= 2.\n\\end{align*} | and so on.");
	refsteps_free(&r);
	/* a blank line ends a step; a dollar sign is a price */
	CHECK_STR(steps_of("It costs \\$5 and \\$10 in all\n\nSo pay 15", &r),
		  "It costs \\$5 and \\$10 in all | So pay 15");
	refsteps_free(&r);
	CHECK_STR(steps_of("", &r), "");
	CHECK(r.n == 0, "no steps in nothing");
	refsteps_free(&r);
	ref_split(NULL, &r);
	CHECK(r.n == 0, "no reference");
}

static void quantities(struct aligner *al)
{
	double same = align_similarity(al, "$x = 0.5$", "$x = \\frac12$");
	double also = align_similarity(al, "x = 1/2", "$x=\\frac{1}{2}$");
	double other = align_similarity(al, "$x = 0.5$", "$x = \\frac13$");
	CHECK(same > 0.9 && also > 0.7, "0.5 = 1/2 = \\frac12: %.2f %.2f", same, also);
	CHECK(other < same - 0.3, "1/3 is not 1/2: %.2f", other);
	double big = align_similarity(al, "The total is 1,000 dollars.", "We pay 1000 dollars in total.");
	CHECK(big > 0.7, "1,000 = 1000: %.2f", big);
	double neg = align_similarity(al, "$x = -3$", "$x = 3$");
	CHECK(neg < 0.8, "-3 is not 3: %.2f", neg);
	/* the same value computed: the same quantity, whatever the operands
	 * (MR-GSM8K, issue 27) */
	CHECK(align_similarity(al, "30 mph * 0.5 hours = 15 miles", "30*.5=<<30*.5=15>>15") >= 0.5,
	      "15 miles computed twice");
	CHECK(align_similarity(al, "$4.40 x 5 = $22.00 per week",
			       "10 trips * $2.20 = $<<10*2.20=22>>22/week") >= 0.5,
	      "$22 a week computed twice");
	CHECK(align_similarity(al, "$4.40 x 5 = $22.00 per day", "10 * 2 = <<10*2=20>>20 trips") < 0.35,
	      "other values: no lift");
	CHECK(align_similarity(al, "Step 2: 12 - 2 = 10", "12-2=<<12-2=10>>10") > 0.8,
	      "a step number and an annotation say nothing");
}

/* the links as "step>ref" words, extra "step>-", skipped "->ref" */
static char got[1024];
static const char *align(struct aligner *al, const char *const *steps, size_t n, const char *ref)
{
	const struct alink *l;
	size_t nl = align_steps(al, steps, n, ref, NULL, &l);
	size_t o = 0;
	got[0] = '\0';
	for (size_t i = 0; i < nl && o < sizeof(got); i++) {
		if (l[i].step < 0)
			o += (size_t)snprintf(got + o, sizeof(got) - o, "%s->%d", o ? " " : "", l[i].ref);
		else if (l[i].ref < 0)
			o += (size_t)snprintf(got + o, sizeof(got) - o, "%s%d>-", o ? " " : "", l[i].step);
		else
			o += (size_t)snprintf(got + o, sizeof(got) - o, "%s%d>%d", o ? " " : "",
					      l[i].step, l[i].ref);
	}
	return got;
}

static void shapes(struct aligner *al)
{
	const char *ref = "Tom has 3 bags of 4 apples, so 3*4=<<3*4=12>>12 apples.\n"
			  "He gives away 5, leaving 12-5=<<12-5=7>>7.\n"
			  "Each of 7 friends gets 1, so 7/7=<<7/7=1>>1 each.\n"
			  "#### 1";
	const char *one[] = {"3 bags of 4 apples is 3*4 = 12 apples.",
			     "Giving away 5 leaves 12 - 5 = 7.",
			     "7 apples for 7 friends is 7/7 = 1 each."};
	CHECK_STR(align(al, one, 3, ref), "0>0 1>1 2>2");
	/* a step the reference has no counterpart for */
	const char *extra[] = {"3 bags of 4 apples is 3*4 = 12 apples.",
			       "Apples are a fruit grown on trees in orchards.",
			       "Giving away 5 leaves 12 - 5 = 7.",
			       "7 apples for 7 friends is 7/7 = 1 each."};
	CHECK_STR(align(al, extra, 4, ref), "0>0 2>1 3>2 1>-");
	/* a reference step the solution never reaches */
	const char *skip[] = {"3 bags of 4 apples is 3*4 = 12 apples.",
			      "7 apples for 7 friends is 7/7 = 1 each."};
	CHECK_STR(align(al, skip, 2, ref), "0>0 1>2 ->1");
	/* two steps restating one reference step */
	const char *many[] = {"There are 3 bags of 4 apples.",
			      "So 3*4 = 12 apples.",
			      "Giving away 5 leaves 12 - 5 = 7.",
			      "7 apples for 7 friends is 7/7 = 1 each."};
	CHECK_STR(align(al, many, 4, ref), "0>0 1>0 2>1 3>2");
	/* one step covering two reference steps */
	const char *wide[] = {"3 bags of 4 apples is 3*4 = 12 apples; giving away 5 leaves 12 - 5 = 7.",
			      "7 apples for 7 friends is 7/7 = 1 each."};
	CHECK_STR(align(al, wide, 2, ref), "0>0 0>1 1>2");
	/* nothing to align against */
	CHECK_STR(align(al, one, 3, ""), "");
	CHECK_STR(align(al, one, 0, ref), "->0 ->1 ->2");
	/* the order holds: a late step cannot link before an earlier link
	 * (7/7 = 1 computes a value too common to say which step it is) */
	const char *swapped[] = {"7 apples for 7 friends is 7/7 = 1 each.",
				 "3 bags of 4 apples is 3*4 = 12 apples."};
	const char *res = align(al, swapped, 2, ref);
	CHECK(!strcmp(res, "0>2 1>- ->0 ->1") || !strcmp(res, "1>0 0>- ->1 ->2"),
	      "monotonic: %s", res);
	/* ...unless the step computes the value one reference step computes:
	 * a step may restate a reference step out of order (issue 27) */
	const char *back[] = {"Giving away 5 leaves 12 - 5 = 7.",
			      "That was from 3 bags of 4 apples, 3*4 = 12 apples."};
	CHECK_STR(align(al, back, 2, ref), "0>1 1>0 ->2");
	/* a raised threshold links less */
	aligner_threshold(al, 0.99);
	CHECK_STR(align(al, extra, 4, ref), "0>- 1>- 2>- 3>- ->0 ->1 ->2");
	aligner_threshold(al, 0.35);
}

/* texts with nothing to compare, on an aligner that has seen nothing yet
 * (fuzz_align found its key pool NULL then: a null pointer plus 0, which
 * the sanitizer build stops on) */
static void nothing(void)
{
	struct aligner *al = aligner_new();
	CHECK(align_similarity(al, "", ".") == 0, "nothing to compare");
	aligner_free(al);
	al = aligner_new();
	const char *steps[] = {"."};
	const struct alink *l;
	size_t n = align_steps(al, steps, 1, "Done.", NULL, &l);
	CHECK(n == 2 && l[0].step == 0 && l[0].ref == -1 && l[1].step == -1 && l[1].ref == 0,
	      "a step and a reference with nothing in common: extra and skipped (%zu)", n);
	aligner_free(al);
}

int main(void)
{
	nothing();
	splitting();
	struct aligner *al = aligner_new();
	quantities(al);
	shapes(al);
	aligner_free(al);
	printf("%d checks, %d failed\n", tap_run, tap_failed);
	return tap_failed != 0;
}
