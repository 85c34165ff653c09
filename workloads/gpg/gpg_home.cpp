// Creating, copying and removing private GnuPG homes.
#include "gpg_home.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

#include "gpg_agent.hpp"
#include "gpg_gpgme.hpp"
#include "gpg_stale_homes.hpp"

namespace workloads::gpg {

namespace {

// Longest socket name gpg-agent creates in the home is "S.gpg-agent.browser"; sun_path holds 108
// bytes including the NUL.
constexpr std::size_t kMaxHomePath = 107 - sizeof("/S.gpg-agent.browser");

constexpr const char* kUserId = "offload-lab workload <offload-lab@localhost>";

}  // namespace

std::optional<KeyType> parse_key_type(std::string_view text) {
  if (text == "cv25519") return KeyType::cv25519;
  if (text == "rsa3072") return KeyType::rsa3072;
  return std::nullopt;
}

const char* key_type_name(KeyType type) {
  return type == KeyType::rsa3072 ? "rsa3072" : "cv25519";
}

Home::Home(std::string path, std::string fingerprint)
    : path_(std::move(path)), fingerprint_(std::move(fingerprint)) {}

Home::~Home() {
  remove();
}

std::unique_ptr<Home> Home::make_empty(std::string* error) {
  // Fixed under /tmp rather than $TMPDIR: a long TMPDIR would break the agent's socket path.
  char templ[] = "/tmp/olg-XXXXXX";
  if (mkdtemp(templ) == nullptr) {  // mkdtemp creates the directory with mode 0700
    *error = std::string("cannot create a GnuPG home under /tmp: ") + std::strerror(errno);
    return nullptr;
  }
  std::unique_ptr<Home> home(new Home(templ, ""));
  if (home->path_.size() > kMaxHomePath) {
    *error = "GnuPG home path too long for gpg-agent's socket: " + home->path_;
    return nullptr;
  }
  chmod(templ, 0700);  // mkdtemp already does; explicit because gpg warns on anything looser
  // Who owns it: if this process is killed, a later server removes the home (gpg_stale_homes).
  if (std::string err = stamp_owner(home->path_); !err.empty()) {
    *error = err;
    return nullptr;
  }
  std::ofstream conf(home->path_ + "/gpg-agent.conf");
  conf << "auto-expand-secmem\n";
  if (!conf.flush()) {
    *error = "cannot write " + home->path_ + "/gpg-agent.conf";
    return nullptr;
  }
  return home;
}

bool Home::generate_key(KeyType type, std::string* error) {
  auto ctx = detail::make_context(path_, error);
  if (!ctx) return false;
  const bool rsa = type == KeyType::rsa3072;
  // NOPASSWD: no pinentry is ever involved. FORCE: no question if the user ID already exists.
  constexpr unsigned kCommon = GPGME_CREATE_NOPASSWD | GPGME_CREATE_FORCE | GPGME_CREATE_NOEXPIRE;
  gpgme_error_t err = gpgme_op_createkey(ctx.get(), kUserId, rsa ? "rsa3072" : "ed25519", 0, 0,
                                         nullptr, kCommon | GPGME_CREATE_SIGN | GPGME_CREATE_CERT);
  if (err != 0) {
    *error = detail::describe("creating the primary key", err);
    return false;
  }
  const gpgme_genkey_result_t created = gpgme_op_genkey_result(ctx.get());
  if (created == nullptr || created->fpr == nullptr) {
    *error = "creating the primary key: gpg reported no fingerprint";
    return false;
  }
  std::string fingerprint = created->fpr;
  auto key = detail::find_key(ctx.get(), fingerprint, true, error);
  if (!key) return false;
  err = gpgme_op_createsubkey(ctx.get(), key.get(), rsa ? "rsa3072" : "cv25519", 0, 0,
                              kCommon | GPGME_CREATE_ENCR);
  if (err != 0) {
    *error = detail::describe("creating the encryption subkey", err);
    return false;
  }
  fingerprint_ = std::move(fingerprint);
  return true;
}

bool Home::import_key(std::string_view secret_key, std::string* error) {
  auto ctx = detail::make_context(path_, error);
  if (!ctx) return false;
  auto data = detail::make_data_view(secret_key.data(), secret_key.size(), error);
  if (!data) return false;
  if (gpgme_error_t err = gpgme_op_import(ctx.get(), data.get()); err != 0) {
    *error = detail::describe("importing the key", err);
    return false;
  }
  const gpgme_import_result_t result = gpgme_op_import_result(ctx.get());
  if (result == nullptr || result->imports == nullptr || result->secret_imported == 0) {
    *error = "importing the key: no secret key in the data";
    return false;
  }
  for (auto* status = result->imports; status != nullptr; status = status->next) {
    if (status->result != 0) {
      *error = detail::describe("importing the key", status->result);
      return false;
    }
    if (fingerprint_.empty() && status->fpr != nullptr) fingerprint_ = status->fpr;
  }
  if (fingerprint_.empty()) *error = "importing the key: gpg reported no fingerprint";
  return !fingerprint_.empty();
}

std::unique_ptr<Home> Home::create(KeyType type, std::string* error) {
  auto home = make_empty(error);
  if (!home || !home->generate_key(type, error)) return nullptr;  // ~Home cleans up
  return home;
}

std::unique_ptr<Home> Home::create_from_secret_key(std::string_view secret_key,
                                                   std::string* error) {
  auto home = make_empty(error);
  if (!home || !home->import_key(secret_key, error)) return nullptr;
  return home;
}

std::unique_ptr<Home> Home::clone(std::string* error) const {
  const std::string key = export_secret_key(error);
  if (key.empty()) return nullptr;
  return create_from_secret_key(key, error);
}

std::string Home::export_secret_key(std::string* error) const {
  auto ctx = detail::make_context(path_, error);
  if (!ctx) return {};
  auto out = detail::make_data(error);
  if (!out) return {};
  // The key has no passphrase, so the agent hands it over unprotected without a pinentry.
  if (gpgme_error_t err =
          gpgme_op_export(ctx.get(), fingerprint_.c_str(), GPGME_EXPORT_MODE_SECRET, out.get());
      err != 0) {
    *error = detail::describe("exporting the secret key", err);
    return {};
  }
  std::string key = detail::take_bytes(std::move(out));
  if (key.empty()) *error = "exporting the secret key: gpg wrote nothing";
  return key;
}

std::string Home::remove() noexcept {
  if (path_.empty()) return {};
  std::string problem;
  try {
    // Agent first: it has its sockets and open files in the directory.
    problem = stop_daemons(path_);
    std::error_code failed;
    std::filesystem::remove_all(path_, failed);
    if (failed) problem = "removing " + path_ + ": " + failed.message();
  } catch (...) {
    problem = "out of memory";  // short enough for std::string's inline buffer
  }
  path_.clear();
  return problem;
}

}  // namespace workloads::gpg
