# mk/grade.mk - grading a class: `make grade`, the checksum lists, the workflow linter.
# Included by the main Makefile; uses its KATA_BIN and BUILD.
#
#   make grade [KATAS="a b"] [OUT=dir] [CHECKSUMS=list] [PASSED=dir]
#                          every kata (or those), reports in build/reports/ (see README, For
#                          teachers); PASSED: keep passes there and reuse an unchanged one
#   make checksums         record the protected files and the starters (upstream, before a
#                          commit that changes any of them)
#   make checksums-check   are the protected files as recorded?
#   make lint-workflows    validate .github/workflows/*.yml (action-validator, from npm)
#   make check-junit [JUNIT=file]  validate a junit.xml against tests/schemas/junit-10.xsd
#                          (the Jenkins xunit plugin's rules); without JUNIT, that of a grading
#                          of two katas as shipped (the unit tests cover every other verdict)

KATAS ?=
OUT ?=
CHECKSUMS ?=
PASSED ?=

JUNIT ?=

.PHONY: grade checksums checksums-check lint-workflows check-junit

grade: $(KATA_BIN)
	@$(KATA_BIN) grade $(if $(strip $(KATAS)),--katas "$(strip $(KATAS))") \
		$(if $(OUT),--out $(OUT)) $(if $(CHECKSUMS),--checksums $(CHECKSUMS)) \
		$(if $(PASSED),--passed $(PASSED))

checksums: $(KATA_BIN)
	@$(KATA_BIN) checksums --write

checksums-check: $(KATA_BIN)
	@$(KATA_BIN) checksums

lint-workflows:
	@bash scripts/lint-workflows.sh

# Out of GitHub Actions' sight (GITHUB_ACTIONS unset), so a CI run does not get this grading's
# annotations and job summary.
check-junit: $(if $(JUNIT),,$(KATA_BIN)) | $(BUILD)/deps-dev.stamp
	@command -v xmllint >/dev/null 2>&1 || { echo "make check-junit: needs xmllint" \
		"(bash scripts/deps.sh --dev installs libxml2-utils)"; exit 2; }
	@file="$(JUNIT)"; \
	if [ -z "$$file" ]; then \
		rm -rf $(BUILD)/check-junit; \
		env -u GITHUB_ACTIONS $(KATA_BIN) grade --katas "spawn_join race_counter" --no-verify \
			--out $(BUILD)/check-junit >$(BUILD)/check-junit.log 2>&1; \
		file=$(BUILD)/check-junit/junit.xml; \
		test -f $$file || { cat $(BUILD)/check-junit.log; echo "check-junit: no $$file"; \
			exit 1; }; \
	fi; \
	xmllint --noout --schema tests/schemas/junit-10.xsd "$$file"
