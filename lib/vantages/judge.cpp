// The judgement across vantage points (see vantages.hpp): who counts, who fails, who is left out
// and why, and which site each counted vantage point reaches.
#include <algorithm>
#include <cmath>

#include "plugin/escape.hpp"
#include "plugin/number.hpp"
#include "plugin/text.hpp"
#include "vantages/vantages.hpp"

namespace anycast::vantages {
namespace {

using plugin::CheckResult;
using plugin::State;
using plugin::Subcheck;

constexpr std::size_t max_named_in_headline = 5;

struct Vantage {
    const ServiceRow* row = nullptr;
    std::string name;      // escaped host name
    std::string excluded;  // why it is left out; empty when it counts
    bool failing = false;
    double age = 0;
    std::vector<std::string> sites;  // reached now (catchment)
    std::string catchment_problem;   // why no catchment reading
};

const ServiceRow* find_row(const std::vector<ServiceRow>& rows, const std::string& host,
                           const std::string& service) {
    for (const ServiceRow& row : rows) {
        if (row.host == host && row.service == service) {
            return &row;
        }
    }
    return nullptr;
}

double max_age_of(const ServiceRow& row, const Rules& rules) {
    return rules.max_age ? *rules.max_age : std::max(60.0, 3 * row.check_interval);
}

std::string seconds_text(double seconds) {
    return plugin::format_decimal(std::round(seconds), 0) + " s";
}

// Why a result cannot be used (empty: it can). `what` names it in the reason ("health service X").
std::string unusable(const ServiceRow* row, const std::string& what, const Rules& rules, double now) {
    if (row == nullptr) {
        return "has no " + what;
    }
    if (!row->result) {
        return what + " has no result yet";
    }
    const double age = now - row->result->execution_end;
    if (age > max_age_of(*row, rules)) {
        return what + " result " + seconds_text(age) + " old (max " + seconds_text(max_age_of(*row, rules)) +
               ")";
    }
    return {};
}

// The vantage point's own problem, if it has one: it is then left out, not counted as an outage.
std::string own_problem(const ServiceRow& row, const std::vector<ServiceRow>& rows, const Rules& rules,
                        double now) {
    if (row.host_in_downtime || row.in_downtime) {
        return "in downtime";
    }
    if (row.host_down) {
        return "host DOWN" + (row.host_output.empty() ? "" : ": " + output_reason(row.host_output, 80));
    }
    for (const std::string& health : rules.health_services) {
        const ServiceRow* check = find_row(rows, row.host, health);
        const std::string what = "health service '" + plugin::escape_untrusted(health, 60) + "'";
        if (std::string problem = unusable(check, what, rules, now); !problem.empty()) {
            return problem;
        }
        if (check->result->state != State::ok) {
            return what + " " + std::string(plugin::state_name(check->result->state)) + ": " +
                   output_reason(check->result->output, 80);
        }
    }
    if (std::string problem = unusable(&row, "service", rules, now); !problem.empty()) {
        return problem.substr(std::string("service ").size());
    }
    if (row.result->state == State::unknown && !rules.unknown_fails) {
        return "UNKNOWN: " + output_reason(row.result->output, 80);
    }
    return {};
}

bool counts_as_failing(State state, const Rules& rules) {
    if (state == State::unknown) {
        return rules.unknown_fails;
    }
    return static_cast<int>(state) >= static_cast<int>(rules.fail_state);
}

void read_catchment(Vantage& vantage, const std::vector<ServiceRow>& rows, const Rules& rules, double now) {
    const ServiceRow* row = find_row(rows, vantage.row->host, rules.catchment_service);
    const std::string what =
        rules.catchment_service == rules.service
            ? std::string("service")
            : "catchment service '" + plugin::escape_untrusted(rules.catchment_service, 60) + "'";
    vantage.catchment_problem = unusable(row, what, rules, now);
    if (vantage.catchment_problem.empty()) {
        vantage.sites = sites_reached(row->result->perfdata);
        if (vantage.sites.empty()) {
            vantage.catchment_problem = "no site answered";
        }
    }
}

// Per site the vantage points it serves, the known sites first (in their order), then any other
// site a vantage point reached.
Subcheck catchment_view(const std::vector<Vantage>& vantages, const Rules& rules,
                        std::vector<std::string>& unserved, std::vector<plugin::Perfdata>& perfdata,
                        std::size_t counted) {
    Subcheck view;
    view.name = "catchment";
    std::vector<std::string> codes = rules.sites;
    for (const Vantage& vantage : vantages) {
        for (const std::string& site : vantage.sites) {
            if (std::find(codes.begin(), codes.end(), site) == codes.end()) {
                codes.push_back(site);
            }
        }
    }
    std::vector<std::string> served_text;
    for (const std::string& code : codes) {
        Subcheck site;
        site.name = "site " + code;
        std::vector<std::string> names;
        for (const Vantage& vantage : vantages) {
            if (vantage.excluded.empty() &&
                std::find(vantage.sites.begin(), vantage.sites.end(), code) != vantage.sites.end()) {
                names.push_back(vantage.name);
            }
        }
        site.set_fact("site", code);
        site.set_fact("vantages", static_cast<std::int64_t>(names.size()));
        if (names.empty()) {
            unserved.push_back(code);
            site.state = rules.unserved_site_state;
            site.summary = "no vantage point reaches it";
        } else {
            site.summary = std::to_string(names.size()) + ": " + plugin::join_list(names);
            served_text.push_back(code + " " + std::to_string(names.size()));
        }
        perfdata.push_back({"site_" + code,
                            static_cast<double>(names.size()),
                            "",
                            {},
                            {},
                            0.0,
                            static_cast<double>(counted)});
        view.children.push_back(std::move(site));
    }
    std::vector<std::string> lost;
    for (const Vantage& vantage : vantages) {
        if (vantage.excluded.empty() && vantage.sites.empty()) {
            lost.push_back(vantage.name + " (" + vantage.catchment_problem + ")");
        }
    }
    view.summary = served_text.empty() ? "no vantage point reaches a site" : plugin::join_list(served_text);
    if (!lost.empty()) {
        view.summary += "; no site known for " + plugin::join_list(lost);
    }
    view.set_fact("unserved_sites", plugin::join_list(unserved, ","));
    return view;
}

Subcheck vantage_node(const Vantage& vantage) {
    const ServiceRow& row = *vantage.row;
    Subcheck node;
    node.name = vantage.name;
    node.set_fact("host", vantage.name);
    if (row.result) {
        node.set_fact("service_state", std::string(plugin::state_name(row.result->state)));
        node.set_fact("age_s", vantage.age);
        node.set_fact("check_source", plugin::escape_untrusted(row.result->check_source, 100));
        node.set_fact("output", output_reason(row.result->output, 200));
    }
    node.set_fact("sites", plugin::join_list(vantage.sites, ","));
    const std::string where =
        vantage.sites.empty() ? "" : ", reaches " + plugin::join_list(vantage.sites, "+");
    if (!vantage.excluded.empty()) {
        node.set_fact("excluded", vantage.excluded);
        node.summary = "left out: " + vantage.excluded;
        return node;
    }
    node.state = vantage.failing ? row.result->state : State::ok;
    node.summary = std::string(plugin::state_name(row.result->state)) + " " + seconds_text(vantage.age) +
                   " ago" + where + ": " + output_reason(row.result->output, 200);
    return node;
}

State fail_state_of(std::size_t failing, std::size_t counted, const Rules& rules) {
    if (failing > 0 && rules.fail_critical.reached(failing, counted)) {
        return State::critical;
    }
    if (failing > 0 && rules.fail_warning.reached(failing, counted)) {
        return State::warning;
    }
    return State::ok;
}

// "vp-ams CRITICAL (no answer), vp-iad WARNING (...)", at most max_named_in_headline named.
std::string failing_list(const std::vector<Vantage>& vantages) {
    std::vector<std::string> named;
    std::size_t more = 0;
    for (const Vantage& vantage : vantages) {
        if (!vantage.failing) {
            continue;
        }
        if (named.size() == max_named_in_headline) {
            ++more;
            continue;
        }
        named.push_back(vantage.name + " " + std::string(plugin::state_name(vantage.row->result->state)) +
                        " (" + output_reason(vantage.row->result->output, 100) + ")");
    }
    return plugin::join_list(named) + (more > 0 ? ", and " + std::to_string(more) + " more" : "");
}

std::string excluded_list(const std::vector<Vantage>& vantages) {
    std::vector<std::string> named;
    for (const Vantage& vantage : vantages) {
        if (!vantage.excluded.empty() && named.size() < max_named_in_headline) {
            named.push_back(vantage.name + " (" + vantage.excluded + ")");
        }
    }
    return plugin::join_list(named);
}

}  // namespace

plugin::CheckResult judge_vantages(const std::vector<ServiceRow>& rows, const Rules& rules, double now) {
    CheckResult result;
    std::vector<Vantage> vantages;
    for (const ServiceRow& row : rows) {
        if (row.service == rules.service) {
            Vantage vantage;
            vantage.row = &row;
            vantage.name = plugin::escape_untrusted(row.host, 100);
            vantage.excluded = own_problem(row, rows, rules, now);
            vantage.age = row.result ? now - row.result->execution_end : 0;
            vantage.failing = vantage.excluded.empty() && counts_as_failing(row.result->state, rules);
            if (vantage.excluded.empty()) {
                read_catchment(vantage, rows, rules, now);
            }
            vantages.push_back(std::move(vantage));
        }
    }
    std::sort(vantages.begin(), vantages.end(),
              [](const Vantage& a, const Vantage& b) { return a.row->host < b.row->host; });
    const std::string service = "'" + plugin::escape_untrusted(rules.service, 100) + "'";
    if (vantages.empty()) {
        result.state_override = State::unknown;
        result.summary = "no host runs service " + service;
        return result;
    }
    const std::size_t total = vantages.size();
    const auto excluded = static_cast<std::size_t>(std::count_if(
        vantages.begin(), vantages.end(), [](const Vantage& v) { return !v.excluded.empty(); }));
    const auto failing = static_cast<std::size_t>(
        std::count_if(vantages.begin(), vantages.end(), [](const Vantage& v) { return v.failing; }));
    const std::size_t counted = total - excluded;

    Subcheck counted_node;
    counted_node.name = "vantage points";
    Subcheck excluded_node;
    excluded_node.name = "left out";
    for (const Vantage& vantage : vantages) {
        (vantage.excluded.empty() ? counted_node : excluded_node).children.push_back(vantage_node(vantage));
    }
    const State fail_state = fail_state_of(failing, counted, rules);
    counted_node.state_override = fail_state;
    counted_node.summary = std::to_string(failing) + "/" + std::to_string(counted) + " failing (WARNING at " +
                           rules.fail_warning.text() + ", CRITICAL at " + rules.fail_critical.text() + ")";
    excluded_node.state_override = State::ok;
    excluded_node.summary = std::to_string(excluded) + " with a problem of their own";

    std::vector<std::string> unserved;
    Subcheck catchment = catchment_view(vantages, rules, unserved, result.perfdata, counted);
    catchment.state_override = unserved.empty() ? State::ok : rules.unserved_site_state;

    const double count_max = static_cast<double>(total);
    result.perfdata.insert(
        result.perfdata.begin(),
        {{"vantages_total", count_max, "", {}, {}, 0.0, {}},
         {"vantages_counted", static_cast<double>(counted), "", {}, {}, 0.0, count_max},
         {"vantages_failing", static_cast<double>(failing), "", {}, {}, 0.0, count_max},
         {"vantages_excluded", static_cast<double>(excluded), "", {}, {}, 0.0, count_max}});

    std::string summary;
    if (counted == 0) {
        result.state_override = State::unknown;
        summary = "no vantage point counts for " + service + ": all " + std::to_string(total) +
                  " left out: " + excluded_list(vantages);
    } else {
        result.state_override = plugin::worse(fail_state, *catchment.state_override);
        summary = failing == 0
                      ? std::to_string(counted) + "/" + std::to_string(counted) + " vantage points OK"
                      : std::to_string(failing) + "/" + std::to_string(counted) +
                            " vantage points failing: " + failing_list(vantages);
        if (excluded > 0) {
            summary += "; left out " + std::to_string(excluded) + "/" + std::to_string(total) + ": " +
                       excluded_list(vantages);
        }
        summary += "; catchment " + catchment.summary;
        if (!unserved.empty()) {
            summary += "; no vantage point reaches " + plugin::join_list(unserved);
        }
    }
    result.summary = summary;
    // The library's one headline algorithm: a part whose own state is not OK speaks for its
    // subtree with its headline, so the first line stays "N/M vantage points failing: ...".
    counted_node.state = fail_state;
    counted_node.headline = summary;
    result.subchecks.push_back(std::move(counted_node));
    if (excluded > 0) {
        result.subchecks.push_back(std::move(excluded_node));
    }
    result.subchecks.push_back(std::move(catchment));
    return result;
}

}  // namespace anycast::vantages
