#include "store/pg/conninfo.h"

#include <libpq-fe.h>

#include <map>
#include <memory>

namespace facepass::store::pg {
namespace {

struct OptionsFree {
  void operator()(PQconninfoOption* o) const { PQconninfoFree(o); }
};

// libpq's quoting of a key=value value: single quotes, \' and \\ escaped.
std::string Quote(const std::string& v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

}  // namespace

std::string GuessPassword(std::string_view uri) {
  for (std::string_view scheme : {"postgresql://", "postgres://"}) {
    if (uri.substr(0, scheme.size()) != scheme) continue;
    std::string_view rest = uri.substr(scheme.size());
    rest = rest.substr(0, rest.find_first_of("/?"));
    const size_t at = rest.rfind('@');
    if (at == std::string_view::npos) return "";
    std::string_view userinfo = rest.substr(0, at);
    const size_t colon = userinfo.find(':');
    return colon == std::string_view::npos ? "" : std::string(userinfo.substr(colon + 1));
  }
  const size_t key = uri.find("password");
  if (key == std::string_view::npos) return "";
  size_t i = uri.find('=', key);
  if (i == std::string_view::npos) return "";
  ++i;
  while (i < uri.size() && uri[i] == ' ') ++i;
  if (i < uri.size() && uri[i] == '\'') {
    const size_t end = uri.find('\'', i + 1);
    return std::string(uri.substr(i + 1, end == std::string_view::npos ? std::string_view::npos : end - i - 1));
  }
  const size_t end = uri.find(' ', i);
  return std::string(uri.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i));
}

std::string Redact(std::string message, const std::vector<std::string>& secrets) {
  while (!message.empty() && message.back() == '\n') message.pop_back();
  for (const std::string& s : secrets) {
    if (s.empty()) continue;
    for (size_t pos = message.find(s); pos != std::string::npos; pos = message.find(s, pos + 3))
      message.replace(pos, s.size(), "***");
  }
  return message;
}

Result<ConnInfo> ParseConnInfo(const std::string& uri, const ConnSettings& settings) {
  const std::vector<std::string> guessed = {GuessPassword(uri)};
  char* err = nullptr;
  std::unique_ptr<PQconninfoOption, OptionsFree> options(PQconninfoParse(uri.c_str(), &err));
  if (!options) {
    std::string msg = err ? err : "out of memory";
    PQfreemem(err);
    return Status::InvalidArgument("database URI: " + Redact(msg, guessed));
  }
  std::map<std::string, std::string> set;
  for (PQconninfoOption* o = options.get(); o->keyword; ++o) {
    if (o->val && *o->val) set[o->keyword] = o->val;
  }
  ConnInfo info;
  info.secrets = guessed;
  if (auto it = set.find("password"); it != set.end()) info.secrets.push_back(it->second);
  set.try_emplace("connect_timeout", std::to_string(settings.connect_timeout_s));
  set.try_emplace("tcp_user_timeout", std::to_string(settings.tcp_user_timeout_ms));
  set.try_emplace("keepalives_idle", "5");
  set.try_emplace("keepalives_interval", "1");
  set.try_emplace("keepalives_count", "3");
  set.try_emplace("application_name", settings.application_name);
  for (const auto& [key, value] : set) {
    if (!info.conninfo.empty()) info.conninfo += ' ';
    info.conninfo += key + "=" + Quote(value);
  }
  auto get = [&](const char* key, const char* fallback) {
    auto it = set.find(key);
    return it == set.end() ? std::string(fallback) : it->second;
  };
  info.target = get("user", "") + (set.count("user") ? "@" : "") + get("host", get("hostaddr", "localhost").c_str()) +
                ":" + get("port", "5432") + "/" + get("dbname", get("user", "").c_str());
  return info;
}

}  // namespace facepass::store::pg
