// The management CLI: `hotplexd status`, `session list|show|kill|logs`,
// `audit query|export|verify`, `policy reload` (via cli_policy.cpp) and
// `config validate`. Every command but `config validate` talks to the admin
// API (api/ADMIN.md) through AdminClient; tables for people, --json for
// scripts, exit codes in cli_admin_client.hpp.
#include <algorithm>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "api/cli/cli.hpp"
#include "api/cli/cli_admin_client.hpp"
#include "api/cli/cli_table.hpp"
#include "supervisor/audit/audit_store.hpp"
#include "supervisor/daemon_config.hpp"

namespace hotplex::cli {
namespace {

using nlohmann::json;
namespace sv = supervisor;

constexpr const char* kSessionHelp =
    "usage: hotplexd session list [--tenant T] [--state S] [--policy P] [--json]\n"
    "       hotplexd session show ID [--json]\n"
    "       hotplexd session kill ID [--json]\n"
    "       hotplexd session logs ID [--follow] [--json]\n\n"
    "Every session of every tenant (admin API). logs prints the session's full\n"
    "transcript from disk; --follow keeps streaming its live events.\n";
constexpr const char* kAuditHelp =
    "usage: hotplexd audit query [--tenant T] [--session ID] [--type TYPE] [--since TIME]\n"
    "                            [--until TIME] [--limit N] [--json]\n"
    "       hotplexd audit export [same filters]    (NDJSON on stdout)\n"
    "       hotplexd audit verify [--json]          (exit 1 when the chain is broken)\n"
    "       hotplexd audit verify --database STATE_DIR/audit.db [--key FILE]\n"
    "                             [--witness FILE|none] [--json]\n"
    "                                               (offline: reads the files, no daemon;\n"
    "                                               key and witness default to audit-key and\n"
    "                                               audit-witness beside the database)\n\n"
    "TIME is RFC 3339 (2026-11-22T02:00:00Z) or Unix milliseconds; TYPE may end in *.\n";
constexpr const char* kStatusHelp =
    "usage: hotplexd status [--json]\n\n"
    "The daemon's state: sessions, sandboxes, memory, load.\n";
constexpr const char* kConfigHelp =
    "usage: hotplexd config validate FILE\n\n"
    "Checks a `hotplexd serve` config file; prints every problem as file:line:column.\n"
    "exit status: 0 valid, 1 invalid, 2 usage\n";

struct Command {
  std::vector<std::string> args;
  std::unique_ptr<AdminClient> client;
  bool json_output = false;
  int exit_code = kExitOk;
};

int Fail(int code, const std::string& message) {
  std::fprintf(stderr, "hotplexd: %s\n", message.c_str());
  return code;
}

// Parses the shared options; on failure returns false with cmd.exit_code set.
bool Prepare(Command& cmd, int argc, char** argv, int first) {
  for (int i = first; i < argc; ++i) cmd.args.emplace_back(argv[i]);
  cmd.json_output = TakeFlag(cmd.args, "--json");
  std::string error;
  cmd.client = AdminClient::FromArgs(cmd.args, error, cmd.exit_code);
  if (!cmd.client) Fail(cmd.exit_code, error);
  return cmd.client != nullptr;
}

bool WantsHelp(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--help" || a == "-h") return true;
  }
  return false;
}

// Prints the answer (JSON or via `human`) and returns the exit code.
int Answer(const Command& cmd, const AdminCallResult& r,
           const std::function<void(const json&)>& human) {
  if (r.exit_code != kExitOk) return Fail(r.exit_code, r.error);
  if (cmd.json_output) {
    std::printf("%s\n", r.body.dump().c_str());
  } else {
    human(r.body);
  }
  return kExitOk;
}

std::string Str(const json& j, const char* key) {
  if (!j.contains(key) || j[key].is_null()) return "-";
  return j[key].is_string() ? j[key].get<std::string>() : j[key].dump();
}

void PrintSessions(const json& sessions) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& s : sessions) {
    rows.push_back({Str(s, "id"), Str(s, "tenant"), Str(s, "state"), Str(s, "policy"),
                    Str(s, "backend"), Str(s, "turns"), Str(s, "last_active_at")});
  }
  PrintTable(stdout, {"ID", "TENANT", "STATE", "POLICY", "BACKEND", "TURNS", "LAST ACTIVE"}, rows);
}

int SessionList(Command& cmd) {
  std::string query, value, error;
  for (const char* name : {"tenant", "state", "policy"}) {
    if (TakeOption(cmd.args, std::string("--") + name, value, error)) {
      query += std::string("&") + name + "=" + UrlEncode(value);
    }
  }
  if (!error.empty() || !cmd.args.empty())
    return Fail(kExitUsage, error.empty() ? kSessionHelp : error);
  json all = json::array();
  std::string cursor;
  do {
    auto r = cmd.client->Call("GET", "/admin/v1/sessions?limit=1000" + query + cursor);
    if (r.exit_code != kExitOk) return Fail(r.exit_code, r.error);
    for (auto& s : r.body["sessions"]) all.push_back(std::move(s));
    cursor = r.body["next_cursor"].is_string()
                 ? "&cursor=" + UrlEncode(r.body["next_cursor"].get<std::string>())
                 : "";
  } while (!cursor.empty());
  AdminCallResult done;
  done.body = {{"sessions", all}};
  return Answer(cmd, done, [](const json& b) { PrintSessions(b["sessions"]); });
}

void PrintEventLine(const json& e) {
  const auto& data = e.value("data", json::object());
  std::string detail = data.contains("text") && data["text"].is_string()
                           ? data["text"].get<std::string>()
                           : data.dump();
  std::printf("%-6s %-20s %s\n", Str(e, "seq").c_str(), Str(e, "type").c_str(), detail.c_str());
}

// SSE frames -> events; keeps an incomplete frame in `pending`.
void EachSseEvent(std::string& pending, std::string_view chunk,
                  const std::function<void(const json&)>& each) {
  pending.append(chunk);
  for (auto end = pending.find("\n\n"); end != std::string::npos; end = pending.find("\n\n")) {
    const std::string frame = pending.substr(0, end);
    pending.erase(0, end + 2);
    const auto pos = frame.find("data: ");
    if (pos == std::string::npos) continue;
    auto e = json::parse(frame.substr(pos + 6, frame.find('\n', pos) - pos - 6), nullptr, false);
    if (!e.is_discarded()) each(e);
  }
}

int SessionLogs(Command& cmd, const std::string& id) {
  const bool follow = TakeFlag(cmd.args, "--follow");
  if (!cmd.args.empty()) return Fail(kExitUsage, kSessionHelp);
  auto print = [&](const json& e) {
    if (cmd.json_output) {
      std::printf("%s\n", e.dump().c_str());
    } else {
      PrintEventLine(e);
    }
    std::fflush(stdout);
  };
  const std::string base = "/admin/v1/sessions/" + UrlEncode(id) + "/transcript";
  if (follow) {
    std::string pending;
    auto r = cmd.client->Stream(base + "?follow=1", [&](std::string_view chunk) {
      EachSseEvent(pending, chunk, print);
      return true;
    });
    return r.exit_code == kExitOk ? kExitOk : Fail(r.exit_code, r.error);
  }
  std::string after = "0";
  while (true) {
    auto r = cmd.client->Call("GET", base + "?limit=10000&after=" + after);
    if (r.exit_code != kExitOk) return Fail(r.exit_code, r.error);
    for (const auto& e : r.body["events"]) print(e);
    if (!r.body["next_after"].is_number()) return kExitOk;
    after = r.body["next_after"].dump();
  }
}

int SessionMainImpl(Command& cmd) {
  if (cmd.args.empty()) return Fail(kExitUsage, kSessionHelp);
  const std::string verb = cmd.args[0];
  cmd.args.erase(cmd.args.begin());
  if (verb == "list") return SessionList(cmd);
  if (cmd.args.empty()) return Fail(kExitUsage, kSessionHelp);
  const std::string id = cmd.args[0];
  cmd.args.erase(cmd.args.begin());
  if (verb == "logs") return SessionLogs(cmd, id);
  if (!cmd.args.empty()) return Fail(kExitUsage, kSessionHelp);
  const std::string path = "/admin/v1/sessions/" + UrlEncode(id);
  if (verb == "show") {
    return Answer(cmd, cmd.client->Call("GET", path), [](const json& s) {
      for (const auto& [k, v] : s.items())
        std::printf("%-16s %s\n", k.c_str(), Str(s, k.c_str()).c_str());
    });
  }
  if (verb == "kill") {
    return Answer(cmd, cmd.client->Call("POST", path + "/kill"),
                  [](const json& s) { std::printf("killed %s\n", Str(s, "id").c_str()); });
  }
  return Fail(kExitUsage, kSessionHelp);
}

std::string AuditQueryString(Command& cmd, std::string& error) {
  std::string query, value;
  for (const char* name : {"tenant", "session", "type", "since", "until", "limit"}) {
    if (TakeOption(cmd.args, std::string("--") + name, value, error)) {
      query += std::string(query.empty() ? "?" : "&") + name + "=" + UrlEncode(value);
    }
  }
  return query;
}

void PrintAudit(const json& entries) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& e : entries) {
    rows.push_back({Str(e, "seq"), Str(e, "ts"), Str(e, "type"), Str(e, "tenant"),
                    Str(e, "session"), Str(e, "actor"), e.value("data", json::object()).dump()});
  }
  PrintTable(stdout, {"SEQ", "TIME", "TYPE", "TENANT", "SESSION", "ACTOR", "DATA"}, rows);
}

void PrintVerify(const json& b) {
  if (b.value("ok", false)) {
    std::printf("audit chain ok (%s records checked)\n", Str(b, "checked").c_str());
  } else if (b.contains("first_bad_seq") && !b["first_bad_seq"].is_null()) {
    std::printf("audit chain BROKEN at seq %s (%s): %s\n", Str(b, "first_bad_seq").c_str(),
                b.value("kind", "").c_str(), Str(b, "problem").c_str());
  } else {
    std::printf("audit chain BROKEN (%s): %s\n", b.value("kind", "").c_str(),
                Str(b, "problem").c_str());
  }
  for (const auto& p : b.value("more_problems", json::array())) {
    std::printf("  also: %s\n", p.get<std::string>().c_str());
  }
  for (const auto& w : b.value("warnings", json::array())) {
    std::printf("  warning: %s\n", w.get<std::string>().c_str());
  }
  if (!b.value("witness", "").empty()) {
    std::printf("  witness: %s\n", b.value("witness", "").c_str());
  }
}

int AuditMainImpl(Command& cmd) {
  if (cmd.args.empty()) return Fail(kExitUsage, kAuditHelp);
  const std::string verb = cmd.args[0];
  cmd.args.erase(cmd.args.begin());
  std::string error;
  const std::string query = verb == "verify" ? "" : AuditQueryString(cmd, error);
  if (!error.empty() || !cmd.args.empty())
    return Fail(kExitUsage, error.empty() ? kAuditHelp : error);
  if (verb == "query") {
    return Answer(cmd, cmd.client->Call("GET", "/admin/v1/audit" + query),
                  [](const json& b) { PrintAudit(b["entries"]); });
  }
  if (verb == "export") {
    auto r = cmd.client->Stream("/admin/v1/audit/export" + query, [](std::string_view chunk) {
      std::fwrite(chunk.data(), 1, chunk.size(), stdout);
      return true;
    });
    return r.exit_code == kExitOk ? kExitOk : Fail(r.exit_code, r.error);
  }
  if (verb == "verify") {
    auto r = cmd.client->Call("GET", "/admin/v1/audit/verify");
    const int code = Answer(cmd, r, PrintVerify);
    return code == kExitOk && !r.body.value("ok", false) ? kExitFailed : code;
  }
  return Fail(kExitUsage, kAuditHelp);
}

void PrintStatus(const json& s) {
  std::printf("ready        %s%s\n", Str(s, "ready").c_str(),
              s.value("draining", false) ? " (draining)" : "");
  std::printf("uptime       %.0f s\n", s.value("uptime_s", 0.0));
  std::printf("sessions     %s  by state %s\n", Str(s["sessions"], "total").c_str(),
              s["sessions"]["by_state"].dump().c_str());
  std::printf("sandboxes    %s alive\n", Str(s, "sandboxes_alive").c_str());
  std::printf("memory       %.1f MiB RSS, %s open fds\n",
              s["process"].value("rss_bytes", 0.0) / (1 << 20),
              Str(s["process"], "open_fds").c_str());
  std::printf("load         %s\n", s["load"].dump().c_str());
  std::printf("audit        %s\n", Str(s["audit"], "healthy").c_str());
}

// `audit verify --database FILE`: the chain of an audit.db read directly (the
// daemon may be stopped; nothing is written), same output and exit codes.
int VerifyDatabaseFile(std::vector<std::string> args) {
  const bool as_json = TakeFlag(args, "--json");
  std::string path, key, witness, error;
  TakeOption(args, "--database", path, error);
  if (error.empty()) TakeOption(args, "--key", key, error);
  if (error.empty()) TakeOption(args, "--witness", witness, error);
  if (!error.empty() || path.empty() || args.size() != 1) {
    return Fail(kExitUsage, error.empty() ? kAuditHelp : error);
  }
  auto report = sv::VerifyAuditDatabase(path, key, witness);
  if (!report) return Fail(kExitFailed, report.error().Describe());
  const json b = sv::AuditVerifyReportToJson(*report);
  if (as_json) {
    std::printf("%s\n", b.dump().c_str());
  } else {
    PrintVerify(b);
  }
  return report->ok ? kExitOk : kExitFailed;
}

}  // namespace

int StatusMain(int argc, char** argv) {
  if (WantsHelp(argc, argv))
    return std::printf("%s\n%s%s", kStatusHelp, kConnectionHelp, kExitCodesHelp), kExitOk;
  Command cmd;
  if (!Prepare(cmd, argc, argv, 1)) return cmd.exit_code;
  if (!cmd.args.empty()) return Fail(kExitUsage, kStatusHelp);
  return Answer(cmd, cmd.client->Call("GET", "/admin/v1/stats"), PrintStatus);
}

int SessionMain(int argc, char** argv) {
  if (WantsHelp(argc, argv))
    return std::printf("%s\n%s%s", kSessionHelp, kConnectionHelp, kExitCodesHelp), kExitOk;
  Command cmd;
  if (!Prepare(cmd, argc, argv, 1)) return cmd.exit_code;
  return SessionMainImpl(cmd);
}

int AuditMain(int argc, char** argv) {
  if (WantsHelp(argc, argv))
    return std::printf("%s\n%s%s", kAuditHelp, kConnectionHelp, kExitCodesHelp), kExitOk;
  std::vector<std::string> raw(argv + 1, argv + argc);
  if (!raw.empty() && raw[0] == "verify" &&
      std::find(raw.begin(), raw.end(), "--database") != raw.end()) {
    return VerifyDatabaseFile(std::move(raw));
  }
  Command cmd;
  if (!Prepare(cmd, argc, argv, 1)) return cmd.exit_code;
  return AuditMainImpl(cmd);
}

int PolicyReloadMain(int argc, char** argv) {
  Command cmd;
  if (!Prepare(cmd, argc, argv, 0)) return cmd.exit_code;
  if (!cmd.args.empty()) return Fail(kExitUsage, "usage: hotplexd policy reload [--json]");
  auto r = cmd.client->Call("POST", "/admin/v1/policies/reload");
  const int code = Answer(cmd, r, [](const json& b) {
    std::printf("loaded: %s\nfailed: %s\nremoved: %s\n", b["loaded"].dump().c_str(),
                b["failed"].dump().c_str(), b["removed"].dump().c_str());
    for (const auto& d : b["errors"]) {
      std::printf("%s:%s:%s: %s: %s\n", Str(d, "file").c_str(), Str(d, "line").c_str(),
                  Str(d, "column").c_str(), Str(d, "path").c_str(), Str(d, "message").c_str());
    }
  });
  return code == kExitOk && !r.body.value("ok", false) ? kExitFailed : code;
}

int ConfigMain(int argc, char** argv) {
  if (argc != 3 || std::string(argv[1]) != "validate") {
    std::fputs(kConfigHelp, WantsHelp(argc, argv) ? stdout : stderr);
    return WantsHelp(argc, argv) ? kExitOk : kExitUsage;
  }
  auto config = supervisor::LoadDaemonConfig(argv[2]);
  if (!config) return Fail(kExitFailed, config.error().Describe());
  std::printf("%s: ok\n", argv[2]);
  return kExitOk;
}

}  // namespace hotplex::cli
