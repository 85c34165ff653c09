# The harness's integration tests. harness_timing_tests measure the open loop's timing
# against an in-process test server, and the stall sentinel against injected machine stalls,
# and run alone (RUN_SERIAL), since a busy machine would make the client late; harness_tests
# drive the real offload-server and offload-bench.
# Named harness.* in CTest (ctest -R harness).
add_library(harness_test_support STATIC
  ${CMAKE_CURRENT_SOURCE_DIR}/../support/harness_test_server.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/../support/harness_background.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/../support/stall_injector.cpp)
target_include_directories(harness_test_support PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/../support)
target_link_libraries(harness_test_support PUBLIC test_support Threads::Threads
  PRIVATE offload_warnings)

add_executable(harness_timing_tests harness_timing_test.cpp harness_stall_test.cpp
  harness_validity_test.cpp)
target_link_libraries(harness_timing_tests PRIVATE offload_harness harness_test_support
  test_support GTest::gtest_main offload_warnings)
# The validity run starts the real offload-bench under injected stalls.
target_compile_definitions(harness_timing_tests PRIVATE
  OFFLOAD_SERVER="$<TARGET_FILE:offload-server>"
  OFFLOAD_BENCH="$<TARGET_FILE:offload-bench>"
  CHECK_RESULTS="${PROJECT_SOURCE_DIR}/harness/tools/check_results.py")
add_dependencies(harness_timing_tests offload-server offload-bench)
gtest_discover_tests(harness_timing_tests DISCOVERY_TIMEOUT 60 TEST_PREFIX "harness."
  PROPERTIES TIMEOUT 60 RUN_SERIAL TRUE)

add_executable(harness_tests harness_bench_test.cpp harness_experiment_test.cpp
  harness_sweep_slo_test.cpp harness_load_test.cpp harness_run_output_test.cpp)
target_link_libraries(harness_tests PRIVATE offload_harness harness_test_support test_support
  GTest::gtest_main offload_warnings)
target_compile_definitions(harness_tests PRIVATE
  OFFLOAD_SERVER="$<TARGET_FILE:offload-server>"
  OFFLOAD_BENCH="$<TARGET_FILE:offload-bench>"
  CHECK_RESULTS="${PROJECT_SOURCE_DIR}/harness/tools/check_results.py")
add_dependencies(harness_tests offload-server offload-bench)
gtest_discover_tests(harness_tests DISCOVERY_TIMEOUT 60 TEST_PREFIX "harness."
  PROPERTIES TIMEOUT 120)
