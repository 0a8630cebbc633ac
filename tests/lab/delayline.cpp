// anycast_delayline: the anycast lab's stand-in for netem, which this kernel lacks.
//
// It attaches to TUN devices (one per lab path), holds every packet the kernel routes into a TUN for that
// TUN's hold time, and writes it back into the same TUN, where the kernel receives it as if it had
// arrived on that interface and routes it on (policy routing keyed on the TUN sends it to the far end).
//
//   anycast_delayline --control FILE [--max-runtime SECONDS] [--queue-limit PACKETS] [--spin-us US]
//
// FILE has one "TUN HOLD_MS" line per device ('#' starts a comment). The set of devices is fixed at
// start; SIGHUP rereads the hold times, so a path's delay can change while the lab runs. The process
// exits by itself after --max-runtime (default 7200 s) so a forgotten lab never lives forever.

#include <fcntl.h>
#include <getopt.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
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

struct Tun {
    std::string name;
    Fd fd;
    std::chrono::nanoseconds hold;
};

struct HeldPacket {
    Clock::time_point release;
    std::uint64_t sequence;  // keeps packets with equal release times in arrival order
    std::size_t tun;
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
    std::chrono::seconds max_runtime{7200};
    std::size_t queue_limit = 100000;
    std::chrono::nanoseconds spin{std::chrono::microseconds(300)};
};

std::chrono::nanoseconds parse_hold_ms(const std::string& text, const std::string& where) {
    std::size_t used = 0;
    double ms = -1;
    try {
        ms = std::stod(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    // Beyond a minute a "delay" is a black hole; refuse it so a typo cannot stall the lab.
    if (used != text.size() || !(ms >= 0 && ms <= 60000)) {
        throw UsageError(where + ": '" + text + "' is not a hold time in ms (0..60000)");
    }
    return std::chrono::nanoseconds(static_cast<std::int64_t>(ms * 1e6));
}

std::map<std::string, std::chrono::nanoseconds> read_control_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        throw UsageError("cannot read control file " + path);
    }
    std::map<std::string, std::chrono::nanoseconds> holds;
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        if (const auto hash = line.find('#'); hash != std::string::npos) {
            line.erase(hash);
        }
        std::istringstream fields(line);
        std::string name;
        std::string hold;
        std::string extra;
        if (!(fields >> name)) {
            continue;
        }
        const std::string where = path + " line " + std::to_string(number);
        if (!(fields >> hold) || (fields >> extra)) {
            throw UsageError(where + ": expected 'TUN HOLD_MS'");
        }
        if (name.size() >= IFNAMSIZ) {
            throw UsageError(where + ": '" + name + "' is too long for an interface name");
        }
        holds[name] = parse_hold_ms(hold, where);
    }
    return holds;
}

Fd attach_tun(const std::string& name) {
    Fd fd(open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC));
    if (fd.get() < 0) {
        throw std::runtime_error(std::string("open /dev/net/tun: ") + std::strerror(errno));
    }
    ifreq request{};
    request.ifr_flags = IFF_TUN | IFF_NO_PI;
    std::strncpy(request.ifr_name, name.c_str(), IFNAMSIZ - 1);
    if (ioctl(fd.get(), TUNSETIFF, &request) < 0) {
        throw std::runtime_error("attach TUN " + name + ": " + std::strerror(errno));
    }
    return fd;
}

Options parse_options(int argc, char** argv) {
    Options options;
    static const option long_options[] = {{"control", required_argument, nullptr, 'c'},
                                          {"max-runtime", required_argument, nullptr, 'm'},
                                          {"queue-limit", required_argument, nullptr, 'q'},
                                          {"spin-us", required_argument, nullptr, 's'},
                                          {"help", no_argument, nullptr, 'h'},
                                          {nullptr, 0, nullptr, 0}};
    int option_char = 0;
    while ((option_char = getopt_long(argc, argv, "c:m:q:s:h", long_options, nullptr)) != -1) {
        switch (option_char) {
            case 'c':
                options.control_file = optarg;
                break;
            case 'm':
            case 'q':
            case 's': {
                char* end = nullptr;
                errno = 0;
                const long value = std::strtol(optarg, &end, 10);
                if (errno != 0 || end == optarg || *end != '\0' || value < 0 || value > 100000000) {
                    throw UsageError(std::string("option -") + static_cast<char>(option_char) + ": '" +
                                     optarg + "' is not an integer in 0..100000000");
                }
                if (option_char == 'm') {
                    options.max_runtime = std::chrono::seconds(value);
                } else if (option_char == 'q') {
                    options.queue_limit = static_cast<std::size_t>(value);
                } else {
                    options.spin = std::chrono::microseconds(value);
                }
                break;
            }
            case 'h':
                std::cout << "usage: anycast_delayline --control FILE [--max-runtime SECONDS] "
                             "[--queue-limit PACKETS] [--spin-us US]\n"
                             "FILE: one 'TUN HOLD_MS' line per device; SIGHUP rereads hold times.\n";
                std::exit(0);
            default:
                throw UsageError("unknown option (try --help)");
        }
    }
    if (options.control_file.empty() || optind != argc) {
        throw UsageError("usage: anycast_delayline --control FILE [--max-runtime SECONDS]");
    }
    return options;
}

class DelayLine {
public:
    DelayLine(const Options& options, Fd signals) : options_(options), signals_(std::move(signals)) {
        for (const auto& [name, hold] : read_control_file(options.control_file)) {
            tuns_.push_back(Tun{name, attach_tun(name), hold});
        }
        if (tuns_.empty()) {
            throw UsageError("control file " + options.control_file + " names no TUN");
        }
        for (const auto& tun : tuns_) {
            poll_fds_.push_back(pollfd{tun.fd.get(), POLLIN, 0});
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
            for (std::size_t i = 0; i < tuns_.size(); ++i) {
                if (poll_fds_[i].revents & (POLLERR | POLLHUP | POLLNVAL)) {
                    throw std::runtime_error("TUN " + tuns_[i].name + " failed");
                }
                if (poll_fds_[i].revents & POLLIN) {
                    take_packets(i, now, buffer);
                }
            }
        }
    }

private:
    void release_due(Clock::time_point now) {
        while (!held_.empty() && held_.top().release <= now) {
            const HeldPacket& packet = held_.top();
            // A failed write loses the packet, as a full link would; the lab's tests notice loss.
            if (write(tuns_[packet.tun].fd.get(), packet.bytes.data(), packet.bytes.size()) < 0) {
                ++write_errors_;
            }
            held_.pop();
        }
    }

    // Reads what is waiting, but a bounded number so a flood on one TUN cannot starve the others.
    void take_packets(std::size_t index, Clock::time_point now, std::vector<unsigned char>& buffer) {
        for (int round = 0; round < 64; ++round) {
            const ssize_t length = read(tuns_[index].fd.get(), buffer.data(), buffer.size());
            if (length <= 0) {
                return;
            }
            if (held_.size() >= options_.queue_limit) {
                continue;  // tail drop, like a real queue
            }
            held_.push(HeldPacket{now + tuns_[index].hold, sequence_++, index,
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
            return false;
        }
        try {
            const auto holds = read_control_file(options_.control_file);
            for (auto& tun : tuns_) {
                if (const auto found = holds.find(tun.name); found != holds.end()) {
                    tun.hold = found->second;
                }
            }
            std::cerr << "delayline: reread " << options_.control_file << "\n";
        } catch (const UsageError& error) {
            // Keep the old delays: a bad edit must not take the whole lab down.
            std::cerr << "delayline: " << error.what() << "; keeping previous delays\n";
        }
        return true;
    }

    Options options_;
    Fd signals_;
    std::vector<Tun> tuns_;
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
