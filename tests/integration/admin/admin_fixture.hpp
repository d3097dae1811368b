// AdminFixture: the API tests' in-process daemon (tenants a, b on `test`, c on
// `short`, the fake agent under the spawn backend) restarted with a real
// PolicyStore over a temp policy directory (team.yaml valid, broken.yaml with
// errors), plus clients for the admin listener: JSON calls, raw text, and SSE
// reads that stop when a predicate says so. Every wait is bounded.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "policies/policy_store.hpp"
#include "tests/integration/api/api_fixture.hpp"

namespace hotplex::testing {

struct SseEvent {
  std::string event;
  json data;
};

struct TextResult {
  int status = 0;
  std::string body;
  httplib::Headers headers;
};

class AdminFixture : public ApiFixture {
 protected:
  void SetUp() override;
  void TearDown() override;
  void StartAdminDaemon();

  HttpResult Admin(const std::string& method, const std::string& path, const std::string& body = "",
                   const std::string& token = "<admin>");
  TextResult AdminText(const std::string& path, const std::string& token = "<admin>");
  // Reads an SSE route until `done` is true for the events so far (or the timeout).
  std::vector<SseEvent> ReadAdminSse(const std::string& path,
                                     const std::function<bool(const std::vector<SseEvent>&)>& done,
                                     std::chrono::seconds timeout = std::chrono::seconds(15));
  // The audit entries of `type`, polled (bounded) until there are `at_least`.
  std::vector<json> AuditOf(const std::string& type, std::size_t at_least = 1);
  // An exec session (/bin/cat) of `key`'s tenant, waiting until it is ready.
  json CreateCatSession(const std::string& key);

  std::string admin_token_;
  std::string policy_dir_;
  std::unique_ptr<policies::PolicyStore> policy_store_;
};

}  // namespace hotplex::testing
