#pragma once
// Kernel software timestamps for RTTs (SO_TIMESTAMPING): the kernel stamps a query when the
// driver takes it and an answer when it enters the stack, so the RTT no longer includes the time
// our process spends between send() and the wake-up after the answer (handling other sockets,
// waiting for a CPU on a busy machine). Both stamps are CLOCK_REALTIME, so their difference is
// exact unless the clock was stepped between them: we read the realtime-minus-monotonic offset
// around each send and each wake-up (the two clocks run at the same NTP-disciplined rate, so that
// offset only changes with a step) and fall back to the userspace RTT when it moved.
#include <sys/socket.h>
#include <time.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

#include "dns/endpoint.hpp"

namespace anycast::dns {

enum class RttMethod {
    kernel,     // kernel transmit and receive stamps
    kernel_rx,  // kernel receive stamp, our clock reading just before send (no transmit stamp)
    userspace,  // our clock readings before send and after the wake-up
};
std::string_view rtt_method_name(RttMethod method);  // "kernel", "kernel-rx", "userspace"

// Asks for software transmit and receive stamps on `fd`; false when the kernel refuses.
bool enable_timestamps(int fd);

// The software stamp (SCM_TIMESTAMPING, ts[0]) in a message's control data, if there is one.
std::optional<timespec> software_timestamp(const msghdr& message);
// True when an error-queue message is a transmit stamp (SO_EE_ORIGIN_TIMESTAMPING, SCM_TSTAMP_SND).
bool is_transmit_stamp(const msghdr& message);
// Reads the error queue of `fd` (bounded) and returns the last transmit stamp found in it.
std::optional<timespec> drain_transmit_stamps(int fd);

struct ClockOffset {
    std::int64_t realtime_minus_monotonic_ns = 0;
    std::int64_t uncertainty_ns = 0;  // how long the bracketing reads took
};
ClockOffset read_clock_offset();
// True when the realtime clock was stepped between the two readings.
bool clock_stepped(const ClockOffset& before, const ClockOffset& after);

struct RttInputs {
    Clock::time_point sent_at;  // our reading just before send()
    Clock::time_point seen_at;  // our reading after the wake-up that found the answer
    std::optional<timespec> transmit;
    std::optional<timespec> receive;
    ClockOffset at_send;
    ClockOffset at_seen;
};

struct MeasuredRtt {
    std::chrono::nanoseconds value{};
    RttMethod method = RttMethod::userspace;
    bool clock_step = false;  // kernel stamps were there but the clock was stepped between them
};

// The best RTT the inputs allow. Kernel figures must lie in (0, userspace RTT + 20 us]: our own
// readings bracket the kernel's, so anything outside is a stamp that is not ours or a step.
MeasuredRtt choose_rtt(const RttInputs& inputs);

}  // namespace anycast::dns
