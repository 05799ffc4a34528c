# mk/defences.mk - each defence of the evidence proven: the hostile program it stops passes
# when that defence alone is turned off (tests/hostile/defences.sh says how).
#
#   make defences [DEFENCES="skip_weak line_rename"]

DEFENCES ?=

.PHONY: defences

defences: $(KATA_BIN)
	@bash tests/hostile/defences.sh $(DEFENCES)
