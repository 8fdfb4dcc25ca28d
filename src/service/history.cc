#include "service/history.h"

#include "spec/group_name.h"
#include "domain/recognition_repository.h"

namespace facepass::service {

DomainResult<store::RecognitionPage> History::Query(const HistoryRequest& req) {
  if (req.group_name && !spec::IsValidGroupName(*req.group_name)) return errors::IllegalArgument("group_name");
  if (req.limit < 1 || req.limit > kMaxLimit) return errors::IllegalArgument("limit (1..500)");
  if (req.from_ms < 0 || req.from_ms > req.to_ms) return errors::IllegalArgument("from,to (from must be <= to)");
  auto page = recognitions_.QueryRecognitions(req);
  if (!page.ok()) return Internal("history: query", page.status());
  return *std::move(page);
}

}  // namespace facepass::service
