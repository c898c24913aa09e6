/* floor.c - bench/batch's floors: a minimal C program doing what has to
 * be done to the same bytes and nothing else.
 *   floor write SRC DST   SRC's lines written to DST one fwrite each,
 *                         then flushed and synced (SRC read first,
 *                         untimed)
 *   floor read FILE       FILE's lines read with getline, each parsed
 *                         with yajl's tree parser and its custom_id and
 *                         response.body looked up
 * Prints the seconds the timed part took, and the lines. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int write_floor(const char *src, const char *dst)
{
	FILE *in = fopen(src, "rb");
	if (!in)
		return perror(src), 1;
	fseek(in, 0, SEEK_END);
	long size = ftell(in);
	rewind(in);
	char *all = malloc((size_t)size + 1);
	if (!all || fread(all, 1, (size_t)size, in) != (size_t)size)
		return perror(src), 1;
	fclose(in);
	double t0 = now();
	FILE *out = fopen(dst, "wb");
	if (!out)
		return perror(dst), 1;
	long lines = 0;
	for (char *p = all, *end = all + size, *nl; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end - 1;
		fwrite(p, 1, (size_t)(nl - p + 1), out);
		lines++;
	}
	if (fflush(out) || fsync(fileno(out)) || fclose(out))
		return perror(dst), 1;
	printf("%.3f %ld\n", now() - t0, lines);
	free(all);
	return 0;
}

static int read_floor(const char *path)
{
	double t0 = now();
	FILE *in = fopen(path, "r");
	if (!in)
		return perror(path), 1;
	char *line = NULL, err[128];
	size_t cap = 0;
	long lines = 0, bodies = 0;
	const char *id_path[] = {"custom_id", NULL};
	const char *body_path[] = {"response", "body", NULL};
	while (getline(&line, &cap, in) >= 0) {
		yajl_val v = yajl_tree_parse(line, err, sizeof(err));
		if (!v)
			continue;
		lines++;
		bodies += yajl_tree_get(v, id_path, yajl_t_string) &&
			  yajl_tree_get(v, body_path, yajl_t_object);
		yajl_tree_free(v);
	}
	free(line);
	fclose(in);
	printf("%.3f %ld\n", now() - t0, bodies);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "write"))
		return write_floor(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "read"))
		return read_floor(argv[2]);
	fprintf(stderr, "usage: floor write SRC DST | floor read FILE\n");
	return 2;
}
