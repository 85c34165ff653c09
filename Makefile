# offload-lab: the user's entry point. `make test` and `make experiment` are the two commands;
# every target installs what it needs first (make deps: Debian packages, as root; make
# deps-test adds what only the tests need).
#
#   FIB=20 make inline-server      (also thread-server, process-server, ampoule-server,
#                                   remote-server)
#   make perf | perf-little | perf-easy      load against the running server on PORT
#   make test                      build and run the whole suite

BUILD    ?= build
BIN      := $(BUILD)/bin
PORT     ?= 8080
JOBS     ?= $(shell nproc)
CMAKE_FLAGS ?=

# What building the programs and running the experiment (with its graphs) need, all from
# Debian 12.
APT_PACKAGES := cmake g++ make pkg-config libuv1-dev libtbb-dev libboost-dev \
  libboost-filesystem-dev libhttp-parser-dev libgpgme-dev libgcrypt20-dev gnupg curl procps \
  nats-server libnats-dev python3-matplotlib python3-pandas
# What only the tests need: GoogleTest and cpp-httplib, httperf (a real client), promtool and
# a real Prometheus, nbconvert (the notebook), Chromium (the report in a browser), clang's
# sanitizer runtime and the fuzzer's compiler.
TEST_PACKAGES := libgtest-dev googletest libcpp-httplib-dev httperf jupyter-nbconvert \
  python3-ipykernel chromium clang libclang-rt-14-dev prometheus
# Only the benchmarks compare against these.
BENCH_PACKAGES := wrk nginx-light

.PHONY: all deps deps-test deps-bench build test test-asan test-tsan fuzz inline-server thread-server \
  process-server ampoule-server uvpool-server async-server remote-server bench-remote bench clean

all: build

deps:
	@$(call apt_install,$(APT_PACKAGES))

deps-test: deps
	@$(call apt_install,$(TEST_PACKAGES))

deps-bench: deps
	@$(call apt_install,$(BENCH_PACKAGES))

# Installs the missing packages among $(1); quiet when none is missing.
define apt_install
missing=$$(for p in $(1); do \
  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
  done | tr '\n' ' '); \
if [ -n "$$missing" ]; then \
  if [ "$$(id -u)" != 0 ]; then \
    echo "make: missing Debian packages: $$missing" >&2; \
    echo "make: run as root, or: sudo apt-get install $$missing" >&2; exit 1; \
  fi; \
  echo "make: installing $$missing"; \
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null \
    || { echo "make: apt-get install failed" >&2; exit 1; }; \
fi
endef

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j$(JOBS)

# Configured again: a build folder made before GoogleTest was installed (by `make build` or
# `make experiment`) finds it now and adds the tests.
test: deps-test $(BUILD)/CMakeCache.txt
	cmake -S . -B $(BUILD) >/dev/null
	cmake --build $(BUILD) -j$(JOBS)
	ctest --test-dir $(BUILD) --output-on-failure -j$(JOBS) --timeout 300

# The suite again under AddressSanitizer + UndefinedBehaviorSanitizer (part of CI).
test-asan: deps-test
	cmake -S . -B $(BUILD)-asan -DCMAKE_BUILD_TYPE=Debug -DOFFLOAD_SANITIZE=address $(CMAKE_FLAGS)
	cmake --build $(BUILD)-asan -j$(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
	  ctest --test-dir $(BUILD)-asan --output-on-failure -j$(JOBS) --timeout 300 -LE graphs

# The thread strategy's tests (and the pieces it is made of) under ThreadSanitizer.
TSAN_TESTS ?= thread|Mailbox|Wire|RequestParser|Config
test-tsan: deps-test
	cmake -S . -B $(BUILD)-tsan -DCMAKE_BUILD_TYPE=Debug -DOFFLOAD_SANITIZE=thread $(CMAKE_FLAGS)
	cmake --build $(BUILD)-tsan -j$(JOBS) --target offload-server unit_tests server_tests hardening_tests
	TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:suppressions=$(CURDIR)/tests/tsan.supp \
	  ctest --test-dir $(BUILD)-tsan --output-on-failure -j$(JOBS) --timeout 300 -R '$(TSAN_TESTS)'

# libFuzzer on the HTTP request path (parser + router, no network), FUZZ_SECONDS long.
FUZZ_SECONDS ?= 60
fuzz: deps-test
	CC=clang CXX=clang++ cmake -S . -B $(BUILD)-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DOFFLOAD_FUZZ=ON -DOFFLOAD_SANITIZE=address -DBUILD_TESTING=OFF
	cmake --build $(BUILD)-fuzz -j$(JOBS) --target request-fuzzer
	mkdir -p $(BUILD)-fuzz/corpus
	$(BUILD)-fuzz/bin/request-fuzzer -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	  -artifact_prefix=$(BUILD)-fuzz/ $(BUILD)-fuzz/corpus servers/fuzz/corpus

inline-server: build
	$(BIN)/offload-server --strategy inline --port $(PORT)
thread-server: build
	$(BIN)/offload-server --strategy thread --port $(PORT)
process-server: build
	$(BIN)/offload-server --strategy process --port $(PORT)
uvpool-server: build
	$(BIN)/offload-server --strategy uvpool --port $(PORT)
# async drives GnuPG from the event loop: it runs the gpg workload only.
async-server: build
	$(BIN)/offload-server --strategy async --workload gpg --port $(PORT)
ampoule-server: process-server
# remote runs a private nats-server and WORKERS local offload-workers (NATS_URL=nats://...: a
# broker of yours, with workers started anywhere).
remote-server: build
	$(BIN)/offload-server --strategy remote --port $(PORT)

clean:
	rm -rf $(BUILD)

# The harness (perf targets, experiment, sweep) and the graphs add their own targets.
-include harness/harness.mk
-include notebooks/notebooks.mk

# Benchmarks (figures for the notes, not tests): needs wrk and nginx-light.
bench: deps-bench build
	servers/bench/bench_servers.sh $(BUILD)

# The remote strategy's round trip against a bare NATS request/reply, and its throughput.
bench-remote: build
	harness/bench/remote.sh $(BUILD)
