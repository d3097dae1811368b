#include "supervisor/session_store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdlib>
#include <filesystem>

#include "tests/support/temp_dir.hpp"

namespace hotplex::supervisor {
namespace {

class SessionStoreTest : public ::testing::Test {
 protected:
  std::string Path() const { return dir_ + "/sessions.db"; }
  hotplex::testing::TempDir tmp_{"hotplex-store"};
  const std::string dir_ = tmp_.Path();
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
    (*store)->Save(Sample("one"));
    ASSERT_TRUE((*store)->Flush());
    auto two = Sample("two");
    two.provider = ProviderKind::kClaudeCode;
    two.argv.clear();
    two.created_ms = 3000;
    (*store)->Save(two);
    ASSERT_TRUE((*store)->Flush());
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
  (*store)->Save(r);
  ASSERT_TRUE((*store)->Flush());
  r.turns = 9;
  (*store)->Save(r);
  ASSERT_TRUE((*store)->Flush());
  auto all = (*store)->LoadAll();
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].turns, 9u);
  (*store)->Remove("one");
  ASSERT_TRUE((*store)->Flush());
  EXPECT_TRUE((*store)->LoadAll()->empty());
}

TEST_F(SessionStoreTest, ConversationIdAndHomeAreStoredApartFromTheSessionId) {
  auto store = SessionStore::Open(Path());
  ASSERT_TRUE(store);
  auto r = Sample("session-1");
  r.conversation_id = "pooled-7";
  r.home = "/s/homes/pooled-7";
  (*store)->Save(r);
  ASSERT_TRUE((*store)->Flush());
  auto all = (*store)->LoadAll();
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].conversation_id, "pooled-7");
  EXPECT_EQ((*all)[0].home, "/s/homes/pooled-7");
  EXPECT_EQ(ConversationIdOf((*all)[0]), "pooled-7");
}

// A database written before the conversation_id column: opened, migrated in
// place, its rows read with conversation id = session id, and writable again.
TEST_F(SessionStoreTest, RowsOfTheOldSchemaGetTheirSessionIdAsConversationId) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(Path().c_str(), &db), SQLITE_OK);
  const char* old_schema =
      "CREATE TABLE sessions (id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, client_key TEXT NOT "
      "NULL, provider TEXT NOT NULL, policy TEXT NOT NULL, workdir TEXT NOT NULL, home TEXT NOT "
      "NULL, argv TEXT NOT NULL, created_ms INTEGER NOT NULL, last_active_ms INTEGER NOT NULL, "
      "state TEXT NOT NULL, state_reason TEXT NOT NULL, turns INTEGER NOT NULL, turns_ended "
      "INTEGER NOT NULL, has_conversation INTEGER NOT NULL, last_seq INTEGER NOT NULL, "
      "input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, cache_read_tokens INTEGER "
      "NOT NULL, cache_creation_tokens INTEGER NOT NULL, cost_usd REAL NOT NULL);"
      "INSERT INTO sessions VALUES "
      "('old-1','acme','','claude-code','default','/w','/s/homes/old-1',"
      "'[]',1,2,'ready','',1,1,1,5,0,0,0,0,0);";
  ASSERT_EQ(sqlite3_exec(db, old_schema, nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  for (int reopen = 0; reopen < 2; ++reopen) {  // the migration runs once, then is a no-op
    auto store = SessionStore::Open(Path());
    ASSERT_TRUE(store) << store.error().Describe();
    auto all = (*store)->LoadAll();
    ASSERT_TRUE(all) << all.error().Describe();
    ASSERT_EQ(all->size(), reopen == 0 ? 1u : 2u);
    EXPECT_EQ((*all)[0].conversation_id, "old-1");
    EXPECT_EQ((*all)[0].home, "/s/homes/old-1");
    if (reopen == 0) {
      (*store)->Save(Sample("new-1"));
      ASSERT_TRUE((*store)->Flush());
    }
  }
}

// Writes are queued: the latest change of a session wins, a removal after
// saves leaves no row, and the destructor commits what is still queued.
TEST_F(SessionStoreTest, QueuedChangesCoalesceAndAreCommittedOnClose) {
  {
    auto store = SessionStore::Open(Path());
    ASSERT_TRUE(store);
    auto r = Sample("kept");
    for (int turn = 1; turn <= 500; ++turn) {
      r.turns = static_cast<std::uint64_t>(turn);
      (*store)->Save(r);
      (*store)->Save(Sample("dropped-" + std::to_string(turn % 7)));
    }
    for (int i = 0; i < 7; ++i) (*store)->Remove("dropped-" + std::to_string(i));
    (*store)->Remove("never-saved");
  }  // no Flush: the destructor drains the queue
  auto store = SessionStore::Open(Path());
  ASSERT_TRUE(store);
  auto all = (*store)->LoadAll();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].id, "kept");
  EXPECT_EQ((*all)[0].turns, 500u);
}

// A session deleted and created again under the same id (same client key) is
// stored again: the last queued change is the save.
TEST_F(SessionStoreTest, RemoveThenSaveOfTheSameIdKeepsTheRow) {
  auto store = SessionStore::Open(Path());
  ASSERT_TRUE(store);
  (*store)->Save(Sample("same"));
  ASSERT_TRUE((*store)->Flush());
  (*store)->Remove("same");
  auto again = Sample("same");
  again.turns = 0;
  (*store)->Save(again);
  ASSERT_TRUE((*store)->Flush());
  auto all = (*store)->LoadAll();
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].turns, 0u);
}

TEST_F(SessionStoreTest, OpenFailsClearlyOnAnUnwritablePath) {
  auto store = SessionStore::Open(dir_ + "/missing/dir/sessions.db");
  ASSERT_FALSE(store);
  EXPECT_NE(store.error().Describe().find("open"), std::string::npos);
}

}  // namespace
}  // namespace hotplex::supervisor
