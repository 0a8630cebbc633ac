#include "sites/site_history.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <ctime>
#include <thread>
#include <utility>

#include "plugin/fd.hpp"
#include "plugin/file.hpp"
#include "plugin/signals.hpp"

namespace anycast::sites {

namespace {

using plugin::UniqueFd;
using Clock = std::chrono::steady_clock;

constexpr std::string_view header = "# anycast-checks site history v1";
constexpr std::size_t max_field_bytes = 1024;
constexpr std::size_t max_file_bytes = 16 * 1024 * 1024;
// Polled, not blocking: flock has no timeout, and a SIGALRM-based one would be global state. Short,
// because a critical section lasts about a millisecond.
constexpr auto lock_poll_interval = std::chrono::microseconds(500);
// Not worth starting the critical section with less than this before the deadline.
constexpr auto critical_section_allowance = std::chrono::milliseconds(3);

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

// Opens PATH.lock without following a link (a dangling link planted there must not make us create
// its target), creating it if missing; refuses anything but our own regular file.
std::optional<std::string> open_lock(const std::string& lock_path, UniqueFd& lock) {
    lock.reset(
        ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0644));
    if (!lock) {
        if (errno == ELOOP) {
            return "lock file " + lock_path + " is a symbolic link: remove it";
        }
        return system_error("cannot open lock file", lock_path);
    }
    struct stat info {};
    if (::fstat(lock.get(), &info) != 0) {
        return system_error("cannot inspect lock file", lock_path);
    }
    if (!S_ISREG(info.st_mode)) {
        return "lock file " + lock_path + " is " + plugin::file_kind(info.st_mode) + ": remove it";
    }
    if (info.st_uid != ::geteuid()) {
        // Another user's lock file could be held forever by its owner.
        return "lock file " + lock_path + " is owned by uid " + std::to_string(info.st_uid) + ", not " +
               std::to_string(::geteuid()) + ": remove it";
    }
    return std::nullopt;
}

// Waits for the exclusive lock until deadline, or until the check is told to stop.
std::optional<std::string> lock_exclusive(int fd, const std::string& path, Clock::time_point deadline) {
    while (true) {
        if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
            return std::nullopt;
        }
        if (errno != EWOULDBLOCK && errno != EINTR) {
            return system_error("cannot lock", path);
        }
        if (plugin::termination_requested()) {
            return "not recorded: the check was told to stop";
        }
        if (Clock::now() + critical_section_allowance >= deadline) {
            return "timed out waiting for the lock on " + path;
        }
        std::this_thread::sleep_for(lock_poll_interval);
    }
}

std::string utc_stamp(std::int64_t now) {
    const std::time_t seconds = static_cast<std::time_t>(now);
    std::tm parts{};
    char text[32] = "unknown-time";
    if (::gmtime_r(&seconds, &parts) != nullptr) {
        std::strftime(text, sizeof text, "%Y%m%dT%H%M%SZ", &parts);
    }
    return text;
}

struct Loaded {
    SiteHistory history;
    std::optional<std::string> error;   // unusable: leave the file alone
    std::optional<std::string> notice;  // was not valid history: set aside
};

// Renames a file that is not valid history out of the way, so the operator can look at it and
// every check goes on recording. Under the lock: no other check is reading it.
Loaded set_aside(const std::string& path, const std::string& why, std::int64_t now) {
    const std::string aside = path + ".corrupt-" + utc_stamp(now);
    if (::rename(path.c_str(), aside.c_str()) != 0) {
        return {{},
                system_error("state file " + path + " " + why + ", and cannot be set aside as", aside),
                std::nullopt};
    }
    return {{},
            std::nullopt,
            "state file " + path + " " + why + "; set aside as " + aside + ", history starts afresh"};
}

Loaded load_history(const std::string& path, std::int64_t now) {
    plugin::FileReadOptions options;
    options.max_bytes = max_file_bytes;
    options.follow_symlinks = false;
    options.owner = ::geteuid();
    plugin::FileContents contents = plugin::read_regular_file(path, options);
    if (contents.error) {
        const plugin::FileReadError& error = *contents.error;
        switch (error.problem) {
            case plugin::FileProblem::missing:
                return {};
            case plugin::FileProblem::too_large:
                return set_aside(path, "is " + error.message + " (not history this check wrote)", now);
            case plugin::FileProblem::symlink:
            case plugin::FileProblem::not_regular:
            case plugin::FileProblem::wrong_owner:
                return {
                    {},
                    "state file " + path + " " + error.message + ": remove it or choose another --state-file",
                    std::nullopt};
            case plugin::FileProblem::io:
                break;
        }
        return {{}, "cannot read state file " + path + ": " + error.message, std::nullopt};
    }
    SiteHistoryParse parsed = parse_site_history_text(*contents.text);
    if (!parsed.history) {
        return set_aside(path, "was not valid history (line " + std::to_string(parsed.bad_line) + ")", now);
    }
    return {std::move(*parsed.history), std::nullopt, std::nullopt};
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

// Removes the temporary file on every way out but a successful rename.
class TempFile {
public:
    explicit TempFile(const std::string& path) : path_(path + ".XXXXXX") {
        fd_.reset(::mkostemp(path_.data(), O_CLOEXEC));
        if (!fd_) {
            path_.clear();
        }
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    ~TempFile() {
        if (!path_.empty()) {
            ::unlink(path_.c_str());
        }
    }
    int fd() const { return fd_.get(); }
    const std::string& path() const { return path_; }
    void renamed() { path_.clear(); }
    UniqueFd take_fd() { return std::move(fd_); }

private:
    std::string path_;
    UniqueFd fd_;
};

// Writes the new history next to path and renames it over path; returns the new file's fd for the
// fsync that follows outside the lock. Never replaces anything but a regular file.
std::optional<std::string> replace_history(const std::string& path, const SiteHistory& history,
                                           UniqueFd& written) {
    struct stat current {};
    if (::lstat(path.c_str(), &current) == 0 && !S_ISREG(current.st_mode)) {
        return "state file " + path + " is " + plugin::file_kind(current.st_mode) + ": not replacing it";
    }
    TempFile temp(path);
    if (temp.fd() < 0) {
        return system_error("cannot create a temporary file for", path);
    }
    const std::string text = format_site_history(history);
    if (::fchmod(temp.fd(), 0644) != 0 || !write_all(temp.fd(), text)) {
        return system_error("cannot write state file", temp.path());
    }
    if (::rename(temp.path().c_str(), path.c_str()) != 0) {
        return system_error("cannot replace state file", path);
    }
    temp.renamed();
    written = temp.take_fd();
    return std::nullopt;
}

// Outside the lock: makes the new file and its name durable. The rename already made it visible
// to every other check; failing here loses nothing they rely on.
void make_durable(UniqueFd written, const std::string& path) {
    if (written) {
        ::fsync(written.get());
    }
    UniqueFd directory(::open(directory_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (directory) {
        ::fsync(directory.get());
    }
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
    observation.current_since = stints.back().first_seen;
}

std::optional<std::string> refuse_fields(const std::vector<SiteSighting>& sightings) {
    for (const SiteSighting& sighting : sightings) {
        if (sighting.key.empty() || sighting.site.empty() || sighting.key.size() > max_field_bytes ||
            sighting.site.size() > max_field_bytes) {
            return "address and site must be 1 to 1024 bytes to be recorded";
        }
    }
    return std::nullopt;
}

}  // namespace

const SiteObservation* SiteRecording::find(std::string_view key) const {
    for (std::size_t i = 0; i < keys.size() && i < observations.size(); ++i) {
        if (keys[i] == key) {
            return &observations[i];
        }
    }
    return nullptr;
}

std::chrono::steady_clock::duration state_work_reserve(double timeout_seconds) {
    const auto tenth = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(std::max(0.0, timeout_seconds) / 10));
    return std::clamp<Clock::duration>(tenth, std::chrono::milliseconds(20), std::chrono::milliseconds(250));
}

SiteHistoryParse parse_site_history_text(std::string_view text) {
    SiteHistoryParse result;
    SiteHistory history;
    if (text.empty()) {
        result.history = std::move(history);
        return result;
    }
    result.bad_line = 1;
    if (!text.starts_with(header) || text.substr(header.size(), 1) != "\n") {
        return result;
    }
    text.remove_prefix(header.size() + 1);
    while (!text.empty()) {
        ++result.bad_line;
        const auto newline = text.find('\n');
        if (newline == std::string_view::npos) {
            return result;  // a cut-off last line: not something we wrote
        }
        const auto fields = split_tabs(text.substr(0, newline));
        text.remove_prefix(newline + 1);
        if (fields.size() != 4) {
            return result;
        }
        auto address = unescape(fields[0]);
        const auto first_seen = parse_time(fields[1]);
        const auto last_seen = parse_time(fields[2]);
        auto site = unescape(fields[3]);
        if (!address || address->empty() || !first_seen || !last_seen || *last_seen < *first_seen || !site ||
            site->empty()) {
            return result;
        }
        auto& stints = history[std::move(*address)];
        if (!stints.empty() && stints.back().first_seen > *first_seen) {
            return result;
        }
        stints.push_back({*first_seen, *last_seen, std::move(*site)});
    }
    result.history = std::move(history);
    result.bad_line = 0;
    return result;
}

std::optional<SiteHistory> parse_site_history(std::string_view text) {
    return parse_site_history_text(text).history;
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

SiteRecording record_sites(const std::string& path, const std::vector<SiteSighting>& sightings,
                           std::int64_t now, const SiteHistoryPolicy& policy, Clock::time_point deadline) {
    SiteRecording recording;
    for (const SiteSighting& sighting : sightings) {
        recording.keys.push_back(sighting.key);
    }
    recording.observations.resize(sightings.size());
    if ((recording.error = refuse_fields(sightings)) || sightings.empty()) {
        return recording;
    }
    const std::string lock_path = path + ".lock";
    UniqueFd lock;
    if ((recording.error = open_lock(lock_path, lock))) {
        return recording;
    }
    if ((recording.error = lock_exclusive(lock.get(), lock_path, deadline))) {
        return recording;
    }
    // The critical section: read, update, write, rename. No fsync in here.
    Loaded loaded = load_history(path, now);
    recording.notice = std::move(loaded.notice);
    if ((recording.error = std::move(loaded.error))) {
        return recording;
    }
    for (std::size_t i = 0; i < sightings.size(); ++i) {
        update(loaded.history, sightings[i].key, sightings[i].site, now, policy, recording.observations[i]);
    }
    UniqueFd written;
    recording.error = replace_history(path, loaded.history, written);
    lock.reset();  // released: the next check may go on while we flush
    if (!recording.error) {
        make_durable(std::move(written), path);
    }
    return recording;
}

SiteObservation record_site(const std::string& path, std::string_view address, std::string_view site,
                            std::int64_t now, const SiteHistoryPolicy& policy, Clock::time_point deadline) {
    SiteRecording recording =
        record_sites(path, {{std::string(address), std::string(site)}}, now, policy, deadline);
    SiteObservation observation = std::move(recording.observations.front());
    observation.error = std::move(recording.error);
    observation.history_was_corrupt = recording.notice.has_value();
    observation.notice = std::move(recording.notice);
    return observation;
}

}  // namespace anycast::sites
