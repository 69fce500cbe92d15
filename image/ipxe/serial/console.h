/*
 * bootyard "serial" iPXE build: everything of "default" (named in the
 * file "base") plus the serial console, for labs and headless servers.
 * iPXE then prints to COM1 as well as to the screen, and reads keys
 * from both.
 */
#define CONSOLE_SERIAL
