#include "supervisor/daemon_config.hpp"

#include <gtest/gtest.h>

namespace hotplex::supervisor {
namespace {

TEST(DaemonConfig, EmptyFileKeepsTheDefaults) {
  auto c = ParseDaemonConfig("", "c.yaml");
  ASSERT_TRUE(c) << c.error().Describe();
  EXPECT_EQ(c->api.ToString(), "127.0.0.1:8080");
  EXPECT_EQ(c->admin.ToString(), "127.0.0.1:9080");
  EXPECT_EQ(c->state_dir, "./var/hotplex");
  EXPECT_EQ(c->events.ring_size, 4096u);
  EXPECT_EQ(c->events.max_line_bytes, 1u << 20);
  EXPECT_EQ(c->events.ring_bytes, 8u << 20);
  EXPECT_EQ(c->events.subscriber_queue_bytes, 16u << 20);
  EXPECT_EQ(c->transcripts.session_quota, 64u << 20);
  EXPECT_TRUE(c->tenants.empty());
}

TEST(DaemonConfig, ReadsEveryKey) {
  const char* yaml = R"(
listen: 0.0.0.0:1234
admin_listen: 127.0.0.1:0
state_dir: /srv/hotplex
policy_dir: /etc/hotplex/policies
threads: 3
shutdown_grace: 2s
http: {body_limit: 4MiB, request_timeout: 10s, websocket_message_limit: 1MiB, sse_keepalive: 5s}
events: {ring_size: 100, subscriber_queue: 50, max_line_bytes: 1MiB}
claude_code: {command: [/opt/claude/claude]}
sandbox: {extra_mounts: [/opt/claude, "/a:/b"]}
tenants:
  - id: acme
    team: team-a
    api_key_sha256: [ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad]
    workspace_root: /srv/ws/acme
    uid: 61000
    gid: 61001
)";
  auto c = ParseDaemonConfig(yaml, "c.yaml");
  ASSERT_TRUE(c) << c.error().Describe();
  EXPECT_EQ(c->api.ToString(), "0.0.0.0:1234");
  EXPECT_EQ(c->admin.port, 0);
  EXPECT_EQ(c->threads, 3u);
  EXPECT_EQ(c->shutdown_grace.count(), 2000);
  EXPECT_EQ(c->http.body_limit, 4u << 20);
  EXPECT_EQ(c->http.sse_keepalive.count(), 5000);
  EXPECT_EQ(c->events.subscriber_queue, 50u);
  EXPECT_EQ(c->claude_command, (std::vector<std::string>{"/opt/claude/claude"}));
  ASSERT_EQ(c->extra_mounts.size(), 2u);
  EXPECT_EQ(c->extra_mounts[1].target, "/b");
  ASSERT_EQ(c->tenants.size(), 1u);
  EXPECT_EQ(c->tenants[0].team, "team-a");
  EXPECT_EQ(c->tenants[0].uid, 61000u);
  EXPECT_EQ(c->tenants[0].gid, 61001u);
}

struct BadCase {
  const char* yaml;
  const char* expected;  // a substring of the error, with file:line:column
};

TEST(DaemonConfig, ReportsEveryProblemWithFileLineColumn) {
  const BadCase cases[] = {
      {"listen: 127.0.0.1:8080\nlistn: x\n", "c.yaml:2:1: listn: unknown key"},
      {"listen: nope\n", "c.yaml:1:9: listen: expected HOST:PORT"},
      {"listen: 1.2.3.4:99999\n", "c.yaml:1:9: listen: port must be 0..65535"},
      {"http:\n  body_limit: lots\n", "c.yaml:2:15: http.body_limit: expected a positive size"},
      {"http:\n  sse_keepalive: soon\n", "c.yaml:2:18: http.sse_keepalive:"},
      {"threads: -1\n", "c.yaml:1:10: threads: expected an integer"},
      {"events: [1]\n", "c.yaml:1:9: events: expected a mapping"},
      {"tenants:\n  - id: Bad!\n    api_key_sha256: [x]\n", "tenants[0].id: expected [a-z0-9_-]"},
      {"tenants:\n  - id: a\n    api_key_sha256: [x]\n", "not a lowercase hex SHA-256"},
      {"tenants:\n  - id: a\n    uid: 0\n    api_key_sha256: "
       "[ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad]\n",
       "uid/gid 0 (host root) is refused"},
      {"sandbox: {extra_mounts: [relative/path]}\n", "must be an absolute path"},
      {"listen: [unclosed\n", "c.yaml:2:1:"},
  };
  for (const auto& c : cases) {
    auto parsed = ParseDaemonConfig(c.yaml, "c.yaml");
    ASSERT_FALSE(parsed) << c.yaml;
    EXPECT_NE(parsed.error().Describe().find(c.expected), std::string::npos)
        << "yaml: " << c.yaml << "\nerror: " << parsed.error().Describe();
  }
}

TEST(DaemonConfig, ListsAllErrorsAtOnce) {
  auto parsed = ParseDaemonConfig("a: 1\nb: 2\nthreads: x\n", "c.yaml");
  ASSERT_FALSE(parsed);
  const std::string e = parsed.error().Describe();
  EXPECT_NE(e.find("c.yaml:1:1: a: unknown key"), std::string::npos) << e;
  EXPECT_NE(e.find("c.yaml:2:1: b: unknown key"), std::string::npos) << e;
  EXPECT_NE(e.find("c.yaml:3:10: threads"), std::string::npos) << e;
}

TEST(DaemonConfig, UnknownKeysGetADidYouMean) {
  auto parsed = ParseDaemonConfig("listn: x\nhttp:\n  body_limt: 1MiB\nzzz: 1\n", "c.yaml");
  ASSERT_FALSE(parsed);
  const std::string e = parsed.error().Describe();
  EXPECT_NE(e.find("c.yaml:1:1: listn: unknown key; did you mean 'listen'?"), std::string::npos)
      << e;
  EXPECT_NE(e.find("c.yaml:3:3: http.body_limt: unknown key; did you mean 'body_limit'?"),
            std::string::npos)
      << e;
  EXPECT_TRUE(e.ends_with("c.yaml:4:1: zzz: unknown key")) << e;  // nothing close to it
}

TEST(DaemonConfig, MissingFileIsAnError) {
  auto parsed = LoadDaemonConfig("/nonexistent/hotplex.yaml");
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().Describe().find("/nonexistent/hotplex.yaml"), std::string::npos);
}

}  // namespace
}  // namespace hotplex::supervisor
