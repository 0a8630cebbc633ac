#include "sites/airports.hpp"

#include <array>
#include <charconv>
#include <cstddef>

// The CSV is assembled into .rodata as it is, between two symbols, with a NUL after it. Embedding
// it this way (rather than as a generated C++ array) costs nothing at start-up: the checks run
// thousands of times an hour and most runs never look an airport up.
asm(".section .rodata\n"
    ".global anycast_airports_csv_begin\n"
    ".hidden anycast_airports_csv_begin\n"
    ".global anycast_airports_csv_end\n"
    ".hidden anycast_airports_csv_end\n"
    "anycast_airports_csv_begin:\n"
    ".incbin \"" ANYCAST_AIRPORTS_CSV
    "\"\n"
    "anycast_airports_csv_end:\n"
    ".byte 0\n"
    ".previous\n");

extern "C" {
extern const char anycast_airports_csv_begin[] __attribute__((visibility("hidden")));
extern const char anycast_airports_csv_end[] __attribute__((visibility("hidden")));
}

namespace anycast::sites {

namespace {

std::string_view table_text() {
    return {anycast_airports_csv_begin,
            static_cast<std::size_t>(anycast_airports_csv_end - anycast_airports_csv_begin)};
}

bool normalise_code(std::string_view iata, std::array<char, 3>& code) {
    if (iata.size() != code.size()) {
        return false;
    }
    for (std::size_t i = 0; i < code.size(); ++i) {
        const char c = iata[i];
        if (c >= 'a' && c <= 'z') {
            code[i] = static_cast<char>(c - 'a' + 'A');
        } else if (c >= 'A' && c <= 'Z') {
            code[i] = c;
        } else {
            return false;
        }
    }
    return true;
}

// Binary search over the lines of the sorted table, by byte offset: jump to the middle, back up
// to the start of that line, compare its first field. Each step discards at least one line.
std::optional<std::string_view> find_line(const std::array<char, 3>& code) {
    const std::string_view text = table_text();
    const std::string_view key(code.data(), code.size());
    std::size_t low = text.find('\n');  // the header line is not data
    if (low == std::string_view::npos) {
        return std::nullopt;
    }
    ++low;
    std::size_t high = text.size();
    while (low < high) {
        const std::size_t middle = low + (high - low) / 2;
        std::size_t line_start = middle;
        while (line_start > low && text[line_start - 1] != '\n') {
            --line_start;
        }
        std::size_t line_end = text.find('\n', line_start);
        if (line_end == std::string_view::npos) {
            line_end = text.size();
        }
        const std::string_view line = text.substr(line_start, line_end - line_start);
        const std::string_view line_key = line.substr(0, line.find(','));
        if (line_key == key) {
            return line;
        }
        if (line_key < key) {
            low = line_end + 1;
        } else {
            high = line_start;
        }
    }
    return std::nullopt;
}

// Splits one CSV line: fields may be quoted, with "" standing for a quote inside them.
std::array<std::string, 7> split_csv_line(std::string_view line) {
    if (!line.empty() && line.back() == '\r') {
        line.remove_suffix(1);
    }
    std::array<std::string, 7> fields;
    std::size_t field = 0;
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                fields[field] += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                fields[field] += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            if (++field == fields.size()) {
                break;
            }
        } else {
            fields[field] += c;
        }
    }
    return fields;
}

double parse_number(const std::string& text) {
    double value = 0.0;
    std::from_chars(text.data(), text.data() + text.size(), value);
    return value;
}

}  // namespace

std::optional<Airport> find_airport(std::string_view iata) {
    std::array<char, 3> code{};
    if (!normalise_code(iata, code)) {
        return std::nullopt;
    }
    const auto line = find_line(code);
    if (!line) {
        return std::nullopt;
    }
    auto fields = split_csv_line(*line);
    Airport airport;
    airport.iata = std::move(fields[0]);
    airport.location = GeoPoint{parse_number(fields[1]), parse_number(fields[2])};
    airport.country = std::move(fields[3]);
    airport.municipality = std::move(fields[4]);
    airport.large = fields[5] == "large";
    airport.name = std::move(fields[6]);
    return airport;
}

bool is_airport_code(std::string_view iata) {
    std::array<char, 3> code{};
    return normalise_code(iata, code) && find_line(code).has_value();
}

}  // namespace anycast::sites
