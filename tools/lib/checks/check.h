// A data-quality check: configured by one entry of the manifest's "checks", fed records as
// they stream past, and asked for its outcome at the end. One file per check family.
//
// The engine (checks/engine.h) streams, in this order: the previous version of the output
// (when wants_previous), older versions from git history (history_depth), other outputs of the
// pipeline (other_outputs), then the new data. Memory beyond what a check needs by design
// (keys for uniqueness, previous values per key) stays flat.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "core/status.h"
#include "records/reader.h"

namespace sluice::checks {

enum class Severity { kError, kWarn };
const char* SeverityName(Severity severity);

struct Finding {
  std::string message;
  std::uint64_t line = 0;  // in the data file; 0 when not tied to one record
  std::uint64_t column = 0;
  std::string pointer;  // JSON pointer in the file, e.g. "/812/cases" ("" when not tied to a record)
};

struct CheckOutcome {
  std::string id;      // unique in the pipeline: the manifest's "id", else "<output>.<type>[.<n>]"
  std::string type;    // "row_count", ...
  std::string output;  // the source name whose data was checked
  Severity severity = Severity::kError;
  bool passed = true;
  bool skipped = false;     // could not run (e.g. no previous version): passed stays true
  bool overridden = false;  // failed, but allowed for this run (--allow ID): counts as a warning
  std::string summary;      // one sentence for people
  std::uint64_t failures = 0;  // failing records (or 1 for a whole-file failure)
  std::vector<Finding> examples;  // the first few
};

// Where a check sits in the manifest and how it is configured.
struct CheckSpec {
  std::string id;
  std::string type;
  std::string output;
  Severity severity = Severity::kError;
  std::string pointer;  // "/checks/3", for configuration errors
  const rapidjson::Value* config = nullptr;  // the whole check object (owned by the manifest)
  std::vector<std::string> key;  // the output's record key from the manifest (may be empty)
  std::string manifest_path;     // for messages
  // The check's own "records": where its records are inside the source's document, read
  // instead of the source's records (engine.cpp reads the file once more for it).
  std::optional<json::PointerPattern> records;
};

// A version of an output from git history, newest first.
struct HistoricVersion {
  std::string commit;
  std::chrono::system_clock::time_point committed_at;
};

// A field of a record: "cases" (a top-level member) or "/a/b" (a JSON pointer). A pointer may
// be a pattern naming many fields at once ("/data/*/NEW_*"), in the one syntax of
// json/pointer_pattern.h: "*" (or "{name}") matches any member name or array index, and a token
// holding "*" beside other characters is a glob over member names.
class FieldRef {
 public:
  FieldRef() = default;
  explicit FieldRef(std::string text);
  // nullptr when absent (and always for a pattern: see ForEach). A hit is remembered
  // (matched()), so that a field that matched nothing in any record can be reported as the
  // configuration error it is.
  const rapidjson::Value* Find(const rapidjson::Value& record) const;
  // Each field of `record` this names, with its concrete name: the text itself for a plain
  // field (when present), "/data/cases/NEW_CASES" for each match of a pattern, in document order.
  void ForEach(const rapidjson::Value& record,
               const std::function<void(const std::string& name, const rapidjson::Value& value)>& visit) const;
  const std::string& text() const { return text_; }
  bool is_pattern() const { return pattern_; }
  // Why a pointer is not a valid pattern (a bad "~" escape, a stray "{"); ok for a plain name.
  // MakeCheck refuses such a field; unchecked, its tokens are read literally.
  const Status& syntax() const { return syntax_; }
  bool matched() const { return matched_; }
  // Records that passed a check's fast verdict had this field (Check::fast_pass).
  void NoteMatched() const { matched_ = true; }
  // A top-level member named as written (not a pointer, not a pattern): what a fast verdict can look up.
  bool is_top_level_name() const { return !pattern_ && syntax_.ok() && !text_.empty() && text_[0] != '/'; }
  // The JSON pointer of this field inside record number `index` ("/12/cases").
  std::string PointerIn(std::uint64_t index) const;
  // The JSON pointer of field `name` (a name or a pointer) inside record number `index`.
  static std::string PointerIn(std::uint64_t index, const std::string& name);

 private:
  void Walk(const rapidjson::Value& at, std::size_t depth, std::string& name,
            const std::function<void(const std::string&, const rapidjson::Value&)>& visit) const;
  std::string text_;
  std::vector<json::PatternToken> tokens_;
  bool pattern_ = false;
  Status syntax_;
  mutable bool matched_ = false;  // checks see records on one thread (OnRecord, OnPrevious...)
};

// A field a check reads, with the manifest member it came from ("field", "group_by",
// "against/key", "key (the source's)"). After the run, a watched field that no record of its
// stream had (while the stream had records) fails the run with exit 2: a misspelled field, a
// wrong pointer or an upstream rename would otherwise pass as "nothing to compare".
struct WatchedField {
  std::string option;
  const FieldRef* field = nullptr;
  bool other_output = false;  // read on another output's records (OnOther), not this output's
};

class Check {
 public:
  explicit Check(CheckSpec spec) : spec_(std::move(spec)) {}
  virtual ~Check() = default;
  Check(const Check&) = delete;
  Check& operator=(const Check&) = delete;

  const CheckSpec& spec() const { return spec_; }

  virtual bool wants_previous() const { return false; }
  virtual std::size_t history_depth() const { return 0; }
  virtual std::vector<std::string> other_outputs() const { return {}; }

  // Called once before the previous version's records when there is no previous version.
  virtual void OnNoPrevious() {}
  virtual void OnPrevious(const records::Record& /*record*/) {}
  // `version` 0 is the newest committed one (the same data OnPrevious sees). OnHistoryVersion
  // comes first for each version, records or none (an empty version is a version too).
  virtual void OnHistoryVersion(std::size_t /*version*/, const HistoricVersion& /*meta*/) {}
  virtual void OnHistory(std::size_t /*version*/, const HistoricVersion& /*meta*/, const records::Record& /*record*/) {}
  virtual void OnOther(const std::string& /*output*/, const records::Record& /*record*/) {}
  // Work on a record of the new data that may run on another thread before OnRecord sees the
  // record (e.g. schema validation), so that a large file uses every core. It may set
  // record.verdict; it runs concurrently for several records, so it may only read the check.
  virtual bool prepares_records() const { return false; }
  virtual void PrepareRecord(records::Record& /*record*/) const {}
  // What PrepareRecord decides, from simdjson's parse of the record (records::FastVerdict), when
  // the check can say so without the RapidJSON value; empty when it cannot.
  virtual records::FastVerdict fast_verdict() const { return {}; }
  // Whether OnRecord reads the value of a record whose verdict is true. When no check of an
  // output does, records that pass the fast verdict skip their value (Record::valueless).
  virtual bool reads_values() const { return true; }
  // For a check that reads values but judges each record on its own (not_null, range, pattern,
  // enum): a verdict from simdjson's parse of the record that is true only when OnRecord would
  // find nothing wrong with it and every field the check names is there, so that the record may
  // skip its value and reach OnPassedRecords, which must then count it as OnRecord would and
  // note its fields as matched. Asked on worker threads, after the schema's fast verdict passed
  // (no key repeated). Empty when the check cannot judge so.
  virtual records::FastVerdict fast_pass() const { return {}; }
  virtual void OnRecord(const records::Record& record) = 0;
  // `count` records of the new data from index `first` on, which all passed the fast verdict:
  // they come as a run, without values or positions, only when no check reads values. The
  // default hands each to OnRecord as a valueless record; counting checks add `count` at once.
  virtual void OnPassedRecords(std::uint64_t first, std::uint64_t count);
  // Scalars stated in the document beside its records (records::ReadOptions::captures), for a
  // source whose records are inside a document: each found in the new data comes to OnCaptured
  // with the index of its pattern, while the records are read.
  virtual std::vector<json::PointerPattern> captures() const { return {}; }
  virtual void OnCaptured(std::size_t /*pattern*/, const records::CapturedValue& /*found*/) {}
  virtual CheckOutcome Finish() = 0;

  const std::vector<WatchedField>& watched_fields() const { return watched_; }

 protected:
  // Watches fields the check reads (see WatchedField). The FieldRefs must outlive the check's
  // run and stay where they are (members filled in the constructor).
  void Watch(std::string option, const FieldRef& field, bool other_output = false);
  void Watch(const std::string& option, const std::vector<FieldRef>& fields, bool other_output = false);
  // An outcome with id, type, output and severity filled in.
  CheckOutcome NewOutcome() const;
  // Records a failure: counts it, keeps the first kMaxExamples as examples.
  static void Fail(CheckOutcome& outcome, Finding finding);
  static constexpr std::size_t kMaxExamples = 5;

 private:
  CheckSpec spec_;
  std::vector<WatchedField> watched_;
};

// Builds the check `spec.type` names. ConfigError "<manifest>: <pointer>/<member>: <problem>"
// for a missing or wrong parameter.
Result<std::unique_ptr<Check>> MakeCheck(const CheckSpec& spec);

// Reading configuration: each returns a ConfigError naming the member's pointer.
Result<std::string> RequiredString(const CheckSpec& spec, const char* member);
Result<double> RequiredNumber(const CheckSpec& spec, const char* member);
std::optional<double> OptionalNumber(const CheckSpec& spec, const char* member);
Result<std::vector<std::string>> StringList(const CheckSpec& spec, const char* member, bool required);
Status ConfigProblem(const CheckSpec& spec, const std::string& member, const std::string& problem);
// The option a record key came from: "fields" or "key" when the check names one, else
// "key (the source's)".
std::string KeyOption(const CheckSpec& spec, const char* member = "key");

// A record's value rendered for a message: strings quoted, long values cut.
std::string Describe(const rapidjson::Value* value);
// The numeric value of a field: numbers, and strings that hold a number (CSV).
std::optional<double> NumberOf(const rapidjson::Value* value);
// The composite key of a record as one string ("2026-11-01|Alameda"); nullopt if a part is missing.
std::optional<std::string> KeyOf(const rapidjson::Value& record, const std::vector<FieldRef>& key);

}  // namespace sluice::checks
