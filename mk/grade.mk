# mk/grade.mk - grading a class: `make grade`, the checksum lists, the workflow linter.
# Included by the main Makefile; uses its KATA_BIN and BUILD.
#
#   make grade [KATAS="a b"] [OUT=dir] [CHECKSUMS=list]  every kata (or those), reports in
#                                                        build/reports/ (see README, For teachers)
#   make checksums         record the protected files and the starters (upstream, before a
#                          commit that changes any of them)
#   make checksums-check   are the protected files as recorded?
#   make lint-workflows    validate .github/workflows/*.yml (action-validator, from npm)

KATAS ?=
OUT ?=
CHECKSUMS ?=

.PHONY: grade checksums checksums-check lint-workflows

grade: $(KATA_BIN)
	@$(KATA_BIN) grade $(if $(strip $(KATAS)),--katas "$(strip $(KATAS))") \
		$(if $(OUT),--out $(OUT)) $(if $(CHECKSUMS),--checksums $(CHECKSUMS))

checksums: $(KATA_BIN)
	@$(KATA_BIN) checksums --write

checksums-check: $(KATA_BIN)
	@$(KATA_BIN) checksums

lint-workflows:
	@bash scripts/lint-workflows.sh
