#pragma once
// The one careful reader for every file a check reads (sites files, rules files, state files,
// password files): only a regular file, never blocking on a FIFO or device, never more than a cap.
// A local user who plants a FIFO or /dev/zero where a check expects a file gets an error, not a
// hung or exhausted check.
#include <sys/types.h>

#include <cstddef>
#include <optional>
#include <string>

namespace anycast::plugin {

// Why a read failed, for callers that treat the cases differently (a state file that is too large
// is set aside; one that is a FIFO is refused and left alone).
enum class FileProblem { missing, symlink, not_regular, wrong_owner, too_large, io };

struct FileReadError {
    std::string message;   // "is a FIFO, not a regular file", "larger than 4 MiB", "No such file ..."
    bool missing = false;  // ENOENT: callers that treat "absent" as "empty" can tell it apart
    FileProblem problem = FileProblem::io;
};

struct FileContents {
    std::optional<std::string> text;  // set on success
    std::optional<FileReadError> error;
};

inline constexpr std::size_t default_max_file_bytes = std::size_t{4} << 20;  // 4 MiB

// Opens `path` with O_NONBLOCK | O_CLOEXEC (so opening a FIFO with no writer cannot block),
// refuses anything fstat does not call a regular file, and reads at most `max_bytes`
// (a larger file is an error, not silently cut). Never throws for the file's sake.
FileContents read_regular_file(const std::string& path, std::size_t max_bytes = default_max_file_bytes);

// For files the checks also write (state files), where a planted symbolic link or another user's
// file must not be taken for ours.
struct FileReadOptions {
    std::size_t max_bytes = default_max_file_bytes;
    bool follow_symlinks = true;  // false: O_NOFOLLOW, a link is FileProblem::symlink
    std::optional<uid_t> owner;   // set: a file owned by another uid is FileProblem::wrong_owner
};
FileContents read_regular_file(const std::string& path, const FileReadOptions& options);

// "a FIFO", "a character device", "a directory", ... for messages about a path found in place of a
// regular file; "not a regular file" for anything else.
std::string file_kind(mode_t mode);

// As read_regular_file, but throws anycast::InputError "WHAT PATH: MESSAGE" on any error, for
// files the user named (a missing sites file is bad input).
std::string read_input_file(const std::string& path, const std::string& what,
                            std::size_t max_bytes = default_max_file_bytes);

}  // namespace anycast::plugin
