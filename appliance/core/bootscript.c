/*
 * bootscript.c - the iPXE boot script (see bootscript.h).
 *
 * The script gets an address unless it has one (retrying: switch ports
 * running spanning tree come up late), then fetches the per-host config
 * URL with the client's MAC and platform, and runs the answer. If the
 * appliance cannot be reached it falls back to the local disk rather
 * than stopping at a prompt (UEFI: the disk-finding grub,
 * bootyard-localboot.efi, over TFTP). An answer that ran and failed is
 * not fetched again: its "exit 1" is passed on to the firmware.
 *
 * A command that fails ends an iPXE script unless its line ends in "||":
 * hence "iseq ... && goto X ||" for every test that may be false.
 *
 * IPv6: UEFI iPXE builds have IPv6, BIOS builds do not. An iPXE with no
 * address yet (an embedded script: snponly.efi from PXEv6 has no cached
 * DHCP packet) tries IPv6 first on UEFI: router advertisement, then
 * DHCPv6. `dhcp` (every configurator) would wait out DHCPv4 for 15 s on
 * an IPv6-only segment. Configured by IPv6 only, it chains the URL that
 * DHCPv6 gave it: the appliance's boot script over IPv6, whose base URL
 * (per request) names the appliance's IPv6 address; a script with such
 * a base skips the configuration, the client fetched it over IPv6.
 * IPv6 without a boot URL (router advertisements of a site router,
 * where bootyard serves IPv4 only) goes on to DHCPv4.
 */
#include "appliance/core/bootscript.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "appliance/core/render_ipxe.h" /* retries and the UEFI fallback, shared */

/* A base URL is scheme://host[:port] with nothing iPXE would expand. */
static bool
base_url_ok(const char *u)
{
	const char *p;

	if (strncmp(u, "http://", 7) == 0)
		p = u + 7;
	else if (strncmp(u, "https://", 8) == 0)
		p = u + 8;
	else
		return false;
	if (!*p || strlen(u) > 200)
		return false;
	for (; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' ||
		      *p == ':' || *p == '[' || *p == ']'))
			return false;
	return true;
}

int
ipxe_render_boot_script(const char *base_url, char *buf, size_t bufsz)
{
	bool v6;
	int n;

	if (!base_url || !base_url_ok(base_url))
		return -EINVAL;
	v6 = strstr(base_url, "://[") != NULL;
	n = snprintf(
	    buf, bufsz,
	    "#!ipxe\n"
	    "# bootyard boot script\n"
	    "set tries:int32 0\n"
	    /* an iPXE that got this script by DHCP (a NIC ROM, snponly.efi,
	     * undionly.kpxe) has an address: a second DHCP only costs
	     * seconds; ipxe.lkrn from pxelinux and built images have none */
	    "%s"
	    ":dhcp\n"
	    "iseq ${platform} efi || goto dhcp4\n"
	    /* IPv6 from another router (a site where bootyard serves
	     * IPv4 only) gives no boot URL: DHCPv4 then */
	    "ifconf --configurator ipv6 && isset ${filename} && goto dhcp6_ok ||\n"
	    "ifconf --configurator dhcp && goto dhcp_ok ||\n"
	    "goto dhcp_retry\n"
	    ":dhcp6_ok\n"
	    "isset ${ip} && goto dhcp_ok ||\n"
	    /* fetch, then run, as the config below */
	    "imgfetch --name bootyard-boot6 ${filename} || goto dhcp_retry\n"
	    "imgexec bootyard-boot6 || exit 1\n"
	    "exit 0\n"
	    ":dhcp4\n"
	    "dhcp && goto dhcp_ok ||\n"
	    ":dhcp_retry\n"
	    "inc tries\n"
	    "iseq ${tries} 5 && goto local ||\n"
	    "echo bootyard: no DHCP answer, retrying (${tries}/5)\n"
	    "sleep 3\n"
	    "goto dhcp\n"
	    ":dhcp_ok\n"
	    "set tries:int32 0\n"
	    ":config\n"
	    /* fetch, then run: only a failed fetch is retried. The answer
	     * ran is the host's decision, and its exit status goes to the
	     * firmware: "exit 1" (let the firmware try its next entry) must
	     * not bring a second answer (a second install attempt) */
	    "imgfetch --name bootyard-config %s/ipxe/v1/config?mac=${netX/mac}"
	    "&platform=${platform}&buildarch=${buildarch}"
	    " && goto run ||\n"
	    "inc tries\n"
	    "iseq ${tries} %d && goto local ||\n"
	    "echo bootyard: config fetch failed, retrying (${tries}/%d)\n"
	    "sleep %d\n"
	    "goto config\n"
	    ":run\n"
	    "imgexec bootyard-config || exit 1\n"
	    "exit 0\n"
	    ":local\n"
	    "echo bootyard: appliance unreachable, booting the local disk\n"
	    "iseq ${platform} pcbios && sanboot --no-describe --drive 0x80 ||\n"
	    /* UEFI: "exit 1" walks the NIC's other entries for minutes;
	     * the disk-finding grub comes over TFTP, which still answers
	     * when the HTTP service does not */
	    "iseq ${platform} efi && "
	    "chain tftp://${next-server}/" IPXE_LOCALBOOT_EFI " ||\n"
	    "exit 1\n",
	    v6 ? "goto dhcp_ok\n" : "isset ${ip} && goto dhcp_ok ||\n",
	    base_url, IPXE_FETCH_TRIES, IPXE_FETCH_TRIES, IPXE_RETRY_SLEEP);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= bufsz)
		return -ENOSPC;
	return n;
}
