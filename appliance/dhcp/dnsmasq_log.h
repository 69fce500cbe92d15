/*
 * dnsmasq_log.h - dnsmasq's log lines (read from its stderr pipe) turned
 * into boot timeline events. A pure parser: no I/O, no database.
 *
 * Lines look like (log-facility=-, dnsmasq 2.90):
 *   dnsmasq-dhcp[42]: DHCPOFFER(eth0) 198.18.0.27 52:54:00:12:34:56
 *   dnsmasq-dhcp[42]: DHCPACK(eth0) 198.18.0.27 52:54:00:12:34:56 host1
 *   dnsmasq-dhcp[42]: PXE(eth0) 52:54:00:12:34:56 proxy
 *   dnsmasq-dhcp[42]: PXE(eth0) 198.18.0.101 52:54:00:12:34:56 snponly.efi
 *   dnsmasq-tftp[42]: sent /var/lib/bootyard/tftp/pxelinux.0 to 198.18.0.27
 *   dnsmasq-tftp[42]: file /var/lib/bootyard/tftp/x not found for 198.18.0.27
 * (with --log-dhcp a transaction number precedes the DHCP keyword).
 */
#ifndef BOOTYARD_DNSMASQ_LOG_H
#define BOOTYARD_DNSMASQ_LOG_H

#include <stddef.h>

#include "common/valid.h"

enum dnsmasq_log_kind {
	DNSMASQ_LOG_DHCP_OFFER,
	DNSMASQ_LOG_DHCP_ACK,
	DNSMASQ_LOG_DHCP_NAK,
	DNSMASQ_LOG_PXE_PROXY,    /* a proxyDHCP offer or port 4011 answer */
	DNSMASQ_LOG_TFTP_SENT,
	DNSMASQ_LOG_TFTP_NOTFOUND,
};

struct dnsmasq_log_event {
	enum dnsmasq_log_kind kind;
	char mac[MAC_STR_LEN]; /* "" for TFTP lines: the caller maps ip */
	char ip[ADDR_STRLEN];  /* "" when the line has none; DHCP lines
				  IPv4, TFTP lines valid_ip() (IPv6
				  without its zone) */
	char file[256];        /* TFTP: path relative to the TFTP root;
				  PXE: the boot file, or "" */
};

/* dnsmasq_log_kind_name - the event kind recorded: "dhcp-offer",
 * "dhcp-ack", "dhcp-nak", "pxe-proxy", "tftp-sent", "tftp-not-found". */
const char *dnsmasq_log_kind_name(enum dnsmasq_log_kind k);

/*
 * dnsmasq_log_parse - parse one log line (without or with its newline).
 * tftp_root (may be NULL) is cut from the front of TFTP file paths.
 * Returns 0 and *ret for an event line, -ENOENT for any other line
 * (startup messages, warnings), -EINVAL for an event line with an
 * invalid MAC or address. Lines longer than 4096 bytes are -EINVAL.
 */
int dnsmasq_log_parse(const char *line, const char *tftp_root,
		      struct dnsmasq_log_event *ret);

#endif
