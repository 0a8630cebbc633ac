// Reading what the Icinga 2 REST API returned: nlohmann-json parses (iteratively, so depth cannot
// exhaust the stack), and every field the judgement uses is type-checked here, so a truncated or
// hostile response is one ResponseError naming the first wrong field, never a crash or a guess.
#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "plugin/escape.hpp"
#include "plugin/text.hpp"
#include "sites/site_rules.hpp"
#include "vantages/vantages.hpp"

namespace anycast::vantages {
namespace {

using nlohmann::json;

[[noreturn]] void wrong(const std::string& where, const std::string& what) {
    throw ResponseError("API response: " + where + " " + what);
}

const json& member(const json& object, const std::string& where, const char* key) {
    const auto found = object.find(key);
    if (found == object.end()) {
        wrong(where, std::string("has no \"") + key + "\"");
    }
    return *found;
}

std::string string_at(const json& object, const std::string& where, const char* key) {
    const json& value = member(object, where, key);
    if (!value.is_string()) {
        wrong(where + "." + key, "is not a string");
    }
    return value.get<std::string>();
}

double number_at(const json& object, const std::string& where, const char* key) {
    const json& value = member(object, where, key);
    if (!value.is_number()) {
        wrong(where + "." + key, "is not a number");
    }
    const double number = value.get<double>();
    if (!std::isfinite(number)) {
        wrong(where + "." + key, "is not finite");
    }
    return number;
}

// An optional number (absent or null: fallback).
double number_or(const json& object, const std::string& where, const char* key, double fallback) {
    const auto found = object.find(key);
    if (found == object.end() || found->is_null()) {
        return fallback;
    }
    return number_at(object, where, key);
}

plugin::State state_at(const json& object, const std::string& where, int highest) {
    const double value = number_at(object, where, "state");
    if (value != std::floor(value) || value < 0 || value > highest) {
        wrong(where + ".state", "is not a state 0.." + std::to_string(highest));
    }
    return static_cast<plugin::State>(static_cast<int>(value));
}

// performance_data is an array of "label=value..." strings, or of PerfdataValue objects when the
// result came in already parsed; both become strings here.
std::vector<std::string> perfdata_at(const json& result, const std::string& where) {
    std::vector<std::string> items;
    const auto found = result.find("performance_data");
    if (found == result.end() || found->is_null()) {
        return items;
    }
    if (!found->is_array()) {
        wrong(where + ".performance_data", "is not an array");
    }
    for (std::size_t i = 0; i < found->size(); ++i) {
        const json& item = (*found)[i];
        const std::string item_where = where + ".performance_data[" + std::to_string(i) + "]";
        if (item.is_string()) {
            items.push_back(item.get<std::string>());
        } else if (item.is_object()) {
            items.push_back(string_at(item, item_where, "label") + "=" +
                            std::to_string(number_at(item, item_where, "value")));
        } else {
            wrong(item_where, "is neither a string nor a PerfdataValue");
        }
    }
    return items;
}

std::optional<LastResult> last_result_at(const json& object, const std::string& where, int highest,
                                         bool required = true) {
    if (!required && !object.contains("last_check_result")) {
        return std::nullopt;
    }
    const json& value = member(object, where, "last_check_result");
    if (value.is_null()) {
        return std::nullopt;
    }
    const std::string result_where = where + ".last_check_result";
    if (!value.is_object()) {
        wrong(result_where, "is not an object");
    }
    LastResult result;
    result.state = state_at(value, result_where, highest);
    result.output = string_at(value, result_where, "output");
    result.execution_end = number_at(value, result_where, "execution_end");
    if (value.contains("check_source") && !value["check_source"].is_null()) {
        result.check_source = string_at(value, result_where, "check_source");
    }
    result.perfdata = perfdata_at(value, result_where);
    return result;
}

ServiceRow row_at(const json& entry, const std::string& where) {
    if (!entry.is_object()) {
        wrong(where, "is not an object");
    }
    const json& attrs = member(entry, where, "attrs");
    const std::string attrs_where = where + ".attrs";
    if (!attrs.is_object()) {
        wrong(attrs_where, "is not an object");
    }
    ServiceRow row;
    row.host = string_at(attrs, attrs_where, "host_name");
    row.service = string_at(attrs, attrs_where, "name");
    row.result = last_result_at(attrs, attrs_where, 3);
    row.check_interval = number_or(attrs, attrs_where, "check_interval", 0);
    row.in_downtime = number_or(attrs, attrs_where, "downtime_depth", 0) > 0;
    const json& joins = member(entry, where, "joins");
    const json& host = joins.is_object() ? member(joins, where + ".joins", "host") : json();
    const std::string host_where = where + ".joins.host";
    if (!host.is_object()) {
        wrong(host_where, "is not an object");
    }
    // 0 UP, 1 DOWN. A host never checked (pending) reads as DOWN in the API; it is not known to
    // be down, so only a host with a result can leave its vantage point out.
    const bool host_up = state_at(host, host_where, 3) == plugin::State::ok;
    row.host_in_downtime = number_or(host, host_where, "downtime_depth", 0) > 0;
    if (const auto host_result = last_result_at(host, host_where, 3, false)) {
        row.host_output = host_result->output;
        row.host_down = !host_up;
    }
    return row;
}

}  // namespace

std::vector<ServiceRow> parse_services_response(std::string_view body) {
    if (body.size() > max_response_bytes) {
        throw ResponseError("API response larger than " + std::to_string(max_response_bytes >> 20) + " MiB");
    }
    const json document = json::parse(body.begin(), body.end(), nullptr, false);
    if (document.is_discarded()) {
        throw ResponseError("API response is not valid JSON (truncated?): " +
                            plugin::escape_untrusted(body.substr(0, 60), 60));
    }
    if (!document.is_object()) {
        wrong("document", "is not an object");
    }
    const json& results = member(document, "document", "results");
    if (!results.is_array()) {
        wrong("results", "is not an array");
    }
    std::vector<ServiceRow> rows;
    rows.reserve(results.size());
    for (std::size_t i = 0; i < results.size(); ++i) {
        rows.push_back(row_at(results[i], "results[" + std::to_string(i) + "]"));
    }
    return rows;
}

std::vector<std::string> sites_reached(const std::vector<std::string>& perfdata) {
    std::vector<std::string> sites;
    for (const std::string& item : perfdata) {
        std::string_view text = item;
        const std::size_t equals = text.find('=');
        if (equals == std::string_view::npos) {
            continue;
        }
        std::string_view label = text.substr(0, equals);
        if (label.size() >= 2 && label.front() == '\'' && label.back() == '\'') {
            label = label.substr(1, label.size() - 2);
        }
        if (label.substr(0, 5) != "site_" || !sites::is_site_code(label.substr(5))) {
            continue;
        }
        // The value: digits up to the unit or ';'. Anything but a positive count is no answer.
        const std::string_view value = text.substr(equals + 1, text.find(';') - equals - 1);
        const bool positive = !value.empty() &&
                              value.find_first_not_of("0123456789.") == std::string_view::npos &&
                              value.find_first_not_of("0.") != std::string_view::npos;
        const std::string code(label.substr(5));
        if (positive && std::find(sites.begin(), sites.end(), code) == sites.end()) {
            sites.push_back(code);
        }
    }
    return sites;
}

std::string output_reason(std::string_view output, std::size_t max_bytes) {
    std::string_view line = output.substr(0, output.find('\n'));
    // "ANYCAST SITE WARNING - catchment ...": the state is said elsewhere; keep what follows.
    const std::size_t dash = line.find(" - ");
    if (dash != std::string_view::npos && dash < 64) {
        const std::string_view head = line.substr(0, dash);
        for (const std::string_view state : {"OK", "WARNING", "CRITICAL", "UNKNOWN"}) {
            if (head.size() >= state.size() && head.substr(head.size() - state.size()) == state) {
                line = line.substr(dash + 3);
                break;
            }
        }
    }
    return plugin::escape_untrusted(plugin::trim_blanks(line), max_bytes);
}

}  // namespace anycast::vantages
