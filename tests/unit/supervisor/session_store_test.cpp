#include "supervisor/session_store.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

namespace hotplex::supervisor {
namespace {

class SessionStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/hotplex-store-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Path() const { return dir_ + "/sessions.db"; }
  std::string dir_;
};

SessionRecord Sample(std::string id) {
  SessionRecord r;
  r.id = std::move(id);
  r.tenant_id = "acme";
  r.key = "bot";
  r.provider = ProviderKind::kExec;
  r.policy = "default";
  r.workdir = "/w/acme";
  r.home = "/s/homes/x";
  r.argv = {"bash", "-i"};
  r.created_ms = 1000;
  r.last_active_ms = 2000;
  r.state = SessionState::kBusy;
  r.turns = 3;
  r.turns_ended = 2;
  r.has_conversation = true;
  r.last_seq = 77;
  r.input_tokens = 10;
  r.output_tokens = 20;
  r.cost_usd = 0.5;
  return r;
}

TEST_F(SessionStoreTest, RecordsSurviveReopen) {
  {
    auto store = SessionStore::Open(Path());
    ASSERT_TRUE(store) << store.error().Describe();
    ASSERT_TRUE((*store)->Save(Sample("one")));
    auto two = Sample("two");
    two.provider = ProviderKind::kClaudeCode;
    two.argv.clear();
    two.created_ms = 3000;
    ASSERT_TRUE((*store)->Save(two));
  }
  auto store = SessionStore::Open(Path());
  ASSERT_TRUE(store);
  auto all = (*store)->LoadAll();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  const SessionRecord& r = (*all)[0];
  EXPECT_EQ(r.id, "one");
  EXPECT_EQ(r.provider, ProviderKind::kExec);
  EXPECT_EQ(r.argv, (std::vector<std::string>{"bash", "-i"}));
  EXPECT_EQ(r.state, SessionState::kBusy);
  EXPECT_EQ(r.turns, 3u);
  EXPECT_TRUE(r.has_conversation);
  EXPECT_EQ(r.last_seq, 77u);
  EXPECT_DOUBLE_EQ(r.cost_usd, 0.5);
  EXPECT_EQ((*all)[1].provider, ProviderKind::kClaudeCode);
}

TEST_F(SessionStoreTest, SaveUpdatesAndRemoveDeletes) {
  auto store = SessionStore::Open(Path());
  ASSERT_TRUE(store);
  auto r = Sample("one");
  ASSERT_TRUE((*store)->Save(r));
  r.turns = 9;
  ASSERT_TRUE((*store)->Save(r));
  auto all = (*store)->LoadAll();
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].turns, 9u);
  ASSERT_TRUE((*store)->Remove("one"));
  EXPECT_TRUE((*store)->LoadAll()->empty());
}

TEST_F(SessionStoreTest, OpenFailsClearlyOnAnUnwritablePath) {
  auto store = SessionStore::Open(dir_ + "/missing/dir/sessions.db");
  ASSERT_FALSE(store);
  EXPECT_NE(store.error().Describe().find("open"), std::string::npos);
}

}  // namespace
}  // namespace hotplex::supervisor
