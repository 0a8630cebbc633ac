#include "plugin/signals.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

namespace anycast::plugin {
namespace {

// Lock-free atomics are async-signal-safe; the handler touches nothing else but write(2).
std::atomic<int> received_signal{0};
std::atomic<int> pipe_read_end{-1};
std::atomic<int> pipe_write_end{-1};
static_assert(std::atomic<int>::is_always_lock_free);

void on_termination(int signal) noexcept {
    const int saved_errno = errno;  // the interrupted code may be about to read errno
    int expected = 0;
    received_signal.compare_exchange_strong(expected, signal);
    const int fd = pipe_write_end.load();
    if (fd >= 0) {
        const char byte = 1;
        // Non-blocking: once the pipe holds a byte, more signals need not add any.
        [[maybe_unused]] const ssize_t ignored = ::write(fd, &byte, 1);
    }
    errno = saved_errno;
}

}  // namespace

bool install_termination_handlers() noexcept {
    if (pipe_read_end.load() >= 0) {
        return true;
    }
    int ends[2];
    if (::pipe2(ends, O_CLOEXEC | O_NONBLOCK) != 0) {
        return false;
    }
    pipe_read_end.store(ends[0]);
    pipe_write_end.store(ends[1]);

    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    bool ok = ::sigaction(SIGPIPE, &ignore, nullptr) == 0;

    struct sigaction stop {};
    stop.sa_handler = on_termination;
    sigemptyset(&stop.sa_mask);
    // No SA_RESTART: a blocking call returns EINTR, and every loop of ours re-checks its condition.
    stop.sa_flags = 0;
    for (const int signal : {SIGTERM, SIGINT, SIGHUP}) {
        sigaddset(&stop.sa_mask, signal);
    }
    for (const int signal : {SIGTERM, SIGINT, SIGHUP}) {
        struct sigaction before {};
        ok = ::sigaction(signal, nullptr, &before) == 0 && ok;
        if (signal != SIGTERM && before.sa_handler == SIG_IGN) {
            continue;  // nohup, or a shell's background job: whoever ignored it meant it
        }
        ok = ::sigaction(signal, &stop, nullptr) == 0 && ok;
    }
    // A parent may have started us with these blocked (it is inherited): they must get through.
    sigset_t wanted;
    sigemptyset(&wanted);
    for (const int signal : {SIGTERM, SIGINT, SIGHUP}) {
        sigaddset(&wanted, signal);
    }
    ok = ::pthread_sigmask(SIG_UNBLOCK, &wanted, nullptr) == 0 && ok;
    return ok;
}

bool termination_requested() noexcept {
    return received_signal.load() != 0;
}

int termination_signal() noexcept {
    return received_signal.load();
}

int termination_fd() noexcept {
    return pipe_read_end.load();
}

const char* termination_signal_name(int signal) noexcept {
    switch (signal) {
        case SIGTERM:
            return "SIGTERM";
        case SIGINT:
            return "SIGINT";
        case SIGHUP:
            return "SIGHUP";
        default:
            return "a signal";
    }
}

void simulate_termination(int signal) noexcept {
    on_termination(signal);
}

}  // namespace anycast::plugin
