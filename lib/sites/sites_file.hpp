#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sites/geo.hpp"
#include "sites/site_rules.hpp"

namespace anycast::sites {

// The sites file, shared by check_anycast_site and check_resolver_locality. One site per line:
//
//     # comment; blank lines ignored; '#' starting a word ends the line
//     # code  address...                    [loc=IATA|LAT,LON] [identity=STRING]...
//     ams1    192.0.2.10 2001:db8:10::53     loc=AMS   identity=nsd-ams-01.example.net
//     iad1    198.51.100.20                 loc=38.9445,-77.4558
//     sin1    loc=SIN   identity="dns server sin 1"
//
// - code: a site code, [a-z0-9][a-z0-9_-]* (upper case is accepted and stored lower case); each
//   code once per file.
// - address: an IPv4 or IPv6 literal (IPv6 may carry a zone, fe80::53%eth0); zero or more per
//   site (a resolver site may have only a location); an address belongs to one site only.
// - loc=: where the site is, an IATA airport code or LAT,LON in decimal degrees (parse_location).
// - identity=: repeatable; a server identity (NSID, hostname.bind, id.server) that means this
//   site, matched exactly and case-insensitively before any other rule. Double quotes may
//   surround a value with spaces or '#'.
// Fields are separated by spaces or tabs, in any order after the code. Lines are at most 4096
// bytes, the file at most 1 MiB, and control characters other than tab are refused.
// Every error is an anycast::InputError "sites file PATH line N: <what>".

struct SiteEntry {
    std::string code;                     // lower case
    std::vector<std::string> addresses;   // as written, validated
    std::optional<GeoPoint> location;     // from loc=
    std::string location_text;            // loc= as written, for messages ("AMS"); empty if none
    std::vector<std::string> identities;  // identity= values, as written
};

inline constexpr std::size_t max_sites_file_bytes = 1024 * 1024;
inline constexpr std::size_t max_sites_line_bytes = 4096;

// Parses the text of a sites file; source_name stands for the path in error messages.
std::vector<SiteEntry> parse_sites_text(std::string_view text, std::string_view source_name);

// Reads and parses a sites file. An unreadable file is an InputError naming the path and the
// system's reason ("sites file /x: No such file or directory").
std::vector<SiteEntry> load_sites_file(const std::string& path);

// Parses the value of --site CODE=ADDR[,ADDR...] ("ams1=192.0.2.10,2001:db8::53") with the same
// checks as the file. Errors read "--site 'VALUE': <what>".
SiteEntry parse_site_option(std::string_view value);

// True for an IPv4 or IPv6 literal (IPv6 with an optional %zone of 1-15 [A-Za-z0-9_.-]).
bool is_ip_address(std::string_view text);

// Feeds every identity= of the sites to rules.add_identity.
void add_site_identities(SiteRules& rules, const std::vector<SiteEntry>& sites);

}  // namespace anycast::sites
