#pragma once
#include <cstdint>

namespace anycast::dns {

// A query ID from the kernel's CSPRNG (getrandom(2)). Deliberately not ldns_get_random(), which
// seeds OpenSSL's RNG and costs about a millisecond and 2 MB on every run of a check.
std::uint16_t random_query_id();

}  // namespace anycast::dns
