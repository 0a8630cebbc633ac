// The rules-file reader (format: docs/site-rules.md). One keyword per line; a rule runs from its
// `rule NAME` line to the next rule or table line. Everything is checked as it is read, and every
// rule's examples are run before the file is used, so a file that loads is one that works.
#include <algorithm>
#include <utility>

#include "plugin/error.hpp"
#include "plugin/file.hpp"
#include "sites/airports.hpp"
#include "sites/site_rules.hpp"

namespace anycast::sites {

namespace {

constexpr std::size_t max_rules_file_bytes = std::size_t{1} << 20;
constexpr std::size_t max_rules = 2000;

std::string_view trim(std::string_view text) {
    constexpr std::string_view spaces = " \t\r";
    const auto first = text.find_first_not_of(spaces);
    if (first == std::string_view::npos) {
        return {};
    }
    return text.substr(first, text.find_last_not_of(spaces) - first + 1);
}

// The words of a data line, up to a '#' that starts a comment.
std::vector<std::string> words_of(std::string_view text) {
    if (const auto hash = text.find('#'); hash != std::string_view::npos) {
        text = text.substr(0, hash);
    }
    std::vector<std::string> words;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) {
            ++i;
        }
        const std::size_t start = i;
        while (i < text.size() && text[i] != ' ' && text[i] != '\t') {
            ++i;
        }
        if (i > start) {
            words.emplace_back(text.substr(start, i - start));
        }
    }
    return words;
}

bool is_name(std::string_view name) {
    return is_site_code(name);  // the same alphabet: lower-case letters, digits, '-', '_'
}

bool is_upper_code(std::string_view code, std::size_t length) {
    return code.size() == length &&
           std::all_of(code.begin(), code.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

class Reader {
public:
    Reader(std::string_view text, const std::string& origin, ExampleCheck examples)
        : text_(text), examples_(examples) {
        set_.origin = origin;
    }

    RuleSet read() {
        std::size_t start = 0;
        while (start <= text_.size()) {
            std::size_t end = text_.find('\n', start);
            if (end == std::string_view::npos) {
                end = text_.size();
            }
            ++line_;
            read_line(trim(text_.substr(start, end - start)));
            start = end + 1;
        }
        finish_rule();
        check_tables();
        if (examples_ == ExampleCheck::run) {
            check_examples();
        }
        return std::move(set_);
    }

private:
    [[noreturn]] void fail(const std::string& what, std::size_t line = 0) const {
        throw InputError(set_.origin + " line " + std::to_string(line == 0 ? line_ : line) + ": " + what);
    }

    void read_line(std::string_view line) {
        if (line.empty() || line.front() == '#') {
            return;
        }
        const auto space = line.find_first_of(" \t");
        const std::string_view keyword = line.substr(0, space);
        const std::string_view value =
            space == std::string_view::npos ? std::string_view{} : trim(line.substr(space));
        if (keyword == "rule") {
            start_rule(value);
        } else if (keyword == "place") {
            finish_rule();
            add_place(value);
        } else if (keyword == "not-place") {
            finish_rule();
            add_not_places(value);
        } else if (keyword == "country-alias") {
            finish_rule();
            add_country_alias(value);
        } else if (keyword == "operator" || keyword == "match" || keyword == "scope" || keyword == "places" ||
                   keyword == "require" || keyword == "example") {
            if (!rule_) {
                fail("'" + std::string(keyword) + "' outside a rule (start one with 'rule NAME')");
            }
            read_rule_line(keyword, value);
        } else {
            fail("unknown keyword '" + std::string(keyword.substr(0, 40)) +
                 "' (expected rule, operator, match, scope, places, require, example, place, not-place or "
                 "country-alias)");
        }
    }

    void start_rule(std::string_view name) {
        finish_rule();
        if (!is_name(name)) {
            fail("rule name '" + std::string(name.substr(0, 63)) + "' is not [a-z0-9][a-z0-9_-]*");
        }
        for (const NamingRule& rule : set_.rules) {
            if (rule.name == name) {
                fail("rule '" + std::string(name) + "' is defined twice (first at " + rule.origin + ")");
            }
        }
        if (set_.rules.size() >= max_rules) {
            fail("more than " + std::to_string(max_rules) + " rules");
        }
        rule_ = Pending{std::string(name), line_, {}, {}, RuleScope::identity, {}, false, false, {}};
    }

    void read_rule_line(std::string_view keyword, std::string_view value) {
        Pending& rule = *rule_;
        if (value.empty()) {
            fail("'" + std::string(keyword) + "' needs a value");
        }
        if (keyword == "operator") {
            rule.operator_name = value;
        } else if (keyword == "match") {
            if (rule.pattern) {
                fail("rule '" + rule.name + "' has two match lines");
            }
            rule.pattern.emplace("^(?:" + std::string(value) + ")$", plugin::RegexCase::insensitive,
                                 set_.origin + " line " + std::to_string(line_) + ": match");
            if (examples_ == ExampleCheck::run) {
                rule.pattern->get();  // a file that is proved is compiled whole, and fails at its line
            }
            if (!rule.pattern->has_named_group("site")) {
                fail("the pattern of rule '" + rule.name + "' has no (?<site>...) group");
            }
        } else if (keyword == "scope") {
            rule.scope = parse_scope(value);
        } else if (keyword == "places") {
            rule.places = value;
            rule.places_line = line_;
        } else if (keyword == "require") {
            if (value != "location" && value != "large-airport") {
                fail("'require' takes 'location' or 'large-airport'");
            }
            rule.require_location = true;
            rule.large_airports_only = rule.large_airports_only || value == "large-airport";
        } else {
            rule.examples.push_back(parse_example(value));
        }
    }

    RuleScope parse_scope(std::string_view value) const {
        if (value == "identity") {
            return RuleScope::identity;
        }
        if (value == "label") {
            return RuleScope::label;
        }
        if (value == "part") {
            return RuleScope::part;
        }
        fail("scope '" + std::string(value.substr(0, 40)) + "' is not identity, label or part");
    }

    // IDENTITY -> SITE LOCATION|none, or IDENTITY -> no match
    RuleExample parse_example(std::string_view value) const {
        const auto arrow = value.rfind(" -> ");
        if (arrow == std::string_view::npos) {
            fail("an example is 'IDENTITY -> SITE LOCATION|none' or 'IDENTITY -> no match'");
        }
        RuleExample example{std::string(trim(value.substr(0, arrow))), {}, {}, line_};
        const auto result = words_of(value.substr(arrow + 4));
        if (result.size() == 2 && result[0] == "no" && result[1] == "match") {
            return example;
        }
        if (result.size() != 2 || !is_site_code(result[0]) ||
            !(result[1] == "none" || is_upper_code(result[1], 3))) {
            fail("an example's result is 'SITE LOCATION' (upper-case IATA code or none) or 'no match'");
        }
        example.site = result[0];
        if (result[1] != "none") {
            example.location = result[1];
        }
        return example;
    }

    void finish_rule() {
        if (!rule_) {
            return;
        }
        Pending rule = std::move(*rule_);
        rule_.reset();
        if (!rule.pattern) {
            fail("rule '" + rule.name + "' has no match line", rule.line);
        }
        if (rule.examples.empty()) {
            fail("rule '" + rule.name + "' has no example (every rule needs one that the tests can check)",
                 rule.line);
        }
        if (!rule.places.empty()) {
            table_uses_.emplace_back(rule.places, rule.places_line);
        }
        set_.rules.push_back(
            NamingRule{std::move(rule.name), std::move(rule.operator_name), std::move(*rule.pattern),
                       rule.scope, std::move(rule.places), rule.require_location, rule.large_airports_only,
                       std::move(rule.examples), set_.origin + ":" + std::to_string(rule.line)});
    }

    // place TABLE CODE IATA|-
    void add_place(std::string_view value) {
        const auto words = words_of(value);
        if (words.size() != 3 || !is_name(words[0]) || !is_site_code(words[1])) {
            fail("a place is 'place TABLE CODE IATA' (IATA '-' when the site is in no airport's town)");
        }
        std::optional<std::string> iata;
        if (words[2] != "-") {
            // The airport table lookup is part of the file's proof (ExampleCheck::run): a binary
            // search over the table touches a page of it per step, a tenth of a millisecond for
            // the shipped file's places at every check's start, which its tests prove instead.
            if (!is_upper_code(words[2], 3) ||
                (examples_ == ExampleCheck::run && !is_airport_code(words[2]))) {
                fail("'" + words[2].substr(0, 10) + "' is not an upper-case code in the airport table");
            }
            iata = words[2];
        }
        auto& table = set_.places[words[0]];
        if (!table.emplace(words[1], iata).second) {
            fail("place '" + words[1] + "' is listed twice in table '" + words[0] + "'");
        }
    }

    void add_not_places(std::string_view value) {
        const auto words = words_of(value);
        if (words.empty()) {
            fail("not-place needs at least one word");
        }
        for (const std::string& word : words) {
            if (!is_site_code(word)) {
                fail("'" + word.substr(0, 40) + "' is not a lower-case word");
            }
            set_.not_places.insert(word);
        }
    }

    void add_country_alias(std::string_view value) {
        const auto words = words_of(value);
        if (words.size() != 2 || !is_upper_code(words[0], 2) || !is_upper_code(words[1], 2)) {
            fail("a country alias is 'country-alias XX YY' (two upper-case ISO 3166 codes)");
        }
        set_.country_aliases[words[0]] = words[1];
    }

    void check_tables() const {
        for (const auto& [table, line] : table_uses_) {
            if (!set_.places.contains(table)) {
                fail("places table '" + table + "' has no place lines in this file", line);
            }
        }
    }

    void check_examples() const {
        for (const NamingRule& rule : set_.rules) {
            for (const RuleExample& example : rule.examples) {
                const auto identity = normalise_identity(example.identity);
                const auto got = identity ? match_rule(set_, rule, *identity) : std::nullopt;
                const bool same =
                    got ? (example.site && got->site == *example.site && got->location == example.location)
                        : !example.site;
                if (!same) {
                    fail("rule '" + rule.name + "' gives " +
                             (got ? "site " + got->site + " location " + got->location.value_or("none")
                                  : std::string("no match")) +
                             " for its example '" + example.identity + "'",
                         example.line);
                }
            }
        }
    }

    struct Pending {
        std::string name;
        std::size_t line;
        std::string operator_name;
        std::optional<plugin::LazyRegex> pattern;
        RuleScope scope;
        std::string places;
        bool require_location;
        bool large_airports_only;
        std::vector<RuleExample> examples;
        std::size_t places_line = 0;
    };

    std::string_view text_;
    ExampleCheck examples_;
    std::size_t line_ = 0;
    RuleSet set_;
    std::optional<Pending> rule_;
    std::vector<std::pair<std::string, std::size_t>> table_uses_;
};

}  // namespace

RuleSet parse_rules_text(std::string_view text, const std::string& origin, ExampleCheck examples) {
    return Reader(text, origin, examples).read();
}

RuleSet load_rules_file(const std::string& path, const std::string& what) {
    return parse_rules_text(plugin::read_input_file(path, what, max_rules_file_bytes), path);
}

}  // namespace anycast::sites
