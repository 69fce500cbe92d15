/*
 * cli_template.c - `bootyard template ...`: the stock install templates
 * shipped with bootyard (http/templates/, also installed under
 * /usr/share/bootyard/templates/) and a check for a template of one's own
 * before `distro set NAME --template FILE`.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appliance/bootyard.h"
#include "appliance/cli/cli.h"
#include "appliance/build/import.h"
#include "common/util.h"
#include "db/db.h"
#include "appliance/core/template.h"

/* template check FILE */
static int
template_check(struct by_ctx *ctx, int argc, char **argv)
{
	const struct cli_cmd *cmd = &cli_cmd_template_check;
	char err[256], *text = NULL, *p;
	const char *file, *problem = NULL;
	size_t len;
	int r;

	r = cli_simple_args(ctx, cmd, argc, argv, 1, cmd->usage);
	if (r != CLI_CONTINUE)
		return r;
	file = argv[optind];
	r = read_file(file, DB_TEMPLATE_MAX, &text, &len);
	if (r == -EFBIG)
		problem = "larger than a distribution takes";
	else if (r < 0) {
		cli_err(cmd, "cannot read %s: %s", cli_q(file), strerror(-r));
		return EXIT_USAGE;
	} else if (strlen(text) != len)
		problem = "has a NUL byte";
	err[0] = '\0';
	if (!problem && tmpl_validate(text, err, sizeof(err)) < 0) {
		for (p = err; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
		problem = err[0] ? err : "invalid";
	}
	if (!problem && !tmpl_has_callback(text))
		problem = "never calls the done callback ({{done_url}}): the "
			  "host would install again at every boot";
	if (ctx->json) {
		r = cli_json_print(json_pack("{s:s,s:b,s:s?}", "file", file,
					     "ok", !problem, "problem",
					     problem));
		free(text);
		return r ? r : problem ? EXIT_USAGE : 0;
	}
	if (problem)
		cli_err(cmd, "%s: %s", cli_q(file), problem);
	else
		printf("%s: template OK\n", file);
	free(text);
	return problem ? EXIT_USAGE : 0;
}

/* template show NAME */
static int
template_show(struct by_ctx *ctx, int argc, char **argv)
{
	const struct cli_cmd *cmd = &cli_cmd_template_show;
	const char *text;
	int r;

	r = cli_simple_args(ctx, cmd, argc, argv, 1, cmd->usage);
	if (r != CLI_CONTINUE)
		return r;
	text = imp_stock_template(argv[optind]);
	if (!text) {
		cli_err(cmd, "no stock template %s (bootyard template list)",
			cli_q(argv[optind]));
		return EXIT_NOTFOUND;
	}
	if (ctx->json)
		return cli_json_print(json_pack("{s:s,s:s}", "name",
						argv[optind], "template",
						text));
	fputs(text, stdout);
	return 0;
}

/* template list */
static int
template_list(struct by_ctx *ctx, int argc, char **argv)
{
	const char *const *n = imp_stock_names();
	json_t *arr;
	int r;

	r = cli_simple_args(ctx, &cli_cmd_template_list, argc, argv, 0, "");
	if (r != CLI_CONTINUE)
		return r;
	if (!ctx->json) {
		for (; *n; n++)
			printf("%s\n", *n);
		return 0;
	}
	arr = json_array();
	for (; arr && *n; n++)
		json_array_append_new(arr, json_string(*n));
	return cli_json_print(arr);
}

/*
 * cmd_template - `bootyard template COMMAND ...`. Returns the exit status.
 */
int
cmd_template(struct by_ctx *ctx, int argc, char **argv)
{
	static const struct cli_sub subs[] = {
		{ "check", template_check },
		{ "show", template_show },
		{ "list", template_list },
		{ "ls", template_list },
	};

	return cli_dispatch(ctx, &cli_cmd_template, subs, ARRAY_SIZE(subs), argc,
			    argv);
}
