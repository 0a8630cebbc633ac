#include "plugin/file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "plugin/error.hpp"
#include "plugin/fd.hpp"

namespace anycast::plugin {

std::string file_kind(mode_t mode) {
    if (S_ISFIFO(mode)) {
        return "a FIFO";
    }
    if (S_ISCHR(mode)) {
        return "a character device";
    }
    if (S_ISBLK(mode)) {
        return "a block device";
    }
    if (S_ISDIR(mode)) {
        return "a directory";
    }
    if (S_ISSOCK(mode)) {
        return "a socket";
    }
    return "not a regular file";
}

namespace {

std::string size_text(std::size_t bytes) {
    if (bytes >= (std::size_t{1} << 20) && bytes % (std::size_t{1} << 20) == 0) {
        return std::to_string(bytes >> 20) + " MiB";
    }
    if (bytes >= 1024 && bytes % 1024 == 0) {
        return std::to_string(bytes >> 10) + " KiB";
    }
    return std::to_string(bytes) + " bytes";
}

FileContents failure(std::string message, FileProblem problem = FileProblem::io) {
    return {std::nullopt, FileReadError{std::move(message), problem == FileProblem::missing, problem}};
}

FileContents not_regular(mode_t mode) {
    const std::string kind = file_kind(mode);
    return failure(kind == "not a regular file" ? kind : "is " + kind + ", not a regular file",
                   FileProblem::not_regular);
}

FileContents open_failure(int error, bool followed) {
    if (error == ENOENT) {
        return failure(std::strerror(error), FileProblem::missing);
    }
    // O_NOFOLLOW on a link gives ELOOP: say what it is rather than "Too many levels of symbolic links".
    if (error == ELOOP && !followed) {
        return failure("is a symbolic link, which is not followed here", FileProblem::symlink);
    }
    return failure(std::strerror(error));
}

}  // namespace

FileContents read_regular_file(const std::string& path, std::size_t max_bytes) {
    FileReadOptions options;
    options.max_bytes = max_bytes;
    return read_regular_file(path, options);
}

FileContents read_regular_file(const std::string& path, const FileReadOptions& options) {
    const std::size_t max_bytes = options.max_bytes;
    const int flags =
        O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY | (options.follow_symlinks ? 0 : O_NOFOLLOW);
    // Look before opening: opening a device can act (a watchdog arms, a tape rewinds), and on a
    // nodev mount it fails before fstat could say what the path is. fstat below still decides, so a
    // path swapped between the two is caught too.
    struct stat seen {};
    if ((options.follow_symlinks ? ::stat(path.c_str(), &seen) : ::lstat(path.c_str(), &seen)) == 0 &&
        !S_ISREG(seen.st_mode) && !S_ISLNK(seen.st_mode)) {
        return not_regular(seen.st_mode);
    }
    UniqueFd fd(::open(path.c_str(), flags));
    if (!fd) {
        return open_failure(errno, options.follow_symlinks);
    }
    struct stat info {};
    if (::fstat(fd.get(), &info) != 0) {
        return failure(std::strerror(errno));
    }
    if (!S_ISREG(info.st_mode)) {
        return not_regular(info.st_mode);
    }
    if (options.owner && info.st_uid != *options.owner) {
        return failure("is owned by uid " + std::to_string(info.st_uid) + ", not by this check's uid " +
                           std::to_string(*options.owner),
                       FileProblem::wrong_owner);
    }
    if (static_cast<std::size_t>(info.st_size) > max_bytes) {
        return failure("larger than " + size_text(max_bytes), FileProblem::too_large);
    }
    std::string text;
    text.resize(static_cast<std::size_t>(info.st_size));
    std::size_t filled = 0;
    // A file can grow while we read it: read until EOF, but never past the cap.
    for (;;) {
        if (filled == text.size()) {
            if (text.size() >= max_bytes + 1) {
                return failure("larger than " + size_text(max_bytes), FileProblem::too_large);
            }
            text.resize(std::min(max_bytes + 1, std::max<std::size_t>(text.size() * 2, 4096)));
        }
        const ssize_t got = ::read(fd.get(), text.data() + filled, text.size() - filled);
        if (got < 0) {
            if (errno == EINTR) {
                continue;
            }
            return failure(std::strerror(errno));
        }
        if (got == 0) {
            break;
        }
        filled += static_cast<std::size_t>(got);
    }
    if (filled > max_bytes) {
        return failure("larger than " + size_text(max_bytes), FileProblem::too_large);
    }
    text.resize(filled);
    return {std::move(text), std::nullopt};
}

std::string read_input_file(const std::string& path, const std::string& what, std::size_t max_bytes) {
    FileContents contents = read_regular_file(path, max_bytes);
    if (!contents.text) {
        throw InputError(what + " " + path + ": " + contents.error->message);
    }
    return std::move(*contents.text);
}

}  // namespace anycast::plugin
