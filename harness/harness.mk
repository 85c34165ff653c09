# Harness targets, included by the Makefile: it provides BUILD, BIN, PORT and `build`.
#
#   make perf | perf-little | perf-easy   closed loop against the server already running on
#                                         PORT (default 8080), like the original's httperf runs:
#                                         20 x 200 on /, 20 x 5 on /, 20 x 5 on /hi;
#                                         FIB=N makes the two heavy ones ask for /?n=N
#   make experiment                       inline, thread and process: each one's capacity, then
#                                         /hi's latency at 7 offered heavy loads from 10% to
#                                         120% of the highest capacity, 2 interleaved repeats
#                                         (about 4 minutes), then `make graph` on it
#   make sweep FIBS="20 24 28 30 32"      the same across job sizes, 4 levels, 1 repeat
#                                         (about 8 minutes)
#   make experiment WORKLOAD=gpg SIZES="4k 64k 1m"    the GnuPG workload, payload sizes swept
#   EXPERIMENT_FLAGS="--repeats 3" make experiment      any other `offload-bench experiment` flag
#   make knobs-tradeoff                   each strategy's default vs worker
#                                         nice / SCHED_IDLE / loop pinning (~9 min a repeat;
#                                         REPEATS=2 PHASE=5 as environment variables)
#   make pool-scaling                     each pool at 1 .. cores workers: heavy req/s, speed-up,
#                                         /hi p99, RSS (~11 s a configuration; WORKERS=1,4,16)
#   make docs-figures                     `make experiment`, then its answer table and main figure
#                                         into docs/ and the README's "What you get"

BENCH := $(BIN)/offload-bench
HEAVY_PATH := $(if $(FIB),/?n=$(FIB),/)
PERF_TARGET := --target 127.0.0.1:$(PORT)
RESULTS_ROOT ?= results
EXPERIMENT_FLAGS ?=
FIBS ?= 20 24 28 30 32
SWEEP_FLAGS ?= --phase 3 --idle 1 --repeats 1 --load 25%,50%,85%,110%

harness_comma := ,
harness_space := $(subst ,, )
harness_list = $(subst $(harness_space),$(harness_comma),$(strip $(1)))
# WORKLOAD=gpg (and SIZES="4k 64k 1m") switch the heavy job to GnuPG decryption.
WORKLOAD_FLAGS = $(if $(WORKLOAD),--workload $(WORKLOAD)) $(if $(SIZES),--payload $(call harness_list,$(SIZES)))

.PHONY: perf perf-little perf-easy experiment sweep knobs-tradeoff pool-scaling docs-figures

perf: build
	$(BENCH) $(PERF_TARGET) --conns 20 --calls 200 --path '$(HEAVY_PATH)'

perf-little: build
	$(BENCH) $(PERF_TARGET) --conns 20 --calls 5 --path '$(HEAVY_PATH)'

perf-easy: build
	$(BENCH) $(PERF_TARGET) --conns 20 --calls 5 --path /hi

experiment: build
	$(BENCH) experiment --results $(RESULTS_ROOT) $(if $(FIB),--fib $(FIB)) $(WORKLOAD_FLAGS) \
	  $(EXPERIMENT_FLAGS)
	@$(call harness_graph)

sweep: build
	$(BENCH) experiment --results $(RESULTS_ROOT) --label sweep \
	  --fib $(call harness_list,$(FIBS)) $(WORKLOAD_FLAGS) $(SWEEP_FLAGS) $(EXPERIMENT_FLAGS)
	@$(call harness_graph)

knobs-tradeoff: build
	RESULTS=$(RESULTS_ROOT) harness/bench/knobs_tradeoff.sh $(BUILD)

pool-scaling: build
	RESULTS=$(RESULTS_ROOT) harness/bench/pool_scaling.sh $(BUILD)

docs-figures: build
	@out=$$(mktemp); trap 'rm -f "$$out"' EXIT; \
	$(BENCH) experiment --results $(RESULTS_ROOT) $(if $(FIB),--fib $(FIB)) $(WORKLOAD_FLAGS) \
	  $(EXPERIMENT_FLAGS) >"$$out"; rc=$$?; cat "$$out"; [ $$rc -eq 0 ] && \
	$(MAKE) --no-print-directory graph RESULTS="$$(readlink -f $(RESULTS_ROOT)/latest)" && \
	/usr/bin/python3 notebooks/docs_answer.py "$$(readlink -f $(RESULTS_ROOT)/latest)" "$$out" \
	  docs README.md

# Plots the run just made, if a `graph` target exists (notebooks/notebooks.mk): `make -q`
# answers 2 only when there is no such rule, and runs no recipe while asking.
define harness_graph
run=$$(readlink -f $(RESULTS_ROOT)/latest); \
$(MAKE) --no-print-directory -q graph RESULTS="$$run" >/dev/null 2>&1; \
if [ $$? -eq 2 ]; then \
  echo "(no graph target yet: plots skipped; results in $$run)"; \
else \
  $(MAKE) --no-print-directory graph RESULTS="$$run"; \
fi
endef
