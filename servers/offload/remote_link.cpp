// The broker connection, reply inbox and heartbeats of the remote strategy (remote_link.hpp).
#include "remote_link.hpp"

#include <charconv>
#include <chrono>

namespace offload::remote {

namespace {

// How long the closer waits for the subscriptions' delivery threads to end (they end within
// milliseconds of the close; the bound keeps a wedged library from holding shutdown).
constexpr auto kSubscriptionsDoneWait = std::chrono::seconds(3);

std::uint64_t attempt_of(const char* subject) {
  const std::string_view s = subject != nullptr ? subject : "";
  const auto dot = s.rfind('.');
  std::uint64_t attempt = 0;
  if (dot == std::string_view::npos) return 0;
  std::from_chars(s.data() + dot + 1, s.data() + s.size(), attempt);
  return attempt;
}

}  // namespace

Link::Link(uv_loop_t* loop, std::string workload, Mailbox<Inbound>::Deliver deliver)
    : workload_(std::move(workload)),
      job_subject_(remote::job_subject(workload_)),
      mailbox_(loop, std::move(deliver)) {}

Link::~Link() {
  // Normally close_async() and finish() have run; otherwise close here, synchronously.
  if (closer_.joinable()) closer_.join();
  close_now();
  mailbox_.close();
}

std::string Link::connect(natsc::ConnectOptions options, bool retry_at_start) {
  options.retry_at_start = retry_at_start;
  options.on_event = [this](natsc::Event e) {
    Inbound item;
    item.kind = Inbound::Kind::connection;
    item.event = e;
    mailbox_.post(std::move(item));
  };
  if (std::string err = conn_.connect(std::move(options)); !err.empty()) return err;
  natsInbox* inbox = nullptr;
  natsStatus s = natsInbox_Create(&inbox);
  if (s == NATS_OK) {
    inbox_ = inbox;
    natsInbox_Destroy(inbox);
    s = natsConnection_Subscribe(&replies_, conn_.get(), (inbox_ + ".*").c_str(), on_reply, this);
  }
  if (s == NATS_OK) {
    ++subscriptions_;
    s = natsSubscription_SetOnCompleteCB(replies_, on_subscription_done, this);
  }
  // Replies are handed on at once; a limit would only drop answers under a burst.
  if (s == NATS_OK) s = natsSubscription_SetPendingLimits(replies_, -1, -1);
  if (s == NATS_OK)
    s = natsConnection_Subscribe(&beats_, conn_.get(), heartbeat_subject(workload_).c_str(),
                                 on_heartbeat, this);
  if (s == NATS_OK) {
    ++subscriptions_;
    s = natsSubscription_SetOnCompleteCB(beats_, on_subscription_done, this);
  }
  // The subscriptions reach the broker before any job is published on this connection (one
  // socket, in order); waiting for them here only makes a refused one an error at start.
  if (s == NATS_OK && conn_.connected()) s = natsConnection_FlushTimeout(conn_.get(), 5000);
  if (s != NATS_OK) return "cannot subscribe: " + natsc::describe(s);
  return {};
}

natsStatus Link::publish(std::uint64_t attempt, const std::string& frame) {
  const std::string reply = inbox_ + "." + std::to_string(attempt);
  return natsConnection_PublishRequest(conn_.get(), job_subject_.c_str(), reply.c_str(),
                                       frame.data(), static_cast<int>(frame.size()));
}

void Link::take(std::vector<Accepted>& accepted, std::vector<Beat>& beats) {
  std::lock_guard<std::mutex> lock(mutex_);
  accepted.swap(accepted_);
  beats.swap(beats_seen_);
}

void Link::on_reply(natsConnection*, natsSubscription*, natsMsg* msg, void* self) {
  static_cast<Link*>(self)->reply(msg);
  natsMsg_Destroy(msg);
}

void Link::reply(natsMsg* msg) {
  const std::uint64_t received_ns = uv_hrtime();
  const std::uint64_t attempt = attempt_of(natsMsg_GetSubject(msg));
  const ReplyKind kind = classify_reply(msg);
  if (kind == ReplyKind::accepted) {
    const std::uint64_t interval = accepted_interval_ms(msg);
    std::lock_guard<std::mutex> lock(mutex_);
    accepted_.push_back({attempt, natsc::header(msg, kWorkerHeader), interval});
    return;
  }
  Inbound item;
  item.attempt = attempt;
  item.received_ns = received_ns;
  if (kind == ReplyKind::no_responders) {
    item.kind = Inbound::Kind::no_responders;
  } else {
    item.worker = natsc::header(msg, kWorkerHeader);
    const std::string_view body(natsMsg_GetData(msg),
                                static_cast<std::size_t>(natsMsg_GetDataLength(msg)));
    std::string_view payload;
    const bool ok = kind == ReplyKind::result && frame_payload(body, payload) &&
                    wire::decode(payload, item.result) && item.result.id == attempt;
    item.kind = ok ? Inbound::Kind::result : Inbound::Kind::malformed;
  }
  mailbox_.post(std::move(item));
}

void Link::on_heartbeat(natsConnection*, natsSubscription*, natsMsg* msg, void* self) {
  auto* link = static_cast<Link*>(self);
  Beat beat;
  beat.at_ms = uv_hrtime() / 1'000'000;
  if (read_heartbeat(msg, beat.heartbeat)) {
    std::lock_guard<std::mutex> lock(link->mutex_);
    link->beats_seen_.push_back(std::move(beat));
  }
  natsMsg_Destroy(msg);
}

void Link::on_subscription_done(void* self) {
  auto* link = static_cast<Link*>(self);
  std::lock_guard<std::mutex> lock(link->mutex_);
  ++link->subscriptions_done_;
  link->done_cv_.notify_all();
}

void Link::close_now() {
  if (conn_.get() == nullptr) return;
  conn_.close();  // every subscription closes with it; waits for the closed callback
  {
    std::unique_lock<std::mutex> lock(mutex_);
    done_cv_.wait_for(lock, kSubscriptionsDoneWait,
                      [this] { return subscriptions_done_ == subscriptions_; });
  }
  natsSubscription_Destroy(replies_);
  natsSubscription_Destroy(beats_);
  replies_ = beats_ = nullptr;
}

void Link::close_async() {
  closer_ = std::thread([this] {
    close_now();
    Inbound done;
    done.kind = Inbound::Kind::torn_down;
    mailbox_.post(std::move(done));
  });
}

void Link::finish() {
  if (closer_.joinable()) closer_.join();
  mailbox_.close();
}

}  // namespace offload::remote
