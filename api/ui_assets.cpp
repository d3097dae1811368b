#include "api/ui_assets.hpp"

namespace hotplex::api {

std::string_view UiContentType(std::string_view name) {
  const auto dot = name.rfind('.');
  const std::string_view ext = dot == std::string_view::npos ? "" : name.substr(dot + 1);
  if (ext == "html") return "text/html; charset=utf-8";
  if (ext == "js") return "text/javascript; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "png") return "image/png";
  if (ext == "json") return "application/json";
  return "application/octet-stream";
}

std::optional<UiAsset> FindUiAsset(std::string_view name) {
  if (name.empty()) name = "index.html";
  for (std::size_t i = 0; i < kEmbeddedUiFileCount; ++i) {
    const auto& file = kEmbeddedUiFiles[i];
    if (name == file.name) {
      return UiAsset{{reinterpret_cast<const char*>(file.data), file.size}, UiContentType(name)};
    }
  }
  return std::nullopt;
}

}  // namespace hotplex::api
