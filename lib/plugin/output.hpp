#pragma once
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

// Dispatches on format (verbosity only matters for text).
std::string render(const CheckResult& result, OutputFormat format, int verbosity);

}  // namespace anycast::plugin
