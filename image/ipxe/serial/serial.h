/*
 * bootyard "serial" iPXE build: the serial port iPXE talks to.
 * COM1 (0x3f8) at 115200 baud, 8N1: what QEMU's -serial and most BMCs'
 * serial-over-LAN use.
 */
#undef COMCONSOLE
#define COMCONSOLE COM1
#undef COMSPEED
#define COMSPEED 115200
