#include "api/request_json.hpp"

#include <stdexcept>

namespace hotplex::api {
using nlohmann::json;

void throw_exception_from_error(const BadRequest& e, const boost::source_location&) {
  throw std::invalid_argument(e.message);
}

std::optional<std::string> StringField(const json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

Parsed<json> ParseJsonObject(std::string_view body) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return BadRequest{"request body is not valid JSON"};
  if (!j.is_object()) return BadRequest{"request body must be a JSON object"};
  // in_place: json converts from (almost) anything, so the plain constructor is ambiguous.
  return Parsed<json>(boost::system::in_place_value, std::move(j));
}

namespace {

Parsed<void> CheckKnownKeys(const json& j, std::initializer_list<const char*> known) {
  for (const auto& [key, value] : j.items()) {
    bool ok = false;
    for (const char* k : known) ok = ok || key == k;
    if (!ok && key != "type" && key != "id") return BadRequest{"unknown field '" + key + "'"};
  }
  return {};
}

Parsed<void> OptionalString(const json& j, const char* name, std::string& out) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return {};
  if (!it->is_string()) return BadRequest{std::string("'") + name + "' must be a string"};
  out = it->get<std::string>();
  return {};
}

}  // namespace

Parsed<supervisor::CreateRequest> ParseCreateRequest(const json& body) {
  supervisor::CreateRequest req;
  if (auto ok = CheckKnownKeys(body, {"provider", "key", "workdir", "argv"}); !ok) {
    return ok.error();
  }
  std::string provider = "claude-code";
  for (auto [name, out] :
       {std::pair{"provider", &provider}, {"key", &req.key}, {"workdir", &req.workdir}}) {
    if (auto ok = OptionalString(body, name, *out); !ok) return ok.error();
  }
  if (!supervisor::ParseProviderKind(provider, req.provider)) {
    return BadRequest{"provider must be \"claude-code\" or \"exec\""};
  }
  if (req.key.size() > 256) return BadRequest{"'key' is longer than 256 bytes"};
  if (auto it = body.find("argv"); it != body.end() && !it->is_null()) {
    if (!it->is_array()) return BadRequest{"'argv' must be an array of strings"};
    for (const auto& a : *it) {
      if (!a.is_string()) return BadRequest{"'argv' must be an array of strings"};
      req.argv.push_back(a.get<std::string>());
    }
  }
  return req;
}

Parsed<std::string> ParsePromptText(const json& body) {
  auto text = StringField(body, "text");
  if (!text) return BadRequest{"'text' (a string) is required"};
  return Parsed<std::string>(boost::system::in_place_value, std::move(*text));
}

Parsed<PermissionAnswer> ParsePermissionAnswer(const json& body) {
  auto behavior = StringField(body, "behavior");
  if (!behavior || (*behavior != "allow" && *behavior != "deny")) {
    return BadRequest{"'behavior' must be \"allow\" or \"deny\""};
  }
  PermissionAnswer answer;
  answer.allow = *behavior == "allow";
  if (auto ok = OptionalString(body, "message", answer.message); !ok) return ok.error();
  return answer;
}

}  // namespace hotplex::api
