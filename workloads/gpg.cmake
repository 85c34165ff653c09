# The gpg workload (GnuPG decryption through GPGME) as its own library, so that only what uses it
# links GPGME. Included from workloads/CMakeLists.txt.
pkg_check_modules(GPGME REQUIRED IMPORTED_TARGET gpgme)
# SHA-256 of the plaintext: libgcrypt, GnuPG's own crypto library (Debian's libgcrypt20-dev).
pkg_check_modules(GCRYPT REQUIRED IMPORTED_TARGET libgcrypt)

add_library(offload_gpg STATIC
  gpg_init.cpp gpg_sha256.cpp gpg_size.cpp gpg_agent.cpp gpg_home.cpp gpg_home_set.cpp gpg_stale_homes.cpp
  gpg_payload.cpp gpg_ciphertext_cache.cpp gpg_decrypt.cpp gpg_spawn_probe.cpp gpg_workload.cpp)
target_include_directories(offload_gpg PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
# Public headers never include <gpgme.h> or <gcrypt.h>: both stay private.
target_link_libraries(offload_gpg PRIVATE PkgConfig::GPGME PkgConfig::GCRYPT Threads::Threads
                      offload_warnings)

# A benchmark, not a test: decryptions per second, GPGME vs a shell loop of gpg, shared vs
# per-worker homes. Run it by hand: build-dir/workloads/gpg-bench --help
add_executable(gpg-bench bench/gpg_bench.cpp)
target_link_libraries(gpg-bench PRIVATE offload_gpg Threads::Threads offload_warnings)
