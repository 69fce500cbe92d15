/*
 * valid.h - the one place where outside values are checked: MAC addresses,
 * hostnames, names, attribute keys, free text, IP addresses, tokens.
 *
 * Every value that reaches the database, a rendered iPXE script, a grub
 * config or a dnsmasq file has passed one of these first.
 */
#ifndef BOOTYARD_VALID_H
#define BOOTYARD_VALID_H

#include <stdbool.h>
#include <stddef.h>

#define MAC_STR_LEN 18      /* "aa:bb:cc:dd:ee:ff" + NUL */
#define HOSTNAME_MAX 253    /* RFC 1123, without the trailing dot */
#define NAME_MAX_LEN 63     /* distro names, attribute keys */
#define TEXT_MAX 4096       /* free text: command lines, attribute values */
#define TOKEN_LEN 32        /* install tokens: 32 lower-case hex digits */

/* hex_value - the value of hex digit c (either case), or -1. */
int hex_value(char c);

/*
 * mac_parse - parse a MAC in one of the accepted forms
 * ("aa:bb:cc:dd:ee:ff", "AA-BB-CC-DD-EE-FF", "aabb.ccdd.eeff",
 * "aabbccddeeff"; either case) into the canonical lower-case colon form.
 * iPXE 1.21 URL-encodes colons; callers decode the query string first.
 * Returns 0 and fills out[MAC_STR_LEN], or -EINVAL (out untouched).
 */
int mac_parse(const char *s, char out[MAC_STR_LEN]);

/* valid_ifname - a Linux interface name as bootyard accepts one: 1 to 15
 * characters of A-Z a-z 0-9 . _ - (the kernel's IFNAMSIZ less the NUL;
 * nothing a shell, a dnsmasq config line or a path could misread). */
#define IFNAME_MAX 15
bool valid_ifname(const char *s);

/* valid_hostname - RFC 1123 host name: labels of [A-Za-z0-9-], 1..63
 * characters, not starting or ending with '-', total <= 253; and nothing
 * dnsmasq reads as a keyword in a hosts file: not "ignore" or "infinite"
 * (any case), not a lease time ("3600", "1h"), not a MAC in any
 * mac_parse form, not digits and dots only ("1.2.3.4"). */
bool valid_hostname(const char *s);

/* valid_hostname_why - NULL when valid_hostname(s), else why not: a fixed
 * English phrase (no bytes of s) for an error message. */
const char *valid_hostname_why(const char *s);

/* valid_name - distro names and attribute keys: [a-z0-9][a-z0-9._-]*,
 * at most NAME_MAX_LEN characters. */
bool valid_name(const char *s);

/* valid_text - printable UTF-8/ASCII text, no control characters
 * (including newline and tab), at most max bytes. */
bool valid_text(const char *s, size_t max);

/*
 * valid_value - free text that is also safe inside an iPXE script, a grub
 * config or an install template: valid_text() and none of the
 * characters " ' ` $ \ ; & | < > { } #. Attribute values and kernel
 * command lines (CLI and admin API alike) pass this.
 */
bool valid_value(const char *s, size_t max);

/* valid_ipv4 - a dotted-quad IPv4 address in canonical form. For the
 * places that must be IPv4: DHCPv4 ranges and server addresses, the
 * dnsmasq lease file and log, the DHCP probe. */
bool valid_ipv4(const char *s);

/*
 * ADDR_STRLEN - the one size of an address held as text (IPv4 or IPv6),
 * NUL included: INET6_ADDRSTRLEN (46), so that every address buffer in
 * the database, the lease path, the config and netif is the same.
 */
#define ADDR_STRLEN 46

/*
 * valid_ip - an IPv4 address as valid_ipv4() takes it, or an IPv6
 * address in its one canonical text (RFC 5952: lower-case hex, no
 * leading zeros, the longest run of two or more zero groups as "::",
 * the first such run on a tie). So that each address has exactly one
 * text (the database compares addresses as strings), it refuses:
 * IPv4-mapped addresses in any form ("::ffff:1.2.3.4" is 1.2.3.4, to be
 * written so), any dotted IPv4 tail in IPv6, zone ids ("fe80::1%eth0":
 * a zone names an interface of one machine, it is not part of the
 * address a client holds), brackets ("[::1]"), prefixes, and anything
 * of ADDR_STRLEN bytes or more. NULL is false.
 */
bool valid_ip(const char *s);

/* valid_ipv6 - valid_ip() and IPv6. */
bool valid_ipv6(const char *s);

struct sockaddr;

/*
 * addr_from_sockaddr - the address of sa (AF_INET or AF_INET6) as
 * valid_ip() text into out: an IPv4-mapped IPv6 address as its IPv4
 * dotted quad, an IPv6 scope id left out. Returns 0, or -EAFNOSUPPORT
 * (another family, or NULL; out is then "").
 */
int addr_from_sockaddr(const struct sockaddr *sa, char out[ADDR_STRLEN]);

/*
 * DUID_MAX_BYTES - the longest DUID (RFC 8415 11.1: a 2-byte type and
 * at most 128 bytes more); DUID_STRLEN its text as dnsmasq writes it
 * ("00:01:00:01:...", two hex digits a byte, colons between) with NUL.
 */
#define DUID_MAX_BYTES 130
#define DUID_STRLEN (DUID_MAX_BYTES * 3)

/*
 * duid_mac - the MAC address in a DHCPv6 client's DUID, given as the
 * hex text dnsmasq passes its lease script (bytes as two hex digits,
 * either case, separated by ':' or nothing; no other form). A DUID-LLT
 * (type 1: hardware type, time, address) or DUID-LL (type 3: hardware
 * type, address) of hardware type 1 (Ethernet) with a 6-byte address
 * holds the client's MAC: written canonical into out. Returns 0;
 * -ENOENT for a well-formed DUID that holds no MAC (DUID-EN, DUID-UUID,
 * another hardware type or address length); -EINVAL for anything that
 * is no DUID (bad hex, mixed separators, fewer than 3 or more than
 * DUID_MAX_BYTES bytes, a DUID-LLT/LL/UUID of the wrong length, type 0
 * or above 4). out is untouched on failure. NULL is -EINVAL.
 */
int duid_mac(const char *s, char out[MAC_STR_LEN]);

/* valid_token - exactly TOKEN_LEN lower-case hex digits. */
bool valid_token(const char *s);

/* token_generate - a fresh install token (TOKEN_LEN hex digits from the
 * kernel's random source) into out. 0, or -EIO. */
int token_generate(char out[TOKEN_LEN + 1]);

/*
 * valid_path_or_url - a kernel/initrd reference: a path relative to the
 * files directory (no "..", no leading '/'), or an http(s):// URL; only
 * [A-Za-z0-9._/:%~+=-] characters, at most 1024 bytes. Nothing that an
 * iPXE or grub script would interpret.
 */
bool valid_path_or_url(const char *s);

/*
 * Kernel architectures: the architectures a distribution carries a
 * kernel for, by their Debian names. kernel_arch_parse - the Debian name
 * ("amd64", "arm64") of s, which may also be an alias ("x86_64",
 * "aarch64"); NULL for anything else (NULL included). valid_kernel_arch -
 * s is one of the Debian names themselves (what is stored).
 */
#define KERNEL_ARCH_MAX 16 /* bytes of a kernel architecture name + NUL */
const char *kernel_arch_parse(const char *s);
bool valid_kernel_arch(const char *s);

#endif
