/* main.c - the stepmark command line */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "cmd.h"
#include "prov.h"
#include "export.h"
#include "grade.h"
#include "import.h"
#include "json.h"
#include "../db/db.h"
#include "../ui/tui.h"


static const char usage_text[] =
	"Usage: stepmark [--db PATH] [COMMAND] [OPTIONS]\n"
	"\n"
	"A workbench for step-level (process) supervision of LLM reasoning:\n"
	"import step-labelled data, check answers, export labels for training.\n"
	"\n"
	"Commands:\n"
	"  tui                       the full-screen workbench (the default):\n"
	"                            label steps, compare sources; h shows the keys\n"
	"    --annotator NAME        who labels (default: the config's annotator,\n"
	"                            else $USER)\n"
	"    --create                open a store that does not exist yet, empty\n"
	"    --config FILE           instead of $XDG_CONFIG_HOME/stepmark/config\n"
	"  fetch                     fetch suggestions from OpenAI-compatible\n"
	"                            endpoints (see stepmarkrc(5), ENDPOINTS)\n"
	"@PROVIDERS@\n"
	"    --dataset NAME --limit N --solution ID  which solutions get jobs,\n"
	"                            and which jobs this run runs\n"
	"@SETTINGS@\n"
	"    --retry-failed          queue failed jobs again\n"
	"    --status                print the jobs' counts and failures\n"
	"    --batch-out FILE        write the requests as OpenAI Batch lines, one\n"
	"                            file per endpoint URL\n"
	"                            (FILE.chat-completions.jsonl...)\n"
	"    --batch-lines N         lines per file at most (default 50000)\n"
	"    --batch-in FILE         read a Batch result file (repeatable), then go on\n"
	"    --template PROVIDER     print the prompt template in force\n"
	"    --quiet, --progress-every SECONDS\n"
	"  import-reference FILE     reference solutions for the store's problems\n"
	"    --problem F | --id F    match by the problem's text, or by the id of\n"
	"                            a solution of the problem\n"
	"    --reference F           the field holding the reference (required)\n"
	"    --split PATTERN         cut each reference into steps at the PCRE2\n"
	"                            pattern's matches (default: lines for GSM8K-\n"
	"                            style text, sentences and display math else)\n"
	"    --gold FIELD            the gold answer (default: a GSM8K reference's\n"
	"                            #### line), where a problem has none\n"
	"    --dataset NAME --replace --skip-bad\n"
	"  align                     link each solution step to the steps of its\n"
	"                            reference solution, offline (fetch --align)\n"
	"    --dataset NAME --solution ID --limit N --min-score N\n"
	"  audit --truth NAME[,NAME] each source and annotator against the truth's\n"
	"                            labels (ProcessBench F1, first-error offsets,\n"
	"                            step precision/recall, threshold sweep,\n"
	"                            coverage), and agreement between people\n"
	"                            (kappa, alpha, AC1)\n"
	"    --dataset NAME --source NAME --threshold T (default 0.5)\n"
	"    --where FILTER          only solutions a queue filter keeps (disagree...)\n"
	"    --json | --csv          one row per line, for programs\n"
	"    --ascii                 charts without block characters\n"
	"    --truth agreed          against the agreed labels (stepmark consensus)\n"
	"  consensus                 each solution's agreed first error under the\n"
	"                            policy (the config's consensus line), stored\n"
	"                            with the rule that decided and who agreed\n"
	"    --policy RULES          e.g. \"adjudicated, human-majority 2,\n"
	"                            confirmed-suggestion, sources mc judge\"\n"
	"    --dataset NAME --list   one data set; list every undecided solution\n"
	"  assign --annotators A,B,...  deal the unassigned solutions: each to one\n"
	"                            annotator, --overlap F of them to two, gold\n"
	"                            items (adjudicated) mixed in, --gold F of each\n"
	"    --gold-from NAME        an expert's decided solutions are gold too\n"
	"    --order random|id|disagreement  (disagreement: sources disagree first)\n"
	"    --dataset NAME --where all|todo|disagree --seed N --limit N\n"
	"  merge OTHER.db            bring another store's labels, notes,\n"
	"                            adjudications and suggestions into this one\n"
	"  adjudicate --id ID --reason TEXT  an adjudicator's decision:\n"
	"    --first-error N | --no-error | --pick ANNOTATOR  (N from 1)\n"
	"    --dataset NAME          where the id is in several data sets\n"
	"  stats                     per data set: problems, solutions, steps,\n"
	"                            labelled steps, labels by annotator,\n"
	"                            suggestions by source\n"
	"  import FILE...            import data sets (format detected)\n"
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
	"    --id F                  the record's id (repeatable: fields joined)\n"
	"    --gold F --reference F --answer F --generator F\n"
	"    --first-error F         an int, null (no error) or a list (its minimum)\n"
	"    --index-base 0|1        base of --first-error (default 0)\n"
	"    --note F                the reason for the first error, kept as a note\n"
	"    --step-values F         with --as-source: a list of per-step values\n"
	"                            (probabilities, ratings -1/0/1, or \"+\"/\"-\")\n"
	"  export                    write labels in a trainer's format\n"
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
	"  grade GIVEN GOLD          print true or false (exit 0 or 1): is GIVEN\n"
	"                            the same final answer as GOLD?\n"
	"  grade --jsonl FILE        add a \"stepmark\" verdict to each line with\n"
	"                            \"given\" and \"ground_truth\" (- is stdin)\n"
	"  grade --extract TEXT      print the final answer found in TEXT\n"
	"  check-config FILE...      report every warning in config or theme files\n"
	"\n"
	"The store is --db PATH, else $STEPMARK_DB, else ./stepmark.db.\n"
	"See stepmark(1) and stepmarkrc(5).\n";

/* The providers' lines of the usage, from their table. */
static void usage_providers(FILE *fp)
{
	fputs("    --PROVIDER              one or more of:\n", fp);
	for (int p = 0; p < nproviders; p++)
		fprintf(fp, "      --%-20s%s\n", provider_name(p), providers[p]->summary);
}

static void usage_settings(FILE *fp)
{
	int col = 4;
	fputs("   ", fp);
	for (int p = 0; p < nproviders; p++) {
		for (const struct popt *o = providers[p]->opts; o && o->name; o++) {
			if (!o->cli)
				continue;
			char word[120];
			int n = snprintf(word, sizeof(word), " --%s ", o->name);
			for (int k = 0; o->type == PO_CHOICE && o->choices[k]; k++)
				n += snprintf(word + n, sizeof(word) - (size_t)n, "%s%s", k ? "|" : "",
					      o->choices[k]);
			if (o->type != PO_CHOICE)
				n += snprintf(word + n, sizeof(word) - (size_t)n, "%s",
					      o->type == PO_BOOL ? "yes|no" : "N");
			if (col + n > 78) {
				fputs("\n   ", fp);
				col = 4;
			}
			fputs(word, fp);
			col += n;
		}
	}
	fputs("\n    (each sets the provider's setting of that name; stepmarkrc(5))\n", fp);
}

/* The usage text with its @NAME@ parts made from the tables. */
static void usage(FILE *fp)
{
	char names[300];
	for (const char *l = usage_text; *l;) {
		const char *at = strchr(l, '@');
		if (!at) {
			fputs(l, fp);
			break;
		}
		fwrite(l, 1, (size_t)(at - l), fp);
		const char *end = strchr(at + 1, '@');
		size_t n = end ? (size_t)(end - at) + 1 : 1;
		if (!strncmp(at, "@PROVIDERS@", n)) {
			usage_providers(fp);
		} else if (!strncmp(at, "@SETTINGS@", n)) {
			usage_settings(fp);
		} else if (!strncmp(at, "@IMPORT_FORMATS@", n) || !strncmp(at, "@EXPORT_FORMATS@", n)) {
			/* the names, wrapped under the option's column */
			format_names(names, sizeof(names), at[1] == 'I');
			int col = 28;
			for (char *w = strtok(names, " "); w; w = strtok(NULL, " ")) {
				int len = (int)strlen(w);
				if (col > 28 && col + 1 + len > 78) {
					fprintf(fp, "\n%28s", "");
					col = 28;
				} else if (col > 28) {
					fputc(' ', fp);
					col++;
				}
				fputs(w, fp);
				col += len;
			}
		} else {
			fwrite(at, 1, n, fp);
		}
		l = at + n;
		if ((!strncmp(at, "@PROVIDERS@", n) || !strncmp(at, "@SETTINGS@", n)) && *l == '\n')
			l++; /* they end their own lines */
	}
}

int bad_usage(const char *msg)
{
	errf("stepmark: %s\nTry 'stepmark --help'.\n", msg);
	return EX_USAGE;
}

static struct db *open_store(const char *path)
{
	char err[600];
	struct db *db = db_open(path, err, sizeof(err));
	if (!db)
		errf("stepmark: %s\n", err);
	else
		db_say_waits(db, stderr);
	return db;
}

/* For commands that only read: never creates or changes the store. */
static struct db *open_store_ro(const char *path)
{
	char err[600];
	struct db *db = db_open_ro(path, err, sizeof(err));
	if (!db)
		errf("stepmark: %s\n", inert(err, 0));
	return db;
}

/* ---- stats ---- */

struct stats_ctx {
	int any;
};

static void print_ds(void *ctx, const struct ds_stats *s)
{
	struct stats_ctx *c = ctx;
	if (!c->any++)
		printf("%-20s %-14s %9s %10s %10s %10s\n", "data set", "format",
		       "problems", "solutions", "steps", "labelled");
	printf("%-20s %-14s %9ld %10ld %10ld %10ld\n", inert(s->name, 0), inert(s->format, 1),
	       s->problems, s->solutions, s->steps, s->labelled_steps);
}

static void print_ann(void *ctx, const char *ds, const char *who, long n)
{
	(void)ctx;
	printf("  %-18s labels by %s: %ld\n", inert(ds, 0), inert(who, 1), n);
}

static void print_src(void *ctx, const char *ds, const char *src, long n)
{
	(void)ctx;
	printf("  %-18s suggestions from %s: %ld\n", inert(ds, 0), inert(src, 1), n);
}

/* the annotators' short names: the config's, then the store's */
static int print_aliases(struct db *db, const char *config_path)
{
	struct conf cfg;
	conf_init(&cfg);
	char *cpath = config_path ? xstrdup(config_path) : conf_path_default();
	if (cpath)
		conf_load(&cfg, cpath, config_path == NULL, stderr);
	free(cpath);
	int rc = alias_auto(&cfg.aliases, db);
	if (rc == 0 && cfg.aliases.n) {
		printf("\nannotators' short names (alias NAME SHORT in the config; L1, L2... for UUIDs):\n");
		for (size_t i = 0; i < cfg.aliases.n; i++)
			printf("  %-6s %s%s\n", inert(cfg.aliases.alias[i], 0), inert(cfg.aliases.name[i], 1),
			       cfg.aliases.automatic[i] ? "" : "  (config)");
	}
	conf_done(&cfg);
	return rc;
}

static int cmd_stats(const char *dbpath, const char *config_path)
{
	struct db *db = open_store_ro(dbpath);
	if (!db)
		return EX_STORE;
	struct stats_ctx c = {0};
	int rc = db_stats(db, print_ds, print_ann, print_src, &c);
	if (rc == 0 && c.any)
		rc = print_aliases(db, config_path);
	if (rc < 0)
		errf("stepmark: store error: %s\n", db_errmsg(db));
	else if (!c.any)
		printf("The store %s is empty: import a data set with 'stepmark import FILE'.\n",
		       dbpath);
	db_close(db);
	return rc < 0 ? EX_STORE : EX_OK;
}

/* ---- import ---- */

enum {
	O_FORMAT = 256, O_DATASET, O_AS, O_LABELS, O_SKIP_BAD, O_ID, O_PROBLEM,
	O_STEPS, O_SPLIT, O_GOLD, O_REFERENCE, O_FIRST_ERROR, O_INDEX_BASE,
	O_ANSWER, O_GENERATOR, O_NOTE, O_ANNOTATOR, O_SOURCE, O_INCOMPLETE, O_AGREED,
	O_PLACEHOLDER, O_REWARD_TOKENS, O_SOFT,
	O_THRESHOLD, O_DB, O_HELP, O_VERSION, O_CONFIG, O_AS_SOURCE, O_STEP_VALUES,
	O_CREATE,
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
	{"split", required_argument, NULL, O_SPLIT},
	{"gold", required_argument, NULL, O_GOLD},
	{"reference", required_argument, NULL, O_REFERENCE},
	{"first-error", required_argument, NULL, O_FIRST_ERROR},
	{"index-base", required_argument, NULL, O_INDEX_BASE},
	{"answer", required_argument, NULL, O_ANSWER},
	{"generator", required_argument, NULL, O_GENERATOR},
	{"note", required_argument, NULL, O_NOTE},
	{"step-values", required_argument, NULL, O_STEP_VALUES},
	{"db", required_argument, NULL, O_DB},
	{"help", no_argument, NULL, O_HELP},
	{NULL, 0, NULL, 0},
};

static int cmd_import(int argc, char **argv, const char **dbpath)
{
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
		case O_SPLIT: o.split = optarg; break;
		case O_GOLD: o.f_gold = optarg; break;
		case O_REFERENCE: o.f_reference = optarg; break;
		case O_FIRST_ERROR: o.f_first_error = optarg; break;
		case O_ANSWER: o.f_answer = optarg; break;
		case O_GENERATOR: o.f_generator = optarg; break;
		case O_NOTE: o.f_note = optarg; break;
		case O_DB: *dbpath = optarg; break;
		case O_INDEX_BASE:
			if (strcmp(optarg, "0") && strcmp(optarg, "1"))
				return bad_usage("--index-base must be 0 or 1");
			o.index_base = optarg[0] - '0';
			break;
		case O_HELP: usage(stdout); return EX_OK;
		default: return EX_USAGE;
		}
	}
	if (optind >= argc)
		return bad_usage("import: which file?");
	/* any field mapping means the generic importer */
	if (!o.format && (o.f_problem || o.f_steps || o.n_id))
		o.format = "generic";
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
	import_remove_stale(*dbpath);
	for (int i = optind; i < argc; i++) {
		int rc;
		if (!db && access(*dbpath, F_OK) != 0 && errno == ENOENT) {
			rc = import_new_store(*dbpath, argv[i], &o);
		} else {
			if (!db && !(db = open_store(*dbpath))) {
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
	db_close(db);
	pcre2_code_free(re);
	return worst;
}

/* ---- export ---- */

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
	{NULL, 0, NULL, 0},
};

static void json_list_add(struct buf *b, const char *s)
{
	buf_putc(b, b->len ? ',' : '[');
	buf_json_str(b, s, strlen(s));
}

static int cmd_export(int argc, char **argv, const char **dbpath)
{
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
		case O_DB: *dbpath = optarg; break;
		case O_THRESHOLD: {
			char *end;
			o.threshold = strtod(optarg, &end);
			if (*end || end == optarg)
				rc = bad_usage("--threshold takes a number");
			break;
		}
		case O_HELP: usage(stdout); goto done;
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
	struct db *db = open_store_ro(*dbpath);
	if (!db) {
		rc = EX_STORE;
		goto done;
	}
	for (int i = 0; i < ndsn; i++)
		if (!db_dataset_id(db, dsn[i])) {
			errf("stepmark: export: no data set named \"%s\" in %s "
				"(stepmark stats lists them)\n", inert(dsn[i], 0), inert(*dbpath, 1));
			rc = EX_USAGE;
		}
	if (rc) {
		db_close(db);
		goto done;
	}
	struct export_filter flt = {.datasets_json = ds.len ? ds.data : NULL,
				     .annotators_json = ann.len ? ann.data : NULL};
	int r = export_run(db, f, &flt, &o, out);
	rc = r < 0 ? EX_STORE : r > 0 ? EX_BAD : EX_OK;
	db_close(db);
done:
	buf_free(&ds);
	buf_free(&ann);
	return rc;
}

/* ---- grade ---- */

struct grade_ctx {
	const char *path;
	long bad;
};

static int grade_line(FILE *out, struct grade_ctx *g, const char *line,
		      size_t n, long lineno, struct arena *a)
{
	const char *s = line;
	size_t len = n;
	while (len && (s[len - 1] == '\n' || s[len - 1] == '\r'))
		len--;
	const char *t = s;
	size_t k = len;
	while (k && (*t == ' ' || *t == '\t'))
		t++, k--;
	if (k == 0)
		return 0; /* blank line */
	char why[300];
	const struct jnode *root = jparse_why(a, s, len, why, sizeof(why));
	const struct jnode *given = jget(root, "given"), *gt = jget(root, "ground_truth");
	if (!root || root->type != J_OBJ || !gt) {
		errf("%s:%ld: %s\n", g->path, lineno,
			!root ? why : root->type != J_OBJ ? "not an object" :
			"no \"ground_truth\" field");
		g->bad++;
		arena_reset(a);
		return 0;
	}
	const char *gv = given && (given->type == J_STR || given->type == J_NUM) ? given->str : NULL;
	const char *tv = gt->type == J_STR || gt->type == J_NUM ? gt->str : NULL;
	int ok = gv && tv && grade_answer(gv, tv);
	/* the line goes back as it was, with the verdict as the last field */
	const char *close = s + len;
	while (close > s && close[-1] != '}')
		close--;
	close--;
	int empty = root->len == 0;
	fwrite(s, 1, (size_t)(close - s), out);
	fprintf(out, "%s\"stepmark\": %s}\n", empty ? "" : ", ", ok ? "true" : "false");
	arena_reset(a);
	return 0;
}

static int grade_jsonl(const char *path)
{
	FILE *in = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	if (!in) {
		errf("stepmark: %s: %s\n", path, strerror(errno));
		return EX_BAD;
	}
	struct grade_ctx g = {path, 0};
	struct arena a = {0};
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long lineno = 0;
	while ((n = getline(&line, &cap, in)) > 0)
		grade_line(stdout, &g, line, (size_t)n, ++lineno, &a);
	free(line);
	arena_free(&a);
	if (in != stdin)
		fclose(in);
	return g.bad ? EX_BAD : EX_OK;
}

static int cmd_grade(int argc, char **argv)
{
	int i = 1;
	if (i < argc && !strcmp(argv[i], "--jsonl")) {
		if (i + 2 != argc)
			return bad_usage("grade --jsonl FILE");
		return grade_jsonl(argv[i + 1]);
	}
	if (i < argc && !strcmp(argv[i], "--extract")) {
		if (i + 2 != argc)
			return bad_usage("grade --extract TEXT");
		const char *s;
		size_t n;
		if (grade_extract(argv[i + 1], &s, &n) < 0) {
			errf("stepmark: no final answer found\n");
			return EX_BAD;
		}
		printf("%.*s\n", (int)n, s);
		return EX_OK;
	}
	if (i < argc && !strcmp(argv[i], "--"))
		i++;
	if (argc - i != 2)
		return bad_usage("grade GIVEN GOLD (put -- first when GIVEN starts with '-')");
	if (grade_too_deep(argv[i]) || grade_too_deep(argv[i + 1])) {
		printf("false\n");
		errf("stepmark: too deeply nested to grade (more than 64 levels)\n");
		return EX_BAD;
	}
	int ok = grade_answer(argv[i], argv[i + 1]);
	printf("%s\n", ok ? "true" : "false");
	return ok ? EX_OK : EX_BAD;
}

static int cmd_tui(int argc, char **argv, const char *dbpath,
		   const char *annotator, const char *config, int create)
{
	static const struct option opts[] = {
		{"annotator", required_argument, NULL, O_ANNOTATOR},
		{"config", required_argument, NULL, O_CONFIG},
		{"db", required_argument, NULL, O_DB},
		{"create", no_argument, NULL, O_CREATE},
		{NULL, 0, NULL, 0},
	};
	int c;
	optind = 0;
	while (argc > 0 && (c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_ANNOTATOR: annotator = optarg; break;
		case O_CONFIG: config = optarg; break;
		case O_DB: dbpath = optarg; break;
		case O_CREATE: create = 1; break;
		default: return EX_USAGE;
		}
	}
	if (argc > 0 && optind < argc)
		return bad_usage("tui takes no arguments");
	/* a mistyped --db would open a new, empty store: only on request */
	if (!create && access(dbpath, F_OK) != 0) {
		errf("stepmark: no store at %s: import a data set into it (stepmark --db %s "
		     "import FILE), or give --create to open it empty\n", dbpath, dbpath);
		return EX_STORE;
	}
	if (annotator && !*annotator)
		return bad_usage("--annotator needs a name");
	const char *nd = getenv("STEPMARK_NO_DISPLAY");
	if (!(nd && *nd) && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)))
		return bad_usage("the workbench needs a terminal; for a summary run: stepmark stats");
	return tui_main(dbpath, annotator, config);
}

int main(int argc, char **argv)
{
	/* a file size limit is a write error each command reports, not a kill */
	signal(SIGXFSZ, SIG_IGN);
	static const struct option global[] = {
		{"annotator", required_argument, NULL, O_ANNOTATOR},
		{"config", required_argument, NULL, O_CONFIG},
		{"db", required_argument, NULL, O_DB},
		{"help", no_argument, NULL, O_HELP},
		{"version", no_argument, NULL, O_VERSION},
		{"create", no_argument, NULL, O_CREATE},
		{NULL, 0, NULL, 0},
	};
	const char *dbpath = getenv("STEPMARK_DB");
	if (!dbpath || !*dbpath)
		dbpath = "stepmark.db";
	int c;
	const char *annotator = NULL, *config = NULL;
	int create = 0;
	/* options before the command; the command parses its own */
	while ((c = getopt_long(argc, argv, "+h", global, NULL)) != -1) {
		switch (c) {
		case O_ANNOTATOR: annotator = optarg; break;
		case O_CONFIG: config = optarg; break;
		case O_DB: dbpath = optarg; break;
		case O_HELP: case 'h': usage(stdout); return EX_OK;
		case O_VERSION: printf("%s\n", PACKAGE_STRING); return EX_OK;
		case O_CREATE: create = 1; break;
		default: return EX_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0 || !strcmp(argv[0], "tui"))
		return cmd_tui(argc, argv, dbpath, annotator, config, create);
	const char *cmd = argv[0];
	if (!strcmp(cmd, "stats"))
		return argc == 1 ? cmd_stats(dbpath, config) : bad_usage("stats takes no arguments");
	if (!strcmp(cmd, "import"))
		return cmd_import(argc, argv, &dbpath);
	if (!strcmp(cmd, "export"))
		return cmd_export(argc, argv, &dbpath);
	if (!strcmp(cmd, "grade"))
		return cmd_grade(argc, argv);
	if (!strcmp(cmd, "fetch"))
		return cmd_fetch(argc, argv, dbpath, config);
	if (!strcmp(cmd, "import-reference"))
		return cmd_import_reference(argc, argv, dbpath);
	if (!strcmp(cmd, "align")) { /* fetch --align */
		char **args = xcalloc((size_t)argc + 2, sizeof(*args));
		char align[] = "--align";
		args[0] = argv[0];
		args[1] = align;
		for (int i = 1; i < argc; i++)
			args[i + 1] = argv[i];
		int rc = cmd_fetch(argc + 1, args, dbpath, config);
		free(args);
		return rc;
	}
	if (!strcmp(cmd, "adjudicate"))
		return cmd_adjudicate(argc, argv, dbpath, annotator, config);
	if (!strcmp(cmd, "assign"))
		return cmd_assign(argc, argv, dbpath);
	if (!strcmp(cmd, "merge"))
		return cmd_merge(argc, argv, dbpath);
	if (!strcmp(cmd, "consensus"))
		return cmd_consensus(argc, argv, dbpath, config);
	if (!strcmp(argv[0], "audit"))
		return cmd_audit(argc, argv, dbpath);
	if (!strcmp(cmd, "check-config"))
		return argc > 1 ? config_check_main(argc - 1, argv + 1) :
				  bad_usage("check-config needs files");
	if (!strcmp(cmd, "help")) {
		usage(stdout);
		return EX_OK;
	}
	errf("stepmark: unknown command \"%s\"\nTry 'stepmark --help'.\n", cmd);
	return EX_USAGE;
}
