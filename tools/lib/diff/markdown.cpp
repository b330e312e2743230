// The PR body: a summary table, then per file the largest changes first, then samples of added
// and removed rows, all within kMarkdownBudget.
#include <algorithm>

#include <fmt/format.h>
#include <rapidjson/document.h>

#include "diff/markdown_text.h"
#include "diff/report.h"
#include "diff/trend.h"
#include "json/json.h"

namespace sluice::diff {
namespace {

constexpr std::size_t kMaxChangedCells = 50;  // per file, largest first
constexpr std::size_t kMaxSampleRows = 10;    // added / removed, per file
constexpr std::size_t kMaxSampleColumns = 12;
constexpr std::size_t kMaxPointers = 100;
constexpr std::size_t kMaxGroups = 20;      // changed key groups shown, per file
constexpr std::size_t kMaxGroupLines = 10;  // rows shown per side of a group
constexpr const char* kFullDiffNote = "The full diff is in the JSON report (`sluice-diff --json`, kept as the workflow's artifact).";

// Markdown that stops growing at its budget; everything after the first refusal is dropped,
// and the reader is told.
class BoundedMarkdown {
 public:
  explicit BoundedMarkdown(std::size_t budget) : budget_(budget > kReserve ? budget - kReserve : 0) {}

  // Appends the line (a newline is added) if it fits.
  bool Line(const std::string& line) {
    if (truncated_ || text_.size() + line.size() + 1 > budget_) {
      truncated_ = true;
      return false;
    }
    text_ += line;
    text_ += '\n';
    return true;
  }
  bool truncated() const { return truncated_; }

  std::string Finish() {
    if (truncated_) {
      text_ += fmt::format("\n> [!NOTE]\n> Truncated to stay within GitHub's 65,536-character limit. {}\n", kFullDiffNote);
    }
    return std::move(text_);
  }

 private:
  static constexpr std::size_t kReserve = 300;  // room for the truncation note
  std::size_t budget_;
  std::string text_;
  bool truncated_ = false;
};

std::string Notes(const FileDiff& f) {
  std::vector<std::string> notes;
  if (!f.old_exists) notes.push_back("new file");
  if (f.order_only()) notes.push_back("order-only change");
  else if (f.order_changed) notes.push_back("order changed");
  if (!f.columns_added.empty()) notes.push_back(fmt::format("{} column(s) added", f.columns_added.size()));
  if (!f.columns_removed.empty()) notes.push_back(fmt::format("{} column(s) removed", f.columns_removed.size()));
  if (f.collision_count > 0) notes.push_back(fmt::format("⚠️ {} duplicate key(s)", Count(f.collision_count)));
  if (f.kind == FileKind::kDocument && !f.pointers.empty()) notes.push_back(fmt::format("{} pointer(s) differ", f.pointers.size()));
  if (notes.empty() && !f.has_changes()) notes.push_back("no change");
  std::string joined;
  for (const auto& n : notes) joined += (joined.empty() ? "" : "; ") + n;
  return joined;
}

void Summary(const DiffReport& report, BoundedMarkdown& md) {
  std::string title = report.pipeline.empty() ? "## sluice-diff" : fmt::format("## sluice-diff: {}", CellText(report.pipeline));
  if (!report.against.empty()) title += fmt::format(" (against `{}`)", CellText(report.against, 80));
  md.Line(title);
  md.Line("");
  if (!report.changed()) {
    md.Line(report.order_only() ? "**No change in the data**: only the order of rows changed." : "**No change in the data.**");
  } else {
    std::string groups = report.groups_changed() > 0 ? fmt::format(" (of which {} key group(s))", Count(report.groups_changed())) : "";
    md.Line(fmt::format("**{} row(s) added, {} removed, {} changed{}** in {} of {} file(s).", Count(report.added()),
                        Count(report.removed()), Count(report.modified()), groups, report.files_changed(), report.files.size()));
  }
  md.Line("");
  md.Line("| File | Rows before | Rows after | Added | Removed | Changed | Notes |");
  md.Line("|---|--:|--:|--:|--:|--:|---|");
  for (const auto& f : report.files) {
    md.Line(fmt::format("| {} | {} | {} | {} | {} | {} | {} |", CellText(f.path, 120), Count(f.rows_before),
                        Count(f.rows_after), Count(f.added.size()), Count(f.removed.size()),
                        Count(f.changed.size() + f.changed_groups.size()),
                        Notes(f)));
  }
}

void Columns(const FileDiff& f, BoundedMarkdown& md) {
  auto list = [](const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + CellText(n, 80);
    return out;
  };
  if (!f.columns_added.empty()) md.Line(fmt::format("- Columns added: {}", list(f.columns_added)));
  if (!f.columns_removed.empty()) md.Line(fmt::format("- Columns removed: {}", list(f.columns_removed)));
  if (!f.columns_added.empty() || !f.columns_removed.empty()) {
    md.Line("  (rows are compared on the columns both versions have)");
  }
  if (f.order_only()) md.Line("- The same rows in another order: not a change.");
  if (f.collision_count > 0) {
    md.Line(fmt::format("- ⚠️ {} row(s) repeat a key (key: {}); rows sharing a key are compared as a group, in any order.",
                        Count(f.collision_count), CellText(fmt::format("{}", fmt::join(f.key, ", ")))));
    for (std::size_t i = 0; i < std::min<std::size_t>(f.collisions.size(), 5); ++i) {
      const auto& c = f.collisions[i];
      md.Line(fmt::format("  - {} version: {} on lines {} and {}", c.side, KeyText(c.key_json), c.first_line, c.line));
    }
  }
}

void LargestChanges(const FileDiff& f, BoundedMarkdown& md) {
  if (f.changed.empty()) return;
  std::size_t cells = 0;
  for (const auto& row : f.changed) cells += row.cells.size();
  md.Line("");
  md.Line(fmt::format("#### Changed rows: {} ({} cell(s)), largest changes first", Count(f.changed.size()), Count(cells)));
  md.Line("");
  md.Line("| Key | Field | Old | New | Δ | Δ % |");
  md.Line("|---|---|---|---|--:|--:|");
  std::size_t shown = 0;
  for (const auto& row : f.changed) {
    for (const auto& cell : row.cells) {
      if (shown == kMaxChangedCells) break;
      std::string delta = cell.delta && !cell.same_value ? SignedNumber(*cell.delta) : "";
      std::string percent = cell.same_value ? SameValueText(cell.old_json, cell.new_json) : PercentText(cell.percent, cell.delta);
      if (!md.Line(fmt::format("| {} | {} | {} | {} | {} | {} |", KeyText(row.key_json), CellText(cell.field, 40),
                               ValueText(cell.old_json), ValueText(cell.new_json), delta, percent))) {
        return;
      }
      ++shown;
    }
  }
  if (shown < cells) {
    md.Line(fmt::format("\n_Truncated: showing {} of {} changed cells. {}_", shown, Count(cells), kFullDiffNote));
  }
}

// Each group whole: its rows on both sides, those without an equal row on the other side marked.
void ChangedGroups(const FileDiff& f, BoundedMarkdown& md) {
  if (f.changed_groups.empty()) return;
  md.Line("");
  md.Line(fmt::format("#### Changed key groups: {} (rows sharing a key, compared as a set)", Count(f.changed_groups.size())));
  md.Line("");
  md.Line("| Key | Version | Line | Row |");
  md.Line("|---|---|--:|---|");
  auto side = [&](const GroupChange& g, const std::vector<GroupRow>& rows, std::uint64_t count, const char* name,
                  const char* paired, const char* unpaired, bool& first) {
    std::size_t shown = std::min(rows.size(), kMaxGroupLines);
    for (std::size_t i = 0; i < shown; ++i) {
      std::string key = first ? KeyText(g.key_json) : "";
      first = false;
      if (!md.Line(fmt::format("| {} | {} | {} | {} |", key, rows[i].paired ? paired : unpaired,
                               rows[i].line, CellText(rows[i].row_json, 200)))) {
        return false;
      }
    }
    if (shown < count) return md.Line(fmt::format("| | {} | | … {} more row(s) |", name, Count(count - shown)));
    return true;
  };
  for (std::size_t i = 0; i < std::min(f.changed_groups.size(), kMaxGroups); ++i) {
    const auto& g = f.changed_groups[i];
    bool first = true;
    if (!side(g, g.old_rows, g.old_count, "old", "old, also in new", "**old only**", first)) return;
    if (!side(g, g.new_rows, g.new_count, "new", "new, also in old", "**new only**", first)) return;
  }
  if (f.changed_groups.size() > kMaxGroups) {
    md.Line(fmt::format("\n_Truncated: showing {} of {} changed key groups. {}_", kMaxGroups, Count(f.changed_groups.size()),
                        kFullDiffNote));
  }
}

void SampleRows(const char* title, const std::vector<RowSample>& rows, BoundedMarkdown& md) {
  if (rows.empty()) return;
  std::size_t shown = std::min(rows.size(), kMaxSampleRows);
  md.Line("");
  md.Line(fmt::format("#### {}: {}{}", title, Count(rows.size()), shown < rows.size() ? fmt::format(" (first {})", shown) : ""));
  md.Line("");
  rapidjson::Document first;
  first.Parse(rows.front().row_json.c_str(), rows.front().row_json.size());
  std::vector<std::string> columns;
  if (first.IsObject()) {
    for (const auto& m : first.GetObject()) {
      if (columns.size() < kMaxSampleColumns) columns.emplace_back(m.name.GetString(), m.name.GetStringLength());
    }
  }
  std::string header = "| Line |", rule = "|--:|";
  for (const auto& c : columns) header += " " + CellText(c, 40) + " |", rule += "---|";
  if (columns.empty()) header += " Row |", rule += "---|";
  md.Line(header);
  md.Line(rule);
  for (std::size_t i = 0; i < shown; ++i) {
    rapidjson::Document row;
    row.Parse(rows[i].row_json.c_str(), rows[i].row_json.size());
    std::string line = fmt::format("| {} |", rows[i].line);
    if (columns.empty() || !row.IsObject()) {
      line += " " + CellText(rows[i].row_json, 200) + " |";
    } else {
      for (const auto& c : columns) {
        auto found = row.FindMember(rapidjson::StringRef(c.data(), c.size()));
        line += " " + (found == row.MemberEnd() ? std::string() : ValueText(json::Write(found->value), 40)) + " |";
      }
    }
    if (!md.Line(line)) return;
  }
}

void Pointers(const FileDiff& f, BoundedMarkdown& md) {
  if (f.pointers.empty()) return;
  md.Line("");
  md.Line(fmt::format("#### Changed JSON pointers: {}", Count(f.pointers.size())));
  md.Line("");
  md.Line("| Pointer | Change | Old | New | Δ % |");
  md.Line("|---|---|---|---|--:|");
  for (std::size_t i = 0; i < std::min(f.pointers.size(), kMaxPointers); ++i) {
    const auto& p = f.pointers[i];
    if (!md.Line(fmt::format("| {} | {} | {} | {} | {} |", p.pointer.empty() ? "(whole document)" : CellText(p.pointer, 80),
                             p.change, p.old_json.empty() ? "" : ValueText(p.old_json), p.new_json.empty() ? "" : ValueText(p.new_json),
                             p.same_value ? SameValueText(p.old_json, p.new_json) : PercentText(p.percent, p.delta)))) {
      return;
    }
  }
  if (f.pointers.size() > kMaxPointers) {
    md.Line(fmt::format("\n_Truncated: showing {} of {} pointers. {}_", kMaxPointers, Count(f.pointers.size()), kFullDiffNote));
  }
}

void FileSection(const FileDiff& f, BoundedMarkdown& md) {
  bool interesting = f.has_changes() || f.order_changed || f.collision_count > 0 || f.trend;
  if (!interesting) return;
  md.Line("");
  md.Line(fmt::format("### {}", CellText(f.path, 200)));
  md.Line("");
  Columns(f, md);
  if (f.trend) md.Line(TrendMermaid(*f.trend));
  LargestChanges(f, md);
  ChangedGroups(f, md);
  SampleRows("Added rows", f.added, md);
  SampleRows("Removed rows", f.removed, md);
  Pointers(f, md);
}

}  // namespace

std::string ReportMarkdown(const DiffReport& report, std::size_t budget) {
  BoundedMarkdown md(budget);
  Summary(report, md);
  for (const auto& f : report.files) FileSection(f, md);
  return md.Finish();
}

}  // namespace sluice::diff
