#include "api/admin_query.hpp"

#include <cstdio>
#include <ctime>
#include <stdexcept>

namespace hotplex::api {
namespace {

constexpr std::size_t kMaxLimit = 1000;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> PercentDecode(std::string_view in) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+') {
      out += ' ';
    } else if (in[i] != '%') {
      out += in[i];
    } else {
      if (i + 2 >= in.size()) return std::nullopt;
      const int hi = HexValue(in[i + 1]);
      const int lo = HexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    }
  }
  return out;
}

AdminQueryError BadFilter(std::string message) { return {"bad_filter", std::move(message)}; }

QueryResult<std::size_t> Limit(const QueryParams& params, std::size_t fallback) {
  auto it = params.find("limit");
  if (it == params.end()) return fallback;
  auto n = ParseCount(it->second);
  if (!n || *n < 1 || *n > kMaxLimit) {
    return BadFilter("limit must be an integer in 1.." + std::to_string(kMaxLimit));
  }
  return static_cast<std::size_t>(*n);
}

std::string Get(const QueryParams& params, std::string_view name) {
  auto it = params.find(name);
  return it == params.end() ? std::string() : it->second;
}

}  // namespace

void throw_exception_from_error(const AdminQueryError& e, const boost::source_location&) {
  throw std::runtime_error(e.code + ": " + e.message);
}

std::optional<std::uint64_t> ParseCount(std::string_view text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return value;
}

std::optional<std::int64_t> ParseTimeMs(std::string_view text) {
  if (auto ms = ParseCount(text)) return static_cast<std::int64_t>(*ms);
  std::tm tm{};
  int millis = 0;
  char tail[8] = {};
  const std::string s(text.substr(0, 40));
  int n = std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3d%7s", &tm.tm_year, &tm.tm_mon,
                      &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &millis, tail);
  if (n != 8) {
    millis = 0;
    n = std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%7s", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                    &tm.tm_hour, &tm.tm_min, &tm.tm_sec, tail);
    if (n != 7) return std::nullopt;
  }
  if (std::string_view(tail) != "Z" || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 ||
      tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<std::int64_t>(::timegm(&tm)) * 1000 + millis;
}

QueryResult<QueryParams> ParseQuery(std::string_view query,
                                    std::initializer_list<std::string_view> allowed) {
  QueryParams params;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    auto name = PercentDecode(pair.substr(0, eq));
    auto value = PercentDecode(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    if (!name || !value) return BadFilter("malformed percent-encoding in the query string");
    bool known = false;
    for (auto a : allowed) known = known || a == *name;
    if (!known) return BadFilter("unknown query parameter '" + *name + "'");
    params[*name] = std::move(*value);
  }
  return params;
}

QueryResult<SessionFilter> ParseSessionFilter(std::string_view query) {
  HOTPLEX_TRY(auto params, ParseQuery(query, {"tenant", "state", "policy", "limit", "cursor"}));
  SessionFilter filter;
  filter.tenant = Get(params, "tenant");
  filter.policy = Get(params, "policy");
  if (auto state = Get(params, "state"); !state.empty()) {
    filter.state = supervisor::ParseSessionState(state);
    if (!filter.state) {
      return BadFilter("state must be one of starting, ready, busy, stopped, dead");
    }
  }
  HOTPLEX_TRY(filter.limit, Limit(params, 100));
  filter.after_id = Get(params, "cursor");
  for (char c : filter.after_id) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == '-';
    if (!ok || filter.after_id.size() > 64) {
      return AdminQueryError{"bad_cursor", "cursor is not one this API returned"};
    }
  }
  return filter;
}

QueryResult<supervisor::AuditFilter> ParseAuditFilter(std::string_view query, bool paged) {
  HOTPLEX_TRY(auto params, ParseQuery(query, {"tenant", "session", "type", "since", "until",
                                              "limit", "cursor"}));
  supervisor::AuditFilter filter;
  filter.tenant = Get(params, "tenant");
  filter.session = Get(params, "session");
  filter.type = Get(params, "type");
  for (const char* name : {"since", "until"}) {
    auto text = Get(params, name);
    if (text.empty()) continue;
    auto ms = ParseTimeMs(text);
    if (!ms) return BadFilter(std::string(name) + " must be RFC 3339 (…Z) or Unix milliseconds");
    (std::string_view(name) == "since" ? filter.since_ms : filter.until_ms) = *ms;
  }
  if (paged) {
    HOTPLEX_TRY(filter.limit, Limit(params, 100));
  } else if (params.contains("limit")) {
    return BadFilter("export has no limit: it streams every match");
  }
  if (auto cursor = Get(params, "cursor"); !cursor.empty()) {
    auto seq = ParseCount(cursor);
    if (!seq) return AdminQueryError{"bad_cursor", "cursor is not one this API returned"};
    filter.after_seq = static_cast<std::int64_t>(*seq);
  }
  return filter;
}

}  // namespace hotplex::api
