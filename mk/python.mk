# mk/python.mk - the Python tutorials' programs against the references (issue 20).
#
# Uses only BUILD and KATA_BIN from the main Makefile.

.PHONY: bench-python

# The table of every kata with a Python program; KATAS="a b" for some of them.
bench-python: $(KATA_BIN)
	@sh bench/python_vs_c.sh $(KATAS)
