// Merge rules for `extends`: a child policy is laid over its parent.
//   - maps merge key by key, recursively;
//   - a list replaces the parent's list, unless written `+[a, b]` or under a
//     `+key:`, which appends to the parent's list;
//   - a scalar replaces; `key: null` (or `~`) removes the inherited value, so
//     the built-in default applies again;
//   - `extends` itself is never inherited.
// Thread-safety: pure functions.
#pragma once

#include "policies/source_tree.hpp"

namespace hotplex::policies {

SourceNode MergeNodes(const SourceNode& parent, const SourceNode& child);

// Drops `key: null` entries left after merging (they only mean "remove") and
// turns remaining append-lists into plain lists.
void FinishMerge(SourceNode& node);

}  // namespace hotplex::policies
