#include "checks/flows.hpp"

#include <algorithm>
#include <map>

#include "plugin/number.hpp"
#include "plugin/text.hpp"

namespace anycast::checks {
namespace {

using plugin::State;

std::string percent_text(double percent) {
    return plugin::format_decimal(percent, 0) + "%";
}

// "(2 of 16 flows unanswered, 1 without NSID)", or "" when every flow was told.
std::string missing_text(const FlowSplit& split) {
    std::string text;
    if (split.answered < split.sent) {
        text = std::to_string(split.sent - split.answered) + " of " + std::to_string(split.sent) +
               " flows unanswered";
    }
    if (split.identified < split.answered) {
        text +=
            (text.empty() ? "" : ", ") + std::to_string(split.answered - split.identified) + " without NSID";
    }
    return text.empty() ? text : " (" + text + ")";
}

}  // namespace

std::string flow_shares_text(const FlowSplit& split) {
    std::string text;
    for (const FlowShare& share : split.shares) {
        text += (text.empty() ? "" : " / ") + share.site + " " + percent_text(share.percent);
    }
    return text;
}

std::string FlowSplit::signature() const {
    std::vector<std::string> sites;
    for (const FlowShare& share : shares) {
        sites.push_back(share.site);
    }
    std::sort(sites.begin(), sites.end());
    return plugin::join_list(sites, "+");
}

double FlowSplit::off_main_percent() const {
    return shares.empty() ? 0.0 : 100.0 - shares.front().percent;
}

FlowSplit summarize_flows(std::span<const FlowSample> samples) {
    FlowSplit split;
    std::map<std::string, std::size_t> counts;
    for (const FlowSample& sample : samples) {
        ++split.sent;
        if (!sample.answered) {
            continue;
        }
        ++split.answered;
        if (sample.site) {
            ++split.identified;
            ++counts[*sample.site];
        }
    }
    for (const auto& [site, flows] : counts) {
        split.shares.push_back(
            {site, flows, 100.0 * static_cast<double>(flows) / static_cast<double>(split.identified)});
    }
    std::stable_sort(split.shares.begin(), split.shares.end(),
                     [](const FlowShare& a, const FlowShare& b) { return a.flows > b.flows; });
    return split;
}

plugin::Subcheck judge_flow_split(std::string name, const std::string& label, const FlowSplit& split,
                                  const plugin::Thresholds& thresholds) {
    plugin::Subcheck check;
    check.name = std::move(name);
    check.set_fact("flows_sent", static_cast<std::int64_t>(split.sent));
    check.set_fact("flows_answered", static_cast<std::int64_t>(split.answered));
    check.set_fact("flows_identified", static_cast<std::int64_t>(split.identified));
    if (split.answered == 0) {
        check.state = State::critical;
        check.summary = "none of " + std::to_string(split.sent) + " flows answered";
        return check;
    }
    if (split.identified == 0) {
        // Without NSID on each answer, a flow's site cannot be told from its own packet (a CHAOS query
        // is another flow and may take another path).
        check.state = State::unknown;
        check.summary = "no answer carried an NSID, so no flow's site can be told" + missing_text(split);
        return check;
    }
    check.set_fact("split", split.is_split());
    check.set_fact("sites", split.signature());
    check.set_fact("off_main_pct", split.off_main_percent());
    for (const FlowShare& share : split.shares) {
        check.set_fact("share_" + share.site + "_pct", share.percent);
        check.perfdata.push_back({label + "_flows_" + share.site, share.percent, "%", {}, {}, 0.0, 100.0});
    }
    check.perfdata.push_back({label + "_flows_off_main", split.off_main_percent(), "%", thresholds.warning,
                              thresholds.critical, 0.0, 100.0});
    if (!split.is_split()) {
        check.summary = "all " + std::to_string(split.identified) + " flows to " + split.shares.front().site +
                        missing_text(split);
        return check;
    }
    check.state = thresholds.evaluate(split.off_main_percent());
    check.summary = "split across " + flow_shares_text(split) +
                    ": per-flow load balancing, not a route change" + missing_text(split);
    if (check.state != State::ok) {
        check.summary = percent_text(split.off_main_percent()) + " of flows off " +
                        split.shares.front().site + " - " + check.summary;
    }
    return check;
}

}  // namespace anycast::checks
