/* fuzz_config.c - the config language, line by line ("source" lines are
 * left out: they read files). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = xstrndup((const char *)data, size);
	struct conf c;
	conf_init(&c);
	for (char *line = strtok(s, "\n"); line; line = strtok(NULL, "\n")) {
		while (*line == ' ' || *line == '\t')
			line++;
		if (!strncmp(line, "source", 6))
			continue;
		conf_line(&c, line, "fuzz:1", NULL);
	}
	char v[256];
	for (int i = 0; i < SET_COUNT; i++)
		conf_value(&c, i, v, sizeof(v));
	conf_done(&c);
	free(s);
	return 0;
}
