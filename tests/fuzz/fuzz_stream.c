/* fuzz_stream.c - a whole file through the streaming reader (JSON Lines or
 * a JSON array, BOM, CRLF, broken records), as import reads it. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_record(void *ctx, const struct jrecord *rec)
{
	long *n = ctx;
	(*n)++;
	return rec->root ? 0 : 1;
}

static int on_error(void *ctx, long line, const char *msg)
{
	(void)ctx;
	(void)line;
	(void)msg;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/fuzz_stream.%ld", (long)getpid());
	FILE *f = fopen(path, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	long n = 0;
	struct jstats st;
	char err[256];
	jstream_file(path, on_record, on_error, &n, &st, err, sizeof(err));
	unlink(path);
	return 0;
}
