/* fuzz_align.c - a reference cut into steps, and the aligner: any bytes.
 * The steps lie inside the text, in order, without overlap; every
 * solution step and every reference step appears in the alignment exactly
 * as the shapes allow (linked, extra, or skipped), and the links keep the
 * order: each step's run of consecutive reference steps never goes back,
 * and a step may add one link out of that order after its run (a step
 * restating the reference step that computes its value). */
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
		if (l[k].step < 0 || l[k].ref < 0)
			continue;
		/* links come in order of steps; a step's links are a run of
		 * consecutive reference steps, then perhaps one restatement */
		if (l[k].step < last_step || l[k].score < 0 || l[k].score > 1.000001)
			abort();
		size_t e = k + 1;
		while (e < nl && l[e].step == l[k].step && l[e].ref >= 0)
			e++;
		size_t run = 1;
		while (k + run < e && l[k + run].ref == l[k + run - 1].ref + 1)
			run++;
		if (e - k - run > 1)
			abort(); /* more than one link out of the run */
		/* a run never goes back. A step with one link alone may be a
		 * restatement: it says nothing of the order; a run with no
		 * link out of it may end with one (consecutive by chance), so
		 * the order it promises ends a step before its end. */
		if (e - k > 1) {
			if (l[k].ref < last_ref)
				abort();
			last_ref = l[k + run - 1].ref - (e - k == run);
		}
		last_step = l[k].step;
		for (size_t j = k + 1; j < e; j++)
			seen_step[l[j].step]++, seen_ref[l[j].ref]++;
		k = e - 1;
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
