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
// Polled, not blocking (see lock_until). Short, because what is waited for lasts about a millisecond.
constexpr auto lock_poll_interval = std::chrono::microseconds(500);
// Not worth starting the work under the lock with less than this before the deadline.
constexpr auto critical_section_allowance = std::chrono::milliseconds(3);
// A compaction is only started with this much of the run left: it rewrites the whole file.
constexpr auto compaction_allowance = std::chrono::milliseconds(20);
// Records that a compaction would fold away before one is worth doing, at the least (with many
// stints: as many as the stints themselves), so that the file stays within about twice its size.
constexpr std::size_t min_compaction = 64;

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

// Waits for the lock (LOCK_SH or LOCK_EX) until deadline, or until the check is told to stop.
// Polled: flock has no timeout, and a SIGALRM-based one would be global state. A shared lock only
// ever waits for a compaction or a repair, which are rare and short.
std::optional<std::string> lock_until(int fd, int operation, const std::string& path,
                                      Clock::time_point deadline) {
    while (true) {
        if (::flock(fd, operation | LOCK_NB) == 0) {
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
    std::size_t records = 0;             // record lines in the file (each run appends its own)
    bool unfinished_line = false;        // the file ends inside a line
    std::optional<std::string> error;    // unusable: leave the file alone
    std::optional<std::string> notice;   // was not valid history: set aside
    std::optional<std::string> invalid;  // why it is not history, when it was not set aside (yet)
};

// Renames a file that is not valid history out of the way, so the operator can look at it and
// every check goes on recording. Under the exclusive lock: no other check is reading it.
Loaded set_aside(const std::string& path, const std::string& why, std::int64_t now) {
    const std::string aside = path + ".corrupt-" + utc_stamp(now);
    Loaded loaded;
    if (::rename(path.c_str(), aside.c_str()) != 0) {
        loaded.error = system_error("state file " + path + " " + why + ", and cannot be set aside as", aside);
    } else {
        loaded.notice =
            "state file " + path + " " + why + "; set aside as " + aside + ", history starts afresh";
    }
    return loaded;
}

Loaded unusable(std::string error) {
    Loaded loaded;
    loaded.error = std::move(error);
    return loaded;
}

// Reads the history at path. A file that is not history is set aside when may_set_aside (the
// caller holds the exclusive lock), otherwise only said in Loaded::invalid.
Loaded load_history(const std::string& path, std::int64_t now, bool may_set_aside) {
    plugin::FileReadOptions options;
    options.max_bytes = max_file_bytes;
    options.follow_symlinks = false;
    options.owner = ::geteuid();
    plugin::FileContents contents = plugin::read_regular_file(path, options);
    std::optional<std::string> invalid;
    if (contents.error) {
        const plugin::FileReadError& error = *contents.error;
        switch (error.problem) {
            case plugin::FileProblem::missing:
                return {};
            case plugin::FileProblem::too_large:
                invalid = "is " + error.message + " (not history this check wrote)";
                break;
            case plugin::FileProblem::symlink:
            case plugin::FileProblem::not_regular:
            case plugin::FileProblem::wrong_owner:
                return unusable("state file " + path + " " + error.message +
                                ": remove it or choose another --state-file");
            case plugin::FileProblem::io:
                return unusable("cannot read state file " + path + ": " + error.message);
        }
    } else {
        SiteHistoryParse parsed = parse_site_history_text(*contents.text);
        if (parsed.history) {
            Loaded loaded;
            loaded.history = std::move(*parsed.history);
            loaded.records = parsed.records;
            loaded.unfinished_line = parsed.unfinished_line;
            return loaded;
        }
        invalid = "was not valid history (line " + std::to_string(parsed.bad_line) + ")";
    }
    if (may_set_aside) {
        return set_aside(path, *invalid, now);
    }
    Loaded loaded;
    loaded.invalid = std::move(invalid);
    return loaded;
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

// Removes the temporary file on every way out but a successful rename (or link).
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

// A temporary file beside path holding text, readable by all (the history is no secret).
std::optional<std::string> write_temp(TempFile& temp, const std::string& path, std::string_view text) {
    if (temp.fd() < 0) {
        return system_error("cannot create a temporary file for", path);
    }
    if (::fchmod(temp.fd(), 0644) != 0 || !write_all(temp.fd(), text)) {
        return system_error("cannot write state file", temp.path());
    }
    return std::nullopt;
}

// Writes the new history next to path and renames it over path; returns the new file's fd for the
// fsync that follows outside the lock. Never replaces anything but a regular file.
std::optional<std::string> replace_history(const std::string& path, const SiteHistory& history,
                                           UniqueFd& written) {
    struct stat current {};
    if (::lstat(path.c_str(), &current) == 0 && !S_ISREG(current.st_mode)) {
        return "state file " + path + " is " + plugin::file_kind(current.st_mode) + ": not replacing it";
    }
    TempFile temp(path);
    if (auto error = write_temp(temp, path, format_site_history(history))) {
        return error;
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

// The one rule for a record that follows a key's stints, whoever wrote it: the same site extends
// the last stint, another site starts one. A new stint never begins before the last one did: a
// clock stepped back, or two checks of one key at once, must not make the file unreadable.
// Returns whether a stint was added.
bool fold_record(std::vector<SiteStint>& stints, SiteStint record) {
    if (!stints.empty() && stints.back().site == record.site) {
        stints.back().last_seen = std::max(stints.back().last_seen, record.last_seen);
        return false;
    }
    if (!stints.empty()) {
        record.first_seen = std::max(record.first_seen, stints.back().first_seen);
    }
    record.last_seen = std::max(record.last_seen, record.first_seen);
    stints.push_back(std::move(record));
    return true;
}

// Drops the stints this key no longer needs: those that began before the window but the last of
// them (it tells the site the window started with), and the oldest beyond the cap. Returns how many.
std::size_t prune_stints(std::vector<SiteStint>& stints, std::int64_t now, const SiteHistoryPolicy& policy) {
    const std::int64_t window_start = now - policy.window_seconds;
    std::size_t first_kept = 0;
    for (std::size_t i = 0; i < stints.size(); ++i) {
        if (stints[i].first_seen <= window_start) {
            first_kept = i;
        }
    }
    const std::size_t cap = std::max<std::size_t>(policy.max_stints_per_address, 1);
    first_kept = std::max(first_kept, stints.size() > cap ? stints.size() - cap : 0);
    stints.erase(stints.begin(), stints.begin() + static_cast<std::ptrdiff_t>(first_kept));
    return first_kept;
}

std::size_t stint_count(const SiteHistory& history) {
    std::size_t count = 0;
    for (const auto& entry : history) {
        count += entry.second.size();
    }
    return count;
}

// Prunes every key and forgets the keys no check has seen for forget_after_seconds.
void tidy(SiteHistory& history, std::int64_t now, const SiteHistoryPolicy& policy) {
    std::erase_if(history, [&](const auto& entry) {
        return entry.second.empty() || entry.second.back().last_seen < now - policy.forget_after_seconds;
    });
    for (auto& entry : history) {
        prune_stints(entry.second, now, policy);
    }
}

// This run's sighting of one key, folded in as the file will fold the record the run appends.
// Returns whether it started a stint.
bool observe(SiteHistory& history, const SiteSighting& sighting, std::int64_t now,
             const SiteHistoryPolicy& policy, SiteObservation& observation) {
    auto& stints = history[sighting.key];
    if (!stints.empty()) {
        const SiteStint& last = stints.back();
        observation.previous_site = last.site;
        observation.previous_seen = last.last_seen;
        observation.changed = last.site != sighting.site;
    }
    const bool started = fold_record(stints, {now, now, sighting.site});
    prune_stints(stints, now, policy);
    const std::int64_t window_start = now - policy.window_seconds;
    observation.changes_in_window = static_cast<std::size_t>(std::count_if(
        stints.begin() + 1, stints.end(), [&](const auto& s) { return s.first_seen > window_start; }));
    observation.current_since = stints.back().first_seen;
    return started;
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

void append_record(std::string& text, std::string_view key, std::int64_t first_seen, std::int64_t last_seen,
                   std::string_view site) {
    escape_into(text, key);
    text += '\t';
    text += std::to_string(first_seen);
    text += '\t';
    text += std::to_string(last_seen);
    text += '\t';
    escape_into(text, site);
    text += '\n';
}

// Opens path for appending, first creating it with the header if it is missing: through a link
// from a temporary file, so that of two checks creating it at once one wins and neither writes a
// second header. Refuses anything but our own regular file that already holds the header (an empty
// file someone created, or one that changed under us, needs the exclusive path).
enum class AppendOpen { opened, needs_rewrite, failed };
AppendOpen open_for_append(const std::string& path, UniqueFd& out, std::optional<std::string>& error) {
    for (int attempt = 0; attempt < 2; ++attempt) {
        out.reset(::open(path.c_str(), O_WRONLY | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
        if (out || errno != ENOENT || attempt > 0) {
            break;
        }
        TempFile temp(path);
        std::string text(header);
        text += '\n';
        if ((error = write_temp(temp, path, text))) {
            return AppendOpen::failed;
        }
        if (::link(temp.path().c_str(), path.c_str()) != 0 && errno != EEXIST) {
            error = system_error("cannot create state file", path);
            return AppendOpen::failed;
        }
    }
    if (!out) {
        error = system_error("cannot open state file", path);
        return AppendOpen::failed;
    }
    struct stat info {};
    if (::fstat(out.get(), &info) != 0) {
        error = system_error("cannot inspect state file", path);
        return AppendOpen::failed;
    }
    if (!S_ISREG(info.st_mode) || info.st_uid != ::geteuid()) {
        error = "state file " + path + " changed while in use: not writing to it";
        return AppendOpen::failed;
    }
    return info.st_size < static_cast<off_t>(header.size() + 1) ? AppendOpen::needs_rewrite
                                                                : AppendOpen::opened;
}

// The shared path, under LOCK_SH, parallel with every other check: read the history, work out
// this run's observations, append one record per sighting in one write(2) (O_APPEND: the kernel
// never interleaves two appends). Returns needs_rewrite when the file is not history or has no
// header yet (the exclusive path repairs it), and says in compact_due when enough records have
// gathered that a compaction is worth it.
enum class Shared { done, needs_rewrite };
Shared append_run(const std::string& path, const std::vector<SiteSighting>& sightings, std::int64_t now,
                  const SiteHistoryPolicy& policy, SiteRecording& recording, bool& compact_due) {
    Loaded loaded = load_history(path, now, false);
    // An unfinished last line is an append under way, or one a crash or a full disk cut short:
    // appending after it would glue two records together. Under the exclusive lock no append is
    // under way, and the rewrite leaves the cut record out.
    if (loaded.invalid || loaded.unfinished_line) {
        return Shared::needs_rewrite;
    }
    if ((recording.error = std::move(loaded.error))) {
        return Shared::done;
    }
    std::size_t stints_after_append = stint_count(loaded.history);
    std::string records;
    for (std::size_t i = 0; i < sightings.size(); ++i) {
        stints_after_append += observe(loaded.history, sightings[i], now, policy, recording.observations[i]);
        append_record(records, sightings[i].key, now, now, sightings[i].site);
    }
    UniqueFd out;
    switch (open_for_append(path, out, recording.error)) {
        case AppendOpen::failed:
            return Shared::done;
        case AppendOpen::needs_rewrite:
            return Shared::needs_rewrite;
        case AppendOpen::opened:
            break;
    }
    if (!write_all(out.get(), records)) {
        recording.error = system_error("cannot append to state file", path);
        return Shared::done;
    }
    // What a compaction would drop: records folded into a stint, and stints or keys past the
    // window, the cap or the forget time. Worth a rewrite once that is as much as what stays.
    tidy(loaded.history, now, policy);
    const std::size_t kept = stint_count(loaded.history);
    const std::size_t records_after_append = loaded.records + sightings.size();
    compact_due = stints_after_append > kept || records_after_append - std::min(records_after_append, kept) >=
                                                    std::max(min_compaction, kept);
    return Shared::done;
}

// The exclusive path, under LOCK_EX: a file that is not history is set aside, and the history is
// written whole (temporary file, rename), as for a missing header.
void rewrite_run(const std::string& path, const std::vector<SiteSighting>& sightings, std::int64_t now,
                 const SiteHistoryPolicy& policy, SiteRecording& recording, UniqueFd& written) {
    Loaded loaded = load_history(path, now, true);
    recording.notice = std::move(loaded.notice);
    if ((recording.error = std::move(loaded.error))) {
        return;
    }
    for (std::size_t i = 0; i < sightings.size(); ++i) {
        observe(loaded.history, sightings[i], now, policy, recording.observations[i]);
    }
    tidy(loaded.history, now, policy);
    recording.error = replace_history(path, loaded.history, written);
}

// Folds the records every run appended into one line per stint and drops what the policy no
// longer needs. Only if the exclusive lock is free right now: nobody ever waits for a compaction,
// and a check that finds the lock taken leaves it to a later run.
void try_compact(int lock_fd, const std::string& path, std::int64_t now, const SiteHistoryPolicy& policy,
                 Clock::time_point deadline) {
    if (Clock::now() + compaction_allowance >= deadline || ::flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
        return;
    }
    Loaded loaded = load_history(path, now, false);
    UniqueFd written;
    if (!loaded.invalid && !loaded.error) {
        tidy(loaded.history, now, policy);
        if (replace_history(path, loaded.history, written)) {
            written.reset();
        }
    }
    ::flock(lock_fd, LOCK_UN);
    if (written) {
        make_durable(std::move(written), path);
    }
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
    // A last line without its newline is another check's append still under way (a reader may see
    // part of it): it is left for the next reader, not taken for corruption.
    while (text.find('\n') != std::string_view::npos) {
        ++result.bad_line;
        const auto newline = text.find('\n');
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
        fold_record(history[std::move(*address)], {*first_seen, *last_seen, std::move(*site)});
        ++result.records;
    }
    result.unfinished_line = !text.empty();
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
            append_record(text, address, stint.first_seen, stint.last_seen, stint.site);
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
    if ((recording.error = open_lock(lock_path, lock)) ||
        (recording.error = lock_until(lock.get(), LOCK_SH, lock_path, deadline))) {
        return recording;
    }
    bool compact_due = false;
    if (append_run(path, sightings, now, policy, recording, compact_due) == Shared::done) {
        if (compact_due && !recording.error) {
            try_compact(lock.get(), path, now, policy, deadline);  // gives up the shared lock first
        }
        return recording;
    }
    // Not history, or no header yet: repair it under the exclusive lock, starting afresh.
    recording.observations.assign(sightings.size(), SiteObservation{});
    ::flock(lock.get(), LOCK_UN);
    if ((recording.error = lock_until(lock.get(), LOCK_EX, lock_path, deadline))) {
        return recording;
    }
    UniqueFd written;
    rewrite_run(path, sightings, now, policy, recording, written);
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
