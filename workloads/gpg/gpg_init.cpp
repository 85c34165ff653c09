// One-time set-up of GPGME, and the GPGME helpers the other gpg_* files share.
#include "gpg_init.hpp"

#include <filesystem>
#include <mutex>

#include "gpg_gpgme.hpp"

namespace workloads::gpg {

std::string init_gpg_library() {
  static std::once_flag once;
  static std::string failure;  // written once under call_once, read-only afterwards
  std::call_once(once, [] {
    // NULL: any version; Debian 12 ships 1.18. The call also initialises GPGME's internals.
    if (gpgme_check_version(nullptr) == nullptr) {
      failure = "gpgme_check_version failed";
      return;
    }
    const gpgme_error_t err = gpgme_engine_check_version(GPGME_PROTOCOL_OpenPGP);
    if (err != 0) failure = detail::describe("GnuPG engine (gpg) not usable", err);
  });
  return failure;
}

namespace detail {

std::string describe(const char* what, gpgme_error_t err) {
  char buf[256];
  if (gpgme_strerror_r(err, buf, sizeof buf) != 0) buf[sizeof buf - 1] = '\0';
  // gpgme_strsource returns a static table entry: safe from any thread.
  return std::string(what) + ": " + buf + " <" + gpgme_strsource(err) + ">";
}

std::string describe_decrypt_failure(gpgme_error_t err, const std::string& home) {
  std::string text = describe("decrypt", err);
  std::error_code ignored;
  if (!std::filesystem::is_directory(home, ignored)) text += " (GnuPG home " + home + " is gone)";
  return text;
}

Ctx make_context(const std::string& home, std::string* error) {
  if (std::string failure = init_gpg_library(); !failure.empty()) {
    *error = std::move(failure);
    return nullptr;
  }
  gpgme_ctx_t raw = nullptr;
  if (gpgme_error_t err = gpgme_new(&raw); err != 0) {
    *error = describe("gpgme_new", err);
    return nullptr;
  }
  Ctx ctx(raw);
  gpgme_error_t err = gpgme_set_protocol(ctx.get(), GPGME_PROTOCOL_OpenPGP);
  // NULL file name: the default gpg binary; the home directory is what matters.
  if (err == 0)
    err = gpgme_ctx_set_engine_info(ctx.get(), GPGME_PROTOCOL_OpenPGP, nullptr, home.c_str());
  if (err == 0) err = gpgme_set_pinentry_mode(ctx.get(), GPGME_PINENTRY_MODE_LOOPBACK);
  if (err != 0) {
    *error = describe("setting up the GPGME context", err);
    return nullptr;
  }
  gpgme_set_armor(ctx.get(), 0);
  gpgme_set_offline(ctx.get(), 1);  // never let gpg look for keys on the network
  return ctx;
}

Key find_key(gpgme_ctx_t ctx, const std::string& fingerprint, bool secret, std::string* error) {
  gpgme_key_t raw = nullptr;
  if (gpgme_error_t err = gpgme_get_key(ctx, fingerprint.c_str(), &raw, secret ? 1 : 0); err != 0) {
    *error = describe("looking up the key", err);
    return nullptr;
  }
  return Key(raw);
}

Data make_data(std::string* error) {
  gpgme_data_t raw = nullptr;
  if (gpgme_error_t err = gpgme_data_new(&raw); err != 0) {
    *error = describe("gpgme_data_new", err);
    return nullptr;
  }
  return Data(raw);
}

Data make_data_view(const char* bytes, std::size_t size, std::string* error) {
  gpgme_data_t raw = nullptr;
  // copy = 0: GPGME reads the caller's buffer in place, which matters for 64 MiB payloads.
  if (gpgme_error_t err = gpgme_data_new_from_mem(&raw, bytes, size, 0); err != 0) {
    *error = describe("gpgme_data_new_from_mem", err);
    return nullptr;
  }
  return Data(raw);
}

std::string take_bytes(Data data) {
  std::size_t size = 0;
  // Owned right away, so a throwing std::string constructor cannot leak GPGME's buffer.
  const std::unique_ptr<char, void (*)(void*)> bytes(
      gpgme_data_release_and_get_mem(data.release(), &size), &gpgme_free);
  return bytes ? std::string(bytes.get(), size) : std::string();
}

}  // namespace detail
}  // namespace workloads::gpg
