# The harness's unit tests: statistics, arrival schedules, parsers, options, file formats,
# knob sweeps and SLOs.
# No network, no child processes. Named harness.* in CTest (ctest -R harness).
add_executable(harness_unit_tests
  harness_histogram_test.cpp harness_quantile_ci_test.cpp harness_schedule_test.cpp
  harness_prometheus_test.cpp harness_options_test.cpp harness_formats_test.cpp
  harness_proc_test.cpp harness_plan_test.cpp harness_sweep_test.cpp harness_slo_test.cpp
  harness_autocorrelation_test.cpp harness_anderson_darling_test.cpp harness_t_interval_test.cpp
  harness_machine_test.cpp harness_machine_tally_test.cpp harness_validity_test.cpp
  harness_stream_stats_test.cpp
  harness_curve_test.cpp)
target_link_libraries(harness_unit_tests PRIVATE offload_harness GTest::gtest_main offload_warnings)
gtest_discover_tests(harness_unit_tests DISCOVERY_TIMEOUT 60 TEST_PREFIX "harness."
  PROPERTIES TIMEOUT 60)
