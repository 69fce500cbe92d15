/*
 * cli_doctor.c - `bootyard doctor`: list every DHCP server that answers a
 * DISCOVER on the serving interface (the probe: doctor.c).
 */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "appliance/bootyard.h"
#include "appliance/cli/cli.h"
#include "appliance/dhcp/doctor.h"
#include "common/netif.h"
#include "common/util.h"
#include "common/valid.h"

/* One answer as a JSON object (new reference, NULL = ENOMEM). */
static json_t *
doctor_json(const struct doctor_offer *o, bool self)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:b,s:b}", "server",
	                 o->server, "yiaddr", o->yiaddr, "siaddr", o->siaddr,
	                 "router", o->router, "file", o->file, "vendor",
	                 o->vendor, "lease", (json_int_t)o->lease, "proxy",
	                 o->proxy, "self", self);
}

/* Print one answer as a line. */
static void
doctor_print(const struct doctor_offer *o, bool self)
{
	printf("server %s%s: %s", o->server, self ? " (this appliance)" : "",
	       o->proxy ? "proxyDHCP (no address)" : "offers ");
	if (!o->proxy)
		printf("%s", o->yiaddr);
	if (o->lease)
		printf(" lease=%us", o->lease);
	if (o->router[0])
		printf(" router=%s", o->router);
	printf(" next-server=%s file=%s", o->siaddr,
	       o->file[0] ? o->file : "-");
	if (o->vendor[0])
		printf(" vendor=%s", o->vendor);
	putchar('\n');
}

/*
 * cmd_doctor - `bootyard doctor [-i IFACE] [-t SECONDS]`: send a
 * DISCOVER on the serving interface (from the config, or -i) and list
 * every DHCP server that answers. Exit 0 (the list may be empty), 2 on
 * usage errors, 3 when the probe cannot run.
 */

/*
 * doctor_opts - the options of doctor into *ret_want and *ret_secs.
 * Returns CLI_CONTINUE, or the exit status (0 after --help).
 */
static int
doctor_opts(struct by_ctx *ctx, int argc, char **argv, const char **ret_want,
	    unsigned long long *ret_secs)
{
	static const struct option opts[] = {
	    CLI_OPTS_COMMON,
	    {"interface", required_argument, NULL, 'i'},
	    {"timeout", required_argument, NULL, 't'},
	    {NULL, 0, NULL, 0},
	};
	int c, r = 0;

	cli_getopt_reset();
	while ((c = cli_next_opt(ctx, &cli_cmd_doctor, argc, argv,
				 CLI_SHORTOPTS "i:t:", opts, &r)) >= 0) {
		if (c == 'i') {
			*ret_want = optarg;
		} else if (c == 't') {
			if (parse_uint(optarg, 1, 60, ret_secs) < 0) {
				cli_err(&cli_cmd_doctor,
					"-t takes 1 to 60 seconds");
				return EXIT_USAGE;
			}
		}
	}
	if (c == CLI_STOP)
		return r;
	if (optind < argc) {
		cli_err(&cli_cmd_doctor, "unexpected argument");
		return EXIT_USAGE;
	}
	return CLI_CONTINUE;
}

int
cmd_doctor(struct by_ctx *ctx, int argc, char **argv)
{
	struct doctor_offer o[DOCTOR_MAX_SERVERS];
	struct netif_info nif = {0};
	struct by_config cfg;
	const char *want = NULL;
	unsigned long long secs = 5;
	char err[512];
	size_t n = 0, i, others = 0;
	int r;

	r = doctor_opts(ctx, argc, argv, &want, &secs);
	if (r != CLI_CONTINUE)
		return r;
	r = cli_load_config(ctx, &cfg);
	if (r)
		return r;
	if (want && !valid_ifname(want)) {
		cli_err(&cli_cmd_doctor, "bad interface name");
		return EXIT_USAGE;
	}
	r = netif_detect(want ? want : cfg.interface, &nif, err, sizeof(err));
	if (r < 0 && want && if_nametoindex(want)) {
		/* -i names an interface without IPv4 (a client's view):
		 * the probe needs none */
		str_copy(nif.name, sizeof(nif.name), want);
		str_copy(nif.addr, sizeof(nif.addr), "none");
		r = 0;
	}
	if (r < 0) {
		cli_err(&cli_cmd_doctor, "%s", err);
		return EXIT_RUNTIME;
	}
	r = doctor_probe(nif.name, NULL, (unsigned)secs * 1000, o,
	                 ARRAY_SIZE(o), &n);
	if (r < 0) {
		cli_err(&cli_cmd_doctor, "probe on %s: %s", nif.name,
		        strerror(-r));
		return EXIT_RUNTIME;
	}
	for (i = 0; i < n; i++)
		if (strcmp(o[i].server, nif.addr))
			others++;
	if (ctx->json) {
		json_t *arr = json_array();

		for (i = 0; arr && i < n; i++)
			if (json_array_append_new(
			        arr, doctor_json(&o[i], !strcmp(o[i].server,
			                                        nif.addr))) < 0)
				break;
		return cli_json_print_line(json_pack(
		    "{s:s,s:s,s:o,s:I}", "interface", nif.name, "address",
		    nif.addr, "servers", arr, "others", (json_int_t)others));
	}
	printf("DHCPDISCOVER on %s (%s): %zu server%s answered in %llu s\n",
	       nif.name, nif.addr, n, n == 1 ? "" : "s", secs);
	for (i = 0; i < n; i++)
		doctor_print(&o[i], !strcmp(o[i].server, nif.addr));
	if (others)
		printf("%zu DHCP server%s besides this appliance: `serve` "
		       "in dhcp mode will not start (see [dhcp] "
		       "allow_other_servers)\n",
		       others, others == 1 ? "" : "s");
	return 0;
}
