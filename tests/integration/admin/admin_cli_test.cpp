// The management CLI (the real hotplexd binary) against an in-process daemon:
// exit codes scripts rely on and --json output that parses.
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>

#include <sqlite3.h>

#include "tests/integration/admin/admin_fixture.hpp"

namespace hotplex::testing {
namespace {

struct CliResult {
  int exit_code = -1;
  std::string out;
};

class AdminCli : public AdminFixture {
 protected:
  // Runs `hotplexd ARGS --server … --state-dir …` (connection options appended
  // unless `connect` is false); stderr goes to <dir>/cli.err.
  CliResult Run(const std::string& args, bool connect = true, const std::string& env = "") {
    std::string command = env + " " + std::string(HOTPLEX_BINARY_DIR) + "/hotplexd " + args;
    if (connect) {
      command += " --server http://127.0.0.1:" + std::to_string(daemon_->AdminPort()) +
                 " --state-dir " + config_.state_dir;
    }
    command += " 2>" + dir_ + "/cli.err";
    CliResult r;
    std::FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) {
      ADD_FAILURE() << "popen failed: " << command;
      return r;
    }
    std::array<char, 4096> buffer;
    for (std::size_t n; (n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0;) {
      r.out.append(buffer.data(), n);
    }
    const int status = ::pclose(pipe);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
  }
  std::string Stderr() {
    std::ifstream in(dir_ + "/cli.err");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
};

TEST_F(AdminCli, StatusAsJsonAndAsText) {
  auto j = Run("status --json");
  ASSERT_EQ(j.exit_code, 0) << Stderr();
  auto parsed = json::parse(j.out);
  EXPECT_TRUE(parsed.contains("uptime_s"));
  auto text = Run("status");
  ASSERT_EQ(text.exit_code, 0) << Stderr();
  EXPECT_NE(text.out.find("sessions"), std::string::npos) << text.out;
}

TEST_F(AdminCli, SessionListShowLogsKill) {
  const std::string id = CreateCatSession(kKeyA)["id"];
  ASSERT_EQ(Call("POST", "/v1/sessions/" + id + "/messages", R"({"text":"ping"})", kKeyA).status,
            202);
  WaitForEvent(id, 0, "text");
  auto list = Run("session list --json --tenant a");
  ASSERT_EQ(list.exit_code, 0) << Stderr();
  ASSERT_EQ(json::parse(list.out)["sessions"].size(), 1u);
  auto table = Run("session list");
  EXPECT_NE(table.out.find("TENANT"), std::string::npos);
  EXPECT_NE(table.out.find(id), std::string::npos);
  auto show = Run("session show " + id + " --json");
  ASSERT_EQ(show.exit_code, 0) << Stderr();
  EXPECT_EQ(json::parse(show.out)["tenant"], "a");
  auto logs = Run("session logs " + id + " --json");
  ASSERT_EQ(logs.exit_code, 0) << Stderr();
  EXPECT_NE(logs.out.find("\"ping\""), std::string::npos) << logs.out;
  auto killed = Run("session kill " + id + " --json");
  ASSERT_EQ(killed.exit_code, 0) << Stderr();
  EXPECT_EQ(json::parse(killed.out)["state"], "dead");
  EXPECT_EQ(Run("session show " + id).exit_code, 1);
  EXPECT_EQ(Run("session kill " + id).exit_code, 1);
}

TEST_F(AdminCli, AuditQueryExportVerify) {
  Admin("GET", "/admin/v1/stats", "", "wrong");
  ASSERT_FALSE(AuditOf("auth.failure").empty());
  auto query = Run("audit query --type auth.failure --json");
  ASSERT_EQ(query.exit_code, 0) << Stderr();
  EXPECT_GE(json::parse(query.out)["entries"].size(), 1u);
  auto exported = Run("audit export --type 'auth.*'");
  ASSERT_EQ(exported.exit_code, 0) << Stderr();
  EXPECT_EQ(json::parse(exported.out.substr(0, exported.out.find('\n')))["type"], "auth.failure");
  auto verify = Run("audit verify --json");
  ASSERT_EQ(verify.exit_code, 0) << Stderr();
  EXPECT_EQ(json::parse(verify.out)["ok"], true);
  EXPECT_EQ(Run("audit query --since yesterday").exit_code, 1);
}

// Offline: the database file itself, no daemon connection (no --server, no
// token); an edited row is named by its seq and exits 1.
TEST_F(AdminCli, AuditVerifyOfADatabaseFileNamesTheEditedRow) {
  Admin("GET", "/admin/v1/stats", "", "wrong");
  Admin("GET", "/admin/v1/stats", "", "wrong again");
  auto failures = AuditOf("auth.failure", 2);
  ASSERT_GE(failures.size(), 2u);
  const std::string db = config_.state_dir + "/audit.db";
  auto ok = Run("audit verify --database " + db + " --json", false);
  ASSERT_EQ(ok.exit_code, 0) << Stderr();
  EXPECT_EQ(json::parse(ok.out)["ok"], true) << ok.out;
  const auto seq = failures.back()["seq"].get<std::int64_t>();
  sqlite3* handle = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &handle), SQLITE_OK);
  sqlite3_busy_timeout(handle, 5000);
  const std::string edit =
      "UPDATE audit SET actor = 'someone-else' WHERE seq = " + std::to_string(seq);
  EXPECT_EQ(sqlite3_exec(handle, edit.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(handle);
  auto broken = Run("audit verify --database " + db, false);
  EXPECT_EQ(broken.exit_code, 1) << Stderr();
  EXPECT_NE(broken.out.find("BROKEN at seq " + std::to_string(seq)), std::string::npos)
      << broken.out;
  EXPECT_EQ(Run("audit verify --database " + dir_ + "/missing.db", false).exit_code, 1);
  EXPECT_NE(Stderr().find("missing.db"), std::string::npos) << Stderr();
}

TEST_F(AdminCli, PolicyReloadAndConfigValidate) {
  auto reload = Run("policy reload --json");
  // broken.yaml is still broken: some policies rejected -> 1, with the JSON.
  EXPECT_EQ(reload.exit_code, 1) << Stderr();
  EXPECT_EQ(json::parse(reload.out)["failed"], json::array({"broken"}));
  std::ofstream(dir_ + "/good.yaml") << "listen: 127.0.0.1:0\nadmin_insecure: false\n";
  std::ofstream(dir_ + "/bad.yaml") << "listen: 127.0.0.1:0\nadmin_tls:\n  cert: [1]\nnope: 1\n";
  EXPECT_EQ(Run("config validate " + dir_ + "/good.yaml", false).exit_code, 0) << Stderr();
  EXPECT_EQ(Run("config validate " + dir_ + "/bad.yaml", false).exit_code, 1);
  const std::string err = Stderr();
  EXPECT_NE(err.find("bad.yaml:3:"), std::string::npos) << err;
  EXPECT_NE(err.find("bad.yaml:4:1: nope: unknown key"), std::string::npos) << err;
  EXPECT_EQ(Run("config validate", false).exit_code, 2);
}

TEST_F(AdminCli, ExitCodesForUsageAuthAndUnreachable) {
  EXPECT_EQ(Run("session frobnicate").exit_code, 2);
  EXPECT_EQ(Run("status --token-file " + dir_ + "/none").exit_code, 4);
  std::ofstream(dir_ + "/wrong-token") << "hpa_wrong\n";
  EXPECT_EQ(Run("status --token-file " + dir_ + "/wrong-token").exit_code, 4);
  EXPECT_EQ(Run("status --json", true, "HOTPLEX_ADMIN_TOKEN=" + admin_token_).exit_code, 0);
  EXPECT_EQ(
      Run("status --server http://127.0.0.1:1 --state-dir " + config_.state_dir, false).exit_code,
      3);
}

}  // namespace
}  // namespace hotplex::testing
