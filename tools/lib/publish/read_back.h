// "Confirm the files are live" (DESIGN.md, After publishing): each uploaded file read back
// through the URL the public reads (--read-url: a plain GET without credentials, as a browser
// would), its sha256 compared with what was uploaded. Without a read URL the publisher reads back
// through the storage backend instead.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"

namespace sluice::publish {

struct LiveFile {
  std::string path;    // relative to the read URL, '/'-separated
  std::string sha256;  // what was uploaded
};

// GETs <base_url>/<path> for every file, `parallel` at once, asking caches to revalidate
// (Cache-Control: no-cache). The first file not served, or served with other bytes, is an
// ExternalError naming its URL, the status or the sha256 found, and the count of such files.
Status ConfirmLive(const std::string& base_url, const std::vector<LiveFile>& files, int parallel);

}  // namespace sluice::publish
