/* cmd_import.c - `stepmark import`: data sets into the store, in any
 * format the registry reads */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <string.h>
#include <unistd.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "cmd.h"
#include "name.h"
#include "import.h"
#include "progress.h"
#include "util.h"
#include "../db/db.h"

/* the options --help lists under the command */
const char cmd_import_help[] =
	"    --format NAME           @IMPORT_FORMATS@\n"
	"    --dataset NAME          data set to import into (default: the format's\n"
	"                            name for prm800k and math-shepherd, else the\n"
	"                            file name without extension)\n"
	"    --as NAME               annotator of imported labels (default: the data\n"
	"                            set's name; PRM800K keeps each record's labeler);\n"
	"                            solutions already there gain the file's labels\n"
	"    --as-source NAME        store the file's labels as suggestions of source\n"
	"                            NAME (a model's predictions, to audit)\n"
	"    --labels                Math-Shepherd: store +/- as labels, not as MC\n"
	"                            suggestions\n"
	"    --skip-bad              store the good records, list every bad one\n"
	"                            (default: a bad record stores nothing)\n"
	"    generic field mapping (dotted paths such as question.problem):\n"
	"    --problem F --steps F   required; --steps names a list of strings, or\n"
	"                            one text cut by --split PATTERN (PCRE2)\n"
	"    --messages F            instead of --steps: a list of chat messages\n"
	"                            (role, name, content, tool_calls, tool_call_id),\n"
	"                            one a step; the task: --problem, else the first\n"
	"                            user message\n"
	"    --agent name|role|F     where a message's agent is (default: its name,\n"
	"                            else its role)\n"
	"    --id F                  the record's id (repeatable: fields joined)\n"
	"    --gold F --reference F --answer F --generator F\n"
	"    --first-error F         an int, null (no error) or a list (its minimum)\n"
	"    --index-base 0|1        base of --first-error (default 0)\n"
	"    --note F                the reason for the first error, kept as a note\n"
	"    --category F            the error steps' category (each step of a\n"
	"                            --first-error list), as a taxonomy's key or alias\n"
	"    --step-values F         with --as-source: a list of per-step values\n"
	"                            (probabilities, ratings -1/0/1, or \"+\"/\"-\")\n"
	"    --quiet                 no progress line, no summary unless it failed\n"
	"    --progress-every SECONDS  a plain progress line every SECONDS (logs)\n";

enum {
	O_FORMAT = 256, O_DATASET, O_AS, O_LABELS, O_SKIP_BAD, O_ID, O_PROBLEM,
	O_STEPS, O_SPLIT, O_GOLD, O_REFERENCE, O_FIRST_ERROR, O_INDEX_BASE,
	O_ANSWER, O_GENERATOR, O_NOTE, O_DB, O_HELP, O_AS_SOURCE, O_STEP_VALUES,
	O_QUIET, O_EVERY, O_MESSAGES, O_AGENT, O_CATEGORY,
};

static const struct option import_opts[] = {
	{"format", required_argument, NULL, O_FORMAT},
	{"dataset", required_argument, NULL, O_DATASET},
	{"as", required_argument, NULL, O_AS},
	{"as-source", required_argument, NULL, O_AS_SOURCE},
	{"labels", no_argument, NULL, O_LABELS},
	{"skip-bad", no_argument, NULL, O_SKIP_BAD},
	{"id", required_argument, NULL, O_ID},
	{"problem", required_argument, NULL, O_PROBLEM},
	{"steps", required_argument, NULL, O_STEPS},
	{"messages", required_argument, NULL, O_MESSAGES},
	{"agent", required_argument, NULL, O_AGENT},
	{"split", required_argument, NULL, O_SPLIT},
	{"gold", required_argument, NULL, O_GOLD},
	{"reference", required_argument, NULL, O_REFERENCE},
	{"first-error", required_argument, NULL, O_FIRST_ERROR},
	{"index-base", required_argument, NULL, O_INDEX_BASE},
	{"answer", required_argument, NULL, O_ANSWER},
	{"generator", required_argument, NULL, O_GENERATOR},
	{"note", required_argument, NULL, O_NOTE},
	{"category", required_argument, NULL, O_CATEGORY},
	{"step-values", required_argument, NULL, O_STEP_VALUES},
	{"db", required_argument, NULL, O_DB},
	{"help", no_argument, NULL, O_HELP},
	{"quiet", no_argument, NULL, O_QUIET},
	{"progress-every", required_argument, NULL, O_EVERY},
	{NULL, 0, NULL, 0},
};

int cmd_import(int argc, char **argv, struct cmd_env *env)
{
	const char *dbpath = env->dbpath;
	struct import_opts o = {0};
	int c;
	optind = 0; /* glibc: a full re-initialisation, permuting again */
	while ((c = getopt_long(argc, argv, "", import_opts, NULL)) != -1) {
		switch (c) {
		case O_FORMAT: o.format = optarg; break;
		case O_DATASET:
			if (!*optarg)
				return bad_usage("--dataset needs a name");
			o.dataset = optarg;
			break;
		case O_AS: o.as = optarg; break;
		case O_STEP_VALUES: o.f_step_values = optarg; break;
		case O_AS_SOURCE:
			if (!*optarg || strchr(optarg, '/'))
				return bad_usage("--as-source needs a name without '/'");
			o.as_source = optarg;
			break;
		case O_LABELS: o.as_labels = 1; break;
		case O_SKIP_BAD: o.skip_bad = 1; break;
		case O_ID:
			if (o.n_id == MAX_ID_FIELDS)
				return bad_usage("--id: at most 8 fields");
			o.f_id[o.n_id++] = optarg;
			break;
		case O_PROBLEM: o.f_problem = optarg; break;
		case O_STEPS: o.f_steps = optarg; break;
		case O_MESSAGES: o.f_messages = optarg; break;
		case O_AGENT: o.f_agent = optarg; break;
		case O_SPLIT: o.split = optarg; break;
		case O_GOLD: o.f_gold = optarg; break;
		case O_REFERENCE: o.f_reference = optarg; break;
		case O_FIRST_ERROR: o.f_first_error = optarg; break;
		case O_ANSWER: o.f_answer = optarg; break;
		case O_GENERATOR: o.f_generator = optarg; break;
		case O_NOTE: o.f_note = optarg; break;
		case O_CATEGORY: o.f_category = optarg; break;
		case O_DB: dbpath = optarg; break;
		case O_INDEX_BASE:
			if (strcmp(optarg, "0") && strcmp(optarg, "1"))
				return bad_usage("--index-base must be 0 or 1");
			o.index_base = optarg[0] - '0';
			break;
		case O_QUIET: o.quiet = 1; break;
		case O_EVERY:
			if ((o.every = cmd_seconds(optarg)) <= 0)
				return bad_usage("--progress-every needs seconds");
			break;
		case O_HELP: env->usage(stdout); return EX_OK;
		default: return EX_USAGE;
		}
	}
	if (optind >= argc)
		return bad_usage("import: which file?");
	/* any field mapping means the generic importer */
	if (!o.format && (o.f_problem || o.f_steps || o.f_messages || o.n_id))
		o.format = "generic";
	char why[400];
	if ((o.as && name_check(o.as, strlen(o.as), "--as", why, sizeof(why)) < 0) ||
	    (o.as_source && name_check(o.as_source, strlen(o.as_source), "--as-source", why,
				       sizeof(why)) < 0))
		return bad_usage(why);
	if (o.f_step_values && !o.as_source)
		return bad_usage("--step-values needs --as-source NAME: whose values they are");
	if (o.f_step_values && o.format && strcmp(o.format, "generic"))
		return bad_usage("--step-values is a field of the generic mapping (--problem, --steps...)");
	pcre2_code *re = NULL;
	if (o.split) {
		int err;
		PCRE2_SIZE off;
		re = pcre2_compile((PCRE2_SPTR)o.split, PCRE2_ZERO_TERMINATED,
				   PCRE2_UTF, &err, &off, NULL);
		if (!re) {
			PCRE2_UCHAR msg[256];
			pcre2_get_error_message(err, msg, sizeof(msg));
			errf("stepmark: --split: %s at offset %zu\n",
				(char *)msg, (size_t)off);
			return EX_USAGE;
		}
		o.split_re = re;
	}
	struct db *db = NULL;
	int worst = 0;
	import_remove_stale(dbpath);
	progress_catch();
	o.nfiles = argc - optind;
	for (int i = optind; i < argc && !progress_stopped(); i++) {
		int rc;
		o.nfile = i - optind + 1;
		if (!db && access(dbpath, F_OK) != 0 && errno == ENOENT) {
			rc = import_new_store(dbpath, argv[i], &o);
		} else {
			if (!db && !(db = cmd_open_store(dbpath))) {
				pcre2_code_free(re);
				return EX_STORE;
			}
			rc = import_file(db, argv[i], &o);
		}
		if (rc < 0)
			worst = EX_STORE;
		else if (rc > 0 && worst == 0)
			worst = EX_BAD;
	}
	if (progress_stopped() && o.nfile < o.nfiles)
		errf("stepmark: stopped before %s: %d file%s not imported\n", argv[optind + o.nfile],
		     o.nfiles - o.nfile, o.nfiles - o.nfile == 1 ? "" : "s");
	db_close(db); /* a Ctrl-C while it checkpoints waits for it */
	progress_release();
	pcre2_code_free(re);
	return progress_stopped() ? 130 : worst;
}
