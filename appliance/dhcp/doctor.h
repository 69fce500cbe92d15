/*
 * doctor.h - find the DHCP servers of a network: send one DHCPDISCOVER
 * (as a PXE client would) on an interface and collect every answer.
 *
 * `bootyard doctor` lists them; `serve` in dhcp mode refuses to start
 * when a server other than itself answers, and probes again now and then
 * while it runs (a rogue server that appears later is logged as an
 * event). The message builder and the reply parser are pure functions
 * (unit tests: tests/unit/test_doctor.c); only doctor_probe does I/O.
 */
#ifndef BOOTYARD_DOCTOR_H
#define BOOTYARD_DOCTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DOCTOR_MAX_SERVERS 16

/* What one server offered. All strings are validated, printable. */
struct doctor_offer {
	char server[16]; /* server identifier (option 54), else source */
	char yiaddr[16]; /* offered address, "0.0.0.0" for proxyDHCP */
	char siaddr[16]; /* next server */
	char router[16]; /* option 3, "" = none */
	char file[128];  /* boot file (or option 67), "" = none */
	char vendor[64]; /* option 60, "" = none */
	unsigned lease;  /* option 51 seconds, 0 = none */
	bool proxy;      /* no address offered: a proxyDHCP answer */
};

/*
 * doctor_build_discover - a DHCPDISCOVER from mac with transaction id
 * xid, broadcast flag, client architecture arch (option 93) and vendor
 * class "PXEClient:Arch:NNNNN:UNDI:002001", so that proxyDHCP servers
 * answer too. Writes into buf (bufsz >= 300). Returns the length, or
 * -ENOSPC.
 */
int doctor_build_discover(uint8_t *buf, size_t bufsz, const uint8_t mac[6],
                          uint32_t xid, unsigned arch);

/*
 * doctor_parse_reply - check a datagram p (n bytes) as a DHCPOFFER (or
 * ACK) answering xid, and fill *ret; src is the sender's address (used
 * when there is no option 54). Hostile input is refused, never trusted:
 * returns 0, or -EINVAL for anything that is not a well-formed answer to
 * xid.
 */
int doctor_parse_reply(const uint8_t *p, size_t n, uint32_t xid,
                       const char *src, struct doctor_offer *ret);

/*
 * doctor_probe - send a DISCOVER on ifname (bound to the device, from
 * 0.0.0.0:68, a random locally administered MAC unless mac is given),
 * resend it after a second, and collect answers for wait_ms. One entry
 * per server in out (at most max); *ret_n their count. Needs
 * CAP_NET_RAW/CAP_NET_BIND_SERVICE (root). Returns 0 or -errno.
 */
int doctor_probe(const char *ifname, const uint8_t *mac, unsigned wait_ms,
                 struct doctor_offer *out, size_t max, size_t *ret_n);

#endif
