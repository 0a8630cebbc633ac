#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "plugin/error.hpp"
#include "plugin/escape.hpp"
#include "plugin/output.hpp"
#include "plugin/utf8.hpp"

using anycast::plugin::CheckResult;
using anycast::plugin::OutputFormat;
using anycast::plugin::parse_range;
using anycast::plugin::Perfdata;
using anycast::plugin::render_json;
using anycast::plugin::render_perfdata;
using anycast::plugin::render_text;
using anycast::plugin::State;
using anycast::plugin::Subcheck;
using anycast::plugin::UnitFamily;

namespace {

using namespace std::string_literals;

constexpr double not_a_number = std::numeric_limits<double>::quiet_NaN();
constexpr double inf = std::numeric_limits<double>::infinity();

// A strict recursive-descent JSON checker (RFC 8259 grammar, UTF-8 validated), enough to prove the output
// is one well-formed object with nothing after it but a newline.
class JsonChecker {
public:
    explicit JsonChecker(std::string_view text) : text_(text) {}

    bool valid_document() {
        skip_space();
        if (peek() != '{' || !value()) {
            return false;
        }
        skip_space();
        return pos_ == text_.size();
    }

private:
    char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
    void skip_space() {
        while (pos_ < text_.size() &&
               (text_[pos_] == ' ' || text_[pos_] == '\n' || text_[pos_] == '\t' || text_[pos_] == '\r')) {
            ++pos_;
        }
    }
    bool literal(std::string_view word) {
        if (text_.substr(pos_, word.size()) != word) {
            return false;
        }
        pos_ += word.size();
        return true;
    }
    bool value() {
        skip_space();
        ++depth_;
        if (depth_ > 100) {
            return false;
        }
        bool ok = false;
        switch (peek()) {
            case '{':
                ok = object();
                break;
            case '[':
                ok = array();
                break;
            case '"':
                ok = string();
                break;
            case 't':
                ok = literal("true");
                break;
            case 'f':
                ok = literal("false");
                break;
            case 'n':
                ok = literal("null");
                break;
            default:
                ok = number();
        }
        --depth_;
        return ok;
    }
    bool object() {
        ++pos_;
        skip_space();
        if (peek() == '}') {
            ++pos_;
            return true;
        }
        for (;;) {
            skip_space();
            if (peek() != '"' || !string()) {
                return false;
            }
            skip_space();
            if (peek() != ':') {
                return false;
            }
            ++pos_;
            if (!value()) {
                return false;
            }
            skip_space();
            if (peek() == ',') {
                ++pos_;
                continue;
            }
            if (peek() == '}') {
                ++pos_;
                return true;
            }
            return false;
        }
    }
    bool array() {
        ++pos_;
        skip_space();
        if (peek() == ']') {
            ++pos_;
            return true;
        }
        for (;;) {
            if (!value()) {
                return false;
            }
            skip_space();
            if (peek() == ',') {
                ++pos_;
                continue;
            }
            if (peek() == ']') {
                ++pos_;
                return true;
            }
            return false;
        }
    }
    bool string() {
        ++pos_;
        while (pos_ < text_.size()) {
            const auto c = static_cast<unsigned char>(text_[pos_]);
            if (c == '"') {
                ++pos_;
                return true;
            }
            if (c < 0x20) {
                return false;
            }
            if (c == '\\') {
                ++pos_;
                const char e = peek();
                if (e == 'u') {
                    for (int i = 1; i <= 4; ++i) {
                        if (!std::isxdigit(static_cast<unsigned char>(
                                pos_ + i < text_.size() ? text_[pos_ + i] : 'x'))) {
                            return false;
                        }
                    }
                    pos_ += 5;
                } else if (std::string_view("\"\\/bfnrt").find(e) != std::string_view::npos && e != '\0') {
                    ++pos_;
                } else {
                    return false;
                }
                continue;
            }
            const auto decoded = anycast::plugin::decode_utf8(text_, pos_);
            if (!decoded.valid) {
                return false;
            }
            pos_ += decoded.length;
        }
        return false;
    }
    bool number() {
        const std::size_t start = pos_;
        if (peek() == '-') {
            ++pos_;
        }
        if (peek() == '0') {
            ++pos_;
        } else if (peek() >= '1' && peek() <= '9') {
            while (std::isdigit(static_cast<unsigned char>(peek()))) {
                ++pos_;
            }
        } else {
            return false;
        }
        if (peek() == '.') {
            ++pos_;
            if (!std::isdigit(static_cast<unsigned char>(peek()))) {
                return false;
            }
            while (std::isdigit(static_cast<unsigned char>(peek()))) {
                ++pos_;
            }
        }
        if (peek() == 'e' || peek() == 'E') {
            ++pos_;
            if (peek() == '+' || peek() == '-') {
                ++pos_;
            }
            if (!std::isdigit(static_cast<unsigned char>(peek()))) {
                return false;
            }
            while (std::isdigit(static_cast<unsigned char>(peek()))) {
                ++pos_;
            }
        }
        return pos_ > start;
    }

    std::string_view text_;
    std::size_t pos_ = 0;
    int depth_ = 0;
};

bool is_valid_json(std::string_view text) {
    if (text.empty() || text.back() != '\n') {
        return false;
    }
    return JsonChecker(text.substr(0, text.size() - 1)).valid_document();
}

std::string first_line(const std::string& text) {
    return text.substr(0, text.find('\n'));
}

std::size_t count(std::string_view text, char c) {
    std::size_t n = 0;
    for (const char x : text) {
        n += x == c ? 1 : 0;
    }
    return n;
}

Perfdata rtt_perfdata(std::string label, double value) {
    Perfdata p;
    p.label = std::move(label);
    p.value = value;
    p.uom = "s";
    p.warning = parse_range("0.5", UnitFamily::duration);
    p.critical = parse_range("1", UnitFamily::duration);
    p.min = 0.0;
    return p;
}

CheckResult sample_result() {
    CheckResult result;
    result.label = "ANYCAST DNS";
    result.summary = "2/2 addresses answered";
    Perfdata sites;
    sites.label = "sites_up";
    sites.value = 2;
    result.perfdata.push_back(sites);

    Subcheck first;
    first.name = "127.0.0.1";
    first.summary = "UDP NOERROR, identity ams1 (nsid)";
    first.set_fact("identity", std::string("ams1"));
    first.set_fact("rtt_ms", 0.231);
    first.set_fact("answers", std::int64_t{1});
    first.set_fact("tcp", false);
    first.perfdata.push_back(rtt_perfdata("127.0.0.1_rtt", 0.000231));
    Subcheck soa;
    soa.name = "serial";
    soa.state = State::warning;
    soa.summary = "serial 2024010101 behind";
    first.children.push_back(soa);

    Subcheck second;
    second.name = "::1";
    second.summary = "UDP NOERROR";
    second.perfdata.push_back(rtt_perfdata("::1_rtt", 0.0125));

    result.subchecks = {first, second};
    return result;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(output)

BOOST_AUTO_TEST_CASE(output_format_names) {
    BOOST_TEST((anycast::plugin::parse_output_format("text") == OutputFormat::text));
    BOOST_TEST((anycast::plugin::parse_output_format("json") == OutputFormat::json));
    for (const std::string_view bad : {"", "JSON", "xml", "json "}) {
        BOOST_CHECK_THROW(anycast::plugin::parse_output_format(bad), anycast::InputError);
    }
}

BOOST_AUTO_TEST_CASE(perfdata_items) {
    struct Case {
        Perfdata perfdata;
        std::string expected;
    };
    Perfdata plain{"sites_up", 4, "", std::nullopt, std::nullopt, std::nullopt, std::nullopt};
    Perfdata full{"rtt",
                  0.000231,
                  "s",
                  parse_range("~:200ms", UnitFamily::duration),
                  parse_range("@1:2", UnitFamily::duration),
                  0.0,
                  10.0};
    Perfdata only_max{"loss", 12.5, "%", std::nullopt, std::nullopt, std::nullopt, 100.0};
    Perfdata only_crit{"x",          1,           "", std::nullopt, parse_range("10:", UnitFamily::plain),
                       std::nullopt, std::nullopt};
    Perfdata not_measured{"rtt", not_a_number, "s", std::nullopt, std::nullopt, 0.0, inf};
    Perfdata hostile{"a b=c|d\n", -1.5e-7, "m s|;", std::nullopt, std::nullopt, std::nullopt, std::nullopt};
    Perfdata big{"count", 1e15, "c", std::nullopt, std::nullopt, std::nullopt, std::nullopt};
    const Case cases[] = {
        {plain, "sites_up=4"},
        {full, "rtt=0.000231s;~:0.2;@1:2;0;10"},
        {only_max, "loss=12.5%;;;;100"},
        {only_crit, "x=1;;10:"},
        {not_measured, "rtt=U;;;0"},
        {hostile, "a_b_c_d_=0ms"},
        {big, "count=1000000000000000c"},
    };
    for (const auto& c : cases) {
        BOOST_TEST(render_perfdata(c.perfdata) == c.expected);
    }
}

BOOST_AUTO_TEST_CASE(text_exact) {
    const std::string expected =
        "ANYCAST DNS WARNING - 127.0.0.1 serial: serial 2024010101 behind | sites_up=2 127.0.0.1_rtt=0.000231s;0.5;1;0 "
        "__1_rtt=0.0125s;0.5;1;0\n"
        "[WARNING] 127.0.0.1: UDP NOERROR, identity ams1 (nsid)\n"
        "  [WARNING] serial: serial 2024010101 behind\n"
        "[OK] ::1: UDP NOERROR\n";
    BOOST_TEST(render_text(sample_result(), 0) == expected);
}

BOOST_AUTO_TEST_CASE(text_verbose_shows_facts) {
    const std::string expected =
        "ANYCAST DNS WARNING - 127.0.0.1 serial: serial 2024010101 behind | sites_up=2 127.0.0.1_rtt=0.000231s;0.5;1;0 "
        "__1_rtt=0.0125s;0.5;1;0\n"
        "[WARNING] 127.0.0.1: UDP NOERROR, identity ams1 (nsid)\n"
        "  identity=ams1\n"
        "  rtt_ms=0.231\n"
        "  answers=1\n"
        "  tcp=false\n"
        "  [WARNING] serial: serial 2024010101 behind\n"
        "[OK] ::1: UDP NOERROR\n";
    BOOST_TEST(render_text(sample_result(), 1) == expected);
}

BOOST_AUTO_TEST_CASE(text_minimal_forms) {
    CheckResult empty;
    empty.label = "ANYCAST DNS";
    BOOST_TEST(render_text(empty, 0) == "ANYCAST DNS UNKNOWN\n");
    CheckResult unlabeled;
    unlabeled.summary = "fine";
    unlabeled.state_override = State::ok;
    BOOST_TEST(render_text(unlabeled, 0) == "OK - fine\n");
    CheckResult nameless;
    nameless.label = "X";
    Subcheck s;
    s.summary = "only summary";
    Subcheck bare;
    bare.name = "only name";
    nameless.subchecks = {s, bare};
    BOOST_TEST(render_text(nameless, 0) == "X OK\n[OK] only summary\n[OK] only name\n");
}

BOOST_AUTO_TEST_CASE(text_survives_hostile_fields) {
    const std::string hostile = "evil|x=1\nCRITICAL - fake\r\0\x1b[2J\xff\xc2\x85\xe2\x80\xa8 end"s;
    std::string huge;
    for (int i = 0; i < 70 * 1024; ++i) {
        huge += static_cast<char>((i * 131) % 256);
    }
    CheckResult result;
    result.label = "ANYCAST " + hostile;
    result.summary = hostile + huge;
    Subcheck s;
    s.name = hostile;
    s.summary = huge;
    s.set_fact(hostile, hostile);
    Perfdata p;
    p.label = hostile;
    p.value = 1;
    p.uom = hostile;
    s.perfdata.push_back(p);
    result.subchecks.push_back(s);
    result.perfdata.push_back(p);

    for (const int verbosity : {0, 1, 3}) {
        const std::string text = render_text(result, verbosity);
        BOOST_TEST(text.back() == '\n');
        const std::string line = first_line(text);
        BOOST_TEST(count(line, '|') == 1U);
        BOOST_TEST(line.find('\r') == std::string::npos);
        const bool printable = std::all_of(text.begin(), text.end(), [](char c) {
            const auto byte = static_cast<unsigned char>(c);
            return (byte >= 0x20 || byte == '\n') && byte != 0x7F;
        });
        BOOST_TEST(printable);
        // Lines: first line + one per subcheck (+ one per fact when verbose).
        BOOST_TEST(count(text, '\n') == (verbosity >= 1 ? 3U : 2U));
        // The perfdata part after the separator is two well-formed items.
        const std::string perf = line.substr(line.find('|') + 2);
        const std::string item = "evil_x_1_CRITICAL_-_fake____2J_______end=1evilxCRITICALfakeJend";
        BOOST_TEST(perf == item + " " + item);
    }
    // Escaping first (as checks must) keeps the information.
    Subcheck escaped;
    escaped.name = anycast::plugin::escape_untrusted(hostile);
    CheckResult clean;
    clean.label = "X";
    clean.subchecks.push_back(escaped);
    BOOST_TEST(render_text(clean, 0) ==
               "X OK\n[OK] evil\\x7cx=1\\nCRITICAL - fake\\r\\x00\\x1b[2J\\xff\\u0085\\u2028 end\n");
}

BOOST_AUTO_TEST_CASE(json_exact) {
    const std::string expected =
        R"J({"check":"ANYCAST DNS","state":"WARNING","exit_code":1,"summary":"127.0.0.1 serial: serial 2024010101 behind",)J"
        R"J("perfdata":[{"label":"sites_up","value":2,"uom":"","warn":null,"crit":null,"min":null,"max":null},)J"
        R"J({"label":"127.0.0.1_rtt","value":0.000231,"uom":"s","warn":"0.5","crit":"1","min":0,"max":null},)J"
        R"J({"label":"__1_rtt","value":0.0125,"uom":"s","warn":"0.5","crit":"1","min":0,"max":null}],)J"
        R"J("subchecks":[{"name":"127.0.0.1","state":"WARNING","summary":"UDP NOERROR, identity ams1 (nsid)",)J"
        R"J("facts":{"identity":"ams1","rtt_ms":0.231,"answers":1,"tcp":false},)J"
        R"J("perfdata":[{"label":"127.0.0.1_rtt","value":0.000231,"uom":"s","warn":"0.5","crit":"1","min":0,"max":null}],)J"
        R"J("subchecks":[{"name":"serial","state":"WARNING","summary":"serial 2024010101 behind","facts":{},)J"
        R"J("perfdata":[],"subchecks":[]}]},)J"
        R"J({"name":"::1","state":"OK","summary":"UDP NOERROR","facts":{},)J"
        R"J("perfdata":[{"label":"__1_rtt","value":0.0125,"uom":"s","warn":"0.5","crit":"1","min":0,"max":null}],)J"
        R"J("subchecks":[]}]})J"
        "\n";
    const std::string json = render_json(sample_result());
    BOOST_TEST(json == expected);
    BOOST_TEST(is_valid_json(json));
}

BOOST_AUTO_TEST_CASE(json_numbers_round_trip_and_non_finite_is_null) {
    CheckResult result;
    result.label = "N";
    Subcheck s;
    s.name = "n";
    s.set_fact("tiny", 1e-300);
    s.set_fact("third", 1.0 / 3.0);
    s.set_fact("nan", not_a_number);
    s.set_fact("inf", -inf);
    s.set_fact("big", std::int64_t{-9223372036854775807LL - 1});
    Perfdata p;
    p.label = "p";
    p.value = not_a_number;
    p.min = inf;
    p.max = 1e300;
    s.perfdata.push_back(p);
    result.subchecks.push_back(s);
    const std::string json = render_json(result);
    BOOST_TEST(is_valid_json(json));
    BOOST_TEST(json.find(R"J("tiny":1e-300)J") != std::string::npos);
    BOOST_TEST(json.find(R"J("third":0.3333333333333333)J") != std::string::npos);
    BOOST_TEST(json.find(R"J("nan":null,"inf":null)J") != std::string::npos);
    BOOST_TEST(json.find(R"J("big":-9223372036854775808)J") != std::string::npos);
    BOOST_TEST(json.find(R"J("value":null,"uom":"","warn":null,"crit":null,"min":null,"max":1e+300)J") !=
               std::string::npos);
}

BOOST_AUTO_TEST_CASE(json_escapes_strings) {
    CheckResult result;
    result.label = "J";
    result.summary = "q\"b\\s/\n\t\0\x1f\x7f\xff\xe2\x80\xa8\xc3\xa9"s;
    result.state_override = State::critical;
    const std::string json = render_json(result);
    BOOST_TEST(json.find(R"J("summary":"q\"b\\s/\u000a\u0009\u0000\u001f\u007f\ufffd\u2028)J"
                         "\xc3\xa9\"") != std::string::npos);
    BOOST_TEST(json.find(R"J("state":"CRITICAL","exit_code":2)J") != std::string::npos);
    BOOST_TEST(is_valid_json(json));
}

BOOST_AUTO_TEST_CASE(json_duplicate_fact_keys_last_wins) {
    CheckResult result;
    Subcheck s;
    s.facts.emplace_back("k", std::string("first"));
    s.facts.emplace_back("other", true);
    s.facts.emplace_back("k", std::string("second"));
    result.subchecks.push_back(s);
    const std::string json = render_json(result);
    BOOST_TEST(json.find(R"J("facts":{"other":true,"k":"second"})J") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(json_hostile_is_still_valid) {
    std::string huge;
    for (int i = 0; i < 70 * 1024; ++i) {
        huge += static_cast<char>((i * 131) % 256);
    }
    CheckResult result;
    result.label = huge;
    result.summary = huge;
    Subcheck s;
    s.name = huge;
    s.summary = huge;
    s.set_fact(huge, huge);
    Perfdata p;
    p.label = huge;
    p.uom = huge;
    s.perfdata.push_back(p);
    result.subchecks.push_back(s);
    const std::string json = render_json(result);
    BOOST_TEST(is_valid_json(json));
    BOOST_TEST(count(json, '\n') == 1U);
    BOOST_TEST(!is_valid_json("{\"a\":1}"));  // the checker itself rejects a missing newline
    BOOST_TEST(!is_valid_json("{\"a\":01}\n"));
    BOOST_TEST(!is_valid_json("{\"a\":\"\x01\"}\n"));
}

BOOST_AUTO_TEST_CASE(render_dispatches) {
    const CheckResult result = sample_result();
    BOOST_TEST(anycast::plugin::render(result, OutputFormat::json, 0) == render_json(result));
    BOOST_TEST(anycast::plugin::render(result, OutputFormat::text, 1) == render_text(result, 1));
}

// 5000 targets printed 1.16 MB: more than a pipe holds, so a reader that waits for the exit kept
// the check blocked past --timeout.
BOOST_AUTO_TEST_CASE(bounded_output_cuts_and_says_what_was_left_out) {
    CheckResult result;
    result.label = "ANYCAST DNS";
    result.summary = std::string(5000, 's');
    for (int i = 0; i < 5000; ++i) {
        Subcheck check;
        check.name = "192.0.2." + std::to_string(i);
        check.state = State::critical;
        check.summary = "port unreachable (nothing listens), " + std::string(200, 'x');
        check.perfdata.push_back({"addr" + std::to_string(i) + "_rtt", 0.001, "s", {}, {}, 0.0, {}});
        result.subchecks.push_back(std::move(check));
    }
    const std::string full = render_text(result, 0);
    BOOST_TEST(full.size() > 1000000U);
    const std::string bounded = anycast::plugin::bound_text_output(full);
    BOOST_TEST(bounded.size() <= 48U * 1024);
    const std::string first = bounded.substr(0, bounded.find('\n'));
    BOOST_TEST(first.size() <= 8U * 1024);
    BOOST_TEST(first.starts_with("ANYCAST DNS CRITICAL - "), first);
    BOOST_TEST(first.find(" | addr0_rtt=0.001s;;;0 addr1_rtt=") != std::string::npos, first);
    // Whole perfdata items only, whole lines only.
    BOOST_TEST(first.ends_with(";;;0"));
    BOOST_TEST(bounded.find("\n[CRITICAL] 192.0.2.0: port unreachable") != std::string::npos);
    const std::string last = bounded.substr(bounded.rfind('\n', bounded.size() - 2) + 1);
    BOOST_TEST(last.starts_with("[...] "), last);
    BOOST_TEST(last.find(" more lines (") != std::string::npos, last);
    BOOST_TEST(last.find(" of 5000 perfdata items left out (output bound 48 KiB; --output-format=json prints "
                         "everything)\n") != std::string::npos,
               last);
    // What fits is left alone.
    CheckResult small;
    small.label = "ANYCAST DNS";
    small.summary = "fine";
    Subcheck ok;
    ok.name = "x";
    ok.state = State::ok;
    ok.summary = "answered";
    small.subchecks.push_back(ok);
    const std::string text = render_text(small, 0);
    BOOST_TEST(anycast::plugin::bound_text_output(text) == text);
}

BOOST_AUTO_TEST_CASE(bounded_summary_is_cut_on_a_utf8_boundary) {
    anycast::plugin::OutputBounds bounds;
    bounds.summary_bytes = 20;
    std::string text = "LABEL OK - ";
    for (int i = 0; i < 10; ++i) {
        text += "\xc3\xa9";  // é
    }
    text += "\n";
    const std::string bounded = anycast::plugin::bound_text_output(text, bounds);
    for (std::size_t i = 0; i < bounded.size();) {
        const auto decoded = anycast::plugin::decode_utf8(bounded, i);
        BOOST_TEST(decoded.valid);
        i += decoded.length;
    }
    BOOST_TEST(bounded.ends_with("... \n"), bounded);
    BOOST_TEST(bounded.size() <= 24U);
}

BOOST_AUTO_TEST_SUITE_END()
