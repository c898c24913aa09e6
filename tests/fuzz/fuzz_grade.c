/* fuzz_grade.c - the answer grader on two strings (the input cut at its
 * first newline: given, then gold), and both normalisations. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "grade.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = xstrndup((const char *)data, size);
	char *nl = strchr(s, '\n');
	const char *gold = "";
	if (nl) {
		*nl = '\0';
		gold = nl + 1;
	}
	grade_too_deep(s);
	grade_answer(s, gold);
	grade_same_answer(s, gold, gold);
	free(grade_normalize(s));
	free(grade_math_normalize(s));
	free(s);
	return 0;
}
