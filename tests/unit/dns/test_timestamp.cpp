#include <boost/test/unit_test.hpp>

#include <linux/errqueue.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstring>

#include "dns/engine.hpp"
#include "dns/timestamp.hpp"

// Kernel timestamps without a network: control messages built in memory, and the choice of RTT
// from hand-made readings.

using namespace anycast::dns;
using namespace std::chrono_literals;

namespace {

// A control buffer with the given cmsgs, laid out as the kernel would.
struct Control {
    alignas(cmsghdr) std::array<char, 512> buffer{};
    std::size_t used = 0;
    msghdr message{};

    template <typename T>
    void add(int level, int type, const T& value) {
        auto* c = reinterpret_cast<cmsghdr*>(buffer.data() + used);
        c->cmsg_level = level;
        c->cmsg_type = type;
        c->cmsg_len = CMSG_LEN(sizeof value);
        std::memcpy(CMSG_DATA(c), &value, sizeof value);
        used += CMSG_SPACE(sizeof value);
        message.msg_control = buffer.data();
        message.msg_controllen = used;
    }
};

scm_timestamping stamps(time_t seconds, long nanoseconds) {
    scm_timestamping s{};
    s.ts[0] = timespec{seconds, nanoseconds};
    return s;
}

timespec ts(std::int64_t ns) {
    return timespec{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
}

RttInputs inputs(std::chrono::nanoseconds userspace) {
    RttInputs in;
    in.sent_at = Clock::time_point(1000s);
    in.seen_at = in.sent_at + userspace;
    in.at_send = ClockOffset{5'000'000'000, 100};  // realtime = monotonic + 5 s
    in.at_seen = in.at_send;
    return in;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(timestamp)

BOOST_AUTO_TEST_CASE(software_stamp_is_read_from_scm_timestamping) {
    Control control;
    control.add(SOL_SOCKET, SCM_TIMESTAMPING, stamps(1700000000, 123456789));
    const auto stamp = software_timestamp(control.message);
    BOOST_REQUIRE(stamp.has_value());
    BOOST_TEST(stamp->tv_sec == 1700000000);
    BOOST_TEST(stamp->tv_nsec == 123456789);
    BOOST_TEST(!is_transmit_stamp(control.message));  // no error record: a receive stamp
}

BOOST_AUTO_TEST_CASE(other_control_messages_are_skipped) {
    Control control;
    control.add(SOL_IP, IP_TTL, 64);
    control.add(SOL_SOCKET, SCM_TIMESTAMPING, stamps(0, 0));  // hardware-only: ts[0] empty
    BOOST_TEST(!software_timestamp(control.message).has_value());
    Control empty;
    BOOST_TEST(!software_timestamp(empty.message).has_value());
}

BOOST_AUTO_TEST_CASE(transmit_stamp_is_recognised_by_its_error_record) {
    for (const auto& [level, type] : {std::pair{SOL_IP, IP_RECVERR}, std::pair{SOL_IPV6, IPV6_RECVERR}}) {
        Control control;
        control.add(SOL_SOCKET, SCM_TIMESTAMPING, stamps(1, 2));
        sock_extended_err error{};
        error.ee_origin = SO_EE_ORIGIN_TIMESTAMPING;
        error.ee_info = SCM_TSTAMP_SND;
        control.add(level, type, error);
        BOOST_TEST(is_transmit_stamp(control.message));
    }
    Control icmp;
    sock_extended_err error{};
    error.ee_origin = SO_EE_ORIGIN_ICMP;
    icmp.add(SOL_IP, IP_RECVERR, error);
    BOOST_TEST(!is_transmit_stamp(icmp.message));
}

BOOST_AUTO_TEST_CASE(kernel_stamps_win_when_plausible) {
    RttInputs in = inputs(900us);
    in.transmit = ts(1'700'000'000'000'000'000 + 10'000);
    in.receive = ts(1'700'000'000'000'000'000 + 10'000 + 250'000);
    const MeasuredRtt rtt = choose_rtt(in);
    BOOST_TEST((rtt.method == RttMethod::kernel));
    BOOST_TEST(rtt.value.count() == 250'000);
    BOOST_TEST(!rtt.clock_step);
}

BOOST_AUTO_TEST_CASE(receive_stamp_alone_is_put_on_the_monotonic_line) {
    RttInputs in = inputs(900us);
    // Received 300 us after our pre-send reading, in realtime = monotonic + 5 s.
    const std::int64_t sent_ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(in.sent_at.time_since_epoch()).count();
    in.receive = ts(sent_ns + 5'000'000'000 + 300'000);
    const MeasuredRtt rtt = choose_rtt(in);
    BOOST_TEST((rtt.method == RttMethod::kernel_rx));
    BOOST_TEST(rtt.value.count() == 300'000);
}

BOOST_AUTO_TEST_CASE(a_clock_step_falls_back_to_userspace) {
    RttInputs in = inputs(900us);
    in.transmit = ts(2'000'000'000);
    in.receive = ts(2'000'200'000);
    in.at_seen.realtime_minus_monotonic_ns += 1'000'000;  // stepped by 1 ms in between
    const MeasuredRtt rtt = choose_rtt(in);
    BOOST_TEST((rtt.method == RttMethod::userspace));
    BOOST_TEST(rtt.clock_step);
    BOOST_TEST(rtt.value.count() == 900'000);
}

BOOST_AUTO_TEST_CASE(implausible_kernel_figures_are_not_used) {
    RttInputs in = inputs(900us);
    in.transmit = ts(2'000'000'000);
    in.receive = ts(2'000'000'000 + 5'000'000);  // longer than we waited: not our stamps
    BOOST_TEST((choose_rtt(in).method == RttMethod::userspace));
    in.receive = ts(1'999'000'000);  // before the transmit stamp
    BOOST_TEST((choose_rtt(in).method == RttMethod::userspace));
    in.receive.reset();
    BOOST_TEST((choose_rtt(in).method == RttMethod::userspace));
}

BOOST_AUTO_TEST_CASE(clock_offset_is_stable_between_reads) {
    const ClockOffset a = read_clock_offset();
    const ClockOffset b = read_clock_offset();
    BOOST_TEST(a.uncertainty_ns >= 0);
    BOOST_TEST(!clock_stepped(a, b));
    ClockOffset stepped = b;
    stepped.realtime_minus_monotonic_ns += 1'000'000;
    BOOST_TEST(clock_stepped(a, stepped));
}

BOOST_AUTO_TEST_CASE(method_names) {
    BOOST_TEST(rtt_method_name(RttMethod::kernel) == "kernel");
    BOOST_TEST(rtt_method_name(RttMethod::kernel_rx) == "kernel-rx");
    BOOST_TEST(rtt_method_name(RttMethod::userspace) == "userspace");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(descriptors)

BOOST_AUTO_TEST_CASE(budget_is_what_is_free_less_a_reserve) {
    BOOST_TEST(descriptor_budget(256, 100) == 140U);  // issue 14.5: 100 inherited at ulimit -n 256
    BOOST_TEST(descriptor_budget(256, 10) == 230U);
    BOOST_TEST(descriptor_budget(20, 10) == 8U);  // a tight limit keeps a smaller reserve
    // /proc/self/fd is read only when the run could come near the limit.
    BOOST_TEST(!anycast::dns::descriptor_count_needed(1, 1024));
    BOOST_TEST(!anycast::dns::descriptor_count_needed(22, 1024));
    BOOST_TEST(anycast::dns::descriptor_count_needed(23, 1024));
    BOOST_TEST(anycast::dns::descriptor_count_needed(500, 256));
    BOOST_TEST(anycast::dns::descriptor_count_needed(1, 20));
    BOOST_TEST(descriptor_budget(256, 256) == 0U);  // nothing free: nothing is sent, nothing is blamed
    BOOST_TEST(descriptor_budget(10, 300) == 0U);
    BOOST_TEST(descriptor_budget(1'000'000, 10) == 4096U);
}

BOOST_AUTO_TEST_CASE(open_descriptors_are_counted) {
    const std::size_t before = open_descriptor_count();
    BOOST_TEST(before >= 3U);  // stdin, stdout, stderr at least
    const int extra = ::dup(0);
    BOOST_TEST(open_descriptor_count() == before + 1);
    ::close(extra);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(truncation)

BOOST_AUTO_TEST_CASE(tc_over_tcp_is_not_blamed_on_the_fallback) {
    QueryResult result;
    result.status = QueryStatus::answered;
    result.response.emplace();
    BOOST_TEST(!truncation_problem(result).has_value());
    result.response->tc = true;
    result.transport = Transport::udp;
    BOOST_TEST(truncation_problem(result).value_or("") == "answer truncated (TC) and TCP fallback is off");
    result.transport = Transport::tcp;
    result.udp_truncated = true;
    BOOST_TEST(truncation_problem(result).value_or("") == "answer truncated (TC) even over TCP");
}

BOOST_AUTO_TEST_SUITE_END()
