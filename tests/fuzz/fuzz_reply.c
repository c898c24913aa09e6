/* fuzz_reply.c - align-judge's lenient reader of a model's reply: any
 * bytes. Every step it says was judged lies in range, with its reference
 * steps in range, and the count it returns is the count of those steps. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prov.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	/* the first two bytes: how many steps and reference steps */
	size_t nsteps = data[0] % 24, nrefs = data[1] % 24;
	char *text = malloc(size - 1);
	memcpy(text, data + 2, size - 2);
	text[size - 2] = '\0';
	struct aj_step st[24];
	struct arena a = {0};
	char why[200];
	int n = aj_parse(text, nsteps, nrefs, st, &a, why, sizeof(why));
	int judged = 0;
	for (size_t i = 0; i < nsteps; i++) {
		if (st[i].step < 0)
			continue;
		judged++;
		if ((size_t)st[i].step != i || st[i].nrefs < 0 || st[i].nrefs > AJ_MAX_REFS)
			abort();
		for (int r = 0; r < st[i].nrefs; r++)
			if (st[i].refs[r] < 0 || (size_t)st[i].refs[r] >= nrefs)
				abort();
		if (st[i].verdict != -1 && st[i].verdict != 0 && st[i].verdict != 0.5 &&
		    st[i].verdict != 1)
			abort();
	}
	if (n >= 0 ? n != judged || n == 0 : judged != 0 || !why[0])
		abort();
	arena_free(&a);
	free(text);
	return 0;
}
