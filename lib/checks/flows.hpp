#pragma once
// Per-flow splits. With ECMP in the path, a router hashes each flow's 5-tuple onto one of several
// equal-cost paths, so which anycast site answers depends on the query's source port: a check that
// picks a random port sees "site changes" that are not routing changes at all (Hendriks et al.,
// "Load-Balancing versus Anycast", 2025). check_anycast_site --flows N sends N queries from N source
// ports at once and judges the share of flows per site here; the state file then remembers the
// split's signature (its set of sites), so a stable split is not counted as flapping.
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "plugin/range.hpp"
#include "plugin/result.hpp"

namespace anycast::checks {

// One flow: one query from a source port of its own.
struct FlowSample {
    bool answered = false;
    std::optional<std::string> site;  // from the answer's own NSID; nullopt: could not be told
};

struct FlowShare {
    std::string site;
    std::size_t flows = 0;
    double percent = 0;  // of the flows whose site could be told
};

struct FlowSplit {
    std::size_t sent = 0;
    std::size_t answered = 0;
    std::size_t identified = 0;
    std::vector<FlowShare> shares;  // most flows first, ties by site code

    bool is_split() const { return shares.size() > 1; }
    // The sites in code order joined by '+' ("ams1+fra1"), "" when no flow was told apart. It does not
    // change while a split is stable, whatever the shares of one run.
    std::string signature() const;
    // Percent of the told flows that did not reach the site with the most: 0 when there is no split.
    double off_main_percent() const;
};

FlowSplit summarize_flows(std::span<const FlowSample> samples);

// "ams1 60% / fra1 40%"
std::string flow_shares_text(const FlowSplit& split);

// `thresholds` apply to off_main_percent() (Nagios ranges: "20" alerts above 20%). `name` is the
// subcheck's name ("flows 192.0.2.53"), `label` the perfdata prefix (the address).
plugin::Subcheck judge_flow_split(std::string name, const std::string& label, const FlowSplit& split,
                                  const plugin::Thresholds& thresholds);

}  // namespace anycast::checks
