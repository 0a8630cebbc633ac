#pragma once
// check_anycast_vantages: one service across every vantage point, through the Icinga 2 REST API of
// the master. Options into a typed config, then one API query, then the pure judgement
// (vantages.hpp).
#include <optional>
#include <string>
#include <vector>

#include "plugin/options.hpp"
#include "plugin/result.hpp"
#include "vantages/icinga_api.hpp"
#include "vantages/vantages.hpp"

namespace anycast::vantages {

struct VantagesConfig {
    ApiConfig api;
    std::optional<std::string> password_file;
    std::string password_env = "ICINGA2_API_PASSWORD";
    std::optional<std::string> sites_file;  // --sites-file: read under the run's deadline
    Rules rules;
};

plugin::OptionParser define_vantages_options(VantagesConfig& config, plugin::CommonOptions& common);
plugin::CheckResult run_vantages(const VantagesConfig& config, const plugin::CommonOptions& common);

// The password: the file's first line when a file is named, else the environment variable.
// Throws anycast::InputError when neither gives one.
std::string api_password(const VantagesConfig& config);

// The JSON body of the one query: every row of the judged, catchment and health services.
std::string query_body(const Rules& rules);

}  // namespace anycast::vantages
