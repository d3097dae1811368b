// The little language that scripts the fake agent, one directive per line:
//
//   text <words>            a text block, streamed one word per delta
//   thinking <words>        a thinking block
//   tool <Name> <json>      a tool_use block; asks can_use_tool and waits for the answer
//                           (Bash really runs `command` with /bin/sh -c when allowed)
//   slow <n> <ms>           n text deltas "tick<i> ", <ms> apart (interruptible)
//   echo <n> [<us>]         n text deltas "echo <i> <CLOCK_MONOTONIC ns>\n" (benchmarks)
//   huge <bytes>            one text delta (and assistant line) of that many bytes
//   sleep <ms>              pause without output (interruptible)
//   stderr <text>           a line on stderr
//   history                 a text block listing the prompts of this session so far
//   error <message>         end the turn with an error result
//   crash [<code>]          exit at once (default code 1)
//   abort                   abort() (SIGABRT)
//   hang                    stop reading and writing; sleep until killed
//   hang-ignore-term        the same, ignoring SIGTERM
//
// A prompt is a script when it starts with "fake:" (the rest, split on newlines and on
// " ;; "). Any other prompt takes the next turn of $FAKE_AGENT_SCRIPT (a file of turns
// separated by "---" lines), or else gets the reply "echo: <prompt>".
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace hotplex::fake_agent {

enum class Verb {
  kText,
  kThinking,
  kTool,
  kSlow,
  kEcho,
  kHuge,
  kSleep,
  kStderr,
  kHistory,
  kError,
  kCrash,
  kAbort,
  kHang,
  kHangIgnoreTerm,
};

struct Directive {
  Verb verb = Verb::kText;
  std::string text;           // text, thinking, stderr, error; the tool name for kTool
  nlohmann::json input;       // kTool
  std::int64_t count = 0;     // slow/echo: deltas; huge: bytes; crash: exit code
  std::int64_t interval = 0;  // slow/sleep: ms; echo: us
};

// Parses a script body (without the "fake:" prefix). Errors name the line.
Result<std::vector<Directive>> ParseDirectives(const std::string& body);

// The directives for one prompt (see the header comment). `scripted_turn` is the body
// from $FAKE_AGENT_SCRIPT for this turn, empty when there is none.
Result<std::vector<Directive>> DirectivesForPrompt(const std::string& prompt,
                                                   const std::string& scripted_turn);

// Splits a $FAKE_AGENT_SCRIPT file into turn bodies.
std::vector<std::string> SplitScriptTurns(const std::string& file_text);

}  // namespace hotplex::fake_agent
