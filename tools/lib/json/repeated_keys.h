// Repeated keys in simdjson's DOM. RapidJSON's reader reports an object that names a key twice
// (records::Record::duplicate_keys); simdjson keeps both members silently, so whoever trusts a
// simdjson parse in its place (the fast lane of NDJSON validation) must look for them.
#pragma once

namespace simdjson::dom {
class element;
}

namespace sluice::json {

// Whether any object in `value`, at any depth, names a key twice. Thread-safe.
bool RepeatsAKey(const simdjson::dom::element& value);

// Whether the keys of `object` itself repeat (not looking inside its values).
bool RepeatsOwnKey(const simdjson::dom::element& object);

}  // namespace sluice::json
