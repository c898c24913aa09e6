/* main.c - the stepmark command line: the options before the command,
 * then the command from the table (commands.def) */
#include "config.h"

#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "name.h"
#include "util.h"

enum { O_ANNOTATOR = 256, O_CONFIG, O_DB, O_HELP, O_VERSION, O_CREATE, O_HUB };

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
		{"hub", required_argument, NULL, O_HUB},
		{NULL, 0, NULL, 0},
	};
	struct cmd_env env = {.dbpath = getenv("STEPMARK_DB"), .usage = commands_usage};
	if (!env.dbpath || !*env.dbpath)
		env.dbpath = "stepmark.db";
	int c;
	opterr = 0; /* getopt would name the program by its path */
	/* options before the command; the command parses its own */
	while ((c = getopt_long(argc, argv, "+:h", global, NULL)) != -1) {
		switch (c) {
		case O_ANNOTATOR: {
			char why[400];
			if (name_check(optarg, strlen(optarg), "--annotator", why, sizeof(why)) < 0)
				return bad_usage(why);
			env.annotator = optarg;
			break;
		}
		case O_CONFIG: env.config = optarg; break;
		case O_DB: env.dbpath = optarg; break;
		case O_HELP: case 'h': commands_usage(stdout); return EX_OK;
		case O_VERSION: printf("%s\n", PACKAGE_STRING); return EX_OK;
		case O_CREATE: env.create = 1; break;
		case O_HUB: env.hub = optarg; break;
		default: { /* ':' a value missing, '?' an unknown option */
			char msg[300];
			snprintf(msg, sizeof(msg), "%s %s", inert(argv[optind - 1], 0),
				 c == ':' ? "needs a value" : "is not an option (before the command)");
			return bad_usage(msg);
		}
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		return cmd_tui(argc, argv, &env);
	const struct command *cmd = command_find(argv[0]);
	if (!cmd) {
		errf("stepmark: unknown command \"%s\"\nTry 'stepmark --help'.\n", argv[0]);
		return EX_USAGE;
	}
	return cmd->run(argc, argv, &env);
}
