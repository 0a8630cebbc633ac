#include "dns/random.hpp"

#include <sys/random.h>

#include <cerrno>
#include <chrono>

namespace anycast::dns {

std::uint16_t random_query_id() {
    std::uint16_t id = 0;
    for (int attempt = 0; attempt < 4; ++attempt) {
        const ssize_t got = getrandom(&id, sizeof id, 0);
        if (got == static_cast<ssize_t>(sizeof id)) {
            return id;
        }
        if (got < 0 && errno != EINTR) {
            break;
        }
    }
    // getrandom cannot fail on a running Linux system; if it somehow does, an unpredictable-enough
    // fallback beats refusing to run the check.
    const auto ticks = std::chrono::steady_clock::now().time_since_epoch().count();
    return static_cast<std::uint16_t>(ticks ^ (ticks >> 16));
}

}  // namespace anycast::dns
