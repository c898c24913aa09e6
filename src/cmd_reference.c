/* cmd_reference.c - `stepmark import-reference`: its options and its
 * summary; the matching is refimport.c's */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "cmd.h"
#include "refimport.h"
#include "util.h"
#include "../db/db.h"

/* the options --help lists under the command */
const char cmd_import_reference_help[] =
	"    --problem F | --id F    match by the problem's text, or by the id of\n"
	"                            a solution of the problem\n"
	"    --reference F           the field holding the reference (required)\n"
	"    --split PATTERN         cut each reference into steps at the PCRE2\n"
	"                            pattern's matches (default: lines for GSM8K-\n"
	"                            style text, sentences and display math else)\n"
	"    --gold FIELD            the gold answer (default: a GSM8K reference's\n"
	"                            #### line), where a problem has none\n"
	"    --dataset NAME --replace --skip-bad\n"
	"    --quiet                 no progress line, no summary unless it failed\n"
	"    --progress-every SECONDS  a plain progress line every SECONDS (logs)\n";

enum { R_DATASET = 1000, R_PROBLEM, R_ID, R_REFERENCE, R_REPLACE, R_SKIP_BAD, R_DB, R_SPLIT,
       R_GOLD, R_QUIET, R_EVERY };

/* what the file did, on one line */
static void summary(const char *path, const struct ref_import_counts *n)
{
	printf("%s: %ld problem%s given a reference", inert(path, 0), n->given,
	       n->given == 1 ? "" : "s");
	if (n->replaced)
		printf(", %ld replaced (their links to the old one removed: stepmark align "
		       "links them again)", n->replaced);
	if (n->unchanged)
		printf(", %ld unchanged (the same reference)", n->unchanged);
	if (n->kept)
		printf(", %ld kept (another reference there; --replace takes this file's)", n->kept);
	if (n->twice)
		printf(", %ld second reference%s for a problem left out", n->twice,
		       n->twice == 1 ? "" : "s");
	if (n->repeated)
		printf(", %ld repeat%s of a reference an earlier line gave (counted once)",
		       n->repeated, n->repeated == 1 ? "" : "s");
	if (n->unmatched)
		printf(", %ld record%s matched no problem", n->unmatched, n->unmatched == 1 ? "" : "s");
	if (n->bad)
		printf(", %ld bad record%s skipped", n->bad, n->bad == 1 ? "" : "s");
	if (n->gold_set)
		printf(", %ld gold answer%s set", n->gold_set, n->gold_set == 1 ? "" : "s");
	if (n->gold_kept)
		printf(", %ld gold answer%s kept (another there; --replace takes this file's)",
		       n->gold_kept, n->gold_kept == 1 ? "" : "s");
	if (n->kept || n->twice || n->repeated || n->unmatched || n->bad || n->gold_kept)
		printf(" (listed above)");
	printf("\n");
}

int cmd_import_reference(int argc, char **argv, struct cmd_env *env)
{
	const char *dbpath = env->dbpath;
	static const struct option opts[] = {
		{"dataset", required_argument, NULL, R_DATASET},
		{"problem", required_argument, NULL, R_PROBLEM},
		{"id", required_argument, NULL, R_ID},
		{"reference", required_argument, NULL, R_REFERENCE},
		{"replace", no_argument, NULL, R_REPLACE},
		{"skip-bad", no_argument, NULL, R_SKIP_BAD},
		{"db", required_argument, NULL, R_DB},
		{"split", required_argument, NULL, R_SPLIT},
		{"gold", required_argument, NULL, R_GOLD},
		{"quiet", no_argument, NULL, R_QUIET},
		{"progress-every", required_argument, NULL, R_EVERY},
		{NULL, 0, NULL, 0},
	};
	struct ref_import_opts r = {0};
	const char *dataset = NULL, *split = NULL;
	pcre2_code *re = NULL;
	int c;
	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case R_DATASET: dataset = optarg; break;
		case R_PROBLEM: r.f_problem = optarg; break;
		case R_ID: r.f_id = optarg; break;
		case R_REFERENCE: r.f_ref = optarg; break;
		case R_REPLACE: r.replace = 1; break;
		case R_SKIP_BAD: r.skip_bad = 1; break;
		case R_DB: dbpath = optarg; break;
		case R_SPLIT: split = optarg; break;
		case R_GOLD: r.f_gold = optarg; break;
		case R_QUIET: r.quiet = 1; break;
		case R_EVERY:
			if ((r.every = cmd_seconds(optarg)) <= 0)
				return bad_usage("--progress-every needs seconds");
			break;
		default: return EX_USAGE;
		}
	}
	if (optind + 1 != argc)
		return bad_usage("import-reference takes one file");
	if (!r.f_problem == !r.f_id)
		return bad_usage("import-reference matches by --problem FIELD (the problem's text) "
				 "or by --id FIELD (a solution's id), one of them");
	if (!r.f_ref)
		return bad_usage("import-reference needs --reference FIELD");
	r.path = argv[optind];
	if (split) {
		int ec;
		PCRE2_SIZE eo;
		re = pcre2_compile((PCRE2_SPTR)split, PCRE2_ZERO_TERMINATED,
				   PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &ec, &eo, NULL);
		r.split = re;
		if (!re) {
			PCRE2_UCHAR msg[256];
			pcre2_get_error_message(ec, msg, sizeof(msg));
			char m[400];
			snprintf(m, sizeof(m), "--split: %s at offset %zu", (char *)msg, (size_t)eo);
			return bad_usage(m);
		}
	}
	char err[600];
	int rc = EX_OK;
	struct ref_import_counts n;
	struct db *db = cmd_db_open(dbpath, err, sizeof(err));
	if (!db) {
		errf("stepmark: %s\n", err);
		rc = EX_STORE;
		goto out;
	}
	if (dataset && !(r.dataset = db_dataset_id(db, dataset))) {
		errf("stepmark: no data set named \"%s\" in %s\n", inert(dataset, 0), dbpath);
		rc = EX_BAD;
		goto out;
	}
	int got = ref_import(db, &r, &n);
	if (got != 0) {
		rc = got == 2 ? 130 : got > 0 ? EX_BAD : EX_STORE;
		goto out;
	}
	if (!r.quiet)
		summary(r.path, &n);
out:
	pcre2_code_free(re);
	db_close(db);
	return rc;
}
