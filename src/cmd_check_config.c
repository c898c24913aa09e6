/* cmd_check_config.c - `stepmark check-config`: every warning in config
 * or theme files */
#include "config.h"

#include "cmd.h"
#include "../ui/tui.h"

/* the options --help lists under the command */
const char cmd_check_config_help[] =
	"";

int cmd_check_config(int argc, char **argv, struct cmd_env *env)
{
	(void)env;
	return argc > 1 ? config_check_main(argc - 1, argv + 1) : bad_usage("check-config needs files");
}
