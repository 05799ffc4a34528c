# mk/learner.mk - the learner's loop beyond `make kata`: watch, reset, solution, editor
# support, and the check that keeps each kata README's verdict excerpts true. Included by the
# main Makefile; uses KATA_BIN, NAME, HARNESS_CFLAGS and CC from it.

YES ?=
export YES

.PHONY: watch reset solution compile_commands.json compile-commands-sources check-readmes

# Grades again on every save; without NAME, the first kata not yet passed.
watch: $(KATA_BIN)
	@$(KATA_BIN) watch $(if $(NAME),'$(NAME)')

# Both take NAME as every command does (a number, another spelling) through `kata name`, and
# reset makes `kata progress --forget` the kata. Neither guesses a kata without NAME.
reset: $(KATA_BIN)
	@test -n "$(NAME)" || { echo "usage: make reset NAME=<kata> [YES=1]"; exit 2; }
	@KATA_BIN=$(KATA_BIN) bash scripts/reset.sh '$(NAME)'

solution: $(KATA_BIN)
	@test -n "$(NAME)" || { echo "usage: make solution NAME=<kata>"; exit 2; }
	@KATA_BIN=$(KATA_BIN) bash scripts/solution.sh '$(NAME)'

# For clangd: every C file of the project compiled (syntax only) under bear, with the flags
# the harness uses for it. The learner's flags mirror learner_warnings in harness/stages/stage.c.
compile_commands.json:
	@bash scripts/compile_commands.sh $(MAKE)

CC_LEARNER_FLAGS := -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wvla \
	-Wwrite-strings -O2 -g -pthread
CC_CRITERION_FLAGS = $(shell pkg-config --cflags criterion 2>/dev/null)
# The kata a file belongs to: katas/<n>/..., solutions/<n>/..., tests/katas/<n>/...
cc_kata = $(word 2,$(subst /, ,$(patsubst tests/%,%,$(1))))

# Run by scripts/compile_commands.sh under bear, which records each compiler call. Nothing is
# written to disk, and a file that does not compile (a learner's work in progress) is still
# recorded: clangd then shows its errors.
cc_syntax = $(CC) $(1) -fsyntax-only $(2) 2>/dev/null || true;
compile-commands-sources:
	$(Q)$(foreach f,$(filter-out harness/server/%,$(HARNESS_LIB_SRCS) $(HARNESS_MAIN)),\
		$(call cc_syntax,$(HARNESS_CFLAGS),$(f))) \
	$(foreach f,$(shell find harness/server -name '*.c'),\
		$(call cc_syntax,$(SERVER_CFLAGS),$(f))) \
	$(foreach f,$(shell find tests/harness -name 'test_*.c'),\
		$(call cc_syntax,$(SERVER_CFLAGS) -Wno-missing-prototypes $(CC_CRITERION_FLAGS),$(f))) \
	$(foreach f,$(wildcard katas/*/*.c solutions/*/*.c),\
		$(call cc_syntax,$(CC_LEARNER_FLAGS) -Ikatas/$(call cc_kata,$(f)),$(f))) \
	$(foreach f,$(wildcard tests/katas/*/*.c),\
		$(call cc_syntax,$(CC_LEARNER_FLAGS) -Ikatas/$(call cc_kata,$(f)) -Itests/support -Iharness/server \
			$(CC_CRITERION_FLAGS),$(f))) \
	$(call cc_syntax,$(CC_LEARNER_FLAGS) -Itests/support,tests/support/kata_test.c) true

# Each kata README's "What the tools will tell you" excerpts, and README.md's quick start,
# against the harness's output.
check-readmes: $(KATA_BIN)
	@bash tests/readme_excerpts.sh $(NAME)
