#include "diff/report.h"

#include <fmt/format.h>

#include "core/secrets.h"
#include "diff/markdown_text.h"

namespace sluice::diff {
namespace {

constexpr std::size_t kTextChanges = 10;  // per file on a terminal; --json has them all

std::string FileLine(const FileDiff& f) {
  std::string status = !f.old_exists ? "new file" : f.order_only() ? "order-only change" : f.has_changes() ? "changed" : "unchanged";
  std::string line = fmt::format("{}: {} ({} -> {} rows; +{} -{} ~{})", f.path, status, f.rows_before, f.rows_after,
                                 f.added.size(), f.removed.size(), f.changed.size() + f.changed_groups.size());
  if (!f.columns_added.empty()) line += fmt::format("; columns added: {}", fmt::join(f.columns_added, ", "));
  if (!f.columns_removed.empty()) line += fmt::format("; columns removed: {}", fmt::join(f.columns_removed, ", "));
  if (f.collision_count > 0) line += fmt::format("; {} duplicate key(s)", f.collision_count);
  if (!f.pointers.empty()) line += fmt::format("; {} JSON pointer(s) differ", f.pointers.size());
  return line + "\n";
}

std::string Shorten(const std::string& text) { return text.size() > 80 ? text.substr(0, 77) + "..." : text; }

}  // namespace

std::string ReportText(const DiffReport& report) {
  std::string out;
  for (const auto& f : report.files) {
    out += FileLine(f);
    std::size_t shown = 0;
    for (const auto& row : f.changed) {
      for (const auto& c : row.cells) {
        if (shown++ == kTextChanges) break;
        out += fmt::format("  ~ {} {}: {} -> {}{}\n", Shorten(row.key_json), c.field, Shorten(c.old_json),
                           Shorten(c.new_json), c.same_value ? fmt::format(" ({})", SameValueText(c.old_json, c.new_json))
                                                : c.percent ? fmt::format(" ({:+.1f}%)", *c.percent)
                                                            : "");
      }
    }
    for (std::size_t i = 0; i < std::min(f.changed_groups.size(), kTextChanges); ++i) {
      const auto& g = f.changed_groups[i];
      out += fmt::format("  ~ {}: {} row(s) -> {} row(s) sharing the key differ (compared as a set)\n", Shorten(g.key_json),
                         g.old_count, g.new_count);
      for (const auto& r : g.old_rows) {
        if (!r.paired) out += fmt::format("    - line {}: {}\n", r.line, Shorten(r.row_json));
      }
      for (const auto& r : g.new_rows) {
        if (!r.paired) out += fmt::format("    + line {}: {}\n", r.line, Shorten(r.row_json));
      }
    }
    for (std::size_t i = 0; i < std::min(f.added.size(), kTextChanges); ++i) {
      out += fmt::format("  + line {}: {}\n", f.added[i].line, Shorten(f.added[i].row_json));
    }
    for (std::size_t i = 0; i < std::min(f.removed.size(), kTextChanges); ++i) {
      out += fmt::format("  - line {}: {}\n", f.removed[i].line, Shorten(f.removed[i].row_json));
    }
    for (std::size_t i = 0; i < std::min(f.pointers.size(), kTextChanges); ++i) {
      const auto& p = f.pointers[i];
      out += fmt::format("  {} {}: {} -> {}\n", p.change, p.pointer.empty() ? "/" : p.pointer, Shorten(p.old_json),
                         Shorten(p.new_json));
    }
  }
  out += report.changed() ? fmt::format("changed: {} file(s); +{} -{} ~{} rows\n", report.files_changed(), report.added(),
                                        report.removed(), report.modified())
                          : std::string(report.order_only() ? "no change in the data (order only)\n" : "no change\n");
  return Mask(out);
}

Status PublishToActions(const DiffReport& report, actions::ActionsIo& io, const std::string& markdown,
                        const std::string& markdown_file) {
  SLUICE_RETURN_IF_ERROR(io.SetOutput("changed", report.changed() ? "true" : "false"));
  SLUICE_RETURN_IF_ERROR(io.SetOutput("files_changed", std::to_string(report.files_changed())));
  SLUICE_RETURN_IF_ERROR(io.SetOutput("added", std::to_string(report.added())));
  SLUICE_RETURN_IF_ERROR(io.SetOutput("removed", std::to_string(report.removed())));
  SLUICE_RETURN_IF_ERROR(io.SetOutput("modified", std::to_string(report.modified())));
  SLUICE_RETURN_IF_ERROR(io.SetOutput("order_only", report.order_only() ? "true" : "false"));
  SLUICE_RETURN_IF_ERROR(io.SetOutput("collisions", std::to_string(report.collisions())));
  if (!markdown_file.empty()) SLUICE_RETURN_IF_ERROR(io.SetOutput("markdown_file", markdown_file));
  if (io.in_actions()) {
    for (const auto& f : report.files) {
      for (std::size_t i = 0; i < std::min<std::size_t>(f.collisions.size(), 10); ++i) {
        const auto& c = f.collisions[i];
        if (c.side != "new") continue;  // annotations point into the working tree: the new version
        io.Annotate({actions::AnnotationLevel::kWarning,
                     fmt::format("key {} repeats line {}", c.key_json, c.first_line), f.path, static_cast<int>(c.line), 0,
                     "sluice-diff: duplicate key"});
      }
    }
  }
  return io.AppendSummary(markdown);
}

}  // namespace sluice::diff
