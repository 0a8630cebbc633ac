#include "sites/serial.hpp"

namespace anycast::sites {

namespace {

constexpr std::uint32_t half_range = 0x80000000U;

}  // namespace

SerialOrder compare_serials(std::uint32_t a, std::uint32_t b) {
    // Unsigned subtraction is defined modulo 2^32, which is exactly the serial space.
    const std::uint32_t ahead = b - a;
    if (ahead == 0) {
        return SerialOrder::equal;
    }
    if (ahead == half_range) {
        return SerialOrder::undefined;
    }
    return ahead < half_range ? SerialOrder::less : SerialOrder::greater;
}

std::optional<std::int64_t> serial_lag(std::uint32_t reference, std::uint32_t serial) {
    const std::uint32_t behind = reference - serial;
    if (behind == half_range) {
        return std::nullopt;
    }
    if (behind < half_range) {
        return static_cast<std::int64_t>(behind);
    }
    return static_cast<std::int64_t>(behind) - (std::int64_t{1} << 32);
}

}  // namespace anycast::sites
