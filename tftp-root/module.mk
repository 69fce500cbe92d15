# tftp-root/module.mk - assemble the TFTP tree from Debian's packages.
#
#   make tftp-root [TFTP_ROOT=DIR] [SERVER=ADDRESS] [TFTP_CONFIG=FILE]
#     runs `bootyard tftp-root` (appliance/build/tftproot.c) with the templates
#     of this folder; default DIR $(BUILD)/tftp, ADDRESS 198.18.0.1.
TFTP_ROOT ?= $(BUILD)/tftp
SERVER ?= 198.18.0.1
TFTP_CONFIG ?= /dev/null
.PHONY: tftp-root
tftp-root: $(BUILD)/bootyard
	BOOTYARD_DATA=$(CURDIR) $(BUILD)/bootyard -c $(TFTP_CONFIG) tftp-root \
		--dir $(abspath $(TFTP_ROOT)) --server $(SERVER)
