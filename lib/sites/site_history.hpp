#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace anycast::sites {

// Which site each anycast address answered from, across runs, so that check_anycast_site can say
// "site changed since last run (ams1 -> iad1)" and count changes within --flap-window.
//
// The state file holds one line per stint (a stretch of runs that saw the same site):
//     # anycast-checks site history v1
//     ADDRESS<TAB>FIRST_SEEN<TAB>LAST_SEEN<TAB>SITE
// times in Unix seconds, lines grouped by address and ordered by FIRST_SEEN. ADDRESS and SITE are
// untrusted text: '\', tab, CR, LF and other control bytes are written as \\ \t \r \n \xHH.
// Several checks (e.g. one Icinga service per address) may share one file: every update holds an
// exclusive flock on PATH.lock (created if missing, never removed) for the read-modify-write and
// replaces the file atomically (temporary file in the same directory, fsync, rename).

struct SiteStint {
    std::int64_t first_seen = 0;
    std::int64_t last_seen = 0;
    std::string site;

    friend bool operator==(const SiteStint&, const SiteStint&) = default;
};

// Address -> its stints, oldest first.
using SiteHistory = std::map<std::string, std::vector<SiteStint>>;

struct SiteHistoryPolicy {
    // Changes that started longer ago than this are dropped (the stint before the window is kept,
    // as it tells the site at the window's start). Use the largest --flap-window in use.
    std::int64_t window_seconds = 3600;
    // Hard bound per address whatever the window; when it bites, the oldest change in the window
    // may go uncounted.
    std::size_t max_stints_per_address = 64;
    // Addresses not seen for this long (any check sharing the file) are removed.
    std::int64_t forget_after_seconds = 30 * 24 * 3600;
};

struct SiteObservation {
    std::optional<std::string> previous_site;  // site seen on the previous run, if any
    std::int64_t previous_seen = 0;            // when (Unix seconds), if previous_site is set
    bool changed = false;                      // previous_site is set and differs from this run's
    std::size_t changes_in_window = 0;         // site changes within the window, this one included
    bool history_was_corrupt = false;          // the file was not valid history: started afresh
    // Set when the state could not be locked (deadline passed), read or saved; the fields above
    // then hold whatever was learnt before the failure. The check decides: UNKNOWN, or go on
    // without history (--state-optional).
    std::optional<std::string> error;
};

// Records that address answered from site at time now (Unix seconds) in the state file at path
// and reports what changed. Waits for the lock no later than deadline. Never throws for I/O or
// lock problems (see SiteObservation::error); address and site longer than 1024 bytes are refused
// the same way.
SiteObservation record_site(const std::string& path, std::string_view address, std::string_view site,
                            std::int64_t now, const SiteHistoryPolicy& policy,
                            std::chrono::steady_clock::time_point deadline);

// The file format on its own (used by record_site; exposed for tests and tools).
// parse_site_history returns nullopt for text that is not valid history; "" is an empty history.
std::optional<SiteHistory> parse_site_history(std::string_view text);
std::string format_site_history(const SiteHistory& history);

}  // namespace anycast::sites
