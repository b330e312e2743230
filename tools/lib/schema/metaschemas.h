// The metaschemas of drafts 4 to 2020-12, embedded (see metaschemas.cpp).
#pragma once

#include <string_view>

namespace sluice::schema::detail {

// The metaschema document with this URI (no fragment), or an empty view.
std::string_view EmbeddedMetaschema(std::string_view uri);

}  // namespace sluice::schema::detail
