/* parse.c - bench/import's parsing floor: the file through yajl alone,
 * every value visited by a callback that does nothing but count, with
 * the same options stepmark's reader uses (several values in a row).
 *   parse FILE   prints the number of values */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <yajl/yajl_parse.h>

static long values;

static int on_value(void *ctx)
{
	(void)ctx;
	values++;
	return 1;
}

static int on_bool(void *ctx, int b)
{
	(void)b;
	return on_value(ctx);
}

static int on_number(void *ctx, const char *s, size_t n)
{
	(void)s;
	(void)n;
	return on_value(ctx);
}

static int on_string(void *ctx, const unsigned char *s, size_t n)
{
	(void)s;
	(void)n;
	return on_value(ctx);
}

static int on_open(void *ctx)
{
	(void)ctx;
	return 1;
}

static int on_close(void *ctx)
{
	(void)ctx;
	return 1;
}

static const yajl_callbacks cb = {
	on_value, on_bool, NULL, NULL, on_number, on_string,
	on_open, on_string, on_close, on_open, on_close,
};

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: parse FILE\n");
		return 2;
	}
	FILE *f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	yajl_handle h = yajl_alloc(&cb, NULL, NULL);
	yajl_config(h, yajl_allow_multiple_values, 1);
	static unsigned char buf[1 << 16];
	size_t n;
	int rc = 0;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		if (yajl_parse(h, buf, n) != yajl_status_ok) {
			rc = 1;
			break;
		}
	if (!rc && yajl_complete_parse(h) != yajl_status_ok)
		rc = 1;
	yajl_free(h);
	fclose(f);
	printf("%ld values\n", values);
	return rc;
}
