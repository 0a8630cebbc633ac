#include "sites/site_history.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <thread>
#include <utility>

namespace anycast::sites {

namespace {

constexpr std::string_view header = "# anycast-checks site history v1";
constexpr std::size_t max_field_bytes = 1024;
constexpr std::size_t max_file_bytes = 16 * 1024 * 1024;
constexpr auto lock_poll_interval = std::chrono::milliseconds(5);

class UniqueFd {
public:
    explicit UniqueFd(int fd) : fd_(fd) {}
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    ~UniqueFd() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }
    int get() const { return fd_; }
    // For close() whose result matters (after writing).
    int release() { return std::exchange(fd_, -1); }

private:
    int fd_;
};

std::string system_error(std::string_view what, const std::string& path) {
    return std::string(what) + " " + path + ": " + std::strerror(errno);
}

void escape_into(std::string& out, std::string_view text) {
    constexpr char hex[] = "0123456789abcdef";
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (byte < 0x20 || byte == 0x7f) {
            out += "\\x";
            out += hex[byte >> 4];
            out += hex[byte & 0xf];
        } else {
            out += c;
        }
    }
}

std::optional<std::string> unescape(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '\\') {
            out += text[i];
            continue;
        }
        if (++i == text.size()) {
            return std::nullopt;
        }
        switch (text[i]) {
            case '\\':
                out += '\\';
                break;
            case 't':
                out += '\t';
                break;
            case 'n':
                out += '\n';
                break;
            case 'r':
                out += '\r';
                break;
            case 'x': {
                unsigned value = 0;
                const char* begin = text.data() + i + 1;
                if (i + 2 >= text.size() || std::from_chars(begin, begin + 2, value, 16).ptr != begin + 2) {
                    return std::nullopt;
                }
                out += static_cast<char>(value);
                i += 2;
                break;
            }
            default:
                return std::nullopt;
        }
    }
    return out;
}

std::optional<std::int64_t> parse_time(std::string_view text) {
    std::int64_t value = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

std::vector<std::string_view> split_tabs(std::string_view line) {
    std::vector<std::string_view> fields;
    std::size_t start = 0;
    while (fields.size() < 5) {
        const auto tab = line.find('\t', start);
        fields.push_back(line.substr(start, tab == std::string_view::npos ? tab : tab - start));
        if (tab == std::string_view::npos) {
            break;
        }
        start = tab + 1;
    }
    return fields;
}

// Waits for an exclusive lock on path, polling so that the deadline is kept (flock itself has no
// timeout, and a signal-based one would be global state).
std::optional<std::string> lock_exclusive(int fd, const std::string& path,
                                          std::chrono::steady_clock::time_point deadline) {
    while (true) {
        if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
            return std::nullopt;
        }
        if (errno != EWOULDBLOCK && errno != EINTR) {
            return system_error("cannot lock", path);
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            return "timed out waiting for the lock on " + path;
        }
        std::this_thread::sleep_for(lock_poll_interval);
    }
}

struct ReadResult {
    std::optional<SiteHistory> history;  // nullopt with error empty: corrupt
    std::optional<std::string> error;
};

ReadResult read_history(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) {
        if (errno == ENOENT) {
            return {SiteHistory{}, std::nullopt};
        }
        return {std::nullopt, system_error("cannot read state file", path)};
    }
    std::string text;
    char buffer[65536];
    while (true) {
        const ssize_t got = ::read(fd.get(), buffer, sizeof buffer);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got < 0) {
            return {std::nullopt, system_error("cannot read state file", path)};
        }
        if (got == 0) {
            break;
        }
        text.append(buffer, static_cast<std::size_t>(got));
        if (text.size() > max_file_bytes) {
            return {std::nullopt, std::nullopt};
        }
    }
    return {parse_site_history(text), std::nullopt};
}

bool write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        const ssize_t wrote = ::write(fd, data.data(), data.size());
        if (wrote < 0 && errno == EINTR) {
            continue;
        }
        if (wrote <= 0) {
            return false;
        }
        data.remove_prefix(static_cast<std::size_t>(wrote));
    }
    return true;
}

std::string directory_of(const std::string& path) {
    const auto slash = path.rfind('/');
    if (slash == std::string::npos) {
        return ".";
    }
    return slash == 0 ? "/" : path.substr(0, slash);
}

// Replaces path atomically: readers (and a crash) see the old file or the new, never a mix.
std::optional<std::string> write_history(const std::string& path, const SiteHistory& history) {
    std::string temp_path = path + ".XXXXXX";
    UniqueFd fd(::mkostemp(temp_path.data(), O_CLOEXEC));
    if (fd.get() < 0) {
        return system_error("cannot create a temporary file for", path);
    }
    const std::string text = format_site_history(history);
    const bool written = ::fchmod(fd.get(), 0644) == 0 && write_all(fd.get(), text) &&
                         ::fsync(fd.get()) == 0 && ::close(fd.release()) == 0;
    if (!written || ::rename(temp_path.c_str(), path.c_str()) != 0) {
        auto error = system_error("cannot write state file", path);
        ::unlink(temp_path.c_str());
        return error;
    }
    // Makes the rename itself durable; failing here loses nothing already promised.
    UniqueFd directory(::open(directory_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (directory.get() >= 0) {
        ::fsync(directory.get());
    }
    return std::nullopt;
}

void update(SiteHistory& history, const std::string& address, std::string_view site, std::int64_t now,
            const SiteHistoryPolicy& policy, SiteObservation& observation) {
    std::erase_if(history, [&](const auto& entry) {
        return entry.first != address &&
               (entry.second.empty() || entry.second.back().last_seen < now - policy.forget_after_seconds);
    });
    auto& stints = history[address];
    if (!stints.empty()) {
        auto& last = stints.back();
        observation.previous_site = last.site;
        observation.previous_seen = last.last_seen;
        observation.changed = last.site != site;
    }
    if (stints.empty() || observation.changed) {
        stints.push_back({now, now, std::string(site)});
    } else {
        stints.back().last_seen = std::max(stints.back().last_seen, now);
    }
    const std::int64_t window_start = now - policy.window_seconds;
    // Keep the last stint that began before the window: it is the site the window started with.
    std::size_t first_kept = 0;
    for (std::size_t i = 0; i < stints.size(); ++i) {
        if (stints[i].first_seen <= window_start) {
            first_kept = i;
        }
    }
    const std::size_t cap = std::max<std::size_t>(policy.max_stints_per_address, 1);
    first_kept = std::max(first_kept, stints.size() > cap ? stints.size() - cap : 0);
    stints.erase(stints.begin(), stints.begin() + static_cast<std::ptrdiff_t>(first_kept));
    observation.changes_in_window = static_cast<std::size_t>(std::count_if(
        stints.begin() + 1, stints.end(), [&](const auto& s) { return s.first_seen > window_start; }));
}

}  // namespace

std::optional<SiteHistory> parse_site_history(std::string_view text) {
    SiteHistory history;
    if (text.empty()) {
        return history;
    }
    if (!text.starts_with(header) || text.substr(header.size(), 1) != "\n") {
        return std::nullopt;
    }
    text.remove_prefix(header.size() + 1);
    while (!text.empty()) {
        const auto newline = text.find('\n');
        if (newline == std::string_view::npos) {
            return std::nullopt;  // a cut-off last line: not something we wrote
        }
        const auto fields = split_tabs(text.substr(0, newline));
        text.remove_prefix(newline + 1);
        if (fields.size() != 4) {
            return std::nullopt;
        }
        auto address = unescape(fields[0]);
        const auto first_seen = parse_time(fields[1]);
        const auto last_seen = parse_time(fields[2]);
        auto site = unescape(fields[3]);
        if (!address || address->empty() || !first_seen || !last_seen || *last_seen < *first_seen || !site ||
            site->empty()) {
            return std::nullopt;
        }
        auto& stints = history[std::move(*address)];
        if (!stints.empty() && stints.back().first_seen > *first_seen) {
            return std::nullopt;
        }
        stints.push_back({*first_seen, *last_seen, std::move(*site)});
    }
    return history;
}

std::string format_site_history(const SiteHistory& history) {
    std::string text(header);
    text += '\n';
    for (const auto& [address, stints] : history) {
        for (const auto& stint : stints) {
            escape_into(text, address);
            text += '\t';
            text += std::to_string(stint.first_seen);
            text += '\t';
            text += std::to_string(stint.last_seen);
            text += '\t';
            escape_into(text, stint.site);
            text += '\n';
        }
    }
    return text;
}

SiteObservation record_site(const std::string& path, std::string_view address, std::string_view site,
                            std::int64_t now, const SiteHistoryPolicy& policy,
                            std::chrono::steady_clock::time_point deadline) {
    SiteObservation observation;
    if (address.empty() || site.empty() || address.size() > max_field_bytes ||
        site.size() > max_field_bytes) {
        observation.error = "address and site must be 1 to 1024 bytes to be recorded";
        return observation;
    }
    const std::string lock_path = path + ".lock";
    UniqueFd lock(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
    if (lock.get() < 0) {
        observation.error = system_error("cannot open lock file", lock_path);
        return observation;
    }
    if (auto error = lock_exclusive(lock.get(), lock_path, deadline)) {
        observation.error = std::move(error);
        return observation;
    }
    // The lock is released when `lock` closes, after the new file is in place.
    auto [history, error] = read_history(path);
    if (error) {
        observation.error = std::move(error);
        return observation;
    }
    if (!history) {
        observation.history_was_corrupt = true;
        history.emplace();
    }
    update(*history, std::string(address), site, now, policy, observation);
    observation.error = write_history(path, *history);
    return observation;
}

}  // namespace anycast::sites
