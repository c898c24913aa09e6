/* fuzz_align.c - a reference cut into steps, and the aligner: any bytes.
 * The steps lie inside the text, in order, without overlap; every
 * solution step and every reference step appears in the alignment exactly
 * as the shapes allow (linked, extra, or skipped), and the links keep the
 * order. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "align.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the reference, then solution steps, separated by NUL bytes */
	char *buf = malloc(size + 1);
	memcpy(buf, data, size);
	buf[size] = '\0';
	const char *ref = buf;
	const char *steps[16];
	size_t n = 0;
	for (size_t i = strlen(buf) + 1; i < size && n < 16; i += strlen(buf + i) + 1)
		steps[n++] = buf + i;
	struct refsteps rs;
	ref_split(ref, &rs);
	size_t len = strlen(ref), end = 0;
	for (size_t j = 0; j < rs.n; j++) {
		if (rs.s[j].off < end || rs.s[j].len == 0 || rs.s[j].off + rs.s[j].len > len)
			abort();
		end = rs.s[j].off + rs.s[j].len;
		char *t = ref_step_text(ref, &rs.s[j]);
		if (strlen(t) > rs.s[j].len)
			abort();
		free(t);
	}
	struct aligner *al = aligner_new();
	const struct alink *l;
	size_t nl = align_steps(al, steps, n, ref, NULL, &l);
	int *seen_step = calloc(n + 1, sizeof(int)), *seen_ref = calloc(rs.n + 1, sizeof(int));
	int last_ref = -1, last_step = -1;
	for (size_t k = 0; k < nl; k++) {
		if (l[k].step >= (int)n || l[k].ref >= (int)rs.n || (l[k].step < 0 && l[k].ref < 0))
			abort();
		if (l[k].step >= 0)
			seen_step[l[k].step]++;
		if (l[k].ref >= 0)
			seen_ref[l[k].ref]++;
		if (l[k].step >= 0 && l[k].ref >= 0) {
			/* links come in order of steps, references never go back */
			if (l[k].step < last_step || l[k].ref < last_ref ||
			    l[k].score < 0 || l[k].score > 1.000001)
				abort();
			last_step = l[k].step;
			last_ref = l[k].ref;
		}
	}
	for (size_t i = 0; rs.n && i < n; i++)
		if (!seen_step[i])
			abort(); /* every step linked or extra */
	for (size_t j = 0; n && j < rs.n; j++)
		if (!seen_ref[j])
			abort(); /* every reference step reached or skipped */
	free(seen_step);
	free(seen_ref);
	aligner_free(al);
	refsteps_free(&rs);
	free(buf);
	return 0;
}
