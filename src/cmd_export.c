/* cmd_export.c - `stepmark export`: labels, suggestions or the agreed
 * labels in a trainer's format */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "conf.h"
#include "export.h"
#include "fmt.h"
#include "progress.h"
#include "util.h"
#include "../db/db.h"

enum {
	O_FORMAT = 256, O_DATASET, O_ANNOTATOR, O_SOURCE, O_INCOMPLETE, O_AGREED,
	O_PLACEHOLDER, O_REWARD_TOKENS, O_SOFT, O_THRESHOLD, O_DB, O_HELP, O_QUIET, O_EVERY,
	O_CSV_RAW,
};

/* the options --help lists under the command */
const char cmd_export_help[] =
	"    --format NAME           @EXPORT_FORMATS@\n"
	"    -o, --output FILE       default: standard output\n"
	"    --dataset NAME          only this data set (repeatable)\n"
	"    --annotator NAME        only this annotator's labels (repeatable)\n"
	"    --source NAME           export a suggestion source (mc, judge, prm,\n"
	"                            calc, imported, or SOURCE/MODEL) instead of labels\n"
	"    --threshold X           a suggestion value >= X counts as good (0.5)\n"
	"    --incomplete            also solutions whose labels are incomplete\n"
	"    --placeholder TOKEN --reward-tokens \"GOOD BAD\"  openrlhf's (ки, \"+ -\")\n"
	"    --soft[=SOURCE]         openrlhf: labels are SOURCE's soft estimates (mc)\n"
	"    --agreed                the agreed labels (stepmark consensus), with\n"
	"                            who agreed in prm800k, processbench and csv\n"
	"    --csv-raw               csv: cells exact (by default a cell starting with\n"
	"                            = + - @ is quoted after a ', for spreadsheets)\n"
	"    --quiet                 no progress line, no summary unless it failed\n"
	"    --progress-every SECONDS  a plain progress line every SECONDS (logs)\n";

static const struct option export_opts[] = {
	{"format", required_argument, NULL, O_FORMAT},
	{"output", required_argument, NULL, 'o'},
	{"dataset", required_argument, NULL, O_DATASET},
	{"annotator", required_argument, NULL, O_ANNOTATOR},
	{"source", required_argument, NULL, O_SOURCE},
	{"threshold", required_argument, NULL, O_THRESHOLD},
	{"incomplete", no_argument, NULL, O_INCOMPLETE},
	{"agreed", no_argument, NULL, O_AGREED},
	{"placeholder", required_argument, NULL, O_PLACEHOLDER},
	{"reward-tokens", required_argument, NULL, O_REWARD_TOKENS},
	{"soft", optional_argument, NULL, O_SOFT},
	{"db", required_argument, NULL, O_DB},
	{"help", no_argument, NULL, O_HELP},
	{"quiet", no_argument, NULL, O_QUIET},
	{"progress-every", required_argument, NULL, O_EVERY},
	{"csv-raw", no_argument, NULL, O_CSV_RAW},
	{NULL, 0, NULL, 0},
};

static void json_list_add(struct buf *b, const char *s)
{
	buf_putc(b, b->len ? ',' : '[');
	buf_json_str(b, s, strlen(s));
}

int cmd_export(int argc, char **argv, struct cmd_env *env)
{
	const char *dbpath = env->dbpath;
	const char *format = NULL, *out = NULL;
	struct buf ds = {0}, ann = {0};
	struct export_opts o = {.threshold = 0.5};
	const char *dsn[64];
	int ndsn = 0;
	int c, rc = EX_OK;
	optind = 0; /* glibc: a full re-initialisation, permuting again */
	while ((c = getopt_long(argc, argv, "o:", export_opts, NULL)) != -1) {
		switch (c) {
		case O_FORMAT: format = optarg; break;
		case 'o': out = optarg; break;
		case O_DATASET:
			if (!*optarg) {
				rc = bad_usage("--dataset needs a name");
				goto done;
			}
			json_list_add(&ds, optarg);
			if (ndsn < (int)ARRAY_SIZE(dsn))
				dsn[ndsn++] = optarg;
			break;
		case O_ANNOTATOR: json_list_add(&ann, optarg); break;
		case O_SOURCE: o.source = optarg; break;
		case O_INCOMPLETE: o.incomplete = 1; break;
		case O_AGREED: o.agreed = 1; break;
		case O_PLACEHOLDER:
			if (!*optarg || strpbrk(optarg, " \t\n")) {
				rc = bad_usage("--placeholder is one token, without spaces");
				goto done;
			}
			o.placeholder = optarg;
			break;
		case O_REWARD_TOKENS: {
			/* "+ -": the good one first, as OpenRLHF's --reward_tokens */
			static char good[64], bad[64];
			char extra[2];
			if (sscanf(optarg, "%63s %63s %1s", good, bad, extra) != 2 ||
			    !strcmp(good, bad)) {
				rc = bad_usage("--reward-tokens is two different tokens, the good one "
					       "first: --reward-tokens \"+ -\"");
				goto done;
			}
			o.reward_good = good;
			o.reward_bad = bad;
			break;
		}
		case O_SOFT: o.soft_source = optarg && *optarg ? optarg : "mc"; break;
		case O_DB: dbpath = optarg; break;
		case O_THRESHOLD: {
			char *end;
			o.threshold = strtod(optarg, &end);
			if (*end || end == optarg)
				rc = bad_usage("--threshold takes a number");
			break;
		}
		case O_QUIET: o.quiet = 1; break;
		case O_CSV_RAW: o.csv_raw = 1; break;
		case O_EVERY:
			if ((o.every = cmd_seconds(optarg)) <= 0)
				rc = bad_usage("--progress-every needs seconds");
			break;
		case O_HELP: env->usage(stdout); goto done;
		default: rc = EX_USAGE; goto done;
		}
	}
	if (rc)
		goto done;
	const struct format_ops *f = format ? format_find(format) : NULL;
	if (!f || !f->write) {
		char names[300], msg[400];
		format_names(names, sizeof(names), 0);
		snprintf(msg, sizeof(msg), "export: %s (%s)", format ? "unknown --format" :
			 "--format NAME is required", names);
		rc = bad_usage(msg);
		goto done;
	}
	if (optind < argc) {
		rc = bad_usage("export: unexpected argument (use -o FILE)");
		goto done;
	}
	if ((o.placeholder || o.reward_good || o.soft_source) && strcmp(f->name, "openrlhf")) {
		rc = bad_usage("export: --placeholder, --reward-tokens and --soft are for "
			       "--format openrlhf");
		goto done;
	}
	if (o.csv_raw && strcmp(f->name, "csv")) {
		rc = bad_usage("export: --csv-raw is for --format csv");
		goto done;
	}
	if (o.soft_source && o.reward_good) {
		rc = bad_usage("export: --soft writes floats: no reward tokens with it");
		goto done;
	}
	if (o.agreed && (o.source || ann.len)) {
		rc = bad_usage(o.source ? "export: --agreed or --source, not both" :
			       "export: --agreed or --annotator, not both");
		goto done;
	}
	if (ds.len)
		buf_putc(&ds, ']');
	if (ann.len)
		buf_putc(&ann, ']');
	/* the config's mc-k and mc-alpha: progress and the effective reward */
	struct conf cfg;
	conf_init(&cfg);
	char *cpath = env->config ? xstrdup(env->config) : conf_path_default();
	if (cpath)
		conf_load(&cfg, cpath, env->config == NULL, stderr);
	free(cpath);
	o.mc = (struct mc_opts){cfg.set.mc_k, cfg.set.mc_alpha, cfg.set.mc_pit};
	conf_done(&cfg);
	struct db *db = cmd_open_store_ro(dbpath);
	if (!db) {
		rc = EX_STORE;
		goto done;
	}
	for (int i = 0; i < ndsn; i++)
		if (!db_dataset_id(db, dsn[i])) {
			errf("stepmark: export: no data set named \"%s\" in %s "
				"(stepmark stats lists them)\n", inert(dsn[i], 0), inert(dbpath, 1));
			rc = EX_USAGE;
		}
	if (rc) {
		db_close(db);
		goto done;
	}
	struct export_filter flt = {.datasets_json = ds.len ? ds.data : NULL,
				     .annotators_json = ann.len ? ann.data : NULL};
	progress_catch();
	int r = export_run(db, f, &flt, &o, out);
	progress_release();
	rc = r < 0 ? EX_STORE : r == 2 ? 130 : r > 0 ? EX_BAD : EX_OK;
	db_close(db);
done:
	buf_free(&ds);
	buf_free(&ann);
	return rc;
}
