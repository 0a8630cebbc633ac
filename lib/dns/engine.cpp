#include "dns/engine.hpp"

#include <dirent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <functional>
#include <memory>
#include <numeric>
#include <queue>
#include <utility>

#include "dns/random.hpp"
#include "plugin/fd.hpp"
#include "plugin/signals.hpp"

namespace anycast::dns {
namespace {

using plugin::UniqueFd;

constexpr std::size_t max_dns_message = 65535;
constexpr std::uint64_t tcp_tag = 0xff;  // epoll tag of a flight's TCP socket; UDP tries use 0..10
constexpr std::size_t descriptor_reserve = 16;

enum class Phase { udp, tcp_connecting, tcp_writing, tcp_reading };

struct Attempt {
    UniqueFd socket;
    std::uint16_t id = 0;
    bool stamped = false;  // kernel timestamps were granted on this socket
    Clock::time_point sent_at;
    ClockOffset offset_at_send;
    std::optional<timespec> transmit;
};

struct Flight {
    Phase phase = Phase::udp;
    std::vector<Attempt> attempts;  // UDP tries in the order sent
    Clock::duration retry_interval{};
    Attempt tcp;
    std::vector<std::uint8_t> tcp_out;  // length-prefixed query
    std::size_t tcp_out_done = 0;
    std::vector<std::uint8_t> tcp_in;  // the message being read, length prefix included
    Clock::time_point connect_started;
};

struct Timer {
    Clock::time_point at;
    std::size_t job;
    std::size_t attempts;  // the flight's try count when set: a stale timer is ignored
    bool operator>(const Timer& other) const { return at > other.at; }
};

// What a wake-up found: one clock reading for all its events (each answer was there by then),
// plus the realtime offset for kernel stamps.
struct Wakeup {
    Clock::time_point at;
    ClockOffset offset;
};

bool local_resource_error(int error) {
    return error == EMFILE || error == ENFILE || error == ENOBUFS || error == ENOMEM;
}

std::string errno_text(int error) {
    return std::strerror(error);
}

class Engine {
public:
    Engine(std::span<const QueryJob> jobs, Clock::time_point deadline, const EngineOptions& options);
    std::vector<QueryResult> run();

private:
    void start_due(Clock::time_point now);
    void fire_timers(Clock::time_point now);
    Clock::time_point next_wake() const;
    void wait_and_dispatch(Clock::time_point now);
    void dispatch(std::uint64_t tag, std::uint32_t events, const Wakeup& wake);

    // Opens, registers and sends one UDP try; 0 or the errno of what failed.
    int send_udp_try(std::size_t job, Flight& flight);
    int open_socket(std::size_t job, std::uint64_t tag, int type, std::uint32_t events, Attempt& out);
    int start_tcp(std::size_t job, Flight& flight);  // 0, or the errno of a socket that could not be had
    void on_udp_event(std::size_t job, std::size_t index, std::uint32_t events, const Wakeup& wake);
    void on_tcp_event(std::size_t job, std::uint32_t events, const Wakeup& wake);
    void tcp_write(std::size_t job, Flight& flight);
    void tcp_read(std::size_t job, Flight& flight, const Wakeup& wake);
    // True when the message settled the query.
    bool accept_message(std::size_t job, Attempt& attempt, int try_number,
                        std::span<const std::uint8_t> message, const Wakeup& wake,
                        const std::optional<timespec>& receive);
    void finish(std::size_t job, QueryStatus status, std::string error = {});
    void finish_with_socket_error(std::size_t job, int error);
    void close_attempt(Attempt& attempt);
    void settle_unfinished();

    std::span<const QueryJob> jobs_;
    Clock::time_point deadline_;
    Clock::time_point began_;
    std::size_t budget_;
    std::size_t open_sockets_ = 0;
    bool descriptors_exhausted_ = false;
    bool waited_for_socket_ = false;  // a due job waited for a socket to be freed
    UniqueFd epoll_;
    std::vector<std::unique_ptr<Flight>> flights_;
    std::vector<QueryResult> results_;
    std::vector<char> started_;
    std::vector<std::size_t> order_;  // job indices by start time
    std::size_t next_ = 0;            // first job in order_ not started yet
    std::size_t finished_ = 0;
    std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
    std::vector<char> group_answered_;
    std::unique_ptr<std::array<std::uint8_t, max_dns_message>> buffer_;
};

Engine::Engine(std::span<const QueryJob> jobs, Clock::time_point deadline, const EngineOptions& options)
    : jobs_(jobs),
      deadline_(deadline),
      began_(Clock::now()),
      budget_(options.max_in_flight > 0 ? options.max_in_flight : 0),
      flights_(jobs.size()),
      results_(jobs.size()),
      started_(jobs.size(), 0),
      order_(jobs.size()),
      // Not zeroed: a receive writes what it reads, and zeroing 64 KB faults in 16 pages that a
      // one-query run never uses (a tenth of its start-up).
      buffer_(std::make_unique_for_overwrite<std::array<std::uint8_t, max_dns_message>>()) {
    if (budget_ == 0) {
        rlimit limit{};
        const std::size_t soft = getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY
                                     ? static_cast<std::size_t>(limit.rlim_cur)
                                     : 1024;
        budget_ =
            descriptor_budget(soft, descriptor_count_needed(jobs.size(), soft) ? open_descriptor_count() : 0);
    }
    std::iota(order_.begin(), order_.end(), std::size_t{0});
    std::stable_sort(order_.begin(), order_.end(), [&](std::size_t a, std::size_t b) {
        return jobs[a].start_offset < jobs[b].start_offset;
    });
    std::size_t groups = 0;
    for (const QueryJob& job : jobs) {
        if (job.response_group != no_response_group) {
            groups = std::max(groups, job.response_group + 1);
        }
    }
    group_answered_.assign(groups, 0);
    epoll_ = UniqueFd(::epoll_create1(EPOLL_CLOEXEC));
}

void Engine::close_attempt(Attempt& attempt) {
    if (attempt.socket.valid()) {
        attempt.socket.reset();  // closing also removes it from the epoll set
        --open_sockets_;
    }
}

void Engine::finish(std::size_t job, QueryStatus status, std::string error) {
    Flight& flight = *flights_[job];
    QueryResult& result = results_[job];
    result.status = status;
    result.error = std::move(error);
    if (status != QueryStatus::answered) {
        result.lost_attempts = result.attempts;
    }
    for (Attempt& attempt : flight.attempts) {
        close_attempt(attempt);
    }
    close_attempt(flight.tcp);
    flights_[job].reset();
    ++finished_;
}

// An error from the kernel on our connected socket: ICMP port unreachable (ECONNREFUSED) means
// nothing listens; the others mean the path is broken.
void Engine::finish_with_socket_error(std::size_t job, int error) {
    if (error == ECONNREFUSED) {
        finish(job, QueryStatus::refused,
               results_[job].transport == Transport::tcp ? "TCP connection refused"
                                                         : "port unreachable (nothing listens)");
    } else {
        finish(job, QueryStatus::network_error, errno_text(error));
    }
}

int Engine::open_socket(std::size_t job, std::uint64_t tag, int type, std::uint32_t events, Attempt& out) {
    const Endpoint& server = jobs_[job].server;
    UniqueFd socket(::socket(server.family(), type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!socket.valid()) {
        return errno;
    }
    epoll_event event{};
    event.events = events;
    event.data.u64 = (static_cast<std::uint64_t>(job) << 8) | tag;
    if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, socket.get(), &event) != 0) {
        return errno;
    }
    out.stamped = enable_timestamps(socket.get());
    out.socket = std::move(socket);
    ++open_sockets_;
    return 0;
}

int Engine::send_udp_try(std::size_t job, Flight& flight) {
    const QueryJob& spec = jobs_[job];
    Attempt attempt;
    const int tag = static_cast<int>(flight.attempts.size());
    if (const int error = open_socket(job, static_cast<std::uint64_t>(tag), SOCK_DGRAM, EPOLLIN, attempt)) {
        return error;
    }
    attempt.id = random_query_id();
    const std::vector<std::uint8_t> query = build_query(spec.spec, attempt.id);
    const int fd = attempt.socket.get();
    QueryResult& result = results_[job];
    flight.attempts.push_back(std::move(attempt));
    Attempt& sent = flight.attempts.back();
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&spec.server.address), spec.server.length) != 0) {
        finish_with_socket_error(job, errno);
        return 0;
    }
    sent.sent_at = Clock::now();
    if (::send(fd, query.data(), query.size(), 0) < 0) {
        const int error = errno;
        if (local_resource_error(error) && result.attempts > 0) {
            close_attempt(sent);  // the earlier tries still count; this one never left
            return 0;
        }
        finish_with_socket_error(job, error);
        return 0;
    }
    sent.offset_at_send = read_clock_offset();
    if (sent.stamped) {
        sent.transmit = drain_transmit_stamps(fd);  // loopback, veth and TUN stamp inside send()
    }
    ++result.attempts;
    if (result.attempts <= std::clamp(spec.retry.retries, 0, max_retries)) {
        timers_.push(Timer{sent.sent_at + flight.retry_interval, job, flight.attempts.size()});
    }
    return 0;
}

int Engine::start_tcp(std::size_t job, Flight& flight) {
    const QueryJob& spec = jobs_[job];
    results_[job].transport = Transport::tcp;
    flight.phase = Phase::tcp_connecting;
    if (const int error = open_socket(job, tcp_tag, SOCK_STREAM, EPOLLOUT, flight.tcp)) {
        return error;
    }
    const int fd = flight.tcp.socket.get();
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    flight.tcp.id = random_query_id();
    const std::vector<std::uint8_t> query = build_query(spec.spec, flight.tcp.id);
    flight.tcp_out = {static_cast<std::uint8_t>(query.size() >> 8),
                      static_cast<std::uint8_t>(query.size() & 0xff)};
    flight.tcp_out.insert(flight.tcp_out.end(), query.begin(), query.end());
    flight.tcp_out_done = 0;
    flight.tcp_in.clear();
    flight.connect_started = Clock::now();
    ++results_[job].attempts;
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&spec.server.address), spec.server.length) != 0 &&
        errno != EINPROGRESS) {
        finish_with_socket_error(job, errno);
    }
    return 0;  // writable once connected
}

// Starts every job that is due while sockets are free. A local shortage (EMFILE and the like)
// shrinks the budget to what is open and leaves the job queued: it is the check's limit, not a
// fault of the server.
void Engine::start_due(Clock::time_point now) {
    while (next_ < order_.size() && open_sockets_ < budget_) {
        const std::size_t job = order_[next_];
        if (began_ + jobs_[job].start_offset > now) {
            return;
        }
        auto flight = std::make_unique<Flight>();
        flight->retry_interval = effective_retry_interval(jobs_[job].retry, deadline_ - now);
        flights_[job] = std::move(flight);
        started_[job] = 1;
        const int error = jobs_[job].spec.transport == Transport::tcp ? start_tcp(job, *flights_[job])
                                                                      : send_udp_try(job, *flights_[job]);
        if (error != 0 && local_resource_error(error)) {
            flights_[job].reset();
            started_[job] = 0;
            budget_ = open_sockets_;
            descriptors_exhausted_ = true;
            return;
        }
        ++next_;
        if (error != 0) {
            finish(job, QueryStatus::network_error, "socket: " + errno_text(error));
        }
    }
}

void Engine::fire_timers(Clock::time_point now) {
    while (!timers_.empty() && timers_.top().at <= now) {
        const Timer timer = timers_.top();
        timers_.pop();
        Flight* flight = flights_[timer.job].get();
        if (flight == nullptr || flight->phase != Phase::udp || flight->attempts.size() != timer.attempts) {
            continue;  // answered, moved to TCP, or already retried
        }
        if (open_sockets_ >= budget_) {
            // No socket to spare: this query gives up its oldest open try for the new one.
            for (Attempt& attempt : flight->attempts) {
                if (attempt.socket.valid()) {
                    close_attempt(attempt);
                    break;
                }
            }
        }
        if (send_udp_try(timer.job, *flight) != 0 && flights_[timer.job]) {
            // Not even one socket: keep waiting on the tries already out; try again one interval on.
            timers_.push(Timer{now + flight->retry_interval, timer.job, flight->attempts.size()});
        }
    }
}

Clock::time_point Engine::next_wake() const {
    Clock::time_point wake = deadline_;
    if (next_ < order_.size() && open_sockets_ < budget_) {
        wake = std::min(wake, began_ + jobs_[order_[next_]].start_offset);
    }
    if (!timers_.empty()) {
        wake = std::min(wake, timers_.top().at);
    }
    return wake;
}

void Engine::wait_and_dispatch(Clock::time_point now) {
    std::array<epoll_event, 256> events{};
    const auto wait = std::max<Clock::duration>(Clock::duration::zero(), next_wake() - now);
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(wait).count();
    const timespec timeout{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
    // ppoll on the epoll descriptor gives a nanosecond timeout everywhere (epoll_pwait2 needs
    // Linux 5.11 and is unknown to valgrind 3.19); epoll_wait then only collects what is ready.
    // The termination self-pipe (lib/plugin/signals.hpp) wakes the wait at once on SIGTERM/INT/HUP.
    std::array<pollfd, 2> set{pollfd{epoll_.get(), POLLIN, 0}, pollfd{plugin::termination_fd(), POLLIN, 0}};
    const nfds_t watched = set[1].fd >= 0 ? 2 : 1;
    int ready = ::ppoll(set.data(), watched, &timeout, nullptr);
    if (ready > 0 && (set[0].revents & POLLIN) != 0) {
        ready = ::epoll_wait(epoll_.get(), events.data(), static_cast<int>(events.size()), 0);
    } else {
        ready = 0;  // only the termination pipe (or nothing) is ready: no socket event to dispatch
    }
    const Wakeup wake{Clock::now(), read_clock_offset()};
    // An answer seen after the deadline does not count: the check promised its verdict by then.
    if (ready <= 0 || wake.at > deadline_) {
        return;
    }
    for (int i = 0; i < ready; ++i) {
        dispatch(events[static_cast<std::size_t>(i)].data.u64, events[static_cast<std::size_t>(i)].events,
                 wake);
    }
}

void Engine::dispatch(std::uint64_t tag, std::uint32_t events, const Wakeup& wake) {
    const auto job = static_cast<std::size_t>(tag >> 8);
    if (job >= flights_.size() || !flights_[job]) {
        return;  // settled by an earlier event of this wake-up
    }
    if ((tag & 0xff) == tcp_tag) {
        on_tcp_event(job, events, wake);
    } else {
        on_udp_event(job, static_cast<std::size_t>(tag & 0xff), events, wake);
    }
}

void Engine::on_udp_event(std::size_t job, std::size_t index, std::uint32_t events, const Wakeup& wake) {
    Flight& flight = *flights_[job];
    if (flight.phase != Phase::udp || index >= flight.attempts.size() ||
        !flight.attempts[index].socket.valid()) {
        return;
    }
    Attempt& attempt = flight.attempts[index];
    const int fd = attempt.socket.get();
    if ((events & EPOLLERR) != 0 && attempt.stamped) {
        // Always drained: the error queue keeps EPOLLERR raised while anything is in it.
        const auto stamp = drain_transmit_stamps(fd);
        attempt.transmit = attempt.transmit ? attempt.transmit : stamp;
    }
    alignas(cmsghdr) std::array<char, 256> control{};
    // Bounded: a flood of unmatched datagrams is drained a batch at a time, between waits.
    for (int datagrams = 0; datagrams < 64; ++datagrams) {
        iovec data{buffer_->data(), buffer_->size()};
        msghdr message{};
        message.msg_iov = &data;
        message.msg_iovlen = 1;
        message.msg_control = control.data();
        message.msg_controllen = control.size();
        const ssize_t got = ::recvmsg(fd, &message, MSG_DONTWAIT);
        if (got < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                finish_with_socket_error(job, errno);
            }
            return;
        }
        if (accept_message(job, attempt, static_cast<int>(index) + 1,
                           std::span(buffer_->data(), static_cast<std::size_t>(got)), wake,
                           software_timestamp(message))) {
            return;
        }
        if (!flights_[job] || flights_[job]->phase != Phase::udp) {
            return;  // moved on to TCP after a truncated answer
        }
    }
}

bool Engine::accept_message(std::size_t job, Attempt& attempt, int try_number,
                            std::span<const std::uint8_t> message, const Wakeup& wake,
                            const std::optional<timespec>& receive) {
    const QueryJob& spec = jobs_[job];
    QueryResult& result = results_[job];
    ParseOutcome outcome = parse_response(message, attempt.id, spec.spec.question);
    if (outcome.match != Match::matched) {
        ++result.ignored_replies;
        result.last_ignored_reason = std::string(match_name(outcome.match)) + ": " + outcome.problem;
        return false;
    }
    if (attempt.stamped && !attempt.transmit && attempt.socket.valid()) {
        attempt.transmit = drain_transmit_stamps(attempt.socket.get());
    }
    const MeasuredRtt rtt =
        choose_rtt(RttInputs{attempt.sent_at, wake.at, attempt.stamped ? attempt.transmit : std::nullopt,
                             receive, attempt.offset_at_send, wake.offset});
    result.rtt = rtt.value;
    result.userspace_rtt = std::chrono::duration_cast<std::chrono::nanoseconds>(wake.at - attempt.sent_at);
    result.rtt_method = rtt.method;
    result.clock_step = rtt.clock_step;
    Flight& flight = *flights_[job];
    if (flight.phase == Phase::udp) {
        result.answered_attempt = try_number;
        result.lost_attempts = try_number - 1;
        if (outcome.response->tc) {
            result.udp_truncated = true;
            if (spec.spec.tcp_fallback_on_truncation) {
                for (Attempt& other : flight.attempts) {
                    close_attempt(other);
                }
                if (const int error = start_tcp(job, flight)) {
                    finish(job, QueryStatus::network_error, "socket: " + errno_text(error));
                }
                return !flights_[job];
            }
        }
    } else if (result.answered_attempt == 0) {
        result.answered_attempt = try_number;  // --tcp: the one exchange
    }
    const std::size_t group = spec.response_group;
    if (group == no_response_group || group_answered_[group] == 0) {
        result.response = std::move(outcome.response);
        if (group != no_response_group) {
            group_answered_[group] = 1;
        }
    }
    finish(job, QueryStatus::answered);
    return true;
}

void Engine::on_tcp_event(std::size_t job, std::uint32_t events, const Wakeup& wake) {
    Flight& flight = *flights_[job];
    const int fd = flight.tcp.socket.get();
    if (flight.phase == Phase::tcp_connecting) {
        int error = 0;
        socklen_t length = sizeof error;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) {
            error = errno;
        }
        if (error != 0) {
            finish_with_socket_error(job, error);
            return;
        }
        results_[job].tcp_connect_time = Clock::now() - flight.connect_started;
        flight.phase = Phase::tcp_writing;
    }
    if (flight.phase == Phase::tcp_writing) {
        tcp_write(job, flight);
        return;
    }
    if ((events & EPOLLERR) != 0 && flight.tcp.stamped) {
        // The first stamp is the query's first transmission; a retransmission may add more.
        const auto stamp = drain_transmit_stamps(fd);
        flight.tcp.transmit = flight.tcp.transmit ? flight.tcp.transmit : stamp;
    }
    if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0) {
        tcp_read(job, flight, wake);
    }
}

void Engine::tcp_write(std::size_t job, Flight& flight) {
    const int fd = flight.tcp.socket.get();
    if (flight.tcp_out_done == 0) {
        flight.tcp.sent_at = Clock::now();
    }
    const ssize_t sent = ::send(fd, flight.tcp_out.data() + flight.tcp_out_done,
                                flight.tcp_out.size() - flight.tcp_out_done, MSG_NOSIGNAL);
    if (sent < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            finish_with_socket_error(job, errno);
        }
        return;
    }
    flight.tcp_out_done += static_cast<std::size_t>(sent);
    if (flight.tcp_out_done < flight.tcp_out.size()) {
        return;
    }
    flight.tcp.offset_at_send = read_clock_offset();
    if (flight.tcp.stamped) {
        flight.tcp.transmit = drain_transmit_stamps(fd);
    }
    flight.phase = Phase::tcp_reading;
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = (static_cast<std::uint64_t>(job) << 8) | tcp_tag;
    ::epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, fd, &event);
}

void Engine::tcp_read(std::size_t job, Flight& flight, const Wakeup& wake) {
    alignas(cmsghdr) std::array<char, 256> control{};
    iovec data{buffer_->data(), buffer_->size()};
    msghdr message{};
    message.msg_iov = &data;
    message.msg_iovlen = 1;
    message.msg_control = control.data();
    message.msg_controllen = control.size();
    const ssize_t got = ::recvmsg(flight.tcp.socket.get(), &message, MSG_DONTWAIT);
    if (got < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            finish_with_socket_error(job, errno);
        }
        return;
    }
    if (got == 0) {
        finish(job, QueryStatus::network_error, "TCP connection closed before a complete answer");
        return;
    }
    const std::optional<timespec> receive = software_timestamp(message);
    flight.tcp_in.insert(flight.tcp_in.end(), buffer_->begin(), buffer_->begin() + got);
    // Several messages may be in the stream; an unmatched one is skipped like a stray datagram.
    while (flights_[job] && flight.tcp_in.size() >= 2) {
        const std::size_t length = (static_cast<std::size_t>(flight.tcp_in[0]) << 8) | flight.tcp_in[1];
        if (flight.tcp_in.size() < 2 + length) {
            return;
        }
        const std::vector<std::uint8_t> one(flight.tcp_in.begin() + 2,
                                            flight.tcp_in.begin() + 2 + static_cast<long>(length));
        flight.tcp_in.erase(flight.tcp_in.begin(), flight.tcp_in.begin() + 2 + static_cast<long>(length));
        if (accept_message(job, flight.tcp, results_[job].attempts, one, wake, receive)) {
            return;
        }
    }
}

void Engine::settle_unfinished() {
    // Built once: --count 100 over 5000 addresses leaves up to 500,000 queries unsent, and a text
    // of their own for each was a large part of the time spent after the deadline. Only the first
    // unsent query of a response group carries it (see QueryResult::error).
    const std::string unsent_text = waited_for_socket_
                                        ? "not sent: no socket free before the deadline (at most " +
                                              std::to_string(budget_) + " open: ulimit -n)"
                                        : "not sent before the deadline";
    std::vector<char> group_told(group_answered_.size(), 0);
    for (std::size_t job = 0; job < jobs_.size(); ++job) {
        QueryResult& result = results_[job];
        if (!started_[job]) {
            result.status = QueryStatus::not_sent;
            const std::size_t group = jobs_[job].response_group;
            if (group == no_response_group) {
                result.error = unsent_text;
            } else if (group_told[group] == 0) {
                result.error = unsent_text;
                group_told[group] = 1;
            }
            continue;
        }
        if (!flights_[job]) {
            continue;
        }
        const Phase phase = flights_[job]->phase;
        std::string error = "no answer";
        if (result.udp_truncated) {
            error = "answer truncated over UDP and the TCP retry did not finish";
        } else if (phase == Phase::tcp_connecting) {
            error = "TCP connection not established";
        }
        result.response.reset();
        finish(job, QueryStatus::timeout, std::move(error));
    }
}

std::vector<QueryResult> Engine::run() {
    if (!epoll_.valid()) {
        descriptors_exhausted_ = true;
        waited_for_socket_ = true;
        settle_unfinished();
        return std::move(results_);
    }
    // Each pass starts what is due, fires retries and handles one wake-up; the deadline bounds it.
    while (finished_ < jobs_.size()) {
        const Clock::time_point now = Clock::now();
        if (now >= deadline_ || plugin::termination_requested()) {
            break;  // a SIGTERM ends the wait as the deadline does
        }
        start_due(now);
        if (next_ < order_.size() && open_sockets_ >= budget_ &&
            began_ + jobs_[order_[next_]].start_offset <= now) {
            waited_for_socket_ = true;
        }
        fire_timers(now);
        if (finished_ == jobs_.size()) {
            break;
        }
        if (open_sockets_ == 0 && next_ < order_.size() && budget_ == 0) {
            break;  // not one socket can be had: the rest is "not sent"
        }
        wait_and_dispatch(Clock::now());
    }
    settle_unfinished();
    return std::move(results_);
}

}  // namespace

Clock::duration effective_retry_interval(const RetryPolicy& policy, Clock::duration time_left) {
    if (policy.interval > Clock::duration::zero()) {
        return policy.interval;
    }
    const int tries = std::clamp(policy.retries, 0, max_retries) + 1;
    return std::clamp(time_left / tries, Clock::duration{std::chrono::microseconds{100}},
                      max_auto_retry_interval);
}

std::size_t descriptor_budget(std::size_t soft_limit, std::size_t open_now) {
    const std::size_t free = soft_limit > open_now ? soft_limit - open_now : 0;
    // The epoll descriptor, the resolver thread's socket, identity queries' spare: a fixed reserve,
    // less of it when few are free (an eighth), so that a tight limit still sends something.
    const std::size_t reserve = std::min(descriptor_reserve, free / 8 + 1);
    return std::min(free > reserve ? free - reserve : 0, max_sockets);
}

bool descriptor_count_needed(std::size_t jobs, std::size_t soft_limit) {
    const auto tries = static_cast<std::size_t>(max_retries) + 1;
    return jobs >= soft_limit / 4 / tries;
}

std::size_t open_descriptor_count() {
    DIR* directory = ::opendir("/proc/self/fd");
    if (directory == nullptr) {
        return 0;
    }
    std::size_t count = 0;
    for (int i = 0; i < 1'000'000 && ::readdir(directory) != nullptr; ++i) {
        ++count;
    }
    ::closedir(directory);
    // ".", ".." and the directory's own descriptor are not open for good.
    return count >= 3 ? count - 3 : 0;
}

std::optional<std::string> truncation_problem(const QueryResult& result) {
    if (!result.response || !result.response->tc) {
        return std::nullopt;
    }
    return result.transport == Transport::tcp ? "answer truncated (TC) even over TCP"
                                              : "answer truncated (TC) and TCP fallback is off";
}

std::string_view query_status_name(QueryStatus status) {
    switch (status) {
        case QueryStatus::answered:
            return "answered";
        case QueryStatus::timeout:
            return "timeout";
        case QueryStatus::refused:
            return "refused";
        case QueryStatus::network_error:
            return "network error";
        case QueryStatus::not_sent:
            return "not sent";
    }
    return "unknown";
}

std::vector<QueryResult> run_queries(std::span<const QueryJob> jobs, Clock::time_point deadline,
                                     const EngineOptions& options) {
    if (jobs.empty()) {
        return {};  // an identity already known, say: no epoll, no buffer, no limit to read
    }
    Engine engine(jobs, deadline, options);
    return engine.run();
}

}  // namespace anycast::dns
