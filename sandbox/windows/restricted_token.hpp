// RestrictedToken: the primary token a sandboxed payload runs with — the
// caller's token with every privilege but SeChangeNotify removed
// (CreateRestrictedToken + DISABLE_MAX_PRIVILEGE) and, where the system allows
// it, the low mandatory integrity level (writes to medium-integrity files and
// registry keys, i.e. most of the user's profile, are refused).
#pragma once

#include "common/result.hpp"
#include "sandbox/windows/win32_handle.hpp"

namespace hotplex::sandbox::win32 {

struct RestrictedToken {
  UniqueHandle token;
  bool low_integrity = false;  // false when SetTokenInformation refused the label
};

Result<RestrictedToken> MakeRestrictedToken();

}  // namespace hotplex::sandbox::win32
