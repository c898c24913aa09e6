/* grade.h - final answers: extraction and equivalence (PRM800K rules) */
#ifndef SM_GRADE_H
#define SM_GRADE_H

#include <stddef.h>

/* Finds the final answer in a solution's text: the last \boxed{...}
 * (balanced braces), else what follows the last "# Answer", else what
 * follows the last "The answer is". Returns 0 and the span, -1 if none. */
int grade_extract(const char *text, const char **start, size_t *len);

/* The MATH normalisation (math_normalize.normalize_answer); malloc'd. */
char *grade_math_normalize(const char *s);
/* The grader normalisation (grader._normalize); malloc'd. */
char *grade_normalize(const char *s);
/* 1 when given is judged equal to gold, else 0 (grader.grade_answer).
 * A text nested deeper than 64 levels is never equal to anything. */
int grade_answer(const char *given, const char *gold);
/* 1 when given is the same answer as gold: grade_answer's, or beside the
 * PRM800K rules, an equation whose left side names a quantity against its
 * right side ("f(x) = x + 22" and "x + 22", "\sin\theta = \frac12" and
 * "\frac12"), and an unordered list of answers in any order ("a, b" or
 * "\{a, b\}"; not a tuple or an interval, nor when problem, which may be
 * NULL, says "order"). */
int grade_same_answer(const char *given, const char *gold, const char *problem);
/* 1 when s nests too deeply to be graded (brackets, signs, powers, roots):
 * its verdict is unknown, not false. */
int grade_too_deep(const char *s);

#endif
