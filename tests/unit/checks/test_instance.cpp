// The one Instance: how it is placed and which facts describe it.
#include <boost/test/unit_test.hpp>

#include "checks/instance.hpp"
#include "plugin/text.hpp"

namespace checks = anycast::checks;
using anycast::identity::Method;

namespace {

anycast::identity::Identity said(const char* value, Method method = Method::nsid) {
    anycast::identity::Identity identity;
    identity.value = value;
    identity.method = method;
    identity.attempts = {{method, value}};
    return identity;
}

std::string fact(const anycast::plugin::Subcheck& check, const char* key) {
    const auto* value = check.find_fact(key);
    return value == nullptr ? "absent" : std::get<std::string>(*value);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(instance)

BOOST_AUTO_TEST_CASE(a_sites_file_loc_wins_and_egress_addresses_place_whoami_answers) {
    anycast::sites::SiteEntry edge;
    edge.code = "edge5";
    edge.addresses = {"192.0.2.25"};
    edge.location = anycast::sites::parse_location("SIN");
    edge.location_text = "SIN";
    anycast::sites::SiteEntry ams;
    ams.code = "ams1";
    ams.location = anycast::sites::parse_location("52.3,4.8");
    ams.location_text = "52.3,4.8";
    const checks::SiteMap map({edge, ams}, {});
    const checks::Instance egress = map.place(said("192.0.2.25", Method::whoami));
    BOOST_TEST(*egress.site == "edge5");
    BOOST_TEST(egress.rule == "sites file address");
    BOOST_TEST(*egress.location == "SIN");
    const checks::Instance listed = map.place(said("ams1"));
    BOOST_TEST(*listed.location == "52.3,4.8");  // loc= wins over the rules' AMS
    BOOST_TEST(listed.coordinates->latitude_deg == 52.3);
    const checks::Instance hidden = map.place({});
    BOOST_TEST(!hidden.site);
    BOOST_TEST(hidden.method_text() == "none");
}

BOOST_AUTO_TEST_CASE(one_description_for_every_check) {
    checks::Instance placed;
    placed.identity = "mad1f.f.root-servers.org";
    placed.method = Method::hostname_bind;
    placed.attempts = {{Method::nsid, "no NSID in the answer"},
                       {Method::hostname_bind, "mad1f.f.root-servers.org"}};
    placed.site = "mad1f";
    placed.location = "MAD";
    placed.coordinates = anycast::sites::parse_location("MAD");
    placed.rule = "root-servers.org";
    placed.operator_name = "F-root (ISC)";
    anycast::plugin::Subcheck check;
    checks::add_instance_facts(placed, check);
    BOOST_TEST(fact(check, "identity") == "mad1f.f.root-servers.org");
    BOOST_TEST(fact(check, "identity_method") == "hostname.bind");
    BOOST_TEST(fact(check, "identity_nsid") == "no NSID in the answer");
    BOOST_TEST(fact(check, "site") == "mad1f");
    BOOST_TEST(fact(check, "site_rule") == "root-servers.org");
    BOOST_TEST(fact(check, "site_operator") == "F-root (ISC)");
    BOOST_TEST(fact(check, "location") == "MAD");
    BOOST_TEST(check.find_fact("latitude") != nullptr);
    BOOST_TEST(checks::describe_instance(placed) ==
               "site mad1f (MAD; identity mad1f.f.root-servers.org (hostname.bind), rule: root-servers.org)");
    checks::Instance unplaced;
    unplaced.identity = "m17.ams";
    unplaced.method = Method::nsid;
    BOOST_TEST(checks::describe_instance(unplaced) == "identity m17.ams (nsid), no site recognised");
    unplaced.identity.reset();
    unplaced.hidden = true;
    BOOST_TEST(checks::describe_instance(unplaced) == "identity hidden");
}

BOOST_AUTO_TEST_CASE(comma_lists_are_split_and_trimmed_once) {
    using anycast::plugin::split_list;
    BOOST_TEST(split_list("nsid, whoami") == (std::vector<std::string>{"nsid", "whoami"}));
    BOOST_TEST(split_list(" ams1 ,\tlhr1 ") == (std::vector<std::string>{"ams1", "lhr1"}));
    BOOST_TEST(split_list("a,,b") == (std::vector<std::string>{"a", "", "b"}));
    BOOST_TEST(split_list("") == (std::vector<std::string>{""}));
    const auto methods = anycast::identity::parse_methods("nsid, whoami ,id.server");
    BOOST_TEST(methods.size() == 3U);
    BOOST_TEST((methods[1] == Method::whoami));
}

BOOST_AUTO_TEST_SUITE_END()
