// escape_untrusted, perfdata_label and guard_output_text are the last line between network bytes
// and Icinga's status line: their promises (lib/plugin/escape.hpp) are checked on arbitrary bytes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_invariants.hpp"
#include "plugin/escape.hpp"

using anycast::fuzz::is_safe_for_output;
using anycast::fuzz::is_valid_utf8;
using anycast::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) {
        return 0;
    }
    const std::size_t bound = data[0];  // small bounds exercise the cutting at escape boundaries
    const std::string_view raw(reinterpret_cast<const char*>(data + 1), size - 1);

    const std::string escaped = anycast::plugin::escape_untrusted(raw, bound);
    require(is_safe_for_output(escaped));
    require(escaped.size() <= bound + 3);
    const std::string unbounded = anycast::plugin::escape_untrusted(raw, 1 << 20);
    require(is_safe_for_output(unbounded));
    // Printable ASCII other than '\' and '|' passes unchanged.
    bool plain = true;
    for (char c : raw) {
        plain = plain && c >= 0x20 && c < 0x7f && c != '\\' && c != '|';
    }
    require(!plain || unbounded == raw);

    const std::string label = anycast::plugin::perfdata_label(raw);
    require(!label.empty() && label.size() <= anycast::plugin::max_perfdata_label_bytes);
    for (char c : label) {
        require((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                c == '.' || c == '-');
    }

    const std::string guarded = anycast::plugin::guard_output_text(raw);
    require(is_valid_utf8(guarded));
    for (char c : guarded) {
        const auto byte = static_cast<unsigned char>(c);
        require(c != '|' && byte != 0x7f && byte >= 0x20);
    }
    return 0;
}
