# mk/server.mk - builds, tests and benchmarks the latency server; included by the main Makefile.
#
# Uses BUILD, HARNESS_BUILD and HARNESS_CFLAGS from the main Makefile, and appends the
# test binary to HARNESS_TEST_BINS. Binaries are linked straight from their
# sources so that no pattern rule here can clash with the main Makefile's.

SERVER_PKGS := libmicrohttpd libcurl
SERVER_CFLAGS = $(HARNESS_CFLAGS) -Iharness/server -Iharness/server/bench $(shell pkg-config --cflags $(SERVER_PKGS))
SERVER_LIBS = $(shell pkg-config --libs $(SERVER_PKGS)) -pthread
SERVER_SRCS := harness/server/latency_server.c harness/server/latency_body.c
SERVER_HDRS := harness/server/latency_server.h harness/server/latency_body.h
BENCH := harness/server/bench
# Extra arguments for `make serve`, e.g. SERVE_ARGS='--port 8080'.
SERVE_ARGS ?=

HARNESS_TEST_BINS += $(HARNESS_BUILD)/tests/server/test_latency_server

$(BUILD)/bin/kata-serve: harness/server/serve_main.c $(SERVER_SRCS) $(SERVER_HDRS) \
		| $(BUILD)/deps.stamp
	@mkdir -p $(@D)
	$(CC) $(SERVER_CFLAGS) -o $@ $(filter %.c,$^) $(SERVER_LIBS)

$(BUILD)/bin/server-bench: $(BENCH)/server_bench.c $(BENCH)/raw_client.c $(BENCH)/raw_client.h \
		$(SERVER_SRCS) $(SERVER_HDRS) | $(BUILD)/deps.stamp
	@mkdir -p $(@D)
	$(CC) $(SERVER_CFLAGS) -o $@ $(filter %.c,$^) $(SERVER_LIBS)

$(HARNESS_BUILD)/tests/server/test_latency_server: tests/harness/server/test_latency_server.c \
		$(BENCH)/raw_client.c $(BENCH)/raw_client.h $(SERVER_SRCS) $(SERVER_HDRS) | $(BUILD)/deps.stamp
	@mkdir -p $(@D)
	$(CC) $(SERVER_CFLAGS) $(shell pkg-config --cflags criterion) -o $@ $(filter %.c,$^) \
		$(SERVER_LIBS) $(shell pkg-config --libs criterion)

.PHONY: serve bench-server
serve: $(BUILD)/bin/kata-serve
	$(BUILD)/bin/kata-serve $(SERVE_ARGS)

# Runs both scenarios in-process and against a separate kata-serve; RUNS=N for more runs.
bench-server: $(BUILD)/bin/server-bench $(BUILD)/bin/kata-serve
	sh $(BENCH)/server_bench.sh $(BUILD)/bin/server-bench $(BUILD)/bin/kata-serve
