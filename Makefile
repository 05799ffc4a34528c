# Makefile: the front door. Builds the harness (harness/) and hands grading to it.
#
# Quiet unless V=1. Every target is listed by `make help`.

BUILD := build
KATA_BIN := $(BUILD)/bin/kata
HARNESS_CFLAGS := -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wvla -Wwrite-strings -Werror -O2 -g -D_GNU_SOURCE
HARNESS_LIBS = $(shell pkg-config --libs libcjson libmicrohttpd 2>/dev/null || \
	echo -lcjson -lmicrohttpd) -lpthread -lm
ifeq ($(origin CC),default)
CC := gcc
endif

# The grader itself: every harness/*.c except the programs with a main of their own.
HARNESS_MAIN := harness/main.c
HARNESS_LIB_SRCS := $(filter-out $(HARNESS_MAIN) harness/serve_main.c,$(wildcard harness/*.c))
HARNESS_OBJS := $(patsubst harness/%.c,$(BUILD)/obj/%.o,$(HARNESS_LIB_SRCS))

# The harness's own Criterion tests: tests/harness/test_<module>.c tests harness/<module>.c.
HARNESS_TEST_SRCS := $(filter-out tests/harness/test_latency_server.c,\
	$(wildcard tests/harness/test_*.c))
HARNESS_TEST_BINS := $(patsubst tests/harness/%.c,$(BUILD)/tests/%,$(HARNESS_TEST_SRCS))

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
export SEED V NO_COLOR

.PHONY: help kata list hint selftest test test-harness deps format format-check clean

help:
	@echo "Learners:"
	@echo "  make kata NAME=race_counter    grade your file: build, test, tsan, helgrind, drd"
	@echo "       SRC=path/to/file.c        grade another file against the kata"
	@echo "       STAGE=tsan                only the build and that stage"
	@echo "       FORMAT=json               the verdict as JSON"
	@echo "       SEED=N                    replay a run's test sizes; V=1 shows raw tool output"
	@echo "       CURVE=1                   speedup at 1, 2, 4, 8 threads, yours and the reference's"
	@echo "       PYTHON=1                  yours, the reference and the Python tutorial's program, in turn"
	@echo "       PYTHON=0                  no Python line in the perf stage"
	@echo "  make hint NAME=race_counter    the next hint"
	@echo "  make list                      every kata and where you are"
	@echo "  make watch [NAME=x]            grade again on every save; a pass moves on to the next"
	@echo "  make reset NAME=x [YES=1]      back to the starter (yours is saved in build/saved/)"
	@echo "  make solution NAME=x           the reference and a diff to yours, once yours passed"
	@echo "  make compile_commands.json     for clangd and other editors (uses bear)"
	@echo "Maintainers:"
	@echo "  make test                      unit tests, self-test, hostile suite, READMEs, checksums (CI)"
	@echo "  make selftest [NAME=x]         references pass, starters and mutants fail"
	@echo "  make hostile [HOSTILE=\"a b\"]   grade tests/hostile's hang, fork-storm and cheat programs"
	@echo "  make flaky-check [FLAKY_RUNS=20] the whole self-test N times: do the verdicts agree?"
	@echo "  make check-readmes [NAME=x]    each kata README's verdict excerpts are still true"
	@echo "  make grade [KATAS=\"a b\"]      grade a class: scoreboard, build/reports/ (For teachers)"
	@echo "  make checksums                 record the protected files (run before committing them)"
	@echo "  make lint-workflows            validate .github/workflows with action-validator"
	@echo "  make deps                      install what is missing (apt-get)"
	@echo "  make serve                     run the latency server alone"
	@echo "  make bench-server              benchmark the latency server"
	@echo "  make bench-python [KATAS=\"a b\"] each kata's Python program against its reference"
	@echo "  make format | format-check     clang-format the C sources"
	@echo "  make clean                     remove build/"

$(BUILD)/deps.stamp: scripts/deps.sh
	$(Q)bash scripts/deps.sh
	$(Q)mkdir -p $(BUILD) && touch $@

deps:
	$(Q)bash scripts/deps.sh
	$(Q)mkdir -p $(BUILD) && touch $(BUILD)/deps.stamp

$(BUILD)/obj/%.o: harness/%.c $(wildcard harness/*.h) | $(BUILD)/deps.stamp
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  CC      $<")
	$(Q)$(CC) $(HARNESS_CFLAGS) -c $< -o $@

$(KATA_BIN): $(HARNESS_OBJS) $(BUILD)/obj/main.o
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  LINK    $@")
	$(Q)$(CC) $(HARNESS_CFLAGS) $^ -o $@ $(HARNESS_LIBS)

kata: $(KATA_BIN)
	@test -n "$(NAME)" || { echo "usage: make kata NAME=<kata>   (make list shows them)"; exit 2; }
	@$(KATA_BIN) run $(NAME) $(if $(SRC),--src $(SRC)) $(if $(STAGE),--stage $(STAGE)) \
		--format $(FORMAT) $(if $(filter 1,$(CURVE)),--curve) \
		$(if $(filter 1,$(PYTHON)),--python) $(if $(filter 0,$(PYTHON)),--no-python)

list: $(KATA_BIN)
	@$(KATA_BIN) list

hint: $(KATA_BIN)
	@test -n "$(NAME)" || { echo "usage: make hint NAME=<kata>"; exit 2; }
	@$(KATA_BIN) hint $(NAME)

selftest: $(KATA_BIN)
	@$(KATA_BIN) selftest $(NAME) --runs $(or $(RUNS),1)

$(BUILD)/tests/test_%: tests/harness/test_%.c $(HARNESS_OBJS)
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  CC      $<")
	$(Q)$(CC) $(HARNESS_CFLAGS) -Wno-missing-prototypes -Iharness $^ -o $@ -lcriterion \
		$(HARNESS_LIBS)

-include mk/*.mk

# Every test binary runs, even after one fails, and then the target fails.
test-harness: $(HARNESS_TEST_BINS)
	@failed=0; for t in $(HARNESS_TEST_BINS); do echo "== $$t"; \
		$$t --jobs=1 --ascii || failed=1; done; exit $$failed

# What CI runs: the harness's unit tests, the self-test of every kata, the hostile
# programs (tests/hostile), the READMEs' verdict excerpts, the workflows and the
# checksum list. Each part runs even when an earlier one failed, so one run shows every
# problem; the target then fails.
test: $(KATA_BIN) $(HARNESS_TEST_BINS)
	@failed=""; \
	$(MAKE) --no-print-directory test-harness || failed="$$failed test-harness"; \
	echo "== kata selftest"; \
	$(KATA_BIN) selftest --runs $(or $(RUNS),1) || failed="$$failed selftest"; \
	echo "== hostile learner code (tests/hostile)"; \
	$(MAKE) --no-print-directory hostile || failed="$$failed hostile"; \
	echo "== README excerpts"; \
	$(MAKE) --no-print-directory check-readmes || failed="$$failed check-readmes"; \
	echo "== workflows"; \
	$(MAKE) --no-print-directory lint-workflows || failed="$$failed lint-workflows"; \
	echo "== checksums of the protected files (make checksums records them)"; \
	$(KATA_BIN) checksums || failed="$$failed checksums"; \
	if [ -n "$$failed" ]; then echo "make test: failed:$$failed"; exit 1; fi; \
	echo "make test: every part passed"

C_SOURCES = $(shell git ls-files '*.c' '*.h' 2>/dev/null)
format:
	$(Q)clang-format -i $(C_SOURCES)

format-check:
	$(Q)clang-format --dry-run --Werror $(C_SOURCES)

clean:
	rm -rf $(BUILD)
