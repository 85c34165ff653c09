// fib as a workload: the seed's job, "answer is >>> fib(n)", with n from ?n= or --fib.
#include "fib_workload.hpp"

#include <charconv>

#include "fib.hpp"
#include "query.hpp"

namespace workloads {

namespace {

class FibParams final : public Params {
 public:
  explicit FibParams(std::uint32_t n) : n_(n) {}
  std::string describe() const override { return "fib(" + std::to_string(n_) + ")"; }
  // n:u32le
  std::string encode() const override {
    std::string out;
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((n_ >> (8 * i)) & 0xff));
    return out;
  }
  std::uint32_t n() const { return n_; }

 private:
  std::uint32_t n_;
};

class FibWorker final : public Worker {
 public:
  Result run(const Params& params) override {
    const auto* job = dynamic_cast<const FibParams*>(&params);
    if (job == nullptr) return {false, "not a fib job", 0, 0};
    return {true, "answer is >>> " + std::to_string(fib(job->n())) + "\n", 0, 0};
  }
};

class FibWorkload final : public Workload {
 public:
  std::string name() const override { return "fib"; }

  std::string configure(const Settings& settings) override {
    for (auto [flag, field] : {std::pair{"fib", &fib_}, std::pair{"max-n", &max_n_}}) {
      const std::string text = setting(settings, flag, "");
      if (text.empty()) continue;
      unsigned v = 0;
      const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec != std::errc() || ptr != text.data() + text.size() || v < 1 || v > kFibMaxFits)
        return std::string("--") + flag + " " + text + ": must be an integer from 1 to " +
               std::to_string(kFibMaxFits);
      *field = v;
    }
    return {};
  }

  std::string parse(std::string_view query, Job* job) const override {
    unsigned n = fib_;
    if (std::string err = parse_fib_query(query, max_n_, n); !err.empty()) return err;
    *job = std::make_shared<FibParams>(n);
    return {};
  }

  Job decode(std::string_view bytes) const override {
    if (bytes.size() != 4) return nullptr;
    std::uint32_t n = 0;
    for (int i = 0; i < 4; ++i)
      n |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << (8 * i);
    // Past kFibMaxFits the answer wraps; a worker refuses what no server would send.
    if (n < 1 || n > kFibMaxFits) return nullptr;
    return std::make_shared<FibParams>(n);
  }

  std::unique_ptr<Worker> make_worker(std::size_t) override {
    return std::make_unique<FibWorker>();
  }

  std::string ready_fields() const override { return " fib=" + std::to_string(fib_); }

 private:
  unsigned fib_ = 30;
  unsigned max_n_ = 45;
};

}  // namespace

std::unique_ptr<Workload> make_fib_workload() {
  return std::make_unique<FibWorkload>();
}

std::string parse_fib_query(std::string_view query, unsigned max_n, unsigned& n) {
  bool repeated = false;
  const auto value = query_param(query, "n", repeated);
  if (repeated) return "parameter n given more than once";
  if (!value) return {};
  unsigned v = 0;
  const auto [ptr, ec] = std::from_chars(value->data(), value->data() + value->size(), v);
  if (value->empty() || value->front() == '+' || ec != std::errc() ||
      ptr != value->data() + value->size() || v < 1 || v > max_n)
    return "n must be an integer from 1 to " + std::to_string(max_n);
  n = v;
  return {};
}

}  // namespace workloads
