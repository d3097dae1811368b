#include "policies/policy_merge.hpp"

namespace hotplex::policies {

SourceNode MergeNodes(const SourceNode& parent, const SourceNode& child) {
  if (parent.IsMap() && child.IsMap()) {
    SourceNode merged = parent;
    merged.mark = child.mark;
    for (const auto& [key, value] : child.entries) {
      SourceNode* existing = merged.Find(key.scalar);
      if (existing == nullptr) {
        merged.entries.push_back(SourceEntry{key, value});
      } else {
        *existing = MergeNodes(*existing, value);
      }
    }
    return merged;
  }
  if (child.IsSequence() && child.append && parent.IsSequence()) {
    SourceNode merged = parent;
    merged.append = false;
    merged.mark = child.mark;
    merged.items.insert(merged.items.end(), child.items.begin(), child.items.end());
    return merged;
  }
  return child;
}

void FinishMerge(SourceNode& node) {
  node.append = false;
  if (node.IsMap()) {
    std::erase_if(node.entries, [](const auto& kv) { return kv.value.IsNull(); });
    for (auto& kv : node.entries) FinishMerge(kv.value);
  } else if (node.IsSequence()) {
    for (auto& item : node.items) FinishMerge(item);
  }
}

}  // namespace hotplex::policies
