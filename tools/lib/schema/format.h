// The formats CompileOptions::format_assertion can enforce: the few a data pipeline meets
// (dates, e-mail addresses, IPv4 addresses, UUIDs). Others stay annotations.
#pragma once

#include <string_view>

namespace sluice::schema::detail {

using FormatTest = bool (*)(std::string_view);

// nullptr when the format is not one we check.
FormatTest FindFormatTest(std::string_view name);

}  // namespace sluice::schema::detail
