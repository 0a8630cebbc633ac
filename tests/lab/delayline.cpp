// anycast_delayline: the anycast lab's stand-in for netem, which this kernel lacks.
//
// Every lab path is a point-to-point link made of two TUN devices, one at each end, usually in two
// different network namespaces. What the kernel routes into one end is held for the path's one-way
// hold time and then written into the other end, where the kernel receives it as if it had arrived on
// that interface. So routing daemons at both ends see an ordinary link (BGP runs over it) whose round
// trip is twice the hold time, and each direction can lose packets and jitter on its own.
//
//   anycast_delayline --control FILE [--seed N] [--max-runtime SECONDS] [--queue-limit PACKETS]
//                     [--spin-us US]
//
// FILE has one line per path ('#' starts a comment):
//     NAME NETNS_A TUN_A NETNS_B TUN_B HOLD_MS [LOSS_A_TO_B_PCT LOSS_B_TO_A_PCT JITTER_MS]
// NETNS is a name under /run/netns (as `ip netns` makes them), or "-" for the delay line's own. The
// set of paths is fixed at start; SIGHUP rereads hold, loss and jitter by NAME, so they can change
// while the lab runs. Loss and jitter draw from one random stream per path and direction, seeded from
// --seed and the path's name, so the same packets meet the same fate in every run. The process exits
// by itself after --max-runtime (default 7200 s) so a forgotten lab never lives forever.

#include <fcntl.h>
#include <getopt.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <queue>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    Fd(Fd&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
    Fd& operator=(Fd&&) = delete;
    ~Fd() {
        if (fd_ >= 0) {
            close(fd_);
        }
    }
    int get() const { return fd_; }

private:
    int fd_;
};

// What SIGHUP may change about a path.
struct Shape {
    std::chrono::nanoseconds hold{0};
    double loss[2] = {0, 0};  // probability, direction 0 = A to B, 1 = B to A
    std::chrono::nanoseconds jitter{0};
};

struct PathSpec {
    std::string name;
    std::string netns[2];
    std::string tun[2];
    Shape shape;
};

struct Path {
    std::string name;
    Fd end[2];
    Shape shape;
    std::mt19937_64 random[2];
    std::uint64_t dropped[2] = {0, 0};
};

struct HeldPacket {
    Clock::time_point release;
    std::uint64_t sequence;  // keeps packets with equal release times in arrival order
    std::size_t path;
    int to_end;
    std::vector<unsigned char> bytes;
};

struct LaterFirst {
    bool operator()(const HeldPacket& a, const HeldPacket& b) const {
        if (a.release != b.release) {
            return a.release > b.release;
        }
        return a.sequence > b.sequence;
    }
};

struct Options {
    std::string control_file;
    std::uint64_t seed = 1;
    std::chrono::seconds max_runtime{7200};
    std::size_t queue_limit = 100000;
    std::chrono::nanoseconds spin{std::chrono::microseconds(300)};
};

double parse_number(const std::string& text, double low, double high, const std::string& what,
                    const std::string& where) {
    std::size_t used = 0;
    double value = -1;
    try {
        value = std::stod(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used != text.size() || !(value >= low && value <= high)) {
        throw UsageError(where + ": '" + text + "' is not " + what);
    }
    return value;
}

std::chrono::nanoseconds ms_to_ns(double ms) {
    return std::chrono::nanoseconds(static_cast<std::int64_t>(ms * 1e6));
}

// Beyond a minute a "delay" is a black hole; refuse it so a typo cannot stall the lab.
PathSpec parse_path_line(const std::string& line, const std::string& where) {
    std::istringstream fields(line);
    PathSpec spec;
    std::string hold;
    if (!(fields >> spec.name >> spec.netns[0] >> spec.tun[0] >> spec.netns[1] >> spec.tun[1] >> hold)) {
        throw UsageError(where + ": expected 'NAME NETNS_A TUN_A NETNS_B TUN_B HOLD_MS [LOSS LOSS JITTER]'");
    }
    for (const std::string& tun : spec.tun) {
        if (tun.size() >= IFNAMSIZ) {
            throw UsageError(where + ": '" + tun + "' is too long for an interface name");
        }
    }
    spec.shape.hold = ms_to_ns(parse_number(hold, 0, 60000, "a hold time in ms (0..60000)", where));
    std::string loss_ab;
    std::string loss_ba;
    std::string jitter;
    if (fields >> loss_ab) {
        std::string extra;
        if (!(fields >> loss_ba >> jitter) || (fields >> extra)) {
            throw UsageError(where + ": loss needs both directions and a jitter");
        }
        spec.shape.loss[0] = parse_number(loss_ab, 0, 100, "a loss in % (0..100)", where) / 100.0;
        spec.shape.loss[1] = parse_number(loss_ba, 0, 100, "a loss in % (0..100)", where) / 100.0;
        spec.shape.jitter = ms_to_ns(parse_number(jitter, 0, 60000, "a jitter in ms (0..60000)", where));
    }
    return spec;
}

std::vector<PathSpec> read_control_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        throw UsageError("cannot read control file " + path);
    }
    std::vector<PathSpec> specs;
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        if (const auto hash = line.find('#'); hash != std::string::npos) {
            line.erase(hash);
        }
        if (line.find_first_not_of(" \t") == std::string::npos) {
            continue;
        }
        specs.push_back(parse_path_line(line, path + " line " + std::to_string(number)));
    }
    return specs;
}

// Attaches to TUN `name` inside network namespace `netns` ("-": ours). The fd keeps working after we
// return to our own namespace: a TUN belongs to the namespace it was made in, not to the process.
Fd attach_tun(const std::string& netns, const std::string& name) {
    Fd home(open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC));
    if (home.get() < 0) {
        throw std::runtime_error(std::string("open /proc/self/ns/net: ") + std::strerror(errno));
    }
    if (netns != "-") {
        const std::string ns_path = netns.find('/') == std::string::npos ? "/run/netns/" + netns : netns;
        Fd target(open(ns_path.c_str(), O_RDONLY | O_CLOEXEC));
        if (target.get() < 0 || setns(target.get(), CLONE_NEWNET) < 0) {
            throw std::runtime_error("enter network namespace " + ns_path + ": " + std::strerror(errno));
        }
    }
    Fd fd(open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC));
    const int open_errno = errno;
    ifreq request{};
    request.ifr_flags = IFF_TUN | IFF_NO_PI;
    std::strncpy(request.ifr_name, name.c_str(), IFNAMSIZ - 1);
    const bool attached = fd.get() >= 0 && ioctl(fd.get(), TUNSETIFF, &request) == 0;
    const int attach_errno = errno;
    if (setns(home.get(), CLONE_NEWNET) < 0) {
        throw std::runtime_error(std::string("return to our network namespace: ") + std::strerror(errno));
    }
    if (fd.get() < 0) {
        throw std::runtime_error(std::string("open /dev/net/tun: ") + std::strerror(open_errno));
    }
    if (!attached) {
        throw std::runtime_error("attach TUN " + name + " in " + netns + ": " + std::strerror(attach_errno));
    }
    return fd;
}

// FNV-1a: a stable hash, so a path's random stream depends only on the seed and its name.
std::uint64_t stable_hash(const std::string& text) {
    std::uint64_t hash = 14695981039346656037ULL;
    for (const unsigned char c : text) {
        hash = (hash ^ c) * 1099511628211ULL;
    }
    return hash;
}

// A uniform draw in [0, 1) from the top 53 bits: the same on every platform.
double uniform01(std::mt19937_64& random) {
    return static_cast<double>(random() >> 11) * 0x1.0p-53;
}

long parse_option_integer(int option_char, const char* text) {
    char* end = nullptr;
    errno = 0;
    const long value = std::strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < 0 || value > 100000000) {
        throw UsageError(std::string("option -") + static_cast<char>(option_char) + ": '" + text +
                         "' is not an integer in 0..100000000");
    }
    return value;
}

constexpr const char* usage_text =
    "usage: anycast_delayline --control FILE [--seed N] [--max-runtime SECONDS] [--queue-limit PACKETS] "
    "[--spin-us US]\n"
    "FILE: one 'NAME NETNS_A TUN_A NETNS_B TUN_B HOLD_MS [LOSS_AB_PCT LOSS_BA_PCT JITTER_MS]' line per "
    "path; SIGHUP rereads hold, loss and jitter.\n";

Options parse_options(int argc, char** argv) {
    Options options;
    static const option long_options[] = {{"control", required_argument, nullptr, 'c'},
                                          {"seed", required_argument, nullptr, 'r'},
                                          {"max-runtime", required_argument, nullptr, 'm'},
                                          {"queue-limit", required_argument, nullptr, 'q'},
                                          {"spin-us", required_argument, nullptr, 's'},
                                          {"help", no_argument, nullptr, 'h'},
                                          {nullptr, 0, nullptr, 0}};
    int option_char = 0;
    while ((option_char = getopt_long(argc, argv, "c:r:m:q:s:h", long_options, nullptr)) != -1) {
        switch (option_char) {
            case 'c':
                options.control_file = optarg;
                break;
            case 'r':
                options.seed = static_cast<std::uint64_t>(parse_option_integer(option_char, optarg));
                break;
            case 'm':
                options.max_runtime = std::chrono::seconds(parse_option_integer(option_char, optarg));
                break;
            case 'q':
                options.queue_limit = static_cast<std::size_t>(parse_option_integer(option_char, optarg));
                break;
            case 's':
                options.spin = std::chrono::microseconds(parse_option_integer(option_char, optarg));
                break;
            case 'h':
                std::cout << usage_text;
                std::exit(0);
            default:
                throw UsageError("unknown option (try --help)");
        }
    }
    if (options.control_file.empty() || optind != argc) {
        throw UsageError(usage_text);
    }
    return options;
}

class DelayLine {
public:
    DelayLine(const Options& options, Fd signals) : options_(options), signals_(std::move(signals)) {
        for (const PathSpec& spec : read_control_file(options.control_file)) {
            Path path{spec.name,
                      {attach_tun(spec.netns[0], spec.tun[0]), attach_tun(spec.netns[1], spec.tun[1])},
                      spec.shape,
                      {std::mt19937_64(options.seed ^ stable_hash(spec.name + ">")),
                       std::mt19937_64(options.seed ^ stable_hash(spec.name + "<"))}};
            paths_.push_back(std::move(path));
        }
        if (paths_.empty()) {
            throw UsageError("control file " + options.control_file + " names no path");
        }
        for (const auto& path : paths_) {
            for (const Fd& end : path.end) {
                poll_fds_.push_back(pollfd{end.get(), POLLIN, 0});
            }
        }
        poll_fds_.push_back(pollfd{signals_.get(), POLLIN, 0});
    }

    // Returns the exit status.
    int run() {
        const auto deadline = Clock::now() + options_.max_runtime;
        std::vector<unsigned char> buffer(65536);
        while (true) {
            auto now = Clock::now();
            release_due(now);
            if (now >= deadline) {
                std::cerr << "delayline: max runtime reached, exiting\n";
                return 0;
            }
            const auto wake = held_.empty() ? deadline : std::min(deadline, held_.top().release);
            // Waking from a sleep costs ~0.1 ms here, twice per round trip; sleeping until shortly before
            // the release and spinning the rest keeps each path's RTT within a few microseconds.
            auto wait = std::chrono::duration_cast<std::chrono::nanoseconds>(wake - now);
            wait = wait > options_.spin ? wait - options_.spin : std::chrono::nanoseconds(0);
            timespec timeout{};
            timeout.tv_sec = static_cast<time_t>(wait.count() / 1000000000);
            timeout.tv_nsec = static_cast<long>(wait.count() % 1000000000);
            if (ppoll(poll_fds_.data(), poll_fds_.size(), &timeout, nullptr) < 0 && errno != EINTR) {
                throw std::runtime_error(std::string("ppoll: ") + std::strerror(errno));
            }
            if (poll_fds_.back().revents & POLLIN) {
                if (!handle_signal()) {
                    return 0;
                }
            }
            now = Clock::now();
            for (std::size_t i = 0; i + 1 < poll_fds_.size(); ++i) {
                if (poll_fds_[i].revents & (POLLERR | POLLHUP | POLLNVAL)) {
                    throw std::runtime_error("a TUN of path " + paths_[i / 2].name + " failed");
                }
                if (poll_fds_[i].revents & POLLIN) {
                    take_packets(i / 2, static_cast<int>(i % 2), now, buffer);
                }
            }
        }
    }

private:
    void release_due(Clock::time_point now) {
        while (!held_.empty() && held_.top().release <= now) {
            const HeldPacket& packet = held_.top();
            // A failed write loses the packet, as a full link would; the lab's tests notice loss.
            if (write(paths_[packet.path].end[packet.to_end].get(), packet.bytes.data(),
                      packet.bytes.size()) < 0) {
                ++write_errors_;
            }
            held_.pop();
        }
    }

    // When a packet entering at `from_end` leaves at the other end, or nothing when it is lost.
    std::optional<Clock::time_point> fate(Path& path, int from_end, Clock::time_point now) {
        std::mt19937_64& random = path.random[from_end];
        // Both draws are always made, so changing one path's loss does not shift its jitter sequence.
        const double loss_draw = uniform01(random);
        const double jitter_draw = uniform01(random) * 2 - 1;
        if (loss_draw < path.shape.loss[from_end]) {
            ++path.dropped[from_end];
            return std::nullopt;
        }
        auto hold = path.shape.hold +
                    std::chrono::duration_cast<std::chrono::nanoseconds>(path.shape.jitter * jitter_draw);
        return now + std::max(hold, std::chrono::nanoseconds(0));
    }

    // Reads what is waiting, but a bounded number so a flood on one TUN cannot starve the others.
    void take_packets(std::size_t index, int from_end, Clock::time_point now,
                      std::vector<unsigned char>& buffer) {
        Path& path = paths_[index];
        for (int round = 0; round < 64; ++round) {
            const ssize_t length = read(path.end[from_end].get(), buffer.data(), buffer.size());
            if (length <= 0) {
                return;
            }
            if (held_.size() >= options_.queue_limit) {
                continue;  // tail drop, like a real queue
            }
            const auto release = fate(path, from_end, now);
            if (!release) {
                continue;
            }
            held_.push(HeldPacket{*release, sequence_++, index, 1 - from_end,
                                  std::vector<unsigned char>(buffer.begin(), buffer.begin() + length)});
        }
    }

    // Returns false when the process should stop.
    bool handle_signal() {
        signalfd_siginfo info{};
        if (read(signals_.get(), &info, sizeof info) != static_cast<ssize_t>(sizeof info)) {
            return true;
        }
        if (info.ssi_signo != SIGHUP) {
            std::cerr << "delayline: signal " << info.ssi_signo << ", exiting\n";
            report_drops();
            return false;
        }
        try {
            std::map<std::string, Shape> shapes;
            for (const PathSpec& spec : read_control_file(options_.control_file)) {
                shapes[spec.name] = spec.shape;
            }
            for (auto& path : paths_) {
                if (const auto found = shapes.find(path.name); found != shapes.end()) {
                    path.shape = found->second;
                }
            }
            std::cerr << "delayline: reread " << options_.control_file << "\n";
        } catch (const UsageError& error) {
            // Keep the old shapes: a bad edit must not take the whole lab down.
            std::cerr << "delayline: " << error.what() << "; keeping previous settings\n";
        }
        return true;
    }

    void report_drops() const {
        for (const auto& path : paths_) {
            if (path.dropped[0] + path.dropped[1] > 0) {
                std::cerr << "delayline: " << path.name << " lost " << path.dropped[0] << " A->B, "
                          << path.dropped[1] << " B->A\n";
            }
        }
    }

    Options options_;
    Fd signals_;
    std::vector<Path> paths_;
    std::vector<pollfd> poll_fds_;
    std::priority_queue<HeldPacket, std::vector<HeldPacket>, LaterFirst> held_;
    std::uint64_t sequence_ = 0;
    std::uint64_t write_errors_ = 0;
};

Fd block_signals_into_fd() {
    sigset_t handled;
    sigemptyset(&handled);
    sigaddset(&handled, SIGHUP);
    sigaddset(&handled, SIGTERM);
    sigaddset(&handled, SIGINT);
    if (sigprocmask(SIG_BLOCK, &handled, nullptr) < 0) {
        throw std::runtime_error(std::string("sigprocmask: ") + std::strerror(errno));
    }
    Fd fd(signalfd(-1, &handled, SFD_NONBLOCK | SFD_CLOEXEC));
    if (fd.get() < 0) {
        throw std::runtime_error(std::string("signalfd: ") + std::strerror(errno));
    }
    return fd;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const Options options = parse_options(argc, argv);
        // The default 50 us timer slack would blur the sub-millisecond timing the lab's tests assert on.
        prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
        DelayLine line(options, block_signals_into_fd());
        return line.run();
    } catch (const UsageError& error) {
        std::cerr << "anycast_delayline: " << error.what() << "\n";
        return 2;
    } catch (const std::exception& error) {
        std::cerr << "anycast_delayline: " << error.what() << "\n";
        return 1;
    }
}
