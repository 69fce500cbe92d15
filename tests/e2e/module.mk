# tests/e2e/module.mk - the demo: the README's first command.
#
#   make demo        install the Debian packages (make deps), build, start
#                    the appliance in an isolated lab network namespace
#                    with a demo database, boot one QEMU client through the
#                    full install-once cycle, print its boot timeline, and
#                    tear everything down. DEMO_KEEP=1 leaves the lab and
#                    the appliance running (state in lab/demo/).
#   make demo-stop   tear down a lab left up by DEMO_KEEP=1 (or by an
#                    interrupted demo).
#   make check-e2e   only the end-to-end suite (QEMU clients, ~10 min)
.PHONY: demo demo-stop check-e2e

# deps first, then the build in a make of its own: it reads pkg-config
# after the packages are in (the README's first command, on a machine that
# has none of them; tests/e2e/fresh_machine.sh checks that).
demo: deps
	$(MAKE) all
	BUILD=$(abspath $(BUILD)) ./tests/e2e/demo/demo.sh

demo-stop:
	./tests/e2e/demo/demo.sh stop

check-e2e: all
	BUILD=$(abspath $(BUILD)) BOOTYARD_NO_SAN=1 ./tests/run.sh e2e
