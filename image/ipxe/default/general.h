/*
 * bootyard "default" iPXE build: general.h overrides.
 *
 * bootyard places this file into src/config/local/ of the build tree;
 * iPXE's config/general.h includes it after its own defaults, so a
 * #define here switches a feature on and an #undef switches it off.
 *
 * BIOS builds leave HTTPS and several commands out unless told: the
 * appliance's boot URL is https:// and its scripts use the commands
 * below on every platform.
 */

/* The boot script fetches https://SERVER/ipxe/v1/config. */
#define DOWNLOAD_PROTO_HTTPS
#define DOWNLOAD_PROTO_HTTP

/* Commands the boot script and the per-host scripts use. */
#define MENU_CMD	/* menu, item, choose: the boot menu */
#define SANBOOT_CMD	/* sanboot --no-describe --drive 0x80: local disk */
#define REBOOT_CMD	/* reboot */
#define POWEROFF_CMD	/* poweroff */
#define CONSOLE_CMD	/* console: switch consoles from a script */
#define IMAGE_TRUST_CMD	/* imgtrust, imgverify: signed-image policy */
#define NVO_CMD		/* set, clear, inc (counters in retry loops) */
#define PARAM_CMD	/* params, param: POST bodies */

/* Diagnostics in the iPXE shell an operator may fall back to. */
#define CERT_CMD	/* certstat: which CA the image trusts */
#define NSLOOKUP_CMD	/* nslookup */
#define PING_CMD	/* ping */
#define IPSTAT_CMD	/* ipstat */
#define NTP_CMD		/* ntp: a clock for certificate checks */
#define PCI_CMD		/* pciscan */
#define VLAN_CMD	/* vcreate: boot over a tagged VLAN */
