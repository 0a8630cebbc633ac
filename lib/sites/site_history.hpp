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
// The state file holds records of stints (a stretch of runs that saw the same site):
//     # anycast-checks site history v1
//     KEY<TAB>FIRST_SEEN<TAB>LAST_SEEN<TAB>SITE
// times in Unix seconds; a compacted file has one line per stint, grouped by key and ordered by
// FIRST_SEEN, and runs append theirs after it (see below). KEY is the address as
// Endpoint::display() writes it ("192.0.2.53", "192.0.2.53#5353": the port is part of it, so two
// services on one IP do not share a history). KEY and SITE are untrusted text: '\', tab, CR, LF
// and other control bytes are written as \\ \t \r \n \xHH.
//
// Several checks (e.g. one Icinga service per address, 50 of them) share one file, and none waits
// for another's work. A run takes a shared flock on PATH.lock (opened with O_NOFOLLOW, created if
// missing, never removed), reads the history, and appends one record per sighting (KEY, now, now,
// SITE) in a single write(2) with O_APPEND, so concurrent runs append side by side. Reading folds
// the records of a key in file order: the same site as the last stint extends it, another site
// starts a stint. A last line without its newline is an append still under way (or one a crash
// cut short) and is left out; a run that finds one repairs the file under the exclusive lock
// instead of appending after it.
//
// The exclusive lock is taken only to repair (a file that is not history is set aside and the
// history written whole) and to compact: once the records a rewrite would fold or drop (window,
// cap, forgotten keys) are as many as the stints that stay (at least 64), the run that notices
// rewrites the file (temporary file, rename, fsync after the lock is released), but only if the
// exclusive lock is free at that moment; nobody ever waits for a compaction. A missing file is
// created with its header through link(2) from a temporary file, so two first runs do not both
// write one. Every lock wait is bounded by the run's deadline, and the check keeps time for it
// (state_work_reserve). Appends are not fsync'ed: a crash may lose the last runs' records, never
// the file.
//
// Only a regular file owned by the check's uid is read, replaced or set aside: a FIFO, device,
// directory or symbolic link at PATH (or PATH.lock) is refused and left alone. A file that is not
// valid history (corrupt, cut off, larger than the cap) is renamed to PATH.corrupt-YYYYmmddTHHMMSSZ
// and the history starts afresh; SiteRecording::notice says so.

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
    std::int64_t current_since = 0;            // first seen of this run's site, in its current stint
    // Filled only by record_site (one key); record_sites reports them once, in SiteRecording.
    bool history_was_corrupt = false;   // the file was not valid history: set aside, started afresh
    std::optional<std::string> error;   // see SiteRecording::error
    std::optional<std::string> notice;  // see SiteRecording::notice
};

// What one check saw at one key.
struct SiteSighting {
    std::string key;   // Endpoint::display(): address, and "#PORT" unless 53
    std::string site;  // site code
};

struct SiteRecording {
    // One per sighting, in order. Valid when error is unset; with an error, whatever was learnt
    // before it (previous sites are known if the file could be read).
    std::vector<SiteObservation> observations;
    std::vector<std::string> keys;  // the sightings' keys, same order, for find
    // The history could not be used or saved this run (lock not had by the deadline, not a regular
    // file, another owner, I/O error, terminated): "timed out waiting for the lock on PATH.lock".
    // The check reports it beside its verdict (UNKNOWN, or a note with --state-optional).
    std::optional<std::string> error;
    // Something the operator should hear although the run was recorded: "state file PATH was not
    // valid history (line 3); set aside as PATH.corrupt-20261201T190000Z, history starts afresh".
    std::optional<std::string> notice;

    // The observation for key, nullptr if it was not among the sightings.
    const SiteObservation* find(std::string_view key) const;
};

// Records every sighting of one run in the state file at path, at time now (Unix seconds), in one
// append, and reports what changed per key. Waits for the lock no later than deadline
// (and not at all once plugin::termination_requested()). Never throws for the file's sake; keys and
// sites longer than 1024 bytes are refused as an error. A key given twice counts once (the last).
SiteRecording record_sites(const std::string& path, const std::vector<SiteSighting>& sightings,
                           std::int64_t now, const SiteHistoryPolicy& policy,
                           std::chrono::steady_clock::time_point deadline);

// record_sites for one key; error and notice in the observation.
SiteObservation record_site(const std::string& path, std::string_view address, std::string_view site,
                            std::int64_t now, const SiteHistoryPolicy& policy,
                            std::chrono::steady_clock::time_point deadline);

// How much of a run to keep for the state work, so that it happens before --timeout even when an
// address stays silent until the end: a tenth of the timeout, at least 20 ms, at most 250 ms.
// check_anycast_site stops waiting for answers this much earlier when --state-file is given.
std::chrono::steady_clock::duration state_work_reserve(double timeout_seconds);

// The file format on its own (used by record_sites; exposed for tests and tools).
// parse_site_history returns nullopt for text that is not valid history; "" is an empty history.
std::optional<SiteHistory> parse_site_history(std::string_view text);
// The same, saying which line is wrong (1 = the header) when it is not valid.
struct SiteHistoryParse {
    std::optional<SiteHistory> history;
    std::size_t bad_line = 0;
    std::size_t records = 0;       // record lines read (several may fold into one stint)
    bool unfinished_line = false;  // the text ends inside a line, which was left out
};
SiteHistoryParse parse_site_history_text(std::string_view text);
std::string format_site_history(const SiteHistory& history);

}  // namespace anycast::sites
