// Latency histogram in microseconds, log-linear like HdrHistogram: values below 256 µs are
// exact, above that each power of two is split into 128 equal buckets, so a bucket is at most
// 1/128 of its lower bound wide and the midpoint we report is within 0.4% of any value in it.
// Range: 0 to 2^36 µs (19 hours; larger values are clamped and still counted). Recording is a
// few instructions, no allocation: it sits on the per-response hot path.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace bench {

class Histogram {
 public:
  static constexpr int kSubBits = 7;  // 128 sub-buckets per power of two
  static constexpr std::uint64_t kMaxValue = (std::uint64_t{1} << 36) - 1;
  static constexpr std::size_t kBuckets = 256 + (36 - 8) * 128;

  void record(std::uint64_t micros) { record_n(micros, 1); }
  void record_n(std::uint64_t micros, std::uint64_t n);
  void add(const Histogram& other);
  void reset();

  std::uint64_t count() const { return count_; }
  std::uint64_t min() const { return count_ ? min_ : 0; }  // exact
  std::uint64_t max() const { return max_; }               // exact
  double mean() const;                                     // exact (from the true sum)
  double stddev() const;                                   // from bucket midpoints

  // The k-th smallest recorded value (1-based), as the midpoint of its bucket clamped to
  // [min, max]. 0 when k is out of range.
  double value_at_rank(std::uint64_t k) const;
  // The value at quantile q in [0, 1]: rank ceil(q * count), at least 1 (the usual
  // "nearest rank" definition, which is what sorting the samples and indexing gives).
  double value_at_quantile(double q) const;

  // Visits the non-empty buckets in order: (representative value, count in bucket,
  // highest value the bucket holds). For the .hgrm percentile spectrum.
  struct Bucket {
    double value;
    std::uint64_t count;
    std::uint64_t highest;
  };
  std::vector<Bucket> buckets() const;

  static std::size_t index_of(std::uint64_t micros);
  static std::uint64_t lowest_in(std::size_t index);
  static std::uint64_t highest_in(std::size_t index);

 private:
  double representative(std::size_t index) const;

  std::array<std::uint64_t, kBuckets> counts_{};
  std::uint64_t count_ = 0;
  std::uint64_t min_ = 0;
  std::uint64_t max_ = 0;
  long double sum_ = 0;  // exact for any realistic run (64-bit mantissa)
};

}  // namespace bench
