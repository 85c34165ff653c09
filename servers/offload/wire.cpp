// Encoding and decoding of the process pool's frames, little-endian and bounds-checked.
#include "wire.hpp"

#include <algorithm>
#include <cstring>

namespace wire {

namespace {

enum : std::uint8_t { kJob = 1, kResult = 2 };

template <class T>
void put(std::string& out, T value) {
  for (std::size_t i = 0; i < sizeof(T); ++i)
    out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

class Cursor {
 public:
  explicit Cursor(std::string_view data) : data_(data) {}
  template <class T>
  bool get(T& value) {
    if (data_.size() < sizeof(T)) return false;
    value = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i)
      value |= static_cast<T>(static_cast<T>(static_cast<unsigned char>(data_[i])) << (8 * i));
    data_.remove_prefix(sizeof(T));
    return true;
  }
  bool get_bytes(std::size_t n, std::string& out) {
    if (data_.size() < n) return false;
    out.assign(data_.data(), n);
    data_.remove_prefix(n);
    return true;
  }
  bool done() const { return data_.empty(); }
  std::string rest() const { return std::string(data_); }

 private:
  std::string_view data_;
};

std::string frame(std::string payload) {
  std::string out;
  out.reserve(4 + payload.size());
  put<std::uint32_t>(out, static_cast<std::uint32_t>(payload.size()));
  out.append(payload);
  return out;
}

}  // namespace

std::string encode(const JobMessage& message) {
  std::string p;
  p.push_back(static_cast<char>(kJob));
  put<std::uint64_t>(p, message.id);
  // Names are the registry's, a few letters: a longer one is a bug, cut rather than misframed.
  const std::size_t len = std::min<std::size_t>(message.workload.size(), 255);
  put<std::uint8_t>(p, static_cast<std::uint8_t>(len));
  p.append(message.workload, 0, len);
  p.append(message.params);
  return frame(std::move(p));
}

std::string encode(const ResultMessage& message) {
  std::string p;
  p.push_back(static_cast<char>(kResult));
  put<std::uint64_t>(p, message.id);
  put<std::uint8_t>(p, message.result.ok ? 1 : 0);
  put<std::uint64_t>(p, message.result.run_us);
  put<std::uint64_t>(p, message.result.engine_us);
  put<std::uint64_t>(p, message.wait_ns);
  put<std::uint64_t>(p, message.service_ns);
  // A reason or answer longer than a frame allows is cut, never a broken frame.
  const std::size_t max_text = kMaxFrame - 64;
  const std::size_t len = std::min(message.result.text.size(), max_text);
  put<std::uint32_t>(p, static_cast<std::uint32_t>(len));
  p.append(message.result.text, 0, len);
  return frame(std::move(p));
}

bool decode(std::string_view payload, JobMessage& out) {
  Cursor c(payload);
  std::uint8_t type = 0, len = 0;
  if (!c.get(type) || type != kJob || !c.get(out.id) || !c.get(len) || len == 0 ||
      !c.get_bytes(len, out.workload))
    return false;
  out.params = c.rest();
  return true;
}

workloads::Job job_of(const JobMessage& message, const workloads::Workload& workload) {
  if (message.workload != workload.name()) return nullptr;
  return workload.decode(message.params);
}

bool decode(std::string_view payload, ResultMessage& out) {
  Cursor c(payload);
  std::uint8_t type = 0, ok = 0;
  std::uint32_t len = 0;
  if (!c.get(type) || type != kResult || !c.get(out.id) || !c.get(ok) || ok > 1 ||
      !c.get(out.result.run_us) || !c.get(out.result.engine_us) || !c.get(out.wait_ns) ||
      !c.get(out.service_ns) || !c.get(len) || !c.get_bytes(len, out.result.text))
    return false;
  out.result.ok = ok == 1;
  return c.done();
}

FrameReader::Status FrameReader::next(std::string_view& payload) {
  if (!error_.empty()) return Status::error;
  if (offset_ > 0 && offset_ == buffer_.size()) {
    buffer_.clear();
    offset_ = 0;
  } else if (offset_ > 64 * 1024) {
    buffer_.erase(0, offset_);
    offset_ = 0;
  }
  if (buffered() < 4) return Status::need_more;
  std::uint32_t len = 0;
  Cursor(std::string_view(buffer_).substr(offset_, 4)).get(len);
  if (len == 0 || len > kMaxFrame) {
    error_ =
        "frame of " + std::to_string(len) + " bytes (allowed 1.." + std::to_string(kMaxFrame) + ")";
    return Status::error;
  }
  if (buffered() < 4 + static_cast<std::size_t>(len)) return Status::need_more;
  payload = std::string_view(buffer_).substr(offset_ + 4, len);
  offset_ += 4 + len;
  return Status::frame;
}

}  // namespace wire
