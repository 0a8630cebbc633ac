#include "dns/dnssec.hpp"

#include <algorithm>

#include "dns/ldns_handles.hpp"

namespace anycast::dns {
namespace {

constexpr std::uint16_t type_rrsig = LDNS_RR_TYPE_RRSIG;
constexpr std::uint16_t type_dnskey = LDNS_RR_TYPE_DNSKEY;

LdnsRr rr_from_wire(const Record& record) {
    if (record.wire.empty()) {
        return LdnsRr(nullptr);
    }
    ldns_rr* raw = nullptr;
    std::size_t position = 0;
    if (ldns_wire2rr(&raw, record.wire.data(), record.wire.size(), &position, LDNS_SECTION_ANSWER) !=
        LDNS_STATUS_OK) {
        ldns_rr_free(raw);
        return LdnsRr(nullptr);
    }
    return LdnsRr(raw);
}

// Every record of `type` (owned by `owner`, when given) as one ldns list that owns clones of them.
LdnsRrList rr_list(std::span<const Record> records, std::uint16_t type, const ldns_rdf* owner) {
    LdnsRrList list(ldns_rr_list_new());
    if (!list) {
        return list;
    }
    for (const Record& record : records) {
        if (record.type != type) {
            continue;
        }
        LdnsRr rr = rr_from_wire(record);
        if (!rr || (owner != nullptr && ldns_dname_compare(ldns_rr_owner(rr.get()), owner) != 0)) {
            continue;
        }
        if (ldns_rr_list_push_rr(list.get(), rr.get())) {
            rr.release();
        }
    }
    return list;
}

// A 32-bit RRSIG time as Unix seconds: the value nearest to `now` (RFC 4034 3.1.5 serial arithmetic),
// so validity periods spanning 2106 come out right.
std::int64_t rrsig_time(const ldns_rdf* rdf, std::int64_t now) {
    if (rdf == nullptr || ldns_rdf_size(rdf) != 4) {
        return 0;
    }
    const std::uint32_t value = ldns_rdf2native_int32(rdf);
    const auto delta = static_cast<std::int32_t>(value - static_cast<std::uint32_t>(now));
    return now + delta;
}

std::string rdf_text(const ldns_rdf* rdf) {
    LdnsText text(rdf != nullptr ? ldns_rdf2str(rdf) : nullptr);
    return text ? std::string(text.get()) : std::string();
}

struct Candidate {
    SignatureStatus status;
    SignatureInfo info;
    std::string detail;
};

// Lower is better: the order verify_rrset promises.
int rank(SignatureStatus status) {
    switch (status) {
        case SignatureStatus::valid:
            return 0;
        case SignatureStatus::expired:
        case SignatureStatus::not_yet_valid:
            return 1;
        case SignatureStatus::bad_signature:
            return 2;
        default:
            return 3;
    }
}

Candidate judge_signature(const ldns_rr_list* rrset, const ldns_rr* rrsig, const ldns_rr_list* keys,
                          std::int64_t now) {
    Candidate candidate;
    candidate.info.inception = rrsig_time(ldns_rr_rrsig_inception(rrsig), now);
    candidate.info.expiration = rrsig_time(ldns_rr_rrsig_expiration(rrsig), now);
    const ldns_rdf* tag = ldns_rr_rrsig_keytag(rrsig);
    candidate.info.key_tag = tag != nullptr && ldns_rdf_size(tag) == 2 ? ldns_rdf2native_int16(tag) : 0;
    const ldns_rdf* algorithm = ldns_rr_rrsig_algorithm(rrsig);
    candidate.info.algorithm =
        algorithm != nullptr && ldns_rdf_size(algorithm) == 1 ? ldns_rdf2native_int8(algorithm) : 0;
    candidate.info.signer = rdf_text(ldns_rr_rrsig_signame(rrsig));
    // The cryptography without the clock, so that "expired" and "does not verify" stay apart.
    const ldns_status status = ldns_verify_rrsig_keylist_notime(rrset, rrsig, keys, nullptr);
    if (status == LDNS_STATUS_OK) {
        if (now > candidate.info.expiration) {
            candidate.status = SignatureStatus::expired;
        } else if (now < candidate.info.inception) {
            candidate.status = SignatureStatus::not_yet_valid;
        } else {
            candidate.status = SignatureStatus::valid;
        }
        return candidate;
    }
    candidate.detail = ldns_get_errorstr_by_id(status) != nullptr ? ldns_get_errorstr_by_id(status) : "";
    const bool no_such_key =
        status == LDNS_STATUS_CRYPTO_NO_MATCHING_KEYTAG_DNSKEY || status == LDNS_STATUS_CRYPTO_NO_DNSKEY ||
        status == LDNS_STATUS_CRYPTO_UNKNOWN_ALGO || status == LDNS_STATUS_CRYPTO_ALGO_NOT_IMPL;
    candidate.status = no_such_key ? SignatureStatus::unknown_key : SignatureStatus::bad_signature;
    return candidate;
}

bool better(const Candidate& a, const Candidate& b) {
    if (rank(a.status) != rank(b.status)) {
        return rank(a.status) < rank(b.status);
    }
    return a.info.expiration > b.info.expiration;
}

}  // namespace

std::string_view signature_status_name(SignatureStatus status) {
    switch (status) {
        case SignatureStatus::valid:
            return "valid";
        case SignatureStatus::expired:
            return "expired";
        case SignatureStatus::not_yet_valid:
            return "not yet valid";
        case SignatureStatus::bad_signature:
            return "does not verify";
        case SignatureStatus::unknown_key:
            return "made by a key not in the DNSKEY set";
        case SignatureStatus::no_signature:
            return "no signature";
        case SignatureStatus::no_rrset:
            return "no such RRset";
        case SignatureStatus::no_keys:
            return "no DNSKEY";
    }
    return "no such RRset";
}

RrsetVerification verify_rrset(std::span<const Record> section, std::string_view owner, std::uint16_t type,
                               std::span<const Record> dnskeys, std::int64_t now) {
    RrsetVerification result;
    const std::string absolute = owner.ends_with('.') ? std::string(owner) : std::string(owner) + ".";
    const LdnsRdf owner_name(ldns_dname_new_frm_str(absolute.c_str()));
    const LdnsRrList rrset = rr_list(section, type, owner_name.get());
    if (!owner_name || !rrset || ldns_rr_list_rr_count(rrset.get()) == 0) {
        return result;
    }
    const LdnsRrList all_rrsigs = rr_list(section, type_rrsig, owner_name.get());
    std::vector<const ldns_rr*> rrsigs;
    for (std::size_t i = 0; all_rrsigs && i < ldns_rr_list_rr_count(all_rrsigs.get()); ++i) {
        const ldns_rr* rrsig = ldns_rr_list_rr(all_rrsigs.get(), i);
        const ldns_rdf* covered = ldns_rr_rrsig_typecovered(rrsig);
        if (covered != nullptr && ldns_rdf_size(covered) == 2 && ldns_rdf2native_int16(covered) == type) {
            rrsigs.push_back(rrsig);
        }
    }
    result.signature_count = rrsigs.size();
    if (rrsigs.empty()) {
        result.status = SignatureStatus::no_signature;
        return result;
    }
    const LdnsRrList keys = rr_list(dnskeys, type_dnskey, nullptr);
    if (!keys || ldns_rr_list_rr_count(keys.get()) == 0) {
        result.status = SignatureStatus::no_keys;
        return result;
    }
    std::optional<Candidate> best;
    for (const ldns_rr* rrsig : rrsigs) {
        Candidate candidate = judge_signature(rrset.get(), rrsig, keys.get(), now);
        if (!best || better(candidate, *best)) {
            best = std::move(candidate);
        }
    }
    result.status = best->status;
    result.signature = best->info;
    result.detail = best->detail;
    return result;
}

std::optional<std::string> rrsig_signer(std::span<const Record> section, std::uint16_t type) {
    for (const Record& record : section) {
        if (record.type != type_rrsig || record.rrsig_type_covered != type) {
            continue;
        }
        if (const LdnsRr rr = rr_from_wire(record)) {
            if (const ldns_rdf* signer = ldns_rr_rrsig_signame(rr.get())) {
                return rdf_text(signer);
            }
        }
    }
    return std::nullopt;
}

std::vector<std::uint16_t> dnskey_tags(std::span<const Record> records) {
    std::vector<std::uint16_t> tags;
    for (const Record& record : records) {
        if (record.type != type_dnskey) {
            continue;
        }
        if (const LdnsRr rr = rr_from_wire(record)) {
            tags.push_back(ldns_calc_keytag(rr.get()));
        }
    }
    std::sort(tags.begin(), tags.end());
    tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
    return tags;
}

std::string key_tags_text(std::span<const std::uint16_t> tags) {
    std::string text;
    for (const std::uint16_t tag : tags) {
        text += (text.empty() ? "" : " ") + std::to_string(tag);
    }
    return text.empty() ? "none" : text;
}

}  // namespace anycast::dns
