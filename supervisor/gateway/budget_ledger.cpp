#include "supervisor/gateway/budget_ledger.hpp"

namespace hotplex::gateway {
namespace {

std::int64_t DayKey(BudgetLedger::Clock::time_point now) {
  return std::chrono::floor<std::chrono::days>(now).time_since_epoch().count();
}

std::int64_t MonthKey(BudgetLedger::Clock::time_point now) {
  const std::chrono::year_month_day ymd{std::chrono::floor<std::chrono::days>(now)};
  return static_cast<std::int64_t>(static_cast<int>(ymd.year())) * 12 +
         static_cast<std::int64_t>(static_cast<unsigned>(ymd.month())) - 1;
}

}  // namespace

// What an account has spent in the periods `now` falls in (a new day or month
// starts from zero).
Spent BudgetLedger::Current(const Account& account, Clock::time_point now) {
  Spent spent;
  if (account.day_key == DayKey(now)) spent.day = account.spent.day;
  if (account.month_key == MonthKey(now)) spent.month = account.spent.month;
  return spent;
}

std::optional<std::string> BudgetLedger::Exceeded(const std::string& tenant,
                                                  const TokenBudget& budget,
                                                  Clock::time_point now) const {
  const Spent spent = SpentBy(tenant, now);
  if (budget.tokens_per_day != 0 && spent.day >= budget.tokens_per_day) {
    return "tenant '" + tenant + "' has used " + std::to_string(spent.day) +
           " model tokens today (UTC), its policy's model_gateway.budget.tokens_per_day is " +
           std::to_string(budget.tokens_per_day) + "; it resets at 00:00 UTC";
  }
  if (budget.tokens_per_month != 0 && spent.month >= budget.tokens_per_month) {
    return "tenant '" + tenant + "' has used " + std::to_string(spent.month) +
           " model tokens this month (UTC), its policy's model_gateway.budget.tokens_per_month "
           "is " +
           std::to_string(budget.tokens_per_month) + "; it resets on the 1st, 00:00 UTC";
  }
  return std::nullopt;
}

void BudgetLedger::Charge(const std::string& tenant, std::uint64_t tokens, Clock::time_point now) {
  std::lock_guard lock(mu_);
  Account& account = accounts_[tenant];
  account.spent = Current(account, now);
  account.day_key = DayKey(now);
  account.month_key = MonthKey(now);
  account.spent.day += tokens;
  account.spent.month += tokens;
}

Spent BudgetLedger::SpentBy(const std::string& tenant, Clock::time_point now) const {
  std::lock_guard lock(mu_);
  auto it = accounts_.find(tenant);
  if (it == accounts_.end()) return {};
  return Current(it->second, now);
}

}  // namespace hotplex::gateway
