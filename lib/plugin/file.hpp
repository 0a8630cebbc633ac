#pragma once
// The one careful reader for every file a check reads (sites files, rules files, state files,
// password files): only a regular file, never blocking on a FIFO or device, never more than a cap.
// A local user who plants a FIFO or /dev/zero where a check expects a file gets an error, not a
// hung or exhausted check.
#include <cstddef>
#include <optional>
#include <string>

namespace anycast::plugin {

struct FileReadError {
    std::string message;  // "is a FIFO, not a regular file", "larger than 4 MiB", "No such file ..."
    bool missing = false;  // ENOENT: callers that treat "absent" as "empty" can tell it apart
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

// As read_regular_file, but throws anycast::InputError "WHAT PATH: MESSAGE" on any error, for
// files the user named (a missing sites file is bad input).
std::string read_input_file(const std::string& path, const std::string& what,
                            std::size_t max_bytes = default_max_file_bytes);

}  // namespace anycast::plugin
