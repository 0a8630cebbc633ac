// The one headline algorithm: what the first line says for every check.
#include <boost/test/unit_test.hpp>

#include "plugin/result.hpp"

using anycast::plugin::CheckResult;
using anycast::plugin::headline;
using anycast::plugin::State;
using anycast::plugin::Subcheck;

namespace {

Subcheck part(std::string name, State state, std::string summary, std::string line = {}) {
    Subcheck s;
    s.name = std::move(name);
    s.state = state;
    s.summary = std::move(summary);
    s.headline = std::move(line);
    return s;
}

CheckResult result_of(std::vector<Subcheck> parts) {
    CheckResult result;
    result.summary = "all well";
    result.subchecks = std::move(parts);
    return result;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(headline_)

BOOST_AUTO_TEST_CASE(ok_is_the_checks_summary) {
    BOOST_TEST(headline(result_of({part("a", State::ok, "fine")})) == "all well");
}

BOOST_AUTO_TEST_CASE(failing_parts_worst_first_in_tree_order) {
    const auto result = result_of({part("a", State::warning, "slow"), part("b", State::ok, "fine"),
                                   part("c", State::critical, "down"), part("d", State::unknown, "unplaced"),
                                   part("e", State::critical, "refused", "site e refused")});
    BOOST_TEST(headline(result) == "c: down; site e refused; a: slow; d: unplaced");
}

BOOST_AUTO_TEST_CASE(children_speak_for_a_parent_that_is_not_ok_through_them) {
    Subcheck sites = part("sites", State::ok, "2/3 up");
    sites.children = {part("site x", State::critical, "down", "site x down"),
                      part("site y", State::ok, "up")};
    Subcheck nested = part("127.0.0.1", State::ok, "udp");
    nested.children = {part("serial", State::warning, "behind")};
    BOOST_TEST(headline(result_of({sites, nested})) == "site x down; 127.0.0.1 serial: behind");
    // A part whose own finding is not OK speaks for its subtree.
    Subcheck site = part("site z", State::critical, "down", "site z down (a: refused)");
    site.children = {part("a", State::critical, "refused")};
    BOOST_TEST(headline(result_of({site})) == "site z down (a: refused)");
}

BOOST_AUTO_TEST_CASE(overrides_decide) {
    // Overridden to OK (a limit not reached): nothing beneath is a problem.
    Subcheck sites = part("sites", State::ok, "2/3 up");
    sites.children = {part("site x", State::critical, "down")};
    sites.state_override = State::ok;
    BOOST_TEST(headline(result_of({sites})) == "all well");
    // A state from nothing but a limit: the part itself is the problem.
    Subcheck limited = part("sites", State::ok, "1/3 up", "2 of 3 sites down");
    limited.state_override = State::critical;
    BOOST_TEST(headline(result_of({limited})) == "2 of 3 sites down");
    // No part says why (bad input): the check's summary.
    CheckResult bad;
    bad.summary = "--port: 'x' is not a number";
    bad.state_override = State::unknown;
    BOOST_TEST(headline(bad) == "--port: 'x' is not a number");
}

BOOST_AUTO_TEST_CASE(identical_texts_once_and_bounded_with_and_n_more) {
    std::vector<Subcheck> parts;
    parts.push_back(part("x", State::critical, "same", "site ams1 unexpected"));
    parts.push_back(part("y", State::critical, "same", "site ams1 unexpected"));
    for (int i = 0; i < 30; ++i) {
        parts.push_back(part("192.0.2." + std::to_string(i), State::warning, "no answer within 2 s"));
    }
    const std::string line = headline(result_of(parts));
    BOOST_TEST(line.find("site ams1 unexpected; 192.0.2.0: no answer within 2 s; ") == 0U);
    BOOST_TEST(line.find("site ams1 unexpected", 1) == std::string::npos);
    BOOST_TEST(line.size() <= anycast::plugin::max_headline_bytes + 20);
    BOOST_TEST(line.find("; and ") != std::string::npos);
    BOOST_TEST(line.substr(line.size() - 5) == " more");
    // A single huge problem is cut, at a character boundary.
    const std::string huge = std::string(anycast::plugin::max_headline_bytes - 1, 'a') + "\xc3\xa9" + "tail";
    const std::string cut = headline(result_of({part("h", State::critical, "", huge)}));
    BOOST_TEST(cut == std::string(anycast::plugin::max_headline_bytes - 1, 'a') + "...");
}

BOOST_AUTO_TEST_SUITE_END()
