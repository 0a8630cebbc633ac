#include "dns/engine.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <memory>
#include <utility>

#include "dns/random.hpp"
#include "plugin/signals.hpp"

namespace anycast::dns {
namespace {

constexpr std::size_t max_dns_message = 65535;

class FileDescriptor {
public:
    FileDescriptor() = default;
    explicit FileDescriptor(int fd) : fd_(fd) {}
    FileDescriptor(FileDescriptor&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    FileDescriptor& operator=(FileDescriptor&& other) noexcept {
        if (this != &other) {
            reset();
            fd_ = std::exchange(other.fd_, -1);
        }
        return *this;
    }
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    ~FileDescriptor() { reset(); }

    int get() const { return fd_; }
    bool valid() const { return fd_ >= 0; }
    void reset() {
        if (fd_ >= 0) {
            ::close(fd_);
            fd_ = -1;
        }
    }

private:
    int fd_ = -1;
};

enum class Phase { waiting, udp_sent, tcp_connecting, tcp_writing, tcp_reading, done };

struct Flight {
    Phase phase = Phase::waiting;
    FileDescriptor socket;
    std::uint16_t id = 0;
    std::vector<std::uint8_t> query;
    Clock::time_point start_at;
    Clock::time_point sent_at;
    Clock::time_point connect_started;
    std::vector<std::uint8_t> tcp_out;  // length-prefixed query
    std::size_t tcp_out_done = 0;
    std::vector<std::uint8_t> tcp_in;  // the message being read, length prefix included
    QueryResult result;
};

std::size_t derive_max_in_flight(std::size_t requested) {
    if (requested > 0) {
        return requested;
    }
    rlimit limit{};
    std::size_t allowed = 256;
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
        // Leave room for stdio, the resolver thread and whatever the libraries open.
        allowed = limit.rlim_cur > 64 ? static_cast<std::size_t>(limit.rlim_cur) - 48 : 16;
    }
    return std::clamp<std::size_t>(allowed, 16, 4096);
}

std::string errno_text(int error) {
    return std::strerror(error);
}

void finish(Flight& flight, QueryStatus status, std::string error = {}) {
    flight.result.status = status;
    flight.result.error = std::move(error);
    flight.phase = Phase::done;
    flight.socket.reset();
}

// An error from the kernel on our connected socket: ICMP port unreachable (ECONNREFUSED) means
// nothing listens; the others mean the path is broken.
void finish_with_socket_error(Flight& flight, int error) {
    if (error == ECONNREFUSED) {
        finish(flight, QueryStatus::refused,
               flight.result.transport == Transport::tcp ? "TCP connection refused"
                                                         : "port unreachable (nothing listens)");
    } else {
        finish(flight, QueryStatus::network_error, errno_text(error));
    }
}

FileDescriptor open_socket(const Endpoint& server, int type) {
    return FileDescriptor(::socket(server.family(), type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
}

void start_tcp(Flight& flight, const Endpoint& server, Clock::time_point now) {
    flight.result.transport = Transport::tcp;
    flight.socket = open_socket(server, SOCK_STREAM);
    if (!flight.socket.valid()) {
        finish(flight, QueryStatus::network_error, "socket: " + errno_text(errno));
        return;
    }
    const int one = 1;
    setsockopt(flight.socket.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    flight.tcp_out.clear();
    flight.tcp_out.push_back(static_cast<std::uint8_t>(flight.query.size() >> 8));
    flight.tcp_out.push_back(static_cast<std::uint8_t>(flight.query.size() & 0xff));
    flight.tcp_out.insert(flight.tcp_out.end(), flight.query.begin(), flight.query.end());
    flight.tcp_out_done = 0;
    flight.tcp_in.clear();
    flight.connect_started = now;
    if (::connect(flight.socket.get(), reinterpret_cast<const sockaddr*>(&server.address), server.length) ==
        0) {
        flight.phase = Phase::tcp_writing;
        flight.result.tcp_connect_time = Clock::now() - now;
    } else if (errno == EINPROGRESS) {
        flight.phase = Phase::tcp_connecting;
    } else {
        finish_with_socket_error(flight, errno);
    }
}

void start(Flight& flight, const QueryJob& job, Clock::time_point now) {
    flight.id = random_query_id();
    flight.query = build_query(job.spec, flight.id);
    if (job.spec.transport == Transport::tcp) {
        start_tcp(flight, job.server, now);
        return;
    }
    flight.result.transport = Transport::udp;
    flight.socket = open_socket(job.server, SOCK_DGRAM);
    if (!flight.socket.valid()) {
        finish(flight, QueryStatus::network_error, "socket: " + errno_text(errno));
        return;
    }
    if (::connect(flight.socket.get(), reinterpret_cast<const sockaddr*>(&job.server.address),
                  job.server.length) != 0) {
        finish_with_socket_error(flight, errno);
        return;
    }
    flight.sent_at = Clock::now();
    if (::send(flight.socket.get(), flight.query.data(), flight.query.size(), 0) < 0) {
        finish_with_socket_error(flight, errno);
        return;
    }
    flight.phase = Phase::udp_sent;
}

// Handles one complete message from the wire; true when the query is settled by it.
bool accept_message(Flight& flight, const QueryJob& job, std::span<const std::uint8_t> message,
                    Clock::time_point seen_at) {
    ParseOutcome outcome = parse_response(message, flight.id, job.spec.question);
    if (outcome.match != Match::matched) {
        ++flight.result.ignored_replies;
        flight.result.last_ignored_reason = std::string(match_name(outcome.match)) + ": " + outcome.problem;
        return false;
    }
    flight.result.rtt = seen_at - flight.sent_at;
    if (flight.result.transport == Transport::udp && outcome.response->tc) {
        flight.result.udp_truncated = true;
        if (job.spec.tcp_fallback_on_truncation) {
            flight.socket.reset();
            start_tcp(flight, job.server, Clock::now());
            return flight.phase == Phase::done;
        }
    }
    flight.result.response = std::move(outcome.response);
    finish(flight, QueryStatus::answered);
    return true;
}

void on_udp_readable(Flight& flight, const QueryJob& job, Clock::time_point seen_at,
                     std::array<std::uint8_t, max_dns_message>& buffer) {
    // Bounded: a flood of unmatched datagrams is drained a batch at a time, between polls.
    for (int datagrams = 0; datagrams < 64 && flight.phase == Phase::udp_sent; ++datagrams) {
        const ssize_t got = ::recv(flight.socket.get(), buffer.data(), buffer.size(), 0);
        if (got < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                finish_with_socket_error(flight, errno);
            }
            return;
        }
        if (accept_message(flight, job, std::span(buffer.data(), static_cast<std::size_t>(got)), seen_at)) {
            return;
        }
    }
}

void on_tcp_connected(Flight& flight) {
    int error = 0;
    socklen_t length = sizeof error;
    if (getsockopt(flight.socket.get(), SOL_SOCKET, SO_ERROR, &error, &length) != 0) {
        error = errno;
    }
    if (error != 0) {
        finish_with_socket_error(flight, error);
        return;
    }
    flight.result.tcp_connect_time = Clock::now() - flight.connect_started;
    flight.phase = Phase::tcp_writing;
}

void on_tcp_writable(Flight& flight) {
    if (flight.tcp_out_done == 0) {
        flight.sent_at = Clock::now();
    }
    const ssize_t sent = ::send(flight.socket.get(), flight.tcp_out.data() + flight.tcp_out_done,
                                flight.tcp_out.size() - flight.tcp_out_done, MSG_NOSIGNAL);
    if (sent < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            finish_with_socket_error(flight, errno);
        }
        return;
    }
    flight.tcp_out_done += static_cast<std::size_t>(sent);
    if (flight.tcp_out_done == flight.tcp_out.size()) {
        flight.phase = Phase::tcp_reading;
    }
}

void on_tcp_readable(Flight& flight, const QueryJob& job, Clock::time_point seen_at,
                     std::array<std::uint8_t, max_dns_message>& buffer) {
    const ssize_t got = ::recv(flight.socket.get(), buffer.data(), buffer.size(), 0);
    if (got < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            finish_with_socket_error(flight, errno);
        }
        return;
    }
    if (got == 0) {
        finish(flight, QueryStatus::network_error, "TCP connection closed before a complete answer");
        return;
    }
    flight.tcp_in.insert(flight.tcp_in.end(), buffer.begin(), buffer.begin() + got);
    // Several messages may be in the stream; an unmatched one is skipped like a stray datagram.
    while (flight.phase == Phase::tcp_reading && flight.tcp_in.size() >= 2) {
        const std::size_t length = (static_cast<std::size_t>(flight.tcp_in[0]) << 8) | flight.tcp_in[1];
        if (flight.tcp_in.size() < 2 + length) {
            return;
        }
        const std::vector<std::uint8_t> message(flight.tcp_in.begin() + 2,
                                                flight.tcp_in.begin() + 2 + static_cast<long>(length));
        flight.tcp_in.erase(flight.tcp_in.begin(), flight.tcp_in.begin() + 2 + static_cast<long>(length));
        accept_message(flight, job, message, seen_at);
    }
}

short wanted_events(Phase phase) {
    switch (phase) {
        case Phase::tcp_connecting:
        case Phase::tcp_writing:
            return POLLOUT;
        case Phase::udp_sent:
        case Phase::tcp_reading:
            return POLLIN;
        default:
            return 0;
    }
}

timespec to_timespec(Clock::duration duration) {
    const auto nanoseconds =
        std::max<std::int64_t>(0, std::chrono::duration_cast<std::chrono::nanoseconds>(duration).count());
    return timespec{static_cast<time_t>(nanoseconds / 1'000'000'000),
                    static_cast<long>(nanoseconds % 1'000'000'000)};
}

}  // namespace

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
    }
    return "unknown";
}

std::vector<QueryResult> run_queries(std::span<const QueryJob> jobs, Clock::time_point deadline,
                                     const EngineOptions& options) {
    const std::size_t max_in_flight = derive_max_in_flight(options.max_in_flight);
    const Clock::time_point began = Clock::now();
    std::vector<Flight> flights(jobs.size());
    for (std::size_t i = 0; i < jobs.size(); ++i) {
        flights[i].start_at = began + jobs[i].start_offset;
    }
    auto buffer = std::make_unique<std::array<std::uint8_t, max_dns_message>>();
    std::vector<pollfd> poll_set;
    std::vector<std::size_t> poll_owner;
    std::size_t in_flight = 0;
    std::size_t finished = 0;

    // Each pass either starts jobs, handles events or reaches the deadline; the deadline bounds it.
    while (finished < flights.size()) {
        Clock::time_point now = Clock::now();
        if (now >= deadline || plugin::termination_requested()) {
            break;  // a SIGTERM ends the wait as the deadline does (lib/plugin/signals.hpp)
        }
        Clock::time_point next_start = deadline;
        for (std::size_t i = 0; i < flights.size(); ++i) {
            Flight& flight = flights[i];
            if (flight.phase != Phase::waiting) {
                continue;
            }
            if (flight.start_at <= now && in_flight < max_in_flight) {
                start(flight, jobs[i], now);
                ++in_flight;
                if (flight.phase == Phase::done) {
                    --in_flight;
                    ++finished;
                }
            } else if (flight.start_at > now) {
                next_start = std::min(next_start, flight.start_at);
            }
        }

        poll_set.clear();
        poll_owner.clear();
        for (std::size_t i = 0; i < flights.size(); ++i) {
            const short events = wanted_events(flights[i].phase);
            if (events != 0) {
                poll_set.push_back(pollfd{flights[i].socket.get(), events, 0});
                poll_owner.push_back(i);
            }
        }
        if (finished == flights.size()) {
            break;
        }
        if (const int stop_fd = plugin::termination_fd(); stop_fd >= 0) {
            poll_set.push_back(pollfd{stop_fd, POLLIN, 0});  // readable once SIGTERM/INT/HUP came
            poll_owner.push_back(flights.size());
        }
        now = Clock::now();
        const timespec wait = to_timespec(std::min(next_start, deadline) - now);
        const int ready = ::ppoll(poll_set.data(), poll_set.size(), &wait, nullptr);
        // One timestamp for everything this wake-up found ready: each answer was there by then,
        // and handling earlier sockets must not add to a later socket's RTT.
        const Clock::time_point woke_at = Clock::now();
        if (ready <= 0) {
            continue;  // timeout of this wait, or EINTR: the loop re-checks the deadline
        }
        for (std::size_t k = 0; k < poll_set.size(); ++k) {
            if (poll_set[k].revents == 0 || poll_owner[k] == flights.size()) {
                continue;
            }
            Flight& flight = flights[poll_owner[k]];
            const QueryJob& job = jobs[poll_owner[k]];
            const bool error_event = (poll_set[k].revents & (POLLERR | POLLHUP | POLLNVAL)) != 0;
            switch (flight.phase) {
                case Phase::udp_sent:
                    on_udp_readable(flight, job, woke_at, *buffer);
                    break;
                case Phase::tcp_connecting:
                    on_tcp_connected(flight);
                    if (flight.phase == Phase::tcp_writing) {
                        on_tcp_writable(flight);
                    }
                    break;
                case Phase::tcp_writing:
                    on_tcp_writable(flight);
                    break;
                case Phase::tcp_reading:
                    on_tcp_readable(flight, job, woke_at, *buffer);
                    if (flight.phase == Phase::tcp_reading && error_event &&
                        (poll_set[k].revents & POLLIN) == 0) {
                        finish(flight, QueryStatus::network_error, "TCP connection failed");
                    }
                    break;
                default:
                    break;
            }
            if (flight.phase == Phase::done) {
                --in_flight;
                ++finished;
            }
        }
    }

    std::vector<QueryResult> results;
    results.reserve(flights.size());
    for (Flight& flight : flights) {
        if (flight.phase != Phase::done) {
            flight.result.status = QueryStatus::timeout;
            if (flight.phase == Phase::waiting) {
                flight.result.error = "not sent before the deadline";
            } else if (flight.result.udp_truncated) {
                flight.result.error = "answer truncated over UDP and the TCP retry did not finish";
            } else if (flight.phase == Phase::tcp_connecting) {
                flight.result.error = "TCP connection not established";
            } else {
                flight.result.error = "no answer";
            }
            flight.result.response.reset();
            flight.socket.reset();
        }
        results.push_back(std::move(flight.result));
    }
    return results;
}

}  // namespace anycast::dns
