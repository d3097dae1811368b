// UiAssets: the dashboard's files (api/ui/), built into the binary by
// api/ui/embed.cmake, looked up by name with their Content-Type.
// Thread-safety: immutable static data.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace hotplex::api {

struct EmbeddedUiFile {
  const char* name;  // e.g. "app.js"
  const unsigned char* data;
  std::size_t size;
};

// Defined in the generated ui_assets_data.cpp.
extern const EmbeddedUiFile kEmbeddedUiFiles[];
extern const std::size_t kEmbeddedUiFileCount;

struct UiAsset {
  std::string_view body;
  std::string_view content_type;
};

// `name` is the path below /ui/ ("" = index.html). Unknown names: nullopt.
std::optional<UiAsset> FindUiAsset(std::string_view name);
// Content-Type by file extension ("text/javascript; charset=utf-8", ...).
std::string_view UiContentType(std::string_view name);

}  // namespace hotplex::api
