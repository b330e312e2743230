// How sluice-notify reports what it posted: text for a terminal (a dry run shows every payload),
// JSON (--json), and the Actions outputs and step summary.
#pragma once

#include <string>

#include "actions_io/actions_io.h"
#include "notify/command_line.h"

namespace sluice::notify {

std::string ReportText(const NotifyReport& report);
std::string ReportJson(const NotifyReport& report);

// Outputs: event, failure-class, channel, thread-ts, posts, late; a Markdown summary.
Status PublishToActions(const NotifyReport& report, actions::ActionsIo& io);

}  // namespace sluice::notify
