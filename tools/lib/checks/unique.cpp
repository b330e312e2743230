// unique: no two records share a key (single field or composite). Keeps every key seen, which
// is the memory this check needs by design; duplicates are listed with both locations.
#include <memory>
#include <unordered_map>

#include <fmt/format.h>

#include "checks/families.h"

namespace sluice::checks {
namespace {

struct FirstSeen {
  std::uint64_t line;
  std::uint64_t index;
};

// {"type": "unique", "key": ["date", "county"]} ("fields" is a synonym); without either, the output's key.
class Unique : public Check {
 public:
  Unique(CheckSpec spec, std::vector<FieldRef> key) : Check(std::move(spec)), key_(std::move(key)) {
    outcome_ = NewOutcome();
    const CheckSpec& s = this->spec();
    Watch(s.config != nullptr && s.config->HasMember("fields") ? "fields" : KeyOption(s), key_);
  }

  void OnRecord(const records::Record& record) override {
    ++records_;
    auto key = KeyOf(record.value, key_);
    if (!key) {
      Fail(outcome_, Finding{fmt::format("key {} is missing or null", KeyNames()), record.line, record.column,
                             fmt::format("/{}", record.index)});
      return;
    }
    auto [it, inserted] = seen_.try_emplace(std::move(*key), FirstSeen{record.line, record.index});
    if (inserted) return;
    Fail(outcome_, Finding{fmt::format("duplicate key {} = {} (first seen at record {}, line {})", KeyNames(),
                                       Readable(it->first), it->second.index, it->second.line),
                           record.line, record.column, fmt::format("/{}", record.index)});
  }

  CheckOutcome Finish() override {
    outcome_.summary = outcome_.passed ? fmt::format("{} records, every {} unique", records_, KeyNames())
                                       : fmt::format("{} of {} records repeat or lack a key ({})", outcome_.failures,
                                                     records_, KeyNames());
    return std::move(outcome_);
  }

 private:
  std::string KeyNames() const {
    std::string names;
    for (const auto& f : key_) names += (names.empty() ? "" : "+") + f.text();
    return names;
  }
  static std::string Readable(std::string key) {
    for (auto& c : key) c = c == '\x1f' ? ',' : c;
    return key;
  }
  std::vector<FieldRef> key_;
  std::unordered_map<std::string, FirstSeen> seen_;
  CheckOutcome outcome_;
  std::uint64_t records_ = 0;
};

}  // namespace

Result<std::unique_ptr<Check>> MakeUnique(const CheckSpec& spec) {
  auto names = StringList(spec, spec.config->HasMember("fields") ? "fields" : "key", false);
  if (!names.ok()) return names.status();
  if (names->empty()) *names = spec.key;
  if (names->empty()) return ConfigProblem(spec, "key", "the unique check needs \"key\" (or a key on its source)");
  std::vector<FieldRef> key;
  for (auto& name : *names) key.emplace_back(name);
  return std::unique_ptr<Check>(std::make_unique<Unique>(spec, std::move(key)));
}

}  // namespace sluice::checks
