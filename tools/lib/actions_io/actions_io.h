// GitHub Actions input/output in one module: $GITHUB_OUTPUT, $GITHUB_STEP_SUMMARY,
// annotations, ::add-mask::, and the event payload. Outside Actions the same information goes
// to the terminal, human-first. Every text is masked before it leaves.
#pragma once

#include <iosfwd>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "core/env.h"
#include "core/status.h"

namespace sluice::actions {

enum class AnnotationLevel { kNotice, kWarning, kError };

struct Annotation {
  AnnotationLevel level = AnnotationLevel::kError;
  std::string message;
  std::string file;  // relative to the workspace; "" when unknown
  int line = 0;      // 0 when unknown
  int column = 0;
  std::string title;
};

class ActionsIo {
 public:
  // `commands` receives workflow commands (in Actions) or human lines (outside): normally stdout.
  ActionsIo(const Environment& env, std::ostream& commands);

  bool in_actions() const { return in_actions_; }

  // Appends name=value to $GITHUB_OUTPUT (a heredoc with a random delimiter when the value
  // has a newline). Without $GITHUB_OUTPUT it does nothing.
  Status SetOutput(std::string_view name, std::string_view value);
  // Appends Markdown to $GITHUB_STEP_SUMMARY; without it, nothing.
  Status AppendSummary(std::string_view markdown);
  // In Actions "::error file=F,line=L,col=C,title=T::message" with the escaping GitHub needs;
  // outside, "error: F:L:C: message".
  void Annotate(const Annotation& annotation);
  // In Actions, "::add-mask::" once for every registered secret not masked yet.
  void MaskRegisteredSecrets();
  // The event that started the workflow ($GITHUB_EVENT_PATH), if any.
  Result<std::optional<rapidjson::Document>> EventPayload() const;

 private:
  Environment env_;
  std::ostream& commands_;
  bool in_actions_ = false;
  std::set<std::string> masked_;
};

// Workflow-command escaping (actions/toolkit's escapeData / escapeProperty).
std::string EscapeCommandData(std::string_view text);
std::string EscapeCommandProperty(std::string_view text);

}  // namespace sluice::actions
