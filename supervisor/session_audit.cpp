// Session: its audit records (supervisor/audit/AUDIT.md). Decisions are waited for
// (the provider answers the agent only once the record is durable); the other
// records are appended without waiting.
#include <boost/asio/post.hpp>

#include "supervisor/audit/sha256.hpp"
#include "supervisor/egress/egress_config.hpp"
#include "supervisor/metrics/metrics.hpp"
#include "supervisor/session.hpp"

namespace hotplex::supervisor {
namespace {

// Categories of the tool governor itself; any other category of a policy denial
// is a command-firewall rule's (policies/builtin_rules.hpp).
bool IsFirewallCategory(const std::string& category) {
  return !category.empty() && category != "tools" && category != "files" && category != "network";
}

nlohmann::json DecisionData(const PermissionDecision& d) {
  return {{"request_id", d.request_id},
          {"tool", d.tool},
          {"input_summary", d.input_summary},
          {"decision", d.allowed ? "allow" : "deny"},
          {"rule", d.rule},
          {"level", d.level},
          {"category", d.category},
          {"message", d.message},
          {"source", DecisionSourceName(d.source)}};
}

std::string DecisionActor(const PermissionDecision& d, const std::string& tenant) {
  switch (d.source) {
    case DecisionSource::kPolicy: return "policy";
    case DecisionSource::kClient: return "client:" + tenant;
    case DecisionSource::kTimeout: return "system:ask-timeout";
    case DecisionSource::kCancelled: return "agent";
    case DecisionSource::kShutdown: return "system";
  }
  return "system";
}

}  // namespace

void Session::Audit(const char* type, nlohmann::json data, std::string actor) {
  std::lock_guard lock(mu_);
  AuditLocked(type, std::move(data), std::move(actor));
}

void Session::AuditLocked(const char* type, nlohmann::json data, std::string actor) {
  if (deps_.audit == nullptr) return;
  deps_.audit->Append(AuditRecord{type, tenant_id_, id_, std::move(actor), std::move(data)},
                      nullptr);
}

void Session::AuditPromptLocked(std::string_view text) {
  nlohmann::json data = {
      {"bytes", text.size()}, {"sha256", Sha256Hex(text)}, {"turn", record_.turns + 1}};
  if (deps_.audit_prompt_text) data["text"] = std::string(text);
  AuditLocked(audit_type::kPrompt, std::move(data), "client:" + tenant_id_);
}

void Session::RecordDecision(PermissionDecision decision,
                             std::function<void(const hotplex::Status&)> then) {
  if (deps_.audit == nullptr) return then({});
  if (!decision.allowed && decision.source == DecisionSource::kPolicy &&
      IsFirewallCategory(decision.category)) {
    AuditLocked(audit_type::kFirewallBlock,
                {{"category", decision.category},
                 {"rule", decision.rule},
                 {"level", decision.level},
                 {"tool", decision.tool},
                 {"input_summary", decision.input_summary}},
                "policy");
  }
  AuditRecord record{audit_type::kToolDecision, tenant_id_, id_,
                     DecisionActor(decision, tenant_id_), DecisionData(decision)};
  // `done` runs on the store's writer thread: hop back to the strand and take the
  // lock like every other callback; a newer agent process makes it moot.
  std::weak_ptr<Session> weak = weak_from_this();
  const std::uint64_t generation = generation_;
  deps_.audit->Append(std::move(record), [weak, generation, then = std::move(then)](
                                             const hotplex::Status& durable) mutable {
    auto self = weak.lock();
    if (!self) return;
    boost::asio::post(self->strand_, [weak, generation, durable, then = std::move(then)] {
      auto self = weak.lock();
      if (!self) return;
      std::lock_guard lock(self->mu_);
      if (generation != self->generation_ || !self->provider_) return;
      then(durable);
    });
  });
}

// Each egress decision goes to the audit log (supervisor/egress/EGRESS.md); it runs on
// the gateway's strand, so it takes the session's lock like the other callbacks.
std::function<void(const EgressDecision&)> Session::EgressRecorder() {
  std::weak_ptr<Session> weak = weak_from_this();
  return [weak](const EgressDecision& d) {
    Metrics::Global().Egress(d.allowed);
    auto self = weak.lock();
    if (!self) return;
    std::lock_guard lock(self->mu_);
    if (self->deps_.audit == nullptr) return;
    AuditRecord record{audit_type::kEgress,
                       self->tenant_id_,
                       self->id_,
                       "policy",
                       {{"via", d.via},
                        {"host", d.host},
                        {"port", d.port},
                        {"allowed", d.allowed},
                        {"reason", d.reason}}};
    self->deps_.audit->Append(std::move(record), nullptr);
  };
}

}  // namespace hotplex::supervisor
