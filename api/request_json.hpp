// Decoding of client request bodies (REST bodies and WebSocket messages) into
// supervisor requests. Untrusted input: every problem is a message for a 400,
// never an exception. Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <boost/system/result.hpp>
#include <nlohmann/json.hpp>

#include "supervisor/session_manager.hpp"

namespace hotplex::api {

// Why a request was refused (the message of a 400 / a WebSocket error reply).
struct BadRequest {
  std::string message;
};
[[noreturn]] void throw_exception_from_error(const BadRequest& e, const boost::source_location&);

template <class T>
using Parsed = boost::system::result<T, BadRequest>;

struct PermissionAnswer {
  bool allow = false;
  std::string message;
};

// Parses a JSON object; anything else (bad JSON, an array, ...) is an error.
Parsed<nlohmann::json> ParseJsonObject(std::string_view body);
// {"provider":"claude-code"|"exec","key":"…","workdir":"…","argv":[…]}
Parsed<supervisor::CreateRequest> ParseCreateRequest(const nlohmann::json& body);
// {"text":"…"}
Parsed<std::string> ParsePromptText(const nlohmann::json& body);
// {"behavior":"allow"|"deny","message":"…"}
Parsed<PermissionAnswer> ParsePermissionAnswer(const nlohmann::json& body);
// The string field `name`, if present and a string.
std::optional<std::string> StringField(const nlohmann::json& j, const char* name);

}  // namespace hotplex::api
