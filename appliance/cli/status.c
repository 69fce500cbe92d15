/*
 * status.c - `bootyard status`: what the running appliance serves and
 * from where, read from the status file `bootyard serve` keeps in its
 * run_dir (interface, address, mode, loaders, iPXE images, dnsmasq pid
 * and restart count, and each DHCP subnet served: local, relayed or
 * proxy). Works for root and for the service's group.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appliance/bootyard.h"
#include "appliance/cli/cli.h"
#include "appliance/core/hostjson.h"
#include "common/util.h"

/* The value of key in the status text, or NULL (points into text). */
static const char *
status_get(char *text, const char *key, char *out, size_t outsz)
{
	size_t n = strlen(key);
	char *p = text;

	while (p && *p) {
		char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (len > n && !strncmp(p, key, n) && p[n] == '=') {
			size_t vl = len - n - 1;

			if (vl >= outsz)
				vl = outsz - 1;
			memcpy(out, p + n + 1, vl);
			out[vl] = '\0';
			return out;
		}
		p = nl ? nl + 1 : NULL;
	}
	return NULL;
}

/*
 * subnets_json - the "subnet=" lines (serve.c: "NET/PREFIX HOW RANGE
 * router=R server=S") as [{subnet, served, range, router, server}].
 */
static json_t *
subnets_json(const char *text)
{
	json_t *a = json_array();
	const char *p = text;

	while (a && p && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char line[256], net[64], how[16], range[64], router[64],
			server[64];

		if (len > 7 && len < sizeof(line) && !strncmp(p, "subnet=", 7)) {
			memcpy(line, p + 7, len - 7);
			line[len - 7] = '\0';
			if (sscanf(line, "%63s %15s %63s router=%63s server=%63s",
				   net, how, range, router, server) == 5)
				json_array_append_new(
					a, json_pack("{s:o,s:o,s:o,s:o,s:o}",
						     "subnet", json_text(net),
						     "served", json_text(how),
						     "range", json_text(range),
						     "router", json_text(router),
						     "server", json_text(server)));
		}
		p = nl ? nl + 1 : NULL;
	}
	return a;
}

/* subnets_print - the "subnet=" lines as "subnet  VALUE" rows. */
static void
subnets_print(const char *text)
{
	const char *p = text;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		int len = nl ? (int)(nl - p) : (int)strlen(p);

		if (len > 7 && !strncmp(p, "subnet=", 7))
			printf("%-17s %.*s\n", "subnet", len - 7, p + 7);
		p = nl ? nl + 1 : NULL;
	}
}

int
cmd_status(struct by_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = { CLI_OPTS_COMMON, { 0 } };
	static const char *const keys[] = {
		"state", "pid", "config", "interface", "address", "link",
		"server", "http_base", "address6", "mode", "bios_loader",
		"bios_file",
		"uefi_loader", "uefi_file", "ipxe_detect", "ipxe_images",
		"ipxe_from", "ipxe_missing", "tftp_root", "dnsmasq_conf", "dnsmasq_pid",
		"dnsmasq_restarts", "http_pid", "lease_hook", "updated",
	};
	struct by_config cfg;
	char path[CFG_PATH_MAX + 16], val[CFG_PATH_MAX], *text = NULL;
	size_t len, i;
	bool alive = false;
	int c, r;

	cli_getopt_reset();
	while ((c = getopt_long(argc, argv, CLI_SHORTOPTS, opts, NULL)) != -1) {
		r = cli_opt_common(ctx, &cli_cmd_status, c, argv);
		if (r != CLI_CONTINUE)
			return r == CLI_NOT_COMMON ? EXIT_USAGE : r;
	}
	r = cli_load_config(ctx, &cfg);
	if (r)
		return r;
	if (cfg.run_dir[0])
		r = str_printf(path, sizeof(path), "%s/status", cfg.run_dir);
	else
		r = str_printf(path, sizeof(path), "%s/run/status",
			       cfg.state_dir);
	if (r < 0)
		return EXIT_USAGE;
	r = read_file(path, 1 << 16, &text, &len);
	if (r < 0) {
		cli_err(&cli_cmd_status, "%s: %s (is bootyard serve running?)",
			path, strerror(-r));
		return EXIT_NOTFOUND;
	}
	if (status_get(text, "pid", val, sizeof(val))) {
		long pid = strtol(val, NULL, 10);

		alive = pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
	}
	if (ctx->json) {
		json_t *j = json_pack("{s:b}", "running", alive);

		for (i = 0; j && i < ARRAY_SIZE(keys); i++)
			if (status_get(text, keys[i], val, sizeof(val)))
				json_object_set_new(j, keys[i], json_text(val));
		if (j)
			json_object_set_new(j, "subnets", subnets_json(text));
		r = cli_json_print_line(j);
		if (r) {
			free(text);
			return r;
		}
	} else {
		printf("%-17s %s\n", "running", alive ? "yes" : "no");
		for (i = 0; i < ARRAY_SIZE(keys); i++)
			if (status_get(text, keys[i], val, sizeof(val)))
				printf("%-17s %s\n", keys[i], val);
		subnets_print(text);
	}
	free(text);
	return alive ? 0 : EXIT_RUNTIME;
}
