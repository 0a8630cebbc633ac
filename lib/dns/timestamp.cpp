#include "dns/timestamp.hpp"

#include <linux/errqueue.h>
#include <linux/net_tstamp.h>
#include <netinet/in.h>

#include <array>
#include <cstdlib>
#include <cstring>

namespace anycast::dns {
namespace {

constexpr std::int64_t billion = 1'000'000'000;
constexpr std::chrono::nanoseconds bracket_tolerance{20'000};

std::int64_t to_ns(const timespec& t) {
    return static_cast<std::int64_t>(t.tv_sec) * billion + t.tv_nsec;
}

std::int64_t now_ns(clockid_t clock) {
    timespec t{};
    clock_gettime(clock, &t);
    return to_ns(t);
}

bool plausible(std::chrono::nanoseconds kernel, std::chrono::nanoseconds userspace) {
    return kernel > std::chrono::nanoseconds::zero() && kernel <= userspace + bracket_tolerance;
}

}  // namespace

std::string_view rtt_method_name(RttMethod method) {
    switch (method) {
        case RttMethod::kernel:
            return "kernel";
        case RttMethod::kernel_rx:
            return "kernel-rx";
        case RttMethod::userspace:
            return "userspace";
    }
    return "userspace";
}

bool enable_timestamps(int fd) {
    const unsigned flags = SOF_TIMESTAMPING_TX_SOFTWARE | SOF_TIMESTAMPING_RX_SOFTWARE |
                           SOF_TIMESTAMPING_SOFTWARE | SOF_TIMESTAMPING_OPT_TSONLY;
    return setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &flags, sizeof flags) == 0;
}

std::optional<timespec> software_timestamp(const msghdr& message) {
    for (const cmsghdr* c = CMSG_FIRSTHDR(&message); c != nullptr;
         c = CMSG_NXTHDR(const_cast<msghdr*>(&message), const_cast<cmsghdr*>(c))) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPING &&
            c->cmsg_len >= CMSG_LEN(sizeof(scm_timestamping))) {
            scm_timestamping stamps{};
            std::memcpy(&stamps, CMSG_DATA(c), sizeof stamps);
            if (stamps.ts[0].tv_sec != 0 || stamps.ts[0].tv_nsec != 0) {
                return stamps.ts[0];
            }
        }
    }
    return std::nullopt;
}

bool is_transmit_stamp(const msghdr& message) {
    for (const cmsghdr* c = CMSG_FIRSTHDR(&message); c != nullptr;
         c = CMSG_NXTHDR(const_cast<msghdr*>(&message), const_cast<cmsghdr*>(c))) {
        const bool error_record = (c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR) ||
                                  (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_RECVERR);
        if (error_record && c->cmsg_len >= CMSG_LEN(sizeof(sock_extended_err))) {
            sock_extended_err error{};
            std::memcpy(&error, CMSG_DATA(c), sizeof error);
            return error.ee_origin == SO_EE_ORIGIN_TIMESTAMPING && error.ee_info == SCM_TSTAMP_SND;
        }
    }
    return false;
}

std::optional<timespec> drain_transmit_stamps(int fd) {
    std::optional<timespec> last;
    alignas(cmsghdr) std::array<char, 256> control{};
    // Bounded: one query per socket gives one stamp; a few more would be another sender's bug.
    for (int i = 0; i < 8; ++i) {
        msghdr message{};
        message.msg_control = control.data();
        message.msg_controllen = control.size();
        if (::recvmsg(fd, &message, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) {
            break;
        }
        if (auto stamp = software_timestamp(message); stamp && is_transmit_stamp(message)) {
            last = stamp;
        }
    }
    return last;
}

ClockOffset read_clock_offset() {
    const std::int64_t before = now_ns(CLOCK_MONOTONIC);
    const std::int64_t real = now_ns(CLOCK_REALTIME);
    const std::int64_t after = now_ns(CLOCK_MONOTONIC);
    return ClockOffset{real - (before + (after - before) / 2), after - before};
}

bool clock_stepped(const ClockOffset& before, const ClockOffset& after) {
    // Both clocks are slewed alike by NTP, so the offset moves only with a step; what the reads
    // themselves may blur is their duration, plus a few microseconds for the vDSO's granularity.
    const std::int64_t moved =
        std::llabs(after.realtime_minus_monotonic_ns - before.realtime_minus_monotonic_ns);
    return moved > before.uncertainty_ns + after.uncertainty_ns + 5'000;
}

MeasuredRtt choose_rtt(const RttInputs& in) {
    const auto userspace = std::chrono::duration_cast<std::chrono::nanoseconds>(in.seen_at - in.sent_at);
    MeasuredRtt rtt{userspace, RttMethod::userspace, false};
    if (!in.receive) {
        return rtt;
    }
    if (clock_stepped(in.at_send, in.at_seen)) {
        rtt.clock_step = true;
        return rtt;
    }
    if (in.transmit) {
        const std::chrono::nanoseconds kernel{to_ns(*in.receive) - to_ns(*in.transmit)};
        if (plausible(kernel, userspace)) {
            return MeasuredRtt{kernel, RttMethod::kernel, false};
        }
    }
    // The receive stamp on the monotonic time line, against our reading before send().
    const std::int64_t receive_monotonic = to_ns(*in.receive) - in.at_seen.realtime_minus_monotonic_ns;
    const std::chrono::nanoseconds half{
        receive_monotonic -
        std::chrono::duration_cast<std::chrono::nanoseconds>(in.sent_at.time_since_epoch()).count()};
    if (plausible(half, userspace)) {
        return MeasuredRtt{half, RttMethod::kernel_rx, false};
    }
    return rtt;
}

}  // namespace anycast::dns
