// Bucket arithmetic: index = value below 256; above, with e = msb - 7, the bucket is
// 256 + (e - 1) * 128 + ((value >> e) - 128), covering [(value >> e) << e, +2^e).
#include "stats/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace bench {

std::size_t Histogram::index_of(std::uint64_t v) {
  if (v > kMaxValue) v = kMaxValue;
  if (v < 256) return static_cast<std::size_t>(v);
  const int msb = 63 - std::countl_zero(v);
  const int e = msb - kSubBits;
  const std::uint64_t sub = v >> e;  // 128..255
  return 256 + static_cast<std::size_t>(e - 1) * 128 + static_cast<std::size_t>(sub - 128);
}

std::uint64_t Histogram::lowest_in(std::size_t index) {
  if (index < 256) return index;
  const std::size_t e = (index - 256) / 128 + 1;
  const std::uint64_t sub = (index - 256) % 128 + 128;
  return sub << e;
}

std::uint64_t Histogram::highest_in(std::size_t index) {
  if (index < 256) return index;
  const std::size_t e = (index - 256) / 128 + 1;
  return lowest_in(index) + (std::uint64_t{1} << e) - 1;
}

void Histogram::record_n(std::uint64_t v, std::uint64_t n) {
  if (n == 0) return;
  if (v > kMaxValue) v = kMaxValue;
  counts_[index_of(v)] += n;
  if (count_ == 0 || v < min_) min_ = v;
  if (v > max_) max_ = v;
  count_ += n;
  sum_ += static_cast<long double>(v) * static_cast<long double>(n);
}

void Histogram::add(const Histogram& other) {
  if (other.count_ == 0) return;
  for (std::size_t i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
  if (count_ == 0 || other.min_ < min_) min_ = other.min_;
  max_ = std::max(max_, other.max_);
  count_ += other.count_;
  sum_ += other.sum_;
}

void Histogram::reset() {
  *this = Histogram();
}

double Histogram::mean() const {
  return count_ ? static_cast<double>(sum_ / static_cast<long double>(count_)) : 0.0;
}

double Histogram::representative(std::size_t index) const {
  const double mid =
      (static_cast<double>(lowest_in(index)) + static_cast<double>(highest_in(index))) / 2;
  return std::clamp(mid, static_cast<double>(min_), static_cast<double>(max_));
}

double Histogram::stddev() const {
  if (count_ < 2) return 0.0;
  const double m = mean();
  long double acc = 0;
  for (std::size_t i = 0; i < kBuckets; ++i) {
    if (counts_[i] == 0) continue;
    const double d = representative(i) - m;
    acc += static_cast<long double>(d) * d * counts_[i];
  }
  return std::sqrt(static_cast<double>(acc / static_cast<long double>(count_)));
}

double Histogram::value_at_rank(std::uint64_t k) const {
  if (k == 0 || k > count_) return 0.0;
  if (k == count_) return static_cast<double>(max_);
  if (k == 1) return static_cast<double>(min_);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < kBuckets; ++i) {
    seen += counts_[i];
    if (seen >= k) return representative(i);
  }
  return static_cast<double>(max_);
}

double Histogram::value_at_quantile(double q) const {
  if (count_ == 0) return 0.0;
  q = std::clamp(q, 0.0, 1.0);
  // The small epsilon keeps q * n that is an integer in exact arithmetic (0.99 * 100) from
  // rounding up to the next rank through binary floating point.
  auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_) - 1e-9));
  return value_at_rank(std::clamp<std::uint64_t>(rank, 1, count_));
}

std::vector<Histogram::Bucket> Histogram::buckets() const {
  std::vector<Bucket> out;
  for (std::size_t i = 0; i < kBuckets; ++i)
    if (counts_[i] != 0) out.push_back({representative(i), counts_[i], highest_in(i)});
  return out;
}

}  // namespace bench
