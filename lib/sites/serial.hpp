#pragma once
#include <cstdint>
#include <optional>

namespace anycast::sites {

// SOA serial number arithmetic (RFC 1982, SERIAL_BITS = 32): serials wrap around, so "newer"
// means "ahead by less than 2^31", and two serials exactly 2^31 apart are not ordered at all.

enum class SerialOrder { less, equal, greater, undefined };

// How a compares to b. Examples: compare_serials(1, 2) == less;
// compare_serials(4294967295, 0) == less (0 is newer after the wrap);
// compare_serials(0, 2147483648) == undefined.
SerialOrder compare_serials(std::uint32_t a, std::uint32_t b);

// How far serial is behind reference, as a signed distance in (-2^31, 2^31): positive when serial
// is older, negative when it is ahead of the reference, 0 when equal. nullopt when they are exactly
// 2^31 apart (RFC 1982 leaves that undefined). Example: serial_lag(5, 4294967290) == 11.
std::optional<std::int64_t> serial_lag(std::uint32_t reference, std::uint32_t serial);

}  // namespace anycast::sites
