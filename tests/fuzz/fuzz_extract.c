/* fuzz_extract.c - finding the final answer in a solution's text. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "grade.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = xstrndup((const char *)data, size);
	const char *start;
	size_t len;
	if (grade_extract(s, &start, &len) == 0 && (start < s || start + len > s + size))
		abort(); /* the answer lies inside the text */
	free(s);
	return 0;
}
