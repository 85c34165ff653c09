// Column widths fit numbers up to 99999.999 ms and rates up to 9999999.9/s.
#include "cli/run_report.hpp"

#include <cmath>
#include <cstdio>

#include "stats/latency_summary.hpp"

namespace bench {

std::string format_ms(double ms) {
  if (std::isnan(ms)) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", ms);
  return buf;
}

namespace {

std::string interval(const Estimate& e) {
  return "[" + format_ms(e.lo_ms) + ", " + format_ms(e.hi_ms) + "]";
}

double seconds_between(std::uint64_t a, std::uint64_t b) {
  return b > a ? static_cast<double>(b - a) / 1e9 : 0.0;
}

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", s);
  return buf;
}

}  // namespace

std::string run_report(const std::vector<const Stream*>& streams) {
  std::string out;
  char line[320];
  std::snprintf(line, sizeof line, "%-10s %-22s %9s %7s %10s %9s %9s %9s %9s %9s %9s\n", "stream",
                "load", "ok", "errors", "req/s", "mean", "p50", "p90", "p99", "p99.9", "max");
  out += line;
  for (const Stream* s : streams) {
    const StreamStats& st = s->stats();
    const LatencySummary l = summarize(st.latency());
    const double secs = seconds_between(s->start_ns(), s->end_ns());
    const double rate = secs > 0 ? static_cast<double>(st.count()) / secs : 0.0;
    std::snprintf(line, sizeof line, "%-10s %-22s %9llu %7llu %10.1f %9s %9s %9s %9s %9s %9s\n",
                  s->spec().name.c_str(), s->spec().describe().c_str(),
                  static_cast<unsigned long long>(st.count()),
                  static_cast<unsigned long long>(st.errors()), rate, format_ms(l.mean_ms).c_str(),
                  format_ms(l.p50.value_ms).c_str(), format_ms(l.p90.value_ms).c_str(),
                  format_ms(l.p99.value_ms).c_str(), format_ms(l.p999.value_ms).c_str(),
                  format_ms(l.max_ms).c_str());
    out += line;
  }
  out += "(latency in ms";
  bool any_open = false;
  for (const Stream* s : streams) any_open = any_open || s->spec().open_loop();
  if (any_open) out += "; open loops: from each request's due time";
  out += "; '-': too few samples for that percentile)\n";
  for (const Stream* s : streams) {
    const StreamStats& st = s->stats();
    const LatencySummary l = summarize(st.latency());
    out += s->spec().name + ": " + s->spec().path + ", " + std::to_string(st.requests_sent()) +
           " sent in " + seconds_text(seconds_between(s->start_ns(), s->end_ns())) +
           " s; 95% CI p50 " + interval(l.p50) + ", p99 " + interval(l.p99);
    if (st.errors() > 0) out += "; errors " + st.error_classes_text();
    out += "\n";
    if (s->spec().open_loop()) {
      const LatencySummary late = summarize(st.lateness());
      const LatencySummary service = summarize(st.service());
      out += "  client lateness (sent - due) p50 " + format_ms(late.p50.value_ms) + ", p99 " +
             format_ms(late.p99.value_ms) + ", max " + format_ms(late.max_ms) +
             "; service time (from the actual send) p50 " + format_ms(service.p50.value_ms) +
             ", p99 " + format_ms(service.p99.value_ms) + "\n";
      if (st.conn_waits() > 0)
        out += "  " + std::to_string(st.conn_waits()) + " requests found all " +
               std::to_string(s->spec().max_conns) + " connections busy and waited (--max-conns)\n";
    }
  }
  return out;
}

}  // namespace bench
