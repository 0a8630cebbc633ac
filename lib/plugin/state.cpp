#include "plugin/state.hpp"

namespace anycast::plugin {

namespace {

// Position in the aggregation order; anything unexpected ranks as UNKNOWN.
int severity(State state) {
    switch (state) {
        case State::ok:
            return 0;
        case State::unknown:
            return 1;
        case State::warning:
            return 2;
        case State::critical:
            return 3;
    }
    return 1;
}

}  // namespace

State worse(State a, State b) {
    return severity(a) >= severity(b) ? a : b;
}

std::string_view state_name(State state) {
    switch (state) {
        case State::ok:
            return "OK";
        case State::warning:
            return "WARNING";
        case State::critical:
            return "CRITICAL";
        case State::unknown:
            return "UNKNOWN";
    }
    return "UNKNOWN";
}

int exit_code(State state) {
    switch (state) {
        case State::ok:
            return 0;
        case State::warning:
            return 1;
        case State::critical:
            return 2;
        case State::unknown:
            return 3;
    }
    return 3;
}

}  // namespace anycast::plugin
