#pragma once
#include <cstddef>
#include <string>
#include <string_view>

#include "plugin/result.hpp"

namespace anycast::plugin {

enum class OutputFormat { text, json };

// "text" | "json"; anything else throws anycast::InputError.
OutputFormat parse_output_format(std::string_view text);

// One perfdata item: `label=value[UOM];warn;crit;min;max`, trailing empty fields dropped, value "U" (no UOM)
// when not finite, values with at most 6 decimals and never in exponent notation.
std::string render_perfdata(const Perfdata& perfdata);

// Line 1: `LABEL STATE - summary | perfdata...` (perfdata of the whole tree: top level, then each subcheck
// in tree order). Then one line per subcheck, indented two spaces per depth level: `[OK] name: summary`;
// verbosity >= 1 adds each subcheck's facts as `key=value` beneath it. Ends with a newline. Every text
// field passes through guard_output_text().
std::string render_text(const CheckResult& result, int verbosity);

// The object described in notes/json-schema.md, followed by a newline.
std::string render_json(const CheckResult& result);

// How much text output a check prints at most. A monitoring core reads a plugin's output through a
// pipe, and some read it only after the plugin exits: beyond the pipe's 64 KiB the write would
// block, and the check would outlive its --timeout. Nagios Core keeps only the first 8 KiB anyway.
struct OutputBounds {
    std::size_t summary_bytes = 2048;     // line 1 before the '|': "LABEL STATE - summary"
    std::size_t perfdata_bytes = 6144;    // line 1 after the '|'; whole items only
    std::size_t total_bytes = 48 * 1024;  // the whole output, notices included
};

// Bounds text rendered by render_text: a longer summary is cut (at a UTF-8 boundary) and ends in
// "...", perfdata items beyond the bound are dropped whole, and long output lines beyond the bound
// are dropped whole; what was left out is said on a last line:
//     [...] 4913 more lines (1.1 MiB) and 4822 of 5001 perfdata items left out (output bound 48 KiB)
// Text within the bounds is returned unchanged. Separate from rendering so that the headline and
// the tree stay whatever render_text makes of them.
std::string bound_text_output(std::string text, const OutputBounds& bounds = {});

// Dispatches on format (verbosity only matters for text).
std::string render(const CheckResult& result, OutputFormat format, int verbosity);

}  // namespace anycast::plugin
