/* render.c - the LaTeX renderer over texts read from stdin (separated by
 * NUL bytes), as the workbench renders them: each text rendered `reps`
 * times, the time of each text's median run in nanoseconds written to
 * argv[1], one per line, and the rendered texts to stdout, NUL-separated;
 * with `math`, each text is math without delimiters (a span of math).
 *   render TIMES-FILE [REPS [math]] <texts >rendered */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "latex.h"
#include "util.h"

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
	if (argc < 2) {
		fprintf(stderr, "usage: render TIMES-FILE [REPS] <texts >rendered\n");
		return 2;
	}
	int reps = argc > 2 ? atoi(argv[2]) : 9;
	if (reps < 1)
		reps = 1;
	int math = argc > 3 && !strcmp(argv[3], "math");
	FILE *tf = fopen(argv[1], "w");
	if (!tf) {
		perror(argv[1]);
		return 1;
	}
	struct buf in = {0};
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
		buf_add(&in, chunk, n);
	struct latex r = {0};
	double *t = xmalloc((size_t)reps * sizeof(double));
	for (size_t i = 0; i < in.len || i == 0;) {
		size_t len = strnlen(in.data ? in.data + i : "", in.len - i);
		const char *s = in.data ? in.data + i : "";
		for (int k = 0; k < reps; k++) {
			double t0 = now_ns();
			if (math)
				latex_render_math(&r, s, len);
			else
				latex_render(&r, s, len);
			t[k] = now_ns() - t0;
		}
		qsort(t, (size_t)reps, sizeof(double), cmp);
		fprintf(tf, "%.0f\n", t[reps / 2]);
		fwrite(r.out.data, 1, r.out.len, stdout);
		fputc('\0', stdout);
		i += len + 1;
		if (i >= in.len)
			break;
	}
	free(t);
	latex_free(&r);
	buf_free(&in);
	fclose(tf);
	return 0;
}
