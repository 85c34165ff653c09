// One-time, process-wide set-up of the libraries behind the gpg workload (GPGME, libgcrypt).
#pragma once

#include <string>

namespace workloads::gpg {

// Runs gpgme_check_version exactly once per process (GPGME requires it before any other call,
// and before a second thread touches GPGME) and checks that the OpenPGP engine `gpg` is
// installed. Returns "" when ready, else a one-line reason (the same one on every call).
//
// Every function of this library calls it itself, under std::call_once, so calling it is
// optional; a server calls it at start (and a worker process right after it starts) to fail
// fast with a clear message. Side effect inherited from GPGME: SIGPIPE becomes ignored if it
// was at its default.
std::string init_gpg_library();

}  // namespace workloads::gpg
