#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>
#include <utility>
#include <vector>

#include "dns/engine.hpp"
#include "identity/identity.hpp"
#include "packets.hpp"

// The engine against a responder on 127.0.0.1 run from a thread of this process: no other
// network is touched.

using namespace anycast::dns;
using namespace anycast::dns::testing;
using namespace std::chrono_literals;

namespace {

const Question soa_question{"anycast.test.", 6, 1};

struct Socket {
    int fd = -1;
    explicit Socket(int value) : fd(value) {}
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
    ~Socket() {
        if (fd >= 0) {
            ::close(fd);
        }
    }
};

Bytes with_id(Bytes message, const Bytes& query) {
    if (message.size() >= 2 && query.size() >= 2) {
        message[0] = query[0];
        message[1] = query[1];
    }
    return message;
}

// A TXT answer to a question-only query, by hand, so it can be made in the server thread.
Bytes txt_answer(const Bytes& query, std::string_view text) {
    Bytes reply = query;
    reply[2] = 0x84;  // QR, AA
    reply[3] = 0x00;
    reply[7] = 1;   // ANCOUNT
    reply[11] = 0;  // no OPT comes back
    const Bytes record{0xc0,
                       0x0c,
                       0x00,
                       0x10,
                       0x00,
                       0x03,
                       0,
                       0,
                       0,
                       0,
                       0,
                       static_cast<std::uint8_t>(text.size() + 1),
                       static_cast<std::uint8_t>(text.size())};
    reply.insert(reply.end(), record.begin(), record.end());
    reply.insert(reply.end(), text.begin(), text.end());
    return reply;
}

Bytes refused_answer(const Bytes& query) {
    Bytes reply = query;
    reply[2] = 0x84;
    reply[3] = 0x05;
    return reply;
}

using Reply = std::function<std::vector<Bytes>(const Bytes& query)>;

// Answers each UDP datagram (and, with tcp_reply, each TCP message) with what the reply function
// returns. Everything it waits for is bounded, and it stops when the test ends.
class LoopbackServer {
public:
    explicit LoopbackServer(Reply udp_reply, Reply tcp_reply = {})
        : udp_reply_(std::move(udp_reply)), tcp_reply_(std::move(tcp_reply)) {
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        BOOST_REQUIRE(udp_.fd >= 0);
        BOOST_REQUIRE(::bind(udp_.fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
        socklen_t length = sizeof address;
        BOOST_REQUIRE(::getsockname(udp_.fd, reinterpret_cast<sockaddr*>(&address), &length) == 0);
        port_ = ntohs(address.sin_port);
        if (tcp_reply_) {
            tcp_.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
            BOOST_REQUIRE(tcp_.fd >= 0);
            const int one = 1;
            ::setsockopt(tcp_.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
            BOOST_REQUIRE(::bind(tcp_.fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
            BOOST_REQUIRE(::listen(tcp_.fd, 4) == 0);
        }
        thread_ = std::thread([this] { run(); });
    }
    LoopbackServer(const LoopbackServer&) = delete;
    LoopbackServer& operator=(const LoopbackServer&) = delete;
    ~LoopbackServer() {
        stop_ = true;
        thread_.join();
    }

    Endpoint endpoint() const { return *parse_ip_literal("127.0.0.1", port_); }
    int udp_queries() const { return udp_queries_; }
    int tcp_queries() const { return tcp_queries_; }

private:
    void run() {
        const auto give_up = std::chrono::steady_clock::now() + 10s;
        while (!stop_ && std::chrono::steady_clock::now() < give_up) {
            pollfd fds[2] = {{udp_.fd, POLLIN, 0}, {tcp_.fd, POLLIN, 0}};
            if (::poll(fds, tcp_.fd >= 0 ? 2 : 1, 20) <= 0) {
                continue;
            }
            if ((fds[0].revents & POLLIN) != 0) {
                answer_datagram();
            }
            if (tcp_.fd >= 0 && (fds[1].revents & POLLIN) != 0) {
                answer_connection();
            }
        }
    }

    void answer_datagram() {
        Bytes buffer(65535);
        sockaddr_storage peer{};
        socklen_t peer_length = sizeof peer;
        const ssize_t got = ::recvfrom(udp_.fd, buffer.data(), buffer.size(), 0,
                                       reinterpret_cast<sockaddr*>(&peer), &peer_length);
        if (got < 12) {
            return;
        }
        buffer.resize(static_cast<std::size_t>(got));
        ++udp_queries_;
        for (const Bytes& reply : udp_reply_(buffer)) {
            ::sendto(udp_.fd, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&peer), peer_length);
        }
    }

    void answer_connection() {
        const Socket connection(::accept(tcp_.fd, nullptr, nullptr));
        if (connection.fd < 0) {
            return;
        }
        const timeval limit{1, 0};
        ::setsockopt(connection.fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
        Bytes message;
        std::uint8_t chunk[4096];
        while (message.size() < 2 ||
               message.size() < 2 + static_cast<std::size_t>((message[0] << 8) | message[1])) {
            const ssize_t got = ::recv(connection.fd, chunk, sizeof chunk, 0);
            if (got <= 0) {
                return;
            }
            message.insert(message.end(), chunk, chunk + got);
        }
        ++tcp_queries_;
        for (const Bytes& reply : tcp_reply_(Bytes(message.begin() + 2, message.end()))) {
            Bytes framed{static_cast<std::uint8_t>(reply.size() >> 8),
                         static_cast<std::uint8_t>(reply.size() & 0xff)};
            framed.insert(framed.end(), reply.begin(), reply.end());
            ::send(connection.fd, framed.data(), framed.size(), MSG_NOSIGNAL);
        }
    }

    Socket udp_{::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)};
    Socket tcp_{-1};
    Reply udp_reply_;
    Reply tcp_reply_;
    std::uint16_t port_ = 0;
    std::atomic<bool> stop_{false};
    std::atomic<int> udp_queries_{0};
    std::atomic<int> tcp_queries_{0};
    std::thread thread_;
};

QueryJob soa_job(const Endpoint& server) {
    QueryJob job;
    job.server = server;
    job.spec.question = soa_question;
    return job;
}

Bytes soa_template(bool tc = false, std::string question = "anycast.test. IN SOA") {
    ResponseSpec spec;
    spec.question = std::move(question);
    spec.tc = tc;
    if (!tc) {
        spec.answer = {"anycast.test. 300 IN SOA ns1.anycast.test. h.anycast.test. 7 1 1 1 1"};
    }
    return build_response(spec);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(engine)

BOOST_AUTO_TEST_CASE(ignores_wrong_replies_then_matches) {
    const Bytes good = soa_template();
    const Bytes other_question = soa_template(false, "other.test. IN SOA");
    LoopbackServer server([&](const Bytes& query) {
        Bytes wrong_id = with_id(good, query);
        wrong_id[1] ^= 0x01;
        return std::vector<Bytes>{wrong_id, with_id(other_question, query), with_id(good, query)};
    });
    const std::vector<QueryJob> jobs{soa_job(server.endpoint())};
    const auto results = run_queries(jobs, Clock::now() + 3s);
    BOOST_REQUIRE(results.size() == 1U);
    const QueryResult& result = results[0];
    BOOST_TEST(result.status == QueryStatus::answered);
    BOOST_TEST(result.transport == Transport::udp);
    BOOST_TEST(result.ignored_replies == 2U);
    BOOST_TEST(result.last_ignored_reason.starts_with("wrong question"));
    BOOST_TEST(result.rtt > std::chrono::nanoseconds::zero());
    BOOST_TEST(result.rtt <= result.userspace_rtt + std::chrono::microseconds{20});
    BOOST_WARN_MESSAGE(result.rtt_method == RttMethod::kernel,
                       "UDP RTT method: " << rtt_method_name(result.rtt_method));
    BOOST_REQUIRE(result.response.has_value());
    BOOST_REQUIRE(result.response->answer.size() == 1U);
    BOOST_TEST(result.response->answer[0].soa_serial.value_or(0) == 7U);
    BOOST_TEST(server.udp_queries() == 1);
}

BOOST_AUTO_TEST_CASE(closed_port_is_refused_quickly) {
    std::uint16_t port = 0;
    {
        // A port that was free a moment ago and that nothing listens on now.
        const Socket probe(::socket(AF_INET, SOCK_DGRAM, 0));
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        BOOST_REQUIRE(::bind(probe.fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
        socklen_t length = sizeof address;
        BOOST_REQUIRE(::getsockname(probe.fd, reinterpret_cast<sockaddr*>(&address), &length) == 0);
        port = ntohs(address.sin_port);
    }
    const auto began = Clock::now();
    const std::vector<QueryJob> jobs{soa_job(*parse_ip_literal("127.0.0.1", port))};
    const auto results = run_queries(jobs, began + 5s);
    BOOST_TEST(results.at(0).status == QueryStatus::refused);
    BOOST_TEST(!results[0].error.empty());
    BOOST_TEST((Clock::now() - began) < 1s);
}

BOOST_AUTO_TEST_CASE(silence_times_out_at_the_deadline) {
    LoopbackServer server([](const Bytes&) { return std::vector<Bytes>{}; });
    const auto began = Clock::now();
    const std::vector<QueryJob> jobs{soa_job(server.endpoint()), soa_job(server.endpoint())};
    const auto results = run_queries(jobs, began + 300ms);
    const auto took = Clock::now() - began;
    BOOST_TEST(took >= 290ms);
    BOOST_TEST(took < 1500ms);
    for (const auto& result : results) {
        BOOST_TEST(result.status == QueryStatus::timeout);
        BOOST_TEST(!result.response.has_value());
        BOOST_TEST(result.error == "no answer");
    }
}

BOOST_AUTO_TEST_CASE(truncated_udp_answer_falls_back_to_tcp) {
    const Bytes truncated = soa_template(true);
    const Bytes full = soa_template();
    LoopbackServer server([&](const Bytes& query) { return std::vector<Bytes>{with_id(truncated, query)}; },
                          [&](const Bytes& query) { return std::vector<Bytes>{with_id(full, query)}; });
    const std::vector<QueryJob> jobs{soa_job(server.endpoint())};
    const auto results = run_queries(jobs, Clock::now() + 3s);
    const QueryResult& result = results.at(0);
    BOOST_TEST(result.status == QueryStatus::answered);
    BOOST_TEST(result.udp_truncated);
    BOOST_TEST(result.transport == Transport::tcp);
    BOOST_TEST(result.tcp_connect_time.has_value());
    BOOST_REQUIRE(result.response.has_value());
    BOOST_TEST(!result.response->tc);
    BOOST_TEST(result.response->answer.size() == 1U);
    BOOST_TEST(server.tcp_queries() == 1);
}

BOOST_AUTO_TEST_CASE(truncated_udp_answer_kept_without_fallback) {
    const Bytes truncated = soa_template(true);
    LoopbackServer server([&](const Bytes& query) { return std::vector<Bytes>{with_id(truncated, query)}; });
    std::vector<QueryJob> jobs{soa_job(server.endpoint())};
    jobs[0].spec.tcp_fallback_on_truncation = false;
    const auto results = run_queries(jobs, Clock::now() + 3s);
    const QueryResult& result = results.at(0);
    BOOST_TEST(result.status == QueryStatus::answered);
    BOOST_TEST(result.udp_truncated);
    BOOST_TEST(result.transport == Transport::udp);
    BOOST_REQUIRE(result.response.has_value());
    BOOST_TEST(result.response->tc);
}

BOOST_AUTO_TEST_CASE(tcp_query) {
    const Bytes full = soa_template();
    LoopbackServer server([](const Bytes&) { return std::vector<Bytes>{}; },
                          [&](const Bytes& query) { return std::vector<Bytes>{with_id(full, query)}; });
    std::vector<QueryJob> jobs{soa_job(server.endpoint())};
    jobs[0].spec.transport = Transport::tcp;
    const auto results = run_queries(jobs, Clock::now() + 3s);
    BOOST_TEST(results.at(0).status == QueryStatus::answered);
    BOOST_TEST(results[0].transport == Transport::tcp);
    BOOST_TEST(!results[0].udp_truncated);
    // Loopback stamps TCP segments too; a kernel without software stamps would fall back.
    BOOST_WARN_MESSAGE(results[0].rtt_method == RttMethod::kernel,
                       "TCP RTT method: " << rtt_method_name(results[0].rtt_method));
    BOOST_TEST(server.udp_queries() == 0);
}

BOOST_AUTO_TEST_CASE(identify_asks_chaos_when_nsid_is_missing) {
    LoopbackServer server([](const Bytes& query) {
        // Question name starts at byte 12: "\x08hostname\x04bind\0" or "\x02id\x06server\0".
        const bool hostname_bind = query.size() > 13 && query[12] == 8;
        return std::vector<Bytes>{hostname_bind ? refused_answer(query) : txt_answer(query, "site-b|x")};
    });
    QueryResult measured;
    measured.status = QueryStatus::answered;
    measured.response.emplace();
    const std::vector<Endpoint> servers{server.endpoint()};
    const std::vector<const QueryResult*> measured_results{&measured};
    const auto identities = anycast::identity::identify(
        servers, measured_results, anycast::identity::parse_methods("nsid,hostname.bind,id.server"),
        Clock::now() + 3s);
    BOOST_REQUIRE(identities.size() == 1U);
    const auto& identity = identities[0];
    BOOST_TEST(identity.value.value_or("") == "site-b\\x7cx");
    BOOST_TEST((identity.method == anycast::identity::Method::id_server));
    BOOST_TEST(!identity.hidden);  // a value was found after all
    BOOST_REQUIRE(identity.attempts.size() == 3U);
    BOOST_TEST(identity.attempts[0].outcome == "no NSID in the answer");
    BOOST_TEST(identity.attempts[1].outcome == "REFUSED (hidden)");
    BOOST_TEST(identity.attempts[2].outcome == "site-b\\x7cx");
    BOOST_TEST(server.udp_queries() == 2);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(retransmission)

QueryJob retrying_job(const Endpoint& server, int retries, std::chrono::milliseconds interval) {
    QueryJob job = soa_job(server);
    job.retry.retries = retries;
    job.retry.interval = interval;
    return job;
}

BOOST_AUTO_TEST_CASE(a_lost_first_try_is_answered_on_the_second) {
    const Bytes good = soa_template();
    std::atomic<int> seen{0};
    std::vector<Bytes> queries;
    LoopbackServer server([&](const Bytes& query) {
        queries.push_back(query);
        return ++seen == 1 ? std::vector<Bytes>{} : std::vector<Bytes>{with_id(good, query)};
    });
    const std::vector<QueryJob> jobs{retrying_job(server.endpoint(), 2, 50ms)};
    const auto results = run_queries(jobs, Clock::now() + 3s);
    const QueryResult& result = results.at(0);
    BOOST_TEST(result.status == QueryStatus::answered);
    BOOST_TEST(result.attempts == 2);
    BOOST_TEST(result.answered_attempt == 2);
    BOOST_TEST(result.lost_attempts == 1);
    BOOST_TEST(result.rtt < 50ms);  // timed from the second try, not the first
    BOOST_REQUIRE(queries.size() == 2U);
    // A fresh ID per try (a fresh port is the new socket): 1 in 65536 that they collide.
    BOOST_TEST((queries[0][0] != queries[1][0] || queries[0][1] != queries[1][1]));
}

BOOST_AUTO_TEST_CASE(a_late_answer_to_the_first_try_counts_and_is_timed_from_it) {
    const Bytes good = soa_template();
    std::atomic<int> seen{0};
    LoopbackServer server([&](const Bytes& query) {
        if (++seen == 1) {
            std::this_thread::sleep_for(150ms);  // the second try leaves meanwhile
            return std::vector<Bytes>{with_id(good, query)};
        }
        return std::vector<Bytes>{};  // the second try is never answered
    });
    const std::vector<QueryJob> jobs{retrying_job(server.endpoint(), 2, 60ms)};
    const auto results = run_queries(jobs, Clock::now() + 3s);
    const QueryResult& result = results.at(0);
    BOOST_TEST(result.status == QueryStatus::answered);
    BOOST_TEST(result.answered_attempt == 1);
    BOOST_TEST(result.attempts >= 2);
    BOOST_TEST(result.lost_attempts == 0);
    BOOST_TEST(result.rtt >= 150ms);
}

BOOST_AUTO_TEST_CASE(no_retries_means_one_try) {
    LoopbackServer server([](const Bytes&) { return std::vector<Bytes>{}; });
    const std::vector<QueryJob> jobs{retrying_job(server.endpoint(), 0, 20ms)};
    const auto results = run_queries(jobs, Clock::now() + 200ms);
    BOOST_TEST(results.at(0).status == QueryStatus::timeout);
    BOOST_TEST(results[0].attempts == 1);
    BOOST_TEST(results[0].lost_attempts == 1);
    BOOST_TEST(server.udp_queries() == 1);
}

BOOST_AUTO_TEST_CASE(retries_are_bounded_and_stop_at_the_deadline) {
    LoopbackServer server([](const Bytes&) { return std::vector<Bytes>{}; });
    std::vector<QueryJob> jobs{retrying_job(server.endpoint(), 3, 40ms),
                               retrying_job(server.endpoint(), 10, 100ms)};
    const auto began = Clock::now();
    const auto results = run_queries(jobs, began + 250ms);
    BOOST_TEST((Clock::now() - began) < 1s);
    BOOST_TEST(results.at(0).attempts == 4);  // 1 + 3 retries, all before the deadline
    BOOST_TEST(results.at(1).attempts == 3);  // at 0, 100 and 200 ms; 300 ms is past it
    BOOST_TEST(results[1].lost_attempts == 3);
    BOOST_TEST(results[1].error == "no answer");
}

BOOST_AUTO_TEST_CASE(automatic_interval_fits_every_try_into_the_time_left) {
    const RetryPolicy automatic{2, {}};
    BOOST_TEST((effective_retry_interval(automatic, 10s) == max_auto_retry_interval));
    BOOST_TEST((effective_retry_interval(automatic, 900ms) == Clock::duration{300ms}));
    BOOST_TEST((effective_retry_interval(RetryPolicy{2, 2s}, 1s) == Clock::duration{2s}));
}

BOOST_AUTO_TEST_CASE(a_query_never_sent_is_not_a_loss) {
    LoopbackServer server([](const Bytes&) { return std::vector<Bytes>{}; });
    std::vector<QueryJob> jobs{retrying_job(server.endpoint(), 0, 20ms),
                               retrying_job(server.endpoint(), 0, 20ms)};
    jobs[1].start_offset = 5s;  // due after the deadline
    const auto results = run_queries(jobs, Clock::now() + 150ms, EngineOptions{1});
    BOOST_TEST(results.at(0).status == QueryStatus::timeout);
    BOOST_TEST(results.at(1).status == QueryStatus::not_sent);
    BOOST_TEST(results[1].attempts == 0);
    BOOST_TEST(results[1].lost_attempts == 0);
}

BOOST_AUTO_TEST_CASE(unsent_queries_of_one_group_share_one_reason) {
    // --count over many addresses: the reason is told once per address, not once per query.
    LoopbackServer server([](const Bytes&) { return std::vector<Bytes>{}; });
    std::vector<QueryJob> jobs(4, retrying_job(server.endpoint(), 0, 20ms));
    for (QueryJob& job : jobs) {
        job.start_offset = 5s;  // due after the deadline
    }
    jobs[0].response_group = 0;
    jobs[1].response_group = 1;
    jobs[2].response_group = 0;
    const auto results = run_queries(jobs, Clock::now() + 50ms, EngineOptions{4});
    for (const QueryResult& result : results) {
        BOOST_TEST(result.status == QueryStatus::not_sent);
        BOOST_TEST(result.attempts == 0);
    }
    BOOST_TEST(results[0].error == "not sent before the deadline");
    BOOST_TEST(results[1].error == "not sent before the deadline");
    BOOST_TEST(results[2].error.empty());                            // the first of group 0 says it
    BOOST_TEST(results[3].error == "not sent before the deadline");  // no group: its own
}

BOOST_AUTO_TEST_CASE(jobs_beyond_the_socket_budget_wait_for_a_free_socket) {
    const Bytes good = soa_template();
    LoopbackServer server([&](const Bytes& query) { return std::vector<Bytes>{with_id(good, query)}; });
    std::vector<QueryJob> jobs(40, retrying_job(server.endpoint(), 2, 500ms));
    const auto results = run_queries(jobs, Clock::now() + 3s, EngineOptions{3});
    for (const QueryResult& result : results) {
        BOOST_TEST(result.status == QueryStatus::answered);
    }
}

BOOST_AUTO_TEST_CASE(a_silent_query_holding_the_only_socket_leaves_the_rest_not_sent) {
    LoopbackServer server([](const Bytes&) { return std::vector<Bytes>{}; });
    std::vector<QueryJob> jobs(3, retrying_job(server.endpoint(), 2, 30ms));
    const auto results = run_queries(jobs, Clock::now() + 150ms, EngineOptions{1});
    BOOST_TEST(results.at(0).status == QueryStatus::timeout);
    BOOST_TEST(results[0].attempts == 3);  // its retries reuse the one socket
    for (std::size_t i = 1; i < results.size(); ++i) {
        BOOST_TEST(results[i].status == QueryStatus::not_sent);
        BOOST_TEST(results[i].error.find("no socket free") != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(an_answer_seen_after_the_deadline_does_not_count) {
    // The engine runs in a child that is stopped (as a loaded machine would deschedule it) from
    // before the answer arrives until after the deadline: on waking it finds the answer waiting.
    const Bytes good = soa_template();
    LoopbackServer server([&](const Bytes& query) {
        std::this_thread::sleep_for(100ms);
        return std::vector<Bytes>{with_id(good, query)};
    });
    int status_pipe[2];
    BOOST_REQUIRE(::pipe(status_pipe) == 0);
    const pid_t child = ::fork();
    BOOST_REQUIRE(child >= 0);
    if (child == 0) {
        const std::vector<QueryJob> jobs{retrying_job(server.endpoint(), 0, 20ms)};
        const auto results = run_queries(jobs, Clock::now() + 300ms);
        const char verdict = results.at(0).status == QueryStatus::answered ? 'a' : 't';
        (void)!::write(status_pipe[1], &verdict, 1);
        ::_exit(0);
    }
    std::this_thread::sleep_for(40ms);
    ::kill(child, SIGSTOP);
    std::this_thread::sleep_for(600ms);
    ::kill(child, SIGCONT);
    char verdict = '?';
    (void)!::read(status_pipe[0], &verdict, 1);
    ::waitpid(child, nullptr, 0);
    ::close(status_pipe[0]);
    ::close(status_pipe[1]);
    BOOST_TEST(verdict == 't');
}

BOOST_AUTO_TEST_CASE(tc_over_tcp_is_kept_as_a_tcp_answer) {
    const Bytes truncated = soa_template(true);
    LoopbackServer server([&](const Bytes& query) { return std::vector<Bytes>{with_id(truncated, query)}; },
                          [&](const Bytes& query) { return std::vector<Bytes>{with_id(truncated, query)}; });
    const std::vector<QueryJob> jobs{soa_job(server.endpoint())};
    const auto results = run_queries(jobs, Clock::now() + 3s);
    const QueryResult& result = results.at(0);
    BOOST_TEST(result.status == QueryStatus::answered);
    BOOST_TEST(result.transport == Transport::tcp);
    BOOST_TEST(truncation_problem(result).value_or("") == "answer truncated (TC) even over TCP");
}

BOOST_AUTO_TEST_CASE(out_of_descriptors_queues_instead_of_failing) {
    // Fill the descriptor table but for a handful, then ask for more queries than fit.
    const Bytes good = soa_template();
    LoopbackServer server([&](const Bytes& query) { return std::vector<Bytes>{with_id(good, query)}; });
    rlimit saved{};
    BOOST_REQUIRE(getrlimit(RLIMIT_NOFILE, &saved) == 0);
    const std::size_t open_now = open_descriptor_count();
    rlimit tight = saved;
    tight.rlim_cur = open_now + 40;
    BOOST_REQUIRE(setrlimit(RLIMIT_NOFILE, &tight) == 0);
    std::vector<int> hogs;
    for (int i = 0; i < 30; ++i) {
        hogs.push_back(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    }
    std::vector<QueryJob> jobs(60, retrying_job(server.endpoint(), 2, 500ms));
    const auto results = run_queries(jobs, Clock::now() + 3s);
    for (const int fd : hogs) {
        ::close(fd);
    }
    setrlimit(RLIMIT_NOFILE, &saved);
    for (const QueryResult& result : results) {
        BOOST_TEST(result.status == QueryStatus::answered, result.error);
    }
}

BOOST_AUTO_TEST_SUITE_END()
