# mk/soak.mk - grades every correct file many times: are the graders' verdicts stable? Included
# by the main Makefile; uses its KATA_BIN. Not part of `make test` (it takes long).
#
#   make soak [SOAK_RUNS=10] [NAME=x]   every reference and good design (tests/katas/*/good),
#                SOAK_RUNS gradings each; prints how many verdicts differed from "passed"

SOAK_RUNS ?= 10

.PHONY: soak

soak: $(KATA_BIN)
	@bash scripts/soak.sh $(SOAK_RUNS) $(NAME)
