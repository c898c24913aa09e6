/* commands.c - the commands' table (commands.def): finding one by name,
 * and --help made from it */
#include "config.h"

#include <string.h>

#include "cmd.h"
#include "fmt.h"
#include "prov.h"

const struct command commands[] = {
#define _(id, name, synopsis, summary) {name, synopsis, summary, cmd_##id, cmd_##id##_help},
#include "commands.def"
#undef _
};

const struct command *command_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static const char head[] =
	"Usage: stepmark [--db PATH] [COMMAND] [OPTIONS]\n"
	"\n"
	"A workbench for step-level (process) supervision of LLM reasoning:\n"
	"import step-labelled data, check answers, export labels for training.\n"
	"\n"
	"Commands:\n";
static const char foot[] =
	"\n"
	"The store is --db PATH, else $STEPMARK_DB, else ./stepmark.db.\n"
	"See stepmark(1) and stepmarkrc(5).\n";

#define SUMMARY_COL 28
#define WIDTH 78

/* words from col on, wrapped under SUMMARY_COL */
static void wrap(FILE *fp, const char *text, int col)
{
	while (*text) {
		size_t n = strcspn(text, " ");
		if (col > SUMMARY_COL && col + 1 + (int)n > WIDTH) {
			fprintf(fp, "\n%*s", SUMMARY_COL, "");
			col = SUMMARY_COL;
		} else if (col > SUMMARY_COL) {
			fputc(' ', fp);
			col++;
		}
		fwrite(text, 1, n, fp);
		col += (int)n;
		text += n;
		text += strspn(text, " ");
	}
	fputc('\n', fp);
}

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

/* the formats' names, wrapped under the option's column */
static void usage_formats(FILE *fp, int importing)
{
	char names[300];
	format_names(names, sizeof(names), importing);
	wrap(fp, names, SUMMARY_COL);
}

/* A command's help text with its @NAME@ lines made from the tables. */
static void usage_help(FILE *fp, const char *l)
{
	while (*l) {
		size_t n = strcspn(l, "\n");
		const char *at = memchr(l, '@', n);
		if (!strncmp(l, "@PROVIDERS@\n", 12)) {
			usage_providers(fp);
		} else if (!strncmp(l, "@SETTINGS@\n", 11)) {
			usage_settings(fp);
		} else if (at && (!strncmp(at, "@IMPORT_FORMATS@", 16) ||
				  !strncmp(at, "@EXPORT_FORMATS@", 16))) {
			fwrite(l, 1, (size_t)(at - l), fp);
			usage_formats(fp, at[1] == 'I');
		} else {
			fwrite(l, 1, n + 1, fp);
		}
		l += n + (l[n] == '\n');
	}
}

void commands_usage(FILE *fp)
{
	fputs(head, fp);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		const struct command *c = &commands[i];
		int n = fprintf(fp, "  %-*s", SUMMARY_COL - 2, c->synopsis);
		if (n > SUMMARY_COL) {
			fputs(" ", fp);
			n++;
		}
		wrap(fp, c->summary, n);
		usage_help(fp, c->help);
	}
	fputs(foot, fp);
}

const char cmd_help_help[] = "";

int cmd_help(int argc, char **argv, struct cmd_env *env)
{
	(void)argc;
	(void)argv;
	(void)env;
	commands_usage(stdout);
	return EX_OK;
}
