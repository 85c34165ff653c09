# The harness's unit tests: statistics, arrival schedules, parsers, options, file formats (and
# the results schema), knob sweeps, SLOs, the server's strategy list, a run's JSON and folder
# rows, the progress line, and the flag and version library (flags/) it shares with
# offload-server.
# No network, no child processes. Named harness.* in CTest (ctest -R harness).
add_executable(harness_unit_tests
  harness_histogram_test.cpp harness_quantile_ci_test.cpp harness_schedule_test.cpp
  harness_prometheus_test.cpp harness_options_test.cpp harness_formats_test.cpp
  harness_proc_test.cpp harness_plan_test.cpp harness_sweep_test.cpp harness_slo_test.cpp
  harness_autocorrelation_test.cpp harness_anderson_darling_test.cpp harness_t_interval_test.cpp
  harness_machine_test.cpp harness_machine_tally_test.cpp harness_validity_test.cpp
  harness_stream_stats_test.cpp
  harness_curve_test.cpp harness_strategies_test.cpp harness_results_schema_test.cpp
  harness_flags_test.cpp harness_run_output_test.cpp harness_progress_test.cpp
  harness_version_test.cpp)
# The flag library's tests live here: the harness is one of its two users.
target_link_libraries(harness_unit_tests PRIVATE offload_harness offload_flags offload_version
  GTest::gtest_main offload_warnings)
# The schema test compares the embedded copy with the file.
target_compile_definitions(harness_unit_tests PRIVATE
  RESULTS_SCHEMA_FILE="${PROJECT_SOURCE_DIR}/harness/results_schema.json")
gtest_discover_tests(harness_unit_tests DISCOVERY_TIMEOUT 60 TEST_PREFIX "harness."
  PROPERTIES TIMEOUT 60)
