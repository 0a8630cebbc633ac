#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dns/dnssec.hpp"
#include "dns/message.hpp"
#include "packets.hpp"

// After the C++ headers: see test_message.cpp.
#include "dns/ldns_handles.hpp"

using namespace anycast::dns;
using namespace anycast::dns::testing;

namespace {

// Fixed times, so that every run signs and judges the same bytes: 2026-01-01T00:00:00Z.
constexpr std::int64_t now = 1767225600;
constexpr std::int64_t day = 24 * 3600;

struct KeyListFree {
    void operator()(ldns_key_list* list) const { ldns_key_list_free(list); }
};
using KeyList = std::unique_ptr<ldns_key_list, KeyListFree>;

// A key set of one ECDSA P-256 key for anycast.test. (fast to make, and what most zones use now).
struct TestKey {
    KeyList keys{ldns_key_list_new()};
    std::string dnskey;  // the DNSKEY record, presentation form
    std::uint16_t tag = 0;
};

TestKey make_key(std::int64_t inception, std::int64_t expiration, std::uint16_t flags = 257) {
    TestKey key;
    ldns_key* raw = ldns_key_new_frm_algorithm(LDNS_SIGN_ECDSAP256SHA256, 256);
    BOOST_REQUIRE(raw != nullptr && key.keys);
    ldns_key_set_pubkey_owner(raw, ldns_dname_new_frm_str("anycast.test."));
    ldns_key_set_flags(raw, flags);
    ldns_key_set_inception(raw, static_cast<std::uint32_t>(inception));
    ldns_key_set_expiration(raw, static_cast<std::uint32_t>(expiration));
    BOOST_REQUIRE(ldns_key_list_push_key(key.keys.get(), raw));
    const LdnsRr rr(ldns_key2rr(raw));
    BOOST_REQUIRE(rr);
    ldns_rr_set_ttl(rr.get(), 3600);
    const LdnsText text(ldns_rr2str(rr.get()));
    key.dnskey = text.get();
    key.dnskey.erase(key.dnskey.find_last_not_of('\n') + 1);
    key.tag = ldns_calc_keytag(rr.get());
    ldns_key_set_keytag(raw, key.tag);
    return key;
}

LdnsRr rr_of(const std::string& text) {
    ldns_rr* raw = nullptr;
    BOOST_REQUIRE(ldns_rr_new_frm_str(&raw, text.c_str(), 3600, nullptr, nullptr) == LDNS_STATUS_OK);
    return LdnsRr(raw);
}

// The RRSIGs `key` makes over the RRset of `records`, in presentation form.
std::vector<std::string> sign(const std::vector<std::string>& records, const TestKey& key) {
    LdnsRrList rrset(ldns_rr_list_new());
    for (const std::string& text : records) {
        BOOST_REQUIRE(ldns_rr_list_push_rr(rrset.get(), rr_of(text).release()));
    }
    const LdnsRrList signatures(ldns_sign_public(rrset.get(), key.keys.get()));
    BOOST_REQUIRE(signatures);
    std::vector<std::string> out;
    for (std::size_t i = 0; i < ldns_rr_list_rr_count(signatures.get()); ++i) {
        const LdnsText text(ldns_rr2str(ldns_rr_list_rr(signatures.get(), i)));
        std::string line = text.get();
        line.erase(line.find_last_not_of('\n') + 1);
        out.push_back(line);
    }
    return out;
}

const std::string soa =
    "anycast.test. 300 IN SOA ns1.anycast.test. hostmaster.anycast.test. 2026010101 3600 900 "
    "604800 300";

// The records of an answer section as a server would send them, parsed back as the checks see them.
std::vector<Record> answer_of(const std::vector<std::string>& records, const std::string& question) {
    ResponseSpec spec;
    spec.question = question;
    spec.answer = records;
    spec.edns = true;
    spec.edns_do = true;
    const Question asked = make_question("anycast.test", question.substr(question.rfind(' ') + 1), "IN");
    ParseOutcome outcome = parse_response(build_response(spec), spec.id, asked);
    BOOST_REQUIRE(outcome.response);
    return outcome.response->answer;
}

std::vector<Record> soa_answer(const std::vector<std::string>& extra) {
    std::vector<std::string> records{soa};
    records.insert(records.end(), extra.begin(), extra.end());
    return answer_of(records, "anycast.test. IN SOA");
}

std::vector<Record> dnskey_answer(const std::vector<std::string>& keys,
                                  const std::vector<std::string>& sigs) {
    std::vector<std::string> records = keys;
    records.insert(records.end(), sigs.begin(), sigs.end());
    return answer_of(records, "anycast.test. IN DNSKEY");
}

RrsetVerification verify_soa(const std::vector<Record>& answer, const std::vector<Record>& keys,
                             std::int64_t at = now) {
    return verify_rrset(answer, "anycast.test.", LDNS_RR_TYPE_SOA, keys, at);
}

// Flips one bit in the middle of the base64 signature (the last field): still well formed.
std::string corrupt(std::string rrsig) {
    const std::size_t at = rrsig.size() - 10;
    rrsig[at] = rrsig[at] == 'A' ? 'B' : 'A';
    return rrsig;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(dnssec)

BOOST_AUTO_TEST_CASE(a_good_signature_verifies_and_tells_its_period) {
    const TestKey key = make_key(now - day, now + 10 * day);
    const auto result = verify_soa(soa_answer(sign({soa}, key)), dnskey_answer({key.dnskey}, {}));
    BOOST_TEST(signature_status_name(result.status) == "valid");
    BOOST_REQUIRE(result.signature);
    BOOST_TEST(result.signature->expiration - now == 10 * day);
    BOOST_TEST(result.signature->inception == now - day);
    BOOST_TEST(result.signature->key_tag == key.tag);
    BOOST_TEST(result.signature->algorithm == 13);
    BOOST_TEST(result.signature->signer == "anycast.test.");
    BOOST_TEST(result.signature_count == 1u);
}

BOOST_AUTO_TEST_CASE(an_expired_signature_still_verifies_but_is_expired) {
    const TestKey key = make_key(now - 20 * day, now - 1);
    const auto result = verify_soa(soa_answer(sign({soa}, key)), dnskey_answer({key.dnskey}, {}));
    BOOST_TEST(signature_status_name(result.status) == "expired");
    BOOST_REQUIRE(result.signature);
    BOOST_TEST(result.signature->expiration == now - 1);
}

BOOST_AUTO_TEST_CASE(a_signature_from_the_future_is_not_yet_valid) {
    const TestKey key = make_key(now + 3600, now + 10 * day);
    const auto result = verify_soa(soa_answer(sign({soa}, key)), dnskey_answer({key.dnskey}, {}));
    BOOST_TEST(signature_status_name(result.status) == "not yet valid");
    BOOST_TEST(result.signature->inception - now == 3600);
}

BOOST_AUTO_TEST_CASE(a_signature_by_another_key_set_is_unknown_key) {
    const TestKey signer = make_key(now - day, now + 10 * day);
    const TestKey other = make_key(now - day, now + 10 * day);
    const auto result = verify_soa(soa_answer(sign({soa}, signer)), dnskey_answer({other.dnskey}, {}));
    BOOST_TEST(signature_status_name(result.status) == "made by a key not in the DNSKEY set");
    BOOST_TEST(result.signature->key_tag == signer.tag);
}

BOOST_AUTO_TEST_CASE(an_rrset_without_rrsig_has_no_signature) {
    const TestKey key = make_key(now - day, now + 10 * day);
    const auto result = verify_soa(soa_answer({}), dnskey_answer({key.dnskey}, {}));
    BOOST_TEST(signature_status_name(result.status) == "no signature");
    BOOST_TEST(!result.signature);
}

BOOST_AUTO_TEST_CASE(a_corrupted_signature_does_not_verify) {
    const TestKey key = make_key(now - day, now + 10 * day);
    const auto rrsigs = sign({soa}, key);
    const auto result = verify_soa(soa_answer({corrupt(rrsigs.at(0))}), dnskey_answer({key.dnskey}, {}));
    BOOST_TEST(signature_status_name(result.status) == "does not verify");
    BOOST_TEST(!result.detail.empty());
}

BOOST_AUTO_TEST_CASE(data_changed_after_signing_does_not_verify) {
    const TestKey key = make_key(now - day, now + 10 * day);
    const auto rrsigs = sign({soa}, key);
    std::string other_soa = soa;
    other_soa.replace(other_soa.find("2026010101"), 10, "2026010102");
    const auto answer = answer_of({other_soa, rrsigs.at(0)}, "anycast.test. IN SOA");
    BOOST_TEST(signature_status_name(verify_soa(answer, dnskey_answer({key.dnskey}, {})).status) ==
               "does not verify");
}

BOOST_AUTO_TEST_CASE(in_a_rollover_the_valid_signature_is_judged) {
    const TestKey old_key = make_key(now - 20 * day, now - day);
    const TestKey new_key = make_key(now - day, now + 10 * day);
    auto sigs = sign({soa}, old_key);
    const auto more = sign({soa}, new_key);
    sigs.insert(sigs.end(), more.begin(), more.end());
    const auto result = verify_soa(soa_answer(sigs), dnskey_answer({old_key.dnskey, new_key.dnskey}, {}));
    BOOST_TEST(signature_status_name(result.status) == "valid");
    BOOST_TEST(result.signature->key_tag == new_key.tag);
    BOOST_TEST(result.signature_count == 2u);
}

BOOST_AUTO_TEST_CASE(the_dnskey_rrset_verifies_against_itself) {
    const TestKey key = make_key(now - day, now + 5 * day);
    const auto answer = dnskey_answer({key.dnskey}, sign({key.dnskey}, key));
    const auto result = verify_rrset(answer, "anycast.test", LDNS_RR_TYPE_DNSKEY, answer, now);
    BOOST_TEST(signature_status_name(result.status) == "valid");
    BOOST_TEST(result.signature->expiration - now == 5 * day);
}

BOOST_AUTO_TEST_CASE(without_keys_or_rrset_there_is_nothing_to_verify) {
    const TestKey key = make_key(now - day, now + 10 * day);
    const auto answer = soa_answer(sign({soa}, key));
    BOOST_TEST(signature_status_name(verify_soa(answer, {}).status) == "no DNSKEY");
    BOOST_TEST(signature_status_name(
                   verify_rrset(answer, "www.anycast.test.", LDNS_RR_TYPE_SOA, answer, now).status) ==
               "no such RRset");
}

BOOST_AUTO_TEST_CASE(key_tags_are_sorted_and_unique) {
    const TestKey a = make_key(now, now + day, 257);
    const TestKey b = make_key(now, now + day, 256);
    const auto tags = dnskey_tags(dnskey_answer({a.dnskey, b.dnskey, a.dnskey}, {}));
    std::vector<std::uint16_t> expected{a.tag, b.tag};
    std::sort(expected.begin(), expected.end());
    expected.erase(std::unique(expected.begin(), expected.end()), expected.end());
    BOOST_TEST(tags == expected, boost::test_tools::per_element());
    BOOST_TEST(key_tags_text(std::vector<std::uint16_t>{1, 2}) == "1 2");
    BOOST_TEST(key_tags_text({}) == "none");
}

BOOST_AUTO_TEST_SUITE_END()
