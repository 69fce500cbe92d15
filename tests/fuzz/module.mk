# tests/fuzz/module.mk - sources of fuzz targets beyond http/module.mk's
# FUZZ_LIB_SRC (read after it: */module.mk come before */*/module.mk).
#   fuzz_grub: the grub renderer (http/render_grub.c)
FUZZ_LIB_SRC += http/render_grub.c
#   fuzz_doctor: the rogue DHCP probe's reply parser (appliance/doctor.c)
FUZZ_LIB_SRC += appliance/doctor.c
