/* fuzz_calc.c - the arithmetic claim checker on a step's text. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "calc.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = xstrndup((const char *)data, size);
	struct buf report = {0};
	int checked = 0;
	int bad = calc_check(s, &report, &checked);
	if (bad < 0 || bad > checked)
		abort(); /* more false claims than claims */
	struct rat r;
	calc_eval(s, size, &r);
	buf_free(&report);
	free(s);
	return 0;
}
