#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace anycast::plugin {

// `text` without leading and trailing spaces and tabs: how every option value and file field is
// read, so " 10 " and "10" mean the same wherever a user may type either.
std::string_view trim_blanks(std::string_view text);

// The items of a comma list as users write them, each trimmed: "nsid, whoami" -> {"nsid", "whoami"}.
// Every comma-separated option value goes through this one splitter. Empty items stay (as ""), so
// that the caller can refuse "a,,b" naming the option.
std::vector<std::string> split_list(std::string_view text, char separator = ',');

// The items one after another with `separator` between them: {"ams1", "iad1"} -> "ams1, iad1".
std::string join_list(const std::vector<std::string>& items, std::string_view separator = ", ");

}  // namespace anycast::plugin
