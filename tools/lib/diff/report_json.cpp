// The JSON report (schemas/diff-report.schema.json): every change in full, values with their
// JSON types. Streamed through a Writer: the stored values are compact JSON already.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/secrets.h"
#include "diff/report.h"

namespace sluice::diff {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void Str(Writer& w, const std::string& text) { w.String(text.c_str(), static_cast<rapidjson::SizeType>(text.size())); }
void Key(Writer& w, const char* name) { w.Key(name); }
void Raw(Writer& w, const std::string& json) {
  w.RawValue(json.c_str(), json.size(), rapidjson::kObjectType);  // the type only matters for pretty-printing
}
void Number(Writer& w, const std::optional<double>& value) {
  if (value) w.Double(*value);
  else w.Null();
}
void Strings(Writer& w, const std::vector<std::string>& items) {
  w.StartArray();
  for (const auto& s : items) Str(w, s);
  w.EndArray();
}

// `name`: an array of one object per item, written by `fields(item)` between the braces.
template <typename Items, typename Fields>
void Objects(Writer& w, const char* name, const Items& items, Fields fields) {
  Key(w, name);
  w.StartArray();
  for (const auto& item : items) {
    w.StartObject();
    fields(item);
    w.EndObject();
  }
  w.EndArray();
}

void Samples(Writer& w, const char* name, const std::vector<RowSample>& rows) {
  Objects(w, name, rows, [&](const RowSample& r) {
    Key(w, "line"); w.Uint64(r.line);
    Key(w, "row"); Raw(w, r.row_json);
  });
}

void Changed(Writer& w, const std::vector<RowChange>& rows) {
  Objects(w, "changed_rows", rows, [&](const RowChange& r) {
    Key(w, "key"); Raw(w, r.key_json);
    Key(w, "old_line"); w.Uint64(r.old_line);
    Key(w, "new_line"); w.Uint64(r.new_line);
    Objects(w, "cells", r.cells, [&](const CellChange& c) {
      Key(w, "field"); Str(w, c.field);
      Key(w, "old"); Raw(w, c.old_json);
      Key(w, "new"); Raw(w, c.new_json);
      Key(w, "delta"); Number(w, c.delta);
      Key(w, "percent"); Number(w, c.percent);
      Key(w, "same_value"); w.Bool(c.same_value);
    });
  });
}

void GroupRows(Writer& w, const char* name, const std::vector<GroupRow>& rows) {
  Objects(w, name, rows, [&](const GroupRow& r) {
    Key(w, "line"); w.Uint64(r.line);
    Key(w, "row"); Raw(w, r.row_json);
    Key(w, "paired"); w.Bool(r.paired);
  });
}

void Groups(Writer& w, const std::vector<GroupChange>& groups) {
  Objects(w, "changed_groups", groups, [&](const GroupChange& g) {
    Key(w, "key"); Raw(w, g.key_json);
    Key(w, "old_count"); w.Uint64(g.old_count);
    Key(w, "new_count"); w.Uint64(g.new_count);
    GroupRows(w, "old_rows", g.old_rows);
    GroupRows(w, "new_rows", g.new_rows);
  });
}

void Pointers(Writer& w, const std::vector<PointerChange>& pointers) {
  Objects(w, "pointers", pointers, [&](const PointerChange& p) {
    Key(w, "pointer"); Str(w, p.pointer);
    Key(w, "change"); Str(w, p.change);
    if (!p.old_json.empty()) { Key(w, "old"); Raw(w, p.old_json); }
    if (!p.new_json.empty()) { Key(w, "new"); Raw(w, p.new_json); }
    Key(w, "delta"); Number(w, p.delta);
    Key(w, "percent"); Number(w, p.percent);
    Key(w, "same_value"); w.Bool(p.same_value);
  });
}

void Collisions(Writer& w, const FileDiff& f) {
  Key(w, "collision_count"); w.Uint64(f.collision_count);
  Objects(w, "collisions", f.collisions, [&](const KeyCollision& c) {
    Key(w, "side"); Str(w, c.side);
    Key(w, "key"); Raw(w, c.key_json);
    Key(w, "first_line"); w.Uint64(c.first_line);
    Key(w, "line"); w.Uint64(c.line);
  });
}

void TrendJson(Writer& w, const Trend& trend) {
  Key(w, "trend");
  w.StartObject();
  Key(w, "field"); Str(w, trend.field);
  Objects(w, "points", trend.points, [&](const TrendPoint& p) {
    Key(w, "label"); Str(w, p.label);
    Key(w, "commit"); Str(w, p.commit);
    Key(w, "total"); w.Double(p.total);
  });
  w.EndObject();
}

void File(Writer& w, const FileDiff& f) {
  w.StartObject();
  Key(w, "name"); Str(w, f.name);
  Key(w, "path"); Str(w, f.path);
  Key(w, "format"); w.String(pipeline::DataFormatName(f.format));
  Key(w, "kind"); w.String(f.kind == FileKind::kRecords ? "records" : "document");
  Key(w, "key"); Strings(w, f.key);
  Key(w, "ignored"); Strings(w, f.ignored);
  Key(w, "changed"); w.Bool(f.has_changes());
  Key(w, "order_only"); w.Bool(f.order_only());
  Key(w, "order_changed"); w.Bool(f.order_changed);
  Key(w, "old_exists"); w.Bool(f.old_exists);
  Key(w, "rows_before"); w.Uint64(f.rows_before);
  Key(w, "rows_after"); w.Uint64(f.rows_after);
  Key(w, "unchanged"); w.Uint64(f.unchanged);
  Key(w, "added"); w.Uint64(f.added.size());
  Key(w, "removed"); w.Uint64(f.removed.size());
  Key(w, "modified"); w.Uint64(f.changed.size() + f.changed_groups.size());
  Key(w, "columns_added"); Strings(w, f.columns_added);
  Key(w, "columns_removed"); Strings(w, f.columns_removed);
  Collisions(w, f);
  Samples(w, "added_rows", f.added);
  Samples(w, "removed_rows", f.removed);
  Changed(w, f.changed);
  Groups(w, f.changed_groups);
  Pointers(w, f.pointers);
  if (f.trend) TrendJson(w, *f.trend);
  w.EndObject();
}

}  // namespace

std::string ReportJson(const DiffReport& report) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  Key(w, "tool"); w.String("sluice-diff");
  Key(w, "version"); w.String(SLUICE_VERSION);
  Key(w, "pipeline"); Str(w, report.pipeline);
  Key(w, "against"); Str(w, report.against);
  Key(w, "changed"); w.Bool(report.changed());
  Key(w, "order_only"); w.Bool(report.order_only());
  Key(w, "totals");
  w.StartObject();
  Key(w, "files"); w.Uint64(report.files.size());
  Key(w, "files_changed"); w.Uint64(report.files_changed());
  Key(w, "added"); w.Uint64(report.added());
  Key(w, "removed"); w.Uint64(report.removed());
  Key(w, "modified"); w.Uint64(report.modified());
  Key(w, "collisions"); w.Uint64(report.collisions());
  w.EndObject();
  Key(w, "files");
  w.StartArray();
  for (const auto& f : report.files) File(w, f);
  w.EndArray();
  w.EndObject();
  return Mask(std::string_view(buffer.GetString(), buffer.GetSize()));
}

}  // namespace sluice::diff
