/* cmd_tui.c - `stepmark` and `stepmark tui`: the workbench, on a store
 * that exists, in a terminal */
#include "config.h"

#include <getopt.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

#include "cmd.h"
#include "name.h"
#include "util.h"
#include "../ui/tui.h"

enum { O_ANNOTATOR = 256, O_CONFIG, O_DB, O_CREATE };

/* the options --help lists under the command */
const char cmd_tui_help[] =
	"    --annotator NAME        who labels (default: the config's annotator,\n"
	"                            else $USER)\n"
	"    --create                open a store that does not exist yet, empty\n"
	"    --config FILE           instead of $XDG_CONFIG_HOME/stepmark/config\n";

int cmd_tui(int argc, char **argv, struct cmd_env *env)
{
	const char *dbpath = env->dbpath, *annotator = env->annotator, *config = env->config;
	int create = env->create;
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
	char why[400];
	if (annotator && name_check(annotator, strlen(annotator), "--annotator", why,
				    sizeof(why)) < 0)
		return bad_usage(why);
	const char *nd = getenv("STEPMARK_NO_DISPLAY");
	if (!(nd && *nd) && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)))
		return bad_usage("the workbench needs a terminal; for a summary run: stepmark stats");
	return tui_main(dbpath, annotator, config, env->hub);
}
