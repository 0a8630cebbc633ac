#pragma once
#include <string_view>

namespace anycast::plugin {

// The four plugin states; the numeric values are the exit codes the Monitoring Plugins API defines.
enum class State { ok = 0, warning = 1, critical = 2, unknown = 3 };

// Aggregation order CRITICAL > WARNING > UNKNOWN > OK: a known failure outranks not knowing.
State worse(State a, State b);

// "OK", "WARNING", "CRITICAL", "UNKNOWN".
std::string_view state_name(State state);

// Always within 0..3, even for a value cast from an out-of-range integer (which maps to 3).
int exit_code(State state);

}  // namespace anycast::plugin
