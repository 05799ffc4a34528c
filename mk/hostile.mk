# mk/hostile.mk - learner code that fights back, and the flakiness check. Included by the main
# Makefile; uses its KATA_BIN. See tests/hostile/README.md.
#
#   make hostile [HOSTILE="deadlock fork_storm"]  grade each hostile program (tests/hostile/*.c)
#                [HOSTILE_JOBS=2] [HOSTILE_REF=each|end|none] [HOSTILE_KEEP=1] [V=1]
#                and check the verdict its header promises, the time, that no process is
#                left and that the reference still passes; exit 1 if an expectation fails
#   make hostile-user [HOSTILE=...]               the same as an ordinary user (scripts/as-user.sh: as
#                root, in a copy of the repository owned by the account kata-test)
#   make flaky-check [FLAKY_RUNS=20]               the whole `kata selftest` that many times in
#                a row; prints how many runs had identical verdicts (not part of `make test`)

HOSTILE ?=
FLAKY_RUNS ?= 20
export HOSTILE_JOBS HOSTILE_REF HOSTILE_KEEP

.PHONY: hostile hostile-user flaky-check

hostile: $(KATA_BIN)
	@bash tests/hostile/run.sh $(HOSTILE)

# As an ordinary user the reference is graded once, after the suite, not after each program
# (HOSTILE_REF=end), as `make test` does for the root run too: CI has 20 minutes. `make
# hostile` alone grades it after every program.
hostile-user: $(KATA_BIN)
	@HOSTILE_REF=$${HOSTILE_REF:-end} bash scripts/as-user.sh bash tests/hostile/run.sh $(HOSTILE)

flaky-check: $(KATA_BIN)
	@bash tests/hostile/flaky_check.sh $(FLAKY_RUNS)
