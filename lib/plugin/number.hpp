#pragma once
#include <string>

namespace anycast::plugin {

inline constexpr int max_format_decimals = 20;

// Fixed notation (never an exponent), at most max_decimals (0..20) decimals, trailing zeros trimmed, "-0" ->
// "0". Locale independent. Non-finite values give "nan", "inf" or "-inf"; callers decide what to print
// instead.
std::string format_decimal(double value, int max_decimals = 6);

// Shortest fixed-notation text that reads back as exactly the same double (for thresholds the user typed).
std::string format_exact(double value);

}  // namespace anycast::plugin
