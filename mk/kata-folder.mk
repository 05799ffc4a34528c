# mk/kata-folder.mk - included by each katas/<name>/Makefile, so that make works from inside a
# kata's folder: `make` there grades that kata (the root's `make kata NAME=<name>`), and any
# other goal (hint, watch, list, reset, solution, ...) runs at the root with NAME set to it.
# Not included by the root Makefile.

KATA_ROOT_DIR := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))..)
NAME ?= $(notdir $(CURDIR))

.DEFAULT_GOAL := kata
.PHONY: kata $(MAKECMDGOALS)

kata $(filter-out kata,$(MAKECMDGOALS)):
	@$(MAKE) --no-print-directory -C $(KATA_ROOT_DIR) $@ NAME=$(NAME)
