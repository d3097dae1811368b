// BudgetLedger: model tokens spent per tenant in the current UTC day and
// month, against the policy's budgets. Charged with the upstream's own usage
// after each call; checked before a call is forwarded, so a call that starts
// under budget may end over it (the next one is refused). In memory only: a
// daemon restart starts every tenant's day and month from zero again.
// Thread-safety: every method is thread-safe (one mutex).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace hotplex::gateway {

// 0 means no budget for that period.
struct TokenBudget {
  std::uint64_t tokens_per_day = 0;
  std::uint64_t tokens_per_month = 0;
};

struct Spent {
  std::uint64_t day = 0;
  std::uint64_t month = 0;
};

class BudgetLedger {
 public:
  using Clock = std::chrono::system_clock;

  // Why `tenant` may not start another call, or nullopt when it may.
  std::optional<std::string> Exceeded(const std::string& tenant, const TokenBudget& budget,
                                      Clock::time_point now) const;
  void Charge(const std::string& tenant, std::uint64_t tokens, Clock::time_point now);
  Spent SpentBy(const std::string& tenant, Clock::time_point now) const;

 private:
  struct Account {
    std::int64_t day_key = 0;    // days since the epoch (UTC)
    std::int64_t month_key = 0;  // year * 12 + month index (UTC)
    Spent spent;
  };
  static Spent Current(const Account& account, Clock::time_point now);

  mutable std::mutex mu_;
  std::map<std::string, Account, std::less<>> accounts_;
};

}  // namespace hotplex::gateway
