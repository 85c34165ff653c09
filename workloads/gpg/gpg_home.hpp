// A private, temporary GnuPG home holding one key pair without a passphrase: created at start,
// copied into per-worker homes, and removed with the gpg-agent it caused to start.
//
// The directory is /tmp/olg-XXXXXX (mkdtemp, mode 0700). The path is short on purpose: gpg-agent
// puts its Unix sockets in it, and a socket path is limited to about 107 bytes. It holds
// gpg-agent.conf with `auto-expand-secmem`, because parallel decryptions otherwise fail with
// "Cannot allocate memory" from the agent's fixed secure memory.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace workloads::gpg {

// The key pair's algorithms. cv25519: an ed25519 primary key (sign, certify) with a cv25519
// encryption subkey, what GnuPG 2.2 calls "future-default". rsa3072: an rsa3072 primary key with
// an rsa3072 encryption subkey (GnuPG 2.2's "default"). Both are spelled out explicitly, so the
// result does not depend on the installed GnuPG's defaults.
enum class KeyType { cv25519, rsa3072 };

// "cv25519" / "rsa3072" (case-sensitive, as on the command line); nullopt otherwise.
std::optional<KeyType> parse_key_type(std::string_view text);
const char* key_type_name(KeyType type);

class Home {
 public:
  // A fresh home with a new key pair. Null and a one-line *error on failure, leaving nothing
  // behind. Takes ~0.1 s for cv25519, ~1-3 s for rsa3072 (prime generation).
  static std::unique_ptr<Home> create(KeyType type, std::string* error);

  // A fresh home holding `secret_key`, the output of export_secret_key() (binary OpenPGP).
  static std::unique_ptr<Home> create_from_secret_key(std::string_view secret_key,
                                                      std::string* error);

  // A fresh home holding a copy of this home's key pair: the per-worker home. Its agent is a
  // separate process, which is the point (one agent serialises its work).
  std::unique_ptr<Home> clone(std::string* error) const;

  // This home's key pair, secret parts included, unprotected (binary OpenPGP). Empty + *error
  // on failure.
  std::string export_secret_key(std::string* error) const;

  Home(const Home&) = delete;
  Home& operator=(const Home&) = delete;
  ~Home();  // remove()

  const std::string& path() const noexcept { return path_; }
  // The primary key's fingerprint (40 hex digits): what to encrypt to.
  const std::string& fingerprint() const noexcept { return fingerprint_; }

  // Stops the home's gpg-agent (gpgconf --kill, waiting for the process; see gpg_agent.hpp) and
  // removes the directory. Idempotent; never throws. Call it after the last decryption using the
  // home has finished (threads joined, worker processes reaped): a gpg started afterwards would
  // start a new agent. Blocking (tens of ms) and not async-signal-safe: run it from ordinary
  // code, e.g. the shutdown path the loop's SIGTERM watcher triggers. Returns "" or a one-line
  // reason worth logging (the home is forgotten either way).
  std::string remove() noexcept;

 private:
  Home(std::string path, std::string fingerprint);
  static std::unique_ptr<Home> make_empty(std::string* error);
  bool generate_key(KeyType type, std::string* error);
  bool import_key(std::string_view secret_key, std::string* error);

  std::string path_;  // empty once removed
  std::string fingerprint_;
};

}  // namespace workloads::gpg
