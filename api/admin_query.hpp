// Query strings of the admin API: percent-decoding, the allowed parameters of
// each route, and the filters they build (sessions, audit). Untrusted input:
// every problem is an AdminQueryError (code bad_filter or bad_cursor) for a
// 400, never an exception. Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <boost/system/result.hpp>

#include "supervisor/audit/audit.hpp"
#include "supervisor/session_state.hpp"

namespace hotplex::api {

struct AdminQueryError {
  std::string code;  // "bad_filter" or "bad_cursor"
  std::string message;
};
[[noreturn]] void throw_exception_from_error(const AdminQueryError& e,
                                             const boost::source_location&);

template <class T>
using QueryResult = boost::system::result<T, AdminQueryError>;

using QueryParams = std::map<std::string, std::string, std::less<>>;

// Decodes "a=1&b=x%3Ay" into {a:1, b:x:y}; a parameter not in `allowed` is an error.
QueryResult<QueryParams> ParseQuery(std::string_view query,
                                    std::initializer_list<std::string_view> allowed);

struct SessionFilter {
  std::string tenant;
  std::optional<supervisor::SessionState> state;
  std::string policy;
  std::string after_id;  // the cursor: sessions with id > after_id
  std::size_t limit = 100;
};

QueryResult<SessionFilter> ParseSessionFilter(std::string_view query);
QueryResult<supervisor::AuditFilter> ParseAuditFilter(std::string_view query, bool paged);
// "2026-11-22T02:00:00Z", "2026-11-22T02:00:00.250Z" or Unix milliseconds.
std::optional<std::int64_t> ParseTimeMs(std::string_view text);
// Decimal digits only, at most 18 of them.
std::optional<std::uint64_t> ParseCount(std::string_view text);

}  // namespace hotplex::api
