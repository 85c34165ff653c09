# The gpg workload's tests: real gpg processes and agents in private /tmp homes, hence their own
# executable, label and a longer timeout (rsa3072 key generation takes seconds).
if(TARGET offload_gpg)
  add_executable(gpg_tests gpg_test.cpp)
  target_link_libraries(gpg_tests PRIVATE offload_gpg test_support GTest::gtest_main
                        offload_warnings)
  gtest_discover_tests(gpg_tests DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 120 LABELS gpg)
endif()

# GPGME driven by a libuv loop (the async strategy's engine): real gpg processes too.
if(TARGET offload_gpg)
  add_executable(gpg_async_tests gpg_async_test.cpp)
  target_link_libraries(gpg_async_tests PRIVATE offload_pool offload_gpg test_support
                        GTest::gtest_main offload_warnings)
  gtest_discover_tests(gpg_async_tests DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 120 LABELS gpg)
endif()
