// The Content-Type an object is served with, from its name's extension (case-insensitive);
// application/octet-stream when unknown. Text types carry charset=utf-8.
#pragma once

#include <string>
#include <string_view>

namespace sluice::storage {

std::string ContentTypeFor(std::string_view key);

}  // namespace sluice::storage
