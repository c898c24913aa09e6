/* fuzz_record.c - one record through format detection and every importer:
 * the input is parsed as JSON, each format says whether it fits, and each
 * importer reads it as the import does (a format of several solutions a
 * record counts them first, then reads each; the generic one with a
 * field mapping, then again with chat messages for steps). */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "fmt.h"
#include "json.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void read_as(const struct format_ops *f, const struct jnode *rec,
		    const struct import_opts *o, struct arena *a)
{
	char why[256];
	if (f->detect)
		f->detect(rec, why, sizeof(why));
	struct rd r = {0};
	r.a = a;
	r.o = o;
	r.path = "fuzz";
	r.line = 1;
	r.annotator = "fuzz";
	r.dataset = "fuzz";
	/* as the importer does: a format of several solutions a record
	 * counts (and checks) them first, then reads each */
	long n = f->solutions ? f->solutions(&r, rec) : 1;
	for (long sub = 0; sub < n && sub < 64; sub++) {
		struct item it;
		memset(&it, 0, sizeof(it));
		it.correct = -1;
		r.sub = (size_t)sub;
		r.err[0] = '\0';
		f->read(&r, rec, &it);
	}
	arena_reset(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena tree = {0}, a = {0};
	const struct jnode *rec = jparse(&tree, (const char *)data, size);
	if (rec) {
		struct import_opts o = {0};
		o.f_id[0] = "id";
		o.n_id = 1;
		o.f_problem = "problem";
		o.f_steps = "steps";
		o.f_gold = "gold";
		o.f_first_error = "label";
		o.f_answer = "answer";
		/* every format that reads, from the formats table */
		const struct format_ops *const *all = format_list();
		for (size_t i = 0; all[i]; i++)
			if (all[i]->read)
				read_as(all[i], rec, &o, &a);
		o.f_steps = NULL;
		o.f_messages = "messages";
		o.f_agent = "name";
		read_as(format_find("generic"), rec, &o, &a);
		o.f_problem = NULL;
		o.f_agent = NULL;
		read_as(format_find("generic"), rec, &o, &a);
	}
	arena_free(&a);
	arena_free(&tree);
	return 0;
}
