#include "api/event_json.hpp"

namespace hotplex::api {
namespace sv = supervisor;
using nlohmann::json;

std::string EventToSse(const sv::Event& event) {
  std::string out;
  if (event.seq != 0) out += "id: " + std::to_string(event.seq) + "\n";
  out += "event: ";
  out += sv::EventTypeName(event.payload);
  out += "\ndata: " + EventToJsonText(event) + "\n\n";
  return out;
}

json SessionToJson(const sv::SessionRecord& r) {
  using std::chrono::milliseconds;
  using std::chrono::system_clock;
  json j = {
      {"id", r.id},
      {"provider", sv::ProviderKindName(r.provider)},
      {"state", sv::SessionStateName(r.state)},
      {"state_reason", r.state_reason},
      {"policy", r.policy},
      {"workdir", r.workdir},
      {"created_at", FormatTimestamp(system_clock::time_point(milliseconds(r.created_ms)))},
      {"last_active_at", FormatTimestamp(system_clock::time_point(milliseconds(r.last_active_ms)))},
      {"turns", r.turns},
      {"last_seq", r.last_seq},
      {"usage",
       {{"input_tokens", r.input_tokens},
        {"output_tokens", r.output_tokens},
        {"cache_read_tokens", r.cache_read_tokens},
        {"cache_creation_tokens", r.cache_creation_tokens},
        {"cost_usd", r.cost_usd}}},
  };
  if (!r.key.empty()) j["key"] = r.key;
  if (!r.argv.empty()) j["argv"] = r.argv;
  return j;
}

}  // namespace hotplex::api
