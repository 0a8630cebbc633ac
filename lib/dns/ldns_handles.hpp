#pragma once
// RAII owners for the ldns objects the DNS module creates, so no error path can leak one.
// ldns.h defines bool, true and false as macros (true is 1, an int) unless stdbool.h came first:
// include ldns through this header only. A `true` that became 1 turned a JSON fact into a number.
#include <stdbool.h>

#include <ldns/ldns.h>

#if defined(true) || defined(false) || defined(bool)
#error "ldns.h left bool, true or false defined as a macro"
#endif

#include <memory>

namespace anycast::dns {

struct LdnsPacketFree {
    void operator()(ldns_pkt* packet) const { ldns_pkt_free(packet); }
};
struct LdnsRdfFree {
    void operator()(ldns_rdf* rdf) const { ldns_rdf_deep_free(rdf); }
};
struct LdnsRrListFree {
    void operator()(ldns_rr_list* list) const { ldns_rr_list_deep_free(list); }
};
struct LdnsBufferFree {
    void operator()(ldns_buffer* buffer) const { ldns_buffer_free(buffer); }
};
struct LdnsCharFree {
    void operator()(char* text) const { LDNS_FREE(text); }
};

using LdnsPacket = std::unique_ptr<ldns_pkt, LdnsPacketFree>;
using LdnsRdf = std::unique_ptr<ldns_rdf, LdnsRdfFree>;
using LdnsRrList = std::unique_ptr<ldns_rr_list, LdnsRrListFree>;
using LdnsBuffer = std::unique_ptr<ldns_buffer, LdnsBufferFree>;
using LdnsText = std::unique_ptr<char, LdnsCharFree>;

}  // namespace anycast::dns

// Used by dns/dnssec: single records rebuilt from wire form.
namespace anycast::dns {
struct LdnsRrFree {
    void operator()(ldns_rr* rr) const { ldns_rr_free(rr); }
};
using LdnsRr = std::unique_ptr<ldns_rr, LdnsRrFree>;
}  // namespace anycast::dns
