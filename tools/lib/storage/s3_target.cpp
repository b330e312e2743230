#include "storage/s3_target.h"

#include <cstdlib>

#include <fmt/format.h>

#include "core/secrets.h"

namespace sluice::storage {
namespace {

std::optional<std::string> NonEmpty(const Environment& env, std::string_view name) {
  auto value = env.Get(name);
  if (!value || value->empty()) return std::nullopt;
  return value;
}

// "http://host:port" from an endpoint variable; a trailing '/' is dropped, a path refused.
Result<std::string> Origin(std::string value, std::string_view variable, bool scheme_optional) {
  if (value.find("://") == std::string::npos && scheme_optional) value = "http://" + value;
  while (!value.empty() && value.back() == '/') value.pop_back();
  const std::size_t scheme_end = value.find("://");
  const bool http = value.rfind("http://", 0) == 0 || value.rfind("https://", 0) == 0;
  if (!http || value.size() == scheme_end + 3 || value.find('/', scheme_end + 3) != std::string::npos ||
      value.find('@') != std::string::npos) {
    return ConfigError(fmt::format("{}='{}' is not an endpoint: use http(s)://host[:port], without a path or "
                                   "credentials", variable, RedactUrl(value)));
  }
  return value;
}

}  // namespace

Result<S3Target> S3TargetFromEnvironment(const StorageUrl& url, const Environment& env) {
  S3Target target;
  target.scheme = url.scheme;
  target.bucket = url.container;
  target.prefix = url.prefix;
  target.text = url.text;
  target.scope.service = "s3";
  const bool gcs = url.scheme == Scheme::kGcs;

  auto key_id = gcs ? NonEmpty(env, "GOOGLE_HMAC_ACCESS_KEY_ID") : std::nullopt;
  auto secret = gcs ? NonEmpty(env, "GOOGLE_HMAC_SECRET") : std::nullopt;
  target.key_variables = "GOOGLE_HMAC_ACCESS_KEY_ID and GOOGLE_HMAC_SECRET";
  if (!key_id && !secret) {
    key_id = NonEmpty(env, "AWS_ACCESS_KEY_ID");
    secret = NonEmpty(env, "AWS_SECRET_ACCESS_KEY");
    target.key_variables = "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY";
  }
  if (!key_id || !secret) {
    return ConfigError(fmt::format(
        "{}: no credentials: set {} ({} HMAC key; an emulator takes its own, e.g. S3RVER/S3RVER)", url.text,
        gcs ? "GOOGLE_HMAC_ACCESS_KEY_ID and GOOGLE_HMAC_SECRET (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)"
            : "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials)",
        gcs ? "a Cloud Storage" : "an IAM access key or"));
  }
  target.credentials = {*key_id, *secret, gcs ? "" : env.GetOr("AWS_SESSION_TOKEN", "")};
  RegisterSecret(target.credentials.secret_access_key);
  RegisterSecret(target.credentials.session_token);

  std::optional<std::string> endpoint;
  std::string endpoint_variable;
  for (const char* name : gcs ? std::vector<const char*>{"STORAGE_EMULATOR_HOST"}
                              : std::vector<const char*>{"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"}) {
    if ((endpoint = NonEmpty(env, name))) {
      endpoint_variable = name;
      break;
    }
  }
  if (gcs) {
    target.scope.region = "auto";
    target.origin = "https://storage.googleapis.com";
  } else {
    target.scope.region = NonEmpty(env, "AWS_REGION").value_or(NonEmpty(env, "AWS_DEFAULT_REGION").value_or("us-east-1"));
    // A bucket name with dots does not match the wildcard certificate of virtual-hosted names.
    const bool dotted = target.bucket.find('.') != std::string::npos;
    target.origin = dotted ? fmt::format("https://s3.{}.amazonaws.com", target.scope.region)
                           : fmt::format("https://{}.s3.{}.amazonaws.com", target.bucket, target.scope.region);
    if (!dotted && !endpoint) target.bucket_path = "";
    else target.bucket_path = "/" + target.bucket;
  }
  if (gcs) target.bucket_path = "/" + target.bucket;
  if (endpoint) {
    auto origin = Origin(*endpoint, endpoint_variable, gcs);
    if (!origin.ok()) return origin.status();
    target.origin = *origin;
    target.bucket_path = "/" + target.bucket;
  }
  target.host = target.origin.substr(target.origin.find("://") + 3);

  if (auto threshold = NonEmpty(env, "SLUICE_S3_MULTIPART_THRESHOLD")) {
    const long long bytes = std::atoll(threshold->c_str());
    if (bytes < 2) return ConfigError("SLUICE_S3_MULTIPART_THRESHOLD must be a number of bytes, 2 or more");
    target.multipart_threshold = static_cast<std::size_t>(bytes);
    target.part_size = target.multipart_threshold / 2;
  }
  return target;
}

}  // namespace sluice::storage
