#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <csignal>
#include <thread>
#include <vector>

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "plugin/signals.hpp"
#include "sites/site_history.hpp"

using anycast::sites::format_site_history;
using anycast::sites::parse_site_history;
using anycast::sites::record_site;
using anycast::sites::record_sites;
using anycast::sites::SiteHistory;
using anycast::sites::SiteHistoryPolicy;
using anycast::sites::SiteObservation;
using anycast::sites::SiteSighting;
using anycast::sites::SiteStint;

namespace {

struct TempDir {
    std::string path;
    TempDir() {
        std::string pattern = "/tmp/unit_sites_XXXXXX";
        BOOST_REQUIRE(mkdtemp(pattern.data()) != nullptr);
        path = pattern;
    }
    ~TempDir() { std::filesystem::remove_all(path); }
    std::string state() const { return path + "/site-history"; }
};

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

void write_file(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

auto soon() {
    return std::chrono::steady_clock::now() + std::chrono::seconds(5);
}

SiteObservation record(const std::string& path, const std::string& address, const std::string& site,
                       std::int64_t now, std::int64_t window = 3600) {
    SiteHistoryPolicy policy;
    policy.window_seconds = window;
    return record_site(path, address, site, now, policy, soon());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(site_history)

BOOST_AUTO_TEST_CASE(format_round_trips_untrusted_text) {
    SiteHistory history;
    history["192.0.2.53"] = {{100, 200, "ams1"}, {300, 300, "iad1"}};
    history["evil\taddress\nwith\\stuff\x01"] = {{1, 2, "site\r\x7f"}};
    const std::string text = format_site_history(history);
    BOOST_TEST(text.starts_with("# anycast-checks site history v1\n"));
    BOOST_TEST(text.find("evil\\taddress\\nwith\\\\stuff\\x01\t1\t2\tsite\\r\\x7f\n") != std::string::npos,
               text);
    const auto parsed = parse_site_history(text);
    BOOST_REQUIRE(parsed);
    BOOST_TEST((*parsed == history));
    BOOST_TEST(parse_site_history("")->empty());
}

BOOST_AUTO_TEST_CASE(corrupt_texts_are_refused) {
    const std::string h = "# anycast-checks site history v1\n";
    const std::string bad[] = {
        "garbage\n",
        h + "192.0.2.1\t1\t2\n",  // missing field
        h + "192.0.2.1\t1\t2\tams1\textra\n",
        h + "192.0.2.1\tx\t2\tams1\n",
        h + "192.0.2.1\t3\t2\tams1\n",     // last seen before first seen
        h + "192.0.2.1\t1\t2\tam\\qs1\n",  // unknown escape
        h + "192.0.2.1\t1\t2\tams\\x4\n",
        h + "\t1\t2\tams1\n",
        h + "192.0.2.1\t1\t2\t\n",
    };
    for (const auto& text : bad) {
        BOOST_TEST_CONTEXT(text) {
            BOOST_TEST(!parse_site_history(text));
        }
    }
}

// Runs append their records in whatever order they finish: reading folds them per key, and a
// last line still being written is left for the next reader.
BOOST_AUTO_TEST_CASE(appended_records_fold_and_an_unfinished_line_waits) {
    const std::string h = "# anycast-checks site history v1\n";
    const auto parsed = anycast::sites::parse_site_history_text(
        h + "k\t1\t1\tams1\nother\t2\t2\tx1\nk\t3\t3\tams1\nk\t4\t4\tiad1\nk\t5\t5\tia");
    BOOST_REQUIRE(parsed.history);
    BOOST_TEST(parsed.records == 4U);
    BOOST_TEST((parsed.history->at("k") == std::vector<SiteStint>{{1, 3, "ams1"}, {4, 4, "iad1"}}));
    BOOST_TEST((parsed.history->at("other") == std::vector<SiteStint>{{2, 2, "x1"}}));
    // A record older than the stint before it (a clock stepped back, two checks of one key at once)
    // starts its stint no earlier than that one: the file stays readable and ordered.
    const auto stepped = parse_site_history(h + "k\t5\t6\tams1\nk\t1\t2\tiad1\n");
    BOOST_REQUIRE(stepped);
    BOOST_TEST((stepped->at("k") == std::vector<SiteStint>{{5, 6, "ams1"}, {5, 5, "iad1"}}));
}

// Every run appends; once the records a rewrite would fold away outnumber what stays (at least
// 64), one run compacts the file back to a line per stint.
BOOST_AUTO_TEST_CASE(the_file_is_compacted_as_records_gather) {
    TempDir dir;
    const auto path = dir.state();
    std::size_t longest = 0;
    for (int i = 0; i < 300; ++i) {
        BOOST_REQUIRE(!record(path, "192.0.2.53", "ams1", 1000 + i).error);
        const std::string text = read_file(path);
        longest = std::max<std::size_t>(longest,
                                        static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')));
    }
    BOOST_TEST(longest <= 1U + 65U);  // the header and at most 65 records of one stint
    const auto history = parse_site_history(read_file(path));
    BOOST_REQUIRE(history);
    BOOST_TEST((history->at("192.0.2.53") == std::vector<SiteStint>{{1000, 1299, "ams1"}}));
}

// A run never waits for another run: they share the lock. Only a repair or a compaction, which
// take it exclusively, hold runs up.
BOOST_AUTO_TEST_CASE(runs_share_the_lock) {
    TempDir dir;
    const auto path = dir.state();
    BOOST_REQUIRE(!record(path, "192.0.2.53", "ams1", 1000).error);
    const int holder = ::open((path + ".lock").c_str(), O_RDWR | O_CLOEXEC);
    BOOST_REQUIRE(holder >= 0);
    BOOST_REQUIRE(::flock(holder, LOCK_SH) == 0);  // another run, in the middle of its append
    const auto observation = record_site(path, "192.0.2.53", "iad1", 1060, SiteHistoryPolicy{},
                                         std::chrono::steady_clock::now() + std::chrono::milliseconds(100));
    ::close(holder);
    BOOST_TEST(!observation.error);
    BOOST_TEST(observation.changed);
    BOOST_TEST(parse_site_history(read_file(path))->at("192.0.2.53").size() == 2U);
}

// A record a crash cut short is not glued to the next run's: that run repairs the file first.
BOOST_AUTO_TEST_CASE(a_cut_record_is_dropped_not_glued) {
    TempDir dir;
    const auto path = dir.state();
    write_file(path, "# anycast-checks site history v1\n192.0.2.1\t1\t1\tams1\n192.0.2.2\t2\t2\tlh");
    const auto observation = record(path, "192.0.2.3", "iad1", 1000);
    BOOST_TEST(!observation.error);
    BOOST_TEST(!observation.notice);  // nothing the operator must act on: one record was lost
    const std::string text = read_file(path);
    BOOST_TEST(text.ends_with("\n"));
    const auto history = parse_site_history(text);
    BOOST_REQUIRE(history);
    BOOST_TEST(history->size() == 2U);
    BOOST_TEST(history->count("192.0.2.2") == 0U);
}

// An empty file someone created for us (touch, to set its owner) gets the header before any record.
BOOST_AUTO_TEST_CASE(an_empty_file_gets_its_header) {
    TempDir dir;
    const auto path = dir.state();
    write_file(path, "");
    BOOST_TEST(!record(path, "192.0.2.53", "ams1", 1000).error);
    BOOST_TEST(!record(path, "192.0.2.54", "ams1", 1000).error);
    BOOST_TEST(read_file(path).starts_with("# anycast-checks site history v1\n"));
    BOOST_TEST(parse_site_history(read_file(path))->size() == 2U);
}

BOOST_AUTO_TEST_CASE(detects_changes_between_runs) {
    TempDir dir;
    const auto path = dir.state();
    auto first = record(path, "192.0.2.53", "ams1", 1000);
    BOOST_TEST(!first.error);
    BOOST_TEST(!first.previous_site);
    BOOST_TEST(!first.changed);
    BOOST_TEST(first.changes_in_window == 0U);

    auto same = record(path, "192.0.2.53", "ams1", 1060);
    BOOST_TEST(same.previous_site.value_or("") == "ams1");
    BOOST_TEST(same.previous_seen == 1000);
    BOOST_TEST(!same.changed);
    BOOST_TEST(same.changes_in_window == 0U);

    auto moved = record(path, "192.0.2.53", "iad1", 1120);
    BOOST_TEST(moved.previous_site.value_or("") == "ams1");
    BOOST_TEST(moved.previous_seen == 1060);
    BOOST_TEST(moved.changed);
    BOOST_TEST(moved.changes_in_window == 1U);

    // Another address in the same file does not disturb the first.
    BOOST_TEST(!record(path, "2001:db8::53", "lhr1", 1130).previous_site);
    auto back = record(path, "192.0.2.53", "ams1", 1180);
    BOOST_TEST(back.previous_site.value_or("") == "iad1");
    BOOST_TEST(back.changes_in_window == 2U);

    const auto history = parse_site_history(read_file(path));
    BOOST_REQUIRE(history);
    BOOST_TEST(history->size() == 2U);
    BOOST_TEST((history->at("192.0.2.53") ==
                std::vector<SiteStint>{{1000, 1060, "ams1"}, {1120, 1120, "iad1"}, {1180, 1180, "ams1"}}));
}

BOOST_AUTO_TEST_CASE(counts_only_changes_within_the_window) {
    TempDir dir;
    const auto path = dir.state();
    const std::int64_t window = 600;
    // A change every 100 s: a, b, a, b, ...
    std::int64_t now = 10000;
    for (int i = 0; i < 20; ++i, now += 100) {
        record(path, "192.0.2.53", i % 2 == 0 ? "a1" : "b1", now, window);
    }
    auto observation = record(path, "192.0.2.53", "c1", now, window);
    // Changes at now-500 ... now: 6 changes strictly inside (now - 600, now].
    BOOST_TEST(observation.changes_in_window == 6U);
    // Quiet for longer than the window: no changes counted, the last site is remembered.
    auto quiet = record(path, "192.0.2.53", "c1", now + 5000, window);
    BOOST_TEST(quiet.changes_in_window == 0U);
    BOOST_TEST(quiet.previous_site.value_or("") == "c1");
    // The file stays bounded: the anchor stint only.
    const auto history = parse_site_history(read_file(path));
    BOOST_REQUIRE(history);
    BOOST_TEST(history->at("192.0.2.53").size() == 1U);
}

BOOST_AUTO_TEST_CASE(bounded_per_address_and_forgets_old_addresses) {
    TempDir dir;
    const auto path = dir.state();
    SiteHistoryPolicy policy;
    policy.window_seconds = 1000000;
    policy.max_stints_per_address = 5;
    policy.forget_after_seconds = 1000;
    record_site(path, "198.51.100.1", "old1", 100, policy, soon());
    for (int i = 0; i < 50; ++i) {
        record_site(path, "192.0.2.53", i % 2 == 0 ? "a1" : "b1", 200 + i, policy, soon());
    }
    auto observation = record_site(path, "192.0.2.53", "c1", 2000, policy, soon());
    BOOST_TEST(observation.changes_in_window == 4U);
    const auto history = parse_site_history(read_file(path));
    BOOST_REQUIRE(history);
    BOOST_TEST(history->at("192.0.2.53").size() == 5U);
    BOOST_TEST(history->count("198.51.100.1") == 0U);  // last seen at 100, forgotten after 1100
}

BOOST_AUTO_TEST_CASE(corrupt_file_is_set_aside_and_said) {
    TempDir dir;
    const auto path = dir.state();
    const std::string garbage("this is not history\n\x00\xff", 22);
    write_file(path, garbage);
    auto observation = record(path, "192.0.2.53", "ams1", 1764615600);  // 2025-12-01 19:00:00 UTC
    BOOST_TEST(observation.history_was_corrupt);
    BOOST_TEST(!observation.error);
    BOOST_TEST(!observation.previous_site);
    // Kept for the operator, under a name the notice gives; nothing else was lost silently.
    const std::string aside = path + ".corrupt-20251201T190000Z";
    BOOST_TEST(read_file(aside) == garbage);
    BOOST_REQUIRE(observation.notice);
    BOOST_TEST(*observation.notice == "state file " + path +
                                          " was not valid history (line 1); set aside as " + aside +
                                          ", history starts afresh");
    // Repaired: the next run reads it fine.
    auto next = record(path, "192.0.2.53", "ams1", 1764615660);
    BOOST_TEST(!next.history_was_corrupt);
    BOOST_TEST(next.previous_site.value_or("") == "ams1");
}

BOOST_AUTO_TEST_CASE(unwritable_places_are_errors_not_crashes) {
    TempDir dir;
    write_file(dir.path + "/plain-file", "x");
    const auto under_file = record(dir.path + "/plain-file/state", "192.0.2.53", "ams1", 1000);
    BOOST_REQUIRE(under_file.error);
    BOOST_TEST(under_file.error->find(dir.path + "/plain-file/state.lock") != std::string::npos,
               *under_file.error);
    BOOST_TEST(under_file.error->find("Not a directory") != std::string::npos, *under_file.error);

    // The state path is a directory: it can be locked but not read.
    std::filesystem::create_directory(dir.path + "/state-dir");
    const auto is_dir = record(dir.path + "/state-dir", "192.0.2.53", "ams1", 1000);
    BOOST_REQUIRE(is_dir.error);
    BOOST_TEST(is_dir.error->find("is a directory, not a regular file") != std::string::npos, *is_dir.error);

    const auto too_long = record(dir.state(), std::string(2000, 'a'), "ams1", 1000);
    BOOST_TEST(too_long.error.has_value());
}

BOOST_AUTO_TEST_CASE(lock_wait_is_bounded) {
    TempDir dir;
    const auto path = dir.state();
    const int holder = ::open((path + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    BOOST_REQUIRE(holder >= 0);
    BOOST_REQUIRE(::flock(holder, LOCK_EX) == 0);
    const auto started = std::chrono::steady_clock::now();
    const auto observation = record_site(path, "192.0.2.53", "ams1", 1000, SiteHistoryPolicy{},
                                         started + std::chrono::milliseconds(200));
    const auto waited = std::chrono::steady_clock::now() - started;
    ::close(holder);
    BOOST_REQUIRE(observation.error);
    BOOST_TEST(*observation.error == "timed out waiting for the lock on " + path + ".lock");
    // It gives up a few milliseconds early: a critical section needs some time before the deadline.
    BOOST_TEST(waited >= std::chrono::milliseconds(190));
    BOOST_TEST(waited < std::chrono::seconds(2));
    BOOST_TEST(!std::filesystem::exists(path));
}

BOOST_AUTO_TEST_CASE(concurrent_processes_lose_no_entry) {
    TempDir dir;
    const auto path = dir.state();
    constexpr int per_process = 40;
    const pid_t child = ::fork();
    BOOST_REQUIRE(child >= 0);
    const char* prefix = child == 0 ? "child-" : "parent-";
    int failures = 0;
    for (int i = 0; i < per_process; ++i) {
        SiteHistoryPolicy policy;
        const auto observation = record_site(path, prefix + std::to_string(i), "ams1", 1000 + i, policy,
                                             std::chrono::steady_clock::now() + std::chrono::seconds(10));
        failures += observation.error || observation.history_was_corrupt ? 1 : 0;
    }
    if (child == 0) {
        ::_exit(failures == 0 ? 0 : 1);  // no Boost.Test bookkeeping in the child
    }
    int status = 0;
    BOOST_REQUIRE(::waitpid(child, &status, 0) == child);
    BOOST_TEST(WIFEXITED(status));
    BOOST_TEST(WEXITSTATUS(status) == 0);
    BOOST_TEST(failures == 0);
    const auto history = parse_site_history(read_file(path));
    BOOST_REQUIRE(history);
    BOOST_TEST(history->size() == 2U * per_process);
    // No temporary files left behind.
    int files = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path)) {
        ++files;
    }
    BOOST_TEST(files == 2);  // the state and its lock file
}

// What lies at PATH when it is not our regular file is refused and left exactly as it was.
BOOST_AUTO_TEST_CASE(non_regular_state_paths_are_refused_and_left_alone) {
    TempDir dir;
    const std::string fifo = dir.path + "/fifo";
    BOOST_REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    const auto started = std::chrono::steady_clock::now();
    const auto on_fifo = record(fifo, "192.0.2.53", "ams1", 1000);
    BOOST_TEST((std::chrono::steady_clock::now() - started < std::chrono::seconds(1)));  // no hang
    BOOST_REQUIRE(on_fifo.error);
    BOOST_TEST(*on_fifo.error ==
               "state file " + fifo +
                   " is a FIFO, not a regular file: remove it or choose another --state-file");
    BOOST_TEST(std::filesystem::is_fifo(fifo));

    // A link to /dev/null (or anything) is not followed, and not replaced.
    const std::string link = dir.path + "/link";
    std::filesystem::create_symlink("/dev/null", link);
    const auto on_link = record(link, "192.0.2.53", "ams1", 1000);
    BOOST_REQUIRE(on_link.error);
    BOOST_TEST(on_link.error->find("is a symbolic link") != std::string::npos, *on_link.error);
    BOOST_TEST(std::filesystem::is_symlink(link));
    BOOST_TEST(std::filesystem::is_character_file("/dev/null"));

    // A device node (root can make one): not replaced by a regular file.
    const std::string device = dir.path + "/null";
    if (::mknod(device.c_str(), S_IFCHR | 0666, makedev(1, 3)) == 0) {
        const auto on_device = record(device, "192.0.2.53", "ams1", 1000);
        BOOST_REQUIRE(on_device.error);
        BOOST_TEST(on_device.error->find("is a character device") != std::string::npos, *on_device.error);
        BOOST_TEST(std::filesystem::is_character_file(device));
    }
}

BOOST_AUTO_TEST_CASE(a_dangling_lock_link_does_not_create_its_target) {
    TempDir dir;
    const auto path = dir.state();
    const std::string target = dir.path + "/created-by-the-check";
    std::filesystem::create_symlink(target, path + ".lock");
    const auto observation = record(path, "192.0.2.53", "ams1", 1000);
    BOOST_REQUIRE(observation.error);
    BOOST_TEST(*observation.error == "lock file " + path + ".lock is a symbolic link: remove it");
    BOOST_TEST(!std::filesystem::exists(target));
    BOOST_TEST(!std::filesystem::exists(path));
}

BOOST_AUTO_TEST_CASE(files_of_another_user_are_refused) {
    if (::geteuid() != 0) {
        BOOST_TEST_MESSAGE("not root: cannot chown, skipped");
        return;
    }
    TempDir dir;
    const auto path = dir.state();
    write_file(path, "# anycast-checks site history v1\n192.0.2.53\t1\t2\tams1\n");
    BOOST_REQUIRE(::chown(path.c_str(), 65534, 65534) == 0);
    const auto observation = record(path, "192.0.2.53", "ams1", 1000);
    BOOST_REQUIRE(observation.error);
    BOOST_TEST(observation.error->find("is owned by uid 65534") != std::string::npos, *observation.error);
    BOOST_TEST(read_file(path) == "# anycast-checks site history v1\n192.0.2.53\t1\t2\tams1\n");

    TempDir other;
    write_file(other.state() + ".lock", "");
    BOOST_REQUIRE(::chown((other.state() + ".lock").c_str(), 65534, 65534) == 0);
    const auto on_lock = record(other.state(), "192.0.2.53", "ams1", 1000);
    BOOST_REQUIRE(on_lock.error);
    BOOST_TEST(on_lock.error->find("is owned by uid 65534") != std::string::npos, *on_lock.error);
}

BOOST_AUTO_TEST_CASE(an_oversized_file_is_set_aside_not_read) {
    TempDir dir;
    const auto path = dir.state();
    { std::ofstream(path) << "# anycast-checks site history v1\n"; }
    std::filesystem::resize_file(path, 17 * 1024 * 1024);  // sparse
    const auto observation = record(path, "192.0.2.53", "ams1", 1764615600);
    BOOST_TEST(!observation.error);
    BOOST_REQUIRE(observation.notice);
    BOOST_TEST(observation.notice->find("is larger than 16 MiB") != std::string::npos, *observation.notice);
    BOOST_TEST(std::filesystem::file_size(path + ".corrupt-20251201T190000Z") == 17U * 1024 * 1024);
    BOOST_TEST(parse_site_history(read_file(path))->size() == 1U);
}

BOOST_AUTO_TEST_CASE(one_run_records_every_key_in_one_go) {
    TempDir dir;
    const auto path = dir.state();
    std::vector<SiteSighting> sightings;
    for (int i = 0; i < 500; ++i) {
        sightings.push_back({"192.0.2." + std::to_string(i % 250) + (i < 250 ? "" : "#5353"), "ams1"});
    }
    const auto first = record_sites(path, sightings, 1000, SiteHistoryPolicy{}, soon());
    BOOST_TEST(!first.error);
    BOOST_TEST(first.observations.size() == 500U);
    sightings[260].site = "iad1";
    const auto second = record_sites(path, sightings, 1060, SiteHistoryPolicy{}, soon());
    BOOST_REQUIRE(second.find("192.0.2.10#5353"));
    BOOST_TEST(second.find("192.0.2.10#5353")->changed);
    BOOST_TEST(!second.find("192.0.2.10")->changed);  // same IP, other port: its own history
    BOOST_TEST(second.find("192.0.2.11#5353")->previous_site.value_or("") == "ams1");
    BOOST_TEST(parse_site_history(read_file(path))->size() == 500U);
}

// check_anycast_site's --behind-* ages come from current_since, in the same one call.
BOOST_AUTO_TEST_CASE(current_since_is_when_the_current_stint_began) {
    TempDir dir;
    const auto path = dir.state();
    const auto at = [&](std::int64_t now, const char* value) {
        return record_sites(path, {{"serial-lag ams1", value}}, now, SiteHistoryPolicy{}, soon())
            .find("serial-lag ams1")
            ->current_since;
    };
    BOOST_TEST(at(1000, "current") == 1000);
    BOOST_TEST(at(1060, "behind") == 1060);
    BOOST_TEST(at(1120, "behind") == 1060);
    BOOST_TEST(at(1180, "current") == 1180);
}

// After SIGTERM (simulated in a child: the flag is process-wide) nothing is waited for and no
// temporary file is left.
BOOST_AUTO_TEST_CASE(a_termination_request_stops_the_lock_wait) {
    TempDir dir;
    const auto path = dir.state();
    const int holder = ::open((path + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    BOOST_REQUIRE(holder >= 0);
    BOOST_REQUIRE(::flock(holder, LOCK_EX) == 0);
    const pid_t child = ::fork();
    BOOST_REQUIRE(child >= 0);
    if (child == 0) {
        anycast::plugin::install_termination_handlers();
        ::kill(::getpid(), SIGTERM);
        const auto started = std::chrono::steady_clock::now();
        const auto observation = record_site(path, "192.0.2.53", "ams1", 1000, SiteHistoryPolicy{},
                                             started + std::chrono::seconds(5));
        const bool quick = std::chrono::steady_clock::now() - started < std::chrono::seconds(1);
        ::_exit(observation.error == std::optional<std::string>("not recorded: the check was told to stop") &&
                        quick
                    ? 0
                    : 1);
    }
    int status = 0;
    BOOST_REQUIRE(::waitpid(child, &status, 0) == child);
    ::close(holder);
    BOOST_TEST(WIFEXITED(status));
    BOOST_TEST(WEXITSTATUS(status) == 0);
    int files = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path)) {
        ++files;
    }
    BOOST_TEST(files == 1);  // the lock file only
}

// The README's setup: many checks, one file, all at the same moment.
BOOST_AUTO_TEST_CASE(fifty_concurrent_processes_all_get_recorded) {
    TempDir dir;
    const auto path = dir.state();
    constexpr int writers = 50;
    std::vector<pid_t> children;
    const auto start_at = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
    for (int i = 0; i < writers; ++i) {
        const pid_t child = ::fork();
        BOOST_REQUIRE(child >= 0);
        if (child == 0) {
            std::this_thread::sleep_until(start_at);
            const auto observation = record_site(path, "192.0.2." + std::to_string(i), "ams1", 1000,
                                                 SiteHistoryPolicy{}, start_at + std::chrono::seconds(5));
            ::_exit(observation.error ? 1 : 0);
        }
        children.push_back(child);
    }
    int failed = 0;
    for (const pid_t child : children) {
        int status = 0;
        BOOST_REQUIRE(::waitpid(child, &status, 0) == child);
        failed += WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
    }
    BOOST_TEST(failed == 0);
    BOOST_TEST(parse_site_history(read_file(path))->size() == static_cast<std::size_t>(writers));
}

BOOST_AUTO_TEST_CASE(parse_errors_name_the_line) {
    const std::string h = "# anycast-checks site history v1\n";
    BOOST_TEST(anycast::sites::parse_site_history_text("nonsense\n").bad_line == 1U);
    BOOST_TEST(anycast::sites::parse_site_history_text(h + "a\t1\t2\tb\nc\t1\n").bad_line == 3U);
    BOOST_TEST(anycast::sites::parse_site_history_text(h + "a\t1\t2\tb\n").bad_line == 0U);
}

BOOST_AUTO_TEST_CASE(the_reserve_is_a_tenth_within_bounds) {
    using std::chrono::milliseconds;
    BOOST_TEST((anycast::sites::state_work_reserve(0.1) == milliseconds(20)));
    BOOST_TEST((anycast::sites::state_work_reserve(1) == milliseconds(100)));
    BOOST_TEST((anycast::sites::state_work_reserve(10) == milliseconds(250)));
}

BOOST_AUTO_TEST_SUITE_END()
