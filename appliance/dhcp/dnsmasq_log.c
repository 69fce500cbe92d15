/*
 * dnsmasq_log.c - dnsmasq log lines -> events (see dnsmasq_log.h).
 */
#include "appliance/dhcp/dnsmasq_log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>

#include "common/util.h"

const char *
dnsmasq_log_kind_name(enum dnsmasq_log_kind k)
{
	switch (k) {
	case DNSMASQ_LOG_DHCP_OFFER:
		return "dhcp-offer";
	case DNSMASQ_LOG_DHCP_ACK:
		return "dhcp-ack";
	case DNSMASQ_LOG_DHCP_NAK:
		return "dhcp-nak";
	case DNSMASQ_LOG_PXE_PROXY:
		return "pxe-proxy";
	case DNSMASQ_LOG_TFTP_SENT:
		return "tftp-sent";
	case DNSMASQ_LOG_TFTP_NOTFOUND:
		return "tftp-not-found";
	}
	return "unknown";
}

#define LOG_MAX_WORDS 8

/* Split s (modified) at spaces into at most max words. */
static size_t
log_split(char *s, char *w[], size_t max)
{
	size_t n = 0;

	while (*s && n < max) {
		while (*s == ' ')
			*s++ = '\0';
		if (!*s)
			break;
		w[n++] = s;
		while (*s && *s != ' ')
			s++;
	}
	return n;
}

/*
 * A TFTP peer as dnsmasq prints it (inet_ntop text; a link-local IPv6
 * one with "%IFNAME") into out as valid_ip() text: IPv4, or IPv6 in its
 * canonical form without the zone (an IPv4-mapped one as IPv4).
 */
static bool
log_tftp_peer(const char *w, char out[ADDR_STRLEN])
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6 };
	const char *pct = strchr(w, '%');
	size_t n = pct ? (size_t)(pct - w) : strlen(w);
	char tmp[ADDR_STRLEN];

	if (valid_ipv4(w))
		return str_copy(out, ADDR_STRLEN, w) == 0;
	if (n >= sizeof(tmp) || (pct && !valid_ifname(pct + 1)))
		return false;
	memcpy(tmp, w, n);
	tmp[n] = '\0';
	return inet_pton(AF_INET6, tmp, &sa.sin6_addr) == 1 &&
	       addr_from_sockaddr((struct sockaddr *)&sa, out) == 0;
}

/* Copy a TFTP path relative to root into out; false if unusable. */
static bool
log_tftp_file(const char *path, const char *root, char *out, size_t outsz)
{
	size_t n = root ? strlen(root) : 0;
	const char *p;

	if (n && !strncmp(path, root, n) && (path[n] == '/' || !path[n]))
		path += n;
	while (*path == '/')
		path++;
	for (p = path; *p; p++)
		if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e)
			return false;
	return *path && str_copy(out, outsz, path) == 0;
}

int
dnsmasq_log_parse(const char *line, const char *tftp_root,
		  struct dnsmasq_log_event *ret)
{
	struct dnsmasq_log_event ev;
	char buf[4097], *msg, *w[LOG_MAX_WORDS], *paren;
	size_t len, n, i = 0;
	bool tftp;

	len = strnlen(line, sizeof(buf));
	if (len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, line, len + 1);
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		buf[--len] = '\0';
	if (str_has_prefix(buf, "dnsmasq-dhcp"))
		tftp = false;
	else if (str_has_prefix(buf, "dnsmasq-tftp"))
		tftp = true;
	else
		return -ENOENT;
	msg = strstr(buf, ": ");
	if (!msg)
		return -ENOENT;
	msg += 2;
	memset(&ev, 0, sizeof(ev));
	n = log_split(msg, w, LOG_MAX_WORDS);
	if (tftp) {
		/* sent PATH to IP | file PATH not found for IP */
		if (n == 4 && !strcmp(w[0], "sent") && !strcmp(w[2], "to")) {
			ev.kind = DNSMASQ_LOG_TFTP_SENT;
			if (!log_tftp_file(w[1], tftp_root, ev.file,
					   sizeof(ev.file)) ||
			    !log_tftp_peer(w[3], ev.ip))
				return -EINVAL;
		} else if (n == 6 && !strcmp(w[0], "file") &&
			   !strcmp(w[2], "not") && !strcmp(w[3], "found") &&
			   !strcmp(w[4], "for")) {
			ev.kind = DNSMASQ_LOG_TFTP_NOTFOUND;
			if (!log_tftp_file(w[1], tftp_root, ev.file,
					   sizeof(ev.file)) ||
			    !log_tftp_peer(w[5], ev.ip))
				return -EINVAL;
		} else {
			return -ENOENT;
		}
		*ret = ev;
		return 0;
	}
	/* an optional transaction number (--log-dhcp) */
	if (n && w[0][0] >= '0' && w[0][0] <= '9')
		i = 1;
	if (i >= n)
		return -ENOENT;
	paren = strchr(w[i], '(');
	if (!paren)
		return -ENOENT;
	*paren = '\0';
	if (!strcmp(w[i], "DHCPOFFER"))
		ev.kind = DNSMASQ_LOG_DHCP_OFFER;
	else if (!strcmp(w[i], "DHCPACK"))
		ev.kind = DNSMASQ_LOG_DHCP_ACK;
	else if (!strcmp(w[i], "DHCPNAK"))
		ev.kind = DNSMASQ_LOG_DHCP_NAK;
	else if (!strcmp(w[i], "PXE"))
		ev.kind = DNSMASQ_LOG_PXE_PROXY;
	else
		return -ENOENT;
	i++;
	if (ev.kind == DNSMASQ_LOG_PXE_PROXY && i < n &&
	    mac_parse(w[i], ev.mac) == 0) {
		/* PXE(if) MAC proxy */
		*ret = ev;
		return 0;
	}
	if (i + 1 >= n || !valid_ipv4(w[i]) || mac_parse(w[i + 1], ev.mac) < 0)
		return -EINVAL;
	str_copy(ev.ip, sizeof(ev.ip), w[i]);
	if (ev.kind == DNSMASQ_LOG_PXE_PROXY && i + 2 < n)
		log_tftp_file(w[i + 2], NULL, ev.file, sizeof(ev.file));
	*ret = ev;
	return 0;
}
