#include "plugin/output.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <string>

#include "plugin/error.hpp"
#include "plugin/escape.hpp"
#include "plugin/number.hpp"
#include "plugin/utf8.hpp"

namespace anycast::plugin {

namespace {

constexpr int perfdata_decimals = 6;  // microseconds on values in seconds

// A UOM is glued to the value, so anything but letters and % would corrupt the perfdata item.
std::string safe_uom(std::string_view uom) {
    std::string safe;
    for (const char c : uom) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '%') {
            safe += c;
        }
    }
    return safe;
}

std::string optional_number(const std::optional<double>& value) {
    if (!value || !std::isfinite(*value)) {
        return {};
    }
    return format_decimal(*value, perfdata_decimals);
}

std::string optional_range(const std::optional<Range>& range) {
    return range ? range->perfdata_text() : std::string{};
}

void collect_perfdata(const Subcheck& subcheck, std::vector<const Perfdata*>& out) {
    for (const auto& perfdata : subcheck.perfdata) {
        out.push_back(&perfdata);
    }
    for (const auto& child : subcheck.children) {
        collect_perfdata(child, out);
    }
}

std::vector<const Perfdata*> tree_perfdata(const CheckResult& result) {
    std::vector<const Perfdata*> all;
    for (const auto& perfdata : result.perfdata) {
        all.push_back(&perfdata);
    }
    for (const auto& subcheck : result.subchecks) {
        collect_perfdata(subcheck, all);
    }
    return all;
}

std::string fact_text(const FactValue& value) {
    if (const auto* text = std::get_if<std::string>(&value)) {
        return *text;
    }
    if (const auto* number = std::get_if<double>(&value)) {
        return format_decimal(*number, perfdata_decimals);
    }
    if (const auto* integer = std::get_if<std::int64_t>(&value)) {
        return std::to_string(*integer);
    }
    return std::get<bool>(value) ? "true" : "false";
}

void render_subcheck_text(const Subcheck& subcheck, std::size_t depth, int verbosity, std::string& out) {
    const std::string indent(2 * depth, ' ');
    out += indent + "[" + std::string(state_name(subcheck.effective_state())) + "]";
    if (!subcheck.name.empty()) {
        out += " " + guard_output_text(subcheck.name);
        if (!subcheck.summary.empty()) {
            out += ":";
        }
    }
    if (!subcheck.summary.empty()) {
        out += " " + guard_output_text(subcheck.summary);
    }
    out += '\n';
    if (verbosity >= 1) {
        for (const auto& [key, value] : subcheck.facts) {
            out += indent + "  " + guard_output_text(key) + "=" + guard_output_text(fact_text(value)) + '\n';
        }
    }
    for (const auto& child : subcheck.children) {
        render_subcheck_text(child, depth + 1, verbosity, out);
    }
}

// --- JSON ---

constexpr std::string_view hex_digits = "0123456789abcdef";

void append_json_string(std::string_view text, std::string& out) {
    out += '"';
    std::size_t pos = 0;
    while (pos < text.size()) {
        const Utf8Char decoded = decode_utf8(text, pos);
        const char32_t code_point = decoded.code_point;
        if (!decoded.valid) {
            out += "\\ufffd";
        } else if (code_point == U'"') {
            out += "\\\"";
        } else if (code_point == U'\\') {
            out += "\\\\";
        } else if (code_point < 0x20 || code_point == 0x7F || code_point == 0x2028 || code_point == 0x2029) {
            // \u2028/\u2029 too: valid JSON, but they end lines in JavaScript and some log shippers.
            out += "\\u";
            for (int shift = 12; shift >= 0; shift -= 4) {
                out += hex_digits[(code_point >> static_cast<unsigned>(shift)) & 0x0FU];
            }
        } else {
            out.append(text.substr(pos, decoded.length));
        }
        pos += decoded.length;
    }
    out += '"';
}

void append_json_number(double value, std::string& out) {
    if (!std::isfinite(value)) {
        out += "null";
        return;
    }
    std::array<char, 64> buffer{};
    const auto [end, error] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
    if (error != std::errc{}) {
        out += "null";
        return;
    }
    out.append(buffer.data(), end);
}

void append_json_optional_number(const std::optional<double>& value, std::string& out) {
    if (value) {
        append_json_number(*value, out);
    } else {
        out += "null";
    }
}

void append_json_optional_range(const std::optional<Range>& range, std::string& out) {
    if (range) {
        append_json_string(range->perfdata_text(), out);
    } else {
        out += "null";
    }
}

void append_json_fact(const FactValue& value, std::string& out) {
    if (const auto* text = std::get_if<std::string>(&value)) {
        append_json_string(*text, out);
    } else if (const auto* number = std::get_if<double>(&value)) {
        append_json_number(*number, out);
    } else if (const auto* integer = std::get_if<std::int64_t>(&value)) {
        out += std::to_string(*integer);
    } else {
        out += std::get<bool>(value) ? "true" : "false";
    }
}

void append_json_perfdata(const Perfdata& perfdata, std::string& out) {
    out += "{\"label\":";
    append_json_string(perfdata_label(perfdata.label), out);
    out += ",\"value\":";
    append_json_number(perfdata.value, out);
    out += ",\"uom\":";
    append_json_string(safe_uom(perfdata.uom), out);
    out += ",\"warn\":";
    append_json_optional_range(perfdata.warning, out);
    out += ",\"crit\":";
    append_json_optional_range(perfdata.critical, out);
    out += ",\"min\":";
    append_json_optional_number(perfdata.min, out);
    out += ",\"max\":";
    append_json_optional_number(perfdata.max, out);
    out += '}';
}

template <typename Items, typename AppendItem>
void append_json_array(const Items& items, AppendItem append_item, std::string& out) {
    out += '[';
    bool first = true;
    for (const auto& item : items) {
        if (!first) {
            out += ',';
        }
        first = false;
        append_item(item, out);
    }
    out += ']';
}

void append_json_subcheck(const Subcheck& subcheck, std::string& out) {
    out += "{\"name\":";
    append_json_string(subcheck.name, out);
    out += ",\"state\":";
    append_json_string(state_name(subcheck.effective_state()), out);
    out += ",\"summary\":";
    append_json_string(subcheck.summary, out);
    out += ",\"facts\":{";
    bool first = true;
    for (std::size_t i = 0; i < subcheck.facts.size(); ++i) {
        const auto& [key, value] = subcheck.facts[i];
        // Facts appended twice with the same key would make a JSON object with duplicate names, which
        // parsers resolve differently; the last one wins, as with set_fact.
        bool repeated_later = false;
        for (std::size_t j = i + 1; j < subcheck.facts.size() && !repeated_later; ++j) {
            repeated_later = subcheck.facts[j].first == key;
        }
        if (repeated_later) {
            continue;
        }
        if (!first) {
            out += ',';
        }
        first = false;
        append_json_string(key, out);
        out += ':';
        append_json_fact(value, out);
    }
    out += "},\"perfdata\":";
    append_json_array(subcheck.perfdata, append_json_perfdata, out);
    out += ",\"subchecks\":";
    append_json_array(subcheck.children, append_json_subcheck, out);
    out += '}';
}

// The longest prefix of text of at most max bytes that does not end inside a UTF-8 sequence.
std::string_view utf8_prefix(std::string_view text, std::size_t max) {
    if (text.size() <= max) {
        return text;
    }
    std::size_t end = max;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) {
        --end;
    }
    return text.substr(0, end);
}

std::string byte_count_text(std::size_t bytes) {
    if (bytes >= std::size_t{1} << 20) {
        return format_decimal(static_cast<double>(bytes) / (1 << 20), 1) + " MiB";
    }
    if (bytes >= 1024) {
        return format_decimal(static_cast<double>(bytes) / 1024, 1) + " KiB";
    }
    return std::to_string(bytes) + " bytes";
}

// Line 1 within bounds; counts the perfdata items it drops.
std::string bound_first_line(std::string_view line, const OutputBounds& bounds, std::size_t& items,
                             std::size_t& dropped) {
    const std::size_t bar = line.find('|');  // guard_output_text keeps '|' out of the summary
    std::string_view head = line.substr(0, bar);
    std::string out;
    if (head.size() > bounds.summary_bytes) {
        out =
            std::string(utf8_prefix(head, bounds.summary_bytes > 4 ? bounds.summary_bytes - 4 : 0)) + "... ";
    } else {
        out = std::string(head);
    }
    if (bar == std::string_view::npos) {
        return out;
    }
    std::string perfdata;
    std::string_view rest = line.substr(bar + 1);
    while (!rest.empty()) {
        const std::size_t space = rest.find(' ');
        const std::string_view item = rest.substr(0, space);
        rest = space == std::string_view::npos ? std::string_view{} : rest.substr(space + 1);
        if (item.empty()) {
            continue;
        }
        ++items;
        if (dropped == 0 && perfdata.size() + 1 + item.size() <= bounds.perfdata_bytes) {
            perfdata += ' ';
            perfdata += item;
        } else {
            ++dropped;  // once one is dropped, all after it are: the kept ones are a prefix
        }
    }
    return perfdata.empty() ? out : out + "|" + perfdata;
}

}  // namespace

std::string bound_text_output(std::string text, const OutputBounds& bounds) {
    const std::size_t first_end = std::min(text.find('\n'), text.size());
    const std::string_view first(text.data(), first_end);
    const std::size_t bar = first.find('|');
    const std::size_t head_size = std::min(bar, first.size());
    const std::size_t perf_size = bar == std::string_view::npos ? 0 : first.size() - bar - 1;
    if (text.size() <= bounds.total_bytes && head_size <= bounds.summary_bytes &&
        perf_size <= bounds.perfdata_bytes) {
        return text;
    }
    std::size_t items = 0;
    std::size_t dropped_items = 0;
    std::string out = bound_first_line(first, bounds, items, dropped_items) + "\n";
    // Room for the notice line, which says what was left out.
    constexpr std::size_t notice_reserve = 160;
    const std::size_t budget = bounds.total_bytes > notice_reserve ? bounds.total_bytes - notice_reserve : 0;
    std::size_t dropped_lines = 0;
    std::size_t dropped_bytes = 0;
    std::string_view rest = first_end < text.size() ? std::string_view(text).substr(first_end + 1) : "";
    while (!rest.empty()) {
        const std::size_t newline = std::min(rest.find('\n'), rest.size());
        const std::string_view line = rest.substr(0, newline);
        rest = newline < rest.size() ? rest.substr(newline + 1) : std::string_view{};
        if (dropped_lines == 0 && out.size() + line.size() + 1 <= budget) {
            out += line;
            out += '\n';
        } else {
            ++dropped_lines;
            dropped_bytes += line.size() + 1;
        }
    }
    if (dropped_lines == 0 && dropped_items == 0) {
        return out;  // only the summary was cut
    }
    std::string notice = "[...] ";
    if (dropped_lines > 0) {
        notice += std::to_string(dropped_lines) + " more lines (" + byte_count_text(dropped_bytes) + ")";
    }
    if (dropped_items > 0) {
        notice += std::string(dropped_lines > 0 ? " and " : "") + std::to_string(dropped_items) + " of " +
                  std::to_string(items) + " perfdata items";
    }
    notice += " left out (output bound " + byte_count_text(bounds.total_bytes) +
              "; --output-format=json prints everything)\n";
    return out + notice;
}

OutputFormat parse_output_format(std::string_view text) {
    if (text == "text") {
        return OutputFormat::text;
    }
    if (text == "json") {
        return OutputFormat::json;
    }
    throw InputError("'" + escape_untrusted(text, 64) + "' is not an output format (use text or json)");
}

std::string render_perfdata(const Perfdata& perfdata) {
    std::string item = perfdata_label(perfdata.label) + "=";
    // "U" is the guidelines' "could not be determined"; a unit glued to it ("Us") would not parse.
    if (std::isfinite(perfdata.value)) {
        item += format_decimal(perfdata.value, perfdata_decimals) + safe_uom(perfdata.uom);
    } else {
        item += "U";
    }
    std::array<std::string, 4> fields = {optional_range(perfdata.warning), optional_range(perfdata.critical),
                                         optional_number(perfdata.min), optional_number(perfdata.max)};
    std::size_t used = fields.size();
    while (used > 0 && fields[used - 1].empty()) {
        --used;
    }
    for (std::size_t i = 0; i < used; ++i) {
        item += ";" + fields[i];
    }
    return item;
}

std::string render_text(const CheckResult& result, int verbosity) {
    std::string out;
    if (!result.label.empty()) {
        out += guard_output_text(result.label) + " ";
    }
    out += state_name(result.state());
    if (const std::string first = headline(result); !first.empty()) {
        out += " - " + guard_output_text(first);
    }
    const auto perfdata = tree_perfdata(result);
    if (!perfdata.empty()) {
        out += " |";
        for (const Perfdata* item : perfdata) {
            out += " " + render_perfdata(*item);
        }
    }
    out += '\n';
    for (const auto& subcheck : result.subchecks) {
        render_subcheck_text(subcheck, 0, verbosity, out);
    }
    return out;
}

std::string render_json(const CheckResult& result) {
    const State state = result.state();
    std::string out = "{\"check\":";
    append_json_string(result.label, out);
    out += ",\"state\":";
    append_json_string(state_name(state), out);
    out += ",\"exit_code\":" + std::to_string(exit_code(state));
    out += ",\"summary\":";
    append_json_string(headline(result), out);
    out += ",\"perfdata\":";
    // The whole tree's perfdata, as in the text form's first line; each subcheck also lists its own.
    append_json_array(
        tree_perfdata(result), [](const Perfdata* item, std::string& o) { append_json_perfdata(*item, o); },
        out);
    out += ",\"subchecks\":";
    append_json_array(result.subchecks, append_json_subcheck, out);
    out += "}\n";
    return out;
}

std::string render(const CheckResult& result, OutputFormat format, int verbosity) {
    return format == OutputFormat::json ? render_json(result) : render_text(result, verbosity);
}

}  // namespace anycast::plugin
