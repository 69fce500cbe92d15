# image/ipxe/module.mk - `make ipxe`: bootyard's own iPXE images.
#
#   make ipxe IPXE_SRC=/path/to/ipxe[.tar.xz] [IPXE_CONFIG=serial]
#             [IPXE_OUT=DIR] [BOOTYARD_CONF=FILE]
#
# Runs `bootyard build-ipxe`, which builds ipxe.lkrn, undionly.kpxe,
# ipxe.efi and snponly.efi with the boot script (and, for https, the
# appliance CA) embedded, into <state_dir>/ipxe by default. An unchanged
# rebuild is a cache hit. See docs/ipxe.md.

IPXE_CONFIG ?=
IPXE_OUT ?=
BOOTYARD_CONF ?=

.PHONY: ipxe
ipxe: $(BUILD)/bootyard
	$(BUILD)/bootyard $(if $(BOOTYARD_CONF),-c $(BOOTYARD_CONF)) \
		build-ipxe $(if $(IPXE_SRC),--source $(IPXE_SRC)) \
		$(if $(IPXE_CONFIG),--config $(IPXE_CONFIG)) \
		$(if $(IPXE_OUT),--out $(IPXE_OUT))
