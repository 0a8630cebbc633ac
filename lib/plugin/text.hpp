#pragma once
#include <string_view>

namespace anycast::plugin {

// `text` without leading and trailing spaces and tabs: how every option value and file field is
// read, so " 10 " and "10" mean the same wherever a user may type either.
std::string_view trim_blanks(std::string_view text);

}  // namespace anycast::plugin
