#include "sandbox/windows/restricted_token.hpp"

#include "sandbox/windows/win32_error.hpp"

namespace hotplex::sandbox::win32 {

namespace {

// Labels the token "Low Mandatory Level" (S-1-16-4096).
bool LowerIntegrity(HANDLE token) {
  SID_IDENTIFIER_AUTHORITY authority = SECURITY_MANDATORY_LABEL_AUTHORITY;
  PSID low = nullptr;
  if (!AllocateAndInitializeSid(&authority, 1, SECURITY_MANDATORY_LOW_RID, 0, 0, 0, 0, 0, 0, 0,
                                &low)) {
    return false;
  }
  TOKEN_MANDATORY_LABEL label = {};
  label.Label.Attributes = SE_GROUP_INTEGRITY;
  label.Label.Sid = low;
  const DWORD size = sizeof label + GetLengthSid(low);
  const BOOL ok = SetTokenInformation(token, TokenIntegrityLevel, &label, size);
  FreeSid(low);
  return ok != FALSE;
}

}  // namespace

Result<RestrictedToken> MakeRestrictedToken() {
  HANDLE raw = nullptr;
  const DWORD access = TOKEN_DUPLICATE | TOKEN_ASSIGN_PRIMARY | TOKEN_QUERY | TOKEN_ADJUST_DEFAULT;
  if (!OpenProcessToken(GetCurrentProcess(), access, &raw)) return LastError("OpenProcessToken");
  UniqueHandle own(raw);
  HANDLE restricted = nullptr;
  if (!CreateRestrictedToken(own.Get(), DISABLE_MAX_PRIVILEGE, 0, nullptr, 0, nullptr, 0, nullptr,
                             &restricted)) {
    return LastError("CreateRestrictedToken");
  }
  RestrictedToken out{UniqueHandle(restricted), false};
  out.low_integrity = LowerIntegrity(out.token.Get());
  return out;
}

}  // namespace hotplex::sandbox::win32
