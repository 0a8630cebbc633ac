#pragma once
// What the three checks share beyond probing: the options they spell the same way, the way they
// collect findings for one line of output, and the deadline. Keeping them here means an option
// reads, parses and is documented identically in every check.
#include <string>
#include <string_view>
#include <vector>

#include "dns/endpoint.hpp"
#include "plugin/options.hpp"
#include "plugin/state.hpp"
#include "sites/site_rules.hpp"
#include "sites/sites_file.hpp"

namespace anycast::checks {

// The problems found on one line of output, worst state kept: "rcode NXDOMAIN; rtt 3 ms".
class Findings {
public:
    void add(plugin::State state, std::string text);
    plugin::State state() const { return state_; }
    bool empty() const { return text_.empty(); }
    const std::string& text() const { return text_; }
    // `details` with the findings in front: "rcode NXDOMAIN - udp NXDOMAIN aa, ...".
    std::string before(const std::string& details) const;

private:
    plugin::State state_ = plugin::State::ok;
    std::string text_;
};

// The one deadline of a run: --timeout after the run began (common.started), less a reserve for
// writing the report and exiting, so that the process has ended when --timeout is up, as it would
// under the SIGALRM of the classic plugins. The reserve is 10 ms, or a tenth of a shorter timeout.
dns::Clock::time_point run_deadline(const plugin::CommonOptions& common);

// -H (repeatable), -4 and -6.
void add_host_options(plugin::OptionParser& parser, std::vector<std::string>& hosts,
                      dns::AddressFamily& family, std::string arg_name, std::string help);
// -p/--port.
void add_port_option(plugin::OptionParser& parser, std::uint16_t& port, std::string help);
// Where sites and identity rules come from. A sites file is only named by its option: it is read
// under the run's deadline (load_sites), never while the options are parsed.
struct SiteOptions {
    std::vector<sites::SiteEntry> sites;    // --site, in order
    std::vector<std::string> sites_files;   // --sites-file
    std::vector<std::string> site_regexes;  // --site-regex, compiled once to be checked
};
// --sites-file (repeatable) and --site-regex (repeatable, validated now).
void add_site_rule_options(plugin::OptionParser& parser, SiteOptions& options, std::string sites_file_help,
                           std::string site_regex_help);
// --site entries, then every sites file's, each file read once with plugin::read_input_file.
// Throws anycast::InputError naming the file and line, or a site code defined twice.
std::vector<sites::SiteEntry> load_sites(const SiteOptions& options);
// --NAME-warning and --NAME-critical as Nagios ranges of one unit family.
void add_range_options(plugin::OptionParser& parser, std::string_view name, plugin::Thresholds& thresholds,
                       plugin::UnitFamily family, std::string warning_help, std::string critical_help);
// The value of an option that must be an IP literal ("--primary", "--compare-direct").
std::string ip_literal_value(std::string_view value);

}  // namespace anycast::checks
