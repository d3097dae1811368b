#include "supervisor/line_splitter.hpp"

#include <gtest/gtest.h>

namespace hotplex::supervisor {
namespace {

struct Line {
  std::string text;
  bool truncated;
  bool operator==(const Line&) const = default;
};

std::vector<Line> Split(std::size_t limit, const std::vector<std::string>& chunks, bool finish) {
  LineSplitter splitter(limit);
  std::vector<Line> out;
  auto handler = [&](std::string_view l, bool t) { out.push_back({std::string(l), t}); };
  for (const auto& c : chunks) splitter.Feed(c, handler);
  if (finish) splitter.Finish(handler);
  return out;
}

TEST(LineSplitter, SplitsAcrossChunks) {
  EXPECT_EQ(Split(100, {"ab", "c\nde", "f\n\n"}, false),
            (std::vector<Line>{{"abc", false}, {"def", false}, {"", false}}));
}

TEST(LineSplitter, LineOfExactlyTheLimitIsWhole) {
  EXPECT_EQ(Split(4, {"abcd\n"}, false), (std::vector<Line>{{"abcd", false}}));
}

TEST(LineSplitter, LongerLineIsCutFlaggedAndItsTailDropped) {
  EXPECT_EQ(Split(4, {"abc", "defgh", "ij\nnext\n"}, false),
            (std::vector<Line>{{"abcd", true}, {"next", false}}));
}

TEST(LineSplitter, FinishDeliversUnterminatedLastLine) {
  EXPECT_EQ(Split(100, {"a\nlast"}, true), (std::vector<Line>{{"a", false}, {"last", false}}));
  EXPECT_EQ(Split(100, {"a\n"}, true), (std::vector<Line>{{"a", false}}));
}

TEST(LineSplitter, HandlesSixteenMebibyteLines) {
  const std::string big(kDefaultMaxLineBytes, 'x');
  auto lines = Split(kDefaultMaxLineBytes, {big, "\n", big, "y\nok\n"}, false);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_FALSE(lines[0].truncated);
  EXPECT_EQ(lines[0].text.size(), kDefaultMaxLineBytes);
  EXPECT_TRUE(lines[1].truncated);
  EXPECT_EQ(lines[2], (Line{"ok", false}));
}

}  // namespace
}  // namespace hotplex::supervisor
