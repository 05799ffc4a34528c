# Makefile: the front door. Builds the harness (harness/) and hands grading to it.
#
# Quiet unless V=1. Every target is listed by `make help`.

BUILD := build
comma := ,
HARNESS_CFLAGS := -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wvla -Wwrite-strings -Werror -O2 -g -D_GNU_SOURCE -Iharness
HARNESS_LIBS = $(shell pkg-config --libs libcjson libmicrohttpd expat libcrypto 2>/dev/null || \
	echo -lcjson -lmicrohttpd -lexpat -lcrypto) -lpthread -lm
ifeq ($(origin CC),default)
CC := gcc
endif

# SANITIZER=address,undefined builds the harness and its unit tests under those sanitizers
# (redis's convention), in a tree of its own so that the plain build stays as it is.
SANITIZER ?=
ifneq ($(SANITIZER),)
HARNESS_CFLAGS += -fsanitize=$(SANITIZER) -fno-omit-frame-pointer -fno-sanitize-recover=all
HARNESS_BUILD := $(BUILD)/sanitize-$(subst $(comma),-,$(SANITIZER))
else
HARNESS_BUILD := $(BUILD)
endif
KATA_BIN := $(HARNESS_BUILD)/bin/kata

# The grader itself: every .c under harness/ except the programs with a main of their own,
# the server's benchmark and runtime/ (linked into learner drivers, never into the grader);
# objects mirror the folders (build/obj/stages/test.o).
HARNESS_MAIN := harness/main.c
HARNESS_LIB_SRCS := $(filter-out $(HARNESS_MAIN) harness/server/serve_main.c \
	harness/sandbox_init.c harness/server/bench/% harness/runtime/%,$(shell find harness -name '*.c' | sort))
HARNESS_OBJS := $(patsubst harness/%.c,$(HARNESS_BUILD)/obj/%.o,$(HARNESS_LIB_SRCS))

# The harness's own Criterion tests: tests/harness/<folder>/test_<module>.c tests
# harness/<folder>/<module>.c.
HARNESS_TEST_SRCS := $(filter-out tests/harness/server/test_latency_server.c,\
	$(shell find tests/harness -name 'test_*.c' | sort))
HARNESS_TEST_BINS := $(patsubst tests/harness/%.c,$(HARNESS_BUILD)/tests/%,$(HARNESS_TEST_SRCS))
# What the tests share (recordings, asserts on findings), compiled into each of them.
HARNESS_TEST_SUPPORT := $(wildcard tests/harness/support/*.c)

# Every object also depends on the headers it included last time (-MMD -MP), and on the
# flags it was built with: a change of either rebuilds it.
DEPFLAGS = -MMD -MP -MF $@.d
# (the first rule of an included .d file would otherwise become what a bare `make` builds)
.DEFAULT_GOAL := help
-include $(shell find $(HARNESS_BUILD)/obj $(HARNESS_BUILD)/tests -name '*.d' 2>/dev/null)
FLAGS_FILE := $(HARNESS_BUILD)/flags.txt
$(shell mkdir -p $(HARNESS_BUILD) && echo '$(CC) $(HARNESS_CFLAGS)' | cmp -s - $(FLAGS_FILE) || \
	echo '$(CC) $(HARNESS_CFLAGS)' > $(FLAGS_FILE))

ifeq ($(V),1)
Q :=
else
Q := @
endif

NAME ?=
SRC ?=
STAGE ?=
FORMAT ?= text
SEED ?=
SCHEDULE ?=
export SEED SCHEDULE V NO_COLOR

.PHONY: help kata list hint selftest test test-harness check-layering deps format format-check clean

help:
	@echo "Learners:"
	@echo "  make watch [NAME=x]            start here: grade on every save; a pass moves on to the next"
	@echo "  make kata [NAME=race_counter]  grade your file once: build, test, tsan, helgrind, drd"
	@echo "                                 (NAME: a name, its number in make list, or none: the"
	@echo "                                 current kata, or the one whose folder you are in)"
	@echo "       SRC=path/to/file.c        grade another file against the kata"
	@echo "       STAGE=tsan                only the build and that stage"
	@echo "       FORMAT=json               the verdict as JSON"
	@echo "       SEED=N                    replay a run's test sizes; V=1 shows raw tool output"
	@echo "       SCHEDULE=...              with STAGE=explore: replay the interleaving a verdict printed"
	@echo "       CURVE=1                   speedup at 1, 2, 4, 8 threads, yours and the reference's"
	@echo "       PYTHON=1                  yours, the reference and the Python tutorial's program, in turn"
	@echo "       PYTHON=0                  no Python line in the perf stage"
	@echo "  make hint [NAME=x]             the next hint"
	@echo "  make list                      every kata and where you are"
	@echo "  make reset NAME=x [YES=1]      back to the starter (yours is saved in build/saved/)"
	@echo "  make solution NAME=x           the reference and a diff to yours, once yours passed"
	@echo "  make compile_commands.json     for clangd and other editors (uses bear)"
	@echo "Maintainers:"
	@echo "  make test                      unit tests, self-test, hostile suite, READMEs, workflows,"
	@echo "                                 junit.xml schema, formatting, checksums (CI; deps.sh --dev)"
	@echo "  make test-harness [SANITIZER=address,undefined]  the harness's unit tests (under sanitizers)"
	@echo "  make check-layering            no two modules of harness/ call each other"
	@echo "  make selftest [NAME=x]         references pass, starters and mutants fail"
	@echo "  make hostile [HOSTILE=\"a b\"]   grade tests/hostile's hang, fork-storm and cheat programs"
	@echo "  make defences [DEFENCES=\"a b\"] each defence proven: its hostile program passes without it"
	@echo "  make hostile-user [HOSTILE=...] the same as an ordinary user (as root: account kata-test, a copy)"
	@echo "  make flaky-check [FLAKY_RUNS=20] the whole self-test N times: do the verdicts agree?"
	@echo "  make soak [SOAK_RUNS=10] [NAME=x] grade every reference and good design N times"
	@echo "  make check-readmes [NAME=x]    the verdict excerpts of each kata README and of README.md are true"
	@echo "  make grade [KATAS=\"a b\"]      grade a class: scoreboard, build/reports/ (For teachers);"
	@echo "       PASSED=dir                keep passes there, and reuse a pass whose file is unchanged"
	@echo "  make checksums                 record the protected files (run before committing them)"
	@echo "  make lint-workflows            validate .github/workflows with action-validator"
	@echo "  make check-junit [JUNIT=file]  junit.xml (default: of a grading of two starters) against"
	@echo "                                 tests/schemas/junit-10.xsd"
	@echo "  make deps                      install what is missing (apt-get)"
	@echo "  make serve                     run the latency server alone"
	@echo "  make bench-server              benchmark the latency server"
	@echo "  make bench-python [KATAS=\"a b\"] each kata's Python program against its reference"
	@echo "  make bench-verdicts [NAME=x]   time each kata's verdict: reference (warm), a hanging answer"
	@echo "  make format | format-check     clang-format-14 the C sources (or check them)"
	@echo "  make clean                     remove build/"

$(BUILD)/deps.stamp: scripts/deps.sh
	$(Q)bash scripts/deps.sh
	$(Q)mkdir -p $(BUILD) && touch $@

deps:
	$(Q)bash scripts/deps.sh
	$(Q)mkdir -p $(BUILD) && touch $(BUILD)/deps.stamp

# What the project's own checks need besides: npm, clang-format-14, xmllint.
$(BUILD)/deps-dev.stamp: scripts/deps.sh
	$(Q)bash scripts/deps.sh --dev
	$(Q)mkdir -p $(BUILD) && touch $@

$(HARNESS_BUILD)/obj/%.o: harness/%.c $(FLAGS_FILE) | $(BUILD)/deps.stamp
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  CC      $<" >&2)
	$(Q)$(CC) $(HARNESS_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(HARNESS_BUILD)/bin/kata: $(HARNESS_OBJS) $(HARNESS_BUILD)/obj/main.o $(HARNESS_BUILD)/bin/kata-init
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  LINK    $@" >&2)
	$(Q)$(CC) $(HARNESS_CFLAGS) $(filter %.o,$^) -o $@ $(HARNESS_LIBS)

# The first process of every sandbox (harness/sandbox_init.c); the harness finds it beside
# itself. Static, so that it needs nothing from the sandbox's /usr.
$(HARNESS_BUILD)/bin/kata-init: harness/sandbox_init.c $(FLAGS_FILE) | $(BUILD)/deps.stamp
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  LINK    $@" >&2)
	$(Q)$(CC) $(filter-out -fsanitize=%,$(HARNESS_CFLAGS)) -static $< -o $@

# A verdict, passed or failed, is what `make kata` is for: once one is printed, make exits 0
# and adds no "make: *** [kata] Error 1" of its own under it (the verdict's last line says
# PASSED or FAILED). A usage error (2) or a harness failure (3) still fails make. Scripts that
# need the kata's own exit code run build/bin/kata directly (make turns every failure into 2).
# The harness is brought up to date first with its messages (and any dependency install's)
# on stderr, so that with FORMAT=json stdout holds the verdict only.
kata:
	@$(MAKE) -s --no-print-directory $(KATA_BIN) >&2
	@$(KATA_BIN) run $(if $(NAME),'$(NAME)') $(if $(SRC),--src '$(SRC)') $(if $(STAGE),--stage '$(STAGE)') \
		--format '$(FORMAT)' $(if $(filter 1,$(CURVE)),--curve) \
		$(if $(filter 1,$(PYTHON)),--python) $(if $(filter 0,$(PYTHON)),--no-python) || { code=$$?; \
		test $$code -eq 1 || exit $$code; }

list: $(KATA_BIN)
	@$(KATA_BIN) list

hint: $(KATA_BIN)
	@$(KATA_BIN) hint $(if $(NAME),'$(NAME)')

selftest: $(KATA_BIN)
	@$(KATA_BIN) selftest $(NAME) --runs $(or $(RUNS),1)

$(HARNESS_BUILD)/tests/%: tests/harness/%.c $(HARNESS_TEST_SUPPORT) $(HARNESS_OBJS) $(FLAGS_FILE) \
		| $(BUILD)/deps.stamp
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  CC      $<" >&2)
	$(Q)$(CC) $(HARNESS_CFLAGS) $(DEPFLAGS) -Wno-missing-prototypes -Itests/harness \
		$(filter-out harness/runtime/%,$(filter %.c %.o,$^)) -o $@ -lcriterion $(HARNESS_LIBS)
# (its -MF file keeps the last source's headers only) the runtime this test includes whole
$(HARNESS_BUILD)/tests/stages/test_explore_race: harness/runtime/explore_race.c \
	harness/runtime/explore_race.h

# mk/kata-folder.mk is for the katas' own folders (katas/<name>/Makefile), not for this one.
-include $(filter-out mk/kata-folder.mk,$(wildcard mk/*.mk))

# How long a verdict takes, kata by kata (bench/verdict_times.sh): evidence, not a test.
.PHONY: bench-verdicts
bench-verdicts: $(KATA_BIN)
	@IN_TURN=$(IN_TURN) bash bench/verdict_times.sh $(NAME)

# No two modules of harness/ call each other (scripts/check-layering.sh says how it knows).
check-layering: $(KATA_BIN)
	@bash scripts/check-layering.sh $(HARNESS_BUILD)/obj

# Every test binary runs, even after one fails, and then the target fails.
test-harness: $(HARNESS_TEST_BINS)
	@failed=0; for t in $(HARNESS_TEST_BINS); do echo "== $$t"; \
		$$t --jobs=1 --ascii || failed=1; done; exit $$failed

# The sanitized build of the harness and its tests is compiled a core at a time (the tests
# themselves still run one after another).
NPROC := $(shell nproc 2>/dev/null || echo 1)

# What CI runs: the harness's unit tests, the self-test of every kata, the hostile
# programs (tests/hostile), the READMEs' verdict excerpts, the workflows, junit.xml against
# its schema, the C formatting and the checksum list. Each part runs even when an earlier one
# failed, so one run shows every problem; the target then fails. As root, the ordinary
# user's hostile run (in its own copy of the repository) goes on beside the root's hostile
# run and the defences, and its lines are printed after them: mostly deadlines waited out,
# the two took 166 to 210 s together where one after the other took 241 s. The self-test
# runs two katas at a time on two cores (`kata selftest --jobs`): 429 s here, where one at
# a time took 510 to 574 s.
test: $(KATA_BIN) $(HARNESS_TEST_BINS) | $(BUILD)/deps-dev.stamp
	@failed=""; began=$$(date +%s); \
	part() { name=$$1; shift; t=$$(date +%s); "$$@" || failed="$$failed $$name"; \
		echo "   ($$name took $$(( $$(date +%s) - t )) s)"; }; \
	part test-harness $(MAKE) --no-print-directory test-harness; \
	echo "== the harness's unit tests under AddressSanitizer and UBSan (it parses untrusted text)"; \
	part test-harness-sanitized $(MAKE) -j$(NPROC) --no-print-directory test-harness \
		SANITIZER=address,undefined; \
	echo "== layering (calls in harness/ point one way)"; \
	part check-layering bash scripts/check-layering.sh $(HARNESS_BUILD)/obj; \
	echo "== kata selftest"; \
	part selftest $(KATA_BIN) selftest --runs $(or $(RUNS),1); \
	user_pid=""; user_log=$(BUILD)/hostile-user.log; \
	if [ "$$(id -u)" = 0 ]; then \
		( t=$$(date +%s); $(MAKE) --no-print-directory hostile-user; echo "$$?" > $$user_log.rc; \
		  echo "   (hostile-user took $$(( $$(date +%s) - t )) s, beside hostile and defences)" \
		) > $$user_log 2>&1 & user_pid=$$!; \
	fi; \
	echo "== hostile learner code (tests/hostile)$${user_pid:+; the ordinary user's run goes on beside it}"; \
	part hostile $(MAKE) --no-print-directory hostile HOSTILE_REF=$${HOSTILE_REF:-end}; \
	echo "== each defence proven: its hostile program passes without it (tests/hostile/defences.sh)"; \
	part defences $(MAKE) --no-print-directory defences; \
	if [ -n "$$user_pid" ]; then \
		echo "== hostile learner code, as an ordinary user (scripts/as-user.sh)"; \
		wait "$$user_pid"; cat "$$user_log"; \
		[ "$$(cat "$$user_log.rc" 2>/dev/null)" = 0 ] || failed="$$failed hostile-user"; \
	fi; \
	echo "== README excerpts"; \
	part check-readmes $(MAKE) --no-print-directory check-readmes; \
	echo "== workflows"; \
	part lint-workflows $(MAKE) --no-print-directory lint-workflows; \
	echo "== junit.xml against junit-10.xsd"; \
	part check-junit $(MAKE) --no-print-directory check-junit; \
	echo "== C formatting ($(CLANG_FORMAT))"; \
	part format-check $(MAKE) --no-print-directory format-check; \
	echo "== checksums of the protected files (make checksums records them)"; \
	part checksums $(KATA_BIN) checksums; \
	took=$$(( $$(date +%s) - began )); \
	if [ -n "$$failed" ]; then echo "make test: failed:$$failed (after $$took s)"; exit 1; fi; \
	echo "make test: every part passed in $$took s"

# One clang-format for everyone, since each version formats a little differently: 14, which
# Debian 12 (the devcontainer) and Ubuntu 24.04 both install by this name; `scripts/deps.sh
# --dev` installs it.
CLANG_FORMAT := clang-format-14
# tracked and new (not ignored) files: a new file is formatted before its first commit
C_SOURCES = $(shell git ls-files -co --exclude-standard '*.c' '*.h' 2>/dev/null)
NEED_CLANG_FORMAT = command -v $(CLANG_FORMAT) >/dev/null 2>&1 || { echo "make $@: needs \
	$(CLANG_FORMAT) (bash scripts/deps.sh --dev installs it)"; exit 2; }
format: | $(BUILD)/deps-dev.stamp
	@$(NEED_CLANG_FORMAT)
	$(Q)$(CLANG_FORMAT) -i $(C_SOURCES)

format-check: | $(BUILD)/deps-dev.stamp
	@$(NEED_CLANG_FORMAT)
	$(Q)$(CLANG_FORMAT) --dry-run --Werror $(C_SOURCES)

clean:
	rm -rf $(BUILD)
