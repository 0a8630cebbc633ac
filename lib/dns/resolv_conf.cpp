#include "dns/resolv_conf.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "plugin/error.hpp"
#include "plugin/escape.hpp"
#include "plugin/file.hpp"

namespace anycast::dns {
namespace {

// Generous for a file the resolver reads line by line; a bound keeps a corrupt or hostile file
// from costing the check more than a moment.
constexpr std::size_t max_resolv_conf_lines = 4096;
constexpr std::size_t max_zone_bytes = 15;  // IF_NAMESIZE - 1

bool is_blank(char c) {
    return c == ' ' || c == '\t';
}

std::string_view next_word(std::string_view& rest) {
    std::size_t begin = 0;
    while (begin < rest.size() && is_blank(rest[begin])) {
        ++begin;
    }
    std::size_t end = begin;
    while (end < rest.size() && !is_blank(rest[end])) {
        ++end;
    }
    const std::string_view word = rest.substr(begin, end - begin);
    rest.remove_prefix(end);
    return word;
}

bool is_zone_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
}

// The zone is checked for its form only: whether the interface exists is the querying code's
// business, and this file may be read on a host other than the one it configures.
bool is_nameserver_address(std::string_view text) {
    const std::size_t percent = text.find('%');
    const std::string address(text.substr(0, percent));
    if (address.empty() || address.find('\0') != std::string::npos) {
        return false;
    }
    if (percent == std::string_view::npos) {
        in_addr v4{};
        in6_addr v6{};
        return inet_pton(AF_INET, address.c_str(), &v4) == 1 ||
               inet_pton(AF_INET6, address.c_str(), &v6) == 1;
    }
    const std::string_view zone = text.substr(percent + 1);
    in6_addr v6{};
    return inet_pton(AF_INET6, address.c_str(), &v6) == 1 && !zone.empty() && zone.size() <= max_zone_bytes &&
           std::all_of(zone.begin(), zone.end(), is_zone_char);
}

std::string quoted(std::string_view text) {
    return "'" + plugin::escape_untrusted(text, 64) + "'";
}

}  // namespace

std::vector<std::string> parse_resolv_conf_nameservers(std::string_view text, std::string_view source_name) {
    std::vector<std::string> nameservers;
    std::size_t line_number = 0;
    std::size_t start = 0;
    while (start < text.size()) {
        ++line_number;
        const std::size_t newline = text.find('\n', start);
        const std::size_t end = newline == std::string_view::npos ? text.size() : newline;
        std::string_view line = text.substr(start, end - start);
        start = end + 1;
        try {
            if (line_number > max_resolv_conf_lines) {
                throw InputError("more than " + std::to_string(max_resolv_conf_lines) + " lines");
            }
            if (line.ends_with('\r')) {
                line.remove_suffix(1);
            }
            if (line.size() > max_resolv_conf_line_bytes) {
                throw InputError("line is longer than " + std::to_string(max_resolv_conf_line_bytes) +
                                 " bytes");
            }
            // glibc and musl honour a keyword only at the very start of a line; leading blanks are
            // accepted here because an indented nameserver line is far more likely a slip than
            // something the administrator meant the resolver to skip.
            std::string_view rest = line;
            const std::string_view keyword = next_word(rest);
            // Comments ('#' or ';' first), blank lines and every other keyword end up here.
            if (keyword != "nameserver") {
                continue;
            }
            const std::string_view address = next_word(rest);
            if (address.empty()) {
                throw InputError("nameserver without an address");
            }
            // Anything after the address is ignored, as glibc ignores it (often a trailing comment).
            if (!is_nameserver_address(address)) {
                throw InputError(quoted(address) + " is not an IP address");
            }
            // glibc uses only the first three nameservers (MAXNS) and silently drops the rest; all
            // are kept here so the check can say which resolvers the system would never ask.
            if (nameservers.size() >= max_resolv_conf_nameservers) {
                throw InputError("more than " + std::to_string(max_resolv_conf_nameservers) +
                                 " nameserver lines");
            }
            nameservers.emplace_back(address);
        } catch (const InputError& e) {
            throw InputError(std::string(source_name) + " line " + std::to_string(line_number) + ": " +
                             e.what());
        }
    }
    return nameservers;
}

std::vector<std::string> load_resolv_conf(const std::string& path) {
    // The careful reader: a FIFO in its place cannot hang the check, nor /dev/zero exhaust it.
    plugin::FileContents contents = plugin::read_regular_file(path, max_resolv_conf_bytes);
    if (!contents.text) {
        throw InputError(path + ": " + contents.error->message);
    }
    const std::string& text = *contents.text;
    std::vector<std::string> nameservers = parse_resolv_conf_nameservers(text, path);
    if (nameservers.empty()) {
        // glibc would then ask 127.0.0.1; whether something listens there is not for us to guess.
        throw InputError("no nameserver in " + path);
    }
    return nameservers;
}

}  // namespace anycast::dns
