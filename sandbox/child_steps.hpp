// Child-side steps shared by the Linux backends (namespace jail, process
// group). Each runs after clone() in a copy of a multi-threaded process:
// syscalls and stack buffers only. A failing step reports {step, errno} on
// ctx.report_fd and exits.
#pragma once

#include "sandbox/child_context.hpp"

namespace hotplex::sandbox::child {

void SetDeathSignal(const ChildContext& ctx);
// Closes every inherited fd but stdio, the ctx's stdio sources and its pipes.
void CloseInheritedFds(const ChildContext& ctx);
// Blocks until the parent has done its half of the setup; exits if it gave up.
void WaitForParent(const ChildContext& ctx);
// Drops supplementary groups and becomes ctx.uid/ctx.gid.
void SwitchIdentity(const ChildContext& ctx);
void ApplyResourceLimits(const ChildContext& ctx);
void LoadSeccomp(const ChildContext& ctx);
// New session and process group, ctx.stdio as 0/1/2, every other fd CLOEXEC, execve.
[[noreturn]] void ExecPayload(const ChildContext& ctx);

}  // namespace hotplex::sandbox::child
