/* peer_utftex.c - bench/latex's peer: libtexprintf (utftex's library,
 * built by run.sh from its fetched source, never shipped) over the same
 * math spans as stepmark, texts read from stdin separated by NUL bytes;
 * each span rendered `reps` times, its median run in nanoseconds written
 * to argv[1], the rendered spans to stdout, NUL-separated.
 *   peer_utftex TIMES-FILE [REPS] <spans >rendered */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "texprintf.h"

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	int reps = argc > 2 ? atoi(argv[2]) : 9;
	if (reps < 1)
		reps = 1;
	FILE *tf = fopen(argv[1], "w");
	if (!tf)
		return 1;
	size_t cap = 1 << 20, len = 0, n;
	char *in = malloc(cap + 1);
	while ((n = fread(in + len, 1, cap - len, stdin)) > 0) {
		len += n;
		if (len == cap)
			in = realloc(in, (cap *= 2) + 1);
	}
	in[len] = '\0';
	double *t = malloc((size_t)reps * sizeof(double));
	TEXPRINTF_LW = 0; /* no line width: the layout alone */
	for (size_t i = 0; i <= len;) {
		const char *s = in + i;
		char *out = NULL;
		for (int k = 0; k < reps; k++) {
			if (out)
				texfree(out);
			double t0 = now_ns();
			out = texstring(s);
			t[k] = now_ns() - t0;
		}
		qsort(t, (size_t)reps, sizeof(double), cmp);
		fprintf(tf, "%.0f\n", t[reps / 2]);
		if (out) {
			fputs(out, stdout);
			texfree(out);
		}
		i += strlen(s) + 1;
		if (i <= len)
			fputc('\0', stdout);
	}
	fclose(tf);
	free(t);
	free(in);
	return 0;
}
