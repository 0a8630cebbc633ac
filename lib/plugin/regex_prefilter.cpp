// The prefilter reader: a recursive descent over RE2's syntax that keeps, for each part of the
// pattern, the length of what it matches, strings it must contain and (when few) every string it
// can be. Anything it does not follow throws Unsure, and the whole pattern then needs nothing.
#include "plugin/regex_prefilter.hpp"

#include <algorithm>
#include <limits>

#include "plugin/regex.hpp"

namespace anycast::plugin {
namespace {

constexpr std::size_t unbounded = std::numeric_limits<std::size_t>::max();
constexpr std::size_t max_exact_strings = 64;  // beyond this an alternation is only a need
constexpr std::size_t max_need_strings = 256;  // beyond this a need is dropped
constexpr std::size_t max_depth = 100;         // groups nested deeper: Unsure (bounded recursion)

using Strings = std::vector<std::string>;

struct Unsure {};

struct Info {
    std::size_t min = 0;
    std::size_t max = 0;           // unbounded: no limit
    std::optional<Strings> exact;  // sorted, unique, lower case; when set, needs is empty
    std::vector<Strings> needs;
};

char lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// What a backslash makes a literal in RE2: ASCII punctuation (and only that).
bool is_punctuation(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u < 0x7f && !(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'z') &&
           !(c >= 'A' && c <= 'Z');
}

bool is_quantifier(char c) {
    return c == '*' || c == '+' || c == '?' || c == '{';
}

// What is not a literal outside a class.
bool is_special(char c) {
    switch (c) {
        case '\\':
        case '(':
        case ')':
        case '[':
        case ']':
        case '{':
        case '}':
        case '|':
        case '.':
        case '^':
        case '$':
        case '*':
        case '+':
        case '?':
            return true;
        default:
            return false;
    }
}

std::size_t plus(std::size_t a, std::size_t b) {
    return a == unbounded || b == unbounded || a > unbounded - b ? unbounded : a + b;
}

std::size_t times(std::size_t a, std::size_t b) {
    if (a == 0 || b == 0) {
        return 0;
    }
    return a == unbounded || b == unbounded || a > unbounded / b ? unbounded : a * b;
}

void normalise(Strings& strings) {
    std::sort(strings.begin(), strings.end());
    strings.erase(std::unique(strings.begin(), strings.end()), strings.end());
}

Info nothing_needed() {  // zero width: ^, $, \b, (?i)
    return Info{0, 0, Strings{""}, {}};
}

Info one_char() {  // '.', a class, \d: one rune, one byte in an ASCII subject
    return Info{1, 1, std::nullopt, {}};
}

Info literal(char c) {
    return Info{1, 1, Strings{std::string(1, lower(c))}, {}};
}

// An exact set as a need; an empty string in it makes it no need at all.
std::optional<Strings> need_of(Strings exact) {
    if (exact.empty() || std::any_of(exact.begin(), exact.end(), [](const auto& s) { return s.empty(); })) {
        return std::nullopt;
    }
    return exact;
}

std::size_t shortest(const Strings& need) {
    std::size_t length = unbounded;
    for (const auto& s : need) {
        length = std::min(length, s.size());
    }
    return length;
}

// The need of a branch that says most: the one whose shortest string is longest.
std::optional<Strings> best_need(Info&& info) {
    if (info.exact) {
        if (auto need = need_of(std::move(*info.exact))) {
            info.needs.push_back(std::move(*need));
        }
    }
    const auto best =
        std::max_element(info.needs.begin(), info.needs.end(), [](const auto& a, const auto& b) {
            return shortest(a) < shortest(b) || (shortest(a) == shortest(b) && a.size() > b.size());
        });
    return best == info.needs.end() ? std::nullopt : std::optional<Strings>(std::move(*best));
}

// a|b|c: at most the longest, at least the shortest; one of the branches' needs.
Info either(std::vector<Info>&& branches) {
    Info out{unbounded, 0, Strings{}, {}};
    for (const Info& branch : branches) {
        out.min = std::min(out.min, branch.min);
        out.max = std::max(out.max, branch.max);
        if (out.exact && branch.exact) {
            out.exact->insert(out.exact->end(), branch.exact->begin(), branch.exact->end());
        } else {
            out.exact.reset();
        }
    }
    if (out.exact) {
        normalise(*out.exact);
        if (out.exact->size() <= max_exact_strings) {
            return out;
        }
        out.exact.reset();
    }
    Strings merged;
    for (Info& branch : branches) {
        auto need = best_need(std::move(branch));
        if (!need) {
            return out;  // a branch that needs nothing: the alternation needs nothing
        }
        merged.insert(merged.end(), std::make_move_iterator(need->begin()),
                      std::make_move_iterator(need->end()));
    }
    normalise(merged);
    if (merged.size() <= max_need_strings) {
        out.needs.push_back(std::move(merged));
    }
    return out;
}

// Every left string followed by every right one. An empty `left` stands for {""}.
Strings product(Strings&& left, Strings&& right) {
    if (left.empty()) {
        return std::move(right);
    }
    if (right.size() == 1) {
        for (auto& a : left) {
            a += right.front();
        }
        normalise(left);
        return std::move(left);
    }
    Strings out;
    out.reserve(left.size() * right.size());
    for (const auto& a : left) {
        for (const auto& b : right) {
            out.push_back(a + b);
        }
    }
    normalise(out);
    return out;
}

// abc: lengths add up; runs of exact parts join into the strings they spell ("\.c\.root" needs
// ".c.root", not '.', 'c' and "root" apart).
Info sequence(std::vector<Info>&& items) {
    Info out{0, 0, std::nullopt, {}};
    Strings run;  // the exact run so far; empty: {""}
    bool all_exact = true;
    const auto flush = [&] {
        if (auto need = need_of(std::move(run))) {
            out.needs.push_back(std::move(*need));
        }
        run.clear();
    };
    for (Info& item : items) {
        out.min = plus(out.min, item.min);
        out.max = plus(out.max, item.max);
        out.needs.insert(out.needs.end(), std::make_move_iterator(item.needs.begin()),
                         std::make_move_iterator(item.needs.end()));
        if (item.exact && std::max<std::size_t>(run.size(), 1) * item.exact->size() <= max_exact_strings) {
            run = product(std::move(run), std::move(*item.exact));
            continue;
        }
        all_exact = false;
        flush();
        if (item.exact) {
            run = std::move(*item.exact);
        }
    }
    if (all_exact) {
        out.exact = run.empty() ? Strings{""} : std::move(run);
    } else {
        flush();
    }
    return out;
}

// x{lo,hi}: an optional part needs nothing; a repeated one what one copy needs.
Info repeated(Info&& item, std::size_t lo, std::size_t hi) {
    if (lo == 1 && hi == 1) {
        return std::move(item);
    }
    Info out{times(item.min, lo),
             hi == unbounded ? (item.max == 0 ? 0 : unbounded) : times(item.max, hi),
             std::nullopt,
             {}};
    if (lo == 0) {
        if (hi == 1 && item.exact) {
            out.exact = std::move(item.exact);
            out.exact->push_back("");
            normalise(*out.exact);
        }
        return out;
    }
    out.needs = std::move(item.needs);
    if (item.exact) {
        if (auto need = need_of(std::move(*item.exact))) {
            out.needs.push_back(std::move(*need));
        }
    }
    return out;
}

class Reader {
public:
    explicit Reader(std::string_view pattern) : p_(pattern) {}

    Info read() {
        Info info = alternation(0);
        if (i_ != p_.size()) {
            throw Unsure{};  // a ')' that closes nothing
        }
        return info;
    }

private:
    bool at(char c) const { return i_ < p_.size() && p_[i_] == c; }

    Info alternation(std::size_t depth) {
        if (depth > max_depth) {
            throw Unsure{};
        }
        std::vector<Info> branches{concatenation(depth)};
        while (at('|')) {
            ++i_;
            branches.push_back(concatenation(depth));
        }
        return branches.size() == 1 ? std::move(branches.front()) : either(std::move(branches));
    }

    Info concatenation(std::size_t depth) {
        std::vector<Info> items;
        items.reserve(8);
        while (i_ < p_.size() && !at('|') && !at(')')) {
            // Plain characters in a row are one string: read at once, as most of a pattern is
            // (this runs for every rule of every check, so it must cost next to nothing).
            std::string run;
            while (const auto c = plain_literal()) {
                run += lower(*c);
            }
            if (!run.empty()) {
                items.push_back(Info{run.size(), run.size(), Strings{std::move(run)}, {}});
                continue;
            }
            Info item = atom(depth);
            items.push_back(quantified(std::move(item)));
        }
        return sequence(std::move(items));
    }

    // The character at i_ when it is a literal (escaped punctuation included) that no quantifier
    // follows, consumed; nullopt (nothing consumed) otherwise.
    std::optional<char> plain_literal() {
        if (i_ >= p_.size()) {
            return std::nullopt;
        }
        char c = p_[i_];
        std::size_t width = 1;
        if (c == '\\' && i_ + 1 < p_.size()) {
            c = p_[i_ + 1];
            width = 2;
            if (!is_punctuation(c)) {
                return std::nullopt;
            }
        } else if (is_special(c) || static_cast<unsigned char>(c) >= 0x80) {
            return std::nullopt;
        }
        const std::size_t next = i_ + width;
        if (next < p_.size() && is_quantifier(p_[next])) {
            return std::nullopt;  // quantified: read as an atom
        }
        i_ = next;
        return c;
    }

    // {n}, {n,} or {n,m} at i_: true and the bounds, or false (then '{' is a literal, as in RE2).
    bool count_at(std::size_t& lo, std::size_t& hi, std::size_t& end) const {
        std::size_t j = i_ + 1;
        const auto number = [&](std::size_t& value) {
            const std::size_t start = j;
            value = 0;
            while (j < p_.size() && p_[j] >= '0' && p_[j] <= '9' && j - start < 5) {
                value = value * 10 + static_cast<std::size_t>(p_[j] - '0');
                ++j;
            }
            return j > start;
        };
        if (!at('{') || !number(lo)) {
            return false;
        }
        hi = lo;
        if (j < p_.size() && p_[j] == ',') {
            ++j;
            hi = unbounded;
            if (j < p_.size() && p_[j] != '}' && !number(hi)) {
                return false;
            }
        }
        if (j >= p_.size() || p_[j] != '}') {
            return false;
        }
        end = j + 1;
        return true;
    }

    Info quantified(Info item) {
        std::size_t lo = 0;
        std::size_t hi = 0;
        std::size_t end = 0;
        if (at('*') || at('+') || at('?')) {
            lo = at('+') ? 1 : 0;
            hi = at('?') ? 1 : unbounded;
            end = i_ + 1;
        } else if (!count_at(lo, hi, end)) {
            return item;
        }
        if (lo > hi) {
            throw Unsure{};  // RE2 refuses it
        }
        i_ = end;
        if (at('?')) {
            ++i_;  // non-greedy: the same strings
        }
        std::size_t again_lo = 0;
        std::size_t again_hi = 0;
        std::size_t again_end = 0;
        if (at('*') || at('+') || at('?') || count_at(again_lo, again_hi, again_end)) {
            throw Unsure{};  // a repetition of a repetition: RE2 refuses most
        }
        return repeated(std::move(item), lo, hi);
    }

    Info atom(std::size_t depth) {
        const char c = p_[i_];
        std::size_t lo = 0;
        std::size_t hi = 0;
        std::size_t end = 0;
        switch (c) {
            case '(':
                return group(depth);
            case '[':
                end = regex_class_end(p_, i_);
                if (end == std::string_view::npos) {
                    throw Unsure{};
                }
                i_ = end + 1;
                return one_char();
            case '.':
                ++i_;
                return one_char();
            case '^':
            case '$':
                ++i_;
                return nothing_needed();
            case '\\':
                return escape();
            case '*':
            case '+':
            case '?':
                throw Unsure{};  // nothing to repeat
            default:
                break;
        }
        if (c == '{' && count_at(lo, hi, end)) {
            throw Unsure{};
        }
        ++i_;
        if (static_cast<unsigned char>(c) >= 0x80) {
            // One rune of several bytes: its continuation bytes belong to it, and an ASCII subject
            // never contains it, so any length is true of it.
            while (i_ < p_.size() && (static_cast<unsigned char>(p_[i_]) & 0xC0) == 0x80) {
                ++i_;
            }
            return one_char();
        }
        return literal(c);
    }

    Info escape() {
        if (i_ + 1 >= p_.size()) {
            throw Unsure{};
        }
        const char e = p_[i_ + 1];
        i_ += 2;
        const std::string_view classes = "dDwWsSC";
        const std::string_view controls = "afnrtv";
        const std::string_view zero_width = "bBAz";
        if (classes.find(e) != std::string_view::npos || controls.find(e) != std::string_view::npos) {
            return one_char();
        }
        if (zero_width.find(e) != std::string_view::npos) {
            return nothing_needed();
        }
        if (e == 'p' || e == 'P' || e == 'x') {
            if (at('{')) {
                const auto close = p_.find('}', i_);
                if (close == std::string_view::npos) {
                    throw Unsure{};
                }
                i_ = close + 1;
            } else {
                i_ += e == 'x' ? 2 : 1;
            }
            if (i_ > p_.size()) {
                throw Unsure{};
            }
            return one_char();
        }
        if (!is_punctuation(e)) {
            throw Unsure{};  // octal, \Q...\E, or what RE2 refuses
        }
        return literal(e);
    }

    Info group(std::size_t depth) {
        ++i_;  // '('
        if (at('?')) {
            if (p_.substr(i_, 3) == "?P<" ||
                (p_.substr(i_, 2) == "?<" && i_ + 2 < p_.size() && p_[i_ + 2] != '=' && p_[i_ + 2] != '!')) {
                const auto close = p_.find('>', i_);
                if (close == std::string_view::npos) {
                    throw Unsure{};
                }
                i_ = close + 1;
            } else {
                ++i_;
                while (i_ < p_.size() && std::string_view("imsU-").find(p_[i_]) != std::string_view::npos) {
                    ++i_;
                }
                if (at(')')) {
                    ++i_;
                    return nothing_needed();  // flags only; letter case is folded anyway
                }
                if (!at(':')) {
                    throw Unsure{};  // lookaround and the like: RE2 refuses them
                }
                ++i_;
            }
        }
        Info inner = alternation(depth + 1);
        if (!at(')')) {
            throw Unsure{};
        }
        ++i_;
        return inner;
    }

    std::string_view p_;
    std::size_t i_ = 0;
};

bool contains_folded(std::string_view lowered, const std::string& needle) {
    return lowered.find(needle) != std::string_view::npos;
}

}  // namespace

// Where a character class that starts at pattern[i] ('[') ends: the index of its closing ']'
// (npos when it does not close). RE2's rules: a ']' right after '[' or '[^' is a literal, '\'
// escapes, and "[:name:]" inside is a POSIX class whose ']' does not close the outer one.
std::size_t regex_class_end(std::string_view pattern, std::size_t i) {
    ++i;
    if (i < pattern.size() && pattern[i] == '^') {
        ++i;
    }
    if (i < pattern.size() && pattern[i] == ']') {
        ++i;
    }
    while (i < pattern.size()) {
        if (pattern[i] == '\\') {
            i += 2;
            continue;
        }
        if (pattern.substr(i, 2) == "[:") {
            if (const auto posix = pattern.find(":]", i + 2); posix != std::string_view::npos) {
                i = posix + 2;
                continue;
            }
        }
        if (pattern[i] == ']') {
            return i;
        }
        ++i;
    }
    return std::string_view::npos;
}

RegexPrefilter RegexPrefilter::of(std::string_view pattern) {
    RegexPrefilter filter;
    if (pattern.size() > max_regex_pattern_length) {
        return filter;
    }
    try {
        Info info = Reader(pattern).read();
        filter.min_length_ = info.min;
        if (info.max != unbounded) {
            filter.max_length_ = info.max;
        }
        filter.exact_ = std::move(info.exact);
        filter.needs_ = std::move(info.needs);
        std::sort(filter.needs_.begin(), filter.needs_.end());
        filter.needs_.erase(std::unique(filter.needs_.begin(), filter.needs_.end()), filter.needs_.end());
    } catch (const Unsure&) {
        return RegexPrefilter{};
    }
    return filter;
}

bool RegexPrefilter::may_full_match(std::string_view subject) const {
    if (std::any_of(subject.begin(), subject.end(),
                    [](char c) { return static_cast<unsigned char>(c) >= 0x80; })) {
        return true;
    }
    if (subject.size() < min_length_ || (max_length_ && subject.size() > *max_length_)) {
        return false;
    }
    if (!exact_ && needs_.empty()) {
        return true;
    }
    std::string lowered(subject);
    std::transform(lowered.begin(), lowered.end(), lowered.begin(), lower);
    if (exact_) {
        return std::binary_search(exact_->begin(), exact_->end(), lowered);
    }
    return std::all_of(needs_.begin(), needs_.end(), [&](const Strings& need) {
        return std::any_of(need.begin(), need.end(),
                           [&](const std::string& s) { return contains_folded(lowered, s); });
    });
}

}  // namespace anycast::plugin
