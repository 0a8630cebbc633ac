// check_anycast_site's state file is read back on every run and may have been cut off, corrupted
// or written by someone else. parse_site_history_text must accept exactly what format_site_history
// writes (the round trip is the identity) and name a line for anything else; record_sites on such a
// file must neither crash nor fail: a file that is not history is set aside and replaced.
//
// Input: a mode byte, then the file's text. Mode bit 0: also run record_sites on it (a real file
// in a temporary directory, two keys, one already in the file if the file held any).
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "fuzz_invariants.hpp"
#include "sites/site_history.hpp"

using anycast::fuzz::require;
namespace sites = anycast::sites;

namespace {

// One directory for the whole run, removed when the run ends (libFuzzer leaves through exit(), so
// static destructors run): every smoke test used to leave one behind in /tmp.
class WorkDir {
public:
    WorkDir() : path_("/tmp/fuzz_state_file.XXXXXX") { require(::mkdtemp(path_.data()) != nullptr); }
    WorkDir(const WorkDir&) = delete;
    WorkDir& operator=(const WorkDir&) = delete;
    ~WorkDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

const std::string& work_dir() {
    static const WorkDir dir;
    return dir.path();
}

void run_record(std::string_view text, const std::optional<sites::SiteHistory>& parsed) {
    const std::string dir = work_dir();
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        std::filesystem::remove(entry.path());
    }
    const std::string path = dir + "/state";
    std::ofstream(path, std::ios::binary).write(text.data(), static_cast<std::streamsize>(text.size()));
    std::vector<sites::SiteSighting> sightings = {{"192.0.2.53", "ams1"}};
    if (parsed && !parsed->empty() && parsed->begin()->first.size() <= 1024) {
        sightings.push_back({parsed->begin()->first, "zz9"});
    }
    sites::SiteHistoryPolicy policy;
    const auto recording = sites::record_sites(path, sightings, 2000000000, policy,
                                               std::chrono::steady_clock::now() + std::chrono::seconds(5));
    require(!recording.error);                         // our own regular file: always usable
    require(recording.notice.has_value() == !parsed);  // set aside exactly when it was not history
    require(recording.observations.size() == sightings.size());
    std::ifstream in(path, std::ios::binary);
    const std::string written((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto again = sites::parse_site_history(written);
    require(again && again->count("192.0.2.53") == 1);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) {
        return 0;
    }
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    const auto parsed = sites::parse_site_history_text(text);
    if (parsed.history) {
        require(parsed.bad_line == 0);
        const std::string formatted = sites::format_site_history(*parsed.history);
        const auto again = sites::parse_site_history(formatted);
        require(again && *again == *parsed.history);
        require(sites::format_site_history(*again) == formatted);
    } else {
        std::size_t lines = 1;
        for (const char c : text) {
            lines += c == '\n' ? 1 : 0;
        }
        require(parsed.bad_line >= 1 && parsed.bad_line <= lines);
    }
    if ((data[0] & 1) != 0) {
        run_record(text, parsed.history);
    }
    return 0;
}
