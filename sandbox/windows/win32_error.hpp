// Win32 errors as hotplex::Error values. GetLastError() is read here and
// nowhere else; Error::sys_errno carries the Win32 error code and Error::step
// the failing call (e.g. "AssignProcessToJobObject").
#pragma once

#include <windows.h>

#include <string>

#include "common/result.hpp"

namespace hotplex::sandbox::win32 {

// Reads GetLastError() now; message = what we were doing + the system's text.
Error LastError(std::string step, std::string what = {});
// The system's text for a Win32 error code, e.g. "Access is denied. (error 5)".
std::string FormatWin32Error(DWORD code);
// "step: message" for a Win32 Error (Error::Describe would strerror() the code).
std::string DescribeWin32(const Error& error);

}  // namespace hotplex::sandbox::win32
