#include "supervisor/gateway/budget_ledger.hpp"

#include <gtest/gtest.h>

namespace hotplex::gateway {
namespace {

using namespace std::chrono;

BudgetLedger::Clock::time_point At(int y, unsigned m, unsigned d, int hour) {
  return sys_days{year{y} / month{m} / day{d}} + hours{hour};
}

TEST(BudgetLedger, DailyBudgetRefusesAtTheLimitAndResetsAtMidnightUtc) {
  BudgetLedger ledger;
  const TokenBudget budget{/*per day*/ 100, /*per month*/ 0};
  const auto morning = At(2026, 12, 6, 9);
  EXPECT_FALSE(ledger.Exceeded("t", budget, morning));
  ledger.Charge("t", 99, morning);
  EXPECT_FALSE(ledger.Exceeded("t", budget, morning)) << "99 < 100: one more call may start";
  ledger.Charge("t", 30, morning);  // a call that started under budget may end over it
  auto why = ledger.Exceeded("t", budget, morning);
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("129"), std::string::npos) << *why;
  EXPECT_NE(why->find("tokens_per_day"), std::string::npos) << *why;
  EXPECT_FALSE(ledger.Exceeded("other", budget, morning)) << "budgets are per tenant";
  EXPECT_FALSE(ledger.Exceeded("t", budget, At(2026, 12, 7, 0))) << "a new UTC day";
  EXPECT_EQ(ledger.SpentBy("t", At(2026, 12, 7, 0)).month, 129u);
}

TEST(BudgetLedger, MonthlyBudgetSpansDaysAndResetsOnTheFirst) {
  BudgetLedger ledger;
  const TokenBudget budget{0, 250};
  ledger.Charge("t", 100, At(2026, 11, 28, 12));
  ledger.Charge("t", 100, At(2026, 11, 29, 12));
  EXPECT_FALSE(ledger.Exceeded("t", budget, At(2026, 11, 30, 23)));
  ledger.Charge("t", 60, At(2026, 11, 30, 23));
  auto why = ledger.Exceeded("t", budget, At(2026, 11, 30, 23));
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("tokens_per_month"), std::string::npos) << *why;
  const auto december = At(2026, 12, 1, 0);
  EXPECT_FALSE(ledger.Exceeded("t", budget, december));
  EXPECT_EQ(ledger.SpentBy("t", december).month, 0u);
  ledger.Charge("t", 5, december);
  EXPECT_EQ(ledger.SpentBy("t", december).day, 5u);
  EXPECT_EQ(ledger.SpentBy("t", december).month, 5u);
}

TEST(BudgetLedger, ZeroMeansNoBudget) {
  BudgetLedger ledger;
  ledger.Charge("t", 1'000'000'000, At(2026, 1, 1, 0));
  EXPECT_FALSE(ledger.Exceeded("t", TokenBudget{}, At(2026, 1, 1, 1)));
}

}  // namespace
}  // namespace hotplex::gateway
