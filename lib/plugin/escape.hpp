#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace anycast::plugin {

// Every network-derived string (NSID, TXT, names, identities) goes through this once, where it enters the
// program. The result is printable valid UTF-8 without `|`, control bytes or line breaks:
//   `\` -> `\\`, `|` -> `\x7c`, \n \r \t -> `\n` `\r` `\t`, other bytes < 0x20 and 0x7f -> `\xNN`,
//   bytes that are not valid UTF-8 (incl. overlong forms and surrogates) -> `\xNN`,
//   C1 controls U+0080..U+009F, U+2028/U+2029, bidi overrides/isolates (U+202A..U+202E, U+2066..U+2069)
//   and U+FEFF -> `\uNNNN`. Other valid UTF-8 passes unchanged.
// If the escaped form would exceed max_bytes it is cut at a character/escape boundary and "..." appended,
// so the result is at most max_bytes + 3 bytes.
std::string escape_untrusted(std::string_view raw, std::size_t max_bytes = 256);

// Bound on perfdata_label's result.
inline constexpr std::size_t max_perfdata_label_bytes = 100;

// A label safe for Icinga's perfdata parser and the Graphite/InfluxDB writers: keeps [A-Za-z0-9_.-], every
// other byte becomes `_` ("2001:db8::53" -> "2001_db8__53"); never empty ("_"); at most 100 bytes.
std::string perfdata_label(std::string_view raw);

// Last line of defence for the text output: replaces `|`, control bytes, invalid UTF-8, C1 controls and
// U+2028/U+2029 by `?` so nothing can break the first line or the perfdata. Not a substitute for
// escape_untrusted (it loses information).
std::string guard_output_text(std::string_view text);

}  // namespace anycast::plugin
