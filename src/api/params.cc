#include "api/params.h"

#include <charconv>
#include <limits>

#include "spec/group_name.h"
#include "store/token_cipher.h"

namespace facepass::api {

std::optional<int64_t> DecimalInt64(const std::string& v) {
  int64_t n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size()) return std::nullopt;
  return n;
}

std::optional<int64_t> JsonInt64(const nlohmann::json& v) {
  if (v.is_number_unsigned()) {
    const uint64_t u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
    return static_cast<int64_t>(u);
  }
  if (!v.is_number_integer()) return std::nullopt;
  return v.get<int64_t>();
}


std::optional<std::string> ParamCheck::JsonString(const nlohmann::json& obj, const std::string& key,
                                                  const std::string& name) {
  auto it = obj.is_object() ? obj.find(key) : obj.end();
  if (!obj.is_object() || it == obj.end() || it->is_null() || (it->is_string() && it->get_ref<const std::string&>().empty())) {
    Missing(name);
    return std::nullopt;
  }
  if (!it->is_string()) {
    Illegal(name);
    return std::nullopt;
  }
  return it->get<std::string>();
}

std::optional<std::string> ParamCheck::JsonGroupName(const nlohmann::json& obj, const std::string& key,
                                                     const std::string& name) {
  auto v = JsonString(obj, key, name);
  if (v && !spec::IsValidGroupName(*v)) {
    Illegal(name);
    return std::nullopt;
  }
  return v;
}

std::optional<int64_t> ParamCheck::JsonFaceId(const store::TokenCipher& tokens, const nlohmann::json& obj,
                                              const std::string& key) {
  auto token = JsonString(obj, key, key);
  if (!token) return std::nullopt;
  auto id = tokens.Decode(store::TokenKind::kFace, *token);
  if (!id) Illegal(key);
  return id;
}

std::optional<std::string> ParamCheck::FormString(const http::Request& req, const std::string& name) {
  const std::string* v = req.Form(name);
  if (v == nullptr) {
    // A client may send a small text value as a file part; accept it.
    if (const http::FilePart* f = req.File(name)) v = &f->data;
  }
  if (v == nullptr || v->empty()) {
    Missing(name);
    return std::nullopt;
  }
  return *v;
}

const std::string* ParamCheck::FormFile(const http::Request& req, const std::string& name) {
  const std::string* v = nullptr;
  if (const http::FilePart* f = req.File(name)) v = &f->data;
  if (v == nullptr) v = req.Form(name);
  if (v == nullptr || v->empty()) {
    Missing(name);
    return nullptr;
  }
  return v;
}

}  // namespace facepass::api
