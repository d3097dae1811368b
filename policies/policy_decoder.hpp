// Decodes a merged SourceNode tree into a PolicySpec, validating every field
// against the schema (types, units, enums, RE2 patterns, the `unsafe` opt-in).
// Every problem becomes a Diagnostic; the spec is only meaningful when none
// were recorded. Thread-safety: pure functions over their arguments.
#pragma once

#include "policies/policy_spec.hpp"
#include "policies/schema_reader.hpp"
#include "policies/source_tree.hpp"

namespace hotplex::policies {

PolicySpec DecodePolicy(const SourceNode& root, SchemaReader& reader);

// Sections decoded in policy_decoder_governance.cpp.
void DecodeTools(const SourceNode& node, bool unsafe, SchemaReader& reader, ToolsSection& out);
void DecodeCommands(const SourceNode& node, bool unsafe, SchemaReader& reader,
                    CommandsSection& out);

}  // namespace hotplex::policies
