# appliance/cli/module.mk - the admin commands' help records.
#
# appliance/cli/help.txt holds every admin command's --help text;
# help_gen.sh turns it into BUILD/gen/appliance/cli/help.h (the
# declarations, cli_cmd_ID) and BUILD/gen/cli_help.c (the records), which
# go into the library. The header is found through -I$(BUILD)/gen.

CLI_HELP_SRC = appliance/cli/help.txt appliance/cli/help_gen.sh
CLI_HELP_H   = $(BUILD)/gen/appliance/cli/help.h
CFLAGS      += -I$(BUILD)/gen

$(CLI_HELP_H): $(CLI_HELP_SRC)
	@mkdir -p $(dir $@)
	sh appliance/cli/help_gen.sh appliance/cli/help.txt h >$@.tmp && mv $@.tmp $@

$(BUILD)/gen/cli_help.c: $(CLI_HELP_SRC)
	@mkdir -p $(dir $@)
	sh appliance/cli/help_gen.sh appliance/cli/help.txt c >$@.tmp && mv $@.tmp $@

$(BUILD)/gen/cli_help.o: $(BUILD)/gen/cli_help.c $(CLI_HELP_H) | builddeps
	$(CC) $(CFLAGS) -c $< -o $@

$(LIB): $(BUILD)/gen/cli_help.o

# Before -MMD knows who includes the header: every object of the program
# and of the unit tests waits for it.
$(LIB_OBJ) $(BUILD)/appliance/main.o \
$(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/unit/%.o): | $(CLI_HELP_H)
