// What every service shares: the stores, the engine, the index and the
// thresholds. Owned by App; services hold raw pointers.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>

#include <nlohmann/json.hpp>

#include "common/api_error.h"
#include "common/status.h"
#include "spec/clock.h"
#include "store/types.h"
#include "vision/types.h"

namespace facepass::store {
class Database;
class FileStore;
class TokenCipher;
}  // namespace facepass::store
namespace facepass::vision {
class Engine;
}
namespace facepass::index {
class FaceIndex;
}

namespace facepass::service {

class Thresholds;

struct ServiceContext {
  store::Database* db = nullptr;
  store::FileStore* files = nullptr;
  const store::TokenCipher* tokens = nullptr;
  const vision::Engine* engine = nullptr;
  index::FaceIndex* index = nullptr;
  Thresholds* thresholds = nullptr;
  // Serialises the writes that must change the database and the in-memory
  // index together (bind, unbind, deletes), so the two never disagree.
  std::mutex* catalog_mu = nullptr;
};

using spec::NowMs;  // spec/clock.h

inline nlohmann::json RectJson(int left, int top, int right, int bottom) {
  return {{"left", left}, {"top", top}, {"right", right}, {"bottom", bottom}};
}
inline nlohmann::json RectJson(const vision::Rect& r) { return RectJson(r.left, r.top, r.right, r.bottom); }
inline nlohmann::json RectJson(const store::Rect& r) { return RectJson(r.left, r.top, r.right, r.bottom); }
inline store::Rect ToStoreRect(const vision::Rect& r) { return {r.left, r.top, r.right, r.bottom}; }

nlohmann::json PoseJson(const vision::Pose& p);
nlohmann::json QualityJson(const vision::Quality& q);

// Logs an unexpected Status and returns the INTERNAL_ERROR reply.
ApiReply Internal(const char* where, const Status& s);

// A failed lookup: `not_found` when the thing is absent, INTERNAL_ERROR otherwise.
ApiReply LookupFailed(const Status& s, const ApiError& not_found, const char* where);

}  // namespace facepass::service
