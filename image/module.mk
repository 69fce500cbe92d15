# image/module.mk - deliverables: the Debian package, the container image,
# the VM image (docs/deploy.md says how to use each).
#
#   make deb              BUILD/bootyard_VERSION_ARCH.deb (hardened build)
#   make image-container  OCI image localhost/bootyard:VERSION (podman)
#   make image-vm         BUILD/vm/bootyard-vm.raw and .qcow2 (Debian 12)
#   make check-vm         the VM end-to-end test alone (it also runs in
#                         make check, unless BOOTYARD_SKIP_VM=1)
#
# The three share one mmdebstrap base tarball cached in build/cache/.
.PHONY: deb image-container image-vm check-vm

# builddeps first: the scripts run dpkg-buildflags before they build.
deb: builddeps
	@./image/deb/make.sh $(BUILD)

image-container: builddeps
	@./image/container/build.sh $(BUILD)

image-vm: builddeps
	@./image/vm/build.sh $(BUILD)

check-vm:
	env -u BOOTYARD_SKIP_VM BUILD=$(abspath $(BUILD)) TESTS='e2e/vm_*' \
		./tests/run.sh e2e
