# mk/server.mk - builds, tests and benchmarks the latency server; included by the main Makefile.
#
# Uses only BUILD and HARNESS_CFLAGS from the main Makefile, and appends the
# test binary to HARNESS_TEST_BINS. Binaries are linked straight from their
# sources so that no pattern rule here can clash with the main Makefile's.

SERVER_PKGS := libmicrohttpd libcurl
SERVER_CFLAGS = $(HARNESS_CFLAGS) -Iharness $(shell pkg-config --cflags $(SERVER_PKGS))
SERVER_LIBS = $(shell pkg-config --libs $(SERVER_PKGS)) -pthread
SERVER_SRCS := harness/latency_server.c harness/latency_body.c
SERVER_HDRS := harness/latency_server.h harness/latency_body.h
# Extra arguments for `make serve`, e.g. SERVE_ARGS='--port 8080'.
SERVE_ARGS ?=

HARNESS_TEST_BINS += $(BUILD)/tests/test_latency_server

$(BUILD)/bin/kata-serve: harness/serve_main.c $(SERVER_SRCS) $(SERVER_HDRS)
	@mkdir -p $(@D)
	$(CC) $(SERVER_CFLAGS) -o $@ $(filter %.c,$^) $(SERVER_LIBS)

$(BUILD)/bin/server-bench: bench/server_bench.c bench/raw_client.c bench/raw_client.h \
		$(SERVER_SRCS) $(SERVER_HDRS)
	@mkdir -p $(@D)
	$(CC) $(SERVER_CFLAGS) -Ibench -o $@ $(filter %.c,$^) $(SERVER_LIBS)

$(BUILD)/tests/test_latency_server: tests/harness/test_latency_server.c bench/raw_client.c \
		bench/raw_client.h $(SERVER_SRCS) $(SERVER_HDRS)
	@mkdir -p $(@D)
	$(CC) $(SERVER_CFLAGS) -Ibench $(shell pkg-config --cflags criterion) -o $@ $(filter %.c,$^) \
		$(SERVER_LIBS) $(shell pkg-config --libs criterion)

.PHONY: serve bench-server
serve: $(BUILD)/bin/kata-serve
	$(BUILD)/bin/kata-serve $(SERVE_ARGS)

# Runs both scenarios in-process and against a separate kata-serve; RUNS=N for more runs.
bench-server: $(BUILD)/bin/server-bench $(BUILD)/bin/kata-serve
	sh bench/server_bench.sh $(BUILD)/bin/server-bench $(BUILD)/bin/kata-serve
