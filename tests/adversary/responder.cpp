// anycast_adversary: a DNS responder that misbehaves on purpose, for the hardening tests.
//
//   anycast_adversary --port 15401 --scenario nsid-hostile [--address 127.0.0.1] [--delay 1500]
//                     [--flood 50] [--max-seconds 120] [--nsid adversary]
//
// It listens on one loopback address and port (UDP and TCP) and answers every query according to
// one scenario (--list prints them). Packets are built byte by byte, not with ldns, because most
// scenarios need packets that no DNS library would agree to write. Every query is handled on its
// own in one poll loop; the process ends by itself after --max-seconds, so a test that forgets it
// cannot leave it behind for long.

#include <arpa/inet.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using Bytes = std::vector<std::uint8_t>;

// Each scenario exists because a real server, middlebox or attacker can produce it, and a check
// that mishandles it would hang, crash, report a wrong state or print attacker-chosen bytes.
struct ScenarioInfo {
    std::string_view name;
    std::string_view why;
};
constexpr std::array scenarios{
    ScenarioInfo{"good", "control: a proper answer with NSID, so a failing hostile test is not the harness"},
    ScenarioInfo{"wrong-id", "off-path spoofing guesses IDs: a reply with another ID must be ignored"},
    ScenarioInfo{"wrong-question", "a reply must echo our question; one that does not is not our answer"},
    ScenarioInfo{"other-source-port", "the right reply from the wrong port is what a spoofer sends"},
    ScenarioInfo{"truncated-header", "fewer than 12 octets: nothing in it can be read"},
    ScenarioInfo{"compression-loop", "a name pointer to itself: a naive decompressor loops forever"},
    ScenarioInfo{"long-label", "a 64-octet label (top bits 01): length checks must reject, not overrun"},
    ScenarioInfo{"rdlength-overflow", "RDLENGTH past the end of the packet: a classic over-read"},
    ScenarioInfo{"opt-no-rdata", "OPT with RDLENGTH 0 although NSID was asked: legal, there is just no NSID"},
    ScenarioInfo{"opt-overflow", "OPT whose RDLENGTH claims more than the packet holds"},
    ScenarioInfo{"nsid-huge", "the largest NSID a message can carry: output must stay bounded"},
    ScenarioInfo{"nsid-hostile", "NSID with control bytes, '|', newlines, invalid UTF-8: must be escaped"},
    ScenarioInfo{"txt-hostile", "TXT answers (and so hostname.bind) with the same hostile bytes"},
    ScenarioInfo{"tc-then-slow-tcp", "UDP says TC, TCP answers after --delay: the timeout must cover both"},
    ScenarioInfo{"tcp-silent", "UDP says TC, TCP accepts and never answers: must end at the deadline"},
    ScenarioInfo{"tcp-trickle", "UDP says TC, TCP sends one octet per second: a slowloris for clients"},
    ScenarioInfo{"flood-then-answer", "--flood replies with random IDs first: only the real one counts"},
    ScenarioInfo{"servfail", "rcode SERVFAIL"},
    ScenarioInfo{"refused", "rcode REFUSED"},
    ScenarioInfo{"notimp", "rcode NOTIMP"},
    ScenarioInfo{"late", "a proper answer after --delay ms: tests the timeout and RTT thresholds"},
    ScenarioInfo{"redos",
                 "NSID, TXT and hostname.bind 'aaa...a!': (a+)+$ never ends on a backtracking regex"},
};

constexpr std::uint16_t type_a = 1;
constexpr std::uint16_t type_soa = 6;
constexpr std::uint16_t type_txt = 16;
constexpr std::uint16_t type_aaaa = 28;
constexpr std::uint16_t type_opt = 41;
constexpr std::uint16_t class_in = 1;
constexpr std::uint16_t edns_nsid = 3;
constexpr std::uint8_t rcode_servfail = 2;
constexpr std::uint8_t rcode_notimp = 4;
constexpr std::uint8_t rcode_refused = 5;
constexpr std::size_t header_size = 12;
constexpr std::size_t max_udp_payload = 65507;  // IPv4: 65535 - 20 (IP) - 8 (UDP)
constexpr std::size_t max_tcp_message = 65535;  // the two-octet length prefix

struct Options {
    std::string address = "127.0.0.1";
    std::uint16_t port = 0;
    std::string scenario;
    std::chrono::milliseconds delay{1500};
    int flood = 50;
    std::chrono::seconds max_life{120};
    std::string nsid = "adversary";
};

// What we need from a query; everything else in it is ignored.
struct Query {
    std::uint16_t id = 0;
    std::uint16_t flags = 0;
    Bytes question;  // qname in wire form + qtype + qclass, copied verbatim
    std::uint16_t qtype = 0;
    std::uint16_t qclass = 0;
    bool has_edns = false;
    bool wants_nsid = false;
};

// Names inside queries are never compressed, so a plain walk is enough; anything odd -> nullopt.
std::optional<Query> parse_query(const Bytes& msg) {
    if (msg.size() < header_size) {
        return std::nullopt;
    }
    auto u16 = [&msg](std::size_t at) { return static_cast<std::uint16_t>((msg[at] << 8) | msg[at + 1]); };
    Query q;
    q.id = u16(0);
    q.flags = u16(2);
    if (u16(4) != 1) {
        return std::nullopt;
    }
    std::size_t pos = header_size;
    while (pos < msg.size() && msg[pos] != 0) {
        if (msg[pos] > 63) {
            return std::nullopt;
        }
        pos += 1 + msg[pos];
    }
    if (pos + 5 > msg.size()) {
        return std::nullopt;
    }
    pos += 1;
    q.qtype = u16(pos);
    q.qclass = u16(pos + 2);
    q.question.assign(msg.begin() + header_size, msg.begin() + static_cast<long>(pos + 4));
    pos += 4;
    // Skip answer and authority (none in a normal query), then look for OPT in the additional section.
    const std::uint16_t arcount = u16(10);
    for (std::uint16_t i = 0; i < arcount; ++i) {
        if (pos + 11 > msg.size() || msg[pos] != 0) {
            break;  // only a root-owned OPT is of interest
        }
        const std::uint16_t type = u16(pos + 1);
        const std::uint16_t rdlen = u16(pos + 9);
        const std::size_t rdata = pos + 11;
        if (rdata + rdlen > msg.size()) {
            break;
        }
        if (type == type_opt) {
            q.has_edns = true;
            for (std::size_t opt = rdata; opt + 4 <= rdata + rdlen;) {
                const std::uint16_t code = u16(opt);
                const std::uint16_t len = u16(opt + 2);
                q.wants_nsid = q.wants_nsid || code == edns_nsid;
                opt += 4 + len;
            }
        }
        pos = rdata + rdlen;
    }
    return q;
}

void put16(Bytes& out, std::uint16_t v) {
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v & 0xff));
}

void put32(Bytes& out, std::uint32_t v) {
    put16(out, static_cast<std::uint16_t>(v >> 16));
    put16(out, static_cast<std::uint16_t>(v & 0xffff));
}

void set16(Bytes& out, std::size_t at, std::uint16_t v) {
    out[at] = static_cast<std::uint8_t>(v >> 8);
    out[at + 1] = static_cast<std::uint8_t>(v & 0xff);
}

// A response being built: header + echoed question; the counts are patched as RRs are added.
class Response {
public:
    Response(const Query& q, std::uint8_t rcode, bool truncated = false) {
        // QR, AA, copy RD, opcode QUERY.
        std::uint16_t flags = 0x8400 | (q.flags & 0x0100) | rcode;
        if (truncated) {
            flags |= 0x0200;
        }
        put16(bytes, q.id);
        put16(bytes, flags);
        put16(bytes, 1);
        put16(bytes, 0);
        put16(bytes, 0);
        put16(bytes, 0);
        bytes.insert(bytes.end(), q.question.begin(), q.question.end());
    }

    // An answer RR owned by the question's name (pointer to offset 12) unless owner is given raw.
    void answer(std::uint16_t type, std::uint16_t klass, const Bytes& rdata,
                std::optional<Bytes> raw_owner = std::nullopt,
                std::optional<std::uint16_t> claimed_rdlength = std::nullopt) {
        if (raw_owner) {
            bytes.insert(bytes.end(), raw_owner->begin(), raw_owner->end());
        } else {
            put16(bytes, 0xc00c);
        }
        put16(bytes, type);
        put16(bytes, klass);
        put32(bytes, 300);
        put16(bytes, claimed_rdlength.value_or(static_cast<std::uint16_t>(rdata.size())));
        bytes.insert(bytes.end(), rdata.begin(), rdata.end());
        bump(6);
    }

    // OPT RR; claimed_rdlength lets a scenario lie about its size.
    void opt(const Bytes& options, std::optional<std::uint16_t> claimed_rdlength = std::nullopt) {
        bytes.push_back(0);
        put16(bytes, type_opt);
        put16(bytes, 1232);
        put32(bytes, 0);
        put16(bytes, claimed_rdlength.value_or(static_cast<std::uint16_t>(options.size())));
        bytes.insert(bytes.end(), options.begin(), options.end());
        bump(10);
    }

    Bytes bytes;

private:
    void bump(std::size_t count_at) {
        set16(bytes, count_at,
              static_cast<std::uint16_t>(((bytes[count_at] << 8) | bytes[count_at + 1]) + 1));
    }
};

Bytes nsid_option(std::string_view value) {
    Bytes out;
    put16(out, edns_nsid);
    put16(out, static_cast<std::uint16_t>(value.size()));
    out.insert(out.end(), value.begin(), value.end());
    return out;
}

// TXT RDATA: character-strings of at most 255 octets each.
Bytes txt_rdata(std::string_view text) {
    Bytes out;
    do {
        const std::size_t n = std::min<std::size_t>(text.size(), 255);
        out.push_back(static_cast<std::uint8_t>(n));
        out.insert(out.end(), text.begin(), text.begin() + static_cast<long>(n));
        text.remove_prefix(n);
    } while (!text.empty());
    return out;
}

// Everything a terminal, a log parser or a Nagios status line should never receive raw: ESC
// sequences, CR/LF (fake extra output lines), '|' (fake perfdata), NUL, DEL, invalid UTF-8
// (lone continuation byte, overlong encoding, truncated sequence), and shell/printf specials.
const std::string& hostile_text() {
    static const std::string text =
        std::string("ams1|evil=1;2;3 \n[CRITICAL] fake line\r\x1b[31mred\x1b[0m") + std::string("\0nul", 4) +
        "\x07\x7f\x80\xc0\xaf\xff\xfe\xe2\x82" + " %s%n $(reboot) `id` \"q\" 'q' \\ <b>&amp;";
    return text;
}

// The proper answer for the test zone, used by the control and by the scenarios that only
// misbehave in transport or timing.
Response good_response(const Query& q, const Options& opt) {
    Response r(q, 0);
    if (q.qclass == 3 && q.qtype == type_txt) {  // CH TXT hostname.bind / id.server
        r.answer(type_txt, 3, txt_rdata(opt.nsid));
    } else if (q.qtype == type_a) {
        r.answer(type_a, class_in, Bytes{192, 0, 2, 1});
    } else if (q.qtype == type_aaaa) {
        r.answer(type_aaaa, class_in, Bytes{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
    } else if (q.qtype == type_txt) {
        r.answer(type_txt, class_in, txt_rdata("hello world"));
    } else if (q.qtype == type_soa) {
        Bytes soa{3, 'n', 's', '1', 0xc0, 0x0c, 4, 'h', 'o', 's', 't', 0xc0, 0x0c};
        for (std::uint32_t v : {1u, 3600u, 900u, 604800u, 300u}) {
            put32(soa, v);
        }
        r.answer(type_soa, class_in, soa);
    }
    if (q.has_edns) {
        r.opt(q.wants_nsid ? nsid_option(opt.nsid) : Bytes{});
    }
    return r;
}

// The replies to one query, in order, with how long to wait before the first and how to send.
struct Plan {
    std::vector<Bytes> replies;
    std::chrono::milliseconds delay{0};
    bool from_other_port = false;  // UDP only
    bool trickle = false;          // TCP only: one octet per second
    bool silent = false;           // send nothing at all
};

Plan plan_for(const Options& opt, const Query& q, bool over_tcp, std::mt19937& rng) {
    const std::string& s = opt.scenario;
    const std::size_t limit = over_tcp ? max_tcp_message : max_udp_payload;
    Plan plan;
    auto truncated_udp = [&]() {
        Response r(q, 0, true);
        if (q.has_edns) {
            r.opt({});
        }
        plan.replies.push_back(r.bytes);
    };

    if (s == "good") {
        plan.replies.push_back(good_response(q, opt).bytes);
    } else if (s == "wrong-id") {
        Bytes b = good_response(q, opt).bytes;
        set16(b, 0, static_cast<std::uint16_t>(q.id ^ 0x5a5a));
        plan.replies.push_back(b);
    } else if (s == "wrong-question") {
        Query other = q;
        other.question = Bytes{5, 'w', 'r', 'o', 'n', 'g', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0};
        put16(other.question, q.qtype);
        put16(other.question, q.qclass);
        plan.replies.push_back(good_response(other, opt).bytes);
    } else if (s == "other-source-port") {
        plan.replies.push_back(good_response(q, opt).bytes);
        plan.from_other_port = !over_tcp;
    } else if (s == "truncated-header") {
        Bytes b = good_response(q, opt).bytes;
        b.resize(header_size - 1);
        plan.replies.push_back(b);
    } else if (s == "compression-loop") {
        Response r(q, 0);
        // The owner name is a pointer to the very offset it sits at.
        const auto here = static_cast<std::uint16_t>(0xc000 | r.bytes.size());
        r.answer(type_a, class_in, Bytes{192, 0, 2, 1},
                 Bytes{static_cast<std::uint8_t>(here >> 8), static_cast<std::uint8_t>(here & 0xff)});
        plan.replies.push_back(r.bytes);
    } else if (s == "long-label") {
        Bytes owner{64};
        owner.insert(owner.end(), 64, 'a');
        owner.push_back(0);
        Response r(q, 0);
        r.answer(type_a, class_in, Bytes{192, 0, 2, 1}, owner);
        plan.replies.push_back(r.bytes);
    } else if (s == "rdlength-overflow") {
        Response r(q, 0);
        r.answer(type_a, class_in, Bytes{192, 0, 2, 1}, std::nullopt, 200);
        plan.replies.push_back(r.bytes);
    } else if (s == "opt-no-rdata" || s == "opt-overflow") {
        Query no_edns = q;
        no_edns.has_edns = false;
        Response r = good_response(no_edns, opt);
        if (s == "opt-no-rdata") {
            r.opt({});
        } else {
            r.opt(nsid_option("ams"), 40);  // 7 octets present, 40 claimed
        }
        plan.replies.push_back(r.bytes);
    } else if (s == "nsid-huge" || s == "nsid-hostile") {
        Query no_edns = q;
        no_edns.has_edns = false;
        Response r = good_response(no_edns, opt);
        std::string value = hostile_text();
        if (s == "nsid-huge") {
            // Whatever room is left after the answer, the OPT header (11) and the option header (4).
            value.assign(limit - r.bytes.size() - 11 - 4, 'N');
        }
        r.opt(nsid_option(value));
        plan.replies.push_back(r.bytes);
    } else if (s == "redos") {
        // 250 'a' and a '!': a backtracking engine tries 2^250 ways to match (a+)+$ before failing.
        const std::string evil = std::string(250, 'a') + "!";
        Query no_edns = q;
        no_edns.has_edns = false;
        Response r(q, 0);
        if (q.qtype == type_txt) {
            r.answer(type_txt, q.qclass, txt_rdata(evil));
        } else {
            r = good_response(no_edns, opt);
        }
        if (q.has_edns) {
            r.opt(nsid_option(evil));
        }
        plan.replies.push_back(r.bytes);
    } else if (s == "txt-hostile") {
        if (q.qtype == type_txt) {
            Response r(q, 0);
            r.answer(type_txt, q.qclass, txt_rdata(hostile_text()));
            if (q.has_edns) {
                r.opt({});  // no NSID: the check has to fall back to hostname.bind, which is hostile too
            }
            plan.replies.push_back(r.bytes);
        } else {
            Query no_nsid = q;
            no_nsid.wants_nsid = false;
            plan.replies.push_back(good_response(no_nsid, opt).bytes);
        }
    } else if (s == "tc-then-slow-tcp" || s == "tcp-silent" || s == "tcp-trickle") {
        if (!over_tcp) {
            truncated_udp();
        } else if (s == "tcp-silent") {
            plan.silent = true;
        } else {
            plan.replies.push_back(good_response(q, opt).bytes);
            plan.delay = s == "tc-then-slow-tcp" ? opt.delay : std::chrono::milliseconds{0};
            plan.trickle = s == "tcp-trickle";
        }
    } else if (s == "flood-then-answer") {
        const Bytes real = good_response(q, opt).bytes;
        std::uniform_int_distribution<unsigned> any_id(0, 0xffff);
        for (int i = 0; i < opt.flood; ++i) {
            Bytes fake = real;
            std::uint16_t id = q.id;
            while (id == q.id) {
                id = static_cast<std::uint16_t>(any_id(rng));
            }
            set16(fake, 0, id);
            plan.replies.push_back(fake);
        }
        plan.replies.push_back(real);
    } else if (s == "servfail" || s == "refused" || s == "notimp") {
        const std::uint8_t rcode = s == "servfail"  ? rcode_servfail
                                   : s == "refused" ? rcode_refused
                                                    : rcode_notimp;
        Response r(q, rcode);
        if (q.has_edns) {
            r.opt({});
        }
        plan.replies.push_back(r.bytes);
    } else if (s == "late") {
        plan.replies.push_back(good_response(q, opt).bytes);
        plan.delay = opt.delay;
    }
    return plan;
}

class Fd {
public:
    explicit Fd(int fd = -1) : fd_(fd) {}
    Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    Fd& operator=(Fd&& other) noexcept {
        std::swap(fd_, other.fd_);
        return *this;
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() {
        if (fd_ >= 0) {
            close(fd_);
        }
    }
    int get() const { return fd_; }

private:
    int fd_;
};

struct Endpoint {
    sockaddr_storage addr{};
    socklen_t len = 0;
};

Endpoint make_endpoint(const std::string& address, std::uint16_t port) {
    Endpoint e;
    auto* v4 = reinterpret_cast<sockaddr_in*>(&e.addr);
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&e.addr);
    if (inet_pton(AF_INET, address.c_str(), &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(port);
        e.len = sizeof(sockaddr_in);
    } else if (inet_pton(AF_INET6, address.c_str(), &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(port);
        e.len = sizeof(sockaddr_in6);
    } else {
        throw std::runtime_error("'" + address + "' is not an IP address");
    }
    return e;
}

Fd bound_socket(const Endpoint& at, int type) {
    Fd fd(socket(at.addr.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (fd.get() < 0) {
        throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    }
    const int one = 1;
    setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd.get(), reinterpret_cast<const sockaddr*>(&at.addr), at.len) != 0) {
        throw std::runtime_error(std::string("bind: ") + std::strerror(errno));
    }
    if (type == SOCK_STREAM && listen(fd.get(), 16) != 0) {
        throw std::runtime_error(std::string("listen: ") + std::strerror(errno));
    }
    return fd;
}

// One reply waiting for its time: UDP to a peer, or TCP on a connection.
struct Outgoing {
    Clock::time_point when;
    bool udp = true;
    bool other_port = false;
    Endpoint peer;           // UDP
    std::uint64_t conn = 0;  // TCP
    Bytes bytes;             // TCP: with the length prefix
    std::size_t sent = 0;
    bool trickle = false;
};

struct Connection {
    Fd fd;
    Bytes in;
};

class Responder {
public:
    explicit Responder(Options options) : opt_(std::move(options)), rng_(std::random_device{}()) {
        const Endpoint here = make_endpoint(opt_.address, opt_.port);
        udp_ = bound_socket(here, SOCK_DGRAM);
        tcp_ = bound_socket(here, SOCK_STREAM);
        other_udp_ = bound_socket(make_endpoint(opt_.address, 0), SOCK_DGRAM);
    }

    void run() {
        const auto end = Clock::now() + opt_.max_life;
        while (Clock::now() < end) {
            send_due();
            std::vector<pollfd> fds{{udp_.get(), POLLIN, 0}, {tcp_.get(), POLLIN, 0}};
            std::vector<std::uint64_t> ids;
            for (const auto& [id, c] : conns_) {
                fds.push_back({c.fd.get(), POLLIN, 0});
                ids.push_back(id);
            }
            auto wake = end;
            for (const auto& o : out_) {
                wake = std::min(wake, o.when);
            }
            const auto wait_ms =
                std::chrono::duration_cast<std::chrono::milliseconds>(wake - Clock::now()).count();
            const int timeout = static_cast<int>(std::clamp<long long>(wait_ms + 1, 0, 1000));
            if (poll(fds.data(), fds.size(), timeout) < 0 && errno != EINTR) {
                throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
            }
            if (fds[0].revents & POLLIN) {
                read_udp();
            }
            if (fds[1].revents & POLLIN) {
                accept_tcp();
            }
            for (std::size_t i = 0; i < ids.size(); ++i) {
                if (fds[i + 2].revents & (POLLIN | POLLHUP | POLLERR)) {
                    read_tcp(ids[i]);
                }
            }
        }
    }

private:
    void read_udp() {
        for (int i = 0; i < 64; ++i) {  // drain a burst, but bounded
            Bytes buf(65535);
            Endpoint peer;
            peer.len = sizeof peer.addr;
            const ssize_t n = recvfrom(udp_.get(), buf.data(), buf.size(), 0,
                                       reinterpret_cast<sockaddr*>(&peer.addr), &peer.len);
            if (n < 0) {
                return;
            }
            buf.resize(static_cast<std::size_t>(n));
            const auto q = parse_query(buf);
            if (!q) {
                continue;
            }
            const Plan plan = plan_for(opt_, *q, false, rng_);
            for (const auto& reply : plan.replies) {
                Outgoing o;
                o.when = Clock::now() + plan.delay;
                o.other_port = plan.from_other_port;
                o.peer = peer;
                o.bytes = reply;
                out_.push_back(std::move(o));
            }
        }
    }

    void accept_tcp() {
        Fd fd(accept4(tcp_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
        if (fd.get() < 0 || conns_.size() >= 64) {
            return;  // too many clients: the new one is closed at once
        }
        conns_.emplace(next_conn_++, Connection{std::move(fd), {}});
    }

    void read_tcp(std::uint64_t id) {
        auto& c = conns_.at(id);
        std::array<std::uint8_t, 4096> buf{};
        const ssize_t n = recv(c.fd.get(), buf.data(), buf.size(), 0);
        if (n <= 0) {
            if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
                return;
            }
            drop(id);
            return;
        }
        c.in.insert(c.in.end(), buf.begin(), buf.begin() + n);
        while (c.in.size() >= 2) {
            const std::size_t len = (static_cast<std::size_t>(c.in[0]) << 8) | c.in[1];
            if (c.in.size() < 2 + len) {
                break;
            }
            const Bytes msg(c.in.begin() + 2, c.in.begin() + static_cast<long>(2 + len));
            c.in.erase(c.in.begin(), c.in.begin() + static_cast<long>(2 + len));
            const auto q = parse_query(msg);
            if (!q) {
                continue;
            }
            const Plan plan = plan_for(opt_, *q, true, rng_);
            if (plan.silent) {
                continue;
            }
            for (const auto& reply : plan.replies) {
                Outgoing o;
                o.when = Clock::now() + plan.delay;
                o.udp = false;
                o.conn = id;
                o.trickle = plan.trickle;
                put16(o.bytes, static_cast<std::uint16_t>(std::min(reply.size(), max_tcp_message)));
                o.bytes.insert(o.bytes.end(), reply.begin(), reply.end());
                out_.push_back(std::move(o));
            }
        }
    }

    void drop(std::uint64_t id) {
        conns_.erase(id);
        std::erase_if(out_, [id](const Outgoing& o) { return !o.udp && o.conn == id; });
    }

    // Sends whatever is due, in order; TCP replies to one connection go out one after the other.
    void send_due() {
        const auto now = Clock::now();
        std::vector<std::uint64_t> dead;
        std::vector<std::uint64_t> busy;  // a connection with an unfinished reply sends nothing else
        for (auto it = out_.begin(); it != out_.end();) {
            Outgoing& o = *it;
            if (o.when > now) {
                if (!o.udp && o.sent > 0) {
                    busy.push_back(o.conn);  // half sent: nothing may overtake it on the stream
                }
                ++it;
                continue;
            }
            if (o.udp) {
                const int fd = o.other_port ? other_udp_.get() : udp_.get();
                sendto(fd, o.bytes.data(), o.bytes.size(), 0, reinterpret_cast<const sockaddr*>(&o.peer.addr),
                       o.peer.len);
                it = out_.erase(it);
                continue;
            }
            if (std::find(busy.begin(), busy.end(), o.conn) != busy.end() || !conns_.contains(o.conn)) {
                ++it;
                continue;
            }
            const std::size_t chunk = o.trickle ? 1 : o.bytes.size() - o.sent;
            const ssize_t n = send(conns_.at(o.conn).fd.get(), o.bytes.data() + o.sent, chunk, MSG_NOSIGNAL);
            if (n < 0 && errno != EAGAIN && errno != EINTR) {
                dead.push_back(o.conn);
                ++it;
                continue;
            }
            o.sent += n > 0 ? static_cast<std::size_t>(n) : 0;
            if (o.sent == o.bytes.size()) {
                it = out_.erase(it);
                continue;
            }
            o.when = o.trickle ? now + std::chrono::seconds{1} : now + std::chrono::milliseconds{5};
            busy.push_back(o.conn);
            ++it;
        }
        for (const auto id : dead) {
            drop(id);
        }
    }

    Options opt_;
    std::mt19937 rng_;
    Fd udp_, tcp_, other_udp_;
    std::map<std::uint64_t, Connection> conns_;
    std::uint64_t next_conn_ = 1;
    std::vector<Outgoing> out_;
};

void usage(std::ostream& out) {
    out << "usage: anycast_adversary --port PORT --scenario NAME [--address ADDR] [--delay MS]\n"
           "                         [--flood N] [--max-seconds S] [--nsid TEXT] | --list\n";
}

long number_arg(const char* name, const char* text, long lo, long hi) {
    char* end = nullptr;
    errno = 0;
    const long v = std::strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || v < lo || v > hi) {
        throw std::runtime_error(std::string("--") + name + ": '" + text + "' is not a number in [" +
                                 std::to_string(lo) + ", " + std::to_string(hi) + "]");
    }
    return v;
}

Options parse_options(int argc, char** argv) {
    const std::array<option, 10> longopts{{{"address", required_argument, nullptr, 'a'},
                                           {"port", required_argument, nullptr, 'p'},
                                           {"scenario", required_argument, nullptr, 's'},
                                           {"delay", required_argument, nullptr, 'd'},
                                           {"flood", required_argument, nullptr, 'f'},
                                           {"max-seconds", required_argument, nullptr, 'm'},
                                           {"nsid", required_argument, nullptr, 'n'},
                                           {"list", no_argument, nullptr, 'l'},
                                           {"help", no_argument, nullptr, 'h'},
                                           {nullptr, 0, nullptr, 0}}};
    Options o;
    int c = 0;
    while ((c = getopt_long(argc, argv, "a:p:s:d:f:m:n:lh", longopts.data(), nullptr)) != -1) {
        switch (c) {
            case 'a':
                o.address = optarg;
                break;
            case 'p':
                o.port = static_cast<std::uint16_t>(number_arg("port", optarg, 1, 65535));
                break;
            case 's':
                o.scenario = optarg;
                break;
            case 'd':
                o.delay = std::chrono::milliseconds{number_arg("delay", optarg, 0, 600000)};
                break;
            case 'f':
                o.flood = static_cast<int>(number_arg("flood", optarg, 0, 10000));
                break;
            case 'm':
                o.max_life = std::chrono::seconds{number_arg("max-seconds", optarg, 1, 3600)};
                break;
            case 'n':
                o.nsid = optarg;
                break;
            case 'l':
                for (const auto& s : scenarios) {
                    std::cout << s.name << "\t" << s.why << "\n";
                }
                std::exit(0);
            case 'h':
                usage(std::cout);
                std::exit(0);
            default:
                usage(std::cerr);
                std::exit(2);
        }
    }
    if (o.port == 0 || std::none_of(scenarios.begin(), scenarios.end(),
                                    [&o](const ScenarioInfo& s) { return s.name == o.scenario; })) {
        usage(std::cerr);
        throw std::runtime_error("--port and a known --scenario are required (see --list)");
    }
    return o;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        Responder responder(parse_options(argc, argv));
        // Tests wait for this line before they send anything.
        std::cout << "ready" << std::endl;
        responder.run();
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "anycast_adversary: " << e.what() << "\n";
        return 2;
    }
}
