#pragma once
#include <stdexcept>
#include <string>

namespace anycast {

// Thrown for anything the user gave us that we cannot use: an option, a range, a file's line.
// Every check's main turns it into UNKNOWN with this one-line message; the library never exits.
class InputError : public std::runtime_error {
public:
    explicit InputError(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace anycast
